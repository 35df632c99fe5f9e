"""A cinecode project: `film.toml` + the screenplay, loaded and validated with file:line errors."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cinecode.backends.hosted.pricing import PriceBook, load_prices, shipped_prices
from cinecode.errors import ProjectError
from cinecode.project.tomllines import KeyPath, key_lines, line_of

PROJECT_FILE = "film.toml"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Format(_Strict):
    """Picture and sound format of the master."""

    width: int = Field(1280, ge=64, le=8192, multiple_of=2)
    height: int = Field(720, ge=64, le=8192, multiple_of=2)
    fps: int = Field(24, ge=1, le=120)
    sample_rate: int = Field(48000)

    @field_validator("sample_rate")
    @classmethod
    def _rate(cls, value: int) -> int:
        if value not in (44100, 48000, 96000):
            raise ValueError("sample_rate must be 44100, 48000 or 96000")
        return value


class Department(BaseModel):
    """A department's backend and its parameters (any extra keys go to the backend)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    backend: str

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class VoiceSetting(_Strict):
    """A character's voice: a preset of the voice backend, adjusted if wanted.

    `pitch`, `formant` (semitones) and `brightness` are added to the preset's; `rate`
    multiplies its speed.
    """

    preset: str = ""
    backend: str = ""  # another speech backend for this character alone
    voice_id: str = ""  # the provider's voice id (hosted backends)
    pitch: float | None = Field(None, ge=-12, le=12)
    formant: float | None = Field(None, ge=-6, le=6)
    rate: float | None = Field(None, ge=0.5, le=2.0)
    brightness: float | None = Field(None, ge=-1, le=1)
    # the provider's own voice settings (ElevenLabs: stability, similarity_boost, style, …)
    settings: dict[str, float | bool] = Field(default_factory=dict)


class CharacterConfig(_Strict):
    description: str = ""
    voice: str | VoiceSetting = ""
    color: str = ""
    seed: int | None = None
    references: list[str] = Field(default_factory=list)

    @field_validator("color")
    @classmethod
    def _color(cls, value: str) -> str:
        if value and not _HEX.match(value):
            raise ValueError('color must be a hex colour like "#b5443a"')
        return value

    @property
    def voice_setting(self) -> VoiceSetting:
        return VoiceSetting(preset=self.voice) if isinstance(self.voice, str) else self.voice


class LocationConfig(_Strict):
    description: str = ""
    palette: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)

    @field_validator("palette")
    @classmethod
    def _palette(cls, value: list[str]) -> list[str]:
        for colour in value:
            if not _HEX.match(colour):
                raise ValueError(f'palette colour {colour!r} is not a hex colour like "#2e4057"')
        return value


class Scoring(_Strict):
    """How takes are pre-ranked: weights of each measure, and an optional embedding model."""

    model: str = ""  # a local CLIP model folder (transformers); colour statistics otherwise
    sharpness: float = Field(1.0, ge=0)
    stability: float = Field(1.0, ge=0)
    consistency: float = Field(1.0, ge=0)


class Budget(_Strict):
    limit: float | None = Field(None, ge=0)  # hard cap on money per build; None = no cap
    currency: str = "USD"


class EditConfig(_Strict):
    """`[edit]`: how the film is cut (see docs/editorial.md)."""

    style: Literal["continuity", "jump-cut"] = "continuity"
    dissolve: float = Field(1.0, gt=0, le=10)  # seconds of a DISSOLVE TO:
    fade: float = Field(1.0, gt=0, le=10)  # seconds of a FADE IN: / FADE OUT.
    handles: int = Field(12, ge=0, le=240)  # frames before and after each exported shot


