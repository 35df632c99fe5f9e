"""The one place that maps backend names to classes, imported only when first used.

Departments ask for a backend by modality and name; adding a provider is one line here plus
its own file.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cinecode.backends.protocols import BackendStatus, Modality, Voice
from cinecode.errors import BackendError, MissingPackage, ProjectError


@dataclass(frozen=True)
class Entry:
    target: str  # "module:Class"
    modalities: tuple[Modality, ...]
    extra: str = ""  # pip extra that installs what it needs
    offline: bool = False  # runs with no network and no GPU
    hosted: bool = False  # a paid web service: takes [services.NAME] settings and prices
    resumable: bool = False  # takes a ticket: a job it queued is found again after a crash
    procedural: bool = False  # draws or synthesizes by rule, with no learned model (not AI)


BACKENDS: dict[str, Entry] = {
    "sketch": Entry(
        "cinecode.backends.sketch.backend:SketchBackend", ("image",), offline=True, procedural=True
    ),
    "piper": Entry("cinecode.backends.piper:PiperBackend", ("speech",), offline=True),
    "openai": Entry(
        "cinecode.backends.hosted.openai:OpenAIBackend", ("text", "image", "speech"), hosted=True
    ),
    "replicate": Entry(
        "cinecode.backends.hosted.replicate:ReplicateBackend",
        ("image", "video", "lipsync"),
        hosted=True,
    ),
    "fal": Entry(
        "cinecode.backends.hosted.fal:FalBackend", ("image", "video", "lipsync"), hosted=True
    ),
    "runway": Entry(
        "cinecode.backends.hosted.runway:RunwayBackend", ("video", "image"), hosted=True
    ),
    "elevenlabs": Entry(
        "cinecode.backends.hosted.elevenlabs:ElevenLabsBackend",
        ("speech", "effects", "music"),
        hosted=True,
    ),
    "composer": Entry(
        "cinecode.backends.composer.backend:ComposerBackend",
        ("music",),
        offline=True,
        procedural=True,
    ),
    "foley": Entry(
        "cinecode.backends.foley.backend:FoleyBackend", ("effects",), offline=True, procedural=True
    ),
    "comfyui": Entry(
        "cinecode.backends.comfyui.backend:ComfyUIBackend",
        ("image", "video", "upscale", "interpolate", "lipsync"),
        extra="comfyui",
        resumable=True,
    ),
    "diffusers": Entry(
        "cinecode.backends.diffusers:DiffusersBackend", ("image", "video"), extra="diffusers"
    ),
    "realesrgan": Entry(
        "cinecode.backends.realesrgan.backend:RealESRGANBackend",
        ("upscale",),
        extra="upscale",
        offline=True,
    ),
    "lanczos": Entry(
        "cinecode.backends.lanczos:LanczosBackend", ("upscale",), offline=True, procedural=True
    ),
    "minterpolate": Entry(
        "cinecode.backends.minterpolate:MinterpolateBackend",
        ("interpolate",),
        offline=True,
        procedural=True,
    ),
}

#: motion "backends" that are not generators: the segment moves a camera over the keyframe
CAMERA_MOVES = {"camera", "still"}


def entry(name: str) -> Entry:
    try:
        return BACKENDS[name]
    except KeyError:
        raise BackendError(
            f"unknown backend {name!r}",
            backend=name,
            hint=f"known backends: {', '.join(sorted(BACKENDS))}",
        ) from None


def backend_class(name: str) -> type[Any]:
    """The class of backend `name` (imports its module)."""
    target = entry(name).target
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        extra = entry(name).extra
        raise MissingPackage(
            f"backend {name!r} needs a package that is not installed ({exc.name})",
            backend=name,
            hint=f"pip install 'cinecode[{extra}]'" if extra else f"pip install {exc.name}",
        ) from None
    cls: type[Any] = getattr(module, class_name)
    return cls


def create(modality: Modality, name: str, params: Mapping[str, Any]) -> Any:
    """A new backend instance; checks it serves `modality`."""
    if modality not in entry(name).modalities:
        raise BackendError(
            f"backend {name!r} does not make {modality}",
            backend=name,
            hint=f"it makes {', '.join(entry(name).modalities)}",
        )
    try:
        return backend_class(name)(**dict(params))
    except TypeError as exc:
        raise ProjectError(
            f"backend {name!r} does not accept these parameters ({exc})",
            file="film.toml",
            hint="check the backend's settings in the README",
        ) from None


def status(name: str, params: Mapping[str, Any]) -> BackendStatus:
    """Ready, or what is missing and the one-line fix (never raises)."""
    try:
        instance = backend_class(name)(**dict(params))
    except MissingPackage as exc:
        return BackendStatus("missing package", str(exc.message), exc.hint)
    except BackendError as exc:
        return BackendStatus("misconfigured", exc.message, exc.hint)
    except TypeError as exc:
        return BackendStatus("misconfigured", str(exc), "check its settings in film.toml")
    result: BackendStatus = instance.status()
    return result


def backend_version(name: str) -> int:
    """The code version of a backend (part of the keys of what it makes)."""
    try:
        return int(getattr(backend_class(name), "version", 1))
    except MissingPackage:
        return 0


def voice_presets(name: str) -> dict[str, Voice]:
    """The named voices a speech backend offers (empty if it takes provider voice ids)."""
    presets = getattr(
        importlib.import_module(entry(name).target.partition(":")[0]), "VOICE_PRESETS", {}
    )
    return dict(presets)


class Backends:
    """Backend instances for one build, created on first use, shared by every job."""

    def __init__(self, settings: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._made: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        # per-backend settings that are not part of any job (connection, limits, prices)
        self._settings = {name: dict(values) for name, values in (settings or {}).items()}

    def __call__(self, modality: str, name: str, params: Mapping[str, Any]) -> Any:
        key = (modality, name, json.dumps(dict(params), sort_keys=True, default=str))
        with self._lock:
            if key not in self._made:
                merged = {**self._settings.get(name, {}), **params}
                self._made[key] = create(modality, name, merged)  # type: ignore[arg-type]
            return self._made[key]

    def close(self) -> None:
        for instance in self._made.values():
            close = getattr(instance, "close", None)
            if callable(close):
                close()
        self._made.clear()
