"""Hosted services seen from the build: settings for the backends, pools for the executor,
and tickets that keep each provider job in the catalog so a restart resumes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cinecode.backends.protocols import Cost
from cinecode.backends.registry import BACKENDS
from cinecode.graph.catalog import Catalog, Charge
from cinecode.graph.executor import Context
from cinecode.graph.job import Job
from cinecode.project.config import Project

if TYPE_CHECKING:  # the hosted machinery (httpx, numpy) is imported by the jobs that call it
    from cinecode.backends.hosted.base import ProviderJob, Ticket

DEFAULT_CONCURRENCY = 4  # jobs at once on a hosted service without `concurrency`


class CatalogTicket:
    """A ticket kept in the project's catalog (`provider_jobs`), under the job's key."""

    def __init__(self, catalog: Catalog, key: str, backend: str, job: Job | None = None) -> None:
        self.catalog = catalog
        self.key = key
        self.backend = backend
        self.job = job

    def recall(self) -> ProviderJob | None:
        found = self.catalog.provider_job(self.key)
        if found is None:
            return None
        backend, provider_id, data = found
        if backend != self.backend:
            return None
        from cinecode.backends.hosted.base import ProviderJob

        return ProviderJob(provider_id, {**data, "backend": backend})

    def remember(self, job: ProviderJob) -> None:
        data = {k: v for k, v in job.data.items() if k != "backend"}
        self.catalog.remember_provider_job(self.key, self.backend, job.id, data)

    def done(self) -> None:
        self.catalog.set_provider_job_state(self.key, "done")

    def forget(self) -> None:
        self.catalog.forget_provider_job(self.key)

    def charge(self, job: ProviderJob | None, cost: Cost, *, state: str, note: str) -> None:
        self.catalog.record_charge(
            Charge(
                key=self.key,
                step=self.job.step if self.job else "",
                department=self.job.department if self.job else "",
                label=self.job.label if self.job else "",
                backend=self.backend,
                provider_id=job.id if job else "",
                money=cost.money,
                gpu=cost.gpu_seconds,
                state=state,
                note=note[:500],
            )
        )


def ticket(ctx: Context, backend: str) -> Ticket:
    """The ticket of the running job for `backend`."""
    return CatalogTicket(ctx.store.catalog, ctx.job.key, backend, ctx.job)


def hosted_kwargs(ctx: Context, backend: str) -> dict[str, Any]:
    """Extra keyword arguments for a backend call: a ticket, when the backend keeps the jobs
    it queued (hosted services, ComfyUI)."""
    entry = BACKENDS.get(backend)
    resumable = entry is not None and (entry.hosted or entry.resumable)
    return {"ticket": ticket(ctx, backend)} if resumable else {}


def backend_settings(project: Project) -> dict[str, dict[str, Any]]:
    """Per hosted backend: its `[services.NAME]` settings and its price list (none of which
    is part of any job's key)."""
    out: dict[str, dict[str, Any]] = {}
    for name, entry in BACKENDS.items():
        if not entry.hosted:
            config = project.config.services.get(name)
            if entry.resumable and config is not None and "retries" in config.model_fields_set:
                out[name] = {"retries": config.retries}  # e.g. [services.comfyui] retries
            continue
        config = project.config.services.get(name)
        values: dict[str, Any] = {}
        if config is not None:
            values = config.model_dump(exclude_defaults=True)
            values["concurrency"] = config.concurrency
        values["prices"] = dict(project.prices.prices(name).models)
        out[name] = values
    return out


__all__ = ["CatalogTicket", "backend_settings", "hosted_kwargs", "ticket"]
