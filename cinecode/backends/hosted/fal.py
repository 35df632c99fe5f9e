"""fal: hosted image and video models through fal's queue (FLUX, Kling, Hailuo, Wan, Luma…).

```toml
[motion]
backend = "fal"
model = "fal-ai/kling-video/v2.1/standard/image-to-video"
fields = { image = "image_url" }
```
A request is queued (`POST https://queue.fal.run/{model}`), its `request_id` and status /
response URLs remembered, its status polled (`IN_QUEUE` → `IN_PROGRESS` → `COMPLETED`), its
result read from the response URL and its file downloaded and checked. Key: `FAL_KEY`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cinecode.backends.hosted.base import HostedBackend, Poll, ProviderJob, Ticket
from cinecode.backends.hosted.checks import check_image, check_video
from cinecode.backends.hosted.http import data_uri
from cinecode.backends.hosted.pricing import Usage
from cinecode.backends.hosted.results import media_url, save_png
from cinecode.backends.protocols import Generated, ImageRequest, ProgressFn, VideoRequest
from cinecode.errors import BackendError, BadOutput

#: cinecode's name for an input → the usual name in fal's model schemas ("" = not sent)
FIELDS = {
    "prompt": "prompt",
    "negative_prompt": "negative_prompt",
    "seed": "seed",
    "image_size": "image_size",
    "image": "image_url",
    "duration": "duration",
}


class FalBackend(HostedBackend):
    name = "fal"
    BASE_URL = "https://queue.fal.run"
    KEY_ENV = "FAL_KEY"
    AUTH = "key"

    def __init__(
        self,
        *,
        model: str = "",
        input: Mapping[str, Any] | None = None,
        fields: Mapping[str, str] | None = None,
        negative_prompt: str = "",
        **settings: Any,
    ) -> None:
        super().__init__(model=model, **settings)
        self.extra = dict(input or {})
        self.fields = {**FIELDS, **dict(fields or {})}
        self.negative_prompt = negative_prompt

    def generate(
        self,
        req: ImageRequest | VideoRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """An image (ImageRequest) or a clip from a keyframe (VideoRequest)."""
        model = req.model or self.model
        if not model:
            raise BackendError(
                "no model named",
                backend=self.name,
                hint='set model = "fal-ai/…" in the department\'s section of film.toml',
            )
        values: dict[str, Any] = {
            "prompt": req.prompt,
            "negative_prompt": req.negative_prompt or self.negative_prompt,
            "seed": req.seed,
        }
        video = isinstance(req, VideoRequest)
        seconds = 0.0
        if isinstance(req, VideoRequest):
            seconds = self.prices.billable_seconds(model, req.duration)
            values["duration"] = str(int(seconds)) if seconds.is_integer() else str(seconds)
            if req.image is not None:
                values["image"] = data_uri(req.image)
        else:
            values["image_size"] = {"width": req.width, "height": req.height}
        inputs = {self.fields[k]: v for k, v in values.items() if self.fields.get(k) and v != ""}
        inputs.update(self.extra)
        job, result = self.run_job(
            ticket,
            submit=lambda: self._submit(model, inputs),
            poll=self._poll,
            what=f"request to {model}",
            progress=progress,
        )
        body, metrics = result
        url = media_url(body)
        if not url:
            raise BadOutput(
                f"request {job.id} completed with no file in its result",
                backend=self.name,
                hint="check the model returns an image or a video",
            )
        gpu = float(metrics.get("inference_time") or 0.0)
        if video:
            assert isinstance(req, VideoRequest)
            target = out / "clip.mp4"
            meta = self.http.download(
                url, target, kind="video", check=lambda p: check_video(p, backend=self.name)
            )
            self.expect_length(meta, seconds, ticket)
            usage = Usage(seconds=seconds, width=req.width, height=req.height, gpu_seconds=gpu)
        else:
            raw = out / "download"
            meta = self.http.download(
                url, raw, kind="image", check=lambda p: check_image(p, backend=self.name)
            )
            target = save_png(raw, out / "image.png")
            count = len(body.get("images") or [1]) if isinstance(body, dict) else 1
            usage = Usage(images=count, width=req.width, height=req.height, gpu_seconds=gpu)
        if ticket is not None:
            ticket.done()
        meta = {**meta, "usage": usage.as_meta(), "provider_job": job.id}
        return Generated(target, self.cost(model, usage), model, meta)

    def _submit(self, model: str, inputs: dict[str, Any]) -> ProviderJob:
        _, body = self.http.json("POST", model, json=inputs, retry="safe")
        if not isinstance(body, dict) or not body.get("request_id"):
            raise BadOutput(
                "fal queued the request but sent no request_id",
                backend=self.name,
                hint="check fal's dashboard for the request before running make again",
            )
        request_id = str(body["request_id"])
        # status and result live under the model's app id, without any sub-path
        app = "/".join(model.split("/")[:2])
        base = f"{self.service.base_url}/{app}/requests/{request_id}"
        return ProviderJob(
            request_id,
            {
                "backend": self.name,
                "status_url": str(body.get("status_url") or f"{base}/status"),
                "response_url": str(body.get("response_url") or base),
            },
        )

    def _poll(self, job: ProviderJob) -> Poll:
        code, body = self.http.json("GET", job.data["status_url"], accept=(404,))
        if code == 404:
            return Poll("gone")
        if not isinstance(body, dict):
            raise BadOutput("fal sent a status that is not an object", backend=self.name)
        state = str(body.get("status", ""))
        if state in ("IN_QUEUE", "IN_PROGRESS"):
            return Poll("running", None)
        if state != "COMPLETED":
            return Poll("failed", error=f"unknown status {state!r}")
        if body.get("error"):
            return Poll("failed", error=str(body["error"]))
        code, result = self.http.json("GET", job.data["response_url"], accept=(400, 404, 422, 500))
        if code == 404:
            return Poll("gone")
        if code >= 400:
            detail = result.get("detail") if isinstance(result, dict) else result
            return Poll("failed", error=str(detail)[:300])
        return Poll("succeeded", 1.0, (result, body.get("metrics") or {}))


__all__ = ["FalBackend"]
