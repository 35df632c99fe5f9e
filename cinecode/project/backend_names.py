"""Every backend film.toml names must be one cinecode knows, checked when the project loads.

A department (`[storyboard] backend = …`), a character's voice, `[finishing]`'s upscaler and
interpolator name a registry backend or a `[backends.NAME]` entry; a `[backends.NAME]` entry
names a registry backend. `[motion]` may also be a camera move ("camera", "still"), `[music]`
and `[effects]` "none". A shot's `backend` and `motion` directives are checked the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from cinecode.backends.registry import BACKENDS, CAMERA_MOVES

DEPARTMENTS = ("storyboard", "motion", "voice", "music", "effects", "breakdown")
_EXTRA = {"motion": tuple(sorted(CAMERA_MOVES)), "music": ("none",), "effects": ("none",)}


def known_backends(
    entries: Iterable[str], *, department: str = "", entry: bool = False
) -> list[str]:
    """The names a backend may be given there: registry names, then film.toml's [backends]
    `entries` (not for an entry itself), then what the department also takes."""
    names = [*sorted(BACKENDS)]
    if not entry:
        names += [name for name in entries if name not in BACKENDS]
    return names + [name for name in _EXTRA.get(department, ()) if name not in names]


def hint(name: str, known: list[str]) -> str:
    """Did you mean …? and the names that may be given."""
    close = difflib.get_close_matches(name.lower(), known, n=2)
    listed = f"known backends: {', '.join(known)}"
    return f"did you mean {' or '.join(close)}? {listed}" if close else listed
