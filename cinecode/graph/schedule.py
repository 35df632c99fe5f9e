"""The order the executors start ready jobs in: the head of the longest remaining chain first.

With more ready jobs than workers, starting them in plan order can leave the chain that
decides when the build ends (a line's voice → its scene's cue → stems → mix → reel → master)
waiting behind jobs that nothing is waiting for. So each job is ranked by the longest chain
of pending jobs from it to the end, each job counted at what it took the last time a job of
its step and label ran (the catalog records it), else at the typical time of its step, else
at one second; ties keep the plan's order. A store that has never timed a job (a first build)
keeps the plan's order, which interleaves the picture and the sound of each scene: counting
every job alike would run all the sound first and every segment encode last, and on two
cores the first build took 111 s instead of about 98 s that way. Only the order changes: which
jobs run, and what they make, do not.

Two entry points:

- `critical_first(jobs, took) -> list[Job]`: the local executor's whole queue, sorted once.
- `Scheduler`: a farm's queue, where jobs need different resources (a GPU, a hosted
  service's slot, CPU slots) and only some are free at a time. Make it once for the build,
  then each time a slot frees (and once at the start):

  ```python
  scheduler = Scheduler(jobs, seconds=seconds_from(took), needs=needs, done=have)
  scheduler.finished(key)                      # a job's artifact is recorded
  started: list[Job] = scheduler.pick(free)    # free: {"gpu": 1, "cpu": 3, "elevenlabs": 2}
  ```

  `needs(job) -> Mapping[str, int]` says what a job holds while it runs (for example
  `{"gpu": 1, "cpu": 1}` for a diffusers job, `{"elevenlabs": 1}` for a hosted voice,
  `{"cpu": 1}` for a render: `slots_by_pool(gpu=..., services=...)` makes this one);
  `free` says what is free right now, by the same names.
  `pick` returns the ready jobs to start now, best first, each fitting in what the ones
  before it left free, and takes them off the queue; the caller subtracts their needs
  from its own counts and gives them back when they end. `failed(key)` drops the jobs that
  can no longer run and returns them. The order: the longest chain to the end first (as
  above); among equals, paid jobs (an estimate above zero) and jobs that hold a slot other
  than "cpu" or "worker" (a GPU, a service, an engine's pool) before the rest, and renders
  that nothing waits on last; then the plan's order. `bench/farm_sim.py` runs this same
  class on a modelled Big Fish (docs/farm.md, Scheduling).

  In the executor's own loop (`graph/executor.py`: `workers` threads, `limits` per pool)
  the slots are its pools plus one "worker" a job (`pool_slots`), and each time a job ends:

  ```python
  scheduler.finished(job.key)                  # or scheduler.failed(job.key): skipped
  free = {WORKER: workers - len(futures)} | {
      pool: limits.get(pool, workers) - running_in_pool.get(pool, 0) for pool in pools
  }                                            # pools: those of the pending jobs
  for job in scheduler.pick(free): ...         # budget.admit, then submit, as now
  ```
"""

from __future__ import annotations

import heapq
import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from cinecode.graph.job import Job

#: Seconds counted for a job whose step has never run here.
UNKNOWN = 1.0
#: The slot every job of the executor's own loop holds: one of its `workers` threads.
WORKER = "worker"
#: Slots that do not put a job before others among equals.
PLAIN = frozenset({"cpu", WORKER})

Needs = Callable[[Job], Mapping[str, int]]


def pool_slots(job: Job) -> Mapping[str, int]:
    """The slots a job holds in the executor's own loop: its pool's and a worker."""
    return {job.pool: 1, WORKER: 1}


def slots_by_pool(*, gpu: Collection[str], services: Collection[str]) -> Needs:
    """The usual `needs` of a farm: a job of a `gpu` pool (diffusers, say) holds a GPU and a
    CPU slot, a job of a hosted service's pool one of that service's slots (named as the
    pool: it waits on the provider, at the head), any other job a CPU slot."""
    gpu, services = frozenset(gpu), frozenset(services)
    gpu_job: Mapping[str, int] = {"gpu": 1, "cpu": 1}
    cpu_job: Mapping[str, int] = {"cpu": 1}

    def needs(job: Job) -> Mapping[str, int]:
        if job.pool in gpu:
            return gpu_job
        if job.pool in services:
            return {job.pool: 1}
        return cpu_job

    return needs


def critical_first(jobs: Sequence[Job], took: Mapping[tuple[str, str], float]) -> list[Job]:
    """`jobs`, the longest chain to the end first (`took`: seconds by (step, label)); in the
    plan's order when nothing was ever timed."""
    if not took:
        return list(jobs)
    chain = chain_lengths(jobs, seconds_from(took))
    order = sorted(range(len(jobs)), key=lambda index: -chain[jobs[index].key])
    return [jobs[index] for index in order]


def seconds_from(took: Mapping[tuple[str, str], float]) -> Callable[[Job], float]:
    """A job's expected seconds: what its step and label took, else its step's median,
    else `UNKNOWN`."""
    typical: dict[str, float] = {
        step: statistics.median(seconds) for step, seconds in _by_step(took).items()
    }

    def seconds(job: Job) -> float:
        return took.get((job.step, job.label), typical.get(job.step, UNKNOWN))

    return seconds


