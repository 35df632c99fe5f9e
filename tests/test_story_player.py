"""The branching film's player in a real browser (chromium): choices, the countdown's default,
the gated scene, the endings, "back to the last choice", and no stall at any switch.

The site is the tiny story of tests/story_clips.py (one colour per scene), served by a static
server on 127.0.0.1. One run clicks, presses keys, lets a countdown run out, reaches both
endings and goes back; the other lets the first countdown take its default, so the gated
scene is skipped. These are marked `timing`: `make unit` runs them after the rest of the
suite, alone, because a renderer starved of CPU by a film being built beside it drops frames
anywhere. The page measures itself:
window.storyMetrics (the player's) records each presented frame with
requestVideoFrameCallback and every `waiting`; this test adds a probe that reads the colour
of every presented frame, so a black or foreign frame at a switch would show.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from helpers import cinecode
from story_clips import SCENES, make_reels, story

from cinecode.graph.catalog import Catalog
from cinecode.media.ffmpeg import probe
from cinecode.pipeline.session import Session
from cinecode.provenance.chain import TRAINED
from cinecode.provenance.identity import resolve as identity
from cinecode.publish.branching import write_story_site
from cinecode.publish.credentials import Signing, StorySigner
from cinecode.script.branching import story_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

DISCLOSURE = "Made with generative AI (cinecode): pictures, voices and music are machine-made."
MAX_GAP_MS = 100
FRAME_MS = 40  # 25 fps
SWAP_GAP_MS = 250  # the fallback of two <video>s taking turns: see its test
DATA_STALL_S = 0.25  # a `waiting` with less than this buffered past the playhead: out of data

#: every presented frame's colour (the centre pixel), read by the test, not by the player
PROBE = """
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.createElement("canvas");
  canvas.width = 16; canvas.height = 9;
  const pen = canvas.getContext("2d", { willReadFrequently: true });
  window.probe = [];
  window.pixel = () => {  // the <video> in front (the swap engine has two)
    pen.drawImage(document.querySelector("video.picture.front"), 0, 0, 16, 9);
    return Array.from(pen.getImageData(8, 4, 1, 1).data.slice(0, 3));
  };
  const watched = new Set();
  const watch = () => {  // the swap engine adds its second <video> once the story is read
    for (const video of document.querySelectorAll("video.picture")) {
      if (watched.has(video)) continue;
      watched.add(video);
      const seen = (now, meta) => {
        video.requestVideoFrameCallback(seen);
        if (!video.classList.contains("front")) return;
        window.probe.push({ epoch: window.storyMetrics.epoch, rgb: window.pixel() });
      };
      video.requestVideoFrameCallback(seen);
    }
  };
  watch();
  setInterval(watch, 50);
});
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    late: ClassVar[dict[str, float]] = {}  # a path → the seconds it is held before it is served

    def do_GET(self) -> None:
        time.sleep(self.late.get(self.path, 0.0))
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(folder: Path, late: dict[str, float] | None = None) -> Iterator[str]:
    """A static server for `folder` on 127.0.0.1, in a thread; yields its URL. `late` holds
    some paths back (a slow network) for that many seconds."""
    quiet = type("_Late", (_Quiet,), {"late": late or {}})
    handler = functools.partial(quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def story_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The story site, written by write_story_site; its scenes signed with content
    credentials (a C2PA box before the moov), as publish signs them, so the switches are
    measured on what a published site serves."""
    root = tmp_path_factory.mktemp("story")
    out = root / "site"
    catalog = Catalog(root / "catalog.sqlite")
    signing = Signing(identity=identity(), catalog=catalog, path=lambda a: root / a.object)
    signer = StorySigner(signing, "The Lighthouse", TRAINED, {s: () for s in SCENES})
    write_story_site(
        out,
        story=story(),
        scenes=make_reels(root / "reels"),
        title="The Lighthouse",
        credits=["Written by A. Writer", "Voices: piper"],
        disclosure=DISCLOSURE,
        signer=signer,
    )
    assert all(m["url"].startswith("media/c/") for m in read_site(out)["media"].values())
    return out


@pytest.fixture(scope="module")
def site_url(story_site: Path) -> Iterator[str]:
    """The story site served on 127.0.0.1 in a thread."""
    with serving(story_site) as url:
        yield url


def read_site(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / "story.json").read_text(encoding="utf-8")))


def scene_of(rgb: list[int]) -> str | None:
    """The scene whose colour this is (None: black, or a colour of no scene)."""

    def distance(scene: str) -> int:
        return sum((a - b) ** 2 for a, b in zip(rgb, SCENES[scene][2], strict=True))

    best = min(SCENES, key=distance)
    return best if distance(best) < 60**2 else None


def state(page: Page) -> dict[str, Any]:
    return dict(page.evaluate("({...window.story})"))


def wait_scene(page: Page, scene: str, timeout: float = 8000) -> None:
    page.wait_for_function(f"window.story.scene === {scene!r}", timeout=timeout)


def on_screen(page: Page) -> str | None:
    """The scene whose colour is on screen now (a moment into the scene)."""
    page.wait_for_timeout(250)
    return scene_of(page.evaluate("window.pixel()"))


def open_player(page: Page, url: str, *, engine: str = "MediaSource") -> None:
    page.add_init_script(PROBE)
    page.goto(url if engine == "MediaSource" else f"{url}?engine={engine}")
    page.wait_for_function("window.storyMetrics && window.storyMetrics.ready")
    assert page.evaluate("window.storyMetrics.problem") is None
    assert page.evaluate("window.storyMetrics.engine") == engine
    page.get_by_role("button", name="Play").click()


def check_switches(
    page: Page, history: list[str], switches: int, limit: float = MAX_GAP_MS
) -> None:
    """Every switch: the gap between presented frames ≤ 100 ms (wall and media time), no
    `waiting`, and every frame's colour is a scene's, in the story's order."""
    metrics = page.evaluate("window.storyMetrics")
    assert len(metrics["switches"]) == switches  # every switch of the run was measured
    check_gaps(metrics, limit)
    seen = page.evaluate("window.probe")
    colours = [scene_of(frame["rgb"]) for frame in seen]
    assert None not in colours, [f for f in seen if scene_of(f["rgb"]) is None][:3]
    played = [s for i, s in enumerate(colours) if i == 0 or colours[i - 1] != s]
    assert played == history


def check_gaps(metrics: dict[str, Any], limit: float = MAX_GAP_MS) -> None:
    """No switch's gap between presented frames over `limit`, and no `waiting` once playing."""
    busy = busiest_gap_away_from_switches(metrics)
    for change in metrics["switches"]:
        if change["gapMs"] is None and change["at"] > metrics["frames"][-1]["mediaTime"]:
            continue  # appended, not played yet
        assert change["gapMs"] is not None, change  # measured by the frames on both sides
        if change["gapMs"] <= limit and change["mediaGapMs"] <= limit:
            continue
        # Over 100 ms. On an idle machine that fails. But this machine's two cores are shared:
        # a renderer starved of CPU drops frames (and its audio clock stutters) anywhere, so
        # a gap no longer than the worst the same run shows away from switches is the
        # machine's, not the switch's, and is reported rather than failed. A stream that
        # waits for data fires `waiting`, checked below with no such allowance.
        worst = max(change["gapMs"], change["mediaGapMs"])
        assert worst <= busy + FRAME_MS / 2, (change, f"worst elsewhere: {busy} ms")
        warnings.warn(f"frames dropped at a switch on a busy machine: {change}", stacklevel=3)
    assert [w for w in metrics["waiting"] if w["started"]] == []


def busiest_gap_away_from_switches(metrics: dict[str, Any]) -> float:
    """The longest wall-clock gap between presented frames, away from switches and starts."""
    ats = [(c["epoch"], c["at"]) for c in metrics["switches"]]
    frames = metrics["frames"]
    gaps = [
        after["wall"] - before["wall"]
        for before, after in itertools.pairwise(frames)
        if before["epoch"] == after["epoch"]
        and before["mediaTime"] > 0.3  # the first frames of a run: the decoder starting
        and not any(
            e == after["epoch"] and before["mediaTime"] - 0.2 < at < after["mediaTime"] + 0.2
            for e, at in ats
        )
    ]
    return max(gaps, default=0.0)


@pytest.mark.timing
def test_a_click_a_key_the_countdown_the_gated_scene_an_ending_and_back(
    page: Page, site_url: str
) -> None:
    open_player(page, site_url)

    # 1. the first choice appears over the picture; option 2 plays its target
    wait_scene(page, "1")
    assert on_screen(page) == "1"
    options = page.locator(".choice .option")
    options.first.wait_for(state="visible", timeout=4000)
    assert options.all_inner_texts() == ["1 Open the door", "2 Climb the stairs"]
    assert page.locator(".choice .seconds").inner_text() != ""  # the countdown shows
    options.nth(1).click()
    # the stairs are appended now, but the hall plays to its end: the state follows the picture
    assert state(page)["scene"] == "1" and scene_of(page.evaluate("window.pixel()")) == "1"
    wait_scene(page, "3")
    assert on_screen(page) == "3"
    assert state(page)["variables"] == {"courage": 2}

    # 2. key 1 lights the lamp: courage is 2, so the gated scene plays
    wait_scene(page, "4")
    options.first.wait_for(state="visible", timeout=4000)
    page.keyboard.press("1")
    wait_scene(page, "5")
    assert on_screen(page) == "5"

    # 3. at the tower nobody chooses: the countdown takes the default (stay), and the ending
    wait_scene(page, "6")
    ending = page.locator(".ending")
    ending.wait_for(state="visible", timeout=8000)
    assert page.locator(".ending-title").inner_text() == "Dawn"
    assert "Voices: piper" in ending.inner_text() and DISCLOSURE in ending.inner_text()
    assert "Endings found: 1 of 2" in ending.inner_text()
    assert ending.get_by_role("button", name="Play again").is_visible()
    assert state(page) == {
        "scene": "7",
        "variables": {"courage": 2},
        "history": ["1", "3", "4", "5", "6", "7"],
        "ending": "Dawn",
    }
    check_switches(page, ["1", "3", "4", "5", "6", "7"], switches=5)
    # each scene is exactly its own length on the timeline: no track starts late or runs long
    ats = [change["at"] for change in page.evaluate("window.storyMetrics.switches")]
    assert ats == pytest.approx([2.0, 4.0, 6.0, 8.0, 10.0], abs=0.001)

    # 4. back to the last choice: the tower again, with the values it had; jump this time
    ending.get_by_role("button", name="Back to the last choice").click()
    wait_scene(page, "6")
    assert ending.is_hidden()
    assert state(page)["variables"] == {"courage": 2}
    assert state(page)["history"] == ["1", "3", "4", "5", "6"]
    options.first.wait_for(state="visible", timeout=4000)
    options.first.click()
    wait_scene(page, "8")
    assert on_screen(page) == "8"
    ending.wait_for(state="visible", timeout=8000)
    assert page.locator(".ending-title").inner_text() == "The sea"
    assert "Endings found: 2 of 2" in ending.inner_text()
    assert state(page)["history"] == ["1", "3", "4", "5", "6", "8"]
    check_switches(page, ["1", "3", "4", "5", "6", "7", "6", "8"], switches=6)


@pytest.mark.timing
def test_the_default_when_nobody_chooses_and_a_gated_scene_skipped(
    page: Page, site_url: str
) -> None:
    open_player(page, site_url)

    # nobody chooses at the hall: the default (the door) plays, and courage is 1
    wait_scene(page, "2", timeout=6000)
    assert on_screen(page) == "2"
    assert state(page)["variables"] == {"courage": 1}

    # Enter takes the lamp (the default), but courage 1 < 2: the lamp is skipped, the tower plays
    wait_scene(page, "4")
    page.locator(".choice .option").first.wait_for(state="visible", timeout=4000)
    page.keyboard.press("Enter")
    wait_scene(page, "6")
    assert on_screen(page) == "6"
    assert state(page) == {
        "scene": "6",
        "variables": {"courage": 1},
        "history": ["1", "2", "4", "6"],
        "ending": None,
    }
    check_switches(page, ["1", "2", "4", "6"], switches=3)


@pytest.mark.timing
def test_two_videos_taking_turns_on_a_touch_screen(browser: Browser, site_url: str) -> None:
    """The fallback for browsers without MSE (forced here with ?engine=swap), on a touch
    screen: the scene behind is loaded whole and brought to the front as the one in front
    ends. It is not gapless by construction: no black frame, but the switch takes a frame or
    three (117–167 ms measured on the shared test machine, against 33–50 ms with MSE), so it
    is held to SWAP_GAP_MS, not to the stream's 100 ms."""
    context = browser.new_context(has_touch=True, viewport={"width": 640, "height": 480})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        play_by_touch(page, site_url)
    finally:
        context.close()


def play_by_touch(page: Page, site_url: str) -> None:
    open_player(page, site_url, engine="swap")
    wait_scene(page, "1")
    options = page.locator(".choice .option")
    options.first.wait_for(state="visible", timeout=4000)
    box = options.nth(1).bounding_box()
    assert box is not None and box["height"] >= 44  # a finger's width
    options.nth(1).tap()
    wait_scene(page, "3")
    assert on_screen(page) == "3"
    wait_scene(page, "4")
    assert on_screen(page) == "4"
    assert state(page)["history"] == ["1", "3", "4"]
    check_switches(page, ["1", "3", "4"], switches=2, limit=SWAP_GAP_MS)


def test_a_scene_that_comes_late_is_waited_for_and_then_plays(page: Page, story_site: Path) -> None:
    """The door's reel is held back 4 s (a slow network): the hall (2 s) plays to its end,
    the stream waits there with nothing buffered (`waiting`, as the tests above would see a
    late append), then the door plays. Not timed: the wait is far longer than any load."""
    door = read_site(story_site)["media"]["2"]["url"]
    with serving(story_site, late={f"/{door}": 4.0}) as url:
        open_player(page, url)
        wait_scene(page, "1")
        options = page.locator(".choice .option")
        options.first.wait_for(state="visible", timeout=4000)
        page.keyboard.press("1")
        wait_scene(page, "2", timeout=15_000)
        assert on_screen(page) == "2"
        waiting = page.evaluate("window.storyMetrics.waiting")
    stalls = [w for w in waiting if w["started"] and w["ahead"] < DATA_STALL_S]
    assert [(w["scene"], round(w["time"])) for w in stalls] == [("1", 2)], waiting
    assert state(page)["history"] == ["1", "2"]


@pytest.mark.slow
@pytest.mark.xdist_group("branching")
def test_the_bundled_branching_film_plays_its_reels_back_to_back(
    page: Page, branching_build: Path, tmp_path: Path
) -> None:
    """The Last Ferry's real reels (x264 with B-frames, AAC with its priming packet): a scene
    lands on the timeline at exactly its reel's length, and a choice switches with no stall."""
    with Session.open(branching_build) as session:
        film_story = story_of(session.loaded.film)
        store = session.require_store()
        reels = {}
        for key in session.plan.reels:
            job, artifact = session.plan.graph.jobs[key], store.get(key)
            if job.scene and artifact is not None:
                reels[job.scene] = store.path(artifact)
    assert film_story is not None
    published = cinecode("publish", branching_build, "--out", tmp_path / "site", "--json")
    assert published.code == 0, published.err
    site = published.json()
    assert site["story"] and site["scenes"] == len(film_story.scenes) == 9
    feed = json.loads((tmp_path / "site" / "story.json").read_text(encoding="utf-8"))
    assert feed["mime"].startswith('video/mp4; codecs="avc1.64')  # High profile: B-frames
    assert any("cinecode" in line for line in feed["credits"])  # the film's own credits
    # what the credits say AI made, line by line, in the disclosure too
    assert any(line.endswith(" with AI.") for line in feed["credits"])
    assert feed["disclosure"].startswith("Made with generative AI (cinecode). ")
    assert "AI.," not in feed["disclosure"] and "generated with AI." in feed["disclosure"]
    again = cinecode("publish", branching_build, "--out", tmp_path / "site", "--json")
    assert again.code == 0 and again.json()["bytes_added"] == 0  # nothing new to ship

    with serving(tmp_path / "site") as url:
        open_player(page, url)
        # the scenes are signed: the page says by whom, and that the signer is not trusted
        credentials = page.locator("details.credentials")
        assert credentials.locator("summary").inner_text() == (
            "Content credentials (C2PA): valid, not trusted"
        )
        credentials.locator("summary").click()
        assert "9 of 9 scenes signed and valid" in credentials.inner_text()
        assert "cinecode development signer (not trusted)" in credentials.inner_text()
        wait_scene(page, "1")
        options = page.locator(".choice .option")
        options.first.wait_for(state="visible", timeout=30_000)  # 8 s before the scene's end
        assert options.all_inner_texts() == ["1 Take the rowboat", "2 Wait for the morning ferry"]
        page.keyboard.press("2")
        wait_scene(page, "4", timeout=30_000)
        page.wait_for_timeout(500)
        metrics = page.evaluate("window.storyMetrics")

    assert state(page)["history"] == ["1", "4"]
    first = metrics["switches"][0]
    assert (first["from"], first["to"]) == ("1", "4")
    assert first["at"] == pytest.approx(probe(reels["1"]).duration, abs=0.002)
    # The gaps at a switch are measured by the timing tests above, which run alone (`make
    # unit` runs them after the rest, on an idle machine); this one runs beside the rest of
    # the suite, so it checks only what load cannot fake: the stream never ran out of data.
    # A renderer starved of CPU fires `waiting` with the next seconds buffered (CI saw one
    # 2.7 s before scene 1's end, its whole reel appended); a scene appended late fires it
    # with nothing buffered past the playhead.
    starved = [w for w in metrics["waiting"] if w["started"] and w["ahead"] < DATA_STALL_S]
    assert starved == [], metrics["waiting"]
