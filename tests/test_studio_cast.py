"""The Studio's cast page in a real browser (Debian's chromium through Playwright) on the tiny
project, built: sheets made as a background task with progress, a pick written to cast.toml
as `cinecode cast --pick` writes it (the page says which shots it makes stale, and `status`
agrees), a reject shown, film.toml's own references named as winning, and the page's keys."""

from __future__ import annotations

import re
import shutil
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import studio_app, studio_url
from conftest import FIXTURES
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from cinecode.commands import cast as casting
from cinecode.commands.report import status_report
from cinecode.errors import Cancelled
from cinecode.graph.reporter import NullReporter, RecordingReporter
from cinecode.pipeline.build import make

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("studio-cast")]

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "test-token-cast-5e1d"


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny project (ANNA, BEN; a hilltop and a car) at a small size, built."""
    root = tmp_path_factory.mktemp("studio-cast") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    toml = root / "film.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("width = 320", "width = 160").replace("height = 180", "height = 90")
    toml.write_text(text.replace("fps = 24", "fps = 8"), encoding="utf-8")
    assert not make(root, reporter=RecordingReporter()).stats.failed
    return root


@pytest.fixture(scope="module")
def app(film: Path) -> FastAPI:
    made: FastAPI = studio_app(film, TOKEN)
    return made


@pytest.fixture(scope="module")
def studio(app: FastAPI) -> Iterator[str]:
    with studio_url(app) as url:
        yield url


def cast_toml(film: Path) -> dict[str, dict[str, dict[str, object]]]:
    path = film / "cast.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def test_sheets_are_made_picked_and_rejected_and_the_shots_go_stale(
    page: Page, studio: str, film: Path
) -> None:
    assert status_report(film)["stale_shots"] == []  # built: nothing to make
    page.goto(f"{studio}/cast?token={TOKEN}")
    ben = page.locator('.person[data-kind="character"][data-name="BEN"]')
    expect(ben.locator(".sheet")).to_have_count(0)
    expect(ben.locator(".state")).to_have_text("no sheet picked")
    expect(page.locator('.person[data-kind="location"][data-name="HILLTOP"]')).to_be_visible()
    # 1. two sheets, made in the background with progress
    ben.locator("input[name=count]").fill("2")
    ben.locator("button.make").click()
    expect(page.locator("#cast-progress")).to_be_visible()
    expect(page.locator("#cast-state")).to_have_text("BEN: made 2 sheets", timeout=60_000)
    expect(ben.locator(".sheet")).to_have_count(2)
    expect(ben.locator(".sheet img").first).to_have_js_property("complete", True)
    assert ben.locator(".sheet img").first.evaluate("img => img.naturalWidth") > 0  # served
    # 2. pick the second: cast.toml names it, the page shows it picked and the shots stale
    second = ben.locator('.sheet[data-sheet="2"]')
    sheet_id = second.get_attribute("data-id")
    second.locator("button.pick").click()
    expect(second).to_have_class(re.compile(r"\bpicked\b"))
    expect(ben.locator(".state")).to_have_text(f"picked: sheet #2 ({sheet_id})")
    assert cast_toml(film)["characters"]["BEN"]["pick"] == sheet_id
    said = ben.locator(".restaled")
    expect(said).to_contain_text(re.compile(r"\d+ shots? stale: "))
    match = re.search(r"(\d+) shots? stale: ([\d., ]+)", said.inner_text())
    assert match
    shown = match.group(2).split(", ")
    assert int(match.group(1)) == len(shown)
    # `status` (the plan against the store) agrees: his shots are to make, the others not
    stale = status_report(film)["stale_shots"]
    assert stale == shown
    assert "2.2" in stale and "1.1" not in stale  # he is in 2.2; 1.1 shows only ANNA
    expect(ben.locator(".shots")).to_contain_text("stale: ")  # the board's count, after replan
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(film / "build" / "studio-cast.png"))  # docs/studio/cast.png
    # 3. reject the first: shown rejected, and in cast.toml; the pick stays
    first = ben.locator('.sheet[data-sheet="1"]')
    first_id = first.get_attribute("data-id")
    first.locator("button.reject").click()
    expect(first).to_have_class(re.compile(r"\brejected\b"))
    expect(first.locator("button.unreject")).to_be_visible()
    assert cast_toml(film)["characters"]["BEN"]["rejected"] == [first_id]
    assert cast_toml(film)["characters"]["BEN"]["pick"] == sheet_id
    # 4. by key: the current name is BEN (the last acted on); "1" picks the first again
    page.keyboard.press("1")
    expect(first).to_have_class(re.compile(r"\bpicked\b"))
    expect(second).not_to_have_class(re.compile(r"\bpicked\b"))
    assert cast_toml(film)["characters"]["BEN"]["pick"] == first_id
    assert "rejected" not in cast_toml(film)["characters"]["BEN"]  # a pick un-rejects


def test_film_toml_references_are_named_as_winning(page: Page, studio: str, film: Path) -> None:
    page.goto(f"{studio}/cast?token={TOKEN}")
    anna = page.locator('.person[data-kind="character"][data-name="ANNA"]')
    expect(anna.locator(".override")).to_have_count(0)
    shutil.copy(ROOT / "docs" / "studio" / "board.png", film / "anna.png")
    toml = film / "film.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace('color = "#3f7f4f"', 'color = "#3f7f4f"\nreferences = ["anna.png"]'),
        encoding="utf-8",
    )
    try:  # the watcher sees film.toml change: the page reads the cast again
        expect(anna.locator(".override")).to_contain_text(
            "film.toml names its own references for ANNA (anna.png)", timeout=20_000
        )
    finally:
        toml.write_text(text, encoding="utf-8")


def test_a_name_not_in_the_script_is_refused_and_changes_need_the_token(
    studio: str, film: Path
) -> None:
    import httpx

    with httpx.Client(base_url=studio) as client:
        refused = client.post("/api/cast/pick", json={"name": "BEN", "take": "1"})
        assert refused.status_code == 401  # no token: nothing changes
        client.get(f"/cast?token={TOKEN}")  # the cookie
        answer = client.post("/api/cast/takes", json={"name": "MARA", "count": 1})
        assert answer.status_code == 400
        assert "no character MARA" in answer.json()["detail"]
        assert "ANNA" in answer.json()["detail"] or "BEN" in answer.json()["detail"]


def test_a_cli_pick_shows_without_a_reload(page: Page, studio: str, film: Path) -> None:
    made = casting.cast(film, "BEN", takes=2, reporter=NullReporter())  # those there, or new
    for row in (made.rows[1], made.rows[0]):  # both cut into views: the store has all it needs
        casting.pick(film, "BEN", row.id, reporter=NullReporter())
    page.goto(f"{studio}/cast?token={TOKEN}")
    ben = page.locator('.person[data-kind="character"][data-name="BEN"]')
    expect(ben.locator('.sheet[data-sheet="1"]')).to_have_class(re.compile(r"\bpicked\b"))
    time.sleep(1)  # the watcher has seen the project as it is now
    casting.pick(film, "BEN", made.rows[1].id, reporter=NullReporter())  # `cast --pick`'s code
    expect(ben.locator('.sheet[data-sheet="2"]')).to_have_class(re.compile(r"\bpicked\b"))


def test_making_sheets_stops_when_cancelled(film: Path) -> None:
    """The Studio's Cancel sets the task's event: the sheets stop, none is made."""
    stop = threading.Event()
    stop.set()
    with pytest.raises((KeyboardInterrupt, Cancelled)):
        casting.cast(film, "ANNA", more=2, reporter=NullReporter(), cancel=stop)
    assert casting.cast(film, "ANNA", make=False, reporter=NullReporter()).rows == []
