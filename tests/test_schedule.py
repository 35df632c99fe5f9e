"""The farm's scheduling policy and the simulator that runs it, on small hand-made graphs."""

from __future__ import annotations

import pytest

from cinecode.backends.protocols import Cost
from cinecode.errors import CinecodeError
from cinecode.graph.job import Graph, Job, Step
from cinecode.graph.schedule import WORKER, Scheduler, critical_first, pool_slots, slots_by_pool
from cinecode.graph.simulate import lower_bound, simulate

MAKE = Step("make", 1, "generate", "storyboard", "png")
RENDER = Step("render", 1, "render", "edit", "mp4")


def seconds_of(job: Job) -> float:
    return float(job.params["seconds"])


#: A "gpu" pool's job holds a GPU and a CPU slot, a "voices" one the service's slot.
needs = slots_by_pool(gpu=["gpu"], services=["voices"])


def job(step: Step, label: str, seconds: float, *inputs: str, **extra: object) -> Job:
    return step.job({"label": label, "seconds": seconds}, tuple(inputs), label=label, **extra)  # type: ignore[arg-type]


def labels(jobs: list[Job]) -> list[str]:
    return [job.label for job in jobs]


def chain_and_leaves() -> list[Job]:
    """Three 3-s leaves first in the plan, then a chain of three 3-s jobs."""
    graph = Graph()
    for name in ("leaf 1", "leaf 2", "leaf 3"):
        graph.add(job(RENDER, name, 3))
    first = graph.add(job(MAKE, "chain 1", 3))
    second = graph.add(job(RENDER, "chain 2", 3, first))
    graph.add(job(RENDER, "chain 3", 3, second))
    return list(graph)


def test_the_head_of_the_longest_chain_starts_first() -> None:
    scheduler = Scheduler(chain_and_leaves(), seconds=seconds_of, needs=needs)
    assert labels(scheduler.ready()) == ["chain 1", "leaf 1", "leaf 2", "leaf 3"]
    assert labels(scheduler.pick({"cpu": 2})) == ["chain 1", "leaf 1"]
    assert labels(scheduler.pick({"cpu": 1})) == ["leaf 2"]
    assert scheduler.pick({"cpu": 0}) == []
    chain_1 = next(job for job in chain_and_leaves() if job.label == "chain 1")
    assert labels(scheduler.finished(chain_1.key)) == ["chain 2"]
    assert labels(scheduler.pick({"cpu": 1})) == ["chain 2"]  # before leaf 3, planned earlier
    assert len(scheduler) == 2  # leaf 3 and chain 3 are still to start


def test_paid_and_gpu_jobs_before_a_render_nothing_waits_on() -> None:
    graph = Graph()
    graph.add(job(RENDER, "subtitles", 4))  # cheap, and nothing needs it
    graph.add(job(MAKE, "voice", 4, pool="voices", estimate=Cost(money=0.3)))
    graph.add(job(MAKE, "keyframe", 4, pool="gpu"))
    graph.add(job(MAKE, "score", 4, estimate=Cost(money=0.5)))
    jobs = list(graph)
    scheduler = Scheduler(jobs, seconds=seconds_of, needs=needs)
    # all four chains are 4 s long: the render nothing waits on goes last
    assert labels(scheduler.ready()) == ["voice", "keyframe", "score", "subtitles"]
    # one CPU slot and no GPU free: the paid score takes it, not the render
    assert labels(scheduler.pick({"cpu": 1, "voices": 1})) == ["voice", "score"]
    assert labels(scheduler.pick({"cpu": 2, "gpu": 1})) == ["keyframe", "subtitles"]
    # the local executor's order is unchanged: plan order when nothing was ever timed
    assert labels(critical_first(jobs, {})) == ["subtitles", "voice", "keyframe", "score"]


