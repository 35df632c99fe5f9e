"""Replicate: any hosted image or video model by name (FLUX, Kling, Hailuo, Wan, Hunyuan…).

```toml
[storyboard]
backend = "replicate"
model = "black-forest-labs/flux-schnell"      # owner/name, or owner/name:version
input = { output_format = "png" }             # more inputs, sent as they are

[motion]
backend = "replicate"
model = "kwaivgi/kling-v2.1"
fields = { image = "start_image" }            # the model's name for each input cinecode fills
```
A prediction is created (`POST /v1/models/{owner}/{name}/predictions`, or `/v1/predictions`
with a version), its id remembered, then polled (`GET /v1/predictions/{id}`) until it
succeeds; its output URL is downloaded and checked. Key: `REPLICATE_API_TOKEN`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cinecode.backends.hosted.base import (
    HostedBackend,
    Poll,
    ProviderJob,
    Ticket,
    aspect_ratio,
)
from cinecode.backends.hosted.checks import check_image, check_video
from cinecode.backends.hosted.http import data_uri
from cinecode.backends.hosted.pricing import Usage
from cinecode.backends.hosted.results import media_url, save_png
from cinecode.backends.protocols import (
    Generated,
    ImageRequest,
    ProgressFn,
    VideoRequest,
)
from cinecode.errors import BackendError, BadOutput

ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "3:2", "2:3")

#: cinecode's name for an input → the usual input name of Replicate models ("" = not sent)
FIELDS = {
    "prompt": "prompt",
    "negative_prompt": "negative_prompt",
    "seed": "seed",
    "aspect_ratio": "aspect_ratio",
    "width": "",
    "height": "",
    "image": "image",
    "duration": "duration",
}


class ReplicateBackend(HostedBackend):
    name = "replicate"
    BASE_URL = "https://api.replicate.com/v1"
    KEY_ENV = "REPLICATE_API_TOKEN"
    AUTH = "bearer"
    STATUS_PATH = "account"

    def __init__(
        self,
        *,
        model: str = "",
        version: str = "",
        input: Mapping[str, Any] | None = None,
        fields: Mapping[str, str] | None = None,
        negative_prompt: str = "",
        **settings: Any,
    ) -> None:
        super().__init__(model=model, **settings)
        self.version = version
        self.extra = dict(input or {})
        self.fields = {**FIELDS, **dict(fields or {})}
        self.negative_prompt = negative_prompt

    # --- image -----------------------------------------------------------------------------

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
                hint='set model = "owner/name" in the department\'s section of film.toml',
            )
        values: dict[str, Any] = {
            "prompt": req.prompt,
            "negative_prompt": req.negative_prompt or self.negative_prompt,
            "seed": req.seed,
            "aspect_ratio": aspect_ratio(req.width, req.height, ASPECTS),
            "width": req.width,
            "height": req.height,
        }
        video = isinstance(req, VideoRequest)
        seconds = 0.0
        if video:
            assert isinstance(req, VideoRequest)
            seconds = self.prices.billable_seconds(model, req.duration)
            values["duration"] = int(seconds) if seconds.is_integer() else seconds
            if req.image is not None:
                values["image"] = data_uri(req.image)
        inputs = self._inputs(values)
        job, prediction = self.run_job(
            ticket,
            submit=lambda: self._create(model, inputs),
            poll=self._poll,
            what=f"prediction of {model}",
            progress=progress,
        )
        urls = _outputs(prediction.get("output"))
        if not urls:
            raise BadOutput(
                f"prediction {job.id} succeeded with no file in its output",
                backend=self.name,
                hint="check the model returns an image or a video",
            )
        metrics = prediction.get("metrics") or {}
        gpu = float(metrics.get("predict_time") or 0.0)
        if video:
            assert isinstance(req, VideoRequest)
            target = out / "clip.mp4"
            meta = self.http.download(
                urls[0], target, kind="video", check=lambda p: check_video(p, backend=self.name)
            )
            self.expect_length(meta, seconds, ticket)
            usage = Usage(seconds=seconds, width=req.width, height=req.height, gpu_seconds=gpu)
        else:
            raw = out / "download"
            meta = self.http.download(
                urls[0], raw, kind="image", check=lambda p: check_image(p, backend=self.name)
            )
            target = save_png(raw, out / "image.png")
            usage = Usage(images=len(urls), width=req.width, height=req.height, gpu_seconds=gpu)
        if ticket is not None:
            ticket.done()
        meta = {**meta, "usage": usage.as_meta(), "provider_job": job.id}
        return Generated(target, self.cost(model, usage), model, meta)

    def _inputs(self, values: Mapping[str, Any]) -> dict[str, Any]:
        inputs: dict[str, Any] = {}
        for ours, value in values.items():
            theirs = self.fields.get(ours, "")
            if theirs and value not in ("", None):
                inputs[theirs] = value
        inputs.update(self.extra)
        return inputs

    def _create(self, model: str, inputs: dict[str, Any]) -> ProviderJob:
        name, _, version = model.partition(":")
        version = version or self.version
        if version:
            _, body = self.http.json(
                "POST", "predictions", json={"version": version, "input": inputs}, retry="safe"
            )
        else:
            _, body = self.http.json(
                "POST", f"models/{name}/predictions", json={"input": inputs}, retry="safe"
            )
        if not isinstance(body, dict) or not body.get("id"):
            raise BadOutput(
                "Replicate accepted the prediction but sent no id",
                backend=self.name,
                hint="check the dashboard for the prediction before running make again",
            )
        return ProviderJob(str(body["id"]), {"backend": self.name})

    def _poll(self, job: ProviderJob) -> Poll:
        status, body = self.http.json("GET", f"predictions/{job.id}", accept=(404,))
        if status == 404:
            return Poll("gone")
        if not isinstance(body, dict):
            raise BadOutput("Replicate sent a prediction that is not an object", backend=self.name)
        state = str(body.get("status", ""))
        if state == "succeeded":
            return Poll("succeeded", 1.0, body)
        if state in ("failed", "canceled", "aborted"):
            return Poll("failed", error=str(body.get("error") or state))
        return Poll("running", _progress(str(body.get("logs") or "")))


def _outputs(output: Any) -> list[str]:
    """The file URLs of a prediction's output (a URL, a list of them, or an object)."""
    if isinstance(output, str):
        return [output] if output.startswith(("http://", "https://", "data:")) else []
    if isinstance(output, list):
        return [u for item in output for u in _outputs(item)]
    if isinstance(output, dict):
        url = media_url(output)
        return [url] if url else []
    return []


def _progress(logs: str) -> float | None:
    """The last "NN%" a model printed in its logs (tqdm bars), as a fraction."""
    import re

    found = re.findall(r"(\d{1,3})%\|", logs)
    return min(1.0, int(found[-1]) / 100) if found else None


__all__ = ["ReplicateBackend"]
