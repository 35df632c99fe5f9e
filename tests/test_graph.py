"""Keys, the store and the executor, with small synthetic steps."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cinecode.graph.catalog import Artifact
from cinecode.graph.executor import Context, Output, execute
from cinecode.graph.job import Graph, Job, Step
from cinecode.graph.keys import job_key
from cinecode.graph.reporter import RecordingReporter
from cinecode.graph.schedule import critical_first
from cinecode.graph.store import Store

WRITE = Step("write", 1, "generate", "storyboard", "txt")
JOIN = Step("join", 1, "render", "edit", "txt")


def run_write(job: Job, ctx: Context) -> Output:
    if job.params.get("fail"):
        raise RuntimeError("provider exploded")
    out = ctx.workdir / "out.txt"
    out.write_text(str(job.params["text"]))
    return Output(out, {"length": len(job.params["text"])})


def run_join(job: Job, ctx: Context) -> Output:
    out = ctx.workdir / "out.txt"
    out.write_text("+".join(i.path.read_text() for i in ctx.inputs))
    return Output(out)


STEPS = {"write": run_write, "join": run_join}


def no_backends(*args: object) -> object:
    raise AssertionError("no backend expected")


def graph_of(texts: list[str], *, fail: str = "") -> Graph:
    graph = Graph()
    keys = [graph.add(WRITE.job({"text": t, "fail": t == fail}, label=f"write {t}")) for t in texts]
    graph.targets["all"] = graph.add(JOIN.job({}, tuple(keys), label="join"))
    return graph


def run(graph: Graph, store: Store) -> tuple[int, int, int, int]:
    stats = execute(
        graph,
        store,
        steps=STEPS,
        backends=no_backends,
        reporter=RecordingReporter(),
        targets=list(graph.targets.values()),
        workers=2,
    )
    return stats.generated, stats.rendered, stats.reused, stats.failed


def test_key_hashes_everything_that_made_it() -> None:
    base = job_key("voice", 1, {"text": "hi", "seed": 1}, ["a"])
    assert base == job_key("voice", 1, {"seed": 1, "text": "hi"}, ["a"])  # order-free
    assert base != job_key("voice", 2, {"text": "hi", "seed": 1}, ["a"])  # code version
    assert base != job_key("voice", 1, {"text": "hi", "seed": 2}, ["a"])  # seed
    assert base != job_key("voice", 1, {"text": "hi", "seed": 1}, ["b"])  # inputs


def test_second_run_reuses_everything(tmp_path: Path) -> None:
    store = Store(tmp_path / ".cinecode")
    graph = graph_of(["a", "b"])
    assert run(graph, store) == (2, 1, 0, 0)
    assert run(graph, store) == (0, 0, 3, 0)
    artifact = store.get(graph.targets["all"])
    assert artifact is not None
    assert store.path(artifact).read_text() == "a+b"


def test_changing_one_input_reruns_only_what_depends_on_it(tmp_path: Path) -> None:
    store = Store(tmp_path / ".cinecode")
    run(graph_of(["a", "b"]), store)
    assert run(graph_of(["a", "c"]), store) == (1, 1, 1, 0)


def test_a_failure_stops_its_dependents_not_its_siblings(tmp_path: Path) -> None:
    store = Store(tmp_path / ".cinecode")
    graph = graph_of(["a", "b", "c"], fail="b")
    stats = execute(
        graph,
        store,
        steps=STEPS,
        backends=no_backends,
        reporter=RecordingReporter(),
        targets=list(graph.targets.values()),
        workers=1,
    )
    assert (stats.generated, stats.failed, stats.skipped) == (2, 1, 1)
    assert "provider exploded" in stats.failures[0][1]
    # the siblings are stored: fixing b redoes only b and the join
    assert run(graph_of(["a", "b", "c"]), store) == (1, 1, 2, 0)


def test_objects_are_content_addressed_read_only_and_verified(tmp_path: Path) -> None:
    store = Store(tmp_path / ".cinecode")
    graph = graph_of(["same", "same!"])
    run(graph, store)
    artifact = store.get(graph.targets["all"])
    assert artifact is not None
    path = store.path(artifact)
    assert path.parent.parent == store.objects
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert path.stat().st_mode & 0o222 == 0
    path.chmod(0o644)
    path.write_text("damaged!")
    with pytest.raises(Exception, match="damaged"):
        store.path(artifact)
    # a damaged or lost object is rebuilt, not trusted
    assert run(graph, store)[1] == 1


def test_cancel_stops_scheduling_and_keeps_finished_work(tmp_path: Path) -> None:
    store = Store(tmp_path / ".cinecode")
    cancel = threading.Event()
    graph = graph_of([f"t{i}" for i in range(6)])

    def cancelling(job: Job, ctx: Context) -> Output:
        out = run_write(job, ctx)
        cancel.set()
        return out

    stats = execute(
        graph,
        store,
        steps={**STEPS, "write": cancelling},
        backends=no_backends,
        reporter=RecordingReporter(),
        targets=list(graph.targets.values()),
        workers=1,
        cancel=cancel,
    )
    assert stats.interrupted and stats.generated == 1
    assert run(graph, store) == (5, 1, 1, 0)


def test_export_places_the_bytes_atomically(tmp_path: Path) -> None:
    store = Store(tmp_path / ".cinecode")
    graph = graph_of(["x"])
    run(graph, store)
    artifact = store.get(graph.targets["all"])
    assert artifact is not None
    dest = store.export(artifact, tmp_path / "build" / "film.txt")
    assert dest.read_text() == "x"
    assert not list((tmp_path / "build").glob(".*part"))


def test_a_build_waiting_for_the_project_lock_can_be_cancelled(tmp_path: Path) -> None:
    from cinecode.errors import Cancelled
    from cinecode.graph.lock import project_lock

    cancel = threading.Event()
    heard: list[str] = []
    outcome: list[BaseException] = []

    def second() -> None:
        try:
            with project_lock(tmp_path, on_wait=heard.append, cancel=cancel):
                pass
        except BaseException as exc:
            outcome.append(exc)

    with project_lock(tmp_path):  # another build holds the project
        waiter = threading.Thread(target=second)
        waiter.start()
        while not heard:
            waiter.join(0.05)
        cancel.set()  # the Studio's Cancel button, while the build only waits
        waiter.join(5)
        assert not waiter.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)


def chains() -> tuple[Graph, list[Job]]:
    """write a → join; write b → join b → join: b heads the longer chain."""
    graph = Graph()
    a = graph.add(WRITE.job({"text": "a"}, label="write a"))
    b = graph.add(WRITE.job({"text": "b"}, label="write b"))
    mid = graph.add(JOIN.job({}, (b,), label="join b"))
    graph.targets["all"] = graph.add(JOIN.job({}, (a, mid), label="join"))
    return graph, list(graph)


def test_the_head_of_the_longest_chain_starts_first(tmp_path: Path) -> None:
    """With one worker: in the plan's order on a first build; once the catalog knows what
    such jobs took, the head of the longest chain first."""
    graph, jobs = chains()
    order: list[str] = []

    def noting(job: Job, ctx: Context) -> Output:
        order.append(job.label)
        return STEPS[job.step](job, ctx)

    def build(store: Store) -> list[str]:
        order.clear()
        execute(
            graph,
            store,
            steps={"write": noting, "join": noting},
            backends=no_backends,
            reporter=RecordingReporter(),
            targets=list(graph.targets.values()),
            workers=1,
        )
        return list(order)

    assert build(Store(tmp_path / "first")) == ["write a", "write b", "join b", "join"]
    timed = Store(tmp_path / "timed")
    for job in jobs:  # what jobs of these steps and labels took in an earlier build
        seconds = 5.0 if job.label == "write b" else 0.1
        timed.catalog.record(
            Artifact(f"old-{job.key}", "0" * 64, "txt", 1, job.step, job.kind,
                     label=job.label, seconds=seconds, created=1.0)
        )  # fmt: skip
    assert build(timed) == ["write b", "write a", "join b", "join"]  # then the plan's order


def test_what_a_job_took_last_time_ranks_its_chain() -> None:
    _, jobs = chains()
    took = {("write", "write a"): 5.0, ("write", "write y"): 0.5, ("write", "write z"): 0.5}
    labels = [job.label for job in critical_first(jobs, took)]
    assert labels == ["write a", "write b", "join b", "join"]
    # a job never timed counts at its step's typical time: "write b" at 0.3 s, not 1 s
    took = {("write", "write a"): 0.5, ("write", "write z"): 0.1, ("join", "join z"): 0.1}
    assert critical_first(jobs, took)[0].label == "write a"
    assert [job.label for job in critical_first(jobs, {})] == [  # never timed: plan order
        "write a",
        "write b",
        "join b",
        "join",
    ]
