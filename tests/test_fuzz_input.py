"""Malformed input never crashes: 300 seeded mutations of a small film.toml and screenplay, each
planned through the real command line (in process), exit 0 or 1 with no traceback, and every
error names the file and the line to look at."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cinecode.cli import app

FILM = """\
title = "Fuzz"
script = "script.fountain"
seed = 3

[format]
width = 320
height = 180
fps = 24

[storyboard]
backend = "sketch"

[voice]
backend = "piper"

[music]
backend = "composer"

[characters.MARA]
description = "a lighthouse keeper in a red coat"
voice = "woman-warm"
color = "#c8553d"

[locations.KITCHEN]
description = "a stone kitchen at night"
palette = ["#6b3f24", "#f2a65a"]

[mix]
loudness = "default"
duck = 8.0
"""
SCRIPT = """\
Title: Fuzz
Credit: Written by
Author: cinecode

INT. KITCHEN - NIGHT

[[mood: calm]]

[[ambience: wind and surf]]

[[shot: wide, drift, 3s]]
MARA pours two cups of tea.

MARA
It's late.

[[shot: close on MARA, push in, takes 2]]
MARA
(softly)
Go to sleep.

[[sfx: door slams]]

EXT. JETTY - DAY

Mara walks along the jetty.

ELI
Wait for me!
"""
CASES = 300
#: errors that truly have no line: the file alone is named (none are expected from these
#: mutations, which never remove a file; kept explicit and short)
LINELESS: tuple[str, ...] = ("no film.toml in this folder",)
_PLACE = re.compile(r"(film\.toml|script\.fountain):\d+: ")

BACKENDS = ("sketch", "sketchy", "piper", "pipr", "composer", "camera", "comfyui", "x", "")
DIRECTIVES = (
    "[[shot: {words}]]",
    "[[shot: close on {name}, {words}]]",
    "[[shot: takes {number}]]",
    "[[shot: seed {number}]]",
    "[[shot: {number}s]]",
    "[[shot: source {file}]]",
    "[[shot: backend {backend}]]",
    "[[shot: motion {backend}]]",
    '[[shot: prompt "{words}]]',
    "[[mood: {words}]]",
    "[[sfx: {words}]]",
    "[[ambience: {words}]]",
    "[[mood:]]",
    "[[shot: wide]]\n[[shot: close]]",
)
WORDS = ("wide", "push in", "tense", "door slams", "gulls", "on", "and", "²", "[[", "]]", '"')
NOISE = ("[", "]", "{", "}", '"', "'", '"""', "=", "#", "\\", "\n", "[[", "]]", ",", ".", ":")


