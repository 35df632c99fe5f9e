"""Every backend film.toml names must be one cinecode knows, checked when the project loads.

A department (`[storyboard] backend = …`), a character's voice, `[finishing]`'s upscaler and
interpolator name a registry backend or a `[backends.NAME]` entry; a `[backends.NAME]` entry
names a registry backend. `[motion]` may also be a camera move ("camera", "still"), `[music]`
and `[effects]` "none". A shot's `backend` and `motion` directives are checked the same way.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from cinecode.backends.registry import BACKENDS, CAMERA_MOVES

if TYPE_CHECKING:
    from cinecode.project.config import FilmConfig

KeyPath = tuple[str, ...]

_DEPARTMENTS = ("storyboard", "motion", "voice", "music", "effects", "breakdown")
_EXTRA = {"motion": tuple(sorted(CAMERA_MOVES)), "music": ("none",), "effects": ("none",)}


def known_backends(config: FilmConfig, *, department: str = "", entry: bool = False) -> list[str]:
    """The names a backend may be given there: registry names, then [backends] entries (not for
    an entry itself), then what the department also takes."""
    names = [*sorted(BACKENDS)]
    if not entry:
        names += [name for name in config.backends if name not in BACKENDS]
    return names + [name for name in _EXTRA.get(department, ()) if name not in names]


def unknown_backends(config: FilmConfig) -> list[tuple[KeyPath, str, str]]:
    """(key path, message, hint) of every backend name in film.toml that names nothing."""
    found: list[tuple[KeyPath, str, str]] = []

    def check(path: KeyPath, name: str, known: list[str]) -> None:
        if name not in known:
            found.append((path, f"`{'.'.join(path)}`: unknown backend {name!r}", hint(name, known)))

    for department in _DEPARTMENTS:
        if department in config.model_fields_set:
            named = getattr(config, department).backend
            check((department, "backend"), named, known_backends(config, department=department))
    for name, section in config.backends.items():
        check(("backends", name, "backend"), section.backend, known_backends(config, entry=True))
    for name, character in config.characters.items():
        voice = character.voice_setting.backend
        if voice:
            check(("characters", name, "voice", "backend"), voice, known_backends(config))
    finishing = config.finishing
    for key in ("upscaler", "interpolator"):
        if key in finishing.model_fields_set:
            check(("finishing", key), getattr(finishing, key), known_backends(config))
    return found


def hint(name: str, known: list[str]) -> str:
    """Did you mean …? and the names that may be given."""
    close = difflib.get_close_matches(name.lower(), known, n=2)
    listed = f"known backends: {', '.join(known)}"
    return f"did you mean {' or '.join(close)}? {listed}" if close else listed
