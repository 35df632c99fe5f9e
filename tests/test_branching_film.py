"""The bundled branching film, The Last Ferry, built and played: `make` builds every scene's
reel once and masters the default path, `make --path` masters another path from the same
reels (the gated scene only where its condition holds), the masters splice without a click
at the scene joins, and `cinecode story` prints and draws the story graph."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from helpers import cinecode, decode_audio

from cinecode.pipeline.session import Session

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("branching")]

GATED = "7"  # EXT. ISLAND SHORE - LIGHTHOUSE STEPS: only if nerve >= 2


def seconds_of(path: Path) -> float:
    with av.open(str(path)) as container:
        assert container.duration is not None
        return float(container.duration) / av.time_base


def reel_seconds(root: Path) -> dict[str, float]:
    """Each reel's length (title, every scene, credits), from the store."""
    with Session.open(root) as session:
        plan, store = session.plan, session.require_store()
        reels = [plan.graph.jobs[key] for key in plan.reels]
        found = {job.scene or job.label: store.get(job.key) for job in reels}
    assert all(a is not None for a in found.values()), "a reel was not built"
    return {
        name.removeprefix("reel "): float(a.meta["duration"])
        for name, a in found.items()
        if a is not None
    }


def test_make_builds_every_scene_and_masters_the_default_path(branching_build: Path) -> None:
    run = cinecode("make", branching_build, "--json")
    assert run.code == 0, run.err
    report = run.json()
    assert report["path"] == {
        "scenes": ["1", "2", "3", "6", GATED, "8"],  # every default: the rowboat, the bell
        "choices": [1, 1],
        "ending": "Home Across the Water",
    }
    master = Path(report["master"])
    assert master.name == "the-last-ferry.mp4" and master.is_file()
    reels = reel_seconds(branching_build)
    assert len(reels) == 11  # title, 9 scenes, credits: every scene, whatever the path
    played = ["title", *report["path"]["scenes"], "credits"]
    assert seconds_of(master) == pytest.approx(sum(reels[r] for r in played), abs=0.05)
    audio, rate = decode_audio(master)
    assert len(audio) / rate == pytest.approx(sum(reels[r] for r in played), abs=0.05)


def test_another_path_is_another_master_from_the_same_reels(branching_build: Path) -> None:
    default = Path(cinecode("make", branching_build, "--json").json()["master"])
    run = cinecode("make", branching_build, "--json", "--path", "wait,Answer the radio")
    assert run.code == 0, run.err
    report = run.json()
    # nerve 1 on this path: the steps (nerve >= 2) are skipped
    assert report["path"]["scenes"] == ["1", "4", "5", "6", "8"]
    assert (report["rendered"], report["generated"]) == (2, 0)  # the master and its subtitles
    master = Path(report["master"])
    assert master != default and master.read_bytes() != default.read_bytes()
    reels = reel_seconds(branching_build)
    played = ["title", *report["path"]["scenes"], "credits"]
    assert seconds_of(master) == pytest.approx(sum(reels[r] for r in played), abs=0.05)
    subtitles = Path(report["subtitles"]).read_text(encoding="utf-8")
    assert "Anyone on this channel?" in subtitles  # the waiting room's radio
    assert "So every boat" not in subtitles and "bell buoy" not in subtitles
    # nerve 2 by the rowboat and the radio: the steps play
    by_numbers = cinecode("make", branching_build, "--json", "--path", "1,2,1").json()
    assert by_numbers["path"]["scenes"] == ["1", "2", "4", "5", "6", GATED, "8"]
    # the same path again: nothing to do
    again = cinecode("make", branching_build, "--json", "--path", "2,1").json()
    assert (again["rendered"], again["master"]) == (0, report["master"])


def test_a_path_with_an_option_that_is_not_there_lists_the_options(branching_build: Path) -> None:
    run = cinecode("make", branching_build, "--path", "Wait,Swim")
    assert run.code == 1
    assert "choice 2 (scene 4, WAITING ROOM) has no option `Swim`" in run.err
    assert '1. "Answer the radio"; 2. "Sleep until morning"' in run.err
    assert "Traceback" not in run.err


def test_the_scenes_of_a_path_join_without_a_click(branching_build: Path) -> None:
    report = cinecode("make", branching_build, "--json", "--path", "2,1").json()
    audio, rate = decode_audio(Path(report["master"]))
    reels = reel_seconds(branching_build)
    steps = np.abs(np.diff(audio))
    at = 0.0
    for reel in ["title", *report["path"]["scenes"]]:
        at += reels[reel]
        join, ms = round(at * rate), rate // 1000
        jump = steps[join - ms : join + ms].max()
        around = np.concatenate([steps[join - 50 * ms : join - 4 * ms], steps[join + 4 * ms :]])
        typical = np.percentile(around[: 46 * ms], 95)
        # a click is a step at the join larger than the sound's own steps around it
        assert jump < max(typical, 1e-4), f"a click at {at:.2f} s: {jump:.4f} > {typical:.4f}"


def test_story_prints_the_graph_and_draws_it(branching_build: Path) -> None:
    run = cinecode("story", branching_build)
    assert run.code == 0, run.err
    assert run.out.startswith("The Last Ferry: 9 scenes, 3 choices, 2 endings")
    assert "7 STEPS  (EXT. ISLAND SHORE - LIGHTHOUSE STEPS - NIGHT)" in run.out
    assert "plays only if nerve >= 2; otherwise on to 8 GRAN'S HOUSE" in run.out
    assert "2. “Sleep until morning” → 9 MORNING FERRY" in run.out
    svg = (branching_build / "build" / "story.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count("<rect x=") == 9
    assert "Sleep until morning" in svg and "ENDING: The Morning Boat" in svg
    story = json.loads(cinecode("story", branching_build, "--json").last)
    assert story["schema"] == "cinecode.Story.1" and story["variables"] == {}
    assert [s["id"] for s in story["scenes"] if s["ending"]] == ["8", "9"]


def test_a_branching_film_is_released_and_exported_as_its_default_path(
    branching_build: Path,
) -> None:
    assert cinecode("make", branching_build).code == 0  # the default path's master again
    run = cinecode("release", branching_build, "1.0", "--json")
    assert run.code == 0, run.err
    assert run.json()["scenes"] == 6  # title and credits aside: 1, 2, 3, 6, 7, 8
    shots = cinecode("export", branching_build, "csv")
    assert shots.code == 0, shots.err
    listed = Path(shots.last).read_text(encoding="utf-8")
    assert "LIGHTHOUSE STEPS" in listed and "sounds its horn" not in listed  # scene 9


def test_a_linear_film_has_no_story(tmp_path: Path) -> None:
    root = tmp_path / "film"
    assert cinecode("new", root).code == 0
    run = cinecode("story", root)
    assert run.code == 1 and "is a linear film" in run.err
