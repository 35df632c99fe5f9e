"""Reels and the master, by packet copy (PyAV): nothing is decoded or re-encoded.

A *reel* is one scene: its picture segments end to end plus its AAC (`media.aac`). The
*master* is the reels end to end. Timestamps are rebased exactly (integer ticks of each
stream's own time base); the MP4s carry no creation time and no encoder strings, so the same
inputs always give the same bytes, and `+faststart` puts the index first so the master
streams.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinecode.media.ffmpeg import MediaError, discard_on_error

if TYPE_CHECKING:
    from av.container import InputContainer, OutputContainer
    from av.packet import Packet
    from av.stream import Stream

#: The mp4 `mvhd` timescale when nothing else fits: edit lists are stated in it, so it must
#: count frames and samples exactly (the muxer's default, 1/1000 s, rounds them).
DEFAULT_MOVIE_TIMESCALE = 48_000


def open_media(path: Path) -> InputContainer:
    """An MP4 or M4A opened for reading (MediaError naming it when it cannot be)."""
    import av

    try:
        return av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"cannot read {path}: {exc}", hint="render it again") from exc


def _create(path: Path, timescale: int, *, faststart: bool) -> OutputContainer:
    import av

    options = {"fflags": "+bitexact", "movie_timescale": str(timescale)}
    if faststart:
        options["movflags"] = "+faststart"
    try:
        return av.open(str(path), "w", format="mp4", options=options)
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"cannot write {path}: {exc}") from exc


def _movie_timescale(video: Stream | None, audio: Stream | None) -> int:
    """A timescale in which a whole frame and a whole sample are whole ticks."""
    sample_rate = int(getattr(audio.codec_context, "sample_rate", 0) or 0) if audio else 0
    scale = sample_rate or DEFAULT_MOVIE_TIMESCALE
    if video is not None and video.average_rate:
        scale = math.lcm(scale, Fraction(video.average_rate).numerator)
    return scale


@dataclass(frozen=True)
class _Signature:
    """What must be identical for two streams' packets to share one track."""

    codec: str
    extradata: bytes
    time_base: Fraction
    detail: str  # size and rate, for the error message

    @staticmethod
    def of(stream: Stream) -> _Signature:
        ctx: Any = stream.codec_context
        if stream.type == "video":
            detail = f"{ctx.width}x{ctx.height} {stream.average_rate} fps {ctx.pix_fmt}"
        else:
            detail = f"{ctx.sample_rate} Hz, {ctx.channels} channels"
        return _Signature(
            codec=ctx.name,
            extradata=bytes(ctx.extradata or b""),
            time_base=Fraction(stream.time_base or 0),
            detail=detail,
        )

    def check(self, other: _Signature, *, what: str, first: Path, path: Path) -> None:
        """Raise when `other` (from `path`) cannot be appended to streams like this one."""
        if other == self:
            return
        why = (
            f"{other.codec} {other.detail} vs {self.codec} {self.detail}"
            if (other.codec, other.detail) != (self.codec, self.detail)
            else "their codec headers (SPS/PPS) differ"
            if other.extradata != self.extradata
            else f"time base {other.time_base} vs {self.time_base}"
        )
        raise MediaError(
            f"{what} {path} cannot be joined by stream copy to {first}: {why}",
            hint="render every segment of a film at one VideoFormat with cinecode.media.video",
        )


def _packets(container: InputContainer, stream: Stream) -> list[Packet[Stream]]:
    """A stream's real packets (no flush packets), in file order."""
    return [p for p in container.demux(stream) if p.size and p.pts is not None]


def _end(packets: Sequence[Packet[Stream]]) -> int:
    """Where a run of packets ends: the latest pts + duration, in its stream's ticks."""
    return max((p.pts or 0) + (p.duration or 0) for p in packets) if packets else 0


def _seconds(ticks: int, time_base: Fraction) -> Fraction:
    return ticks * time_base


def _ticks(seconds: Fraction, time_base: Fraction, *, what: str) -> int:
    value = seconds / time_base
    if value.denominator != 1:
        raise MediaError(f"{what} does not fall on a whole tick of {time_base}")
    return value.numerator


def _shift(packet: Packet[Stream], ticks: int) -> None:
    if packet.pts is not None:
        packet.pts += ticks
    if packet.dts is not None:
        packet.dts += ticks


