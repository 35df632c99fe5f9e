"""Branching films' story: the choice notes become a graph that players read; every mistake a
writer can make is reported at once, each at its file:line; a path is played by option text
(or a prefix of it) or number, and a bad one names the options there. Pure: no media."""

from __future__ import annotations

import pytest

from cinecode.errors import CinecodeError, ProjectErrors
from cinecode.script.branching import Story, story_notes, story_of, walk
from cinecode.script.breakdown import break_down
from cinecode.script.fountain import parse_fountain
from cinecode.script.model import Film

GOOD = """\
Title: Lamp

[[set: courage = 0]]

INT. COTTAGE - NIGHT

Mara looks at the dark lamp.

[[choice: "Climb to the lamp" -> LAMP ROOM | "Stay with Teo" -> KITCHEN; 8s; default 2]]

INT. LAMP ROOM - NIGHT

[[set: courage + 2]]

Mara climbs.

[[go to: SHORE]]

INT. KITCHEN - NIGHT

Teo pours tea.

[[if: courage >= 2]]

EXT. SHORE - DAWN

The sea is calm.

[[end if]]

EXT. BEACH - DAWN

Birds.

[[ending: "Dawn"]]
"""


def film_of(text: str) -> Film:
    script = parse_fountain(text, path="film.fountain")
    return Film(
        title="t",
        credit=(),
        scenes=break_down(script, characters=[]),
        script_path="film.fountain",
        story=story_notes(script),
    )


def story(text: str) -> Story:
    found = story_of(film_of(text))
    assert found is not None
    return found