def test_jobs_already_made_and_failed_inputs() -> None:
    graph = Graph()
    a = graph.add(job(MAKE, "a", 1))
    b = graph.add(job(MAKE, "b", 1))
    mid = graph.add(job(RENDER, "a+b", 1, a, b, a))  # an input named twice
    graph.add(job(RENDER, "end", 1, mid))
    scheduler = Scheduler(list(graph), seconds=seconds_of, needs=needs, done=[a])
    assert labels(scheduler.pick({"cpu": 4})) == ["b"]
    assert labels(scheduler.failed(b)) == ["a+b", "end"]
    assert len(scheduler) == 0


def test_the_simulator_finds_the_optimal_makespan() -> None:
    """Two CPU slots, a 9-s chain and three 3-s leaves: 9 s if the chain starts at once
    (starting the leaves first, in plan order, would end at 12 s)."""
    jobs = chain_and_leaves()
    capacity = {"cpu": 2}
    run = simulate(jobs, seconds=seconds_of, needs=needs, capacity=capacity)
    assert run.makespan == 9.0
    assert run.spans[jobs[3].key] == (0.0, 3.0)  # chain 1 at once
    bound, parts = lower_bound(jobs, seconds=seconds_of, needs=needs, capacity=capacity)
    assert (bound, parts) == (9.0, {"chain": 9.0, "cpu": 9.0})
    with_one = simulate(jobs, seconds=seconds_of, needs=needs, capacity={"cpu": 1})
    assert with_one.makespan == 18.0


def test_a_service_limit_holds_at_every_moment() -> None:
    graph = Graph()
    voices = [graph.add(job(MAKE, f"voice {n}", 1 + n % 3, pool="voices")) for n in range(9)]
    frames = [graph.add(job(MAKE, f"frame {n}", 2, pool="gpu")) for n in range(4)]
    graph.add(job(RENDER, "mix", 1, *voices, *frames))
    jobs = list(graph)
    capacity = {"voices": 2, "gpu": 2, "cpu": 3}
    run = simulate(jobs, seconds=seconds_of, needs=needs, capacity=capacity)
    assert len(run.spans) == len(jobs)
    for name, limit in capacity.items():
        holders = [run.spans[job.key] for job in jobs if name in needs(job)]
        moments = {start for start, _ in holders}
        at_once = max(sum(1 for s, e in holders if s <= t < e) for t in moments)
        assert at_once <= limit
        assert run.peak[name] == at_once
    assert run.peak["voices"] == 2
    # 9 voices of 1, 2 and 3 s on two slots: 18 s of work, 9 s at best, then the 1-s mix
    assert run.makespan == 10.0


def test_a_job_no_slot_can_hold_is_named() -> None:
    jobs = [job(MAKE, "keyframe", 1, pool="gpu")]
    with pytest.raises(CinecodeError, match="1 jobs can never start on this farm: keyframe"):
        simulate(jobs, seconds=seconds_of, needs=needs, capacity={"cpu": 4})


def test_the_executors_pools_and_workers_both_hold() -> None:
    """In the executor's own loop a job holds its pool's slot and a worker thread."""
    graph = Graph()
    voices = [graph.add(job(MAKE, f"voice {n}", 2, pool="voices")) for n in range(4)]
    renders = [graph.add(job(RENDER, f"segment {n}", 1, voices[n])) for n in range(4)]
    graph.add(job(RENDER, "master", 1, *renders))
    capacity = {WORKER: 3, "voices": 2, "cpu": 8}
    run = simulate(list(graph), seconds=seconds_of, needs=pool_slots, capacity=capacity)
    assert run.peak == {WORKER: 3, "voices": 2, "cpu": 2}
    # two voices at a time (0-2, 2-4), the first two segments in the third worker beside
    # them, the last two at 4-5, the master at 5-6: the best there is
    assert run.makespan == 6.0
    first_segments = [run.spans[key] for key in renders[:2]]
    assert first_segments == [(2.0, 3.0), (3.0, 4.0)]
