"""Why a job runs: what changed since the last time a job of the same name was built."""

from __future__ import annotations

from collections.abc import Iterable

from cinecode.graph.catalog import Catalog
from cinecode.graph.job import Graph, Job

#: how params read in an explanation
NAMES = {
    "segments": "the words",
    "voice": "the voice",
    "prompt": "the prompt",
    "composition": "the framing",
    "seed": "the seed",
    "backend": "the backend",
    "backend_version": "the backend's code",
    "backend_params": "the backend's settings",
    "model": "the model",
    "shots": "the scene's timing",
    "move": "the camera move",
}


def explain(job: Job, graph: Graph, catalog: Catalog) -> str:
    """One line: why `job` must run."""
    previous = catalog.latest(job.step, job.label)
    if previous is None:
        return "new"
    changed = sorted(
        k
        for k in set(job.params) | set(previous.params)
        if job.params.get(k) != previous.params.get(k)
    )
    reasons = [f"{NAMES.get(k, k)} changed" for k in changed]
    if list(job.inputs) != list(previous.inputs):
        old = set(previous.inputs)
        inputs = [graph.jobs[k].label for k in job.inputs if k not in old and k in graph.jobs]
        reasons.extend(f"{label} changed" for label in dict.fromkeys(inputs))
        if not inputs:
            reasons.append("its inputs changed")
    return ", ".join(dict.fromkeys(reasons)) if reasons else "its step's code changed"


def explain_all(jobs: Iterable[Job], graph: Graph, catalog: Catalog) -> list[tuple[str, str]]:
    """(label, reason) for each job."""
    return [(job.label, explain(job, graph, catalog)) for job in jobs]
