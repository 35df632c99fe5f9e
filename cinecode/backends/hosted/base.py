"""What every hosted backend shares: connection settings, prices, tickets and waiting.

**Never pay twice.** A provider job runs on someone else's machine and is paid for when it
is submitted. The backend is handed a `Ticket` (the executor's runner makes one per job, kept
in the project's catalog); it `remember`s the provider's job id the moment the provider
answers, before waiting, and on the next make `recall`s it and polls that job instead of
submitting a new one. A ticket is `done` once the result is downloaded and checked, and is
`forget`-ten only when the provider's job is gone or its result was wrong (a new job is then
wanted).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from cinecode.backends.hosted.http import HttpClient, Service
from cinecode.backends.hosted.pricing import Prices, Usage
from cinecode.backends.protocols import BackendStatus, Cost, ProgressFn
from cinecode.errors import BackendError, ProviderDown


@dataclass(frozen=True)
class ProviderJob:
    """A job submitted to a provider: its id and what is needed to find it again."""

    id: str
    data: dict[str, Any] = field(default_factory=dict)  # status URLs… never credentials


class Ticket(Protocol):
    """Where a backend keeps the provider job of one cinecode job across crashes."""

    def recall(self) -> ProviderJob | None: ...

    def remember(self, job: ProviderJob) -> None: ...

    def done(self) -> None: ...

    def forget(self) -> None: ...


class MemoryTicket:
    """A ticket that lives as long as the object (library use and tests)."""

    def __init__(self, job: ProviderJob | None = None) -> None:
        self.job = job
        self.state = "submitted" if job else ""
        self.remembered: list[ProviderJob] = []

    def recall(self) -> ProviderJob | None:
        return self.job

    def remember(self, job: ProviderJob) -> None:
        self.job = job
        self.state = "submitted"
        self.remembered.append(job)

    def done(self) -> None:
        self.state = "done"

    def forget(self) -> None:
        self.job = None
        self.state = ""


class HostedBackend:
    """Base of the backends that call a provider over HTTP.

    Constructed from film.toml: the department's settings (model, inputs) and the project's
    `[services.NAME]` table (base_url, api_key_env, timeout, retries, requests_per_minute,
    concurrency, poll_interval, max_wait, max_download_mb), plus its price list.
    """

    name = "hosted"
    #: provider defaults, overridden by subclasses
    BASE_URL = ""
    KEY_ENV = ""
    AUTH: Any = "bearer"
    HEADERS: ClassVar[Mapping[str, str]] = {}
    STATUS_PATH = ""  # a cheap GET that proves the key works

    def __init__(
        self,
        *,
        model: str = "",
        base_url: str = "",
        api_key_env: str = "",
        timeout: float = 60.0,
        retries: int = 5,
        requests_per_minute: float = 0.0,
        concurrency: int = 8,
        poll_interval: float = 2.0,
        max_wait: float = 3600.0,
        max_download_mb: float = 1024.0,
        prices: Mapping[str, Mapping[str, Any]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if poll_interval <= 0 or max_wait <= 0:
            raise BackendError(
                "poll_interval and max_wait must be positive",
                backend=self.name,
                hint=f"fix [services.{self.name}] in film.toml",
            )
        self.model = model
        self.poll_interval = float(poll_interval)
        self.max_wait = float(max_wait)
        self.prices = Prices(self.name, dict(prices or {}))
        self._sleep = sleep
        self.service = Service(
            name=self.name,
            base_url=(base_url or self.BASE_URL).rstrip("/"),
            key_env=api_key_env or self.KEY_ENV,
            auth=self.AUTH,
            key_required=not base_url or bool(api_key_env),
            timeout=float(timeout),
            retries=int(retries),
            requests_per_minute=float(requests_per_minute),
            concurrency=int(concurrency),
            max_download_mb=float(max_download_mb),
            headers=dict(self.HEADERS),
        )
        self.http = HttpClient(self.service, sleep=sleep)

    # --- status ----------------------------------------------------------------------------

    def status(self) -> BackendStatus:
        """Ready, or what is missing (the key, the network) and the fix."""
        if not self.http.has_key:
            error = self.http.missing_key()
            return BackendStatus("misconfigured", error.message, error.hint)
        if not self.STATUS_PATH:
            return BackendStatus("ready", f"{self.service.base_url} (key set)")
        try:
            self.http.request("GET", self.STATUS_PATH)
        except ProviderDown as exc:
            return BackendStatus("unreachable", exc.message, exc.hint)
        except BackendError as exc:
            return BackendStatus("misconfigured", exc.message, exc.hint)
        return BackendStatus("ready", self.service.base_url)

    # --- money -----------------------------------------------------------------------------

    def cost(self, model: str, usage: Usage) -> Cost:
        """What a generation cost, from the price list."""
        return self.prices.cost(model, usage)

    # --- waiting ---------------------------------------------------------------------------

    def wait(
        self,
        poll: Callable[[], tuple[bool, float | None]],
        *,
        what: str,
        progress: ProgressFn | None,
    ) -> None:
        """Call `poll` every poll_interval until it says finished (it returns (finished,
        fraction or None)); `progress` may raise to stop waiting (the ticket stays, so the
        next make resumes)."""
        started = time.monotonic()
        while True:
            finished, fraction = poll()
            if finished:
                return
            elapsed = time.monotonic() - started
            if progress is not None:
                progress(fraction if fraction is not None else min(0.95, elapsed / 120.0))
            if elapsed > self.max_wait:
                raise ProviderDown(
                    f"{what} is still running after {self.max_wait:.0f} s",
                    backend=self.name,
                    hint="run make again to keep waiting for the same job (it is not "
                    f"submitted twice), or raise max_wait in [services.{self.name}]",
                )
            self._sleep(self.poll_interval)

    def run_job(
        self,
        ticket: Ticket | None,
        *,
        submit: Callable[[], ProviderJob],
        poll: Callable[[ProviderJob], Poll],
        what: str,
        progress: ProgressFn | None,
    ) -> tuple[ProviderJob, Any]:
        """Resume the ticket's provider job, or submit one and remember it before waiting;
        wait for it; return it with its result. A failed job is forgotten (the next make
        submits anew); a job the provider no longer knows is submitted again once."""
        ticket = ticket or MemoryTicket()
        job = resume(ticket, self.name)
        resubmitted = False
        if job is None:
            job = submit()
            ticket.remember(job)
        current = job
        outcome: Poll = Poll("running")

        def step() -> tuple[bool, float | None]:
            nonlocal outcome
            outcome = poll(current)
            return outcome.state != "running", outcome.fraction

        while True:
            self.wait(step, what=what, progress=progress)
            if outcome.state == "gone" and not resubmitted:
                ticket.forget()
                current = submit()
                ticket.remember(current)
                resubmitted = True
                continue
            break
        if outcome.state == "succeeded":
            return current, outcome.result
        ticket.forget()
        if outcome.state == "gone":
            raise ProviderDown(
                f"{what}: the provider lost job {current.id}",
                backend=self.name,
                hint="run make again to submit a new job",
            )
        raise BackendError(
            f"{what} failed at the provider: {outcome.error or 'no reason given'}",
            backend=self.name,
            hint="change the prompt or the model's inputs if the provider refused them; the "
            "next make submits a new job",
        )

    def expect_length(self, meta: Mapping[str, Any], seconds: float, ticket: Ticket | None) -> None:
        """Check a clip lasts what was asked; if not, forget the provider job (its result is
        wrong, fetching it again would not help) so the next make submits a new one."""
        from cinecode.backends.hosted.checks import expect_duration

        try:
            expect_duration(dict(meta), seconds, backend=self.name)
        except BackendError:
            if ticket is not None:
                ticket.forget()
            raise

    def close(self) -> None:
        self.http.close()


@dataclass(frozen=True)
class Poll:
    """A provider job's state as one status request saw it."""

    state: str  # running | succeeded | failed | gone
    fraction: float | None = None
    result: Any = None
    error: str = ""


def aspect_ratio(width: int, height: int, choices: tuple[str, ...]) -> str:
    """The choice ("16:9", "1280:720"…) closest in shape to width×height."""

    def shape(choice: str) -> float:
        a, b = (float(x) for x in choice.split(":"))
        return a / b

    target = width / height
    return min(choices, key=lambda c: abs(shape(c) / target - 1))


def resume(ticket: Ticket, backend: str) -> ProviderJob | None:
    """The provider job a ticket holds for `backend`, if any."""
    job = ticket.recall()
    if job is not None and job.data.get("backend", backend) != backend:
        return None
    return job


__all__ = [
    "HostedBackend",
    "MemoryTicket",
    "Poll",
    "ProviderJob",
    "Ticket",
    "aspect_ratio",
    "resume",
]
