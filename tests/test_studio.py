"""The Studio in a real browser (Debian's chromium through Playwright) on a tiny film: the
board, a shot's takes, new takes with progress, picks by click and by key, the player, the
script editor and a build, a CLI pick seen live, and the server's locks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browser import studio_app, studio_url
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.build import make
from cinecode.studio.app import Studio
from cinecode.studio.security import cookie_name

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("studio")]

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "test-token-9f2c41"
SCRIPT = """Title: Two Lines

INT. LAMP ROOM - NIGHT

Mara climbs the last steps into the lamp room.

MARA
It still turns.

ELIAS
Every night for forty years.
"""
FILM = """title = "Two Lines"
seed = 2

[format]
width = 160
height = 90
fps = 8

[characters.MARA]
description = "Mara, 38, red-orange jacket"

[characters.ELIAS]
description = "Elias, 74, white beard"
"""


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("studio") / "film"
    root.mkdir()
    (root / "script.fountain").write_text(SCRIPT, encoding="utf-8")
    (root / "film.toml").write_text(FILM, encoding="utf-8")
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


def login(page: Page, url: str, path: str = "/") -> None:
    page.goto(f"{url}{path}?token={TOKEN}")


def picks(film: Path) -> str:
    path = film / "picks.toml"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def test_the_board_shows_every_shot_with_its_picture(page: Page, studio: str, film: Path) -> None:
    login(page, studio)
    cards = page.locator(".card")
    expect(cards).to_have_count(3)  # the establishing wide, MARA's line, ELIAS's line
    expect(page.locator('[data-shot="1.2"] img')).to_be_visible()
    expect(page.locator('[data-shot="1.2"] .badge.built')).to_be_visible()
    page.select_option("select[name=character]", "ELIAS")
    expect(cards).to_have_count(1)
    page.screenshot(path=str(film / "build" / "studio-board.png"))


def test_new_takes_picks_by_click_and_key_and_the_player_follows(
    page: Page, studio: str, film: Path
) -> None:
    login(page, studio, "/player")
    expect(page.locator("#master")).to_have_attribute("data-master", re.compile("^[0-9a-f]{64}$"))
    before = page.locator("#master").get_attribute("data-master")
    page.goto(f"{studio}/shot/1.2")
    expect(page.locator(".take")).to_have_count(1)
    # what the sketch drew: the room, who is in frame, the camera's staging
    expect(page.locator(".take dd.drew")).to_contain_text(re.compile(r"MARA · camera \w+, lens"))
    # 1. two new takes from the form, with live progress
    page.fill("#new-takes input[name=count]", "2")
    page.click("#new-takes button[type=submit]")
    expect(page.locator("#takes-progress")).to_be_visible()
    expect(page.locator("#takes-state")).to_have_text("made 2 takes", timeout=60_000)
    expect(page.locator(".take")).to_have_count(3)
    # 2. pick take 2 by click: picks.toml says so, and the page shows it in the cut
    page.click('.take[data-take="2"] button.pick')
    expect(page.locator('.take[data-take="2"]')).to_have_class(re.compile("in-cut"))
    second = page.get_attribute('.take[data-take="2"]', "data-key")
    assert second and second in picks(film)
    # 3. and take 3 with the key "3"
    page.keyboard.press("3")
    expect(page.locator('.take[data-take="3"]')).to_have_class(re.compile("in-cut"))
    third = page.get_attribute('.take[data-take="3"]', "data-key")
    assert third and third in picks(film) and second not in picks(film)
    page.screenshot(path=str(film / "build" / "studio-shot.png"))
    # 4. the player's master changes once the pick is built
    assert before
    page.goto(f"{studio}/build")
    page.click("#start")
    expect(page.locator("#build-state")).to_have_text("build: done", timeout=120_000)
    page.goto(f"{studio}/player")
    expect(page.locator("#master")).to_have_attribute("data-master", re.compile("^[0-9a-f]{64}$"))
    expect(page.locator("#master")).not_to_have_attribute("data-master", before)
    expect(page.locator("#strip .frame")).not_to_have_count(0)


def test_a_b_plays_the_scene_with_each_take(page: Page, studio: str, film: Path) -> None:
    login(page, studio, "/shot/1.2")
    expect(page.locator(".take")).to_have_count(3)
    chosen = picks(film)
    page.select_option("#ab select[name=a]", "1")
    page.select_option("#ab select[name=b]", "2")
    page.click("#ab button[type=submit]")
    video = page.locator("#ab-video")
    expect(video).to_have_attribute("data-reel-a", re.compile("^[0-9a-f]{64}$"), timeout=60_000)
    reel_a, reel_b = video.get_attribute("data-reel-a"), video.get_attribute("data-reel-b")
    assert reel_a != reel_b  # the same scene, cut with another take
    assert (video.get_attribute("src") or "").endswith(f"/media/{reel_a}")
    assert picks(film) == chosen  # trying takes in context changes no pick


def test_a_cli_pick_shows_up_in_the_open_page(page: Page, studio: str, film: Path) -> None:
    login(page, studio, "/shot/1.3")
    expect(page.locator(".take")).to_have_count(1)
    subprocess.run(
        [sys.executable, "-m", "cinecode", "regen", str(film), "1.3", "--takes", "1"],
        check=True,
        capture_output=True,
    )
    expect(page.locator(".take")).to_have_count(2, timeout=30_000)  # a CLI take appears
    subprocess.run(
        [sys.executable, "-m", "cinecode", "pick", str(film), "1.3", "2"],
        check=True,
        capture_output=True,
    )
    expect(page.locator('.take[data-take="2"]')).to_have_class(re.compile("in-cut"), timeout=30_000)


def test_an_edited_line_is_saved_built_and_heard_in_the_player(
    page: Page, studio: str, film: Path
) -> None:
    login(page, studio, "/script")
    text = page.locator("#text")
    expect(text).to_have_value(re.compile("Every night for forty years."))
    expect(page.locator("#gutter li.shot")).not_to_have_count(0)
    text.fill(text.input_value().replace("forty years.", "fifty years, child."))
    page.click("#save")
    expect(page.locator("#script-state")).to_have_text("saved")
    assert "fifty years, child." in (film / "script.fountain").read_text(encoding="utf-8")
    page.screenshot(path=str(film / "build" / "studio-script.png"))
    page.click("#build")
    page.wait_for_url(re.compile("/build$"))
    expect(page.locator("#build-state")).to_have_text("build: done", timeout=120_000)
    page.screenshot(path=str(film / "build" / "studio-build.png"))
    page.goto(f"{studio}/player")
    page.wait_for_function(
        "() => { const t = document.querySelector('#master').textTracks[0];"
        " return t && t.cues && [...t.cues].some(c => c.text.includes('fifty years, child.')); }",
        timeout=30_000,
    )
    page.screenshot(path=str(film / "build" / "studio-player.png"))


def test_a_save_over_a_changed_file_keeps_both_versions(
    page: Page, studio: str, film: Path
) -> None:
    login(page, studio, "/script")
    text = page.locator("#text")
    expect(text).to_have_value(re.compile("INT. LAMP ROOM"))
    script = film / "script.fountain"
    on_disk = script.read_text(encoding="utf-8") + "\nA gull cries outside.\n"
    script.write_text(on_disk, encoding="utf-8")  # an editor saved meanwhile
    text.fill(text.input_value() + "\nThe lamp turns.\n")
    page.click("#save")
    expect(page.locator("#conflict")).to_be_visible()
    expect(page.locator("#disk")).to_contain_text("A gull cries outside.")
    expect(page.locator("#yours")).to_contain_text("The lamp turns.")
    assert script.read_text(encoding="utf-8") == on_disk  # nothing was overwritten


def test_ledger_and_sound_pages(page: Page, studio: str, film: Path) -> None:
    login(page, studio, "/ledger")
    expect(page.locator("#ledger table")).to_have_count(2)
    page.goto(f"{studio}/sound")
    expect(page.locator('#sound tr[data-scene="1"]')).to_be_visible()


def test_no_token_no_studio_and_no_foreign_writes(studio: str, app: FastAPI, film: Path) -> None:
    assert httpx.get(f"{studio}/api/board").status_code == 401
    assert httpx.get(f"{studio}/?token=wrong").status_code == 401
    assert httpx.get(f"{studio}/?token=w%C3%A9rong").status_code == 401  # not ASCII: no 500
    with httpx.Client(base_url=studio, follow_redirects=True) as client:
        assert client.get(f"/?token={TOKEN}").status_code == 200  # redirected, cookie set
        assert client.cookies.get(cookie_name(app.state.port)) == TOKEN  # this Studio's own
        board = client.get("/api/board")
        assert board.status_code == 200
        assert "Content-Security-Policy" in board.headers
        foreign = client.post(
            "/api/shot/1.2/lock", json={}, headers={"Origin": "http://evil.example"}
        )
        assert foreign.status_code == 403
        rebound = client.get("/api/board", headers={"Host": "evil.example:80"})
        assert rebound.status_code == 403
        for bad in (
            "/media/..%2F..%2Ffilm.toml",
            "/media/../film.toml",
            "/thumb/..%2F..%2Fscript.fountain",
            "/media/x",
            "/subtitles/..%2Fa.vtt",
        ):
            assert client.get(bad).status_code == 404, bad
        text = board.text
        assert str(film) not in text  # no filesystem path reaches a page


def test_the_studio_binds_to_this_machine_unless_told(film: Path) -> None:
    from cinecode.errors import CinecodeError
    from cinecode.studio.server import serve

    said: list[str] = []
    with pytest.raises(CinecodeError, match="--allow-remote"):
        serve(film, host="0.0.0.0", open_browser=False, say=said.append)
    assert said == []  # no address was printed, nothing was served


def test_picks_in_a_row_are_seen_at_once_and_replanned_once_they_pause(
    studio: str, app: FastAPI, film: Path
) -> None:
    held = app.state.studio
    held.pick_quiet = 3.0  # picks closer than this are one burst (the default is 1 s)
    with httpx.Client(base_url=studio, follow_redirects=True) as client:
        client.get(f"/?token={TOKEN}")
        client.get("/api/board").raise_for_status()
        assert held.settle()  # whatever replanning opening the page began has ended
        before = held.replans
        for take in ("1", "1", "1", "1", "1"):
            assert client.post("/api/shot/1.1/pick", json={"take": take}).status_code == 200
            card = next(
                s
                for sc in client.get("/api/board").json()["scenes"]
                for s in sc["shots"]
                if s["id"] == "1.1"
            )
            assert card["picked"], "the board shows the pick at once"
            assert held.replans == before, "no replanning while the director picks"
        deadline = time.monotonic() + 60
        while held.replans == before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert held.replans == before + 1, "replanned once the picks paused"
        time.sleep(held.pick_quiet + 1)
        assert held.replans == before + 1, "and once only"
        assert "1.1" in picks(film)


def test_a_studio_opened_again_shows_the_kept_board_until_something_changes(
    studio: str, app: FastAPI, film: Path
) -> None:
    from cinecode.project.config import load_project
    from cinecode.studio import board as pages

    with httpx.Client(base_url=studio, follow_redirects=True) as client:
        client.get(f"/?token={TOKEN}")
        shown = client.get("/api/board").json()
    assert app.state.studio.settle()  # the board is kept once a replanning ends
    project = load_project(film)
    kept = pages.saved_board(project)
    assert kept is not None and kept["shots"] == shown["shots"]
    saved = film / "build" / "studio" / "board.json"
    marked = json.loads(saved.read_text(encoding="utf-8"))
    marked["board"]["title"] = "Kept"  # the same fingerprint: a Studio opened now shows it
    saved.write_text(json.dumps(marked), encoding="utf-8")
    again = Studio(film)
    try:
        first = again.board()
        assert first["title"] == "Kept" and first["scenes"] == kept["scenes"]
        assert again.settle()  # its own replanning, in the background, has ended
        script = film / "script.fountain"
        script.write_text(script.read_text(encoding="utf-8") + "\nThe lamp turns.\n", "utf-8")
        assert pages.saved_board(project) is None  # the screenplay changed: plan it anew
    finally:
        again.close()


def test_a_task_that_breaks_unexpectedly_never_leaves_the_studio_busy(film: Path) -> None:
    held = Studio(film)
    try:

        def broken(task: object) -> dict[str, object]:
            raise RuntimeError("disk full")

        task = held.start("build", "", broken)
        deadline = time.monotonic() + 10
        while task.state == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert task.state == "failed" and "disk full" in task.as_dict()["error"]
        after = held.start("build", "", lambda task: {})  # not 409: the Studio is free
        while after.state == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert after.state == "done"
    finally:
        held.close()
