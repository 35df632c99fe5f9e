"""The Studio's web application: pages, their JSON, live events and media by content key.

Every page is a shell that `static/studio.js` fills from the JSON under `/api/` and keeps up
to date from `/api/events`. No filesystem path appears in a URL: media are named by their
content key and looked up in the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from cinecode.errors import Cancelled, CinecodeError, LocatedError
from cinecode.pipeline.session import Session
from cinecode.project.cast import cast_path
from cinecode.project.config import load_project
from cinecode.project.files import write_atomic
from cinecode.studio import board as pages
from cinecode.studio.live import CATALOG, Hub, StudioReporter, Watcher
from cinecode.studio.security import Guard

KEY = re.compile(r"^[0-9a-f]{64}$")
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}
TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "wav": "audio/wav",
    "srt": "text/plain; charset=utf-8",
}
PAGES = ("board", "shot", "player", "script", "build", "ledger", "sound", "cast")
PICK_QUIET_S = 1.0  # picks in quick succession: replan once they pause (each is patched in)


class Task:
    """The Studio's one background job at a time: a build, or new takes of a shot."""

    def __init__(self, kind: str, shot: str, reporter: StudioReporter) -> None:
        self.kind = kind
        self.shot = shot
        self.reporter = reporter
        self.cancel = threading.Event()
        self.state = "running"  # running, done, failed, cancelled
        self.result: dict[str, Any] = {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "shot": self.shot,
            "state": self.state,
            "departments": self.reporter.departments(),
            "failed": self.reporter.failed,
            "messages": self.reporter.messages[-20:],
            **self.result,
        }


