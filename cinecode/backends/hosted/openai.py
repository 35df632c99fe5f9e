"""OpenAI and every server that speaks its API (vLLM, llama.cpp's server, Ollama, LocalAI…):
chat for `cinecode breakdown`, images, and speech.

```toml
[services.openai]
base_url = "http://localhost:11434/v1"   # Ollama; leave out for api.openai.com
[breakdown]
backend = "openai"
model = "llama3.1"
```
Chat: `POST /chat/completions`. Images: `POST /images/generations` (base64 or URL results);
a shot with reference images is an edit of them instead: `POST /images/edits`, multipart, each
reference as `image[]` (GPT image models, up to 16; DALL·E 2 takes the first as `image`);
`edits = false` for a compatible server that has no edits endpoint (references then stay out).
Speech: `POST /audio/speech` as WAV, one request per run of words between pauses. Key:
`OPENAI_API_KEY` (not needed for a local `base_url`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cinecode.backends.hosted.base import HostedBackend, Ticket, aspect_ratio
from cinecode.backends.hosted.checks import check_image, decode_audio_bytes
from cinecode.backends.hosted.http import Form
from cinecode.backends.hosted.pricing import Usage
from cinecode.backends.hosted.results import Reading, decode_base64, dig, save_png
from cinecode.backends.protocols import (
    Generated,
    ImageRequest,
    ProgressFn,
    SpeechRequest,
    TextRequest,
    TextResult,
    Voice,
)
from cinecode.errors import BackendError, BadOutput, Rejected

#: sizes each image model accepts; other models get the film's own size
SIZES = {
    "gpt-image-1": ("1024x1024", "1536x1024", "1024x1536"),
    "gpt-image-1-mini": ("1024x1024", "1536x1024", "1024x1536"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
    "dall-e-2": ("256x256", "512x512", "1024x1024"),
}
#: OpenAI voices under the names cinecode casts by
VOICE_PRESETS = {
    "narrator": Voice(name="alloy"),
    "man-deep": Voice(name="onyx"),
    "man-warm": Voice(name="echo"),
    "man-young": Voice(name="fable"),
    "elder": Voice(name="ash"),
    "woman-warm": Voice(name="nova"),
    "woman-bright": Voice(name="shimmer"),
    "woman-low": Voice(name="sage"),
    "child": Voice(name="coral"),
}
OPENAI_VOICES = {"alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage"}
OPENAI_VOICES |= {"shimmer", "verse"}


def image_size(model: str, width: int, height: int, size: str = "") -> tuple[int, int]:
    """The size to ask for: `size` if set, else the model's size closest in shape."""
    if size:
        w, _, h = size.partition("x")
        return int(w), int(h)
    choices = SIZES.get(model)
    if not choices:
        return width, height
    best = aspect_ratio(width, height, tuple(c.replace("x", ":") for c in choices))
    w, _, h = best.partition(":")
    return int(w), int(h)


#: how many input images an edit takes: GPT image models up to 16, DALL·E 2 one
MAX_EDIT_IMAGES = 16


def edit_form(model: str, body: dict[str, Any], references: Sequence[Path]) -> Form:
    """The multipart body of `POST /images/edits`: the generation's fields, and the reference
    images (GPT image models: every one as `image[]`; DALL·E 2: the first as `image`)."""
    if model.startswith("dall-e"):
        return Form.of(body, {"image": list(references[:1])})
    return Form.of(body, {"image[]": list(references[:MAX_EDIT_IMAGES])})


