"""Sound planning, pure: moods and beds read from the screenplay, effects on their beats, and
the shape of the sound graph (what a cue depends on, what crosses a cut)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cinecode.departments.mix import SCENE_STEMS
from cinecode.departments.mood import parse_mood, scene_mood
from cinecode.departments.music import CUE, transition_kind
from cinecode.departments.sfx import bed_level, scene_bed, scene_spots
from cinecode.graph.job import Job
from cinecode.pipeline.plan import Plan, State, plan
from cinecode.pipeline.session import Loaded, load
from cinecode.project.files import write_atomic

FILM_TOML = """\
title = "Sound test"
[format]
width = 320
height = 180
[locations."HARBOUR"]
description = "A stone harbour wall, fishing boats, the open sea beyond"
[locations."KITCHEN"]
description = "A small kitchen with a clock on the wall"
"""

SCRIPT = """\
Title: Sound test

EXT. HARBOUR - DAY

= They meet again after years.

Waves slap the wall. MARA walks along the quay.

MARA
Hello, Eli.

ELI
(softly)
Hello.

The door of the harbour office slams.

SMASH CUT TO:

INT. KITCHEN - NIGHT

[[mood: tense, seed 7, tempo 100, key D minor]]

[[sfx: glass shatters]]
A glass falls from the shelf.

MARA (V.O.)
You should not have come.

ELI (O.S.)
I know.

Eli drops the letter. He sets the cup down.

CUT TO:

EXT. CLIFF - NIGHT

Rain slams sideways. Lightning splits the sky.

ELI
Mara!

DISSOLVE TO:

INT. ROOM - DAY

[[mood: none]]

[[ambience: quiet room tone, a fly buzzing]]

MARA sits alone.

