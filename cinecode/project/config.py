"""A cinecode project: `film.toml` + the screenplay, loaded and validated with file:line errors."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from cinecode.backends.hosted.pricing import PriceBook, load_prices, shipped_prices
from cinecode.errors import ProjectError, ProjectErrors
from cinecode.project.backend_names import DEPARTMENTS, known_backends
from cinecode.project.backend_names import hint as backend_hint
from cinecode.project.tomllines import MAX_NESTING, KeyPath, key_lines, line_of, too_deep

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


_TIMECODE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d):(\d{2,3})$")


class ExportConfig(_Strict):
    """`[export]`: what every export of the cut shares (see docs/editorial.md).

    `start` is the record timecode of the film's first frame (HH:MM:SS:FF, non-drop, at the
    film's fps) in every timeline, EDL, shot list and storyboard; subtitles count from 0.
    """

    start: str = "01:00:00:00"

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        if not _TIMECODE.match(value):
            raise ValueError(
                f'"{value}" is not a timecode like "01:00:00:00" (HH:MM:SS:FF, hours 00 to 23)'
            )
        return value

    def start_frame(self, fps: int) -> int:
        """The film's first frame as a frame count from 00:00:00:00 at `fps`."""
        hours, minutes, seconds, frames = (int(part) for part in self.start.split(":"))
        if frames >= fps:
            raise ValueError(
                f'start "{self.start}" has frame {frames}, but at {fps} fps frames run '
                f"from 00 to {fps - 1:02d}"
            )
        return ((hours * 60 + minutes) * 60 + seconds) * fps + frames


class ProvenanceConfig(_Strict):
    """`[provenance]`: content credentials (C2PA) on the delivered master (docs/provenance.md).

    `cert`/`key` name a real signing identity (PEM paths, relative to the project); without
    them (and without CINECODE_C2PA_CERT/KEY) a development identity signs.
    """

    sign: bool = True  # sign build/<film>.mp4 (False: the store's master, as it is)
    prompts: bool = True  # False: the manifest leaves every prompt out
    notice: bool = False  # an opening card: the AI disclosure, before the title card
    cert: str = ""
    key: str = ""


class StoreConfig(_Strict):
    """`[store]`: a shared store that several machines fill and reuse by content key
    (docs/farm.md). Where, never who: endpoint and credentials come from the environment."""

    url: str = ""  # "s3://bucket/prefix", "file:///path" or a folder ("" = this machine only)

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme, sep, rest = value.partition("://")
        if sep and scheme not in ("s3", "file"):
            raise ValueError(
                f'cinecode cannot store at {scheme}://: use "s3://bucket/prefix", '
                '"file:///path" or a folder path'
            )
        if scheme == "s3" and sep and not rest.split("/")[0]:
            raise ValueError('an S3 store names its bucket: "s3://bucket/prefix"')
        return value


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


class FarmConfig(_Strict):
    """`[farm]`: the Ray cluster `make` runs on (`make --farm` overrides `address`), and the
    Ray resources each engine's jobs ask for besides one CPU (a GPU for diffusers and
    Real-ESRGAN unless said here). How to run, never what is made: no key depends on it."""

    address: str = ""  # "auto", "host:6379" (a node's GCS) or "ray://host:10001" (Ray Client)
    resources: dict[str, dict[str, float]] = Field(default_factory=dict)  # backend → resources


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
    lipsync: Department | None = None  # absent: no lip sync step (docs/hosted.md)
    mix: MixConfig = MixConfig()
    characters: dict[str, CharacterConfig] = Field(default_factory=dict)
    locations: dict[str, LocationConfig] = Field(default_factory=dict)
    edit: EditConfig = EditConfig()
    services: dict[str, ServiceConfig] = Field(default_factory=dict)
    breakdown: Department = Department(backend="openai")  # the chat model of `breakdown`
    backends: dict[str, Department] = Field(default_factory=dict)  # named engine settings
    finishing: Finishing = Finishing()
    export: ExportConfig = ExportConfig()  # after `format`: its start is read at the film's fps
    provenance: ProvenanceConfig = ProvenanceConfig()
    store: StoreConfig = StoreConfig()
    farm: FarmConfig = FarmConfig()

    @field_validator("export")
    @classmethod
    def _export_at_fps(cls, value: ExportConfig, info: ValidationInfo) -> ExportConfig:
        picture = info.data.get("format")
        if isinstance(picture, Format):
            value.start_frame(picture.fps)  # a ValueError names the frame rate
        return value


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


def load_project(path: Path, *, check_backends: bool = True) -> Project:
    """Read and validate film.toml; every problem is a ProjectError with file:line.

    Problems are all reported at once (ProjectErrors); a TOML syntax error stops at the first.
    `check_backends=False` lets a backend name that names nothing through (`cinecode backends`
    lists it as misconfigured).
    """
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
    data = _parse(text, file)
    lines = key_lines(text)
    try:
        config = FilmConfig.model_validate(data)
    except ValidationError as exc:
        raise _problems(exc, data, file, lines) from None
    if check_backends:
        _check_backends(config, file, lines)
    return Project(root=root, config=config, lines=lines, prices=load_prices(root))