class ServiceConfig(_Strict):
    """How to reach a hosted backend (`[services.NAME]`); never part of a job's key.

    Credentials are never written here: `api_key_env` names the environment variable.
    """

    base_url: str = ""
    api_key_env: str = ""
    timeout: float = Field(60.0, gt=0)
    retries: int = Field(5, ge=0, le=20)
    requests_per_minute: float = Field(0.0, ge=0)
    concurrency: int = Field(4, ge=1, le=256)  # jobs (and requests) at once
    poll_interval: float = Field(2.0, gt=0)
    max_wait: float = Field(3600.0, gt=0)
    max_download_mb: float = Field(1024.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key.lower() in ("api_key", "key", "token", "secret", "password"):
                    raise ValueError(
                        f"`{key}`: credentials never go in film.toml; set the environment "
                        "variable the service reads (or name it with api_key_env)"
                    )
        return data


#: loudness presets: (integrated LUFS, true-peak ceiling dBTP)
LOUDNESS_PRESETS = {
    "default": (-16.0, -1.0),
    "streaming": (-14.0, -1.0),
    "broadcast": (-23.0, -1.0),  # EBU R128
}


class MixConfig(_Strict):
    """The finished mix: loudness, bus levels and ducking (`[mix]` in film.toml)."""

    loudness: Literal["default", "streaming", "broadcast"] = "default"
    target: float | None = Field(None, ge=-40, le=-5)  # LUFS; overrides the preset
    true_peak: float | None = Field(None, ge=-12, le=0)  # dBTP; overrides the preset
    dialogue: float = Field(0.0, ge=-24, le=12)  # bus levels, dB
    music: float = Field(0.0, ge=-40, le=12)
    effects: float = Field(0.0, ge=-40, le=12)
    duck: float = Field(10.0, ge=0, le=40)  # dB the score drops under dialogue
    duck_ambience: float = Field(6.0, ge=0, le=40)  # dB the ambience drops under dialogue

    @property
    def target_lufs(self) -> float:
        return self.target if self.target is not None else LOUDNESS_PRESETS[self.loudness][0]

    @property
    def ceiling(self) -> float:
        return self.true_peak if self.true_peak is not None else LOUDNESS_PRESETS[self.loudness][1]


class Finishing(_Strict):
    """`[finishing]`: upscaling and frame interpolation applied to every segment of the cut.

    Off by default. `upscale` is a factor (2, 4) or a target size ("3840x2160");
    `fps` (or `factor`) multiplies the frame rate by a whole number (24 → 48).
    """

    upscale: int | str | None = None
    upscaler: str = "realesrgan"  # realesrgan | lanczos | a [backends.NAME] entry
    fps: int | None = Field(None, ge=1, le=240)
    factor: int | None = Field(None, ge=2, le=8)
    interpolator: str = "minterpolate"  # minterpolate | a [backends.NAME] entry (RIFE in ComfyUI)

    @field_validator("upscale")
    @classmethod
    def _upscale(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and value not in (2, 3, 4):
            raise ValueError('upscale is 2, 3, 4 or a size like "3840x2160"')
        if isinstance(value, str) and not re.fullmatch(r"\d+x\d+", value):
            raise ValueError('upscale is 2, 3, 4 or a size like "3840x2160"')
        return value

    @property
    def enabled(self) -> bool:
        return self.upscale is not None or self.fps is not None or self.factor is not None


class FilmConfig(_Strict):
    """Everything `film.toml` may say."""

    title: str = ""
    script: str = "script.fountain"
    seed: int = 1
    format: Format = Format()
    budget: Budget = Budget()
    scoring: Scoring = Scoring()
    storyboard: Department = Department(backend="sketch")
    motion: Department = Department(backend="camera")
    voice: Department = Department(backend="piper")
    music: Department = Department(backend="composer")
    effects: Department = Department(backend="foley")
    mix: MixConfig = MixConfig()
    characters: dict[str, CharacterConfig] = Field(default_factory=dict)
    locations: dict[str, LocationConfig] = Field(default_factory=dict)
    edit: EditConfig = EditConfig()
    services: dict[str, ServiceConfig] = Field(default_factory=dict)
    breakdown: Department = Department(backend="openai")  # the chat model of `breakdown`
    backends: dict[str, Department] = Field(default_factory=dict)  # named engine settings
    finishing: Finishing = Finishing()


Departments = Literal["storyboard", "motion", "voice", "music", "effects"]


@dataclass(frozen=True)
class Project:
    """A loaded project: its folder, its validated config and where each key is written."""

    root: Path
    config: FilmConfig
    lines: dict[KeyPath, int]
    prices: PriceBook = field(default_factory=shipped_prices)  # shipped + prices.toml

    @property
    def file(self) -> Path:
        return self.root / PROJECT_FILE

    @property
    def script_path(self) -> Path:
        return (self.root / self.config.script).resolve()

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def store_dir(self) -> Path:
        return self.root / ".cinecode"

    @property
    def picks_path(self) -> Path:
        return self.root / "picks.toml"

    @property
    def ids_path(self) -> Path:
        return self.root / "shots.lock"

    @property
    def cut_path(self) -> Path:
        """The editor's cut (`cinecode conform` writes it; see docs/editorial.md)."""
        return self.root / "cut.toml"

    def line_of(self, *path: str | int) -> int | None:
        """The film.toml line where `path` (e.g. "characters", "MARA", "voice") is written."""
        return line_of(self.lines, tuple(path))

    def error(self, message: str, *path: str | int, hint: str = "") -> ProjectError:
        """A ProjectError pointing at the line of `path` in film.toml."""
        return ProjectError(message, file=str(self.file), line=self.line_of(*path), hint=hint)

    def department(self, name: str) -> Department:
        value = getattr(self.config, name, None)
        if not isinstance(value, Department):
            raise KeyError(name)
        return value

    def resolve(self, relative: str) -> Path:
        """A path written in film.toml or the script, relative to the project folder."""
        return (self.root / relative).resolve()


def find_root(path: Path) -> Path:
    """The project folder for a path given on the command line (folder or film.toml)."""
    path = path.expanduser()
    if path.is_file() and path.name == PROJECT_FILE:
        return path.parent.resolve()
    if (path / PROJECT_FILE).is_file():
        return path.resolve()
    if path.is_dir():
        raise ProjectError(
            f"no {PROJECT_FILE} in this folder",
            file=str(path),
            hint=f"run `cinecode new {path}` to start a project here",
        )
    raise ProjectError(
        "no such project", file=str(path), hint="give the project folder or its film.toml"
    )


def load_project(path: Path) -> Project:
    """Read and validate film.toml; every problem is a ProjectError with file:line."""
    root = find_root(path)
    file = root / PROJECT_FILE
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProjectError(
            "film.toml is not UTF-8 text", file=str(file), line=line, hint="save it as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ProjectError(
            f"not valid TOML: {message}",
            file=str(file),
            line=int(match.group(1)) if match else None,
            hint="see https://toml.io for the syntax",
        ) from None
    lines = key_lines(text)
    try:
        config = FilmConfig.model_validate(data)
    except ValidationError as exc:
        raise _located(exc, file, lines) from None
    return Project(root=root, config=config, lines=lines, prices=load_prices(root))


def _located(exc: ValidationError, file: Path, lines: dict[KeyPath, int]) -> ProjectError:
    error = exc.errors()[0]
    path = tuple(p for p in error["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
    dotted = ".".join(str(p) for p in path)
    kind = error["type"]
    if kind == "extra_forbidden":
        message = f"unknown setting `{dotted}`"
        hint = "check the spelling; the README lists every setting of film.toml"
    elif kind == "missing":
        message = f"`{dotted}` is required"
        hint = f"add `{path[-1]} = …` here"
    else:
        message = f"`{dotted}`: {error['msg']}"
        hint = "fix the value; the README lists every setting of film.toml"
    return ProjectError(message, file=str(file), line=line_of(lines, path), hint=hint)


_UNION_TAGS = {"str", "VoiceSetting", "function-after[_color(), str]"}


TEMPLATE_TOML = """\
# cinecode project file: what the film looks and sounds like, and who makes it.
title = "{title}"
script = "script.fountain"
seed = 1

[format]
width = 1280
height = 720
fps = 24

[storyboard]            # keyframes: "sketch" draws storyboard frames offline
backend = "sketch"

[motion]                # "camera" moves over the keyframe (push in, pan…)
backend = "camera"

[voice]                 # "piper" speaks every line offline with a neural voice
backend = "piper"

[music]                 # "composer" writes and renders a score offline ("none": no score)
backend = "composer"

[effects]               # "foley" synthesizes ambience and spot effects offline
backend = "foley"

# [mix]                 # the finished mix (docs/sound.md)
# loudness = "default"  # -16 LUFS; "streaming" -14, "broadcast" -23 (EBU R128)
# music = 0.0           # bus levels in dB (dialogue, music, effects)
# duck = 10.0           # dB the score drops under dialogue

# [characters.NAME]     # NAME as in the screenplay's character cues
# description = "looks, age, wardrobe"
# voice = "woman-warm"  # narrator, man-deep, man-warm, man-young, woman-low, woman-warm,
#                       # woman-bright, elder, child
# color = "#b5443a"

# [locations.NAME]      # matched against the scene headings
# description = "…"
# palette = ["#2e4057", "#f2c14e"]
"""
