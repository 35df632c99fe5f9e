"""Breakdown into shots, directives, and ids that stay stable across edits."""

from __future__ import annotations

import pytest

from cinecode.errors import ScriptError
from cinecode.script.breakdown import break_down
from cinecode.script.directives import parse_note
from cinecode.script.fountain import parse_fountain
from cinecode.script.ids import IdLock, assign, format_lock, read_lock
from cinecode.script.model import Scene

SCRIPT = """\
Title: Test

EXT. HARBOUR - NIGHT

Rain hammers the quay. MARA waits under a lamp, alone.

MARA
Where are you?

[[shot: close on ELI, push in, seed 42]]

ELI (O.S.)
Right behind you.

MARA
(whispering)
You came.

INT. KITCHEN - DAY

[[mood: tender]]

ELI pours two cups of tea. [[sfx: kettle whistles]]

ELI
Sit down. It's a long story.
"""


def scenes_of(text: str) -> tuple[Scene, ...]:
    return break_down(parse_fountain(text, path="film.fountain"), characters=[])


def test_scenes_open_on_an_establishing_shot_then_follow_the_script() -> None:
    scenes = scenes_of(SCRIPT)
    assert [s.heading for s in scenes] == ["EXT. HARBOUR - NIGHT", "INT. KITCHEN - DAY"]
    harbour = scenes[0]
    assert (harbour.setting, harbour.location, harbour.time_of_day) == ("ext", "HARBOUR", "night")
    kinds = [shot.kind for shot in harbour.shots]
    assert kinds == ["establishing", "dialogue", "dialogue", "dialogue"]
    assert harbour.shots[0].size == "extreme-wide"
    assert "Rain hammers" in harbour.shots[0].action  # the opening action is its caption


def test_directive_overrides_the_automatic_shot() -> None:
    shot = scenes_of(SCRIPT)[0].shots[2]
    assert shot.speaker == "ELI"
    assert (shot.size, shot.move, shot.characters) == ("close", "push-in", ("ELI",))
    assert shot.directive is not None and shot.directive.seed == 42
    assert shot.lines[0].extension == "O.S."


def test_parentheticals_shape_delivery() -> None:
    line = scenes_of(SCRIPT)[0].shots[3].lines[0]
    assert line.text == "You came."
    assert line.delivery[0].style == "whisper"


def test_mood_and_effects_and_lines() -> None:
    kitchen = scenes_of(SCRIPT)[1]
    assert kitchen.mood == "tender"
    assert [what for _, what, _ in kitchen.effects] == ["kettle whistles"]
    assert kitchen.line == 19
    assert kitchen.shots[-1].lines[0].line == 25


def test_no_scene_is_an_error() -> None:
    with pytest.raises(ScriptError) as caught:
        scenes_of("Title: x\n\nJust some action.\n")
    assert "no scene" in str(caught.value)


def test_bad_directive_names_its_line() -> None:
    text = "INT. ROOM - DAY\n\n[[shot: sideways please]]\n\nBOB\nHi.\n"
    with pytest.raises(ScriptError) as caught:
        scenes_of(text)
    assert caught.value.line == 3
    assert "sideways" in str(caught.value)


def test_directive_naming_nobody_is_an_error() -> None:
    text = "INT. ROOM - DAY\n\n[[shot: close on NOBODY]]\n\nBOB\nHi.\n"
    with pytest.raises(ScriptError) as caught:
        scenes_of(text)
    assert caught.value.line == 3


def test_parse_shot_clauses() -> None:
    note = parse_note(
        'shot: wide on MARA and ELI, low angle, pan left, 4.5s, takes 3, prompt "storm, light"',
        7,
        file="f",
    )
    assert note is not None and note.shot is not None
    d = note.shot
    assert (d.size, d.subjects, d.angle, d.move, d.duration, d.takes) == (
        "wide",
        ("MARA", "ELI"),
        "low",
        "pan-left",
        4.5,
        3,
    )
    assert d.prompt == "storm, light"
    assert parse_note("just a note to self", 1, file="f") is None