_TOML_HINT = "see https://toml.io for the syntax"
_TWICE = "write each table once: move these settings into the first one and delete this header"


def _parse(text: str, file: Path) -> dict[str, Any]:
    """tomllib's reading of film.toml; its errors (and nesting too deep for it) at their line."""
    deep = too_deep(text)
    if deep is not None:
        raise ProjectError(
            f"arrays or inline tables nest more than {MAX_NESTING} deep",
            file=str(file),
            line=deep,
            hint="film.toml never needs that: close the brackets `]` and braces `}` you opened",
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = _toml_message(str(exc), text)
        hint = _TWICE if "twice" in message else _TOML_HINT
        raise ProjectError(
            f"not valid TOML: {message}", file=str(file), line=line, hint=hint
        ) from None
    except RecursionError:  # too_deep's limit is far below tomllib's: kept as a last guard
        raise ProjectError(
            "not valid TOML: nested too deep to read",
            file=str(file),
            line=_last_line(text),
            hint=_TOML_HINT,
        ) from None


def _toml_message(message: str, text: str) -> tuple[str, int]:
    """tomllib's message without its place, and the line of that place (at the end of the
    document: its last line)."""
    found = re.search(r"\s*\(at line (\d+), column \d+\)", message)
    if found:
        return message.replace(found.group(0), ""), int(found.group(1))
    ending = re.search(r"\s*\(at end of document\)", message)
    if ending:
        return f"{message.replace(ending.group(0), '')} at the end of the file", _last_line(text)
    return message, _last_line(text)


def _last_line(text: str) -> int:
    return max(1, len(text.splitlines()))


def _check_backends(config: FilmConfig, file: Path, lines: dict[KeyPath, int]) -> None:
    """Every backend name film.toml writes must name one (all such problems at once)."""
    found: list[ProjectError] = []

    def check(path: tuple[str, ...], name: str, known: list[str]) -> None:
        if name not in known:
            message = f"`{'.'.join(path)}`: unknown backend {name!r}"
            hint = backend_hint(name, known)
            found.append(
                ProjectError(message, file=str(file), line=line_of(lines, path), hint=hint)
            )

    entries = config.backends
    for department in DEPARTMENTS:
        if department in config.model_fields_set:
            named = getattr(config, department).backend
            check((department, "backend"), named, known_backends(entries, department=department))
    for name, section in entries.items():
        check(("backends", name, "backend"), section.backend, known_backends(entries, entry=True))
    for name, character in config.characters.items():
        if voice := character.voice_setting.backend:
            check(("characters", name, "voice", "backend"), voice, known_backends(entries))
    for key in ("upscaler", "interpolator"):
        if key in config.finishing.model_fields_set:
            check(("finishing", key), getattr(config.finishing, key), known_backends(entries))
    found.sort(key=lambda p: (p.line is None, p.line or 0))
    if found:
        raise found[0] if len(found) == 1 else ProjectErrors(found)


def _problems(
    exc: ValidationError, data: dict[str, Any], file: Path, lines: dict[KeyPath, int]
) -> ProjectError:
    """Every validation error of film.toml as a ProjectError at its line, in file order.

    One problem is raised as itself, several as ProjectErrors (a ProjectError too).
    """
    found: list[ProjectError] = []
    for path, message, hint in _explained(exc.errors(), data):
        problem = ProjectError(message, file=str(file), line=line_of(lines, path), hint=hint)
        if not any((p.line, p.message) == (problem.line, problem.message) for p in found):
            found.append(problem)
    found.sort(key=lambda p: (p.line is None, p.line or 0))
    return found[0] if len(found) == 1 else ProjectErrors(found)


@dataclass(frozen=True)
class _Issue:
    """A pydantic error, placed: `path` as written in film.toml; `site` and `branch` name the
    union (e.g. `voice = "…" | {…}`) whose member `branch` reported it, when one did."""

    error: ErrorDetails
    path: KeyPath
    site: KeyPath | None
    branch: str


def _explained(errors: list[ErrorDetails], data: dict[str, Any]) -> list[tuple[KeyPath, str, str]]:
    """(path, message, hint) for each problem; of a union, only the member the value fits."""
    issues = [_placed(error, data) for error in errors]
    explained: list[tuple[KeyPath, str, str]] = []
    unions: dict[KeyPath, list[_Issue]] = {}
    for issue in issues:
        if issue.site is None:
            explained.append((issue.path, *_explain(issue.error, issue.path, data)))
        else:
            unions.setdefault(issue.site, []).append(issue)
    for site, members in unions.items():
        fitting = {i.branch for i in members if len(i.path) > len(site)}
        if fitting:  # the value has that member's shape: its own errors are the real ones
            explained += [
                (i.path, *_explain(i.error, i.path, data)) for i in members if i.branch in fitting
            ]
        else:  # fits no member: one problem naming what it may be
            kinds = dict.fromkeys(_kind(i.error) for i in members)
            message = f"`{_dotted(site)}` should be {' or '.join(kinds)}"
            explained.append((site, message, _FIX_VALUE))
    return explained


def _placed(error: ErrorDetails, data: dict[str, Any]) -> _Issue:
    """Drop the union members' names pydantic puts in `loc` ("str", "VoiceSetting", …)."""
    path: list[str | int] = []
    site: KeyPath | None = None
    branch = ""
    node: Any = data
    loc = error["loc"]
    for index, part in enumerate(loc):
        child = _child(node, part)
        if child is not _ABSENT:
            node = child
        elif not (error["type"] == "missing" and index == len(loc) - 1):  # not the missing key
            if site is None:
                site, branch = tuple(path), str(part)
            continue
        path.append(part)
    return _Issue(error, tuple(path), site, branch)


def _kind(error: ErrorDetails) -> str:
    """What a union member wanted: "a valid string", "a table"."""
    if error["type"] in ("model_type", "model_attributes_type", "dict_type"):
        return "a table"
    return error["msg"].removeprefix("Input should be ").split(", ")[0]


_FIX_VALUE = "fix the value; the README lists every setting of film.toml"


def _explain(error: ErrorDetails, path: KeyPath, data: dict[str, Any]) -> tuple[str, str]:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown(path, data)
    if kind == "missing":
        siblings = _value_at(data, path[:-1])
        written = [str(k) for k in siblings] if isinstance(siblings, dict) else []
        close = difflib.get_close_matches(str(path[-1]), written, n=1)
        hint = f"rename `{close[0]}` to `{path[-1]}`" if close else f"add `{path[-1]} = …` here"
        return f"`{_dotted(path)}` is required", hint
    message = error["msg"].removeprefix("Value error, ")
    return f"`{_dotted(path)}`: {message[:1].lower()}{message[1:]}", _FIX_VALUE


def _unknown(path: KeyPath, data: dict[str, Any]) -> tuple[str, str]:
    """An unknown key or table, with the nearest valid names at that place."""
    key, parent = str(path[-1]), path[:-1]
    value = _value_at(data, path)
    valid = _keys_at(parent)
    if isinstance(value, dict) or (isinstance(value, list) and value and _all_tables(value)):
        brackets = ("[", "]") if isinstance(value, dict) else ("[[", "]]")
        message = f"unknown table `{brackets[0]}{_dotted(path)}{brackets[1]}`"
        names = {name: f"`[{_dotted((*parent, name))}]`" for name in valid}
    else:
        message = f"unknown setting `{_dotted(path)}`"
        names = {name: f"`{name}`" for name in valid}
    close = _close(key, valid)
    homes = _homes(key, parent)
    if close:
        hint = f"did you mean {' or '.join(names[name] for name in close)}?"
    elif homes:
        hint = f"`{key}` belongs in {' or '.join(f'[{_dotted(h)}]' for h in homes)}"
    elif valid:
        hint = f"valid keys here: {', '.join(valid)}"
    else:
        hint = "check the spelling; the README lists every setting of film.toml"
    return message, hint


def _close(word: str, valid: list[str]) -> list[str]:
    """The valid names nearest `word` (case aside), best first."""
    lowered = {name.lower(): name for name in valid}
    return [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=2)]


