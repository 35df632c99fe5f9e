"""The film's stems in build/stems/: byte copies of the scenes' stems, patched in place."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from cinecode.departments.stems import MANIFEST, SceneStems, deliver
from cinecode.media.audio import read_audio, write_audio

RATE = 48000


def scene(folder: Path, name: str, seconds: float, seed: int) -> SceneStems:
    rng = np.random.default_rng(seed)
    data = (rng.standard_normal((6, round(seconds * RATE))) * 0.1).astype(np.float32)
    path = folder / f"{name}.wav"
    write_audio(path, data, RATE, bit_depth=24)
    return SceneStems.read(f"{name}-{seed}", path)


def expected(scenes: list[SceneStems], bus: int) -> np.ndarray:
    return np.concatenate([read_audio(s.path)[2 * bus : 2 * bus + 2] for s in scenes], axis=1)


def check(folder: Path, scenes: list[SceneStems]) -> None:
    for index, bus in enumerate(("dialogue", "music", "effects")):
        got = read_audio(folder / f"{bus}.wav")
        assert got.shape == expected(scenes, index).shape
        assert np.array_equal(got, expected(scenes, index))  # bit for bit: 24-bit in, 24-bit out


def test_the_stems_are_each_bus_of_every_scene_end_to_end(tmp_path: Path) -> None:
    scenes = [scene(tmp_path, n, s, i) for i, (n, s) in enumerate([("a", 1.0), ("b", 0.5)])]
    paths = deliver(tmp_path / "stems", scenes, rate=RATE)
    assert sorted(paths) == ["dialogue", "effects", "music"]
    check(tmp_path / "stems", scenes)


def test_a_changed_scene_is_patched_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "stems"
    scenes = [scene(tmp_path, n, 0.4, i) for i, n in enumerate("abcd")]
    deliver(folder, scenes, rate=RATE)
    inode = (folder / "music.wav").stat().st_ino
    scenes[2] = scene(tmp_path, "c2", 0.4, 7)  # same length, new sound
    deliver(folder, scenes, rate=RATE)
    check(folder, scenes)
    assert (folder / "music.wav").stat().st_ino == inode  # patched, not rewritten
    scenes[1] = scene(tmp_path, "b2", 0.9, 8)  # longer: what follows moves
    deliver(folder, scenes, rate=RATE)
    check(folder, scenes)
    del scenes[0]  # shorter film
    deliver(folder, scenes, rate=RATE)
    check(folder, scenes)
    assert json.loads((folder / MANIFEST).read_text())["complete"] is True


def test_an_interrupted_patch_is_written_whole_next_time(tmp_path: Path) -> None:
    folder = tmp_path / "stems"
    scenes = [scene(tmp_path, n, 0.3, i) for i, n in enumerate("ab")]
    deliver(folder, scenes, rate=RATE)
    (folder / "music.wav").write_bytes(b"half written")  # killed mid-patch …
    manifest = json.loads((folder / MANIFEST).read_text())
    (folder / MANIFEST).write_text(json.dumps({**manifest, "complete": False}))
    deliver(folder, scenes, rate=RATE)
    check(folder, scenes)


def test_a_stem_linked_into_the_store_is_never_written_through(tmp_path: Path) -> None:
    folder = tmp_path / "stems"
    scenes = [scene(tmp_path, n, 0.3, i) for i, n in enumerate("ab")]
    deliver(folder, scenes, rate=RATE)
    stored = tmp_path / "store-object.wav"
    os.link(folder / "music.wav", stored)  # as an older cinecode exported its stems
    before = stored.read_bytes()
    scenes[1] = scene(tmp_path, "b2", 0.3, 5)
    deliver(folder, scenes, rate=RATE)
    check(folder, scenes)
    assert stored.read_bytes() == before
