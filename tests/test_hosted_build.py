"""A film built with hosted services (loopback fal, Runway and ElevenLabs; Replicate for the
crash test): estimate vs actual, budgets, credentials, and resuming after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from loopback import (
    FakeElevenLabs,
    FakeFal,
    FakeReplicate,
    FakeRunway,
    Fault,
    Loopback,
    write,
)

from cinecode.commands.ledger import ledger_report
from cinecode.commands.report import plan_report
from cinecode.graph.catalog import Catalog
from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.build import make

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hosted-build")]

CANARY = "sk-canary-c1n3c0d3-9b7e41f0"
ENV = "CINECODE_CANARY_KEY"
os.environ[ENV] = CANARY

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

QUIET_SCRIPT = """\
Title: Quiet

EXT. ISLAND JETTY - DAY

A gull lands on the bollard.

TEO
Look!
"""


def service(url: str) -> str:
    return f'base_url = "{url}"\napi_key_env = "{ENV}"\npoll_interval = 0.02\ntimeout = 5\n'


def project(root: Path, servers: dict[str, Loopback], *, budget: float | None = None) -> Path:
    toml = f"""\
title = "Hosted"
script = "script.fountain"

[format]
width = 320
height = 180
fps = 24

[storyboard]
backend = "fal"
model = "fal-ai/flux/schnell"

[motion]
backend = "runway"
model = "gen4_turbo"

[voice]
backend = "elevenlabs"
model = "eleven_multilingual_v2"

[music]                 # this film is about the hosted services: no offline score or effects
backend = "none"
[effects]
backend = "none"

[characters.MARA]
voice = {{ voice_id = "voice-mara", settings = {{ stability = 0.5 }} }}

[services.fal]
{service(servers["fal"].url)}
[services.runway]
{service(servers["runway"].url + "/v1")}
[services.elevenlabs]
{service(servers["elevenlabs"].url + "/v1")}
"""
    if budget is not None:
        toml += f"\n[budget]\nlimit = {budget}\n"
    write(root / "film.toml", toml)
    write(root / "script.fountain", SCRIPT)
    # the project's own price for this model replaces the shipped one
    write(root / "prices.toml", '[elevenlabs]\n"eleven_multilingual_v2" = { per_1k_chars = 0.5 }\n')
    return root


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Loopback]]:
    with (
        Loopback(FakeFal(CANARY, polls=2)) as fal,
        Loopback(FakeRunway(CANARY, polls=2, seconds=5.0)) as runway,
        Loopback(FakeElevenLabs(CANARY)) as elevenlabs,
    ):
        yield {"fal": fal, "runway": runway, "elevenlabs": elevenlabs}


@pytest.fixture(scope="module")
def built(servers: dict[str, Loopback], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = project(tmp_path_factory.mktemp("hosted") / "film", servers)
    before = plan_report(root)
    result = make(root, reporter=RecordingReporter(), workers=2)
    return {"root": root, "plan": before, "result": result, "ledger": ledger_report(root)}


def test_the_plan_prices_every_hosted_generation(built: dict[str, Any]) -> None:
    cost = built["plan"]["estimated_cost"]
    shots = [s for scene in built["plan"]["scenes"] for s in scene["shots"]]
    # 3 keyframes at 0.003, 3 clips of 5 s at 0.05/s, 27 characters at 0.5 per 1,000
    assert cost["departments"]["storyboard"]["money"] == pytest.approx(0.009)
    assert cost["departments"]["motion"]["money"] == pytest.approx(0.75)
    assert cost["departments"]["voice"]["money"] == pytest.approx(27 / 1000 * 0.5)
    assert sum(s["estimated_cost"]["money"] for s in shots) == pytest.approx(cost["money"])
    assert [s["estimated_cost"]["money"] for s in shots][1] == pytest.approx(
        0.003 + 0.25 + 15 / 1000 * 0.5  # keyframe, clip and MARA's line
    )


def test_the_film_is_built_from_hosted_generations(built: dict[str, Any]) -> None:
    result = built["result"]
    assert result.master.is_file() and result.stats.failed == 0
    assert result.stats.generated == 3 + 3 + 2


def test_estimate_and_actual_agree(built: dict[str, Any]) -> None:
    ledger = built["ledger"]
    assert ledger["total"]["money"] == pytest.approx(built["plan"]["estimated_cost"]["money"])
    assert ledger["total"]["estimated"] == pytest.approx(ledger["total"]["money"])
    for name, department in ledger["departments"].items():
        assert department["money"] == pytest.approx(department["estimated"]), name
    assert ledger["backends"]["runway"]["money"] == pytest.approx(0.75)
    assert ledger["takes"] == {"generated": 3, "used": 3, "shooting_ratio": 1.0}
    assert Path(ledger["chart"]).read_bytes().startswith(b"\x89PNG")


def test_a_second_make_pays_nothing(built: dict[str, Any], servers: dict[str, Loopback]) -> None:
    counts = {name: s.provider.submissions for name, s in servers.items()}
    again = make(built["root"], reporter=RecordingReporter(), workers=2)
    assert again.stats.generated == 0 and again.stats.cost.money == 0
    assert {name: s.provider.submissions for name, s in servers.items()} == counts


def test_the_api_key_is_in_no_file_the_build_wrote(
    built: dict[str, Any], servers: dict[str, Loopback]
) -> None:
    files = [p for p in built["root"].rglob("*") if p.is_file()]
    assert any(p.name == "catalog.sqlite" for p in files)
    assert any(p.suffix == ".mp4" for p in files)
    for path in files:
        assert CANARY.encode() not in path.read_bytes(), path
    # yet every provider was sent it
    assert servers["fal"].provider.requests[0].headers["authorization"] == f"Key {CANARY}"
    assert servers["runway"].provider.requests[0].headers["authorization"] == f"Bearer {CANARY}"
    assert servers["elevenlabs"].provider.requests[0].headers["xi-api-key"] == CANARY


def test_a_budget_smaller_than_the_plan_stops_at_the_cap(
    servers: dict[str, Loopback], tmp_path: Path
) -> None:
    root = project(tmp_path / "film", servers, budget=0.3)
    result = make(root, reporter=RecordingReporter(), workers=1)
    stats = result.stats
    assert stats.cost.money <= 0.3 + 1e-9
    assert stats.over_budget  # clips that would pass the cap were not started
    assert all(label.startswith("clip") for label in stats.over_budget)
    summary = stats.budget_summary("USD")
    assert "spent" in summary and "left" in summary and "not started" in summary
    assert stats.as_dict()["budget"]["remaining"] == pytest.approx(0.3 - stats.cost.money)
    assert not result.master.is_file()

    from typer.testing import CliRunner

    from cinecode.cli import app

    again = CliRunner().invoke(app, ["make", str(root), "--budget", "0.1"])
    assert again.exit_code == 1
    assert "budget 0.10: spent 0.00, 0.10 left" in again.stderr
    assert "raise --budget" in again.stderr


def test_one_refused_shot_does_not_stop_the_others(
    servers: dict[str, Loopback], tmp_path: Path
) -> None:
    root = project(tmp_path / "film", servers)
    write(root / "script.fountain", SCRIPT.replace("great lens", "great lens at midnight"))
    servers["fal"].provider.fail("POST /fal-ai/flux/schnell", Fault(status=422))
    result = make(root, reporter=RecordingReporter(), workers=1)
    assert result.stats.failed == 1 and "HTTP 422" in result.stats.failures[0][1]
    assert result.stats.generated >= 2 + 2 + 2  # the other keyframes, their clips, voices


def crash_project(root: Path, url: str, voices: str) -> Path:
    write(
        root / "film.toml",
        f"""\
