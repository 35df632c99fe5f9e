"""Runway: image-to-video (Gen-4 Turbo, Gen-3 Alpha Turbo…) through Runway's own API.

```toml
[motion]
backend = "runway"
model = "gen4_turbo"          # or gen3a_turbo
```
A task is created (`POST /v1/image_to_video` with the keyframe as a data URI, the prompt,
the ratio nearest the film's format, 5 or 10 seconds and the seed), its id remembered, and
polled (`GET /v1/tasks/{id}`: PENDING, THROTTLED, RUNNING, SUCCEEDED, FAILED, CANCELLED)
until its output URL can be downloaded and checked. Key: `RUNWAYML_API_SECRET`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from cinecode.backends.hosted.base import HostedBackend, Poll, ProviderJob, Ticket, aspect_ratio
from cinecode.backends.hosted.http import data_uri
from cinecode.backends.protocols import Generated, ProgressFn, VideoRequest
from cinecode.errors import BackendError, BadOutput

API_VERSION = "2024-11-06"
RATIOS = {
    "gen4_turbo": ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"),
    "gen3a_turbo": ("1280:768", "768:1280"),
}
DURATIONS = (5, 10)


class RunwayBackend(HostedBackend):
    name = "runway"
    BASE_URL = "https://api.dev.runwayml.com/v1"
    KEY_ENV = "RUNWAYML_API_SECRET"
    AUTH = "bearer"
    HEADERS: ClassVar[Mapping[str, str]] = {"X-Runway-Version": API_VERSION}
    STATUS_PATH = "organization"

    def __init__(self, *, model: str = "gen4_turbo", ratio: str = "", **settings: Any) -> None:
        super().__init__(model=model, **settings)
        self.ratio = ratio

    def generate(
        self,
        req: VideoRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """A clip that starts from the request's keyframe."""
        if req.image is None:
            raise BackendError(
                "Runway makes clips from a keyframe; this request has none",
                backend=self.name,
                hint="give the shot a storyboard keyframe (any image backend)",
            )
        model = req.model or self.model
        seconds = self.prices.billable_seconds(model, req.duration)
        if seconds not in DURATIONS:
            seconds = float(next((d for d in DURATIONS if d >= seconds), DURATIONS[-1]))
        body = {
            "model": model,
            "promptImage": data_uri(req.image),
            "promptText": req.prompt[:1000],
            "ratio": self.ratio
            or aspect_ratio(req.width, req.height, RATIOS.get(model, RATIOS["gen4_turbo"])),
            "duration": int(seconds),
            "seed": req.seed % 4_294_967_296,
        }
        job, task = self.run_job(
            ticket,
            submit=lambda: self._create(body),
            poll=self._poll,
            what=f"{model} task",
            progress=progress,
        )
        output = task.get("output") or []
        if not output or not isinstance(output[0], str):
            raise BadOutput(
                f"task {job.id} succeeded with no output URL",
                backend=self.name,
                hint="run make again; if it persists, check the task in Runway's dashboard",
            )
        return self.deliver(
            output[0], out, req, model=model, job=job, ticket=ticket, seconds=seconds
        )

    def _create(self, body: dict[str, Any]) -> ProviderJob:
        _, answer = self.http.json("POST", "image_to_video", json=body, retry="safe")
        task = self.job_id(
            answer,
            "id",
            message="Runway accepted the task but sent no id",
            hint="check Runway's dashboard for the task before running make again",
        )
        return ProviderJob(task, {"backend": self.name})

    def _poll(self, job: ProviderJob) -> Poll:
        task = self.status_of(
            f"tasks/{job.id}", malformed="Runway sent a task that is not an object"
        )
        if task is None:
            return Poll("gone")
        state = str(task.get("status", ""))
        if state == "SUCCEEDED":
            return Poll("succeeded", 1.0, task)
        if state in ("FAILED", "CANCELLED"):
            reason = task.get("failure") or task.get("failureCode") or state.lower()
            return Poll("failed", error=str(reason))
        progress = task.get("progress")
        return Poll("running", float(progress) if isinstance(progress, int | float) else None)


__all__ = ["RunwayBackend"]
