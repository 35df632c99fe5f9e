"""A farm in simulated time: the real `Scheduler` run on jobs with modelled durations.

Discrete events, no threads, no clock: at each moment the scheduler is asked what to start
in the slots that are free (`Scheduler.pick`, as the farm executor asks it), each started
job ends `seconds(job)` later, and its end makes its users ready (`Scheduler.finished`).
The cluster is one pool of slots by name (`capacity`: `{"gpu": 8, "cpu": 32,
"elevenlabs": 4}`), as a Ray head places a task on any node that has its resources free.
Deterministic: the same jobs, durations and capacity give the same run. `bench/farm_sim.py`
runs it on a modelled Big Fish.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cinecode.errors import CinecodeError
from cinecode.graph.job import Job
from cinecode.graph.schedule import Needs, Scheduler, chain_lengths


@dataclass
class Run:
    """What a simulated build did: when it ended, each job's (start, end), the most slots
    of each name held at once."""

    makespan: float = 0.0
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)


def simulate(
    jobs: Sequence[Job],
    *,
    seconds: Callable[[Job], float],
    needs: Needs,
    capacity: Mapping[str, int],
    estimate: Callable[[Job], float] | None = None,
) -> Run:
    """Run `jobs` (inputs before users) on `capacity` with the real scheduler; each lasts
    `seconds(job)`, and the scheduler ranks them by `estimate` (default: `seconds`, as if
    an earlier build had timed every job exactly)."""
    scheduler = Scheduler(jobs, seconds=estimate or seconds, needs=needs)
    free = dict(capacity)
    run = Run(peak={name: 0 for name in capacity})
    ends: list[tuple[float, int, str]] = []
    holding: dict[str, Mapping[str, int]] = {}
    now = 0.0
    while True:
        for job in scheduler.pick(free):
            held = needs(job)
            for name, count in held.items():
                free[name] -= count
                run.peak[name] = max(run.peak.get(name, 0), capacity[name] - free[name])
            holding[job.key] = held
            end = now + seconds(job)
            run.spans[job.key] = (now, end)
            heapq.heappush(ends, (end, len(run.spans), job.key))
        if not ends:
            break
        now = ends[0][0]
        while ends and ends[0][0] == now:
            _, _, key = heapq.heappop(ends)
            for name, count in holding.pop(key).items():
                free[name] += count
            scheduler.finished(key)
    if len(scheduler):
        stuck = ", ".join(job.label for job in scheduler.ready()[:3]) or "jobs waiting"
        raise CinecodeError(f"{len(scheduler)} jobs can never start on this farm: {stuck}")
    run.makespan = now
    return run


def lower_bound(
    jobs: Sequence[Job],
    *,
    seconds: Callable[[Job], float],
    needs: Needs,
    capacity: Mapping[str, int],
) -> tuple[float, dict[str, float]]:
    """No schedule ends sooner: the longest chain, and each slot name's work (seconds ×
    slots held, summed) over its slots. Returns the bound and its parts by name ("chain",
    then each slot name)."""
    parts = {"chain": max(chain_lengths(jobs, seconds).values(), default=0.0)}
    for job in jobs:
        for name, count in needs(job).items():
            parts[name] = parts.get(name, 0.0) + seconds(job) * count / capacity[name]
    return max(parts.values()), parts
