"""`cinecode cast`: reference sheets made with the storyboard engine (the offline sketch draws a
real sheet), listed with their take ids, never made twice; a pick cuts the sheet into its views,
which become the character's references (unless film.toml names its own), so exactly the shots
showing that character are made again. Locations get an establishing plate the same way."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES
from helpers import cinecode
from PIL import Image

from cinecode.commands import cast as casting
from cinecode.errors import ProjectError
from cinecode.graph.reporter import NullReporter
from cinecode.pipeline.session import Session


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny project (ANNA, BEN; a hilltop and a car), ANNA with her own seed."""
    root = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    toml = root / "film.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('color = "#3f7f4f"', 'color = "#3f7f4f"\nseed = 500'))
    return root


def keyframes(root: Path) -> dict[str, tuple[str, list[str], list[str]]]:
    """Each shot's first keyframe job as planned now: (key, reference digests, files)."""
    with Session.open(root) as session:
        out = {}
        for job in session.plan.graph:
            if job.step == "keyframe" and job.shot not in out:
                out[job.shot] = (job.key, job.params["references"], job.settings["references"])
        return out


def shows(root: Path, name: str) -> set[str]:
    """The shots that show `name`: among their characters, or drawn in their frame (the
    sketch also draws whom the action names)."""
    with Session.open(root) as session:
        drawn = {
            job.shot
            for job in session.plan.graph
            if job.step == "keyframe"
            and name in [f["name"] for f in job.params["composition"]["figures"]]
        }
        return drawn | {shot.id for shot in session.film.shots if name in shot.characters}


def test_cast_makes_takes_listed_with_ids_and_never_twice(tiny: Path) -> None:
    made = casting.cast(tiny, "ANNA", takes=3, reporter=NullReporter())
    assert [row.seed for row in made.rows] == [500, 501, 502]  # the character's seed + n
    assert sorted(made.made) == sorted(row.id for row in made.rows)
    assert all(len(row.id) == 12 and row.key.startswith(row.id) for row in made.rows)
    sheet = np.asarray(Image.open(made.rows[0].path).convert("RGB"), dtype=np.int16)
    assert sheet.shape == (180, 320, 3)
    # three figures in ANNA's green, one in each third of the sheet
    green = (np.abs(sheet - np.array([0x3F, 0x7F, 0x4F])).sum(axis=2) < 60)[40:150]
    thirds = [green[:, i * 106 : (i + 1) * 106].sum() for i in range(3)]
    assert all(count > 100 for count in thirds), thirds
    assert (
        len({Image.open(row.path).tobytes() for row in made.rows}) == 3
    )  # another seed, another take

    again = casting.cast(tiny, "ANNA", takes=3, reporter=NullReporter())
    assert again.made == [] and again.stats.generated == 0
    assert [row.id for row in again.rows] == [row.id for row in made.rows]

    more = casting.cast(tiny, takes=1, reporter=NullReporter())  # everyone: only BEN is new
    assert {row.name for row in more.rows if row.id in more.made} == {"BEN"}

    run = cinecode("cast", tiny, "ANNA", "--more", "2", "--json")  # beyond those there
    assert run.code == 0, run.err
    beyond = json.loads(run.out)
    assert len(beyond["made"]) == 2
    assert [row["seed"] for row in beyond["sheets"]] == [500, 501, 502, 503, 504]


def test_pick_makes_the_views_the_references_of_exactly_his_shots(tiny: Path) -> None:
    made = casting.cast(tiny, "BEN", takes=2, reporter=NullReporter())
    before = keyframes(tiny)
    assert all(refs == [] for _, refs, _ in before.values())

    picked = casting.pick(tiny, "BEN", "1", reporter=NullReporter())
    assert picked.id == made.rows[0].id and not picked.overridden
    assert list(picked.views) == ["front", "three-quarter", "profile"]
    for path in picked.views.values():
        assert Image.open(path).size[0] < 320 / 2  # a view, cut out of the sheet
    written = tomllib.loads((tiny / "cast.toml").read_text(encoding="utf-8"))
    assert written["characters"]["BEN"]["pick"] == picked.id

    after = keyframes(tiny)
    stale = {shot for shot in before if before[shot][0] != after[shot][0]}
    assert stale == shows(tiny, "BEN") and stale  # exactly the shots showing him
    assert stale != set(before)  # the shots without him: untouched
    with Session.open(tiny) as session:
        his = {shot.id for shot in session.film.shots if "BEN" in shot.characters}
    assert his
    for shot in his:  # the keyframe request is given the sheet's view images
        assert after[shot][2][:3] == list(picked.views.values())
    # another sheet: the same shots again, nothing else
    casting.pick(tiny, "BEN", made.rows[1].id, reporter=NullReporter())
    third = keyframes(tiny)
    assert {s for s in after if after[s][0] != third[s][0]} == stale