def _by_time(
    video: Iterator[Packet[Stream]],
    audio: Iterator[Packet[Stream]],
    video_tb: Fraction,
    audio_tb: Fraction,
) -> Iterator[Packet[Stream]]:
    """Merge two packet runs by decode time (video first on a tie), so the file interleaves."""

    def when(p: Packet[Stream], tb: Fraction) -> Fraction:
        return (p.dts if p.dts is not None else p.pts or 0) * tb

    v, a = next(video, None), next(audio, None)
    while v is not None or a is not None:
        if a is None or (v is not None and when(v, video_tb) <= when(a, audio_tb)):
            assert v is not None
            yield v
            v = next(video, None)
        else:
            yield a
            a = next(audio, None)


def mux_reel(
    segments: Sequence[Path],
    audio: Path | None,
    out: Path,
    *,
    sound_offset: int = 0,
    overhang: int = 0,
) -> None:
    """Join a scene's picture segments and its AAC into one MP4 reel, by packet copy.

    The segments must share one encoding (media.video makes them so); the audio, when given,
    must last exactly as long as the picture. Raises `MediaError` naming the odd file.
    An edited cut's reels need not last whole AAC frames: their sound is cut at the AAC frame
    after the picture cut, so it starts `sound_offset` samples after the picture and runs on
    `overhang` samples past it (each less than one AAC frame; see docs/editorial.md).
    """
    if not segments:
        raise MediaError("a reel needs at least one picture segment")
    # 1. read every segment's packets and check they can share one track
    inputs = [open_media(path) for path in segments]
    audio_in = open_media(audio) if audio is not None else None
    try:
        first = inputs[0].streams.video[0] if inputs[0].streams.video else None
        if first is None:
            raise MediaError(f"segment {segments[0]} has no picture")
        signature = _Signature.of(first)
        video_tb = signature.time_base
        runs: list[list[Packet[Stream]]] = []
        for path, container in zip(segments, inputs, strict=True):
            if not container.streams.video:
                raise MediaError(f"segment {path} has no picture")
            stream = container.streams.video[0]
            signature.check(_Signature.of(stream), what="segment", first=segments[0], path=path)
            runs.append(_packets(container, stream))
        # 2. rebase: each segment starts where the one before ended
        offset = 0
        for run in runs:
            start = min((p.pts or 0) for p in run) if run else 0
            length = _end(run) - start
            for packet in run:
                _shift(packet, offset - start)
            offset += length
        video_packets = [p for run in runs for p in run]
        picture = _seconds(offset, video_tb)
        # 3. the scene's audio, which must last as long as the picture
        audio_stream = None
        audio_packets: list[Packet[Stream]] = []
        audio_tb = Fraction(1)
        if audio_in is not None:
            if not audio_in.streams.audio:
                raise MediaError(f"{audio} has no audio stream")
            audio_stream = audio_in.streams.audio[0]
            audio_tb = Fraction(audio_stream.time_base or 0)
            audio_packets = _packets(audio_in, audio_stream)
            for packet in audio_packets:
                _shift(packet, sound_offset)
            sound = _seconds(_end(audio_packets), audio_tb)
            if sound != picture + _seconds(overhang, audio_tb):
                raise MediaError(
                    f"the reel's audio lasts {float(sound):.6f} s but its picture "
                    f"{float(picture):.6f} s ({audio})",
                    hint="mix the scene to exactly its frames × samples per frame",
                )
        # 4. write, interleaved by time
        output = _create(out, _movie_timescale(first, audio_stream), faststart=False)
        with discard_on_error(out), output:
            video_out = copy_stream(output, first)
            audio_out = copy_stream(output, audio_stream) if audio_stream is not None else None
            for packet in _by_time(iter(video_packets), iter(audio_packets), video_tb, audio_tb):
                is_video = packet.stream.type == "video"
                packet.stream = video_out if is_video else audio_out  # type: ignore[assignment]
                output.mux(packet)
    finally:
        for container in inputs:
            container.close()
        if audio_in is not None:
            audio_in.close()


def copy_stream(output: OutputContainer, template: Stream) -> Stream:
    """An output stream copying `template`'s codec parameters and time base, no metadata."""
    stream = output.add_stream_from_template(template)
    stream.time_base = template.time_base
    for key in list(stream.metadata):
        del stream.metadata[key]
    return stream