title = "Quiet"
[format]
width = 320
height = 180
fps = 24
[storyboard]
backend = "replicate"
model = "black-forest-labs/flux-schnell"
[voice]
backend = "elevenlabs"
[services.replicate]
{service(url + "/v1")}
[services.elevenlabs]
{service(voices + "/v1")}""",
    )
    write(root / "script.fountain", QUIET_SCRIPT)
    return root


def test_a_killed_build_resumes_the_same_hosted_job(tmp_path: Path) -> None:
    with Loopback(FakeReplicate(CANARY)) as server, Loopback(FakeElevenLabs(CANARY)) as voices:
        fake = server.provider
        fake.release.clear()  # the prediction keeps running
        root = crash_project(tmp_path / "film", server.url, voices.url)
        env = {**os.environ, "PYTHONPATH": str(ROOT), ENV: CANARY}
        proc = subprocess.Popen(
            # one job at a time, so the killed build has exactly one prediction in flight
            [sys.executable, "-m", "cinecode.cli", "make", str(root), "--workers", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while not fake.of("GET", "/v1/predictions/") and proc.poll() is None:
            assert time.monotonic() < deadline, "the build never polled its prediction"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # a crash: nothing gets to clean up
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        catalog = Catalog(root / ".cinecode" / "catalog.sqlite")
        remembered = [j["provider_id"] for j in catalog.provider_jobs()]
        catalog.close()
        assert remembered and set(remembered) <= set(fake.jobs)  # kept before waiting

        fake.release.set()
        again = subprocess.run(
            [sys.executable, "-m", "cinecode.cli", "make", str(root)],
            env=env,
            capture_output=True,
            timeout=300,
        )
        assert again.returncode == 0, again.stderr.decode()
        # one submission per keyframe (the gull, and Teo's shot): the killed one was resumed
        prompts = [r.json()["input"]["prompt"] for r in fake.of("POST", "/v1/models/")]
        assert fake.submissions == 2 and len(set(prompts)) == 2
        catalog = Catalog(root / ".cinecode" / "catalog.sqlite")
        jobs = catalog.provider_jobs()
        catalog.close()
        assert [j["provider_id"] for j in jobs] == ["job0001", "job0002"]
        assert all(j["state"] == "done" for j in jobs)
        assert Path(again.stdout.decode().strip().splitlines()[-1]).is_file()
        assert CANARY.encode() not in again.stdout + again.stderr + stderr
        for path in root.rglob("*"):
            if path.is_file():
                assert CANARY.encode() not in path.read_bytes(), path


def test_ledger_command_prints_spend_and_the_chart_path(built: dict[str, Any]) -> None:
    from typer.testing import CliRunner

    from cinecode.cli import app

    result = CliRunner().invoke(app, ["ledger", str(built["root"])])
    assert result.exit_code == 0, result.stderr
    assert "runway" in result.stdout and "0.75" in result.stdout
    assert result.stdout.strip().splitlines()[-1].endswith("ledger.png")
