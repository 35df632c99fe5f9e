"""What providers send back: finding the file in a result, keeping images as PNG, and
writing audio as the WAV the departments expect (a delivery read run by run)."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from cinecode.backends.protocols import SpeechSegment
from cinecode.errors import BadOutput

#: keys under which providers put their files, in the order they are looked for
MEDIA_KEYS = ("video", "videos", "image", "images", "audio", "audio_file", "output", "file")


def media_url(result: Any) -> str:
    """The first file URL in a provider's result (`{"images": [{"url": …}]}`, `{"video":
    {"url": …}}`, a bare URL…), or "" when there is none."""
    if isinstance(result, str):
        return result if result.startswith(("http://", "https://", "data:")) else ""
    if isinstance(result, list):
        for item in result:
            if url := media_url(item):
                return url
        return ""
    if isinstance(result, dict):
        if isinstance(result.get("url"), str):
            return media_url(result["url"])
        for key in MEDIA_KEYS:
            if key in result and (url := media_url(result[key])):
                return url
    return ""


def media_urls(result: Any) -> list[str]:
    """Every file URL of a result that is a URL, a list of them, or an object (one URL)."""
    if isinstance(result, str):
        return [result] if result.startswith(("http://", "https://", "data:")) else []
    if isinstance(result, list):
        return [u for item in result for u in media_urls(item)]
    if isinstance(result, dict):
        url = media_url(result)
        return [url] if url else []
    return []


def dig(answer: Any, *path: str | int, backend: str, message: str, hint: str = "") -> Any:
    """`answer[path[0]][path[1]]…` of a decoded JSON answer, or `BadOutput` with `message`
    when the answer has another shape."""
    try:
        for key in path:
            answer = answer[key]
    except (KeyError, IndexError, TypeError) as exc:
        raise BadOutput(message, backend=backend, hint=hint) from exc
    return answer


def save_png(source: Path, target: Path) -> Path:
    """Keep a downloaded image as PNG (lossless), whatever format it came in."""
    from PIL import Image

    with Image.open(source) as image:
        if image.format == "PNG":
            source.replace(target)
            return target
        image.save(target, format="PNG")
    source.unlink(missing_ok=True)
    return target


def decode_base64(text: str, *, backend: str, what: str) -> bytes:
    """Bytes from a base64 field (or a data: URI), or `BadOutput`."""
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        data = base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as exc:
        raise BadOutput(f"the {what} is not valid base64", backend=backend) from exc
    if not data:
        raise BadOutput(f"the {what} is empty", backend=backend)
    return data


def join_audio(pieces: Sequence[np.ndarray[Any, Any] | float], rate: int) -> np.ndarray[Any, Any]:
    """Mono pieces joined in order; a float is that many seconds of silence."""
    parts = [
        np.zeros(round(p * rate), np.float32) if isinstance(p, float) else p.astype(np.float32)
        for p in pieces
    ]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


class Run(NamedTuple):
    """One run of words of a delivery: its place among the runs, its text, its segment."""

    place: int  # 0 for the first run
    text: str
    segment: SpeechSegment


class Reading:
    """A delivery read run by run, as speech providers take it: iterating gives each `Run`
    and lays the pauses between runs as silence; `add` places a run's audio after what came
    before and says where (start, seconds)."""

    def __init__(self, segments: Sequence[SpeechSegment], rate: int) -> None:
        self.rate = rate
        self.runs = [s.text.strip() for s in segments if s.text.strip()]
        self.parts = [s for s in segments if s.text.strip() or s.pause > 0]
        self.read = 0  # parts (runs and pauses) reached so far
        self.phrases: list[list[Any]] = []  # [start, end, text], filled by the provider
        self._pieces: list[np.ndarray[Any, Any] | float] = []
        self._at = 0.0

    def __iter__(self) -> Iterator[Run]:
        index = 0
        for position, segment in enumerate(self.parts, 1):
            self.read = position
            text = segment.text.strip()
            if not text:
                self._pieces.append(float(segment.pause))
                self._at += segment.pause
                continue
            yield Run(index, text, segment)
            index += 1

    @property
    def spoken(self) -> int:
        """Runs whose audio has been added so far."""
        return sum(isinstance(piece, np.ndarray) for piece in self._pieces)

    def add(self, samples: np.ndarray[Any, Any]) -> tuple[float, float]:
        start, seconds = self._at, samples.shape[-1] / self.rate
        self._pieces.append(samples)
        self._at += seconds
        return start, seconds

    def audio(self) -> np.ndarray[Any, Any]:
        """The runs and pauses joined in order."""
        return join_audio(self._pieces, self.rate)


def write_wav(path: Path, samples: np.ndarray[Any, Any], rate: int) -> Path:
    """Write mono (samples,) or (channels, samples) float audio as a 32-bit float WAV."""
    from cinecode.media.audio import write_audio

    write_audio(path, np.atleast_2d(samples).astype(np.float32), rate)
    return path


def fit_length(samples: np.ndarray[Any, Any], length: int) -> np.ndarray[Any, Any]:
    """Audio cut or padded with silence (with a 20 ms fade at a cut) to exactly `length`."""
    if samples.shape[-1] >= length:
        cut = samples[..., :length].copy()
        fade = min(length, 960)
        if fade:
            cut[..., length - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
        return cut
    pad = [(0, 0)] * (samples.ndim - 1) + [(0, length - samples.shape[-1])]
    return np.pad(samples, pad)


__all__ = [
    "Reading",
    "Run",
    "decode_base64",
    "dig",
    "fit_length",
    "join_audio",
    "media_url",
    "media_urls",
    "save_png",
    "write_wav",
]
