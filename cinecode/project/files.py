"""Writing the project's own files (picks.toml, cut.toml, shots.lock, the screenplay): atomic,
so an editor, a crash or a second command never sees half a file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from cinecode.errors import ProjectError


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` (text, as UTF-8, or bytes) to `path` through a staged file and a rename."""
    staged = path.with_name(f".{path.name}.part")
    if isinstance(data, bytes):
        staged.write_bytes(data)
    else:
        staged.write_text(data, encoding="utf-8")
    os.replace(staged, path)


def read_choices(path: Path, hint: str) -> dict[str, Any]:
    """A choices file the tool writes (picks.toml, cast.toml) as TOML tables; {} when absent."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(
            f"{path.name} cannot be read ({exc})", file=str(path), hint=hint
        ) from None
