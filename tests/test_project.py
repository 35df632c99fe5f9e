"""film.toml: loading, validation, and errors that point at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinecode.errors import ProjectError
from cinecode.project.config import load_project


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "film.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, 'title = "A"\n'))
    fmt = project.config.format
    assert (fmt.width, fmt.height, fmt.fps) == (1280, 720, 24)
    assert project.config.storyboard.backend == "sketch"
    assert project.config.voice.backend == "piper"


def test_department_parameters_reach_the_backend(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, '[storyboard]\nbackend = "sketch"\nstyle = "ink"\n'))
    assert project.config.storyboard.params == {"style": "ink"}


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as caught:
        load_project(write(tmp_path, 'title = "A"\n\n[format]\nwidth = = 3\n'))
    assert caught.value.line == 4
    assert f"{tmp_path / 'film.toml'}:4" in str(caught.value)


def test_bad_value_names_the_line_and_the_key(tmp_path: Path) -> None:
    text = 'title = "A"\n\n[format]\nwidth = 1280\nfps = "fast"\n'
    with pytest.raises(ProjectError) as caught:
        load_project(write(tmp_path, text))
    assert caught.value.line == 5
    assert "format.fps" in str(caught.value)


def test_unknown_setting_is_refused_at_its_line(tmp_path: Path) -> None:
    text = 'title = "A"\n[characters.MARA]\ndescription = "x"\nvoise = "woman-warm"\n'
    with pytest.raises(ProjectError) as caught:
        load_project(write(tmp_path, text))
    assert caught.value.line == 4
    assert "voise" in str(caught.value)


def test_bad_colour_in_an_inline_table_line(tmp_path: Path) -> None:
    text = '[locations.HARBOUR]\ndescription = "x"\npalette = ["#123456", "blue"]\n'
    with pytest.raises(ProjectError) as caught:
        load_project(write(tmp_path, text))
    assert caught.value.line == 3
    assert "blue" in str(caught.value)


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "film.toml").write_bytes(b'title = "ok"\ntitle2 = "caf\xe9"\n')
    with pytest.raises(ProjectError) as caught:
        load_project(tmp_path)
    assert caught.value.line == 2
    assert "UTF-8" in str(caught.value)


def test_missing_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as caught:
        load_project(tmp_path)
    assert "cinecode new" in str(caught.value)