def ids(scenes: tuple[Scene, ...]) -> dict[str, str]:
    """signature-ish label → id, to follow shots across edits."""
    return {f"{s.heading}|{shot.signature}": shot.id for s in scenes for shot in s.shots}


def test_ids_are_numbered_then_stay_stable_when_a_scene_is_inserted_above() -> None:
    first, lock = assign(scenes_of(SCRIPT), IdLock(), script="f")
    assert [s.id for s in first] == ["1", "2"]
    assert [shot.id for shot in first[0].shots] == ["1.1", "1.2", "1.3", "1.4"]
    inserted = SCRIPT.replace(
        "INT. KITCHEN - DAY", "EXT. ROAD - DAY\n\nA car passes.\n\nINT. KITCHEN - DAY"
    )
    second, _ = assign(scenes_of(inserted), lock, script="f")
    assert [s.id for s in second] == ["1", "1A", "2"]
    before, after = ids(first), ids(second)
    for label, shot_id in before.items():
        assert after[label] == shot_id


def test_a_scene_inserted_first_and_a_deleted_id_is_never_reused() -> None:
    _, lock = assign(scenes_of(SCRIPT), IdLock(), script="f")
    text = "INT. ATTIC - NIGHT\n\nDust.\n\n" + SCRIPT.split("\n\n", 1)[1]
    second, lock = assign(scenes_of(text), lock, script="f")
    assert [s.id for s in second] == ["A1", "1", "2"]
    # delete scene 1A-less: remove the kitchen, then add a new scene at the end
    without = text.split("INT. KITCHEN")[0]
    third, lock = assign(scenes_of(without), lock, script="f")
    assert [s.id for s in third] == ["A1", "1"]
    again = without + "\nEXT. FIELD - DAY\n\nWind.\n"
    fourth, lock = assign(scenes_of(again), lock, script="f")
    assert [s.id for s in fourth] == ["A1", "1", "3"]  # 2 was retired


def test_editing_a_line_keeps_every_shot_id_and_a_new_shot_gets_a_letter() -> None:
    first, lock = assign(scenes_of(SCRIPT), IdLock(), script="f")
    edited = SCRIPT.replace("Where are you?", "Where on earth are you?")
    second, lock = assign(scenes_of(edited), lock, script="f")
    assert ids_list(second) == ids_list(first)
    more = edited.replace("MARA\n(whispering)", "ELI\nI missed the boat.\n\nMARA\n(whispering)")
    third, _ = assign(scenes_of(more), lock, script="f")
    assert [shot.id for shot in third[0].shots] == ["1.1", "1.2", "1.3", "1.3A", "1.4"]


def ids_list(scenes: tuple[Scene, ...]) -> list[str]:
    return [shot.id for s in scenes for shot in s.shots]


def test_lock_round_trips_through_its_file(tmp_path: object) -> None:
    from pathlib import Path

    _, lock = assign(scenes_of(SCRIPT), IdLock(), script="f")
    path = Path(str(tmp_path)) / "shots.lock"
    path.write_text(format_lock(lock), encoding="utf-8")
    assert read_lock(path) == lock


def test_script_scene_numbers_are_used_as_ids() -> None:
    text = "INT. A - DAY #7#\n\nX.\n\nINT. B - DAY #7A#\n\nY.\n"
    scenes, _ = assign(scenes_of(text), IdLock(), script="f")
    assert [s.id for s in scenes] == ["7", "7A"]
    assert scenes[1].shots[0].id == "7A.1"


def test_names_are_found_as_whole_words_in_order_whatever_their_case() -> None:
    from cinecode.script.breakdown import _names_in

    assert _names_in("Eliza hands Mara the lamp; eli waits.", ["ELI", "MARA"]) == ["MARA", "ELI"]
    assert _names_in("ELIZA alone.", ["ELI"]) == []
    # outside ASCII, ignoring case folds more than lower-casing does (ſ is an s)
    assert _names_in("Joſeph waves at Eli.", ["ELI", "JOSEPH"]) == ["JOSEPH", "ELI"]
