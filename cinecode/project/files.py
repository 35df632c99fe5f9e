"""Writing the project's own files (picks.toml, cut.toml, shots.lock, the screenplay): atomic,
so an editor, a crash or a second command never sees half a file."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a staged file and a rename."""
    staged = path.with_name(f".{path.name}.part")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)
