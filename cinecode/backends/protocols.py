"""One small protocol per modality. Backends know modalities, never films.

A backend is constructed from its `film.toml` parameters (`Backend(**params)`), declares a
class attribute `version` (an int, part of every key it makes: bump it when the same request
would give a different result), answers `status()` without side effects, and for each request
writes exactly one media file into the `out` folder it is handed, returning a `Generated` that
names the file. It never touches the
store: the executor records what it returns, atomically, the moment it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

Modality = Literal[
    "image", "video", "speech", "music", "effects", "upscale", "interpolate", "lipsync", "text"
]

#: Called by long generations with a fraction 0..1 (progress bars); may raise to cancel.
ProgressFn = Callable[[float], None]


@dataclass(frozen=True)
class Cost:
    """What a generation costs: money (in the project's currency) and GPU seconds."""

    money: float = 0.0
    gpu_seconds: float = 0.0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.money + other.money, self.gpu_seconds + other.gpu_seconds)


@dataclass(frozen=True)
class Generated:
    """What a backend made: one file in the `out` folder, plus what it knows about it."""

    path: Path
    cost: Cost = Cost()
    model: str = ""  # the model that actually ran (for provenance and credits)
    meta: dict[str, Any] = field(default_factory=dict)  # duration, width, height, …


@dataclass(frozen=True)
class BackendStatus:
    """`ready`, or what is missing and the one-line fix."""

    state: Literal["ready", "missing package", "unreachable", "missing model", "misconfigured"]
    detail: str = ""
    fix: str = ""


# --- image -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A person in a composed frame (used by layout-aware backends such as the sketch)."""

    name: str
    x: float  # horizontal centre, 0 (left) … 1 (right)
    role: Literal["speaker", "listener", "present"] = "present"
    facing: Literal["left", "right", "camera", "away"] = "camera"
    color: str = "#44484f"  # hex; a character keeps one colour through the film
    depth: float = 0.0  # 0 = on the focal plane, 1 = far behind
    look: str = ""  # what the character looks like ("Teo, 10, messy brown hair, …")
    wearing: str = ""  # what the action has them wear now ("his grandfather's navy sweater")
    sheet: int = 0  # the seed of the character's picked cast sheet: its look (0: the name's)


@dataclass(frozen=True)
class Composition:
    """A structured description of a frame, for backends that draw layouts, not prompts."""

    # extreme-wide | wide | full | medium | medium-close | close | extreme-close | insert
    size: str = "wide"
    angle: str = "eye"  # eye | high | low | overhead | dutch
    setting: str = "int"  # int | ext | int/ext
    time_of_day: str = "day"  # day | night | dawn | dusk | morning | evening | continuous
    location: str = ""
    palette: tuple[str, ...] = ()  # hex colours, dominant first
    figures: tuple[Figure, ...] = ()
    caption: str = ""  # the action or line this frame shows
    label: str = ""  # e.g. "3.2 · MEDIUM · PUSH IN · 4.2 s"
    weather: str = ""  # rain | snow | fog | wind | ""
    props: tuple[str, ...] = ()  # nouns from the action worth drawing (door, car, candle…)
    action: str = ""  # what the frame shows happening: the action and the shot's prompt
    place: str = ""  # what the location looks like (film.toml's description)


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    width: int
    height: int
    seed: int
    negative_prompt: str = ""
    model: str = ""
    references: tuple[Path, ...] = ()  # character / location reference images
    #: whose each reference is, in the same order: ("character", "TEO"), ("location", "KITCHEN")
    #: (empty when unknown); engines route them by role (ComfyUI) or name them (Runway @tags)
    reference_roles: tuple[tuple[str, str], ...] = ()
    init_image: Path | None = None  # start from this image (img2img, continuity)
    composition: Composition | None = None
    params: dict[str, Any] = field(default_factory=dict)