class OpenAIBackend(HostedBackend):
    name = "openai"
    BASE_URL = "https://api.openai.com/v1"
    KEY_ENV = "OPENAI_API_KEY"
    AUTH = "bearer"
    STATUS_PATH = "models"

    def __init__(
        self,
        *,
        model: str = "",
        voice: str = "alloy",
        size: str = "",
        quality: str = "",
        edits: bool = True,
        **settings: Any,
    ) -> None:
        super().__init__(model=model, **settings)
        self.voice = voice
        self.size = size
        self.quality = quality
        self.edits = edits  # False: a server without /images/edits; references are not sent

    # --- chat ------------------------------------------------------------------------------

    def complete(self, req: TextRequest) -> TextResult:
        """One chat completion (JSON mode when `req.json`)."""
        model = req.model or self.model or "gpt-4o-mini"
        body: dict[str, Any] = {
            "model": model,
            "messages": [
                {"role": "system", "content": req.system},
                {"role": "user", "content": req.prompt},
            ],
            "temperature": req.temperature,
            "seed": req.seed,
            **req.params,
        }
        if req.json:
            body["response_format"] = {"type": "json_object"}
        _, answer = self.http.json("POST", "chat/completions", json=body, retry="safe")
        text = dig(
            answer,
            "choices",
            0,
            "message",
            "content",
            backend=self.name,
            message="the chat answer has no message",
            hint="check the model name and that the server speaks the chat completions API",
        )
        if not isinstance(text, str):
            raise BadOutput("the chat message is not text", backend=self.name)
        used = answer.get("usage") or {}
        usage = Usage(
            input_tokens=int(used.get("prompt_tokens") or 0),
            output_tokens=int(used.get("completion_tokens") or 0),
        )
        return TextResult(text, self.cost(model, usage), str(answer.get("model") or model))

    # --- images ----------------------------------------------------------------------------

    def generate(
        self,
        req: ImageRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """One image for the prompt, at the model's size nearest the film's shape (an edit of
        the reference images when the shot has some)."""
        model = req.model or self.model or "gpt-image-1"
        width, height = image_size(model, req.width, req.height, self.size)
        body: dict[str, Any] = {
            "model": model,
            "prompt": req.prompt[:4000],
            "n": 1,
            "size": f"{width}x{height}",
        }
        if model.startswith("dall-e"):
            body["response_format"] = "b64_json"
        if self.quality:
            body["quality"] = self.quality
        if req.references and self.edits:  # the characters and place to keep: an edit of them
            _, answer = self.http.json(
                "POST", "images/edits", form=edit_form(model, body, req.references), retry="safe"
            )
        else:
            _, answer = self.http.json("POST", "images/generations", json=body, retry="safe")
        item = dig(
            answer,
            "data",
            0,
            backend=self.name,
            message="the image answer has no data",
            hint="run make again",
        )
        raw = out / "download"
        usage = Usage(images=len(answer["data"]), width=width, height=height)  # billed now
        try:
            if item.get("b64_json"):
                raw.write_bytes(decode_base64(item["b64_json"], backend=self.name, what="image"))
                meta = check_image(raw, backend=self.name)
            elif item.get("url"):
                meta = self.http.download(
                    item["url"],
                    raw,
                    kind="image",
                    check=lambda p: check_image(p, backend=self.name),
                )
            else:
                raise BadOutput("the image answer has neither b64_json nor url", backend=self.name)
        except BackendError as exc:  # paid for, and rejected: the next make asks again
            self.rejected(ticket, None, model, usage, exc)
            raise
        target = save_png(raw, out / "image.png")
        meta = {**meta, "usage": usage.as_meta()}
        return Generated(target, self.cost(model, usage), model, meta)

    # --- speech ----------------------------------------------------------------------------

    def synthesize(
        self,
        req: SpeechRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """Speak a delivery; pauses become silence."""
        model = req.model or self.model or "gpt-4o-mini-tts"
        voice = VOICE_PRESETS.get(req.voice.name, req.voice).name
        voice = voice if voice in OPENAI_VOICES or self.voice == "" else self.voice
        reading = Reading(req.segments, req.sample_rate)
        try:
            for run in reading:
                body: dict[str, Any] = {
                    "model": model,
                    "input": run.text,
                    "voice": voice,
                    "response_format": "wav",
                }
                if req.voice.rate != 1.0:
                    body["speed"] = round(min(4.0, max(0.25, req.voice.rate)), 3)
                if run.segment.style and model.startswith("gpt-4o"):
                    body["instructions"] = f"Speak in a {run.segment.style} way."
                data, _ = self.http.post_media("audio/speech", json=body)
                if data is None:
                    raise Rejected(
                        "the speech audio arrived incomplete",
                        backend=self.name,
                        hint="run make again (this line is generated anew)",
                    )
                samples = decode_audio_bytes(data, ".wav", rate=req.sample_rate, backend=self.name)
                start, seconds = reading.add(samples)
                reading.phrases.append([round(start, 3), round(start + seconds, 3), run.text])
                if progress is not None:
                    progress(reading.read / len(reading.parts))
        except BackendError as exc:  # what was billed for this line is on the ledger
            self.speech_lost(ticket, model, reading, exc)
            raise
        return self.voice_track(req, reading, out, model=model, voice_id=voice)


__all__ = ["VOICE_PRESETS", "OpenAIBackend", "edit_form", "image_size"]
