"""Content keys: the hash of everything that made an artifact."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot hash {type(value).__name__} in job params")


def canonical(value: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, no spaces, tuples as lists."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_default,
    ).encode("utf-8")


def job_key(step: str, version: int, params: Mapping[str, Any], inputs: Sequence[str]) -> str:
    """The key of a job: step, its code version, its parameters and its inputs' keys."""
    recipe = {"step": step, "v": version, "params": params, "inputs": list(inputs)}
    return hashlib.sha256(canonical(recipe)).hexdigest()


def file_digest(path: Path, *, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def short(key: str) -> str:
    """The short form users see and type (8 hex digits)."""
    return key[:8]
