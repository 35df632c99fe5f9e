"""The command line on a tiny real project: new, plan, make, status, bad input, concurrency,
and a build killed mid-way that resumes without redoing finished work."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FIXTURES
from helpers import CINECODE, cinecode, copy_project

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]


@pytest.fixture(scope="module")
def built(tiny_build: Path) -> Path:
    """The tiny project, built once (conftest)."""
    return tiny_build


def fresh(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    return root


def test_make_prints_the_master_path_last_and_a_noop_says_so(built: Path) -> None:
    run = cinecode("make", built)
    assert run.code == 0
    master = Path(run.last)
    assert master.is_absolute() and master.is_file() and master.suffix == ".mp4"
    assert master.with_suffix(".srt").is_file()
    again = cinecode("make", built, "--json")
    result = again.json()
    assert result["generated"] == 0 and result["rendered"] == 0 and result["reused"] > 0
    assert Path(result["master"]) == master
    assert "nothing to do" in again.err


def test_a_noop_make_inside_the_project_is_answered_at_once(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cinecode.graph import fastpath

    master = cinecode("make", built).last
    monkeypatch.chdir(built / "build")  # no project named: the nearest film.toml
    assert fastpath.try_make(["make"]) == master
    assert json.loads(fastpath.try_make(["make", "--json"]) or "{}")["master"] == master


def test_plan_json_describes_scenes_shots_jobs_and_cost(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    report = cinecode("plan", root, "--json").json()
    assert [s["heading"] for s in report["scenes"]] == ["EXT. HILLTOP - DAWN", "INT. CAR - NIGHT"]
    scene = report["scenes"][0]
    assert scene["id"] == "1" and scene["line"] == 5
    shot = scene["shots"][1]
    assert {"id", "kind", "duration", "characters", "line"} <= set(shot)
    assert shot["kind"] == "dialogue" and shot["characters"][0] == "ANNA" and shot["line"] == 9
    assert report["jobs"]["pending"] > 0 and report["jobs"]["cached"] == 0
    assert report["estimated_cost"]["money"] == 0
    assert not (root / ".cinecode").exists()  # planning never writes the store


def test_plan_after_make_counts_everything_cached_with_real_durations(built: Path) -> None:
    report = cinecode("plan", built, "--json").json()
    assert report["jobs"]["pending"] == 0
    assert all(not s["duration_is_estimate"] for sc in report["scenes"] for s in sc["shots"])


def test_status_says_what_is_built_and_what_is_stale(built: Path, tmp_path: Path) -> None:
    report = cinecode("status", built, "--json").json()
    assert report["up_to_date"] and report["outputs"]["master"]["current"]
    copy = copy_project(built, tmp_path / "copy")
    script = copy / "script.fountain"
    script.write_text(script.read_text().replace("We made it.", "We made it home."))
    stale = cinecode("status", copy, "--json").json()
    assert not stale["up_to_date"]
    assert stale["pending"]["voice"] == 1
    assert "2.2" in stale["stale_shots"]


def test_status_agrees_with_make_on_a_copied_project(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copied"
    shutil.copytree(built, copy)  # what `cp -r` does: the outputs are copies, not links
    status = cinecode("status", copy, "--json").json()
    assert status["up_to_date"] and status["outputs"]["master"]["current"]
    make = cinecode("make", copy)
    assert make.code == 0 and "nothing to do" in make.err
    # an output the store does not hold: status says so, and make says it put it right
    master = Path(status["outputs"]["master"]["path"])
    master.unlink()
    master.write_bytes(b"not the film")
    stale = cinecode("status", copy, "--json").json()
    assert not stale["up_to_date"] and stale["jobs"]["pending"] == 0
    make = cinecode("make", copy)
    assert make.code == 0 and f"brought up to date from the store: {master}" in make.err
    assert cinecode("status", copy, "--json").json()["up_to_date"]


def test_explain_says_why_jobs_run(built: Path, tmp_path: Path) -> None:
    copy = copy_project(built, tmp_path / "copy")
    script = copy / "script.fountain"
    script.write_text(script.read_text().replace("We made it.", "We made it home."))
    reasons = {
        e["job"]: e["why"] for e in cinecode("plan", copy, "--json", "--explain").json()["explain"]
    }
    voice = next(job for job in reasons if job.startswith("voice"))
    assert "the words changed" in reasons[voice]
    assert any(voice in why for why in reasons.values())  # what depends on it says so
    run = cinecode("make", copy, "--explain")
    assert run.code == 0 and f"{voice}: " in run.err


def test_new_scaffolds_a_project_that_builds_its_plan(tmp_path: Path) -> None:
    run = cinecode("new", tmp_path / "myfilm")
    assert run.code == 0
    root = Path(run.last)
    assert {p.name for p in root.iterdir()} >= {"film.toml", "script.fountain", "README.md"}
    report = cinecode("plan", root, "--json").json()
    assert len(report["scenes"]) == 1 and report["jobs"]["pending"] > 0


def test_new_from_script_keeps_the_screenplay(tmp_path: Path) -> None:
    run = cinecode("new", tmp_path / "f", "--from-script", FIXTURES / "tiny" / "script.fountain")
    root = Path(run.last)
    assert (root / "script.fountain").read_text() == (
        FIXTURES / "tiny" / "script.fountain"
    ).read_text()
    assert 'title = "Tiny"' in (root / "film.toml").read_text()
    assert cinecode("new", root).code == 1  # never overwrites a project


def test_make_takes_n_and_a_contact_sheet(built: Path, tmp_path: Path) -> None:
    root = copy_project(built, tmp_path / "copy")
    shots = [s for sc in cinecode("plan", root, "--json").json()["scenes"] for s in sc["shots"]]
    result = cinecode("make", root, "--takes", "2", "--json").json()
    assert result["generated"] == len(shots)  # one more take of every shot
    takes = cinecode("takes", root, "1.1", "--json").json()
    assert len(takes) == 2 and sum(t["in_cut"] for t in takes) == 1
    assert all(t["score"] is not None for t in takes)
    sheet = Path(cinecode("contact", root, "1.1").last)
    from PIL import Image

    with Image.open(sheet) as image:
        assert image.width > 600 and image.height > 200


# --- bad input: a clear message with file:line, exit 1, no traceback, store untouched ----------


def snapshot(root: Path) -> dict[str, bytes]:
    store = root / ".cinecode"
    if not store.exists():
        return {}
    return {
        str(p.relative_to(store)): p.read_bytes()
        for p in sorted(store.rglob("*"))
        if p.is_file() and "-wal" not in p.name and "-shm" not in p.name and p.name != "lock"
    }


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def bad(root: Path) -> str:
    before = snapshot(root)
    run = cinecode("make", root)
    assert run.code == 1, run.err
    assert "Traceback" not in run.err and "Traceback" not in run.out
    assert snapshot(root) == before
    return run.err


def test_malformed_film_toml(built: Path, tmp_path: Path) -> None:
    root = copy_project(built, tmp_path / "p")
    toml = root / "film.toml"
    toml.write_text(toml.read_text().replace("seed = 3", "seed = = 3"))
    assert f"{toml}:2" in bad(root)


def test_unknown_character(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    toml = root / "film.toml"
    toml.write_text(toml.read_text() + '\n[characters.ANA]\ndescription = "typo"\n')
    err = bad(root)
    assert (
        f"{toml}:{line_of(toml, '[characters.ANA]')}" in err and "ANNA" in err
    )  # says where, and what was meant


def test_unknown_voice(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    toml = root / "film.toml"
    toml.write_text(toml.read_text().replace('voice = "man-deep"', 'voice = "robot"'))
    err = bad(root)
    assert (
        f"{toml}:{line_of(toml, 'robot')}" in err and "woman-warm" in err
    )  # lists the voices that exist


def test_missing_reference_image(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    toml = root / "film.toml"
    toml.write_text(
        toml.read_text().replace(
            'color = "#3f7f4f"', 'color = "#3f7f4f"\nreferences = ["refs/anna.png"]'
        )
    )
    err = bad(root)
    assert f"{toml}:{line_of(toml, 'refs/anna.png')}" in err and "refs/anna.png" in err


def test_screenplay_with_no_scene(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    (root / "script.fountain").write_text("Title: Nothing\n\nJust words, no scene.\n")
    assert f"{root / 'script.fountain'}:1" in bad(root)


def test_screenplay_not_utf8(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    (root / "script.fountain").write_bytes(b"Title: x\n\nINT. CAF\xc9 - DAY\n\nHi.\n")
    err = bad(root)
    assert f"{root / 'script.fountain'}:3" in err and "UTF-8" in err


def test_bad_directive_in_the_screenplay(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    script = root / "script.fountain"
    script.write_text(script.read_text().replace("ANNA climbs", "[[shot: sideways]]\nANNA climbs"))
    assert f"{script}:{line_of(script, 'sideways')}" in bad(root)


# --- concurrency and interruption ----------------------------------------------------------


def catalog_rows(root: Path) -> dict[str, float]:
    db = root / ".cinecode" / "catalog.sqlite"
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return dict(conn.execute("SELECT key, created FROM artifacts").fetchall())
    except sqlite3.OperationalError:
        return {}


def test_a_killed_build_resumes_without_redoing_finished_jobs(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    proc = subprocess.Popen(
        [*CINECODE, "make", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while len(catalog_rows(root)) < 6 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = catalog_rows(root)
    assert len(done) >= 6, "the build finished nothing before it was killed"
    total = cinecode("plan", root, "--json").json()["jobs"]["total"]
    assert len(done) < total, "the build was not killed mid-way"
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    result = run.json()
    assert result["generated"] + result["rendered"] == total - len(done)
    assert result["reused"] == len(done)
    after = catalog_rows(root)
    assert all(after[key] == created for key, created in done.items())  # not redone
    assert Path(result["master"]).is_file()
    assert not list((root / ".cinecode" / "tmp").iterdir())  # scratch left by the kill is gone


def test_a_second_make_waits_or_says_why_it_cannot_run(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    first = subprocess.Popen(
        [*CINECODE, "make", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    lock = root / ".cinecode" / "lock"
    deadline = time.monotonic() + 60
    while (
        not (lock.exists() and lock.read_text().startswith("pid")) and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    refused = cinecode("make", root, "--no-wait")
    waited = cinecode("make", root, "--json")
    assert first.wait(timeout=600) == 0
    assert refused.code == 1 and "another cinecode" in refused.err
    assert waited.code == 0 and "waiting" in waited.err
    assert waited.json()["generated"] == 0
    assert json.loads(cinecode("status", root, "--json").last)["up_to_date"]


def test_a_film_without_dialogue_builds(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    (root / "script.fountain").write_text(
        "Title: Silent\n\nEXT. HILLTOP - DAY\n\nWind in the grass. A kite rises.\n\n"
        "INT. CAR - NIGHT\n\nThe kite lies on the back seat.\n"
    )
    toml = root / "film.toml"
    toml.write_text(toml.read_text().split("[characters.ANNA]")[0])
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    master = Path(run.json()["master"])
    assert master.is_file() and master.with_suffix(".srt").read_text() == ""


def test_version() -> None:
    from cinecode import __version__

    run = cinecode("--version")
    assert run.code == 0 and run.out.strip() == f"cinecode {__version__}"
