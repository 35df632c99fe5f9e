"""A store over a film's life on the tiny project: `du` says what the disk holds, `gc` gives
back old renders (takes only when told, paid ones listed with their cost), `verify` re-hashes
every object, and a gc killed at any moment leaves a store that verifies and builds."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FIXTURES
from helpers import CINECODE, cinecode, copy_project

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]

LINE = "There it is."


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The tiny project built, a line changed and built again; and the first master's bytes."""
    import shutil

    root = tmp_path_factory.mktemp("disk") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    first = cinecode("make", root, "--json")
    assert first.code == 0, first.err
    master = Path(first.json()["master"]).read_bytes()
    say(root, "There it is, at last.")
    again = cinecode("make", root, "--json")
    assert again.code == 0 and again.json()["generated"] >= 1, again.err
    return root, master


def say(root: Path, words: str) -> None:
    script = root / "script.fountain"
    text = script.read_text(encoding="utf-8")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("There it is"))
    lines[index] = words
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stored(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / ".cinecode" / "objects").rglob("*.*"))


def test_du_gc_and_verify_after_an_edit(edited: tuple[Path, bytes], tmp_path: Path) -> None:
    root = copy_project(edited[0], tmp_path / "tiny")
    usage = cinecode("du", root, "--json").json()
    assert usage["store"] == stored(root)
    classes = usage["by_class"]
    assert sum(classes.values()) == usage["store"]  # every object counted once
    assert classes["old take"] > 0 and classes["old render"] > 0 and classes["old master"] > 0
    assert usage["gc_frees"] == classes["old render"]  # masters (3 kept) and takes stay
    assert "gc would free" in cinecode("du", root).out
    # a dry run lists and frees nothing
    dry = cinecode("gc", root, "--dry-run", "--json").json()
    assert dry["removed"] > 0 and dry["freed"] == classes["old render"]
    assert stored(root) == usage["store"]
    # gc: only old renders go; the store verifies and the film is still up to date
    run = cinecode("gc", root, "--json")
    assert run.code == 0, run.err
    assert run.json()["freed"] == classes["old render"]
    assert stored(root) == usage["store"] - classes["old render"]
    checked = cinecode("verify", root, "--json")
    assert checked.code == 0 and checked.json()["ok"] and checked.json()["orphans"] == 0
    make = cinecode("make", root, "--json").json()
    assert make["generated"] == 0 and make["rendered"] == 0
    # going back to the first words renders again, generates nothing: the same master
    say(root, LINE)
    back = cinecode("make", root, "--json")
    assert back.code == 0, back.err
    assert back.json()["generated"] == 0 and back.json()["rendered"] > 0
    assert Path(back.json()["master"]).read_bytes() == edited[1]
    # --keep-masters 1 lets the older master go; --keep-takes none the old takes
    fewer = cinecode("gc", root, "--keep-masters", "1", "--keep-takes", "none", "--json").json()
    assert {"old master", "old take"} <= {item["class"] for item in fewer["items"]}
    after = cinecode("du", root, "--json").json()["by_class"]
    assert after["old master"] == after["old take"] == after["old render"] == 0
    assert cinecode("make", root, "--json").json()["rendered"] == 0


def test_paid_takes_stay_unless_told_and_a_dry_run_says_what_they_cost(
    edited: tuple[Path, bytes], tmp_path: Path
) -> None:
    root = copy_project(edited[0], tmp_path / "tiny")
    listed = cinecode("gc", root, "--keep-takes", "none", "--dry-run", "--json").json()
    (voice,) = [i for i in listed["items"] if i["class"] == "old take" and i["step"] == "voice"]
    with sqlite3.connect(root / ".cinecode" / "catalog.sqlite") as db:  # as if a hosted voice
        (key,) = db.execute(
            "SELECT key FROM artifacts WHERE key LIKE ?", (voice["key"] + "%",)
        ).fetchone()
        db.execute("UPDATE artifacts SET cost_money = 0.42 WHERE key = ?", (key,))
    usage = cinecode("du", root, "--json").json()["by_class"]
    assert usage["paid"] > 0
    cinecode("gc", root)
    assert cinecode("du", root, "--json").json()["by_class"]["paid"] == usage["paid"]
    dry = cinecode("gc", root, "--keep-takes", "picked", "--dry-run")
    assert "1 paid take(s) among them cost 0.42" in dry.out
    assert "paid: voice" in dry.out
    cinecode("gc", root, "--keep-takes", "picked")
    assert cinecode("du", root, "--json").json()["by_class"]["paid"] == 0
    with sqlite3.connect(root / ".cinecode" / "catalog.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM artifacts WHERE key = ?", (key,)).fetchone() == (0,)


def newest(root: Path, step: str) -> tuple[str, Path]:
    """The key and object file of the newest artifact of `step` (in the cut after the edit)."""
    with sqlite3.connect(root / ".cinecode" / "catalog.sqlite") as db:
        key, digest, ext = db.execute(
            "SELECT key, object, ext FROM artifacts WHERE step = ? ORDER BY created DESC",
            (step,),
        ).fetchone()
    return key, root / ".cinecode" / "objects" / digest[:2] / f"{digest[2:]}.{ext}"


def test_verify_finds_damage_and_make_never_pays_twice_for_a_lost_take(
    edited: tuple[Path, bytes], tmp_path: Path
) -> None:
    root = copy_project(edited[0], tmp_path / "tiny")
    voice, damaged = newest(root, "voice")
    _, lost = newest(root, "scene-stems")
    with sqlite3.connect(root / ".cinecode" / "catalog.sqlite") as db:  # as if a hosted voice
        db.execute("UPDATE artifacts SET cost_money = 0.42 WHERE key = ?", (voice,))
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    damaged.unlink()  # a hard link into the module's store: replace, never write through
    damaged.write_bytes(bytes(data))
    lost.unlink()
    run = cinecode("verify", root, "--json")
    assert run.code == 1
    report = run.json()
    assert [i["step"] for i in report["missing"]] == ["scene-stems"]
    assert [(i["key"], i["money"]) for i in report["corrupt"]] == [(voice[:8], 0.42)]
    assert "verify --repair" in cinecode("verify", root).out
    assert cinecode("verify", root, "--repair").code == 1 and not damaged.exists()
    # the paid voice is not made again unasked: make names it and what it would cost
    refused = cinecode("make", root)
    assert refused.code == 1
    assert "paid generation(s) are lost" in refused.err and "--remake-lost" in refused.err
    assert "cost 0.42" in refused.err
    remade = cinecode("make", root, "--remake-lost", "--json")
    assert remade.code == 0, remade.err
    assert remade.json()["generated"] == 1 and remade.json()["rendered"] >= 1
    assert cinecode("verify", root).code == 0


def test_a_killed_gc_leaves_a_store_that_verifies_and_builds(
    edited: tuple[Path, bytes], tmp_path: Path
) -> None:
    killed = 0
    for trial, delay in enumerate((0.3, 0.5, 0.7, 0.9, 1.1, 1.4)):
        root = copy_project(edited[0], tmp_path / f"t{trial}")
        proc = subprocess.Popen(
            [*CINECODE, "gc", str(root), "--keep-masters", "0", "--keep-takes", "none"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        killed += proc.wait() == -signal.SIGKILL
        run = cinecode("verify", root, "--json")
        assert run.code == 0 and run.json()["ok"], run.out
        if trial % 2:  # and builds: nothing generated again
            make = cinecode("make", root, "--json")
            assert make.code == 0 and make.json()["generated"] == 0, make.err
    assert killed >= 2, "no gc was killed before it finished"
