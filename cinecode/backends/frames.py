"""Clip lengths and frame files shared by the video engines (ComfyUI, diffusers).

Video models make clips of particular lengths: Wan wants 4k+1 frames, LTX 8k+1, SVD at most
25. `frame_count` rounds a wanted duration *up* to the next length the model makes, so the
segment trims the clip to the shot instead of holding a frozen last frame; `clip_length`
applies it with an engine's film.toml settings (fps, frame_multiple, frame_offset,
max_frames).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from PIL import Image

from cinecode.backends.protocols import VideoRequest
from cinecode.errors import BadOutput


def frame_count(
    seconds: float,
    fps: float,
    *,
    multiple: int = 1,
    offset: int = 0,
    maximum: int | None = None,
    minimum: int = 1,
) -> int:
    """Frames for at least `seconds` at `fps`, of the form `k * multiple + offset`."""
    wanted = max(minimum, math.ceil(seconds * fps - 1e-6))
    k = max(0, math.ceil((wanted - offset) / max(1, multiple)))
    frames = k * max(1, multiple) + offset
    if maximum is not None and frames > maximum:
        k = max(0, (maximum - offset) // max(1, multiple))
        frames = max(minimum, k * max(1, multiple) + offset)
    return max(frames, 1)


class ClipLengths(Protocol):
    """A video engine's clip settings from film.toml (`fps` None: it makes the film's rate)."""

    fps: float | None
    frame_multiple: int
    frame_offset: int
    max_frames: int | None


def clip_length(engine: ClipLengths, req: VideoRequest) -> tuple[float, int]:
    """The frame rate and the number of frames `engine` makes for `req`."""
    fps = float(engine.fps or req.fps)
    frames = frame_count(
        req.duration,
        fps,
        multiple=engine.frame_multiple,
        offset=engine.frame_offset,
        maximum=engine.max_frames,
    )
    return fps, frames


def write_frames(frames: Sequence[Image.Image], out: Path, *, fps: float) -> Path:
    """Encode RGB frames to a near-lossless H.264 clip (the segment conforms it later)."""
    from cinecode.media.ffmpeg import discard_on_error, run_ffmpeg
    from cinecode.media.video import INTERMEDIATE_ARGS

    if not frames:
        raise BadOutput("the engine returned no frames", hint="check the model and its settings")
    width, height = frames[0].size
    even = (width - width % 2, height - height % 2)

    def raw() -> list[bytes]:
        chunks = []
        for frame in frames:
            rgb = frame.convert("RGB")
            if rgb.size != (width, height):
                rgb = rgb.resize((width, height), Image.Resampling.LANCZOS)
            chunks.append(rgb.crop((0, 0, *even)).tobytes())
        return chunks

    args = [
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{even[0]}x{even[1]}",
        "-framerate", f"{fps:.6g}", "-i", "pipe:0",
        *INTERMEDIATE_ARGS,
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
        "-vf", "scale=out_color_matrix=bt709:out_range=tv",
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-f", "mp4", str(out),
    ]  # fmt: skip
    with discard_on_error(out):
        run_ffmpeg(args, stdin=raw())
    return out


def last_frame(video: Path, out: Path) -> Path:
    """The last frame of a clip as a PNG (continuous action starts from it)."""
    import av

    last = None
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            last = frame
    if last is None:
        raise BadOutput(f"{video} has no frames", hint="make the previous shot again")
    last.to_image().save(out)  # type: ignore[no-untyped-call]
    return out