def chain_lengths(jobs: Sequence[Job], seconds: Callable[[Job], float]) -> dict[str, float]:
    """For each job, the seconds of the longest chain of `jobs` from it to the end, itself
    included."""
    users = _users(jobs)
    pending = {job.key: job for job in jobs}
    chain: dict[str, float] = {}
    for start in reversed(jobs):  # inputs come first in the plan, so users are mostly known
        stack = [start.key]
        while stack:
            key = stack[-1]
            if key in chain:
                stack.pop()
                continue
            later = [user for user in users[key] if user not in chain]
            if later:
                stack.extend(later)
                continue
            own = seconds(pending[key])
            chain[key] = own + max((chain[user] for user in users[key]), default=0.0)
            stack.pop()
    return chain


class Scheduler:
    """The ready queue of a farm (see the module doc): `finished`, then `pick`."""

    def __init__(
        self,
        jobs: Sequence[Job],
        *,
        seconds: Callable[[Job], float],
        needs: Needs,
        done: Iterable[str] = (),
    ) -> None:
        have = set(done)
        pending = [job for job in jobs if job.key not in have]
        self._jobs = {job.key: job for job in pending}
        self._users = _users(pending)
        self._needs = needs
        chain = chain_lengths(pending, seconds)
        self._rank: dict[str, tuple[float, int, int]] = {
            job.key: (-chain[job.key], self._tier(job), index) for index, job in enumerate(pending)
        }
        self._waiting_on: dict[str, int] = {
            job.key: len(set(job.inputs) & self._jobs.keys()) for job in pending
        }
        # one heap per kind of need, so a pick looks at a handful of heads, not every job
        self._ready: dict[tuple[tuple[str, int], ...], list[tuple[tuple[float, int, int], str]]]
        self._ready = defaultdict(list)
        for job in pending:
            if not self._waiting_on[job.key]:
                self._push(job)

    def _tier(self, job: Job) -> int:
        """0: paid, or holding a GPU, a service or an engine's pool; 2: a render nothing
        waits on; else 1."""
        if job.estimate.money > 0 or any(name not in PLAIN for name in self._needs(job)):
            return 0
        if job.kind == "render" and not self._users[job.key]:
            return 2
        return 1

    def _push(self, job: Job) -> None:
        need = tuple(sorted((name, count) for name, count in self._needs(job).items() if count))
        heapq.heappush(self._ready[need], (self._rank[job.key], job.key))

    def __len__(self) -> int:
        """Jobs not started yet, ready or waiting on their inputs."""
        return len(self._jobs)

    def ready(self) -> list[Job]:
        """The jobs whose inputs are all made, best first (not taken off the queue)."""
        entries = sorted(entry for heap in self._ready.values() for entry in heap)
        return [self._jobs[key] for _, key in entries]

    def pick(self, free: Mapping[str, int]) -> list[Job]:
        """The ready jobs to start now in what is `free`, best first; taken off the queue."""
        left = dict(free)
        started: list[Job] = []
        while True:
            best: tuple[tuple[float, int, int], str] | None = None
            best_need: tuple[tuple[str, int], ...] = ()
            for need, heap in self._ready.items():
                fits = heap and all(left.get(name, 0) >= count for name, count in need)
                if fits and (best is None or heap[0] < best):
                    best, best_need = heap[0], need
            if best is None:
                return started
            heapq.heappop(self._ready[best_need])
            for name, count in best_need:
                left[name] -= count
            started.append(self._jobs.pop(best[1]))

    def finished(self, key: str) -> list[Job]:
        """Record that `key` was made; returns the jobs that became ready."""
        self._waiting_on.pop(key, None)
        became: list[Job] = []
        for user in self._users.get(key, ()):
            self._waiting_on[user] -= 1
            if not self._waiting_on[user]:
                self._push(self._jobs[user])
                became.append(self._jobs[user])
        return became

    def failed(self, key: str) -> list[Job]:
        """Record that `key` failed; drops and returns the jobs that needed it, at any
        distance (none of them was ready: an input of each is not made)."""
        self._waiting_on.pop(key, None)
        dropped: list[Job] = []
        stack = list(self._users.get(key, ()))
        while stack:
            user = stack.pop()
            job = self._jobs.pop(user, None)
            if job is None:
                continue
            self._waiting_on.pop(user, None)
            dropped.append(job)
            stack.extend(self._users.get(user, ()))
        return dropped


def _users(jobs: Sequence[Job]) -> defaultdict[str, list[str]]:
    """Job key → the keys of the jobs among `jobs` that take it as an input."""
    pending = {job.key for job in jobs}
    users: defaultdict[str, list[str]] = defaultdict(list)
    for job in jobs:
        for key in dict.fromkeys(job.inputs):  # an input named twice is one wait
            if key in pending:
                users[key].append(job.key)
    return users


def _by_step(took: Mapping[tuple[str, str], float]) -> dict[str, list[float]]:
    steps: defaultdict[str, list[float]] = defaultdict(list)
    for (step, _), seconds in took.items():
        steps[step].append(seconds)
    return steps
