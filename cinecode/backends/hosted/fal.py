"""fal: hosted image and video models through fal's queue (FLUX, Kling, Hailuo, Wan, Luma…).

```toml
[motion]
backend = "fal"
model = "fal-ai/kling-video/v2.1/standard/image-to-video"
fields = { image = "image_url" }

[lipsync]
backend = "fal"
model = "fal-ai/latentsync"                   # or fal-ai/sync-lipsync: video_url + audio_url
```
A request is queued (`POST https://queue.fal.run/{model}`), its `request_id` and status /
response URLs remembered, its status polled (`IN_QUEUE` → `IN_PROGRESS` → `COMPLETED`), its
result read from the response URL and its file downloaded and checked. Key: `FAL_KEY`.

Reference images reach models that take them by `fields`, as data URIs: `reference` the first
(`fields = { reference = "image_url" }` for FLUX Kontext), `references` all of them as a list
(`fields = { references = "image_urls" }`); unmapped, they are not sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from cinecode.backends.hosted.base import ModelBackend, Poll, ProviderJob
from cinecode.backends.hosted.http import data_uri
from cinecode.backends.hosted.results import media_url
from cinecode.backends.protocols import ImageRequest, VideoRequest

#: cinecode's name for an input → the usual name in fal's model schemas ("" = not sent)
FIELDS = {
    "prompt": "prompt",
    "negative_prompt": "negative_prompt",
    "seed": "seed",
    "image_size": "image_size",
    "image": "image_url",
    "duration": "duration",
    "reference": "",  # the first reference image (FLUX Kontext: "image_url")
    "references": "",  # all of them, as a list ("image_urls")
    "video": "video_url",  # lip sync: the clip and the voice (fal-ai/latentsync, sync-lipsync)
    "audio": "audio_url",
}


class FalBackend(ModelBackend):
    name = "fal"
    BASE_URL = "https://queue.fal.run"
    KEY_ENV = "FAL_KEY"
    AUTH = "key"
    FIELDS: ClassVar[Mapping[str, str]] = FIELDS
    MODEL_HINT = 'set model = "fal-ai/…" in the department\'s section of film.toml'
    WHAT = "request to {model}"
    NO_FILE = "request {id} completed with no file in its result"

    def _values(self, req: ImageRequest | VideoRequest, seconds: float) -> dict[str, Any]:
        if not isinstance(req, VideoRequest):
            return {"image_size": {"width": req.width, "height": req.height}}
        values: dict[str, Any] = {
            "duration": str(int(seconds)) if seconds.is_integer() else str(seconds)
        }
        if req.image is not None:
            values["image"] = data_uri(req.image)
        return values

    def _submit(self, model: str, inputs: dict[str, Any]) -> ProviderJob:
        _, body = self.http.json("POST", model, json=inputs, retry="safe")
        request_id = self.job_id(
            body,
            "request_id",
            message="fal queued the request but sent no request_id",
            hint="check fal's dashboard for the request before running make again",
        )
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
        body = self.status_of(
            job.data["status_url"], malformed="fal sent a status that is not an object"
        )
        if body is None:
            return Poll("gone")
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

    def _url(self, result: Any) -> str:
        body, _ = result
        return media_url(body)

    def _gpu(self, result: Any) -> float:
        _, metrics = result
        return float(metrics.get("inference_time") or 0.0)

    def _images(self, result: Any) -> int:
        body, _ = result
        return len(body.get("images") or [1]) if isinstance(body, dict) else 1


__all__ = ["FalBackend"]
