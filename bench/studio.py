"""Studio speed benchmarks: board server time, first paint in chromium, a pick reflected.

    python bench/studio.py                        # build Big Fish at 320x180 (about 15 minutes)
    python bench/studio.py --no-build             # Big Fish only planned: nothing built
    python bench/studio.py --keep                 # ... and keep the built project (path printed)
    python bench/studio.py --project PATH         # an already built project, reused as it is

Big Fish (190 scenes) is copied and built with the real `cinecode` command, as in
bench/run.py; the Studio app (`cinecode.studio.app.create_app`) is served in-process with
uvicorn and measured with httpx and headless chromium (Debian's, through Playwright; never
`playwright install`). Prints a Markdown table against the targets.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
TESTS = ROOT / "tests"

BOARD_SERVER_S = 1.0  # GET / and GET /api/board, measured at the client over loopback
FCP_S = 2.0  # first contentful paint of the board in a fresh browser context
PICK_S = 0.2  # a pick's POST plus the next /api/board, from the page


def cinecode(*args: str | Path) -> dict[str, Any]:
    """Run the real command with --json; its last line (exits with stderr on failure)."""
    sys.path.insert(0, str(BENCH))
    from run import CLI  # bench/run.py: the venv's `cinecode`

    proc = subprocess.run(
        [*CLI, *map(str, args), "--json"], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"cinecode {' '.join(map(str, args))} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def big_fish(*, build: bool, keep: bool) -> Iterator[Path]:
    """Big Fish at 320x180 in a temporary folder, built (or only planned)."""
    sys.path.insert(0, str(BENCH))
    from run import FEATURE, feature_project  # the same project bench/run.py builds

    if not FEATURE.is_file():
        raise SystemExit(f"{FEATURE} is missing: clone ../shared beside the project")
    tmp = Path(tempfile.mkdtemp(prefix="cinecode-studio-bench-"))
    project = tmp / "big-fish"
    try:
        project = feature_project(tmp)
        step = "make" if build else "plan"
        note = " (about 15 minutes)" if build else ""
        print(f"cinecode {step} {project}{note} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        cinecode(step, project)
        print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        yield project
    finally:
        if keep:
            print(f"kept: {project}  (reuse: --project {project})", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def timings(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """(the first call, the median of `runs` more) in seconds."""

    def once() -> float:
        started = time.perf_counter()
        call()
        return time.perf_counter() - started

    first = once()
    return first, statistics.median(once() for _ in range(runs))


def server_times(url: str, token: str, runs: int) -> dict[str, Any]:
    """GET /api/board and GET / with the session cookie (traded for the token); the shots."""
    import httpx

    with httpx.Client(base_url=url, timeout=60, follow_redirects=False) as client:
        login = client.get("/", params={"token": token})
        if not login.is_redirect or not client.cookies:
            raise SystemExit(
                f"GET /?token=... answered {login.status_code} "
                f"{'without' if not client.cookies else 'with'} a cookie: expected a redirect "
                "that sets the session cookie"
            )

        def get(path: str) -> Callable[[], object]:
            def call() -> object:
                response = client.get(path)
                response.raise_for_status()
                return response

            return call

        board = timings(get("/api/board"), runs)
        page = timings(get("/"), runs)
        shots = client.get("/api/board").json().get("shots")  # the board's count of shots
        return {"/api/board": board, "/": page, "shots": shots}


def browser_times(url: str, token: str, runs: int) -> dict[str, Any]:
    """First contentful paint of the board, and a pick reflected, in headless chromium."""
    sys.path.insert(0, str(TESTS))
    from browser import CHROMIUM_ARGS, chromium_path  # tests/browser.py
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("no chromium: run scripts/setup-system (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            paints = [first_paint(browser, url, token) for _ in range(runs + 1)]
            result: dict[str, Any] = {"fcp": (paints[0], statistics.median(paints[1:]))}
            result.update(pick_reflected(browser, url, token, runs))
            return result
        finally:
            browser.close()


def first_paint(browser: Any, url: str, token: str) -> float:
    """Open the Studio in a fresh context (the token's redirect included): FCP in seconds."""
    context = browser.new_context(bypass_csp=True)  # the bench's own waits evaluate strings
    try:
        page = context.new_page()
        page.goto(f"{url}/?token={token}", wait_until="load", timeout=60_000)
        page.wait_for_function(
            "performance.getEntriesByName('first-contentful-paint').length > 0", timeout=60_000
        )
        start_ms = page.evaluate(
            "performance.getEntriesByName('first-contentful-paint')[0].startTime"
        )
        return float(start_ms) / 1000
    finally:
        context.close()


# ASSUMPTIONS about the Studio's page and API, to check against cinecode/studio once it is
# written (this part depends on the page's DOM and routes):
#   - the board page has one element per shot, `[data-shot="ID"]`, ID the shot's id;
#   - `POST /api/shot/{ID}/pick` with JSON {"take": "1"} picks take 1 of that shot (same
#     origin, the session cookie; no other header);
#   - `GET /api/board` then shows it: the shot's entry has "picked": true.
# The time measured is the POST's round trip plus the next /api/board fetch, made from the
# page with fetch() (what the board's JavaScript does after a pick), not the repaint.
PICK_JS = """async ([shot, take]) => {
  const started = performance.now();
  const pick = await fetch(`/api/shot/${encodeURIComponent(shot)}/pick`, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({take}),
  });
  const board = await fetch("/api/board");
  const elapsed = performance.now() - started;
  let picked = null;
  if (board.ok) {
    const data = await board.json();
    for (const scene of data.scenes || []) {
      for (const s of scene.shots || []) if (s.id === shot) picked = s.picked ?? null;
    }
  }
  return {ms: elapsed, pick: pick.status, board: board.status, picked};
}"""


def pick_reflected(browser: Any, url: str, token: str, runs: int) -> dict[str, Any]:
    """Pick take 1 of a shot from the board page, `runs` + 1 times (see the ASSUMPTIONS)."""
    context = browser.new_context(bypass_csp=True)  # the bench's own waits evaluate strings
    try:
        page = context.new_page()
        page.goto(f"{url}/?token={token}", wait_until="load", timeout=60_000)
        page.wait_for_selector("[data-shot]", timeout=60_000)  # the board's cards are drawn
        shots = page.eval_on_selector_all(
            "[data-shot]", "els => els.map(e => e.getAttribute('data-shot'))"
        )
        if not shots:
            return {"pick_error": "no [data-shot] element on the board page"}
        board = page.evaluate("fetch('/api/board').then(r => r.json())")
        with_takes = {
            s.get("id")
            for scene in board.get("scenes", [])
            for s in scene.get("shots", [])
            if s.get("takes")
        }
        shot = next((s for s in shots if s in with_takes), shots[0])
        results = [page.evaluate(PICK_JS, [shot, "1"]) for _ in range(runs + 1)]
        last = results[-1]
        if last["pick"] >= 400 or last["board"] >= 400:
            return {"pick_error": f"POST pick {last['pick']}, GET /api/board {last['board']}"}
        seconds = [r["ms"] / 1000 for r in results]
        return {
            "pick": (seconds[0], statistics.median(seconds[1:])),
            "pick_shot": shot,
            "pick_seen": last["picked"],
        }
    finally:
        context.close()


@contextmanager
def picks_kept(project: Path) -> Iterator[None]:
    """The bench's picks are undone: picks.toml is put back as it was."""
    picks = project / "picks.toml"
    before = picks.read_bytes() if picks.is_file() else None
    try:
        yield
    finally:
        if before is None:
            picks.unlink(missing_ok=True)
        else:
            picks.write_bytes(before)


def row(name: str, target: float, measured: tuple[float, float] | None, note: str = "") -> str:
    if measured is None:
        return f"| {name} | < {fmt(target, 'g')} | n/a | n/a | {note or 'not measured'} |"
    first, median = measured
    verdict = "✅ met" if median < target else "❌ missed"
    return f"| {name} | < {fmt(target, 'g')} | {fmt(first)} | {fmt(median)} | {verdict}{note} |"


def fmt(seconds: float, spec: str = ".2f") -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:{spec}} s"


