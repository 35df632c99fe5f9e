"""A reel's sound in three pieces: the middle (a `reel-sound` job) reads the scene's own mix
only, so a changed line re-encodes the sound of its own scene and of its neighbours' ends
only, and a new picture re-encodes no sound at all."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from helpers import cinecode, copy_project

from cinecode.media.aac import EDGE
from cinecode.media.audio import AAC_FRAME

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]


@pytest.fixture(scope="module")
def built(tiny_build: Path) -> Path:
    """The tiny project, built once (conftest); each test changes a copy."""
    return tiny_build


def sound(root: Path) -> npt.NDArray[np.float32]:
    with av.open(str(root / "build" / "tiny.mp4")) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def made_since(root: Path, since: float) -> list[str]:
    """The labels of the jobs run since `since`, in the order they finished."""
    with sqlite3.connect(root / ".cinecode" / "catalog.sqlite") as db:
        rows = db.execute(
            "SELECT label FROM artifacts WHERE created >= ? ORDER BY created", (since,)
        )
        return [label for (label,) in rows]


def reel_starts(root: Path) -> dict[str, int]:
    """Where each reel of the master starts, in samples."""
    with sqlite3.connect(root / ".cinecode" / "catalog.sqlite") as db:
        (inputs,) = db.execute(
            "SELECT inputs FROM artifacts WHERE step = 'master' ORDER BY created DESC LIMIT 1"
        ).fetchone()
        starts, at = {}, 0
        for key in json.loads(inputs):
            label, meta = db.execute(
                "SELECT label, meta FROM artifacts WHERE key = ?", (key,)
            ).fetchone()
            starts[label] = at
            at += round(json.loads(meta)["duration"] * 48000)
    return starts


def test_a_changed_line_re_encodes_its_scene_and_its_neighbours_ends_only(
    built: Path, tmp_path: Path
) -> None:
    root = copy_project(built, tmp_path / "tiny")
    before = sound(root)
    script = root / "script.fountain"
    script.write_text(
        script.read_text(encoding="utf-8").replace("We made it.", "We made it after all."),
        encoding="utf-8",
    )
    since = time.time()
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    made = made_since(root, since)
    # scene 1's reel is made again (its end meets scene 2's new sound), not its sound's middle
    assert {"reel 1", "reel 2", "sound 2"} <= set(made)
    assert "sound 1" not in made and "sound title" not in made
    # so scene 1 sounds the same, sample for sample, until its last EDGE frames
    after = sound(root)
    differs = int(
        np.flatnonzero(np.any(before[:, : after.shape[1]] != after[:, : before.shape[1]], axis=0))[
            0
        ]
    )
    starts = reel_starts(root)
    assert starts["reel 2"] - (EDGE + 1) * AAC_FRAME <= differs < starts["reel 2"]


def test_a_new_picture_leaves_the_sound_as_it_was(built: Path, tmp_path: Path) -> None:
    root = copy_project(built, tmp_path / "tiny")
    before = sound(root)
    made = cinecode("regen", root, "1.1", "--takes", "2", "--json").json()
    assert cinecode("pick", root, "1.1", str(made["numbers"][-1])).code == 0
    since = time.time()
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    made_now = made_since(root, since)
    assert "segment 1.1" in made_now and "reel 1" in made_now  # the new picture is in the cut
    assert not [label for label in made_now if label.startswith(("sound", "mix", "stems"))]
    assert np.array_equal(sound(root), before)
