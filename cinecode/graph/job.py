"""Jobs and the graph the planner builds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cinecode.backends.protocols import Cost
from cinecode.graph.keys import job_key

JobKind = Literal["generate", "render"]


@dataclass(frozen=True)
class Step:
    """A kind of job: its name, its code version (part of every key) and whether it generates."""

    name: str
    version: int
    kind: JobKind
    department: str
    ext: str  # the artifact's file suffix

    def job(
        self,
        params: Mapping[str, Any],
        inputs: tuple[str, ...] = (),
        *,
        label: str,
        shot: str = "",
        scene: str = "",
        backend: str = "",
        pool: str = "",
        estimate: Cost = Cost(),
        take: bool = False,
        seed: int | None = None,
        ext: str = "",
        settings: Mapping[str, Any] | None = None,
    ) -> Job:
        """A job of this step; its key is computed here, from all that will make it
        (`params` and `inputs`; never `settings`: where files and servers are)."""
        return Job(
            key=job_key(self.name, self.version, params, inputs),
            step=self.name,
            kind=self.kind,
            department=self.department,
            ext=ext or self.ext,
            params=dict(params),
            inputs=inputs,
            label=label,
            shot=shot,
            scene=scene,
            backend=backend,
            pool=pool or backend or "cpu",
            estimate=estimate,
            take=take,
            seed=seed,
            settings=dict(settings or {}),
        )


@dataclass(frozen=True)
class Job:
    """One node of the build graph."""

    key: str
    step: str
    kind: JobKind
    department: str
    ext: str
    params: dict[str, Any]
    inputs: tuple[str, ...]
    label: str
    shot: str = ""
    scene: str = ""
    backend: str = ""
    pool: str = "cpu"
    estimate: Cost = Cost()
    take: bool = False  # a take of `shot` (listed by `cinecode takes`)
    seed: int | None = None
    #: how to run it, never what it makes, so never part of the key: where the project's
    #: files are (a workflow, reference images, a local model), which servers, how long to
    #: wait. A copied or moved project, or a grown server pool, keeps every key.
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Graph:
    """Jobs by key, in the order they were added (inputs before the jobs that use them)."""

    jobs: dict[str, Job] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)  # name ("master", "srt") → key

    def add(self, job: Job) -> str:
        for key in job.inputs:
            if key not in self.jobs:
                raise ValueError(f"{job.label}: input {key[:8]} is not planned before it")
        self.jobs.setdefault(job.key, job)
        return job.key

    def __iter__(self) -> Iterator[Job]:
        return iter(self.jobs.values())

    def __len__(self) -> int:
        return len(self.jobs)

    def __contains__(self, key: object) -> bool:
        return key in self.jobs

    def needed_for(self, targets: list[str]) -> list[Job]:
        """The jobs the targets depend on, inputs first."""
        seen: set[str] = set()
        order: list[Job] = []
        stack: list[tuple[str, bool]] = [(key, False) for key in reversed(targets)]
        while stack:
            key, expanded = stack.pop()
            if expanded:
                order.append(self.jobs[key])
                continue
            if key in seen:
                continue
            seen.add(key)
            stack.append((key, True))
            # an input outside the graph is an artifact recorded earlier (a take reused as is)
            stack.extend(
                (k, False)
                for k in reversed(self.jobs[key].inputs)
                if k not in seen and k in self.jobs
            )
        return order