def test_film_toml_references_win(tiny: Path) -> None:
    Image.new("RGB", (64, 64), "#3f7f4f").save(tiny / "anna.png")
    toml = tiny / "film.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "seed = 500", 'seed = 500\nreferences = ["anna.png"]'
        )
    )
    casting.cast(tiny, "ANNA", reporter=NullReporter())
    before = keyframes(tiny)
    run = cinecode("cast", tiny, "ANNA", "--pick", "1")
    assert run.code == 0, run.err
    assert "film.toml names its own references" in run.err
    assert keyframes(tiny) == before


def test_locations_get_a_plate_whose_pick_restales_only_their_scene(tiny: Path) -> None:
    made = casting.cast(tiny, kind="location", reporter=NullReporter())
    assert {row.name for row in made.rows} == {"HILLTOP", "CAR"}  # film.toml's and the script's
    before = keyframes(tiny)
    picked = casting.pick(tiny, "car", "1", kind="location", reporter=NullReporter())
    assert picked.name == "CAR" and list(picked.views) == ["plate"]
    after = keyframes(tiny)
    with Session.open(tiny) as session:
        in_car = {s.id for sc in session.film.scenes if sc.location == "CAR" for s in sc.shots}
    assert {s for s in before if before[s][0] != after[s][0]} == in_car


def test_reject_hides_a_sheet_and_unpicks_it(tiny: Path) -> None:
    casting.cast(tiny, "BEN", takes=2, reporter=NullReporter())
    picked = casting.pick(tiny, "BEN", "2", reporter=NullReporter())
    casting.reject(tiny, "BEN", picked.id)
    rows = casting.cast(tiny, "BEN", make=False, reporter=NullReporter()).rows
    assert [(r.picked, r.rejected) for r in rows] == [(False, False), (False, True)]
    assert all(not refs for _, refs, _ in keyframes(tiny).values())  # back to no references


def test_a_name_not_in_the_script_lists_the_names_closest_first(tiny: Path) -> None:
    with pytest.raises(ProjectError) as caught:
        casting.cast(tiny, "BENN", reporter=NullReporter())
    assert "the characters are: BEN, ANNA" in str(caught.value)
    run = cinecode("cast", tiny, "ANA")
    assert run.code == 1 and "Traceback" not in run.err
    assert "there is no character ANA" in run.err and "ANNA, BEN" in run.err


def test_a_reference_that_is_no_image_is_an_error_at_its_line(tiny: Path) -> None:
    (tiny / "anna.png").write_text("not a picture", encoding="utf-8")
    toml = tiny / "film.toml"
    text = toml.read_text(encoding="utf-8").replace(
        "seed = 500", 'seed = 500\nreferences = ["anna.png"]'
    )
    toml.write_text(text)
    line = text.splitlines().index('references = ["anna.png"]') + 1
    run = cinecode("cast", tiny, "ANNA")
    assert run.code == 1
    assert f"film.toml:{line}: reference anna.png cannot be read as an image" in run.err


def test_gc_keeps_the_picked_sheet_and_its_views(tiny: Path) -> None:
    from cinecode.commands.disk import collect

    made = casting.cast(tiny, "ANNA", takes=2, reporter=NullReporter())
    picked = casting.pick(tiny, "ANNA", "2", reporter=NullReporter())
    collect(tiny, dry_run=False, keep_takes="picked", keep_masters=0, wait=True, on_wait=print)
    left = casting.cast(tiny, "ANNA", make=False, reporter=NullReporter()).rows
    assert [row.id for row in left] == [made.rows[1].id]  # the unpicked sheet went
    before = keyframes(tiny)
    collect(tiny, dry_run=False, keep_takes="none", keep_masters=0, wait=True, on_wait=print)
    assert all(Path(path).is_file() for path in picked.views.values())  # the references stay
    assert keyframes(tiny) == before


def test_a_lost_store_is_mended_by_cast(tiny: Path) -> None:
    casting.cast(tiny, "BEN", takes=3, reporter=NullReporter())
    casting.pick(tiny, "BEN", "3", reporter=NullReporter())
    before = keyframes(tiny)
    shutil.rmtree(tiny / ".cinecode")  # a fresh clone: cast.toml, no store
    run = cinecode("plan", tiny)
    assert run.code == 1 and "cast.toml:" in run.err and "is not in the store" in run.err
    casting.cast(tiny, "BEN", reporter=NullReporter())  # one take asked: the picked third too
    assert keyframes(tiny) == before  # the sketch made the same sheet: the same references


def test_the_list_as_json(tiny: Path) -> None:
    casting.cast(tiny, "ANNA", takes=2, reporter=NullReporter())
    run = cinecode("cast", tiny, "ANNA", "--list", "--json")
    assert run.code == 0, run.err
    listed = run.json()
    assert listed["made"] == [] and [s["number"] for s in listed["sheets"]] == [1, 2]
    assert all(Path(s["path"]).is_file() and s["name"] == "ANNA" for s in listed["sheets"])
    run = cinecode("cast", tiny, "ATTIC", "--locations")
    assert run.code == 1 and "the locations are: " in run.err and "HILLTOP" in run.err