def _all_tables(values: list[Any]) -> bool:
    return all(isinstance(v, dict) for v in values)


_ABSENT = object()


def _child(node: Any, part: str | int) -> Any:
    """`node[part]` as read from film.toml, or _ABSENT."""
    if isinstance(node, dict):
        return node.get(part, _ABSENT)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = _child(data, part)
        if data is _ABSENT:
            return None
    return data


def _model_at(path: KeyPath) -> type[BaseModel] | None:
    """The model that validates the table at `path` (characters.MARA → CharacterConfig)."""
    annotation: Any = FilmConfig
    for part in path:
        model = _model_in(annotation)
        if model is not None:
            fields = _fields(model)
            if not isinstance(part, str) or part not in fields:
                return None
            annotation = fields[part]
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        elif get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        else:
            return None
    return _model_in(annotation)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model in an annotation: itself, or the table member of a union (`str | VoiceSetting`)."""
    if get_origin(annotation) in (Union, UnionType):
        for member in get_args(annotation):
            model = _model_in(member)
            if model is not None:
                return model
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """The keys a model reads, as written in film.toml, and their annotations."""
    return {info.alias or name: info.annotation for name, info in model.model_fields.items()}


def _keys_at(path: KeyPath) -> list[str]:
    model = _model_at(path)
    return list(_fields(model)) if model is not None else []


def _homes(key: str, path: KeyPath) -> list[KeyPath]:
    """The tables right under `path` that take `key` (`fps` at the top → [format], [finishing])."""
    model = _model_at(path)
    if model is None:
        return []
    homes = []
    for name, annotation in _fields(model).items():
        table = _model_in(annotation) if get_origin(annotation) not in (dict, list) else None
        if table is not None and key in _fields(table):
            homes.append((*path, name))
    return homes[:3]


_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _dotted(path: KeyPath) -> str:
    """A key path as TOML writes it: characters."OLD MAN".voice, palette[1]."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + (part if _BARE.match(part) else f'"{part}"')
    return text


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
