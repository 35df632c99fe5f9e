"""The browser harness works: a tiny FastAPI app served in-process, driven in chromium."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from browser import ServerThread, free_port
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>harness</title></head>
<body>
  <h1 id="title">Waiting</h1>
  <button id="go">Go</button>
  <script>
    document.getElementById("go").addEventListener("click", async () => {
      const response = await fetch("/api/state");
      const state = await response.json();
      document.getElementById("title").textContent = state.title;
    });
  </script>
</body></html>
"""


def tiny_app() -> FastAPI:
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return HTML

    @app.get("/api/state")
    def state() -> dict[str, str]:
        return {"title": "Clicked"}

    return app


def test_serves_an_app_in_a_thread() -> None:
    with ServerThread(tiny_app()) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{server.url}/api/state").json() == {"title": "Clicked"}
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/api/state", timeout=2)
    port = free_port()
    with ServerThread(tiny_app(), port=port) as server:
        assert server.url == f"http://127.0.0.1:{port}"


def test_clicks_a_button_and_screenshots(page: Page, tmp_path: Path) -> None:
    with ServerThread(tiny_app()) as server:
        page.goto(server.url)
        assert page.locator("#title").text_content() == "Waiting"
        page.click("#go")
        page.wait_for_function("document.getElementById('title').textContent === 'Clicked'")
        assert page.locator("#title").text_content() == "Clicked"
        shot = tmp_path / "page.png"
        page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
