"""The published player in a real browser (Debian's chromium through Playwright): the tiny
film's v1.0 plays, v1.1 is picked from the version picker, and its "what changed" entry
seeks to the changed shot; the subtitles track is there."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from publish_film import CHANGED_SHOT, Film, differ, released_film, resolver

from cinecode.graph.store import Store
from cinecode.provenance.identity import resolve as identity
from cinecode.publish.credentials import Signing
from cinecode.publish.site import publish_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Film]]:
    """The tiny film's two releases published (signed, as `cinecode publish` signs them) and
    served on 127.0.0.1 (a free port)."""
    film = released_film(tmp_path_factory)
    out = tmp_path_factory.mktemp("served") / "site"
    store = Store(film.root / ".cinecode")
    signing = Signing(identity=identity(), catalog=store.catalog, path=store.path)
    publish_site(
        [film.v10, film.v11], resolver(film.root), out, diff=differ(film.root), signing=signing
    )
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", film
    finally:
        server.shutdown()
        server.server_close()


def _play(page: Page) -> None:
    page.evaluate("() => { const v = document.getElementById('video'); v.muted = true; v.play(); }")


def test_the_page_plays_both_versions_and_seeks_to_the_change(
    page: Page, site: tuple[str, Film]
) -> None:
    url, film = site
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/index.html?v=v1.0")
    page.wait_for_function("() => window.player && window.player.ready")
    assert page.evaluate("() => window.player.version") == "v1.0"
    assert page.evaluate("() => window.player.engine") == "hls.js"
    # the disclosure and the credits are on the page
    body = page.inner_text("body")
    # what this film's credits say AI made (its voices) and what it did not (its pictures)
    banner = page.inner_text("#disclosure")
    assert banner.startswith("Made with generative AI (cinecode).") and banner in body
    assert "Voices in this film were generated with AI." in banner
    assert "pictures" in banner and "without AI" in banner
    assert film.v11.credits and film.v11.credits[0] in body
    # the version's content credentials: who signed, not trusted, the disclosure, the JSON
    page.wait_for_function("() => window.player.credentials !== null")
    panel = page.inner_text("#credentials")
    assert "content credentials" in panel.lower() and "Valid: each of v1.0's" in panel
    assert "cinecode development signer (not trusted)" in panel
    assert "not trusted" in page.inner_text("#credentials-trust")
    assert "generative AI" in page.inner_text("#credentials-disclosure")
    assert page.get_attribute("#credentials-link", "href") == "v1.0/credentials.json"
    assert page.get_attribute("#credentials-release", "href") == "v1.0/poster.jpg"
    assert page.get_attribute("#video", "poster") == "v1.0/poster.jpg"
    # 1. v1.0 plays: its clock runs, no playback error
    _play(page)
    page.wait_for_function("() => window.player.currentTime() > 1.5", timeout=20_000)
    assert page.evaluate("() => window.player.error") is None
    assert page.evaluate("() => window.player.scene") in ("title", "1")
    # 2. v1.1 from the picker: it loads and plays
    page.select_option("#version", "v1.1")
    page.wait_for_function("() => window.player.version === 'v1.1'")
    page.wait_for_function("() => (window.player.credentials || {}).version === 'v1.1'")
    assert page.get_attribute("#credentials-link", "href") == "v1.1/credentials.json"
    _play(page)
    page.wait_for_function("() => window.player.currentTime() > 0.5", timeout=20_000)
    # 3. the "what changed" entry of the changed line seeks to its shot's start in v1.1
    start = next(s.start for s in film.v11.shots if s.id == CHANGED_SHOT)
    entry = page.locator(f'#changes button[data-shot="{CHANGED_SHOT}"]')
    assert "script" in entry.inner_text()
    entry.click()
    page.wait_for_function(
        f"() => Math.abs(window.player.currentTime() - {start}) < 0.5", timeout=20_000
    )
    assert page.evaluate("() => window.player.scene") == "1"
    # and plays on through the next shots' discontinuities into the next scene, with sound
    page.wait_for_function(
        "() => window.player.currentTime() > "
        + str(next(s.start for s in film.v11.scenes if s.id == "2") + 0.5),
        timeout=30_000,
    )
    assert page.evaluate("() => document.getElementById('video').webkitAudioDecodedByteCount") > 0
    assert page.evaluate("() => window.player.error") is None
    # 4. the subtitles and chapters tracks
    kinds = page.evaluate(
        "() => Array.from(document.getElementById('video').textTracks).map(t => t.kind)"
    )
    assert "subtitles" in kinds and "chapters" in kinds
    chapters = page.locator("#chapters button").all_inner_texts()
    assert len(chapters) == len(film.v11.scenes) + 2  # the title and the credits too
    assert "Title" in chapters[0] and "EXT. HILLTOP - DAWN" in chapters[1]
    assert errors == []


RANGES = """(ranges) => { const out = []; for (let i = 0; i < ranges.length; i++)
  out.push([ranges.start(i), ranges.end(i)]); return out; }"""


def test_a_version_plays_through_every_discontinuity_to_its_end(
    page: Page, site: tuple[str, Film]
) -> None:
    """At 4× speed, v1.0 plays from 0 to its end in one stretch: the buffer (where sound and
    picture both are) has no hole at any shot's discontinuity, and every frame is decoded."""
    url, film = site
    page.goto(f"{url}/index.html?v=v1.0")
    page.wait_for_function("() => window.player && window.player.ready")
    page.evaluate(
        "() => { const v = document.getElementById('video'); v.muted = true;"
        " v.playbackRate = 4; v.play(); }"
    )
    page.wait_for_function("() => document.getElementById('video').ended", timeout=60_000)
    video = page.locator("#video")
    played = video.evaluate(f"v => ({RANGES})(v.played)")
    buffered = video.evaluate(f"v => ({RANGES})(v.buffered)")
    duration = film.v10.duration
    assert len(played) == 1 and played[0][0] == pytest.approx(0, abs=0.05)
    assert played[0][1] == pytest.approx(duration, abs=0.05)
    assert len(buffered) == 1 and buffered[0][1] == pytest.approx(duration, abs=0.05)
    frames = video.evaluate("v => v.getVideoPlaybackQuality().totalVideoFrames")
    assert frames == round(duration * 24)
    assert page.evaluate("() => window.player.error") is None
