"""Signing a stem where it lies (provenance.inplace): the WAV keeps its inode and its samples,
carries a manifest c2pa validates, laid out as c2pa's own signed copy; anything c2pa writes
that would move the samples leaves the file untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cinecode.media.audio import pcm_layout, write_pcm_header
from cinecode.provenance.identity import Identity, development_identity

c2pa = pytest.importorskip("c2pa", reason="pip install 'cinecode[provenance]'")

from cinecode.provenance.credentials import read, sign  # noqa: E402
from cinecode.provenance.inplace import Diverged, InPlace, sign_wav_in_place  # noqa: E402

TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"


def stem(path: Path, frames: int = 48_000) -> Path:
    """A 24-bit stereo PCM WAV of noise."""
    with path.open("wb") as sink:
        write_pcm_header(sink, channels=2, rate=48_000, width=3, frames=frames)
        sink.write(os.urandom(frames * 6))
    return path


def signed(path: Path, identity: Identity, *, in_place: bool, note: str = "one") -> bool:
    what = {
        "title": "dialogue stem",
        "source_type": TYPE,
        "assertion": {"stem": "dialogue", "note": note},
        "ingredients": [],
        "identity": identity,
    }
    if in_place:
        return sign_wav_in_place(path, **what)  # type: ignore[arg-type]
    sign(path, path, **what)  # type: ignore[arg-type]
    return True


def samples(path: Path) -> bytes:
    offset, size, _, _ = pcm_layout(path)
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(size)


def test_a_stem_is_signed_where_it_lies(tmp_path: Path) -> None:
    identity = development_identity(tmp_path / "identity")
    path = stem(tmp_path / "dialogue.wav")
    before, inode = samples(path), path.stat().st_ino
    assert signed(path, identity, in_place=True)
    assert path.stat().st_ino == inode  # the same file, not a copy put in its place
    assert samples(path) == before
    found = read(path)
    assert found.ok and (found.cinecode or {})["note"] == "one"
    # signed again (its old manifest replaced), as after a make that patched it
    assert signed(path, identity, in_place=True, note="two")
    found = read(path)
    assert found.ok and (found.cinecode or {})["note"] == "two"
    assert samples(path) == before and path.stat().st_ino == inode
    # laid out as c2pa's own signed copy: the same bytes up to the end of the samples
    copy = stem(tmp_path / "copy.wav")
    copy.write_bytes(path.read_bytes())
    assert signed(copy, identity, in_place=False, note="two")
    offset, size, _, _ = pcm_layout(copy)
    assert copy.read_bytes()[: offset + size] == path.read_bytes()[: offset + size]
    assert copy.stat().st_size == path.stat().st_size


def test_a_changed_byte_after_signing_in_place_fails(tmp_path: Path) -> None:
    path = stem(tmp_path / "music.wav")
    assert signed(path, development_identity(tmp_path / "identity"), in_place=True)
    offset, _, _, _ = pcm_layout(path)
    with path.open("r+b") as handle:
        handle.seek(offset + 1000)
        byte = handle.read(1)
        handle.seek(offset + 1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    assert not read(path).ok


def test_output_that_moves_the_samples_leaves_the_file_untouched(tmp_path: Path) -> None:
    path = stem(tmp_path / "effects.wav", frames=1000)
    whole = path.read_bytes()
    with path.open("r+b") as handle:
        moved = InPlace(handle, 44, len(whole))
        moved.write(whole[:44])
        with pytest.raises(Diverged):
            moved.write(b"C2PA" + whole[44:])  # a chunk before the samples shifts them
        assert not moved.commit()
    with path.open("r+b") as handle:
        short = InPlace(handle, 44, len(whole))
        short.write(whole[: len(whole) // 2])  # the rest never written
        assert not short.commit()
    with path.open("r+b") as handle:
        back = InPlace(handle, 44, len(whole))
        with pytest.raises(Diverged):
            back.read(10)
        assert not back.commit()
    assert path.read_bytes() == whole


def test_a_linked_file_is_not_written_through(tmp_path: Path) -> None:
    path = stem(tmp_path / "dialogue.wav", frames=1000)
    os.link(path, tmp_path / "object")  # as a store's object would be
    whole = path.read_bytes()
    assert not signed(path, development_identity(tmp_path / "identity"), in_place=True)
    assert path.read_bytes() == whole
