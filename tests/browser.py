"""Browser tests: Debian's chromium driven through Playwright, and an in-process web server.

Fixtures: `browser` (session) is one headless chromium for the whole session; `page`
(function) is a fresh context and page per test, closed afterwards, with a default timeout of
15 s. tests/conftest.py registers this module as a plugin (`pytest_plugins = ["browser"]`), so
every test module has them with no import:

    import pytest
    from browser import ServerThread

    pytestmark = pytest.mark.browser

    def test_board(page: Page) -> None:
        with ServerThread(create_app(...)) as server:
            page.goto(server.url)

Never import the fixture functions into a test module: each module that does defines the
fixtures anew, so one process starts a second Playwright while the first runs, which fails
("using Playwright Sync API inside the asyncio loop").

The browser is the system's (`scripts/setup-system` installs Debian's chromium): never
`playwright install`. Without one the tests skip, except on CI (`CI` set), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]  # root, container
PAGE_TIMEOUT_MS = 15_000
NO_BROWSER = "no chromium: run scripts/setup-system (apt-get install chromium)"


def chromium_path() -> str | None:
    """The system's chromium (or Chrome), or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def on_ci() -> bool:
    """CI sets `CI` (CI=true): there a missing browser is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing(reason: str) -> NoReturn:
    if on_ci():
        pytest.fail(f"{reason} (CI is set: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", name="browser")
def browser_fixture() -> Iterator[Browser]:
    """One headless chromium for the test session (Playwright driving the system browser)."""
    executable = chromium_path()
    if executable is None:
        _missing(NO_BROWSER)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("no playwright: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(name="page")
def page_fixture(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page for one test (closed afterwards; timeout 15 s)."""
    context = browser.new_context()
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on `host` now (the kernel's pick; another process could take it after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class ServerThread:
    """Serves an ASGI app with uvicorn on 127.0.0.1 (a free port) in a background thread.

        with ServerThread(app) as server:
            httpx.get(f"{server.url}/api/board")

    `start()` returns once the server accepts connections; `stop()` shuts it down.
    """

    def __init__(
        self, app: Any, *, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 15
    ) -> None:
        import uvicorn

        # port 0: the kernel picks a free port when uvicorn binds; it is read back on start.
        # An app that must know its port beforehand (Host checks) gets one from free_port().
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="auto",
            timeout_graceful_shutdown=5,  # open streams (Server-Sent Events) do not hold stop()
        )
        self.server = uvicorn.Server(config)
        self.host = host
        self.port = 0
        self.startup_timeout = startup_timeout
        self._thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError("ServerThread is not started")
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("uvicorn stopped during startup (see its log above)")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"uvicorn did not start within {self.startup_timeout} s")
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self, timeout: float = 10) -> None:
        if not self._thread.is_alive():
            return
        self.server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():  # open connections or a hung lifespan: stop waiting on them
            self.server.force_exit = True
            self._thread.join(timeout)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def studio_app(film: Path, token: str) -> Any:
    """The Studio's app for `film`, told the free port it will be served on (its Host checks
    need it; `studio_url` serves it there)."""
    from cinecode.studio.app import create_app

    port = free_port()
    made = create_app(film, token=token, port=port)
    made.state.port = port
    return made


@contextmanager
def studio_url(app: Any) -> Iterator[str]:
    """Serve a `studio_app` on its port; yields its URL."""
    with ServerThread(app, port=app.state.port) as server:
        yield server.url