def _line_edit(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    choice = rng.randrange(3)
    if choice == 0:
        del lines[i]
    elif choice == 1:
        lines.insert(i, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _insert(rng: random.Random, text: str, piece: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + piece + text[at:]


def _nesting(rng: random.Random) -> str:
    depth = rng.choice((3, 60, 70, 200, 900, 5000, 20000))
    kind = rng.randrange(3)
    if kind == 0:
        return f"deep = {'[' * depth}{']' * depth}\n"
    if kind == 1:
        return f"deep = {'{a=' * depth}1{'}' * depth}\n"
    return f"deep = {'[{a=' * depth}1{'}]' * depth}\n"


def _misspell(rng: random.Random, text: str) -> str:
    keys = re.findall(r"^\[?([A-Za-z_]+)", text, re.M)
    if not keys:
        return text
    key = rng.choice(keys)
    if len(key) < 2:
        return text
    i = rng.randrange(len(key) - 1)
    wrong = key[:i] + key[i + 1] + key[i] + key[i + 2 :]
    return text.replace(key, wrong, 1)


def _run(rng: random.Random) -> str:
    """A mark repeated, a few times or thousands (notes, boneyard and emphasis scans)."""
    return rng.choice(("[[", "]]", "/*", "*")) * rng.choice((2, 5000))


def _directive(rng: random.Random) -> str:
    return rng.choice(DIRECTIVES).format(
        words=" ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 4))),
        name=rng.choice(("MARA", "ELI", "NOBODY", "")),
        number=rng.choice(("0", "1", "32", "33", "100000", "9" * 30, "-1", "x")),
        file=rng.choice(("film.toml", "script.fountain", "missing.mp4", "../x.png", "")),
        backend=rng.choice(BACKENDS),
    )


FilmEdit = Callable[[random.Random, str], str]
FILM_EDITS: tuple[FilmEdit, ...] = (
    _line_edit,
    lambda rng, text: text[: rng.randrange(len(text))],
    lambda rng, text: _insert(rng, text, rng.choice(NOISE)),
    lambda rng, text: text + _nesting(rng),
    lambda rng, text: text + '\n[storyboard]\nbackend = "sketch"\n',
    lambda rng, text: text + rng.choice(("\n[format]\nfps = 30\n", "\n[characters.MARA]\n")),
    _misspell,
    lambda rng, text: re.sub(r'backend = "\w+"', f'backend = "{rng.choice(BACKENDS)}"', text),
    lambda rng, text: text.replace("[characters.MARA]", "[charactKrs.MARA]"),
)
SCRIPT_EDITS: tuple[FilmEdit, ...] = (
    _line_edit,
    lambda rng, text: text[: rng.randrange(len(text))],
    lambda rng, text: _insert(rng, text, rng.choice(NOISE)),
    lambda rng, text: _insert(rng, text, "\n\n" + _directive(rng) + "\n"),
    lambda rng, text: _insert(rng, text, _directive(rng)),
    lambda rng, text: _insert(rng, text, _run(rng)),
    lambda rng, text: text.replace("MARA\n", rng.choice(("MRAA\n", "@mara\n", "MARA ^\n")), 1),
)


def _insert_bytes(rng: random.Random, raw: bytes, junk: bytes) -> bytes:
    at = rng.randrange(len(raw) + 1)
    return raw[:at] + junk + raw[at:]


def mutate(seed: int) -> tuple[bytes, bytes]:
    """film.toml and the screenplay after one to three seeded mutations."""
    rng = random.Random(seed)
    film, script = FILM, SCRIPT
    for _ in range(rng.randrange(1, 4)):
        if rng.random() < 0.5:
            film = rng.choice(FILM_EDITS)(rng, film)
        else:
            script = rng.choice(SCRIPT_EDITS)(rng, script)
    raw_film, raw_script = film.encode(), script.encode()
    if rng.random() < 0.08:  # bytes that are no UTF-8
        junk = bytes(rng.randrange(128, 256) for _ in range(3))
        if rng.random() < 0.5:
            raw_film = _insert_bytes(rng, raw_film, junk)
        else:
            raw_script = _insert_bytes(rng, raw_script, junk)
    return raw_film, raw_script


def plan(root: Path) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, ["plan", str(root)], env={"COLUMNS": "120"})
    error = None if isinstance(result.exception, SystemExit) else result.exception
    return result.exit_code, result.output, error


def test_the_unmutated_film_plans(tmp_path: Path) -> None:
    (tmp_path / "film.toml").write_text(FILM)
    (tmp_path / "script.fountain").write_text(SCRIPT)
    code, output, error = plan(tmp_path)
    assert (code, error) == (0, None), output


@pytest.mark.parametrize("seed", range(CASES))
def test_malformed_input_exits_1_with_file_and_line(tmp_path: Path, seed: int) -> None:
    film, script = mutate(seed)
    (tmp_path / "film.toml").write_bytes(film)
    (tmp_path / "script.fountain").write_bytes(script)
    code, output, error = plan(tmp_path)
    assert error is None, f"seed {seed} raised {error!r}\n{output}"
    assert code in (0, 1), output
    assert "Traceback" not in output and "RecursionError" not in output, output
    if code == 1:
        errors = [line for line in output.splitlines() if line.startswith("error: ")]
        assert errors, output
        for line in errors:
            assert _PLACE.search(line) or any(m in line for m in LINELESS), output
