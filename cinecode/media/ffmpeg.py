"""The ffmpeg executable and PyAV probing: run a command, stream frames into it, read a file.

Every media failure is a `MediaError` carrying ffmpeg's last stderr lines, so the user sees
why a render failed without rerunning it by hand.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import IO

from cinecode.errors import MediaCancelled as MediaCancelled
from cinecode.errors import MediaError as MediaError

#: How many of ffmpeg's last stderr lines an error message quotes.
STDERR_LINES = 12


@contextmanager
def discard_on_error(path: Path) -> Iterator[None]:
    """Delete `path` if the block fails or is cancelled, so no half-written file is left."""
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@cache
def ffmpeg_exe() -> str:
    """The path of the static ffmpeg that imageio-ffmpeg ships (ffmpeg 9 with libx264)."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # a broken install, not a user error
        raise MediaError(
            "imageio-ffmpeg is not installed", hint="pip install 'imageio-ffmpeg==0.8.1'"
        ) from exc
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run_ffmpeg(
    args: Sequence[str],
    *,
    stdin: bytes | Iterable[bytes] | None = None,
    cancel: threading.Event | None = None,
    timeout: float | None = None,
) -> None:
    """Run ffmpeg with `args` (after the executable), feeding `stdin` when given.

    `stdin` is either all the bytes at once or an iterable of chunks (raw frames), which is
    streamed so a long shot never sits in memory. Raises `MediaCancelled` when `cancel` is set,
    `MediaError` on a non-zero exit or after `timeout` seconds, quoting ffmpeg's stderr.
    """
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise MediaError(f"could not start ffmpeg: {exc}", hint="reinstall imageio-ffmpeg") from exc
    assert proc.stderr is not None
    tail: deque[str] = deque(maxlen=STDERR_LINES)
    reader = threading.Thread(target=_drain, args=(proc.stderr, tail), daemon=True)
    reader.start()
    try:
        if stdin is not None:
            assert proc.stdin is not None
            _feed(proc.stdin, stdin, cancel=cancel, deadline=_deadline(started, timeout))
        _wait(proc, cancel=cancel, deadline=_deadline(started, timeout))
    except BaseException:
        proc.kill()
        proc.wait()
        reader.join()
        raise
    reader.join()
    if proc.returncode != 0:
        raise MediaError(
            f"ffmpeg failed (exit {proc.returncode}): {_quote(tail)}",
            hint=f"the command was: {' '.join(command[1:])}",
        )


def _deadline(started: float, timeout: float | None) -> float | None:
    return None if timeout is None else started + timeout


def _drain(stream: IO[bytes], tail: deque[str]) -> None:
    for raw in stream:
        line = raw.decode("utf-8", "replace").rstrip()
        if line:
            tail.append(line)
    stream.close()


def _quote(tail: deque[str]) -> str:
    return "\n    ".join(["", *tail]) if tail else "(no message)"


def _check(cancel: threading.Event | None, deadline: float | None) -> None:
    if cancel is not None and cancel.is_set():
        raise MediaCancelled("render cancelled")
    if deadline is not None and time.monotonic() > deadline:
        raise MediaError("ffmpeg timed out", hint="raise the timeout or render a shorter shot")


def _feed(
    pipe: IO[bytes],
    data: bytes | Iterable[bytes],
    *,
    cancel: threading.Event | None,
    deadline: float | None,
) -> None:
    chunks: Iterable[bytes] = (data,) if isinstance(data, bytes | bytearray) else data
    try:
        for chunk in chunks:
            _check(cancel, deadline)
            pipe.write(chunk)
        pipe.close()
    except BrokenPipeError:
        pass  # ffmpeg exited early; its exit status and stderr say why
    finally:
        close = getattr(chunks, "close", None)  # stop a frame generator's drawing threads
        if close is not None:
            close()


def _wait(
    proc: subprocess.Popen[bytes], *, cancel: threading.Event | None, deadline: float | None
) -> None:
    while True:
        try:
            proc.wait(timeout=0.05)
            return
        except subprocess.TimeoutExpired:
            _check(cancel, deadline)


@dataclass(frozen=True)
class MediaInfo:
    """What a media file holds, as PyAV reads it (zeros and "" where a stream is absent)."""

    duration: float  # seconds, the container's (or the longest stream's)
    width: int
    height: int
    fps: Fraction
    frames: int  # video frames (packets counted when the container does not say)
    video_codec: str
    pix_fmt: str
    audio_codec: str
    sample_rate: int
    channels: int
    has_video: bool
    has_audio: bool


def probe(path: Path) -> MediaInfo:
    """Read a media file's streams with PyAV (no decoding unless frames must be counted)."""
    import av

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(
            f"cannot read {path}: {exc}", hint="check the file is a video, image or audio file"
        ) from exc
    with container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        durations = [
            float(s.duration * s.time_base)
            for s in container.streams
            if s.duration is not None and s.time_base is not None
        ]
        if container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = max(durations, default=0.0)
        width = height = frames = 0
        fps = Fraction(0)
        video_codec = pix_fmt = ""
        if video is not None:
            width, height = video.codec_context.width, video.codec_context.height
            rate = video.average_rate or video.guessed_rate or video.base_rate
            fps = Fraction(rate) if rate else Fraction(0)
            video_codec = video.codec_context.name
            pix_fmt = video.codec_context.pix_fmt or ""
            frames = video.frames or sum(1 for p in container.demux(video) if p.size)
        audio_codec = ""
        sample_rate = channels = 0
        if audio is not None:
            audio_codec = audio.codec_context.name
            sample_rate = audio.codec_context.sample_rate
            channels = audio.codec_context.channels
    return MediaInfo(
        duration=duration,
        width=width,
        height=height,
        fps=fps,
        frames=frames,
        video_codec=video_codec,
        pix_fmt=pix_fmt,
        audio_codec=audio_codec,
        sample_rate=sample_rate,
        channels=channels,
        has_video=video is not None,
        has_audio=audio is not None,
    )
