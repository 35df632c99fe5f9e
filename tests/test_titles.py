"""Title card and end credits: a card when the credits fit, a roll when they do not."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import frame_at

from cinecode.departments import motion, titles
from cinecode.departments.timing import spec
from cinecode.graph.executor import Context, Input
from cinecode.graph.job import Job
from cinecode.graph.store import Store
from cinecode.media.ffmpeg import probe
from cinecode.project.config import Project, load_project

pytestmark = pytest.mark.slow


def context(job: Job, inputs: list[Input], tmp_path: Path) -> Context:
    work = tmp_path / job.key[:8]
    work.mkdir()
    return Context(
        job,
        inputs,
        work,
        backends=lambda *a: None,
        cancel=threading.Event(),
        progress=lambda f: None,
        store=Store(tmp_path / ".cinecode"),
    )


def project(tmp_path: Path) -> Project:
    (tmp_path / "film.toml").write_text("[format]\nwidth = 320\nheight = 180\nfps = 24\n")
    return load_project(tmp_path)


def render_credits(tmp_path: Path, cast: int) -> tuple[Input, Path, int]:
    params = {
        "kind": "credits",
        "title": "T",
        "cast": [[f"PERSON {i}", "woman-warm"] for i in range(cast)],
        "width": 320,
        "height": 180,
    }
    job = titles.CARD.job(params, label="credits")
    out = titles.run_card(job, context(job, [], tmp_path))
    card = Input(job.key, out.path, out.meta, "card")
    seconds = titles.credits_seconds(cast, 1)
    segment = motion.plan_segment(
        shot_id="credits",
        scene_id="credits",
        picture=job.key,
        voices=[],
        shots=[spec(fixed=seconds)],
        index=0,
        move="static",
        seed=0,
        project=project(tmp_path),
    )
    result = motion.run_segment(segment, context(segment, [card], tmp_path))
    return card, result.path, int(result.meta["frames"])


def test_short_credits_are_one_still_card(tmp_path: Path) -> None:
    card, video, frames = render_credits(tmp_path, 3)
    assert not card.meta["scroll"]
    first, last = frame_at(video, 0.1), frame_at(video, frames / 24 - 0.1)
    assert np.abs(first.astype(int) - last.astype(int)).mean() < 2
    assert first.std() > 5  # the names are on it


def test_long_credits_roll_from_an_empty_frame_to_an_empty_frame(tmp_path: Path) -> None:
    card, video, frames = render_credits(tmp_path, 40)
    assert card.meta["scroll"]
    assert probe(video).frames == frames
    assert frames / 24 >= 5.0 + 0.7 * 40
    first, middle, last = (frame_at(video, t) for t in (0.05, frames / 48, frames / 24 - 0.05))
    assert first.std() < 3 and last.std() < 3  # starts and ends on the empty background
    assert middle.std() > 10  # names roll past in between
