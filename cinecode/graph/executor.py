"""The local executor: runs what is missing, in dependency order, in parallel pools.

It decides nothing: a job runs if and only if its key is not in the store. Each finished job
is stored and recorded before the next is scheduled, so Ctrl-C or a kill loses at most the
jobs that were running. A failing job fails its dependents, never its siblings.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cinecode.backends.protocols import Cost
from cinecode.errors import BudgetExceeded, Cancelled, CinecodeError, StoreError
from cinecode.graph.catalog import Artifact
from cinecode.graph.job import Graph, Job
from cinecode.graph.reporter import Reporter
from cinecode.graph.schedule import WORKER, Scheduler, critical_first, pool_slots, seconds_from
from cinecode.graph.shared import Location, exchange, push_from
from cinecode.graph.store import Store


@dataclass(frozen=True)
class Input:
    """An input artifact as a step sees it."""

    key: str
    path: Path
    meta: dict[str, Any]
    step: str
    backend: str = ""
    model: str = ""
    object: str = ""  # its object's sha256 (by which a farm's worker may fetch it)


@dataclass(frozen=True)
class Output:
    """What a step returns: one file in its workdir, plus facts about it."""

    path: Path
    meta: dict[str, Any] = field(default_factory=dict)
    cost: Cost = Cost()
    model: str = ""


class Context:
    """Everything a running step may use: its inputs, a workdir, backends, cancellation."""

    def __init__(
        self,
        job: Job,
        inputs: list[Input],
        workdir: Path,
        *,
        backends: Callable[[str, str, Mapping[str, Any]], Any],
        cancel: threading.Event,
        progress: Callable[[float], None],
        store: Store,
    ) -> None:
        self.job = job
        self.inputs = inputs
        self.workdir = workdir
        self._backends = backends
        self.cancel = cancel
        self._progress = progress
        self.store = store

    def backend(self, modality: str, name: str, params: Mapping[str, Any]) -> Any:
        """The backend `name` for `modality`, built once per build with `params`."""
        return self._backends(modality, name, params)

    def progress(self, fraction: float) -> None:
        """Report progress; raises Cancelled when the build is being interrupted."""
        if self.cancel.is_set():
            raise Cancelled()
        self._progress(fraction)

    def check(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()


StepFn = Callable[[Job, Context], Output]


class Offload(Protocol):
    """Somewhere else to run jobs (the Ray farm, `cinecode.graph.farm`): the executor keeps
    its bookkeeping (order, pools, budget, catalog) and hands the offload a job, its inputs
    and a workdir; the offload returns the output, in that workdir, checked."""

    def takes(self, job: Job) -> bool:
        """Whether this job runs there (else here, as without an offload)."""
        ...

    def prepare(self, jobs: list[Job]) -> None:
        """Refuse, before anything starts, jobs that cannot run there (FarmError)."""
        ...

    def pools(self, local: Mapping[str, int]) -> dict[str, int]:
        """Jobs at once per pool, with the offload's capacity in place of this machine's."""
        ...

    def run(
        self, job: Job, inputs: list[Input], workdir: Path, cancel: threading.Event
    ) -> tuple[Output, float]:
        """Run `job` there; its output (in `workdir`, verified) and the seconds it took."""
        ...


@dataclass
class RunStats:
    generated: int = 0
    rendered: int = 0
    reused: int = 0
    fetched: int = 0  # of the reused: brought from the shared store
    failed: int = 0
    skipped: int = 0  # not run: an input failed, or the budget stopped it
    seconds: float = 0.0
    cost: Cost = Cost()
    failures: list[tuple[str, str]] = field(default_factory=list)  # (label, error)
    over_budget: list[str] = field(default_factory=list)  # labels not started (budget)
    interrupted: bool = False
    over_budget_money: float = 0.0  # what the jobs the budget stopped were estimated to cost
    budget_limit: float | None = None

    def budget_summary(self, currency: str = "") -> str:
        """What the cap stopped: spent, what remains, what was skipped (empty if nothing)."""
        if not self.over_budget or self.budget_limit is None:
            return ""
        unit = f" {currency}" if currency else ""
        left = max(0.0, self.budget_limit - self.cost.money)
        shown = ", ".join(self.over_budget[:5])
        more = f" and {len(self.over_budget) - 5} more" if len(self.over_budget) > 5 else ""
        waiting = self.skipped - len(self.over_budget)
        return (
            f"budget {self.budget_limit:.2f}{unit}: spent {self.cost.money:.2f}{unit}, "
            f"{left:.2f}{unit} left; {len(self.over_budget)} job(s) not started, estimated "
            f"{self.over_budget_money:.2f}{unit} ({shown}{more}), and {waiting} that need them"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated": self.generated,
            "rendered": self.rendered,
            "reused": self.reused,
            "fetched": self.fetched,
            "failed": self.failed,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "cost": {
                "money": round(self.cost.money, 6),
                "gpu_seconds": round(self.cost.gpu_seconds, 3),
            },
            **(
                {
                    "budget": {
                        "limit": self.budget_limit,
                        "spent": round(self.cost.money, 6),
                        "remaining": round(max(0.0, self.budget_limit - self.cost.money), 6),
                        "not_started": list(self.over_budget),
                        "not_started_estimate": round(self.over_budget_money, 6),
                    }
                }
                if self.budget_limit is not None
                else {}
            ),
        }


@dataclass
class Budget:
    """A hard cap on money spent by this build (None = no cap)."""

    limit: float | None = None
    spent: float = 0.0
    committed: float = 0.0  # estimates of jobs running now

    def admit(self, job: Job) -> bool:
        if self.limit is None or job.estimate.money <= 0:
            return True
        return self.spent + self.committed + job.estimate.money <= self.limit + 1e-9


def _refuse_lost(pending: list[Job], store: Store) -> None:
    """StoreError naming the paid generations the catalog records but the store lost."""
    made = store.catalog.get_many(job.key for job in pending if job.kind == "generate")
    lost = [a for a in made.values() if a.cost_money > 0 or a.cost_gpu > 0]
    if not lost:
        return
    names = ", ".join(
        f"{a.label} ({a.key[:8]}, {a.backend}, cost {a.cost_money:.2f})" for a in lost[:8]
    )
    more = f" and {len(lost) - 8} more" if len(lost) > 8 else ""
    raise StoreError(
        f"{len(lost)} paid generation(s) are lost from the store: {names}{more}; making them "
        f"again costs about {sum(a.cost_money for a in lost):.2f} more",
        hint="run `cinecode regen` for new takes of those shots, or `cinecode make "
        "--remake-lost` to pay for the same ones again",
    )


def _trade(
    store: Store,
    shared: Location,
    jobs: list[Job],
    have: set[str],
    stats: RunStats,
    reporter: Reporter,
) -> set[str]:
    """The shared store's half of a build: fetch what it has, send what it lacks; the keys
    fetched (each is reused, not made)."""
    traded = exchange(store, shared, (job.key for job in jobs), have)
    for message in traded.refused:
        reporter.warning(message)
    stats.fetched = len(traded.fetched)
    if traded.fetched:
        reporter.info(f"{len(traded.fetched)} reused from the shared store {shared.url}")
    if traded.pushed:
        reporter.info(f"{traded.pushed} sent to the shared store {shared.url}")
    return traded.fetched


def execute(
    graph: Graph,
    store: Store,
    *,
    steps: Mapping[str, StepFn],
    backends: Callable[[str, str, Mapping[str, Any]], Any],
    reporter: Reporter,
    targets: list[str] | None = None,
    workers: int | None = None,
    pools: Mapping[str, int] | None = None,
    cancel: threading.Event | None = None,
    budget: Budget | None = None,
    remake_lost: bool = False,
    shared: Location | None = None,
    offload: Offload | None = None,
) -> RunStats:
    """Run the jobs the targets need that the store does not have yet (but never pay again
    for a generation that was paid for and whose file is lost, unless `remake_lost`).
    With a `shared` store, what it has is fetched instead of made, what this store has and it
    lacks is sent there, and each new artifact is sent the moment it is recorded. The jobs
    `offload` takes run there (a farm), recorded here the moment each comes back."""
    started = time.monotonic()
    cancel = cancel or threading.Event()
    budget = budget or Budget()
    stats = RunStats(budget_limit=budget.limit)
    jobs = graph.needed_for(targets) if targets is not None else list(graph)
    have = store.available(job.key for job in jobs)
    if shared is not None:
        have |= _trade(store, shared, jobs, have, stats, reporter)
    stats.reused = len(have)
    pending = [job for job in jobs if job.key not in have]
    reporter.plan_ready(pending)
    if not pending:
        stats.seconds = time.monotonic() - started
        return stats
    if not remake_lost:
        _refuse_lost(pending, store)
    took = store.catalog.durations()
    pending = critical_first(pending, took)
    scheduler = None  # a farm's queue: each time a slot frees, the best ready jobs that fit
    if offload is not None:
        offload.prepare([job for job in pending if offload.takes(job)])
        scheduler = Scheduler(pending, seconds=seconds_from(took), needs=pool_slots, done=have)

    workers = workers or max(1, min(8, os.cpu_count() or 1))
    limits = dict(pools or {}) if offload is None else offload.pools(pools or {})
    running_in_pool: dict[str, int] = {}
    done: set[str] = set(have)
    failed: set[str] = set()
    waiting = list(pending)
    futures: dict[Future[Artifact], Job] = {}
    submitted: dict[str, float] = {}  # job key → when it started (wall clock, for its charges)
    lock = threading.Lock()

    def run(job: Job) -> Artifact:
        inputs = []
        for key in job.inputs:
            artifact = store.get(key)
            if artifact is None:  # pragma: no cover - scheduling guarantees it
                raise CinecodeError(f"{job.label}: input {key[:8]} is missing")
            inputs.append(
                Input(
                    key,
                    store.path(artifact),
                    artifact.meta,
                    artifact.step,
                    artifact.backend,
                    artifact.model,
                    artifact.object,
                )
            )
        workdir = store.workdir(job.key)
        t0 = time.monotonic()
        try:
            if offload is not None and offload.takes(job):
                made, seconds = offload.run(job, inputs, workdir, cancel)
                return store.put(
                    job,
                    made.path,
                    meta=made.meta,
                    cost=made.cost,
                    model=made.model,
                    seconds=seconds,
                )
            context = Context(
                job,
                inputs,
                workdir,
                backends=backends,
                cancel=cancel,
                progress=lambda f: reporter.job_progress(job, f),
                store=store,
            )
            output = steps[job.step](job, context)
            if cancel.is_set() and not output.path.exists():
                raise Cancelled()
            artifact = store.put(
                job,
                output.path,
                meta=output.meta,
                cost=output.cost,
                model=output.model,
                seconds=time.monotonic() - t0,
            )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if shared is not None:
            try:
                push_from(store, shared, artifact)
            except (StoreError, OSError) as exc:
                reporter.warning(
                    f"{job.label} is kept on this machine only for now ({exc}); the next "
                    "make sends it to the shared store"
                )
        return artifact

    def ready(job: Job) -> bool:
        return all(key in done for key in job.inputs)

    def blocked(job: Job) -> bool:
        return any(key in failed for key in job.inputs)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cinecode") as pool:
        try:
            while waiting or futures:
                # schedule what can run
                still: list[Job] = []
                if scheduler is not None:  # the farm's: `waiting` is the scheduler's pick
                    free = {WORKER: workers - len(futures)} | {
                        name: limits.get(name, workers) - running_in_pool.get(name, 0)
                        for name in {job.pool for job in waiting}
                    }
                    picked = (
                        {job.key for job in scheduler.pick(free)} if not cancel.is_set() else set()
                    )
                    still = [job for job in waiting if job.key not in picked]
                    waiting = [job for job in waiting if job.key in picked]
                for job in waiting:
                    if blocked(job):
                        failed.add(job.key)
                        stats.skipped += 1
                        continue
                    limit = limits.get(job.pool, workers)
                    if (
                        cancel.is_set()
                        or not ready(job)
                        or len(futures) >= workers
                        or running_in_pool.get(job.pool, 0) >= limit
                    ):
                        still.append(job)
                        continue
                    if not budget.admit(job):
                        failed.add(job.key)
                        stats.skipped += 1
                        stats.over_budget.append(job.label)
                        stats.over_budget_money += job.estimate.money
                        if scheduler is not None:
                            scheduler.failed(job.key)  # its users stay in `still`: blocked
                        continue
                    budget.committed += job.estimate.money
                    running_in_pool[job.pool] = running_in_pool.get(job.pool, 0) + 1
                    reporter.job_started(job)
                    submitted[job.key] = time.time()
                    futures[pool.submit(run, job)] = job
                waiting = still
                if cancel.is_set() and not futures:
                    break
                if not futures:
                    if waiting:  # nothing runnable and nothing running: inputs failed
                        for job in waiting:
                            failed.add(job.key)
                            stats.skipped += 1
                        waiting = []
                    break
                finished, _ = wait(list(futures), timeout=0.5, return_when=FIRST_COMPLETED)
                for future in finished:
                    job = futures.pop(future)
                    running_in_pool[job.pool] -= 1
                    budget.committed -= job.estimate.money
                    error = future.exception()
                    if job.kind == "generate":  # billed attempts that made no artifact
                        for charge in store.catalog.charges(job.key, since=submitted[job.key]):
                            budget.spent += charge.money
                            stats.cost = stats.cost + Cost(charge.money, charge.gpu)
                    if error is None:
                        artifact = future.result()
                        with lock:
                            done.add(job.key)
                        if scheduler is not None:
                            scheduler.finished(job.key)
                        budget.spent += artifact.cost_money
                        stats.cost = stats.cost + Cost(artifact.cost_money, artifact.cost_gpu)
                        if job.kind == "generate":
                            stats.generated += 1
                        else:
                            stats.rendered += 1
                        reporter.job_finished(
                            job,
                            "generated" if job.kind == "generate" else "rendered",
                            artifact.seconds,
                        )
                    elif isinstance(error, Cancelled):
                        stats.interrupted = True
                    else:
                        failed.add(job.key)
                        stats.failed += 1
                        message = _message(error)
                        stats.failures.append((job.label, message))
                        store.catalog.record_failure(job.key, job.step, job.label, message)
                        reporter.job_finished(job, "failed", 0.0, message)
        except KeyboardInterrupt:
            cancel.set()
            stats.interrupted = True
            for future in futures:
                future.cancel()
            # let running jobs notice the cancel and stop; finished ones are already stored
            wait(list(futures), timeout=30)
            raise
        finally:
            stats.seconds = time.monotonic() - started
    if cancel.is_set():
        stats.interrupted = True
    return stats


def _message(error: BaseException) -> str:
    if isinstance(error, CinecodeError):
        return str(error)
    if isinstance(error, BudgetExceeded):  # pragma: no cover - subclass of CinecodeError
        return str(error)
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    return f"{detail} (unexpected: please report it)"
