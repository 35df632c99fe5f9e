"""The project argument may be left out (the nearest film.toml, here or above, like git), and
`cinecode new` casts the screenplay: every speaking character with a distinct voice, every
location with a distinct palette, in a film.toml that loads and plans."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from conftest import FIXTURES
from helpers import cinecode

from cinecode.cli import ProjectCommand, app
from cinecode.project.config import load_project


def project(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    return root


def nowhere(tmp_path: Path) -> Path:
    """A folder with no film.toml in it or above it."""
    folder = tmp_path / "nowhere"
    folder.mkdir()
    if any((p / "film.toml").is_file() for p in (folder, *folder.parents)):
        pytest.skip("a film.toml above the test's temporary folder")
    return folder


def test_status_and_plan_inside_a_project_or_a_folder_under_it(tmp_path: Path) -> None:
    root = project(tmp_path)
    status = cinecode("status", "--json", cwd=root)
    assert status.code == 0, status.err
    assert status.json()["title"] == "Tiny"
    deep = root / "notes" / "drafts"
    deep.mkdir(parents=True)
    plan = cinecode("plan", "--json", cwd=deep)
    assert plan.code == 0, plan.err
    assert plan.json()["scenes"] == cinecode("plan", root, "--json").json()["scenes"]


@pytest.mark.slow
def test_pick_with_and_without_the_project(tmp_path: Path) -> None:
    root = project(tmp_path)
    made = cinecode("regen", root, "1.1", "--takes", "2", "--json")
    assert made.code == 0, made.err
    first, second = made.json()["takes"]
    inside = root / "build" / "somewhere"
    inside.mkdir(parents=True)
    # without: the shot and the take alone, from a folder under the project
    run = cinecode("pick", "1.1", "2", cwd=inside)
    assert run.code == 0, run.err
    assert run.last == second
    listed = cinecode("takes", "1.1", "--json", cwd=inside).json()
    assert [t["in_cut"] for t in listed] == [False, True]
    # with: the project folder, or its film.toml, as before, from anywhere
    assert cinecode("pick", root, "1.1", "1", cwd=tmp_path).last == first
    assert cinecode("pick", root / "film.toml", "1.1", "2", cwd=tmp_path).last == second
    assert cinecode("pick", ".", "1.1", "1", cwd=root).last == first
    # options go anywhere; a missing argument is still named
    assert cinecode("lock", "--off", "1.1", cwd=inside).last == "1.1"
    short = cinecode("pick", "1.1", cwd=inside)
    assert short.code == 2 and "Missing argument" in short.err and "take" in short.err.lower()


def test_outside_any_project_the_error_says_what_to_do(tmp_path: Path) -> None:
    folder = nowhere(tmp_path)
    for args in (("status",), ("pick", "3.2", "2"), ("export", "csv")):
        run = cinecode(*args, cwd=folder)
        assert run.code == 1, (args, run.err)
        assert "no film.toml in this folder or any folder above it" in run.err
        assert "cinecode new" in run.err and "Missing argument" not in run.err
        assert "Traceback" not in run.err
    help_text = cinecode("status", "--help", cwd=folder)
    assert help_text.code == 0 and "project" in help_text.out.lower()


def test_every_command_on_a_project_may_leave_it_out() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    taking = {
        name: command
        for name, command in commands.items()
        if any(p.param_type_name == "argument" and p.name == "project" for p in command.params)
    }
    assert {"plan", "make", "status", "pick", "export", "conform", "studio"} <= set(taking)
    for name, command in taking.items():
        assert isinstance(command, ProjectCommand), name
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        assert arguments[0].name == "project" and not arguments[0].required, name


SCRIPT = """\
Title: Eleven Voices

INT. KITCHEN - NIGHT

TOM (8) drops a spoon. His grandmother GRETA (80) does not look up.

TOM
Sorry.

GRETA
Again.

Tom's mother, JUNE, comes in with the shopping.

JUNE
Who wants soup?

EXT. HARBOUR - DAY

MARCUS waits on the quay. He checks his watch.

MARCUS
She is late.

{others}

INT. LIGHTHOUSE - LAMP ROOM - NIGHT

GRETA
Light it.
"""
OTHERS = ("ABEL", "BEA", "CY", "DOT", "ED", "FAY", "GUS", "HAL")


def test_new_from_script_casts_everyone_with_distinct_voices_and_palettes(
    tmp_path: Path,
) -> None:
    others = "\n\n".join(f"{name}\nLine {i}." for i, name in enumerate(OTHERS))
    draft = tmp_path / "draft.fountain"
    draft.write_text(SCRIPT.format(others=others), encoding="utf-8")
    run = cinecode("new", tmp_path / "film", "--from-script", draft)
    assert run.code == 0, run.err
    root = Path(run.last)
    loaded = load_project(root)  # the project's own loader: valid film.toml
    characters = loaded.config.characters
    assert list(characters) == ["TOM", "GRETA", "JUNE", "MARCUS", *OTHERS]  # who speaks, in order
    voices = [c.voice_setting for c in characters.values()]
    distinct = {(v.preset, v.pitch, v.formant, v.rate, v.brightness) for v in voices}
    assert len(distinct) == len(characters) > 9  # more parts than presets, still all distinct
    assert characters["TOM"].voice_setting.preset == "child"  # the script gives ages
    assert characters["GRETA"].voice_setting.preset in ("woman-low", "elder")
    assert characters["JUNE"].voice_setting.preset.startswith("woman-")  # "Tom's mother, JUNE"
    assert characters["MARCUS"].voice_setting.preset.startswith("man-")  # "He checks his watch"
    assert characters["TOM"].description == "Tom, 8"
    assert len({c.color for c in characters.values()}) == len(characters)
    locations = loaded.config.locations
    assert list(locations) == ["KITCHEN", "HARBOUR", "LIGHTHOUSE - LAMP ROOM"]
    palettes = [tuple(location.palette) for location in locations.values()]
    assert len(set(palettes)) == len(palettes) and all(len(p) == 3 for p in palettes)
    assert "# [characters.NAME]" not in (root / "film.toml").read_text()  # no template left
    plan = cinecode("plan", "--json", cwd=root)
    assert plan.code == 0, plan.err
    assert len(plan.json()["scenes"]) == 3


def test_new_without_a_script_casts_the_starter(tmp_path: Path) -> None:
    run = cinecode("new", tmp_path / "myfilm")
    assert run.code == 0, run.err
    characters = load_project(Path(run.last)).config.characters
    assert characters["ANNA"].voice_setting.preset.startswith("woman-")
    assert characters["BEN"].voice_setting.preset.startswith("man-")
    assert cinecode("plan", cwd=Path(run.last)).code == 0
