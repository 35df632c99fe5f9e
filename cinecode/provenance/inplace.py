"""Signing a large WAV where it lies (issue 16: what a changing make pays after its jobs).

c2pa-python signs into a new file: for an 85 MB stem that is 85 MB written afresh (and a
file's worth of new pages) to change a few header bytes and the `C2PA` chunk after the
samples. Here c2pa's output is checked against the file as it is written instead: the
samples, which must come out unchanged at the same offsets, are only compared; the other
bytes (the RIFF header, the manifest chunk) are kept in memory and written over the file
once c2pa has signed, and the file is cut to the signed length. Whatever else c2pa does
(moves the samples, reads back what it wrote, leaves some unwritten) leaves the file
untouched, and the caller signs a copy as before: the bytes on disk are c2pa's either way.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cinecode.errors import ProvenanceError
from cinecode.media.audio import pcm_layout
from cinecode.provenance.credentials import Ingredient, sign_stream
from cinecode.provenance.identity import Identity

#: The largest WAV cinecode signs. c2pa-python 0.38 reads a WAV whole into memory to sign it
#: (a 2.5 GB stem of a feature took 5.2 GB and 20 s, then failed) and cannot embed a manifest
#: in one of 2 GiB or more: a longer film's stems are left unsigned (see docs/provenance.md).
WAV_LIMIT = 1 << 30


def wav_signable(size: int) -> bool:
    """Whether a WAV of `size` bytes is signed (see WAV_LIMIT)."""
    return size <= WAV_LIMIT


class Diverged(Exception):
    """c2pa's output does not keep the samples where they lie: sign a copy instead."""


class InPlace:
    """A write-only stream over an open file (`r+b`) whose bytes [lo, hi) must be written
    again unchanged, in order: those are compared, the rest is kept until `commit`."""

    def __init__(self, handle: Any, lo: int, hi: int) -> None:
        self._file = handle
        self._lo, self._hi = lo, hi
        self._next = lo  # the next sample byte expected
        self._pos = self._size = 0
        self._kept: list[tuple[int, bytes]] = []
        self.diverged = False

    def write(self, data: bytes) -> int:
        data = bytes(data)  # c2pa hands bytes: no copy; comparing bytes is a memcmp
        start, end = self._pos, self._pos + len(data)
        first, last = max(start, self._lo), min(end, self._hi)  # the samples written now
        if first < last:
            if first != self._next:
                self._diverge()
            self._file.seek(first)
            whole = first == start and last == end
            if self._file.read(last - first) != (
                data if whole else data[first - start : last - start]
            ):
                self._diverge()
            self._next = last
        if start < min(end, self._lo):
            self._kept.append((start, data[: min(end, self._lo) - start]))
        if max(start, self._hi) < end:
            self._kept.append((max(start, self._hi), data[max(start, self._hi) - start :]))
        self._pos = end
        self._size = max(self._size, end)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        self._diverge()  # c2pa reading back its output: not a copy it can read here
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        return None

    def _diverge(self) -> None:
        self.diverged = True
        raise Diverged

    def commit(self) -> bool:
        """Write what was kept over the file and cut it to the signed length; False (the
        file untouched) unless every sample byte was written back, unchanged."""
        if self.diverged or self._next != self._hi:
            return False
        for at, data in self._kept:
            self._file.seek(at)
            self._file.write(data)
        self._file.truncate(self._size)
        self._file.flush()
        return True


def sign_wav_in_place(
    path: Path,
    *,
    title: str,
    source_type: str,
    assertion: dict[str, Any],
    ingredients: Sequence[Ingredient],
    identity: Identity,
) -> bool:
    """Sign the PCM WAV `path` where it lies (see the module doc); False when it could not
    be (the file untouched: sign a copy with credentials.sign)."""
    try:
        offset, size, _, _ = pcm_layout(path)
        if path.stat().st_nlink != 1:  # never write through a link into the store
            return False
    except (ValueError, OSError, TypeError, struct.error):
        return False
    with path.open("rb") as source, path.open("r+b") as handle:
        target = InPlace(handle, offset, offset + size)
        try:
            sign_stream(
                source,
                target,  # type: ignore[arg-type]
                kind="audio/wav",
                title=title,
                source_type=source_type,
                assertion=assertion,
                ingredients=ingredients,
                identity=identity,
            )
        except ProvenanceError:
            if target.diverged:
                return False
            raise
        return target.commit()