def bench(project: Path, runs: int) -> None:
    sys.path.insert(0, str(TESTS))
    from browser import ServerThread, free_port  # tests/browser.py

    try:
        from cinecode.studio.app import create_app
    except ImportError as error:
        raise SystemExit(
            f"the Studio app is not there yet (cinecode.studio.app): {error}"
        ) from None

    token = secrets.token_urlsafe(24)
    kept = project / "build" / "studio" / "board.json"
    kept.unlink(missing_ok=True)  # the first Studio starts cold: it plans the film
    with picks_kept(project):
        port = free_port()  # the app is told its port (its Host/Origin checks)
        app = create_app(project, token=token, host="127.0.0.1", port=port)
        with ServerThread(app, port=port) as server:
            served = server_times(server.url, token, runs)
            seen = browser_times(server.url, token, runs)
            app.state.studio.settle(120)  # the kept board is the one of the picks as they are
        # the same project opened again, nothing changed: the kept board answers at once
        port = free_port()
        again = create_app(project, token=token, host="127.0.0.1", port=port)
        with ServerThread(again, port=port) as server:
            reopened = server_times(server.url, token, runs)["/api/board"]
            again.state.studio.settle(120)
    shots = served.pop("shots", None)
    print(f"\nStudio on {project} ({shots} shots), the median of {runs} runs after a first one\n")
    print("| measure | target | first | median | result |")
    print("|---|---:|---:|---:|---|")
    print(row("`GET /api/board` (server)", BOARD_SERVER_S, served["/api/board"]))
    print(row("`GET /api/board`, the Studio opened again", BOARD_SERVER_S, reopened))
    print(row("`GET /` the board page (server)", BOARD_SERVER_S, served["/"]))
    print(row("first contentful paint of the board", FCP_S, seen["fcp"]))
    note = ""
    if "pick" in seen and seen.get("pick_seen") is not True:
        note = f" (but /api/board shows picked={seen.get('pick_seen')})"
    print(
        row(
            f"a pick reflected (POST + `/api/board`, shot {seen.get('pick_shot', '?')})",
            PICK_S,
            seen.get("pick"),
            seen.get("pick_error", note),
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project", type=Path, help="an already built project to serve (its picks are restored)"
    )
    parser.add_argument(
        "--no-build", action="store_true", help="Big Fish only planned, not built (fast)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the Big Fish project made")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the first (5)")
    args = parser.parse_args()
    if args.project:
        if not (args.project / "film.toml").is_file():
            raise SystemExit(f"{args.project}: no film.toml (a cinecode project folder)")
        bench(args.project.resolve(), args.runs)
        return
    with big_fish(build=not args.no_build, keep=args.keep) as project:
        bench(project, args.runs)


if __name__ == "__main__":
    main()