>FADE OUT.
"""


def write_project(root: Path, script: str = SCRIPT, toml: str = FILM_TOML) -> Loaded:
    root.mkdir(parents=True, exist_ok=True)
    (root / "film.toml").write_text(toml, encoding="utf-8")
    (root / "script.fountain").write_text(script, encoding="utf-8")
    loaded = load(root)
    write_atomic(loaded.project.ids_path, loaded.lock_text)
    return loaded


@pytest.fixture
def loaded(tmp_path: Path) -> Loaded:
    return write_project(tmp_path / "film")


def planned(loaded: Loaded) -> Plan:
    return plan(loaded.film, loaded.project, State())


def jobs_of(p: Plan, step: str) -> list[Job]:
    return [job for job in p.graph if job.step == step]


# --- moods ---------------------------------------------------------------------------------


def test_a_written_mood_wins_with_its_clauses(loaded: Loaded) -> None:
    kitchen = loaded.film.scenes[1]
    mood = scene_mood(kitchen)
    assert (mood.mood, mood.source, mood.seed, mood.tempo, mood.key) == (
        "tense",
        "directive",
        7,
        100.0,
        "D minor",
    )
    assert scene_mood(loaded.film.scenes[3]).silent
    assert parse_mood("slow dread, like a heartbeat").mood == "ominous"
    assert parse_mood("no music").silent


def test_moods_are_read_from_the_scene_when_not_written(loaded: Loaded) -> None:
    harbour, _, cliff, _ = loaded.film.scenes
    assert scene_mood(harbour).source == "inferred"
    assert scene_mood(cliff).mood == "ominous"  # night, rain, lightning
    dawn = dataclasses.replace(harbour, synopsis="", action_text="", time_of_day="dawn")
    assert scene_mood(dawn).mood == "hopeful"
    named = dataclasses.replace(harbour, synopsis="A melancholy farewell.")
    assert (scene_mood(named).mood, scene_mood(named).source) == ("melancholy", "synopsis")
    chase = dataclasses.replace(harbour, synopsis="", action_text="He runs. They chase him.")
    assert scene_mood(chase).mood == "action"


def test_transitions() -> None:
    assert transition_kind("CUT TO:") == "cut"
    assert transition_kind("") == "cut"
    assert transition_kind("SMASH CUT TO:") == "smash"
    assert transition_kind("DISSOLVE TO:") == "dissolve"
    assert transition_kind("FADE OUT.") == "fade-out"
    assert transition_kind("FADE TO BLACK.") == "fade-out"
    assert transition_kind("FADE IN:") == "fade-in"


# --- ambience and spot effects ------------------------------------------------------------


def test_beds_are_read_from_place_hour_and_weather(loaded: Loaded) -> None:
    harbour, kitchen, cliff, room = loaded.film.scenes
    assert scene_bed(harbour, loaded.film).description == "surf, gulls, light wind"
    assert scene_bed(kitchen, loaded.film).description == "room tone, clock ticking"
    cliff_bed = scene_bed(cliff, loaded.film)
    assert "heavy rain" in cliff_bed.description and "storm" not in cliff_bed.description
    assert scene_bed(room, loaded.film).source == "directive"
    assert bed_level("gale wind, heavy rain") > bed_level("gentle surf") > bed_level("room tone")


def test_spot_effects_land_on_their_beats(loaded: Loaded) -> None:
    harbour, kitchen, cliff, _ = loaded.film.scenes
    spots = {(s.kind, s.source) for s in scene_spots(harbour)}
    assert {("steps", "action"), ("door", "action")} <= spots
    slam = next(s for s in scene_spots(harbour) if s.kind == "door")
    assert slam.description == "a door slams"
    # the written [[sfx: glass shatters]] sounds with the action under it, once
    kitchen_spots = scene_spots(kitchen)
    glass = [s for s in kitchen_spots if s.kind == "glass"]
    assert len(glass) == 1 and glass[0].source == "directive"
    assert kitchen.shots[glass[0].shot].action.startswith("A glass falls")
    drop = next(s for s in kitchen_spots if s.kind == "drop")
    down = next(s for s in kitchen_spots if s.kind == "set-down")
    assert drop.shot == down.shot and drop.at < down.at  # in the order the sentence says them
    assert {s.kind for s in scene_spots(cliff)} == {"thunder"}


# --- the graph -----------------------------------------------------------------------------


def ancestors(p: Plan, key: str) -> list[Job]:
    seen: dict[str, Job] = {}
    stack = list(p.graph.jobs[key].inputs)
    while stack:
        k = stack.pop()
        if k in seen or k not in p.graph.jobs:
            continue
        seen[k] = p.graph.jobs[k]
        stack.extend(seen[k].inputs)
    return list(seen.values())


def test_no_sound_depends_on_a_picture(loaded: Loaded) -> None:
    p = planned(loaded)
    sound = [j for j in p.graph if j.department in ("music", "effects", "mix")]
    assert sound
    for job in sound:
        for parent in ancestors(p, job.key):
            assert parent.department not in ("storyboard", "motion", "titles"), (
                job.label,
                parent.label,
            )
            assert not parent.take


def test_a_cue_is_composed_to_its_scene_and_ends_as_the_cut_says(loaded: Loaded) -> None:
    p = planned(loaded)
    cues = {job.scene: job for job in jobs_of(p, CUE.name)}
    assert set(cues) == {"title", "1", "2", "3", "credits"}  # scene 4 asked for no music
    voices = {job.key for job in p.graph if job.step == "voice" and job.scene == "2"}
    assert set(cues["2"].inputs) == voices  # its length comes from the scene's voices
    assert (cues["1"].params["ending"], cues["1"].params["tail"]) == ("cut", 0.0)  # SMASH CUT
    assert (cues["2"].params["ending"], cues["2"].params["tail"]) == ("ring", 3.0)  # CUT TO:
    assert cues["3"].params["tail"] == 5.0  # DISSOLVE TO:
    assert cues["credits"].params["ending"] == "fade"
    assert (cues["2"].params["seed"], cues["2"].params["tempo"]) == (7, 100.0)


def test_what_crosses_a_cut_is_carried_by_the_next_scene(loaded: Loaded) -> None:
    p = planned(loaded)
    cues = {job.scene: job.key for job in jobs_of(p, CUE.name)}
    stems = {job.scene: job for job in jobs_of(p, SCENE_STEMS.name)}
    # after SMASH CUT, scene 1's cue stops dead: scene 2 does not play it
    assert cues["1"] not in stems["2"].inputs and not stems["2"].params["prev_music"]
    # after CUT TO: scene 2's tail rings on in scene 3
    assert cues["2"] in stems["3"].inputs and stems["3"].params["enter"] == "cut"
    # the title's theme rings into the first scene
    assert cues["title"] in stems["1"].inputs
    # FADE OUT. fades the last scene; the credits start from silence
    assert stems["4"].params["leave"] == "fade-out"
    assert cues["3"] in stems["4"].inputs  # the dissolve's tail, though scene 4 has no score


def test_a_one_line_edit_recomposes_one_cue_and_nothing_else_in_sound(
    loaded: Loaded, tmp_path: Path
) -> None:
    before = planned(loaded)
    edited = write_project(
        loaded.project.root, SCRIPT.replace("You should not have come.", "Go home, Eli. Now.")
    )
    after = planned(edited)
    old = {job.key for job in before.graph}
    new = [job for job in after.graph if job.key not in old and job.kind == "generate"]
    sound = sorted(job.step for job in new if job.department in ("voice", "music", "effects"))
    assert sound == ["music-cue", "voice"]
    assert {job.scene for job in new if job.department == "music"} == {"2"}


def test_the_film_stems_are_every_scenes_stems_in_film_order(loaded: Loaded) -> None:
    p = planned(loaded)
    stems = [job.key for job in jobs_of(p, SCENE_STEMS.name)]
    assert p.stems == stems
    assert p.graph.jobs[p.stems[0]].scene == "title"


def test_departments_can_be_switched_off(tmp_path: Path) -> None:
    toml = FILM_TOML + '[music]\nbackend = "none"\n[effects]\nbackend = "none"\n'
    p = planned(write_project(tmp_path / "quiet", toml=toml))
    assert not [job for job in p.graph if job.department in ("music", "effects")]
    assert len(jobs_of(p, SCENE_STEMS.name)) == 6  # title, 4 scenes, credits: dialogue only


def test_the_sound_sheet_shows_what_is_planned_before_a_build(loaded: Loaded) -> None:
    from cinecode.commands.soundsheet import sound_sheet

    sheet = sound_sheet(loaded.project.root)
    rows = {row["scene"]: row for row in sheet["scenes"]}
    assert list(rows) == ["title", "1", "2", "3", "4", "credits"]
    assert rows["2"]["score"]["mood"] == "tense" and rows["2"]["score"]["source"] == "directive"
    assert rows["1"]["score"]["ending"] == "cut" and rows["4"]["score"] is None
    assert rows["4"]["ambience"] == {
        "description": "quiet room tone, a fly buzzing",
        "source": "directive",
    }
    assert rows["2"]["effects"][0]["description"] == "glass shatters"
    assert rows["2"]["start"] is None and rows["2"]["effects"][0]["at"] is None  # not built
