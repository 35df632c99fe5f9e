"""Helpers for tests that run the real `cinecode` command on real projects."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CINECODE = [sys.executable, "-m", "cinecode"]


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def last(self) -> str:
        lines = self.out.strip().splitlines()
        return lines[-1] if lines else ""

    def json(self) -> Any:
        return json.loads(self.last)


def cinecode(
    *args: str | Path,
    cwd: Path | None = None,
    timeout: float = 900,
    env: dict[str, str | None] | None = None,
) -> Run:
    """Run the real command line; return its exit code, stdout and stderr (`env`: variables
    to set, or to unset where None)."""
    merged = {**os.environ, "COLUMNS": "120", "PYTHONUNBUFFERED": "1"}
    for name, value in (env or {}).items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    proc = subprocess.run(
        [*CINECODE, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=merged,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def copy_project(source: Path, target: Path) -> Path:
    """Copy a built project; store objects are hard-linked (they are read-only)."""

    def copy(src: str, dst: str) -> None:
        if f"{os.sep}objects{os.sep}" in src:
            os.link(src, dst)
        else:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=copy)
    return target


def decode_audio(path: Path) -> tuple[np.ndarray, int]:
    """The audio of a media file as float32 mono, and its rate."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        chunks = [
            frame.to_ndarray().astype(np.float32).reshape(-1, frame.samples)
            for frame in container.decode(stream)
        ]
    data = np.concatenate(chunks, axis=1)
    return data.mean(axis=0), int(rate)


def frame_at(path: Path, seconds: float) -> np.ndarray:
    """The decoded RGB frame shown at `seconds`."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        container.seek(int(max(0.0, seconds - 1.0) / stream.time_base), stream=stream)
        last = None
        for frame in container.decode(stream):
            if frame.time is not None and frame.time > seconds:
                break
            last = frame
        assert last is not None
        return last.to_ndarray(format="rgb24")


def rgb_of_yuv(raw: bytes, width: int, height: int) -> np.ndarray:
    """One raw yuv420p frame (BT.709 limited range, as segments are drawn) as RGB floats."""
    y = np.frombuffer(raw, np.uint8, width * height).reshape(height, width).astype(np.float32)
    quarter = width * height // 4
    cb, cr = (
        np.frombuffer(raw, np.uint8, quarter, width * height + k * quarter)
        .reshape(height // 2, width // 2)
        .repeat(2, axis=0)
        .repeat(2, axis=1)
        .astype(np.float32)
        for k in (0, 1)
    )
    y, cb, cr = (y - 16) / 219, (cb - 128) / 224, (cr - 128) / 224
    r, b = y + 1.5748 * cr, y + 1.8556 * cb
    g = (y - 0.2126 * r - 0.0722 * b) / 0.7152
    return np.clip(np.rint(np.stack([r, g, b], axis=-1) * 255), 0, 255)
