"""Takes, curation and incremental rebuilds, on copies of the built example film."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from pathlib import Path

import pytest
from helpers import Run, cinecode, copy_project

from cinecode.project.picks import Choice, Picks, format_picks, read_picks

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("film")]


def digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def make(root: Path) -> dict[str, object]:
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    result = run.json()
    assert isinstance(result, dict)
    return result


def ok(run: Run) -> Run:
    assert run.code == 0, run.err
    return run


@pytest.fixture
def film(example_build: Path, tmp_path: Path) -> Path:
    return copy_project(example_build, tmp_path / "film")


def shot_ids(root: Path) -> dict[str, str]:
    """shot id → the text that identifies it (kind, speaker, first words)."""
    lock = (root / "shots.lock").read_text()
    return dict(re.findall(r'\["([^"]+)", "([^"]*)"\]', lock))


def test_nothing_changed_nothing_generated(film: Path) -> None:
    result = make(film)
    assert result["generated"] == 0 and result["rendered"] == 0


def segments(root: Path) -> int:
    with sqlite3.connect(root / ".cinecode" / "catalog.sqlite") as db:
        row = db.execute("SELECT count(*) FROM artifacts WHERE step = 'segment'").fetchone()
    return int(row[0])


def test_a_one_line_dialogue_edit_regenerates_that_line_only(film: Path) -> None:
    before = make(film)
    segments_before = segments(film)
    script = film / "script.fountain"
    text = script.read_text()
    assert "That is the job." in text
    script.write_text(text.replace("That is the job.", "That is the whole job."))
    result = make(film)
    assert 1 <= result["generated"] <= 6  # type: ignore[operator]
    assert 0 < result["rendered"] < before["reused"] / 4  # type: ignore[operator]
    # the line's shot, and its scene's first shot (which holds the scene's padding)
    assert 1 <= segments(film) - segments_before <= 2
    srt = Path(str(result["subtitles"])).read_text()
    assert "That is the whole job." in srt


def test_regen_lists_new_takes_then_picking_changes_the_cut_without_generating(film: Path) -> None:
    ids = ok(cinecode("regen", film, "1.2", "--takes", "3", "--json")).json()["takes"]
    assert len(ids) == 3
    regenerated = make(film)  # new takes are proposals: the cut keeps its take
    assert regenerated["generated"] == 0
    first = digest(str(regenerated["master"]))
    takes = ok(cinecode("takes", film, "1.2", "--json")).json()
    assert len(takes) >= 4
    assert {"id", "seed", "picked"} <= set(takes[0])
    assert len({t["seed"] for t in takes}) == len(takes)
    assert all(Path(t["thumbnail"]).is_file() for t in takes)
    in_cut = [t for t in takes if t["in_cut"]]
    assert len(in_cut) == 1
    # pick a take that is not in the cut: the master changes, nothing is generated
    other = next(t for t in takes if not t["in_cut"])
    ok(cinecode("pick", film, "1.2", other["id"]))
    picked = make(film)
    assert picked["generated"] == 0
    assert digest(str(picked["master"])) != first
    listed = ok(cinecode("takes", film, "1.2", "--json")).json()
    assert [t["id"] for t in listed if t["picked"]] == [other["id"]]
    assert [t["id"] for t in listed if t["in_cut"]] == [other["id"]]
    # pick back the take that was in the cut: the same master, byte for byte, no re-encode
    ok(cinecode("pick", film, "1.2", in_cut[0]["id"]))
    back = make(film)
    assert back["generated"] == 0 and back["rendered"] == 0
    assert digest(str(back["master"])) == first


def test_inserting_a_scene_keeps_every_id_and_pick_and_generates_only_the_new_scene(
    film: Path,
) -> None:
    make(film)
    ok(cinecode("regen", film, "2.3", "--takes", "1"))
    takes = ok(cinecode("takes", film, "2.3", "--json")).json()
    chosen = next(t for t in takes if not t["in_cut"])["id"]
    ok(cinecode("pick", film, "2.3", chosen))
    make(film)
    before = shot_ids(film)
    script = film / "script.fountain"
    text = script.read_text()
    new_scene = (
        "EXT. HARBOUR WALL - DAY\n\n"
        "Gulls wheel over the harbour wall. A FISHERMAN mends a net.\n\n"
        "FISHERMAN\nStorm's coming, they say.\n\n"
    )
    script.write_text(
        text.replace("INT. COTTAGE KITCHEN - DUSK", new_scene + "INT. COTTAGE KITCHEN - DUSK", 1)
    )
    plan = ok(cinecode("plan", film, "--json")).json()
    headings = [s["heading"] for s in plan["scenes"]]
    assert headings[1] == "EXT. HARBOUR WALL - DAY"
    new_id = plan["scenes"][1]["id"]
    assert new_id == "1A"
    new_shots = plan["scenes"][1]["shots"]
    started = time.time()
    result = make(film)
    after = shot_ids(film)
    for shot_id, signature in before.items():
        assert after[shot_id] == signature  # every existing shot keeps its id
    assert read_picks(film / "picks.toml").get("2.3").pick == chosen
    takes_after = ok(cinecode("takes", film, "2.3", "--json")).json()
    assert [t["id"] for t in takes_after if t["in_cut"]] == [chosen]
    keyframes = len(new_shots)
    voices = sum(1 for s in new_shots if s["kind"] == "dialogue")
    assert result["generated"] >= keyframes + voices  # type: ignore[operator]
    # everything generated belongs to the new scene (its frames, voices, score and sound)
    with sqlite3.connect(film / ".cinecode" / "catalog.sqlite") as db:
        made = db.execute(
            "SELECT label, scene FROM artifacts WHERE kind = 'generate' AND created >= ?",
            (started,),
        ).fetchall()
    assert len(made) == result["generated"]
    assert {scene for _, scene in made} == {new_id}, made


def test_reject_hides_a_take_and_takes_it_out_of_the_cut(film: Path) -> None:
    make(film)
    takes = ok(cinecode("takes", film, "3.2", "--json")).json()
    in_cut = next(t for t in takes if t["in_cut"])
    ok(cinecode("reject", film, "3.2", in_cut["id"]))
    listed = ok(cinecode("takes", film, "3.2", "--json")).json()
    assert in_cut["id"] not in [t["id"] for t in listed]
    everything = ok(cinecode("takes", film, "3.2", "--json", "--rejected")).json()
    assert [t["rejected"] for t in everything if t["id"] == in_cut["id"]] == [True]
    result = make(film)
    assert result["generated"] == 1  # a replacement take with the next seed
    now = ok(cinecode("takes", film, "3.2", "--json")).json()
    assert next(t for t in now if t["in_cut"])["id"] != in_cut["id"]


def test_new_takes_never_change_the_cut_the_best_scored_is_only_suggested(film: Path) -> None:
    first = make(film)
    in_cut = [t["id"] for t in ok(cinecode("takes", film, "1.2", "--json")).json() if t["in_cut"]]
    made = ok(cinecode("regen", film, "1.2", "--takes", "3", "--json")).json()
    listed = ok(cinecode("takes", film, "1.2", "--json")).json()
    # one numbering everywhere: regen says the numbers `takes` gives
    numbered = {t["number"]: t["id"] for t in listed if t["id"] in made["takes"]}
    assert numbered == dict(zip(made["numbers"], made["takes"], strict=True))
    assert len(numbered) == 3
    # a new take scored far above the rest is suggested, and the cut keeps its take
    best = made["takes"][-1]
    key = next(t["key"] for t in listed if t["id"] == best)
    rescore = "UPDATE artifacts SET meta = json_set(meta, '$.score', 0.99) WHERE key = ?"
    with sqlite3.connect(film / ".cinecode" / "catalog.sqlite") as db:
        db.execute(rescore, (key,))
    listed = ok(cinecode("takes", film, "1.2", "--json")).json()
    assert [t["id"] for t in listed if t["suggested"]] == [best]
    assert [t["id"] for t in listed if t["in_cut"]] == in_cut
    again = make(film)
    assert again["generated"] == 0 and again["rendered"] == 0
    assert digest(str(again["master"])) == digest(str(first["master"]))
    # only the director's pick changes it
    ok(cinecode("pick", film, "1.2", best))
    assert make(film)["rendered"] > 0


def test_picking_a_rejected_take_un_rejects_it_and_says_so(film: Path) -> None:
    make(film)
    made = ok(cinecode("regen", film, "2.2", "--takes", "2", "--json")).json()["takes"]
    ok(cinecode("reject", film, "2.2", made[0]))
    run = ok(cinecode("pick", film, "2.2", made[0]))
    assert "was rejected" in run.err and "un-rejects" in run.err
    listed = ok(cinecode("takes", film, "2.2", "--json")).json()
    assert [t["id"] for t in listed if t["picked"]] == [made[0]]
    assert not any(t["rejected"] for t in listed)
    ok(cinecode("reject", film, "2.2", made[1]))  # and an explicit un-reject
    assert made[1] not in [t["id"] for t in ok(cinecode("takes", film, "2.2", "--json")).json()]
    run = ok(cinecode("reject", film, "2.2", made[1], "--off"))
    assert "no longer rejected" in run.err
    assert made[1] in [t["id"] for t in ok(cinecode("takes", film, "2.2", "--json")).json()]
    assert cinecode("reject", film, "2.2", made[1], "--off").code == 1  # not rejected now


def test_a_locked_shot_keeps_its_take_when_the_script_changes_it(film: Path) -> None:
    make(film)
    ok(cinecode("lock", film, "3.2"))
    before = ok(cinecode("takes", film, "3.2", "--json")).json()
    kept = [t["id"] for t in before if t["in_cut"]]
    plan = ok(cinecode("plan", film, "--json")).json()
    line = next(s["line"] for sc in plan["scenes"] for s in sc["shots"] if s["id"] == "3.2")
    script = film / "script.fountain"
    lines = script.read_text().splitlines()
    lines[line - 1] = lines[line - 1] + " A moment passes."
    script.write_text("\n".join(lines) + "\n")
    make(film)  # the longer shot gets its score recomposed, never a new picture
    after = ok(cinecode("takes", film, "3.2", "--json")).json()
    assert [t["id"] for t in after] == [t["id"] for t in before]
    assert [t["id"] for t in after if t["in_cut"]] == kept
    assert all(not t["current"] for t in after)  # made from an older version of the shot
    ok(cinecode("lock", film, "3.2", "--off"))
    assert make(film)["generated"] == 1  # unlocked: the shot as it is now gets its take


def test_unknown_shot_or_take_is_a_clear_error(film: Path) -> None:
    run = cinecode("takes", film, "99.9")
    assert run.code == 1 and "no shot 99.9" in run.err and "Traceback" not in run.err
    run = cinecode("pick", film, "1.2", "ffffffff")
    assert run.code == 1 and "no take" in run.err


def test_picks_file_round_trips_in_film_order() -> None:
    picks = Picks(
        {
            "2.1": Choice(pick="abcdef012345", seed=7, version="v1", rejected=("0123456789ab",)),
            "1.10": Choice(locked=True),
        }
    )
    text = format_picks(picks, ["1.10", "2.1"])
    assert text.index('["1.10"]') < text.index('["2.1"]')
    import tomllib

    data = tomllib.loads(text)
    assert data["2.1"]["pick"] == "abcdef012345" and data["1.10"]["locked"] is True
    rejected = picks.reject("2.1", "abcdef012345ffff")
    assert rejected.get("2.1").pick == "" and "abcdef012345" in rejected.get("2.1").rejected
