"""Runway: image-to-video (Gen-4 Turbo, Gen-3 Alpha Turbo…) and Gen-4 images with references,
through Runway's own API.

```toml
[motion]
backend = "runway"
model = "gen4_turbo"          # or gen3a_turbo
[storyboard]
backend = "runway"
model = "gen4_image"          # keyframes that keep the characters' and places' references
```
A clip: a task is created (`POST /v1/image_to_video` with the keyframe as a data URI, the
prompt, the ratio nearest the film's format, 5 or 10 seconds and the seed). A keyframe:
`POST /v1/text_to_image` with up to three `referenceImages` (`uri`: a data URI, `tag`: the
character's or location's name), the prompt naming each as `@tag`. Either task's id is
remembered and polled (`GET /v1/tasks/{id}`: PENDING, THROTTLED, RUNNING, SUCCEEDED, FAILED,
CANCELLED) until its output URL can be downloaded and checked. Image-to-video takes no
references (its keyframe already shows them). Key: `RUNWAYML_API_SECRET`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from cinecode.backends.hosted.base import HostedBackend, Poll, ProviderJob, Ticket, aspect_ratio
from cinecode.backends.hosted.http import data_uri
from cinecode.backends.protocols import Generated, ImageRequest, ProgressFn, VideoRequest
from cinecode.errors import BackendError, BadOutput

API_VERSION = "2024-11-06"
RATIOS = {
    "gen4_turbo": ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"),
    "gen3a_turbo": ("1280:768", "768:1280"),
}
DURATIONS = (5, 10)
IMAGE_MODEL = "gen4_image"
IMAGE_RATIOS = (
    "1920:1080",
    "1080:1920",
    "1024:1024",
    "1360:768",
    "1080:1080",
    "1168:880",
    "1440:1080",
    "1080:1440",
    "1808:768",
    "2112:912",
    "1280:720",
    "720:1280",
    "720:720",
    "960:720",
    "720:960",
    "1680:720",
)
MAX_REFERENCES = 3  # Gen-4 image takes up to three reference images


def reference_tag(name: str, taken: Sequence[str] = ()) -> str:
    """A Runway reference tag for a character or place: letters, digits and underscores,
    starting with a letter, 3 to 16 long, unlike those `taken`."""
    word = re.sub(r"[^A-Za-z0-9_]+", "_", name.strip()).strip("_") or "ref"
    if not word[0].isalpha():
        word = "r_" + word
    word = word[:16].ljust(3, "x")
    tag, count = word, 2
    while tag.lower() in {t.lower() for t in taken}:
        tag = f"{word[:13]}_{count}"
        count += 1
    return tag


def tagged_prompt(prompt: str, tags: Sequence[tuple[str, str]]) -> str:
    """The prompt with each reference named as `@tag`: where it names the character or place
    (the first time), else said after it."""
    said: list[str] = []
    for name, tag in tags:
        pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE) if name else None
        if pattern is not None and pattern.search(prompt):
            prompt = pattern.sub(f"@{tag}", prompt, count=1)
        else:
            said.append(f"@{tag}")
    return f"{prompt} With {', '.join(said)}." if said else prompt


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
        req: VideoRequest | ImageRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """A clip that starts from the request's keyframe, or a keyframe (Gen-4 image) that
        keeps the request's references."""
        if isinstance(req, ImageRequest):
            return self._image(req, out, progress, ticket)
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
        job, url = self._run_task("image_to_video", body, model, ticket, progress)
        return self.deliver(url, out, req, model=model, job=job, ticket=ticket, seconds=seconds)

    def _image(
        self, req: ImageRequest, out: Path, progress: ProgressFn | None, ticket: Ticket | None
    ) -> Generated:
        model = req.model or self.model
        if model in RATIOS:  # the section names a video model: its images come from Gen-4
            model = IMAGE_MODEL
        body: dict[str, Any] = {
            "model": model,
            "promptText": req.prompt[:1000],
            "ratio": self.ratio if self.ratio in IMAGE_RATIOS else _image_ratio(req),
            "seed": req.seed % 4_294_967_296,
        }
        if req.references:
            roles = list(req.reference_roles) or [("", "")] * len(req.references)
            tags: list[tuple[str, str]] = []
            images = []
            for path, (_, name) in list(zip(req.references, roles, strict=False))[:MAX_REFERENCES]:
                tag = reference_tag(name or path.stem, [t for _, t in tags])
                tags.append((name, tag))
                images.append({"uri": data_uri(path), "tag": tag})
            body["referenceImages"] = images
            body["promptText"] = tagged_prompt(req.prompt, tags)[:1000]
        job, url = self._run_task("text_to_image", body, model, ticket, progress)
        return self.deliver(url, out, req, model=model, job=job, ticket=ticket)

    def _run_task(
        self,
        endpoint: str,
        body: dict[str, Any],
        model: str,
        ticket: Ticket | None,
        progress: ProgressFn | None,
    ) -> tuple[ProviderJob, str]:
        """Create a task at `endpoint`, wait for it, and return (job, its output's URL)."""
        job, task = self.run_job(
            ticket,
            submit=lambda: self._create(endpoint, body),
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
        return job, output[0]

    def _create(self, endpoint: str, body: dict[str, Any]) -> ProviderJob:
        _, answer = self.http.json("POST", endpoint, json=body, retry="safe")
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


def _image_ratio(req: ImageRequest) -> str:
    """The Gen-4 image ratio closest in shape to the film's, and of those the one nearest its
    size (a 1280×720 film gets 1280:720, billed as 720p; a 1920×1080 film 1920:1080)."""
    shape = aspect_ratio(req.width, req.height, IMAGE_RATIOS)
    w, _, h = shape.partition(":")
    same = [
        r for r in IMAGE_RATIOS if int(r.split(":")[0]) * int(h) == int(r.split(":")[1]) * int(w)
    ]
    short = min(req.width, req.height)
    return min(same, key=lambda r: abs(min(int(v) for v in r.split(":")) - short))


__all__ = ["RunwayBackend", "reference_tag", "tagged_prompt"]
