"""Every attempt a provider billed is on the ledger and counts against the budget, also the
ones cinecode rejected (a result that failed its checks and was asked for again)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from loopback import FakeOpenAI, Loopback, Reply, Seen, write

from cinecode.commands.ledger import ledger_report
from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.build import make

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hosted-build")]

KEY = "sk-canary-billed-41"
ENV = "CINECODE_BILLED_KEY"
IMAGE = 0.063  # gpt-image-1 at 1536x1024, the shipped price list

SCRIPT = """\
Title: Billed

EXT. ISLAND JETTY - DAY

A gull lands on the bollard.
"""


class Corrupting(FakeOpenAI):
    """Answers (and bills) the first `bad` image requests with bytes that are no image."""

    def __init__(self, key: str, bad: int) -> None:
        super().__init__(key)
        self.bad = bad

    def route(self, seen: Seen) -> Reply:
        if seen.path == "/v1/images/generations" and self.bad > 0:
            self.bad -= 1
            self.submissions += 1
            junk = base64.b64encode(b"\x89PNG truncated").decode()
            return Reply.json({"created": 1, "data": [{"b64_json": junk}]})
        return super().route(seen)


def project(root: Path, url: str, *, budget: float | None = None) -> Path:
    toml = f"""\
title = "Billed"

[format]
width = 320
height = 180
fps = 24

[storyboard]
backend = "openai"
model = "gpt-image-1"

[music]
backend = "none"
[effects]
backend = "none"

[services.openai]
base_url = "{url}/v1"
api_key_env = "{ENV}"
retries = 0
"""
    if budget is not None:
        toml += f"\n[budget]\nlimit = {budget}\n"
    write(root / "film.toml", toml)
    write(root / "script.fountain", SCRIPT)
    return root


@pytest.fixture(autouse=True)
def key() -> None:
    os.environ[ENV] = KEY


def test_a_rejected_image_is_on_the_ledger_and_in_the_builds_cost(tmp_path: Path) -> None:
    with Loopback(Corrupting(KEY, bad=1)) as server:
        root = project(tmp_path / "film", server.url)
        first = make(root, reporter=RecordingReporter(), workers=2)
        assert first.stats.failed == 1  # the corrupt image was rejected…
        assert first.stats.cost.money == pytest.approx(IMAGE)  # …but it was paid for
        second = make(root, reporter=RecordingReporter(), workers=2)
        assert not second.stats.failed and second.stats.cost.money == pytest.approx(IMAGE)
        billed = server.provider.submissions
    ledger = ledger_report(root, chart=False)
    assert billed == 2
    assert ledger["total"]["money"] == pytest.approx(billed * IMAGE)  # what the provider billed
    assert ledger["rejected"]["count"] == 1
    assert ledger["rejected"]["money"] == pytest.approx(IMAGE)
    assert ledger["rejected"]["attempts"][0]["state"] == "rejected"
    assert ledger["departments"]["storyboard"]["money"] == pytest.approx(2 * IMAGE)


def test_rejected_attempts_count_against_the_budget(tmp_path: Path) -> None:
    # room for two images: the rejected one and its retry; a third would pass the cap
    with Loopback(Corrupting(KEY, bad=1)) as server:
        root = project(tmp_path / "film", server.url, budget=1.5 * IMAGE)
        (root / "script.fountain").write_text(
            SCRIPT + "\nA second gull.\n\nA third gull.\n", encoding="utf-8"
        )
        result = make(root, reporter=RecordingReporter(), workers=1)
        assert result.stats.cost.money <= 1.5 * IMAGE + 1e-9
        assert result.stats.over_budget  # the cap held, counting the rejected image
        assert server.provider.submissions == 1