def problems(text: str) -> list[str]:
    with pytest.raises(ProjectErrors) as caught:
        story_of(film_of(text))
    return [str(p) for p in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


# --- the graph ---


def test_a_screenplay_without_story_notes_is_a_linear_film() -> None:
    assert story_of(film_of("INT. ROOM - DAY\n\nMara waits.\n\n[[mood: calm]]\n")) is None


def test_the_graph_has_choices_targets_conditions_sets_and_endings() -> None:
    s = story(GOOD)
    assert s.start == "1" and s.variables == {"courage": 0}
    first = s.scene("1")
    assert first.choice is not None
    assert [(o.text, o.target) for o in first.choice.options] == [
        ("Climb to the lamp", "2"),
        ("Stay with Teo", "3"),
    ]
    assert (first.choice.seconds, first.choice.default, first.choice.line) == (8.0, 1, 9)
    assert s.scene("2").sets == (("courage", "+", 2),) and s.scene("2").next == "4"
    assert s.scene("3").next == "4"  # no choice: on to the scene below
    assert s.scene("4").when == "courage >= 2" and s.scene("4").next == "5"
    assert s.scene("5").ending == "Dawn" and s.scene("5").next is None
    json = s.as_json()
    assert json["scenes"][0]["choice"]["options"][1] == {"text": "Stay with Teo", "target": "3"}
    assert json["scenes"][3]["when"] == "courage >= 2"


def test_a_gated_scene_plays_only_on_the_paths_where_its_condition_holds() -> None:
    s = story(GOOD)
    assert walk(s).scenes == ("1", "3", "5")  # default 2: Stay; courage 0 skips the shore
    climbed = walk(s, ["climb to the LAMP"])
    assert climbed.scenes == ("1", "2", "4", "5") and climbed.ending == "Dawn"
    assert walk(s, ["Stay"]).picks == (1,)  # a prefix of the option's text
    assert walk(s, ["1"]).scenes == climbed.scenes  # or its number


def test_a_path_with_an_option_that_is_not_there_names_the_options() -> None:
    with pytest.raises(CinecodeError) as caught:
        walk(story(GOOD), ["Run away"])
    text = str(caught.value)
    assert "no option `Run away`" in text
    assert '1. "Climb to the lamp"; 2. "Stay with Teo"' in text
    with pytest.raises(CinecodeError, match="left over"):
        walk(story(GOOD), ["1", "2"])


def test_targets_are_labels_in_any_case_or_scene_numbers() -> None:
    text = GOOD.replace("-> LAMP ROOM", "-> lamp room").replace("-> KITCHEN", "-> #3#")
    assert [o.target for o in story(text).scene("1").choice.options] == ["2", "3"]  # type: ignore[union-attr]


# --- every problem at once, each at its line ---


def test_an_unknown_target_is_an_error_at_its_line_with_the_closest_label() -> None:
    text = GOOD.replace("-> KITCHEN", "-> KITCHN")
    [problem] = problems(text)
    assert problem.startswith(f"film.fountain:{line_of(text, '[[choice')}: `KITCHN` names no scene")
    assert "did you mean KITCHEN" in problem


def test_an_ambiguous_label_names_the_scenes_and_how_to_tell_them_apart() -> None:
    text = GOOD.replace("INT. KITCHEN - NIGHT", "INT. LAMP ROOM - NIGHT").replace(
        "-> KITCHEN", "-> #1#"
    )
    [problem] = problems(text)
    assert "`LAMP ROOM` names 2 scenes: scene 2 (line 11" in problem
    assert "scene 3 (line 19" in problem and "[[label: NAME]]" in problem and "#12#" in problem


def test_several_problems_are_reported_together_in_file_order() -> None:
    text = (
        GOOD.replace("; 8s; default 2", "; 0s; default 5")
        .replace("[[set: courage + 2]]", "[[set: courage ++ 2]]")
        .replace('[[ending: "Dawn"]]', "[[ending: ]]")
    )
    found = problems(text)
    assert [p.split(":")[1] for p in found] == [
        str(line_of(text, "[[choice")),
        str(line_of(text, "[[choice")),
        str(line_of(text, "[[set: courage ++")),
        str(line_of(text, "[[ending")),
    ]
    assert "a countdown of 0s" in found[0] and "`default 5` names no option" in found[1]


def test_an_unreachable_scene_is_an_error_at_its_heading() -> None:
    attic = "INT. ATTIC - NIGHT\n\nDust.\n\n[[go to: SHORE]]\n\n"
    text = GOOD.replace("INT. KITCHEN - NIGHT", attic + "INT. KITCHEN - NIGHT")
    [problem] = problems(text)
    assert problem.startswith(f"film.fountain:{line_of(text, 'ATTIC')}: scene 3 (ATTIC) is never")


def test_a_loop_with_no_way_out_is_an_error() -> None:
    text = GOOD.replace("[[go to: SHORE]]", '[[choice: "Up" -> COTTAGE | "Down" -> LAMP ROOM]]')
    text = text.replace("-> KITCHEN;", "-> LAMP ROOM;")
    found = problems(text)
    assert any("loop with no way out to an ending: 1 COTTAGE → 2 LAMP ROOM" in p for p in found)


def test_a_loop_with_a_way_out_is_fine() -> None:
    text = GOOD.replace("[[go to: SHORE]]", '[[choice: "Again" -> COTTAGE | "Out" -> SHORE]]')
    assert story(text).scene("2").choice is not None


def test_a_path_that_ends_without_an_ending_is_an_error_at_its_last_scene() -> None:
    text = GOOD.replace('[[ending: "Dawn"]]', "")
    [problem] = problems(text)
    assert problem.startswith(f"film.fountain:{line_of(text, 'EXT. BEACH')}: the story stops")


def test_a_choice_with_one_option_or_none_is_an_error() -> None:
    one = GOOD.replace(' | "Stay with Teo" -> KITCHEN; 8s; default 2', "")
    assert any("offers one option only" in p and "[[go to: SCENE]]" in p for p in problems(one))
    none = GOOD.replace(
        '"Climb to the lamp" -> LAMP ROOM | "Stay with Teo" -> KITCHEN; 8s; default 2', ""
    )
    assert any("offers no option" in p for p in problems(none))


def test_a_variable_used_before_it_is_set_on_some_path_is_an_error() -> None:
    text = GOOD.replace("[[set: courage = 0]]", "")
    found = problems(text)
    assert f"film.fountain:{line_of(text, '[[set: courage + 2')}: `courage` may be used" in found[0]
    assert f"film.fountain:{line_of(text, '[[if:')}: `courage` may be used" in found[1]
    # set on every path (in the first scene) is enough
    assert story(text.replace("Mara looks", "[[set: courage = 1]]\n\nMara looks"))


def test_an_if_that_does_not_wrap_whole_scenes_is_an_error_saying_so() -> None:
    text = GOOD.replace("Teo pours tea.", "[[if: courage >= 2]]\n\nTeo pours tea.", 1)
    found = problems(text)
    assert any(
        p.startswith(f"film.fountain:{line_of(text, '[[if: courage >= 2]]')}: [[if: …]] must stand")
        and "whole scenes" in p
        for p in found
    )
    inside = GOOD.replace("The sea is calm.", "[[end if]]\n\nThe sea is calm.").replace(
        "Birds.\n\n[[end if]]", "Birds."
    )
    assert any("[[end if]] must come after the last line of a scene" in p for p in problems(inside))


def test_a_choice_must_end_its_scene() -> None:
    text = GOOD.replace("default 2]]", "default 2]]\n\nMara sighs.")
    [problem] = problems(text)
    assert "[[choice: …]] must be the last thing in its scene" in problem


def test_a_bad_condition_is_read_without_eval_and_reported() -> None:
    text = GOOD.replace("[[if: courage >= 2]]", "[[if: __import__('os') or courage >= 2]]")
    assert any("cannot read `__import__('os')`" in p for p in problems(text))
    both = GOOD.replace("courage >= 2]]", "courage >= 2 and courage < 9 or courage == 1]]")
    assert story(both).scene("4").when == "courage >= 2 and courage < 9 or courage == 1"


def test_a_path_is_for_branching_films_and_their_screenplay_cut() -> None:
    from cinecode.pipeline.paths import walk_of

    with pytest.raises(CinecodeError, match="--path is for branching films"):
        walk_of(None, ("1",), edited=False)
    assert walk_of(None, None, edited=True) is None  # a linear film: as before
    with pytest.raises(CinecodeError, match=r"editor's cut \(cut.toml\) of a branching film"):
        walk_of(story(GOOD), None, edited=True)
    walked = walk_of(story(GOOD), ("Climb",), edited=False)
    assert walked is not None and walked.name == "1"


def test_a_wrong_countdown_does_not_hide_the_story_checks() -> None:
    text = GOOD.replace("; 8s;", "; 0s;").replace("[[set: courage = 0]]", "")
    found = problems(text)
    assert "a countdown of 0s" in found[0]
    assert any("`courage` may be used before it is set" in p for p in found[1:])


def test_a_branching_plan_builds_every_scene_once_and_masters_one_path() -> None:
    """Planned, not run: each scene's reel hears nothing of its neighbours and fades at its
    edges; the master is the path's reels; another path changes only the master's key."""
    from conftest import BRANCHING

    from cinecode.pipeline.plan import plan
    from cinecode.pipeline.session import load, state_for

    loaded = load(BRANCHING)
    default = plan(loaded.film, loaded.project, state_for(loaded, None))
    reels = [default.graph.jobs[key] for key in default.reels]
    assert [job.scene for job in reels] == ["title", *map(str, range(1, 10)), "credits"]
    assert all(not job.params["prev"] and not job.params["next"] for job in reels)
    assert all(job.params["edges"] == 480 for job in reels)  # 10 ms at 48 kHz
    assert set(default.reels) <= set(default.build_targets)  # every scene, whatever the path
    master = default.graph.jobs[default.targets["master"]]
    by_key = {job.key: job.scene for job in reels}
    assert [by_key[k] for k in master.inputs] == ["title", "1", "2", "3", "6", "7", "8", "credits"]
    # the editorial views (timeline, exports, release) read the path's cut
    assert default.arrangement is not None
    assert [r.id for r in default.arrangement.reels] == [by_key[k] for k in master.inputs]
    other = plan(loaded.film, loaded.project, state_for(loaded, None, path=("2", "2")))
    assert other.reels == default.reels
    assert [by_key[k] for k in other.graph.jobs[other.targets["master"]].inputs] == [
        "title",
        "1",
        "4",
        "9",
        "credits",
    ]
