"""Is a downloaded file the media we asked for? Decode it and measure it before it is kept.

Each check raises `BadOutput` when the file does not decode (a damaged download: fetch it
again) and returns what it measured (width, height, duration…) for the artifact's meta.
Whether the measures fit the request is the backend's call (`expect_duration`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cinecode.errors import BadOutput, Rejected

MIN_SIDE = 16  # pixels: anything smaller is not a picture


def check_image(path: Path, *, backend: str = "") -> dict[str, Any]:
    """Decode an image fully; its width and height."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()
            width, height = image.size
            fmt = image.format or ""
    except Exception as exc:  # Pillow raises many types for damaged files
        raise BadOutput(f"the image does not decode ({exc})", backend=backend) from None
    if min(width, height) < MIN_SIDE:
        raise BadOutput(f"the image is {width}×{height}", backend=backend)
    return {"kind": "image", "width": width, "height": height, "format": fmt.lower()}


def check_video(path: Path, *, backend: str = "") -> dict[str, Any]:
    """Decode every frame of a clip; its size, frame rate, frames and duration."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise BadOutput("the file has no video stream", backend=backend)
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or 0
            frames = 0
            last_time = 0.0
            for frame in container.decode(stream):
                frames += 1
                if frame.time is not None:
                    last_time = float(frame.time)
            width, height = stream.codec_context.width, stream.codec_context.height
    except BadOutput:
        raise
    except Exception as exc:  # av.FFmpegError and friends
        raise BadOutput(f"the video does not decode ({exc})", backend=backend) from None
    if frames == 0:
        raise BadOutput("the video has no frames", backend=backend)
    fps = float(rate) if rate else 0.0
    duration = last_time + (1.0 / fps if fps else 0.0)
    return {
        "kind": "video",
        "width": width,
        "height": height,
        "fps": round(fps, 4),
        "frames": frames,
        "duration": round(duration, 4),
    }


def decode_audio(
    path: Path, *, rate: int, backend: str = "", channels: int = 1
) -> np.ndarray[Any, Any]:
    """Decode any audio file (MP3, WAV…) to float32 at `rate`: (samples,) for mono,
    (channels, samples) otherwise."""
    import av

    chunks: list[np.ndarray[Any, Any]] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise BadOutput("the file has no audio stream", backend=backend)
            layout = "mono" if channels == 1 else "stereo"
            resampler = av.AudioResampler(format="flt", layout=layout, rate=rate)
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except BadOutput:
        raise
    except Exception as exc:
        raise BadOutput(f"the audio does not decode ({exc})", backend=backend) from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if samples.size == 0:
        raise BadOutput("the audio has no samples", backend=backend)
    if channels == 1:
        return samples
    return np.ascontiguousarray(samples.reshape(-1, 2).T)  # packed flt: L R L R …


def decode_audio_bytes(
    data: bytes, suffix: str, *, rate: int, backend: str = "", channels: int = 1
) -> np.ndarray[Any, Any]:
    """`decode_audio` of a file held in memory (`suffix`: its type, such as ".mp3")."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        return decode_audio(Path(handle.name), rate=rate, backend=backend, channels=channels)


def check_audio(path: Path, *, rate: int = 48000, backend: str = "") -> dict[str, Any]:
    """Decode an audio file fully; its duration."""
    samples = decode_audio(path, rate=rate, backend=backend)
    return {"kind": "audio", "duration": round(samples.size / rate, 4)}


def expect_duration(
    meta: dict[str, Any], wanted: float, *, backend: str, tolerance: float = 0.25
) -> None:
    """Raise `Rejected` when a clip's or sound's duration is far from what was asked
    (more than `tolerance` of it, and more than half a second)."""
    got = float(meta.get("duration", 0.0))
    if abs(got - wanted) > max(0.5, tolerance * wanted):
        raise Rejected(
            f"the result lasts {got:.2f} s, {wanted:.2f} s were asked for",
            backend=backend,
            hint="the model may not support this length: set the model's `durations` in "
            "prices.toml or choose another model; the next make submits a new job",
        )


__all__ = [
    "check_audio",
    "check_image",
    "check_video",
    "decode_audio",
    "decode_audio_bytes",
    "expect_duration",
]
