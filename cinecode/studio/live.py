"""What the Studio's pages hear while they are open: build progress, file changes, builds of
other processes. One `Hub` fans events out to every open page (Server-Sent Events); the
`StudioReporter` is the build's Reporter (the same interface the CLI's bars use); the
`Watcher` notices the CLI or an editor changing the project's files, and a CLI build."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from cinecode.graph.job import Job

Event = dict[str, Any]
#: the Watcher's names for the catalog's files: its log, and the catalog itself
CATALOG = frozenset({"catalog", "catalog-db"})


class Hub:
    """Publish from any thread; each page's stream receives every event after it joined."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]] = []

    def publish(self, event: Event) -> None:
        with self._lock:
            queues = list(self._queues)
        for loop, queue in queues:
            with contextlib.suppress(RuntimeError):  # a loop that has closed
                loop.call_soon_threadsafe(queue.put_nowait, event)

    async def stream(self, *, heartbeat: float = 15.0) -> AsyncIterator[str]:
        """The text/event-stream of one page, until it goes away."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue()
        entry = (loop, queue)
        with self._lock:
            self._queues.append(entry)
        try:
            yield "retry: 1000\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), heartbeat)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"data: {json.dumps(event)}\n\n"
        finally:
            with self._lock:
                self._queues.remove(entry)


class StudioReporter:
    """A build's progress as events: per department (done / total) and per job."""

    def __init__(self, hub: Hub, *, task: str) -> None:
        self.hub = hub
        self.task = task
        self.total: dict[str, int] = defaultdict(int)
        self.done: dict[str, int] = defaultdict(int)
        self.failed: list[dict[str, str]] = []
        self.messages: list[str] = []
        self._sent: dict[str, float] = {}
        self._lock = threading.Lock()

    def departments(self) -> dict[str, dict[str, int]]:
        return {d: {"done": self.done[d], "total": n} for d, n in sorted(self.total.items())}

    def plan_ready(self, pending: list[Job]) -> None:
        with self._lock:
            for job in pending:
                self.total[job.department] += 1
        self.hub.publish({"type": "progress", "task": self.task, "departments": self.departments()})

    def job_started(self, job: Job) -> None:
        self._job(job, "started", 0.0)

    def job_progress(self, job: Job, fraction: float) -> None:
        now = time.monotonic()
        if now - self._sent.get(job.key, 0.0) < 0.2:  # at most five updates a second
            return
        self._sent[job.key] = now
        self._job(job, "running", fraction)

    def job_finished(self, job: Job, outcome: str, seconds: float, error: str = "") -> None:
        with self._lock:
            self.done[job.department] += 1
            if outcome == "failed":
                self.failed.append({"job": job.label, "error": error})
        self._job(job, outcome, 1.0, error)
        self.hub.publish({"type": "progress", "task": self.task, "departments": self.departments()})

    def _job(self, job: Job, state: str, fraction: float, error: str = "") -> None:
        self.hub.publish(
            {
                "type": "job",
                "task": self.task,
                "shot": job.shot,
                "label": job.label,
                "department": job.department,
                "state": state,
                "fraction": round(fraction, 3),
                "error": error,
            }
        )

    def warning(self, message: str) -> None:
        self.messages.append(message)
        self.hub.publish(
            {"type": "message", "task": self.task, "level": "warning", "text": message}
        )

    def info(self, message: str) -> None:
        self.messages.append(message)
        self.hub.publish({"type": "message", "task": self.task, "level": "info", "text": message})

    def close(self) -> None:
        pass


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def other_build(store_dir: Path) -> int | None:
    """The pid of another process building this project (the project lock names it)."""
    try:
        text = (store_dir / "lock").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not text.startswith("pid "):
        return None
    try:
        pid = int(text.split()[1])
        if pid == os.getpid():
            return None
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return None
    return pid


class Watcher:
    """Polls the project's files and lock; calls `changed(names)` and publishes events."""

    def __init__(
        self,
        files: dict[str, Path],
        store_dir: Path,
        hub: Hub,
        changed: Callable[[list[str]], None],
        *,
        interval: float = 0.4,
    ) -> None:
        self.files = files
        self.store_dir = store_dir
        self.hub = hub
        self.changed = changed
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="studio-watcher", daemon=True)
        self._lock = threading.Lock()
        self._stats = self._snapshot()
        self._busy: int | None = None
        self._catalog_seen = 0.0

    def _snapshot(self) -> dict[str, tuple[int, int] | None]:
        return {name: _stat(path) for name, path in self.files.items()}

    def seen(self, name: str) -> None:
        """The Studio itself wrote this file: not news (it tells the pages itself)."""
        with self._lock:
            self._stats[name] = _stat(self.files[name])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                now = self._snapshot()
                names = [name for name in now if now[name] != self._stats.get(name)]
                log = now.get("catalog")
                if "catalog" in names and (log is None or log[0] == 0):
                    names.remove("catalog")  # a log opened empty, or folded back: no records
                if names and CATALOG.issuperset(names):
                    if time.monotonic() - self._catalog_seen < 2.0:
                        continue  # a build writing: tell the pages at most every 2 s
                    self._catalog_seen = time.monotonic()
                self._stats = now
            if names:
                self.changed(names)
                self.hub.publish({"type": "files", "changed": names})
            busy = other_build(self.store_dir)
            if busy != self._busy:
                self._busy = busy
                self.hub.publish({"type": "busy", "pid": busy})
                if busy is None:  # a CLI build finished: what it made is new
                    self.changed(["store"])
                    self.hub.publish({"type": "files", "changed": ["store"]})

    @property
    def busy(self) -> int | None:
        return self._busy


__all__ = ["CATALOG", "Hub", "StudioReporter", "Watcher", "other_build"]
