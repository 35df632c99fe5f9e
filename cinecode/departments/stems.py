"""The film's stems beside the master: build/stems/dialogue.wav, music.wav, effects.wav.

Each is every scene's stem of that bus end to end, copied byte for byte (no decoding) out of
the scenes' 6-channel 24-bit stems in the store. A feature's stems are gigabytes, so they are
not kept in the store: they are a pure function of the scene stems, and the files are
*patched* in place. A manifest beside them lists the scene stems they hold; the next make
rewrites only the scenes that changed when every scene keeps its length, or everything from
the first changed scene on when one does not. A make interrupted while patching leaves
the manifest marked incomplete, and the next one writes the stems whole.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from cinecode.departments.mix import BUSES
from cinecode.media.audio import pcm_layout, write_pcm_header

CHANNELS = 6  # three stereo buses, in BUSES order
WIDTH = 3  # bytes per sample: 24-bit PCM
HEADER = 44  # write_pcm_header's size
MANIFEST = ".manifest.json"
BLOCK = 1 << 20  # frames copied at a time


@dataclass(frozen=True)
class SceneStems:
    """One scene's stems file and where its samples lie."""

    key: str
    path: Path
    offset: int
    frames: int

    @classmethod
    def read(cls, key: str, path: Path) -> SceneStems:
        offset, size, channels, width = pcm_layout(path)
        if channels != CHANNELS or width != WIDTH:
            raise ValueError(f"{path}: a scene's stems must be {CHANNELS} channels of 24-bit PCM")
        return cls(key, path, offset, size // (CHANNELS * WIDTH))


def stem_bytes(scenes: Sequence[SceneStems]) -> int:
    """The size of each of the film's stems, unsigned (its header and samples)."""
    return HEADER + sum(s.frames for s in scenes) * 2 * WIDTH


def deliver(
    folder: Path,
    scenes: Sequence[SceneStems],
    *,
    rate: int,
    signed: bool = True,
) -> dict[str, Path]:
    """Bring `folder`'s stems up to date with `scenes` (in film order); their paths by bus
    (`signed` False: a content credentials chunk after a stem's samples is taken off)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {bus: folder / f"{bus}.wav" for bus in BUSES}
    wanted = [[s.key, s.frames] for s in scenes]
    old = _manifest(folder)
    held = old["scenes"] if old is not None and _held(old, rate, paths) else None
    if held == wanted:
        if not signed:
            _unsign(paths.values(), stem_bytes(scenes))
        return paths
    _write_manifest(folder, {"rate": rate, "scenes": held or [], "complete": False})
    for index, path in enumerate(paths.values()):
        _write(path, scenes, index, rate=rate, held=held)
    _write_manifest(folder, {"rate": rate, "scenes": wanted, "complete": True})
    return paths


def _held(old: dict[str, Any], rate: int, paths: dict[str, Path]) -> bool:
    """Whether the stems on disk are whole, ours (not links into the store) and as listed."""
    if not old.get("complete") or old.get("rate") != rate:
        return False
    size = HEADER + sum(int(n) for _, n in old["scenes"]) * 2 * WIDTH
    for path in paths.values():
        try:
            st = path.stat()
        except OSError:
            return False
        if st.st_nlink != 1 or not (st.st_size == size or _signed(path, size)):
            return False
    return True


def _unsign(paths: Iterable[Path], size: int) -> None:
    """Take the C2PA chunk off the stems that carry one (the samples stay in place)."""
    for path in paths:
        if path.stat().st_size != size and _signed(path, size):
            with path.open("r+b") as sink:
                sink.seek(4)
                sink.write(struct.pack("<I", size - 8))  # the RIFF size, without the chunk
                sink.truncate(size)


def _signed(path: Path, size: int) -> bool:
    """Whether `path` is `size` bytes of stem followed by a content credentials chunk (C2PA
    appends its `C2PA` chunk after the samples; patching truncates it, signing adds it back)."""
    with path.open("rb") as handle:
        handle.seek(size)
        return handle.read(4) == b"C2PA"


def _write(
    path: Path,
    scenes: Sequence[SceneStems],
    index: int,
    *,
    rate: int,
    held: list[list[Any]] | None,
) -> None:
    """Write bus `index`: whole, or (`held`: what the file holds) only the scenes that are
    not already in place, each at its start in the film."""
    frame = 2 * WIDTH
    if held is None:
        path.unlink(missing_ok=True)  # a new file: never write through a link into the store
    then: dict[int, tuple[str, int]] = {}  # start in the film → (key, frames), before
    at = 0
    for key, frames in held or []:
        then[at] = (key, int(frames))
        at += int(frames)
    total = sum(s.frames for s in scenes)
    with path.open("r+b" if held is not None else "wb") as sink:
        write_pcm_header(sink, channels=2, rate=rate, width=WIDTH, frames=total)
        at = 0
        for scene in scenes:
            if then.get(at) != (scene.key, scene.frames):
                sink.seek(HEADER + at * frame)
                _copy(scene, index, sink)
            at += scene.frames
        sink.truncate(HEADER + total * frame)


def _copy(scene: SceneStems, index: int, sink: BinaryIO) -> None:
    """Bus `index`'s two channels of one scene, as 24-bit stereo frames."""
    if not scene.frames:
        return
    size = scene.frames * CHANNELS * WIDTH
    data = np.memmap(scene.path, np.uint8, "r", offset=scene.offset, shape=(size,))
    frames = data.reshape(-1, CHANNELS * WIDTH)
    for start in range(0, scene.frames, BLOCK):
        sink.write(
            frames[start : start + BLOCK, 2 * index * WIDTH : (2 * index + 2) * WIDTH].tobytes()
        )
    del frames, data


def _manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("scenes"), list) else None


def _write_manifest(folder: Path, data: dict[str, Any]) -> None:
    staged = folder / f"{MANIFEST}.tmp"
    staged.write_text(json.dumps(data), encoding="utf-8")
    os.replace(staged, folder / MANIFEST)