def concat_reels(reels: Sequence[Path], out: Path) -> None:
    """Join reels end to end into the master MP4, by packet copy, with `+faststart`.

    Every reel must have the same picture encoding and the same audio (or all none). Each
    reel's audio priming packet is dropped except the first's, so the AAC runs on seamlessly.
    """
    if not reels:
        raise MediaError("the master needs at least one reel")
    # 1. the first reel sets the tracks
    head = open_media(reels[0])
    try:
        if not head.streams.video:
            raise MediaError(f"reel {reels[0]} has no picture")
        video_sig = _Signature.of(head.streams.video[0])
        audio_sig = _Signature.of(head.streams.audio[0]) if head.streams.audio else None
        output = _create(
            out,
            _movie_timescale(
                head.streams.video[0], head.streams.audio[0] if head.streams.audio else None
            ),
            faststart=True,
        )
        with discard_on_error(out), output:
            video_out = copy_stream(output, head.streams.video[0])
            audio_out = (
                copy_stream(output, head.streams.audio[0]) if audio_sig is not None else None
            )
            # 2. each reel's packets, in file order, shifted to where the film has got to
            at = Fraction(0)  # seconds
            for index, path in enumerate(reels):
                container = head if index == 0 else open_media(path)
                try:
                    at = _append(
                        container,
                        path=path,
                        first=reels[0],
                        at=at,
                        keep_priming=index == 0,
                        video=(video_sig, video_out),
                        audio=(audio_sig, audio_out),
                        output=output,
                    )
                finally:
                    if index:
                        container.close()
    finally:
        head.close()


def _append(
    container: InputContainer,
    *,
    path: Path,
    first: Path,
    at: Fraction,
    keep_priming: bool,
    video: tuple[_Signature, Stream],
    audio: tuple[_Signature | None, Stream | None],
    output: OutputContainer,
) -> Fraction:
    """Copy one reel's packets into the master from `at` seconds; return where it ends."""
    if not container.streams.video:
        raise MediaError(f"reel {path} has no picture")
    video_in = container.streams.video[0]
    video[0].check(_Signature.of(video_in), what="reel", first=first, path=path)
    audio_in = container.streams.audio[0] if container.streams.audio else None
    if (audio_in is None) != (audio[0] is None):
        raise MediaError(
            f"reel {path} {'has no' if audio_in is None else 'has'} audio but {first} "
            f"{'has' if audio_in is None else 'has none'}",
            hint="give every reel its scene's audio (silence where the scene is silent)",
        )
    if audio_in is not None and audio[0] is not None:
        audio[0].check(_Signature.of(audio_in), what="reel", first=first, path=path)
    video_tb = Fraction(video_in.time_base or 0)
    audio_tb = Fraction(audio_in.time_base or 1) if audio_in is not None else Fraction(1)
    video_start = video_in.start_time or 0  # reels start at 0; anything else is undone
    video_shift = _ticks(at, video_tb, what=f"the start of reel {path}") - video_start
    audio_shift = _ticks(at, audio_tb, what=f"the start of reel {path}") if audio_in else 0
    video_end = audio_end = 0
    streams = [s for s in (video_in, audio_in) if s is not None]
    # a feature's master is 600,000 packets: the loop reads each attribute once
    video_index, video_out, audio_out, mux = video_in.index, video[1], audio[1], output.mux_one
    for packet in container.demux(streams):
        pts = packet.pts
        if pts is None or not packet.size:
            continue
        dts, end = packet.dts, pts + (packet.duration or 0)
        if packet.stream_index == video_index:
            video_end = max(video_end, end - video_start)
            shift, packet.stream = video_shift, video_out
        else:
            if pts < 0 and not keep_priming:
                continue  # the previous reel's last packet already overlaps this reel's start
            audio_end = max(audio_end, end)
            shift, packet.stream = audio_shift, audio_out  # type: ignore[assignment]
        packet.pts = pts + shift
        if dts is not None:
            packet.dts = dts + shift
        mux(packet)
    picture = _seconds(video_end, video_tb)
    # an edited cut's reel sound runs on past its picture by less than one AAC frame
    overhang = _seconds(audio_end, audio_tb) - picture
    if audio_in is not None and not 0 <= overhang < _seconds(1024, audio_tb):
        raise MediaError(
            f"reel {path}: audio lasts {float(audio_end * audio_tb):.6f} s but picture "
            f"{float(picture):.6f} s",
            hint="rebuild the reel with cinecode.media.mux.mux_reel",
        )
    return at + picture
