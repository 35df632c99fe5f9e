"""Progress flows through one Reporter: the rich one draws bars, tests record events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from cinecode.graph.job import Job

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


class Reporter(Protocol):
    def plan_ready(self, pending: list[Job]) -> None: ...

    def job_started(self, job: Job) -> None: ...

    def job_progress(self, job: Job, fraction: float) -> None: ...

    def job_finished(self, job: Job, outcome: str, seconds: float, error: str = "") -> None: ...

    def warning(self, message: str) -> None: ...

    def info(self, message: str) -> None: ...

    def close(self) -> None: ...


@dataclass
class RecordingReporter:
    """Keeps every event, for tests and for `--json` summaries."""

    events: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _add(self, kind: str, text: str) -> None:
        with self._lock:
            self.events.append((kind, text))

    def plan_ready(self, pending: list[Job]) -> None:
        self._add("plan", str(len(pending)))

    def job_started(self, job: Job) -> None:
        self._add("started", job.label)

    def job_progress(self, job: Job, fraction: float) -> None:
        pass

    def job_finished(self, job: Job, outcome: str, seconds: float, error: str = "") -> None:
        self._add(outcome, f"{job.label}: {error}" if error else job.label)

    def warning(self, message: str) -> None:
        self._add("warning", message)

    def info(self, message: str) -> None:
        self._add("info", message)

    def close(self) -> None:
        pass

    def of(self, kind: str) -> list[str]:
        return [text for k, text in self.events if k == kind]


DEPARTMENT_ORDER = (
    "storyboard",
    "motion",
    "voice",
    "music",
    "sfx",
    "finishing",
    "edit",
    "mix",
    "master",
)


class RichReporter:
    """A progress bar per department on the console (stderr), warnings above them."""

    def __init__(
        self, console: Console | None = None, *, get_time: Callable[[], float] | None = None
    ) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = console or Console(stderr=True)
        kwargs = {"get_time": get_time} if get_time else {}
        self.progress: Progress = Progress(
            TextColumn("[bold]{task.description:<11}"),
            BarColumn(bar_width=32),
            MofNCompleteColumn(),
            TextColumn("{task.fields[current]}", style="dim"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
            **kwargs,  # type: ignore[arg-type]
        )
        self.tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()
        self._started = False

    def plan_ready(self, pending: list[Job]) -> None:
        counts: dict[str, int] = {}
        for job in pending:
            counts[job.department] = counts.get(job.department, 0) + 1
        if not counts:
            return
        order = {name: i for i, name in enumerate(DEPARTMENT_ORDER)}
        for department in sorted(counts, key=lambda d: order.get(d, 99)):
            self.tasks[department] = self.progress.add_task(
                department, total=counts[department], current=""
            )
        self.progress.start()
        self._started = True

    def job_started(self, job: Job) -> None:
        with self._lock:
            task = self.tasks.get(job.department)
            if task is not None:
                self.progress.update(task, current=job.label)

    def job_progress(self, job: Job, fraction: float) -> None:
        pass

    def job_finished(self, job: Job, outcome: str, seconds: float, error: str = "") -> None:
        with self._lock:
            task = self.tasks.get(job.department)
            if task is not None:
                self.progress.update(task, advance=1, current="")
            if outcome == "failed":
                self.progress.console.print(f"[red]✗ {job.label}[/]: {error}")

    def warning(self, message: str) -> None:
        self.console.print(f"[yellow]! {message}[/]")

    def info(self, message: str) -> None:
        self.console.print(message)

    def close(self) -> None:
        if self._started:
            self.progress.stop()
            self._started = False


class NullReporter(RecordingReporter):
    """Says nothing (library use)."""
