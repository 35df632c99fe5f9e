"""A project's farm (`make --farm`, `[farm]` in film.toml): which jobs go to the cluster,
with what resources, and how a worker runs one (from its params and its inputs alone).

Hosted and resumable engines (the paid web services, ComfyUI) keep running at the head: their
tickets (the provider ids) are written to the catalog before anything waits on them, and the
catalog has one writer, so a paid job is never submitted twice.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, cast

from cinecode.backends.registry import BACKENDS, Backends
from cinecode.graph.executor import Context, Input, Output
from cinecode.graph.farm import Farm, Shared
from cinecode.graph.job import Job
from cinecode.project.config import Project

if TYPE_CHECKING:
    from cinecode.graph.store import Store

_BACKENDS: Backends | None = None  # one per worker process, shared by the jobs it runs
_BACKENDS_LOCK = threading.Lock()


def at_head(job: Job) -> bool:
    """Whether a job runs at the head: its engine keeps tickets in the catalog (a hosted
    service, ComfyUI)."""
    entry = BACKENDS.get(job.backend)
    return entry is not None and (entry.hosted or entry.resumable)


def work(job: Job, inputs: list[Input], workdir: Path) -> Output:
    """Run a job on a worker, as the local executor would, from its params and inputs."""
    from cinecode.departments.steps import STEPS

    global _BACKENDS
    with _BACKENDS_LOCK:
        if _BACKENDS is None:
            _BACKENDS = Backends()  # local engines: no [services] settings to hand them
        backends = _BACKENDS
    context = Context(
        job,
        inputs,
        workdir,
        backends=backends,
        cancel=threading.Event(),  # Ctrl-C at the head cancels the task itself (ray.cancel)
        progress=lambda fraction: None,
        # only the engines that run at the head (at_head) use the store: their tickets
        store=cast("Store", None),
    )
    return STEPS[job.step](job, context)


def address_of(project: Project, farm: str | None) -> str:
    """The farm to use: `--farm`, else film.toml's `[farm] address` ("" = none)."""
    return farm if farm is not None else project.config.farm.address


def open_farm(project: Project, address: str) -> Farm:
    """The project's farm at `address`, connected and checked (FarmError if not)."""
    return Farm(
        address,
        work,
        at_head,
        resources=project.config.farm.resources,
        status_path=project.store_dir / "farm.json",
        shared=Shared(project.config.store.url, str(project.root)),
    ).open()


__all__ = ["address_of", "at_head", "open_farm", "work"]
