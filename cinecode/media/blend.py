"""Transitions and jump cuts rendered into a segment's frames.

A dissolve of D frames between shots A and B is centred on the cut: A's last D//2 frames and
B's first D - D//2 frames are each a mix of both pictures, so each side is rendered on its
own (and stays a segment of its own scene's reel) yet the two halves meet seamlessly. At the
dissolve's frame k (0 ≤ k < D), B weighs (k + 1) / (D + 1). A fade is a dissolve with black.

Frames are raw yuv420p (BT.709 limited range), as `media.video` draws and encodes them; mixing
is done on the coded values, as editing systems do for a video-space dissolve.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from cinecode.media.ffmpeg import MediaError
from cinecode.media.video import Camera, VideoFormat, conform_clip

#: Zoom of the punch-in at a jump cut, and its sideways step (fraction of the frame).
PUNCH_ZOOM = 1.14
PUNCH_STEP = 0.025


@dataclass(frozen=True)
class Mix:
    """A transition on one side of a segment.

    `frames` of this segment take part, starting at index `offset` of a transition of
    `total` frames; `other` yields the other picture's frames (None: black, a fade);
    `incoming` is True when this segment is the shot the transition leads to.
    """

    frames: int
    total: int
    offset: int
    incoming: bool
    other: Iterator[bytes] | None = None


def black(fmt: VideoFormat) -> bytes:
    """One black frame, raw yuv420p limited range."""
    luma = fmt.width * fmt.height
    return bytes([16]) * luma + bytes([128]) * (luma // 2)


def weight(index: int, total: int) -> float:
    """How much the incoming picture weighs at a transition's frame `index`."""
    return (index + 1) / (total + 1)


def mixed(
    own: Iterator[bytes], *, fmt: VideoFormat, frames: int, head: Mix | None, tail: Mix | None
) -> Iterator[bytes]:
    """The segment's frames with its head and tail transitions mixed in."""
    dark = black(fmt)
    head_frames = min(head.frames, frames) if head else 0
    tail_frames = min(tail.frames, frames) if tail else 0
    for index, frame in enumerate(own):
        if index >= frames:
            break
        if head is not None and index < head_frames:
            other = next(head.other, dark) if head.other is not None else dark
            frame = _mix(frame, other, head, index)
        if tail is not None and index >= frames - tail_frames:
            j = index - (frames - tail_frames)
            other = next(tail.other, dark) if tail.other is not None else dark
            frame = _mix(frame, other, tail, j)
        yield frame


def _mix(frame: bytes, other: bytes, side: Mix, j: int) -> bytes:
    w = weight(side.offset + j, side.total)
    own_weight = w if side.incoming else 1.0 - w
    a = np.frombuffer(frame, dtype=np.uint8).astype(np.float32)
    b = np.frombuffer(other, dtype=np.uint8).astype(np.float32)
    if a.shape != b.shape:
        raise MediaError("the two sides of a dissolve have different picture sizes")
    out = a * own_weight + b * (1.0 - own_weight)
    return bytes(np.clip(np.rint(out), 0, 255).astype(np.uint8))


def jump_cuts(path: Sequence[Camera], at: Sequence[int]) -> list[Camera]:
    """The path with a jump in framing at each index of `at`: punch in, then back out."""
    out: list[Camera] = []
    jumps = sorted(i for i in at if 0 < i < len(path))
    for index, cam in enumerate(path):
        count = sum(1 for i in jumps if i <= index)
        if count % 2:
            side = 1.0 if (count // 2) % 2 == 0 else -1.0
            cam = replace(cam, zoom=cam.zoom * PUNCH_ZOOM, x=cam.x + side * PUNCH_STEP)
        out.append(cam)
    return out


def clip_frames(
    src: Path,
    workdir: Path,
    *,
    fmt: VideoFormat,
    start: float,
    frames: int,
    cancel: threading.Event | None = None,
) -> Iterator[bytes]:
    """`frames` raw frames of a clip from `start` seconds (conformed once, then decoded)."""
    import av

    conformed = workdir / f"clip-{start:.3f}-{frames}.mp4"
    conform_clip(src, conformed, fmt=fmt, frames=frames, start=max(start, 0.0), cancel=cancel)
    with av.open(str(conformed)) as container:
        for frame in container.decode(video=0):
            yield bytes(frame.to_ndarray(format="yuv420p").tobytes())
