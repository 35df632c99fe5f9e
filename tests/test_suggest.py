"""`cinecode breakdown`: a chat model's shot proposals, shown as a diff, written as accepted."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import FakeOpenAI, Loopback, Seen, write
from typer.testing import CliRunner

from cinecode.cli import app
from cinecode.pipeline.session import load

KEY = "sk-breakdown-canary-42"
ENV = "CINECODE_TEST_OPENAI_KEY"
os.environ[ENV] = KEY

SCRIPT = """\
Title: Hosted

INT. LAMP ROOM - NIGHT

Mara climbs to the great lens.

MARA
It still turns.

ELIAS
(beat)
Every night.
"""


def answer(seen: Seen) -> str:
    """Proposals for the shots the prompt lists: MARA's gets a close-up, ELIAS's a low
    angle; plus a line where no shot starts and a name nobody has."""
    prompt = seen.json()["messages"][1]["content"]
    lines = {
        m.group(2): int(m.group(1))
        for m in re.finditer(r"line (\d+) · shot \S+ · dialogue · now: .*\n\s+(\w+):", prompt)
    }
    return json.dumps(
        {
            "shots": [
                {
                    "line": lines["MARA"],
                    "shot": "close on MARA, push in",
                    "prompt": 'the "great" lens glows',
                },
                {
                    "line": lines["ELIAS"],
                    "shot": "medium on ELIAS, low angle",
                    "prompt": "rain on glass",
                },
                {"line": 999, "shot": "wide"},
                {"line": lines["ELIAS"] - 1, "shot": "close on BOB"},
            ]
        }
    )


@pytest.fixture
def film(tmp_path: Path) -> Iterator[Path]:
    with Loopback(FakeOpenAI(KEY, answer=answer)) as server:
        write(
            tmp_path / "film.toml",
            f'title = "Hosted"\n[breakdown]\nbackend = "openai"\nmodel = "gpt-4o-mini"\n'
            f'[services.openai]\nbase_url = "{server.url}/v1"\napi_key_env = "{ENV}"\n',
        )
        write(tmp_path / "script.fountain", SCRIPT)
        yield tmp_path


def run(*args: str, input: str = "") -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_shows_the_diff_and_writes_nothing(film: Path) -> None:
    code, out, err = run("breakdown", str(film), "--dry-run")
    assert code == 0, err
    assert "+[[shot: close on MARA, push in, prompt \"the 'great' lens glows\"]]" in out
    assert '+[[shot: medium on ELIAS, low angle, prompt "rain on glass"]]' in out
    assert "line 999: no shot starts there" in err
    assert (film / "script.fountain").read_text() == SCRIPT


def test_only_accepted_hunks_are_written_and_the_script_still_reads(film: Path) -> None:
    code, _, err = run("breakdown", str(film), input="y\nn\n")
    assert code == 0, err
    text = (film / "script.fountain").read_text()
    assert "close on MARA" in text and "low angle" not in text
    loaded = load(film)
    assert [s.heading for s in loaded.film.scenes] == ["INT. LAMP ROOM - NIGHT"]
    mara = next(s for s in loaded.film.shots if s.speaker == "MARA")
    assert (mara.size, mara.move) == ("close", "push-in")
    assert mara.directive is not None and "lens glows" in mara.directive.prompt


def test_yes_accepts_all_and_a_second_run_replaces_its_notes(film: Path) -> None:
    assert run("breakdown", str(film), "--yes")[0] == 0
    first = (film / "script.fountain").read_text()
    assert run("breakdown", str(film), "--yes")[0] == 0
    second = (film / "script.fountain").read_text()
    assert second.count("[[shot:") == 2 and second == first
    elias = next(s for s in load(film).film.shots if s.speaker == "ELIAS")
    assert elias.angle == "low"