class ImageBackend(Protocol):
    name: str

    def status(self) -> BackendStatus: ...

    def generate(
        self, req: ImageRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated: ...


# --- video -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoRequest:
    prompt: str
    width: int
    height: int
    fps: float
    duration: float  # seconds wanted; a backend may round to what it supports (meta says)
    seed: int
    image: Path | None = None  # first frame / keyframe (image-to-video)
    last_image: Path | None = None
    negative_prompt: str = ""
    model: str = ""
    references: tuple[Path, ...] = ()
    reference_roles: tuple[tuple[str, str], ...] = ()  # as ImageRequest's
    move: str = "static"  # camera move hint
    params: dict[str, Any] = field(default_factory=dict)


class VideoBackend(Protocol):
    name: str

    def status(self) -> BackendStatus: ...

    def generate(
        self, req: VideoRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated: ...


# --- speech ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """How one character sounds. Offline voices shape one neural voice into many."""

    name: str = "joe"  # the backend's voice (piper model name, ElevenLabs voice id…)
    pitch: float = 0.0  # semitones
    formant: float = 0.0  # semitones of vocal-tract shift (timbre)
    rate: float = 1.0  # speaking speed, 1 = natural
    brightness: float = 0.0  # -1 (dark) … +1 (bright) spectral tilt
    expressiveness: float = 0.667  # piper noise_scale
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SpeechSegment:
    """A piece of a delivery: words to say, or a pause."""

    text: str = ""
    pause: float = 0.0  # seconds of silence instead of words
    style: str = ""  # "" | whisper | shout | soft | angry | sad | laugh … (from parentheticals)


@dataclass(frozen=True)
class SpeechRequest:
    segments: tuple[SpeechSegment, ...]
    voice: Voice
    seed: int
    sample_rate: int = 48000
    model: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text).strip()


class SpeechBackend(Protocol):
    """Writes a mono WAV at `req.sample_rate`; `meta["duration"]` and `meta["phrases"]` =
    [[start, end, text], …] sentence or phrase timings for subtitles."""

    name: str

    def status(self) -> BackendStatus: ...

    def synthesize(
        self, req: SpeechRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated: ...


# --- music and effects -----------------------------------------------------------------------


@dataclass(frozen=True)
class MusicRequest:
    mood: str  # e.g. "tense", "tender", "melancholy", "triumphant"
    duration: float  # exact seconds the cue must last
    seed: int
    sample_rate: int = 48000
    tempo: float | None = None
    key: str = ""
    prompt: str = ""  # free text for hosted generators
    model: str = ""
    hits: tuple[float, ...] = ()  # seconds where the cue should accent (scene beats)
    params: dict[str, Any] = field(default_factory=dict)
    tail: float = 0.0  # the last `tail` seconds ring on under the next scene (a crossfade)
    ending: str = "ring"  # ring (cadence, rings into the tail) | fade | cut (hard stop)
    quiet: tuple[tuple[float, float], ...] = ()  # (start, end) seconds where people speak


class MusicBackend(Protocol):
    """Writes a stereo WAV of exactly `req.duration` seconds: the scene's part (`duration -
    tail`), then the tail."""

    name: str

    def status(self) -> BackendStatus: ...

    def compose(
        self, req: MusicRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated: ...


@dataclass(frozen=True)
class EffectsRequest:
    description: str  # "door slams", "rain on a tin roof", "room tone"
    duration: float
    seed: int
    kind: Literal["spot", "ambience"] = "spot"
    sample_rate: int = 48000
    model: str = ""
    params: dict[str, Any] = field(default_factory=dict)


class EffectsBackend(Protocol):
    name: str

    def status(self) -> BackendStatus: ...

    def generate(
        self, req: EffectsRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated: ...


# --- finishing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpscaleRequest:
    source: Path  # image or video
    scale: int = 2
    width: int | None = None  # or a target size
    height: int | None = None
    model: str = ""
    params: dict[str, Any] = field(default_factory=dict)


class UpscaleBackend(Protocol):
    name: str

    def status(self) -> BackendStatus: ...

    def upscale(
        self, req: UpscaleRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated: ...


@dataclass(frozen=True)
class InterpolateRequest:
    source: Path  # a video
    fps: float | None = None  # target frame rate
    factor: float | None = None  # or slow-motion factor
    model: str = ""
    params: dict[str, Any] = field(default_factory=dict)


class InterpolateBackend(Protocol):
    name: str

    def status(self) -> BackendStatus: ...

    def interpolate(
        self, req: InterpolateRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated: ...


# --- lip sync -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LipsyncRequest:
    """A clip of someone speaking and the voice they speak: the clip comes back with its
    mouth moving to the voice. `audio` is as long as the clip (silence around the words)."""

    video: Path
    audio: Path  # a WAV
    seconds: float  # the clip's length (what hosted models bill)
    width: int = 0
    height: int = 0
    model: str = ""
    params: dict[str, Any] = field(default_factory=dict)


class LipsyncBackend(Protocol):
    """Writes one clip (any container) with the request's picture, its mouth synced."""

    name: str

    def status(self) -> BackendStatus: ...

    def lipsync(
        self, req: LipsyncRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated: ...


# --- text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextRequest:
    system: str
    prompt: str
    seed: int = 0
    model: str = ""
    temperature: float = 0.7
    json: bool = False
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextResult:
    text: str
    cost: Cost = Cost()
    model: str = ""


class TextBackend(Protocol):
    name: str

    def status(self) -> BackendStatus: ...

    def complete(self, req: TextRequest) -> TextResult: ...


@runtime_checkable
class Closeable(Protocol):
    def close(self) -> None: ...


__all__ = [
    "BackendStatus",
    "Composition",
    "Cost",
    "EffectsBackend",
    "EffectsRequest",
    "Figure",
    "Generated",
    "ImageBackend",
    "ImageRequest",
    "InterpolateBackend",
    "InterpolateRequest",
    "LipsyncBackend",
    "LipsyncRequest",
    "Modality",
    "MusicBackend",
    "MusicRequest",
    "ProgressFn",
    "SpeechBackend",
    "SpeechRequest",
    "SpeechSegment",
    "TextBackend",
    "TextRequest",
    "TextResult",
    "UpscaleBackend",
    "UpscaleRequest",
    "VideoBackend",
    "VideoRequest",
    "Voice",
]
