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

[lipsync]
backend = "replicate"
model = "bytedance/latentsync"                # inputs `video` and `audio`
```
A prediction is created (`POST /v1/models/{owner}/{name}/predictions`, or `/v1/predictions`
with a version), its id remembered, then polled (`GET /v1/predictions/{id}`) until it
succeeds; its output URL is downloaded and checked. Key: `REPLICATE_API_TOKEN`.

Reference images reach models that take them by `fields`, as data URIs: `reference` the first
(`fields = { reference = "input_image" }` for FLUX Kontext), `references` all of them as a list
(`fields = { references = "input_images" }`); unmapped, they are not sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from cinecode.backends.hosted.base import ModelBackend, Poll, ProviderJob, aspect_ratio
from cinecode.backends.hosted.http import data_uri
from cinecode.backends.hosted.results import media_urls
from cinecode.backends.protocols import ImageRequest, VideoRequest

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
    "reference": "",  # the first reference image (FLUX Kontext: "input_image")
    "references": "",  # all of them, as a list ("input_images", "reference_images")
    "video": "video",  # lip sync: the clip and the voice (bytedance/latentsync)
    "audio": "audio",
}


class ReplicateBackend(ModelBackend):
    name = "replicate"
    BASE_URL = "https://api.replicate.com/v1"
    KEY_ENV = "REPLICATE_API_TOKEN"
    AUTH = "bearer"
    STATUS_PATH = "account"
    FIELDS: ClassVar[Mapping[str, str]] = FIELDS
    MODEL_HINT = 'set model = "owner/name" in the department\'s section of film.toml'
    WHAT = "prediction of {model}"
    NO_FILE = "prediction {id} succeeded with no file in its output"

    def __init__(self, *, version: str = "", **settings: Any) -> None:
        super().__init__(**settings)
        self.version = version  # the model version to run when `model` names none

    def _values(self, req: ImageRequest | VideoRequest, seconds: float) -> dict[str, Any]:
        values: dict[str, Any] = {
            "aspect_ratio": aspect_ratio(req.width, req.height, ASPECTS),
            "width": req.width,
            "height": req.height,
        }
        if isinstance(req, VideoRequest):
            values["duration"] = int(seconds) if seconds.is_integer() else seconds
            if req.image is not None:
                values["image"] = data_uri(req.image)
        return values

    def _submit(self, model: str, inputs: dict[str, Any]) -> ProviderJob:
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
        prediction = self.job_id(
            body,
            "id",
            message="Replicate accepted the prediction but sent no id",
            hint="check the dashboard for the prediction before running make again",
        )
        return ProviderJob(prediction, {"backend": self.name})

    def _poll(self, job: ProviderJob) -> Poll:
        body = self.status_of(
            f"predictions/{job.id}", malformed="Replicate sent a prediction that is not an object"
        )
        if body is None:
            return Poll("gone")
        state = str(body.get("status", ""))
        if state == "succeeded":
            return Poll("succeeded", 1.0, body)
        if state in ("failed", "canceled", "aborted"):
            return Poll("failed", error=str(body.get("error") or state))
        return Poll("running", _progress(str(body.get("logs") or "")))

    def _url(self, result: Any) -> str:
        urls = media_urls(result.get("output"))
        return urls[0] if urls else ""

    def _gpu(self, result: Any) -> float:
        metrics = result.get("metrics") or {}
        return float(metrics.get("predict_time") or 0.0)

    def _images(self, result: Any) -> int:
        return len(media_urls(result.get("output")))


def _progress(logs: str) -> float | None:
    """The last "NN%" a model printed in its logs (tqdm bars), as a fraction."""
    import re

    found = re.findall(r"(\d{1,3})%\|", logs)
    return min(1.0, int(found[-1]) / 100) if found else None


__all__ = ["ReplicateBackend"]
