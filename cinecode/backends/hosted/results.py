"""What providers send back: finding the file in a result, keeping images as PNG, and
writing audio as the WAV the departments expect."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

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
    except (ValueError, TypeError):
        raise BadOutput(f"the {what} is not valid base64", backend=backend) from None
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


__all__ = ["decode_base64", "fit_length", "join_audio", "media_url", "save_png", "write_wav"]
