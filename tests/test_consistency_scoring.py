"""Consistency of takes with the characters' references: CLIP image embeddings when
`[scoring] model` names a local CLIP model (a tiny random-weight one, built here), colour
statistics otherwise; `cinecode takes` says which scored each take."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import cinecode
from loopback import png_bytes, write
from tiny_pipelines import clip

from cinecode.errors import ProjectError
from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.scoring import score, score_takes
from cinecode.pipeline.session import Session
from cinecode.studio.board import shot_page

RED = png_bytes(64, 48, (200, 40, 40))
BLUE = png_bytes(64, 48, (30, 40, 220))

SCRIPT = """\
EXT. HILLTOP - DAWN

ANNA climbs the last steps, out of breath.

ANNA
There it is.
"""


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clip(tmp_path_factory.mktemp("clip") / "clip")


def test_clip_scores_likeness_to_the_references_and_says_so(
    tiny_clip: Path, tmp_path: Path
) -> None:
    red, blue = tmp_path / "red.png", tmp_path / "blue.png"
    red.write_bytes(RED)
    blue.write_bytes(BLUE)
    same = score(red, references=[red], model=str(tiny_clip))
    other = score(red, references=[blue], model=str(tiny_clip))
    colour = score(red, references=[blue])
    assert same["consistency_by"] == other["consistency_by"] == "clip"
    assert same["scores"]["consistency"] == pytest.approx(1.0, abs=1e-3)  # the same picture
    assert other["scores"]["consistency"] < same["scores"]["consistency"]
    assert colour["consistency_by"] == "colour" and colour["scores"]["consistency"] < 0.2
    nothing = score(red, model=str(tiny_clip))  # no references: no consistency measure
    assert "consistency" not in nothing["scores"] and nothing["consistency_by"] == ""


def project(root: Path, scoring: str = "") -> Path:
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "anna.png").write_bytes(RED)
    (root / "refs" / "hill.png").write_bytes(BLUE)
    write(
        root / "film.toml",
        f"""\
title = "Scored"
seed = 3
[format]
width = 320
height = 180
fps = 24
[characters.ANNA]
description = "a woman in a green coat"
references = ["refs/anna.png"]
[locations.HILLTOP]
references = ["refs/hill.png"]
{scoring}
""",
    )
    write(root / "script.fountain", SCRIPT)
    return root


def draw_and_score(root: Path) -> int:
    """Draw the keyframes (the sketch) and score the takes, as `make` does."""
    with Session.open(root, write=True) as session:
        plan = session.replan()
        jobs = [job for job in plan.graph if job.step == "keyframe"]
        with session.locked():
            session.run(plan.graph, [job.key for job in jobs], reporter=RecordingReporter())
            return score_takes(session.require_store(), session.loaded, plan)


def test_takes_show_the_clip_score_of_each_take_and_a_changed_model_rescores(
    tiny_clip: Path, tmp_path: Path
) -> None:
    root = project(tmp_path / "film")
    assert draw_and_score(root) == 2
    listed = cinecode("takes", root, "1.2", "--json")
    assert listed.code == 0, listed.err
    assert [row["consistency_by"] for row in listed.json()] == ["colour"]
    # a CLIP model named in film.toml (relative to the project): the takes are scored again
    (root / "models").mkdir()
    (root / "models" / "clip").symlink_to(tiny_clip, target_is_directory=True)
    text = (root / "film.toml").read_text()
    (root / "film.toml").write_text(text + '[scoring]\nmodel = "models/clip"\n')
    assert draw_and_score(root) == 2
    assert draw_and_score(root) == 0  # scored once per way of scoring
    rows = cinecode("takes", root, "1.2", "--json").json()
    assert [row["consistency_by"] for row in rows] == ["clip"]
    assert 0.0 <= rows[0]["scores"]["consistency"] <= 1.0
    table = cinecode("takes", root, "1.2")
    assert "consistency" in table.out and "clip" in table.out
    with Session.open(root) as session:  # the Studio's shot page says the same
        takes = shot_page(session, "1.2")["takes"]
    assert [t["consistency"].split()[1] for t in takes] == ["clip"]


def test_a_scoring_model_that_is_not_there_points_at_film_toml(tmp_path: Path) -> None:
    root = project(tmp_path / "film", '[scoring]\nmodel = "no-such-clip"\n')
    with pytest.raises(ProjectError) as caught:
        draw_and_score(root)
    assert "no-such-clip" in str(caught.value) and caught.value.line == 13  # the `model =` line
    assert "film.toml" in str(caught.value.file)
