"""The screenplay's words are checked before any work: a mood, ambience or effect cinecode does
not know stops the build at its line with the closest words it knows; a character cue with no
dialogue under it (Fountain reads it as action) is a warning at its line that plan and make
print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import cinecode

from cinecode.backends.foley.beds import VOCABULARY, parse_bed
from cinecode.backends.foley.spots import RECIPES, match_recipe
from cinecode.departments.sfx import SOUND_WORDS
from cinecode.errors import ScriptError
from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.build import make
from cinecode.pipeline.session import load
from cinecode.script.breakdown import break_down
from cinecode.script.fountain import parse_fountain
from cinecode.script.model import Scene
from cinecode.script.moods import MOODS, mood_named, parse_mood
from cinecode.script.sounds import names_a_sound

SCRIPT = """\
Title: Checks

INT. KITCHEN - NIGHT

{note}

MARA pours two cups of tea.

MARA
It's late.
"""
NOTE_LINE = 5  # the line of {note}


def scenes_of(text: str) -> tuple[Scene, ...]:
    return break_down(parse_fountain(text, path="film.fountain"), characters=[])


def error_for(note: str) -> ScriptError:
    with pytest.raises(ScriptError) as caught:
        scenes_of(SCRIPT.format(note=note))
    return caught.value


# --- a word cinecode does not know is an error at its line, with the closest known words ---


def test_a_mistyped_mood_names_its_line_and_the_mood_meant() -> None:
    error = error_for("[[mood: melancohly]]")
    assert (error.file, error.line) == ("film.fountain", NOTE_LINE)
    assert str(error).startswith(f"film.fountain:{NOTE_LINE}: [[mood: melancohly]] names no mood")
    assert "did you mean melancholy" in str(error)


def test_a_mistyped_mood_with_clauses_is_read_without_them() -> None:
    error = error_for("[[mood: tence, seed 3, tempo 90]]")
    assert error.hint == "did you mean tense?"


def test_a_mood_that_is_nothing_close_lists_the_moods() -> None:
    error = error_for("[[mood: xyzzy]]")
    assert error.line == NOTE_LINE
    assert all(mood in error.hint for mood in MOODS)
    assert "none" in error.hint


def test_a_mistyped_ambience_names_its_line_and_the_sounds_meant() -> None:
    error = error_for("[[ambience: wnid and sruf]]")
    assert str(error).startswith(f"film.fountain:{NOTE_LINE}: [[ambience: wnid and sruf]]")
    assert "did you mean" in error.hint
    assert "wind" in error.hint and "surf" in error.hint


def test_an_effect_of_nonsense_names_its_line_and_the_known_sounds() -> None:
    error = error_for("[[sfx: blorp]]")
    assert str(error).startswith(f"film.fountain:{NOTE_LINE}: [[sfx: blorp]] names no sound")
    assert "door slams" in error.hint and "glass shatters" in error.hint


def test_a_mistyped_effect_inside_a_paragraph_names_the_paragraph_line() -> None:
    text = SCRIPT.format(note="MARA waits.").replace(
        "pours two cups of tea.", "pours two cups of tea. [[sfx: thundr]]"
    )
    with pytest.raises(ScriptError) as caught:
        scenes_of(text)
    assert caught.value.line == 7
    assert "did you mean thunder" in caught.value.hint


def test_plan_and_make_stop_on_an_unknown_mood_before_any_work(tmp_path: Path) -> None:
    root = project(tmp_path, SCRIPT.format(note="[[mood: melancohly]]"))
    for command in ("plan", "make"):
        run = cinecode(command, root)
        assert run.code == 1
        assert f"script.fountain:{NOTE_LINE}: [[mood: melancohly]]" in run.err
        assert "did you mean melancholy" in run.err
    assert not (root / ".cinecode").exists()
    assert not (root / "build").exists()


# --- the words writers use are known -------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        # the docs' and the example's
        "mood: tense",
        "mood: slow dread, like a heartbeat",
        "mood: hopeful, seed 3, tempo 84, key D major",
        "mood: none",
        "mood: no music",
        "ambience: gale wind, heavy rain, surf booming on rocks",
        "ambience: clock ticking, kettle, wind rising outside",
        "ambience: quiet room tone, a fly buzzing",
        "ambience: soft swell, a single gull, the wind dropped to nothing",
        "sfx: door slams",
        "sfx: clockwork ratchets and groans",
        # reasonable words beyond the composer's eleven styles and foley's recipes
        "mood: melancholic",
        "mood: spooky",
        "mood: bittersweet",
        "mood: sombre",
        "ambience: church bells in the distance",
        "ambience: a dog barking far off",
        "sfx: a distant foghorn",
        "sfx: the kettle whistles",
        "sfx: a siren wails",
    ],
)
def test_known_words_pass(note: str) -> None:
    scenes = scenes_of(SCRIPT.format(note=f"[[{note}]]"))
    assert scenes[0].shots


def test_reasonable_mood_words_name_a_mood_instead_of_calm() -> None:
    assert parse_mood("melancholic").mood == "melancholy"
    assert parse_mood("spooky").mood == "mysterious"
    assert parse_mood("creepy").mood == "ominous"
    assert parse_mood("energetic").mood == "action"
    # what was read before is read the same
    assert parse_mood("slow dread, like a heartbeat").mood == "ominous"
    assert parse_mood("tender").mood == "tender"
    assert parse_mood("no music").silent
    assert mood_named("xyzzy") == ""


def test_every_sound_the_effects_department_and_foley_know_is_known() -> None:
    """What the department classifies or foley synthesizes passes the check: every word their
    tables match, and every sound the department names."""
    for _pattern, _kind, template, _seconds, _level in SOUND_WORDS:
        assert names_a_sound(template), template
    tables = [p for p, *_ in SOUND_WORDS] + [p for p, _ in VOCABULARY] + [p for p, _ in RECIPES]
    words = {w for p in tables for w in re.findall(r"[a-z]{3,}", p.replace("\\b", " "))}
    for word in sorted(words - {"explo"}):  # (a stem, no word)
        classified = any(re.search(p, word, re.IGNORECASE) for p, *_ in SOUND_WORDS)
        understood = classified or parse_bed(word) or match_recipe(word)[2]
        assert names_a_sound(word) or not understood, word


# --- a cue with no dialogue under it is a warning at its line -------------------------------

LONE = """\
INT. KITCHEN - NIGHT