class Studio:
    """The project as the Studio holds it: one session (replanned only when a file or the
    store changes), its board, the running task and the watcher."""

    def __init__(self, project: Path) -> None:
        self.project = load_project(project)
        self.root = self.project.root
        self.hub = Hub()
        self._lock = threading.RLock()
        self._opening = threading.Lock()
        self.picking = threading.Lock()  # picks.toml is read, changed and written by one
        self._session: Session | None = None
        self._board: dict[str, Any] | None = None
        self._refreshing = False
        self._again = False
        self._due = 0.0  # a replanning asked for with `quiet` starts no sooner (monotonic)
        self.pick_quiet = PICK_QUIET_S
        self.replans = 0  # boards planned in the background and swapped in
        self._epoch = 0  # bumped by invalidate: a replanning begun before it is thrown away
        self.task: Task | None = None
        self.generating: dict[str, float] = {}
        files = {
            "script": self.project.script_path,
            "film": self.project.file,
            "picks": self.project.picks_path,
            "cut": self.project.cut_path,
            "cast": cast_path(self.root),
            # a CLI regen or make: what it records grows the catalog's log, or (a quick one,
            # its log already folded back) changes the catalog itself
            "catalog": self.project.store_dir / "catalog.sqlite-wal",
            "catalog-db": self.project.store_dir / "catalog.sqlite",
        }
        self.watcher = Watcher(files, self.project.store_dir, self.hub, self.refresh)

    # --- the session --------------------------------------------------------------------------

    def session(self) -> Session:
        with self._lock:
            if self._session is not None:
                return self._session
        with self._opening:  # one request opens it, the others wait for that one
            with self._lock:
                if self._session is not None:
                    return self._session
                epoch = self._epoch
            opened = Session.open(self.root)  # seconds for a feature: never under the lock
            with self._lock:
                if self._session is None and epoch == self._epoch:
                    self._session = opened
                return self._session or opened

    def invalidate(self) -> None:
        """Plan again on next use (the script was saved, a Studio task ended)."""
        with self._lock:
            self._epoch += 1
            self._session = None  # the old one closes when no request holds it any more
            self._board = None

    def refresh(self, names: list[str] | None = None, *, quiet: float = 0.0) -> None:
        """Plan again in the background; pages keep what they have (picks are patched in at
        once) until the new board is ready, then hear of it. One replanning at a time: asks
        that come meanwhile are folded into one more. `quiet`: start once no ask has come
        for that long (a director picking take after take is not slowed by replanning)."""
        if names and CATALOG.issuperset(names) and self.task and self.task.state == "running":
            return  # our own build writing: its end replans once
        with self._lock:
            self._again = True
            if quiet:
                self._due = max(self._due, time.monotonic() + quiet)
            if self._refreshing:
                return
            self._refreshing = True
        threading.Thread(target=self._refresh, name="studio-refresh", daemon=True).start()

    def _refresh(self) -> None:
        try:
            self._replan()
        except BaseException:  # never leave the Studio believing a replanning runs
            with self._lock:
                self._refreshing = False
            raise

    def _replan(self) -> None:
        while True:
            with self._lock:
                wait = self._due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
                continue
            with self._lock:
                if not self._again:  # cleared with the check: an ask now starts a new thread
                    self._refreshing = False
                    return
                self._again = False
                epoch = self._epoch
            try:
                mark = pages.fingerprint(self.project)  # before anything is read
                session = Session.open(self.root)
                made = pages.board(session, self.generating)
            except CinecodeError:
                self.invalidate()  # the files do not plan (a script error): pages say why
                continue
            with self._lock:
                if epoch != self._epoch:  # the files changed under it: plan once more
                    self._again = True
                    continue
                self._session, self._board = session, made
                self.replans += 1
            pages.save_board(self.project, made, mark)
            self.hub.publish({"type": "files", "changed": ["board"]})

    def settle(self, timeout: float = 60.0) -> bool:
        """Wait until no replanning is asked for or running (tests, benchmarks); whether it
        settled within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._refreshing:
                    return True
            time.sleep(0.05)
        return False

    def board(self) -> dict[str, Any]:
        with self._lock:
            cached = self._board
        if cached is None:
            cached = self._first_board()
            with self._lock:
                self._board = self._board or cached
        with self._lock:
            data = dict(self._board or cached)
        data["generating"] = dict(self.generating)
        data["busy"] = self.watcher.busy
        data["task"] = self.task.as_dict() if self.task else None
        return data

    def _first_board(self) -> dict[str, Any]:
        """The board kept from the last Studio when nothing changed since (then the film is
        planned in the background), or one planned now."""
        kept = pages.saved_board(self.project)
        if kept is not None:
            self.refresh()
            return kept
        mark = pages.fingerprint(self.project)  # before anything is read
        made = pages.board(self.session(), self.generating)
        pages.save_board(self.project, made, mark)
        return made

    def warm(self) -> None:
        """Plan the film and make its board before the first page asks (a feature: seconds)."""
        with contextlib.suppress(CinecodeError):
            self.board()

    def picked(self) -> None:
        """picks.toml was written here (a pick, reject or lock): the pages hear of it now,
        the film is replanned once the director pauses."""
        self.watcher.seen("picks")
        with self._lock:
            self._epoch += 1  # a replanning that read picks.toml before this is thrown away
        self.refresh(quiet=self.pick_quiet)
        self.hub.publish({"type": "files", "changed": ["picks"]})

    def cast_changed(self) -> None:
        """cast.toml was written here (a sheet picked or rejected): the film is planned
        again (the picked views are references of the shots), the pages hear of it now."""
        self.watcher.seen("cast")
        self.invalidate()
        self.refresh()
        self.hub.publish({"type": "files", "changed": ["cast"]})

    def patch_shot(self, shot_id: str, **changes: Any) -> None:
        """Change one card of the cached board at once (the full replan follows)."""
        with self._lock:
            if self._board is None:
                return
            for scene in self._board["scenes"]:
                for shot in scene["shots"]:
                    if shot["id"] == shot_id:
                        shot.update(changes)

    # --- background work ----------------------------------------------------------------------

    def start(self, kind: str, shot: str, work: Callable[[Task], dict[str, Any]]) -> Task:
        with self._lock:
            if self.task is not None and self.task.state == "running":
                raise HTTPException(409, f"the Studio is busy: {self.task.kind} is running")
            task = Task(kind, shot, StudioReporter(self.hub, task=kind))
            self.task = task

        def run() -> None:
            try:
                task.result = work(task)
                task.state = "failed" if task.reporter.failed else "done"
            except (KeyboardInterrupt, Cancelled):
                task.state = "cancelled"
            except Exception as exc:  # a task never leaves the Studio busy
                task.state = "failed"
                task.result = {"error": str(exc) or type(exc).__name__}
            finally:
                self.generating.pop(shot, None)
                self.invalidate()
                self.hub.publish({"type": "done", "task": task.as_dict()})

        threading.Thread(target=run, name=f"studio-{kind}", daemon=True).start()
        return task

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel.set()  # a build or new takes stop with the Studio
        self.watcher.stop()


def create_app(project: Path, *, token: str, host: str = "127.0.0.1", port: int = 0) -> FastAPI:
    """The Studio of `project`, answering only requests that carry `token` (see security)."""
    studio = Studio(project)
    guard = Guard(token, host, port)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        studio.watcher.start()
        threading.Thread(target=studio.warm, name="studio-warm", daemon=True).start()
        try:
            yield
        finally:
            studio.close()

    app = FastAPI(
        title="cinecode studio", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.studio = studio

    @app.exception_handler(CinecodeError)
    async def _cinecode_error(request: Request, exc: CinecodeError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    app.state.guard = guard
    app.middleware("http")(guard)
    here = Path(__file__).parent
    app.mount("/static", StaticFiles(directory=here / "static"), name="static")
    templates = Environment(
        loader=PackageLoader("cinecode.studio", "templates"), autoescape=select_autoescape()
    )

    def page(name: str, **extra: Any) -> HTMLResponse:
        html = templates.get_template(f"{name}.html").render(
            page=name, title=studio.project.config.title or studio.root.name, pages=PAGES, **extra
        )
        return HTMLResponse(html)

    # --- pages ----------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def board_page() -> HTMLResponse:
        return page("board")

    @app.get("/shot/{shot_id}", response_class=HTMLResponse)
    def shot_page(shot_id: str) -> HTMLResponse:
        _known_shot(studio, shot_id)
        return page("shot", shot=shot_id)

    for name in PAGES[2:]:
        app.add_api_route(f"/{name}", _page_route(page, name), response_class=HTMLResponse)

    # --- the board and the shots ------------------------------------------------------------

    @app.get("/api/board")
    def board() -> JSONResponse:
        try:
            return JSONResponse(studio.board())
        except CinecodeError as exc:
            return JSONResponse({"error": str(exc), "scenes": []})

    @app.get("/api/shot/{shot_id}")
    def shot(shot_id: str) -> JSONResponse:
        session = _known_shot(studio, shot_id)
        return JSONResponse(pages.shot_page(session, shot_id))

    @app.post("/api/shot/{shot_id}/{action}")
    async def shot_action(shot_id: str, action: str, request: Request) -> JSONResponse:
        body = await _json(request)  # the work itself off the event loop (pages stay live)
        return JSONResponse(await run_in_threadpool(_act, studio, shot_id, action, body))

    # --- the cast: sheets of the characters and locations ----------------------------------

    @app.get("/api/cast")
    def cast() -> JSONResponse:
        from cinecode.studio.cast import cast_page

        try:
            board = studio.board()
        except CinecodeError:
            board = None
        return JSONResponse(cast_page(studio.session(), board))

    @app.post("/api/cast/{action}")
    async def cast_action(action: str, request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(await run_in_threadpool(_cast_act, studio, action, body))

    # --- player, script, build, ledger, sound -----------------------------------------------

    @app.get("/api/player")
    def player() -> JSONResponse:
        session = studio.session()
        plan, store = session.plan, session.store
        master = plan.targets["master"]
        srt = plan.targets["srt"]
        built = store.available([master, srt]) if store else set()
        return JSONResponse(
            {
                "master": master if master in built else None,
                "subtitles": srt if srt in built else None,
                "timeline": pages.timeline(session) if master in built else [],
                "scenes": [
                    {"id": scene.id, "heading": scene.heading, "shots": [s.id for s in scene.shots]}
                    for scene in plan.film.scenes
                ],
            }
        )

    @app.get("/api/script")
    def script() -> JSONResponse:
        text = studio.project.script_path.read_text(encoding="utf-8")
        return JSONResponse({"text": text, "digest": _digest(text), **_script_state(studio)})

    @app.post("/api/script")
    async def save_script(request: Request) -> JSONResponse:
        body = await _json(request)
        return await run_in_threadpool(_save_script, studio, body)

    @app.get("/api/build")
    def build_state() -> JSONResponse:
        return JSONResponse(
            {"task": studio.task.as_dict() if studio.task else None, "busy": studio.watcher.busy}
        )

    @app.post("/api/build")
    def build() -> JSONResponse:
        from cinecode.pipeline.build import make

        def work(task: Task) -> dict[str, Any]:
            result = make(
                studio.root, reporter=task.reporter, cancel=task.cancel, on_wait=task.reporter.info
            )
            return {"stats": result.stats.as_dict()}

        return JSONResponse({"task": studio.start("build", "", work).as_dict()})

    @app.post("/api/cancel")
    def cancel() -> JSONResponse:
        if studio.task is not None:
            studio.task.cancel.set()
        return JSONResponse({"cancelled": studio.task is not None})

    @app.get("/api/ledger")
    def ledger() -> JSONResponse:
        from cinecode.commands.ledger import ledger_report

        return JSONResponse(ledger_report(studio.root, chart=False))

    @app.get("/api/sound")
    def sound() -> JSONResponse:
        from cinecode.commands.soundsheet import sound_sheet

        return JSONResponse(sound_sheet(studio.root))

    @app.get("/api/events")
    def events() -> StreamingResponse:
        return StreamingResponse(
            studio.hub.stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)

    # --- media, by content key ----------------------------------------------------------------

    @app.get("/media/{key}")
    def media(key: str) -> Response:
        store, artifact = _artifact(studio, key)
        return FileResponse(
            store.path(artifact),
            media_type=TYPES.get(artifact.ext.lower(), "application/octet-stream"),
            headers=IMMUTABLE,
        )

    @app.get("/thumb/{key}")
    def thumb(key: str) -> Response:
        store, artifact = _artifact(studio, key)
        target = studio.project.build_dir / "studio" / "thumbs" / f"{key}.jpg"
        if not target.is_file():
            from cinecode.commands.takes import still

            target.parent.mkdir(parents=True, exist_ok=True)
            image = still(store.path(artifact))
            image.thumbnail((320, 180))
            staged = target.with_name(f".{target.name}.part")
            image.save(staged, format="JPEG", quality=82)
            staged.replace(target)
        return FileResponse(target, media_type="image/jpeg", headers=IMMUTABLE)

    @app.get("/subtitles/{key}.vtt")
    def subtitles(key: str) -> Response:
        from cinecode.media.subtitles import parse_srt, to_vtt

        store, artifact = _artifact(studio, key)
        text = store.path(artifact).read_text(encoding="utf-8")
        return Response(to_vtt(parse_srt(text)), media_type="text/vtt", headers=IMMUTABLE)

    return app


def _page_route(page: Callable[..., HTMLResponse], name: str) -> Callable[[], HTMLResponse]:
    def route() -> HTMLResponse:
        return page(name)

    route.__name__ = f"{name}_page"
    return route


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(400, "send JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "send a JSON object")
    return body


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _known_shot(studio: Studio, shot_id: str) -> Session:
    session = studio.session()
    if shot_id not in session.plan.shots:
        raise HTTPException(404, f"no shot {shot_id}")
    return session


def _artifact(studio: Studio, key: str) -> tuple[Any, Any]:
    if not KEY.match(key):
        raise HTTPException(404, "no such object")
    session = studio.session()
    store = session.store
    artifact = store.catalog.get(key) if store else None
    if store is None or artifact is None:
        raise HTTPException(404, "no such object")
    return store, artifact


def _script_state(studio: Studio) -> dict[str, Any]:
    """Where each shot starts in the screenplay, or the error that stops it (file:line)."""
    try:
        session = studio.session()
    except LocatedError as exc:
        return {"shots": [], "error": {"line": exc.line, "message": exc.message, "hint": exc.hint}}
    except CinecodeError as exc:
        return {"shots": [], "error": {"line": None, "message": exc.message, "hint": exc.hint}}
    shots = [{"id": s.id, "line": s.line} for s in session.film.shots]
    return {"shots": shots, "error": None}


def _save_script(studio: Studio, body: dict[str, Any]) -> JSONResponse:
    """Save the screenplay atomically, unless it changed on disk since the page read it."""
    text, base = str(body.get("text", "")), str(body.get("digest", ""))
    path = studio.project.script_path
    on_disk = path.read_text(encoding="utf-8")
    if _digest(on_disk) != base:  # changed since the page loaded it: keep both
        return JSONResponse(
            {"saved": False, "conflict": True, "disk": on_disk, "yours": text}, status_code=409
        )
    write_atomic(path, text)
    studio.invalidate()
    return JSONResponse({"saved": True, "digest": _digest(text), **_script_state(studio)})


def _act(studio: Studio, shot_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    from cinecode.commands import takes

    if action in ("pick", "reject", "unreject", "lock", "unlock"):
        with studio.picking:  # picks.toml is read, changed and written by one at a time
            return _choose(studio, shot_id, action, body)
    _known_shot(studio, shot_id)
    if action == "ab":
        return {"task": studio.start("ab", shot_id, _ab_work(studio, shot_id, body)).as_dict()}
    if action == "takes":
        count = max(1, min(32, int(body.get("count") or 1)))
        prompt = str(body.get("prompt") or "") or None
        seed = int(body["seed"]) if str(body.get("seed") or "").strip() else None

        def work(task: Task) -> dict[str, Any]:
            studio.generating[shot_id] = 0.0
            made, stats = takes.regen(
                studio.root,
                shot_id,
                takes=count,
                prompt=prompt,
                seed=seed,
                reporter=task.reporter,
                cancel=task.cancel,
            )
            return {"made": [take for _, take in made], "stats": stats.as_dict()}

        return {"task": studio.start("takes", shot_id, work).as_dict()}
    raise HTTPException(404, f"no action {action}")


def _cast_act(studio: Studio, action: str, body: dict[str, Any]) -> dict[str, Any]:
    """Pick, reject or un-reject a sheet (cast.toml, through `cinecode cast`'s code), or
    make more sheets of a name in the background (a task like new takes of a shot)."""
    from cinecode.commands import cast as casting
    from cinecode.studio import cast as page

    kind = page.kind_of(body.get("kind"))
    name = str(body.get("name", ""))
    take = str(body.get("take", ""))
    if action in ("pick", "reject", "unreject"):
        with studio.picking:  # cast.toml is read, changed and written by one at a time
            if action == "pick":
                done = page.pick(studio.root, name, take, kind)
            else:
                rejected = action == "reject"
                sheet = casting.reject(studio.root, name, take, kind=kind, rejected=rejected)
                done = {"name": name, action + "ed": sheet}
        studio.cast_changed()
        return done
    if action == "takes":
        count = max(1, min(16, int(body.get("count") or 1)))
        with Session.open(studio.root) as session:
            who = casting.check_name(session, name, kind)

        def work(task: Task) -> dict[str, Any]:
            made = casting.cast(
                studio.root,
                who,
                kind=kind,
                more=count,
                reporter=task.reporter,
                cancel=task.cancel,
            )
            return {"name": who, "made": made.made, "stats": made.stats.as_dict()}

        return {"task": studio.start("cast", who, work).as_dict()}
    raise HTTPException(404, f"no action {action}")


def _choose(studio: Studio, shot_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    """A pick, reject, un-reject, lock or unlock: written to picks.toml through the same code
    as the CLI, shown at once, the film replanned once the director pauses."""
    from cinecode.commands import takes

    session = _known_shot(studio, shot_id)
    take = str(body.get("take", ""))
    if action == "pick":  # patched into the open plan and board at once
        made = takes.choose(session, shot_id, take)
        session.plan.shots[shot_id].picture = made.key
        session.plan.shots[shot_id].reason = "picked"
        studio.patch_shot(
            shot_id,
            picked=True,
            reason="picked",
            picture=made.key,
            thumb=made.key,
            stale="to make: segment",
        )
        studio.picked()
        return {"picked": made.id, "unrejected": made.unrejected}
    if action in ("reject", "unreject"):
        done = takes.hide(session, shot_id, take, rejected=action == "reject")
        studio.picked()
        return {action + "ed": done}
    takes.hold(session, shot_id, locked=action == "lock")
    studio.patch_shot(shot_id, locked=action == "lock")
    studio.picked()
    return {"locked": action == "lock"}


def _ab_work(
    studio: Studio, shot_id: str, body: dict[str, Any]
) -> Callable[[Task], dict[str, Any]]:
    """A/B in context: the shot's scene rendered with take A and with take B (each reel a job
    like any other: cached, so playing the pair again renders nothing)."""
    from dataclasses import replace

    from cinecode.commands import takes
    from cinecode.pipeline.plan import plan as plan_film
    from cinecode.project.picks import Choice

    def work(task: Task) -> dict[str, Any]:
        with Session.open(studio.root, write=True) as session:
            shot = takes.find_shot(session, shot_id)
            reels: dict[str, str] = {}
            for side in ("a", "b"):
                artifact = takes.resolve_take(session, shot, str(body.get(side, "")))
                picks = {**session.state.picks, shot_id: Choice(pick=artifact.key, locked=True)}
                state = replace(session.state, picks=picks)
                trial = plan_film(session.film, session.project, state)
                scene = session.film.scene_of(shot_id).id
                reel = next(k for k in trial.reels if trial.graph.jobs[k].scene == scene)
                with session.locked(on_wait=task.reporter.info, cancel=task.cancel):
                    stats = session.run(
                        trial.graph, [reel], reporter=task.reporter, cancel=task.cancel
                    )
                if stats.interrupted:
                    raise KeyboardInterrupt
                reels[side] = reel
            return {"reels": reels}

    return work


__all__ = ["Studio", "create_app"]
