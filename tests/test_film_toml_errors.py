"""film.toml with several mistakes: all of them in one run, each at its line, with a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import cinecode

from cinecode.errors import ProjectError, ProjectErrors
from cinecode.project.config import load_project


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "film.toml").write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, text: str) -> list[ProjectError]:
    """The problems load_project reports for `text`, in file order."""
    with pytest.raises(ProjectError) as caught:
        load_project(write(tmp_path, text))
    error = caught.value
    return list(error.problems) if isinstance(error, ProjectErrors) else [error]


def test_two_mistakes_are_reported_together_with_suggestions(tmp_path: Path) -> None:
    text = 'tittle = "A"\nseed = 2\n\n[storybaord]\nbackend = "sketch"\n'
    found = problems(tmp_path, text)
    assert [(p.line, p.message, p.hint) for p in found] == [
        (1, "unknown setting `tittle`", "did you mean `title`?"),
        (4, "unknown table `[storybaord]`", "did you mean `[storyboard]`?"),
    ]
    with pytest.raises(ProjectErrors) as caught:
        load_project(tmp_path)
    shown = str(caught.value)
    toml = tmp_path / "film.toml"
    assert f"{toml}:1: unknown setting `tittle`\n  → did you mean `title`?" in shown
    assert f"{toml}:4: unknown table `[storybaord]`\n  → did you mean `[storyboard]`?" in shown
    assert caught.value.line == 1  # the first problem stands for the whole, for one-error callers


def test_nested_unknown_keys_each_get_their_line(tmp_path: Path) -> None:
    text = (
        'title = "A"\n'
        "[characters.MARA]\n"
        'description = "x"\n'
        'colour = "#b5443a"\n'
        "[services.replicate]\n"
        "concurrency = 2\n"
        "timeot = 30\n"
        '[characters."OLD MAN".voise]\n'
        'preset = "elder"\n'
    )
    found = problems(tmp_path, text)
    assert [(p.line, p.message, p.hint) for p in found] == [
        (4, "unknown setting `characters.MARA.colour`", "did you mean `color`?"),
        (7, "unknown setting `services.replicate.timeot`", "did you mean `timeout`?"),
        (
            8,
            'unknown table `[characters."OLD MAN".voise]`',
            'did you mean `[characters."OLD MAN".voice]`?',
        ),
    ]


def test_an_unknown_array_of_tables_points_at_its_first_header(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, 'title = "A"\n[[formatt]]\nwidth = 3\n[[formatt]]\nwidth = 4\n')
    assert (found.line, found.message) == (2, "unknown table `[[formatt]]`")
    assert found.hint == "did you mean `[format]`?"


def test_a_type_error_has_its_line_among_the_others(tmp_path: Path) -> None:
    text = 'tittle = "A"\n\n[format]\nwidth = 1280\nfps = "fast"\n\n[edit]\nstyle = "montage"\n'
    found = problems(tmp_path, text)
    assert [p.line for p in found] == [1, 5, 8]
    assert found[1].message.startswith("`format.fps`: input should be a valid integer")
    assert found[2].message.startswith("`edit.style`:") and "continuity" in found[2].message


def test_with_nothing_close_the_valid_keys_are_listed(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "[format]\nwidth = 1280\nzoom = 2\n")
    assert (found.line, found.message) == (3, "unknown setting `format.zoom`")
    assert found.hint == "valid keys here: width, height, fps, sample_rate"


def test_a_key_written_in_the_wrong_table_says_where_it_belongs(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, 'title = "A"\nwidth = 1280\n')
    assert (found.line, found.hint) == (2, "`width` belongs in [format]")


def test_an_inline_table_is_checked_as_a_table_not_also_as_a_string(tmp_path: Path) -> None:
    text = '[characters.MARA]\nvoice = { preset = "woman-warm", pich = 2 }\n'
    (found,) = problems(tmp_path, text)  # not also "voice should be a valid string"
    assert (found.line, found.message) == (2, "unknown setting `characters.MARA.voice.pich`")
    assert found.hint == "did you mean `pitch`?"


def test_a_value_that_fits_no_form_is_one_problem(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "[characters.BEN]\nvoice = 5\n")
    assert (found.line, found.message) == (
        2,
        "`characters.BEN.voice` should be a valid string or a table",
    )


def test_a_misspelt_required_key_is_named(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, '[backends.fast]\nbakend = "comfyui"\n')
    assert (found.line, found.message) == (1, "`backends.fast.backend` is required")
    assert found.hint == "rename `bakend` to `backend`"


def test_a_syntax_error_still_stops_at_its_line(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, 'tittle = "A"\n[format]\nwidth = = 3\n')
    assert found.line == 3 and found.message.startswith("not valid TOML")


def test_the_command_line_prints_every_problem_and_exits_1(tmp_path: Path) -> None:
    root = write(tmp_path, 'tittle = "A"\n\n[format]\nfps = "fast"\n\n[storybaord]\n')
    (root / "script.fountain").write_text("INT. ROOM - DAY\n\nA chair.\n", encoding="utf-8")
    run = cinecode("plan", root)
    toml = root / "film.toml"
    assert run.code == 1 and "Traceback" not in run.err
    lines = run.err.splitlines()
    assert lines[0::2] == [
        f"error: {toml}:1: unknown setting `tittle`",
        f"error: {toml}:4: `format.fps`: input should be a valid integer, unable to parse string "
        "as an integer",
        f"error: {toml}:6: unknown table `[storybaord]`",
    ]
    assert lines[1::2] == [
        "  → did you mean `title`?",
        "  → fix the value; the README lists every setting of film.toml",
        "  → did you mean `[storyboard]`?",
    ]


# ── Input that never crashes (issue 17): each problem at its line, never a traceback ──


@pytest.mark.parametrize(
    "value",
    ["[" * 5000 + "]" * 5000, "{a=" * 900 + "1" + "}" * 900, "[{a=" * 20000 + "1" + "}]" * 20000],
    ids=["arrays", "inline tables", "both"],
)
def test_nesting_too_deep_is_refused_at_its_line(tmp_path: Path, value: str) -> None:
    (found,) = problems(tmp_path, f'title = "A"\n# a comment with [[[[ and {{{{\nx = {value}\n')
    assert (found.line, found.message) == (3, "arrays or inline tables nest more than 64 deep")


def test_brackets_in_strings_and_comments_are_no_nesting(tmp_path: Path) -> None:
    text = 'title = "' + "[" * 100 + '"\n# ' + "{" * 100 + "\n[format]\nwidth = 640\n"
    (write(tmp_path, text) / "script.fountain").write_text("INT. A - DAY\n\nA chair.\n")
    assert load_project(tmp_path).config.format.width == 640


def test_a_truncated_file_points_at_its_last_line(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, 'title = "A"\n\n[format]\nwidth = [640,\n')
    assert found.line == 4 and found.message.startswith("not valid TOML")
    assert "end of the file" in found.message and "document" not in found.message


def test_a_table_declared_twice_points_at_the_second(tmp_path: Path) -> None:
    text = '[storyboard]\nbackend = "sketch"\n\n[voice]\nbackend = "piper"\n[storyboard]\n'
    (found,) = problems(tmp_path, text)
    assert (found.line, found.message) == (
        6,
        "not valid TOML: Cannot declare ('storyboard',) twice",
    )
    assert found.hint.startswith("write each table once")


def test_an_unknown_backend_names_its_line_and_the_known_ones(tmp_path: Path) -> None:
    text = 'title = "A"\n\n[storyboard]\nbackend = "sketchy"\n\n[motion]\nbackend = "still"\n'
    (found,) = problems(tmp_path, text)
    assert (found.line, found.message) == (4, "`storyboard.backend`: unknown backend 'sketchy'")
    assert found.hint.startswith("did you mean sketch? known backends: comfyui, composer")


def test_every_unknown_backend_is_reported_with_its_line(tmp_path: Path) -> None:
    text = (
        '[backends.flux]\nbackend = "comfyu"\n'
        '[music]\nbackend = "none"\n'
        '[finishing]\nupscaler = "flux"\ninterpolator = "rife"\n'
        '[characters.MARA.voice]\nbackend = "elevenlab"\n'
    )
    found = problems(tmp_path, text)
    assert [(p.line, p.message) for p in found] == [
        (2, "`backends.flux.backend`: unknown backend 'comfyu'"),
        (7, "`finishing.interpolator`: unknown backend 'rife'"),
        (9, "`characters.MARA.voice.backend`: unknown backend 'elevenlab'"),
    ]
    assert found[2].hint.startswith("did you mean elevenlabs?")


def test_an_unknown_parent_table_points_at_its_header(tmp_path: Path) -> None:
    text = 'title = "A"\n\n[charactKrs.JUNO]\ndescription = "x"\n'
    (found,) = problems(tmp_path, text)
    assert (found.line, found.message) == (3, "unknown table `[charactKrs]`")
    assert found.hint == "did you mean `[characters]`?"


def test_the_command_line_says_where_the_backend_is_wrong(tmp_path: Path) -> None:
    root = write(tmp_path, '[storyboard]\nbackend = "sketchy"\n')
    (root / "script.fountain").write_text("INT. ROOM - DAY\n\nA chair.\n", encoding="utf-8")
    run = cinecode("plan", root)
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.startswith(
        f"error: {root / 'film.toml'}:2: `storyboard.backend`: unknown backend 'sketchy'\n"
    )