MARA pours two cups of tea.

JUEN

It's late.

JUEN
Go to bed.

!MARA

THE END
"""


def project(tmp_path: Path, script: str) -> Path:
    root = tmp_path / "film"
    root.mkdir()
    (root / "script.fountain").write_text(script, encoding="utf-8")
    (root / "film.toml").write_text(
        'title = "Checks"\n\n[format]\nwidth = 320\nheight = 180\nfps = 24\n', encoding="utf-8"
    )
    return root


def test_a_lone_cue_is_a_warning_at_its_line(tmp_path: Path) -> None:
    root = project(tmp_path, LONE)
    warnings = load(root).warnings
    assert len(warnings) == 1  # not `!MARA` (forced action), not THE END (nobody's name)
    assert warnings[0].startswith(
        f"{root / 'script.fountain'}:5: JUEN has no dialogue after the cue: it becomes an "
        "action shot captioned 'JUEN'"
    )
    assert "right under the cue" in warnings[0]


def test_plan_prints_the_lone_cue_warning(tmp_path: Path) -> None:
    root = project(tmp_path, LONE)
    run = cinecode("plan", root)
    assert run.code == 0, run.err
    assert "warning: " in run.out
    assert "script.fountain:5: JUEN has no dialogue after the cue" in run.out
    assert (
        cinecode("plan", root, "--json")
        .json()["warnings"][0]
        .endswith("join it to the paragraph or write `!JUEN`")
    )


class StopAtWarning(RecordingReporter):
    """Records, and stops the build at its first warning."""

    def warning(self, message: str) -> None:
        super().warning(message)
        raise KeyboardInterrupt


def test_make_warns_before_any_work(tmp_path: Path) -> None:
    root = project(tmp_path, LONE)
    reporter = StopAtWarning()
    with pytest.raises(KeyboardInterrupt):
        make(root, reporter=reporter)
    assert [kind for kind, _ in reporter.events] == ["warning"]
    assert "script.fountain:5: JUEN has no dialogue" in reporter.of("warning")[0]


# ── Shot directives that would be ignored or cannot work are errors at their line ──


def load_error(tmp_path: Path, note: str) -> ScriptError:
    root = project(tmp_path, SCRIPT.format(note=note))
    with pytest.raises(ScriptError) as caught:
        load(root)
    return caught.value


def test_a_shot_directive_of_an_unknown_backend_names_its_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, "[[shot: wide, backend sketchy]]")
    assert (error.line, error.message) == (NOTE_LINE, "[[shot: backend sketchy]] names no backend")
    assert error.hint.startswith("did you mean sketch? known backends: comfyui")
    (tmp_path / "m").mkdir()
    motion = load_error(tmp_path / "m", "[[shot: motion camra]]")
    assert (motion.line, motion.message) == (NOTE_LINE, "[[shot: motion camra]] names no backend")
    assert "did you mean camera?" in motion.hint


def test_a_shot_directive_above_another_is_an_error_not_ignored() -> None:
    error = error_for("[[shot: wide, takes 4]]\n[[shot: close on MARA]]")
    assert error.line == NOTE_LINE
    assert error.message.startswith(
        f"[[shot: …]] is replaced by the [[shot: …]] at line {NOTE_LINE + 1} before any shot"
    )
    assert "merge the two into one note" in error.hint


def test_a_shot_directive_with_nothing_below_it_is_an_error() -> None:
    text = SCRIPT.format(note="[[mood: calm]]") + "\n[[shot: close on MARA]]\n"
    with pytest.raises(ScriptError) as caught:
        scenes_of(text)
    assert caught.value.line == text.count("\n")
    assert caught.value.message.startswith("[[shot: …]] has no action or dialogue below it")


def test_a_shot_directive_above_a_mood_still_makes_its_shot() -> None:
    (scene,) = scenes_of(SCRIPT.format(note="[[shot: close on MARA, takes 3]]\n[[mood: tense]]"))
    assert scene.mood == "tense"
    assert scene.shots[0].directive is not None and scene.shots[0].directive.takes == 3


@pytest.mark.parametrize("source", ["film.toml", "notes.txt"])
def test_a_source_that_is_no_picture_is_an_error_at_its_line(tmp_path: Path, source: str) -> None:
    root = project(tmp_path, SCRIPT.format(note=f"[[shot: source {source}]]"))
    (root / "notes.txt").write_text("not a picture")
    with pytest.raises(ScriptError) as caught:
        load(root)
    assert (caught.value.line, caught.value.message) == (
        NOTE_LINE,
        f"[[shot: source {source}]] is not a photo or a video clip",
    )
    assert caught.value.hint.startswith("give an image (png, jpg")


def test_a_text_file_named_like_a_photo_is_no_source(tmp_path: Path) -> None:
    root = project(tmp_path, SCRIPT.format(note="[[shot: source still.png]]"))
    (root / "still.png").write_text("not a picture")
    with pytest.raises(ScriptError, match="is not a photo or a video clip"):
        load(root)


@pytest.mark.parametrize("takes", ["0", "33", "100000"])
def test_takes_are_capped_like_the_command_line(takes: str) -> None:
    error = error_for(f"[[shot: close on MARA, takes {takes}]]")
    assert (error.line, error.message) == (
        NOTE_LINE,
        f"[[shot: takes {takes}]]: takes must be 1 to 32",
    )
    assert error.hint.startswith("ask for 32 at most, as `cinecode make --takes`")
    (scene,) = scenes_of(SCRIPT.format(note="[[shot: close on MARA, takes 32]]"))
    assert scene.shots[0].directive is not None and scene.shots[0].directive.takes == 32


def test_the_directive_cap_is_the_command_lines() -> None:
    import typer

    from cinecode.cli import app
    from cinecode.script.directives import MAX_TAKES

    make_command = typer.main.get_command(app).commands["make"]  # type: ignore[attr-defined]
    (takes,) = [p for p in make_command.params if p.name == "takes"]
    assert takes.max == MAX_TAKES
