"""HLS whose segments do not know where they sit in the film: one fMP4 segment per shot.

A shot moves in time when a line before it changes, so a segment that carried the film's
clock would change with it. Here every segment starts its own clock: the video fragment's
decode time (`tfdt`) is 0, its sequence number 1, its first frame presented at 0 (version 1
`trun`, signed composition offsets: no edit list), so its bytes are a function of the shot's
picture alone. The audio of a shot is cut from its scene reel's AAC by packet copy: every AAC
frame that starts inside the shot, its `tfdt` the distance in samples from the shot's start to
the first of them (under one AAC frame), so it depends only on the scene's sound and where
the shot sits in its scene. The playlists put `#EXT-X-DISCONTINUITY` before every segment
(the clocks restart) and say each shot's exact length, so a player places segment n at the
sum of the lengths before it and the audio lands where the master has it.

Nothing is decoded or re-encoded (PyAV, packet copy); the MP4s carry no creation time and no
encoder string, so the same shot always gives the same bytes.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinecode.media.ffmpeg import MediaError

if TYPE_CHECKING:
    from av.container import InputContainer
    from av.packet import Packet
    from av.stream import Stream

#: fragmented MP4 for HLS: ftyp+moov (no samples) then one moof+mdat (a fragment never
#: closes before the end: min_frag_duration is as long as the muxer allows), decode times
#: from 0, signed composition offsets instead of an edit list.
MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets"
MUXER_OPTIONS = {
    "movflags": MOVFLAGS,
    "fflags": "+bitexact",
    "min_frag_duration": str(2**31 - 1),
    "use_editlist": "0",
}
INIT_BOXES = {b"ftyp", b"moov"}
MEDIA_BOXES = {b"moof", b"mdat"}
AAC_CODEC = "mp4a.40.2"


@dataclass(frozen=True)
class Fragment:
    """One HLS segment: its init segment (EXT-X-MAP), its media (moof+mdat), its length."""

    init: bytes
    media: bytes
    duration: Fraction  # seconds the segment's samples last
    offset: Fraction = Fraction(0)  # seconds from the shot's start to its first sample


def boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """The top-level boxes of an MP4 as (type, whole box bytes)."""
    out: list[tuple[bytes, bytes]] = []
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        elif size == 0:
            size = len(data) - at
        if size < 8 or at + size > len(data):
            raise MediaError(f"a broken MP4 box {kind!r} at byte {at}")
        out.append((kind, data[at : at + size]))
        at += size
    return out


def split(data: bytes) -> tuple[bytes, bytes]:
    """A fragmented MP4 → (init: ftyp+moov, media: moof+mdat); the index (mfra) is dropped."""
    parts = boxes(data)
    init = b"".join(box for kind, box in parts if kind in INIT_BOXES)
    media = b"".join(box for kind, box in parts if kind in MEDIA_BOXES)
    if not init or not media:
        raise MediaError("the fragmented MP4 has no init or no fragment")
    return init, media


def _open(path: Path) -> InputContainer:
    import av

    try:
        return av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"cannot read {path}: {exc}", hint="run `cinecode make` again") from exc


def _fragment(
    template: Stream, packets: Sequence[Packet[Any]], tags: Mapping[str, str]
) -> tuple[bytes, bytes]:
    """Packets (already at their segment-relative times) → (init, media) bytes."""
    import av

    buffer = io.BytesIO()
    try:
        output = av.open(buffer, "w", format="mp4", options=dict(MUXER_OPTIONS))
    except av.FFmpegError as exc:
        raise MediaError(f"cannot write a fragmented MP4: {exc}") from exc
    with output:
        for key, value in tags.items():
            output.metadata[key] = value
        stream = output.add_stream_from_template(template)
        stream.time_base = template.time_base
        stream.codec_context.bit_rate = 0  # no bitrate box that would differ from shot to shot
        for key in list(stream.metadata):
            del stream.metadata[key]
        for packet in packets:
            packet.stream = stream
            output.mux(packet)
    return split(buffer.getvalue())


def with_decode_time(media: bytes, ticks: int) -> bytes:
    """The fragment with its `tfdt` set to `ticks` (the muxer starts every track at 0)."""
    at = media.find(b"tfdt") - 4
    if at < 0:
        raise MediaError("the fragment has no tfdt box")
    field = struct.pack(">Q" if media[at + 8] == 1 else ">I", ticks)
    return media[: at + 12] + field + media[at + 12 + len(field) :]


def _video(stream: Stream, packets: list[Packet[Any]], tags: Mapping[str, str]) -> Fragment:
    """Video packets (one closed run of GOPs) → a fragment decoding and showing from 0."""
    if not packets or not min(packets, key=lambda p: p.dts or 0).is_keyframe:
        raise MediaError("a shot's picture does not start with a keyframe")
    base = min(p.dts if p.dts is not None else p.pts or 0 for p in packets)
    start = min(p.pts or 0 for p in packets)
    end = max((p.pts or 0) + (p.duration or 0) for p in packets)
    for packet in packets:
        packet.pts = (packet.pts or 0) - base
        packet.dts = (packet.dts if packet.dts is not None else packet.pts) - base
    init, media = _fragment(stream, packets, tags)
    return Fragment(init, media, (end - start) * Fraction(stream.time_base or 0))


def _audio(
    stream: Stream,
    packets: list[Packet[Any]],
    cuts: Sequence[Fraction],
    tags: Mapping[str, str],
    what: str,
) -> list[Fragment]:
    """AAC packets (pts in samples) cut at `cuts` (seconds): every frame that starts inside a
    shot, its fragment's decode time the distance from the shot's start to the first."""
    context: Any = stream.codec_context
    rate = int(context.sample_rate or 0)
    time_base = Fraction(stream.time_base or 0)
    if not rate or time_base != Fraction(1, rate):
        raise MediaError(f"{what}: audio time base {time_base} is not 1/{rate}")
    edges = [math.ceil(cut * rate) for cut in cuts]
    out: list[Fragment] = []
    for begin, end, start in zip(edges, edges[1:], cuts, strict=False):
        inside = [p for p in packets if begin <= (p.pts or 0) < end]
        if not inside:
            raise MediaError(f"{what}: no AAC frame starts in the shot at {float(start)} s")
        first = inside[0].pts or 0
        offset = first - math.floor(start * rate)  # a shot may start between samples
        last = inside[-1]
        for packet in inside:
            packet.pts = (packet.pts or 0) - first + offset
            packet.dts = packet.pts
        init, media = _fragment(stream, inside, tags)
        media = with_decode_time(media, offset)
        length = (last.pts or 0) + (last.duration or 0) - offset
        out.append(Fragment(init, media, Fraction(length, rate), Fraction(offset, rate)))
    return out


def _real(container: InputContainer, stream: Stream) -> list[Packet[Any]]:
    return [p for p in container.demux(stream) if p.size and p.pts is not None]


def video_fragment(segment: Path, *, tags: Mapping[str, str]) -> Fragment:
    """A shot's H.264 segment as one fMP4 fragment decoding from 0 (stream copy)."""
    container = _open(segment)
    with container:
        if not container.streams.video:
            raise MediaError(f"segment {segment} has no picture")
        stream = container.streams.video[0]
        return _video(stream, _real(container, stream), tags)


def audio_fragments(
    reel: Path, cuts: Sequence[Fraction], *, tags: Mapping[str, str]
) -> list[Fragment]:
    """The reel's AAC cut at `cuts` (seconds from the reel's start: each shot's start, then
    the reel's end) into one fragment per shot, by packet copy (the priming frame stays
    out: the frame before it in the film is the previous reel's last)."""
    container = _open(reel)
    with container:
        if not container.streams.audio:
            raise MediaError(f"reel {reel} has no audio")
        stream = container.streams.audio[0]
        packets = [p for p in _real(container, stream) if (p.pts or 0) >= 0]
        return _audio(stream, packets, cuts, tags, f"reel {reel}")


def master_fragments(
    master: Path, spans: Sequence[tuple[Fraction, Fraction]], *, tags: Mapping[str, str]
) -> list[tuple[Fragment, Fragment]]:
    """(video, audio) fragments of stretches of the master (its cards, which a release names
    no segment or reel of): the frames shown in each span, the AAC frames starting in it."""
    container = _open(master)
    with container:
        if not container.streams.video or not container.streams.audio:
            raise MediaError(f"the master {master} lacks picture or sound")
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        video_tb = Fraction(video.time_base or 0)
        audio_tb = Fraction(audio.time_base or 0)
        pictures: list[Packet[Any]] = []
        sounds: list[Packet[Any]] = []
        for packet in container.demux(video, audio):
            if packet.size and packet.pts is not None:
                (pictures if packet.stream.type == "video" else sounds).append(packet)
        out: list[tuple[Fragment, Fragment]] = []
        for begin, end in spans:
            low, high = round(begin / video_tb), round(end / video_tb)
            shown = [p for p in pictures if low <= (p.pts or 0) < high]  # (before any rebase)
            if not shown:
                raise MediaError(f"the master shows nothing from {float(begin):.3f} s")
            first, last = math.ceil(begin / audio_tb), math.ceil(end / audio_tb)
            heard = [p for p in sounds if first <= (p.pts or 0) < last]
            picture = _video(video, shown, tags)
            (sound,) = _audio(audio, heard, [begin, end], tags, f"the master {master}")
            out.append((picture, sound))
    return out


# --- what a player is told ------------------------------------------------------------------


def avc_codec(init: bytes) -> str:
    """The RFC 6381 codec string of an H.264 init segment (`avc1.PPCCLL` from its avcC)."""
    at = init.find(b"avcC")
    if at < 0 or at + 8 > len(init):
        raise MediaError("the video init segment has no avcC box (not H.264?)")
    profile, compat, level = init[at + 5], init[at + 6], init[at + 7]
    return f"avc1.{profile:02x}{compat:02x}{level:02x}"


@dataclass(frozen=True)
class Entry:
    """A segment in a media playlist: its URI, its init's URI and its length."""

    uri: str
    init: str
    duration: Fraction


def _seconds(value: Fraction) -> str:
    return f"{float(value):.6f}"


def media_playlist(entries: Sequence[Entry]) -> str:
    """A VOD media playlist: a discontinuity before every segment (each starts its clock at 0);
    EXT-X-MAP wherever the init changes (and after every discontinuity, as players expect)."""
    longest = max((e.duration for e in entries), default=Fraction(1))
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{max(1, round(longest))}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-DISCONTINUITY-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    for index, entry in enumerate(entries):
        if index:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f'#EXT-X-MAP:URI="{entry.init}"')
        lines.append(f"#EXTINF:{_seconds(entry.duration)},")
        lines.append(entry.uri)
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def _attribute(text: str) -> str:
    """A quoted-string attribute value: no double quotes, no line breaks (RFC 8216 4.2)."""
    return " ".join(text.replace('"', "'").split())


@dataclass(frozen=True)
class Variant:
    """What the multivariant playlist says about the one rendition pair."""

    video: str  # URI of the video playlist
    audio: str  # URI of the audio playlist
    codecs: str
    bandwidth: int  # peak bits per second of a segment pair
    average: int
    width: int
    height: int
    fps: float
    channels: int


def master_playlist(variant: Variant, session: Mapping[str, str]) -> str:
    """The multivariant playlist: session data (title, disclosure, credits), one audio
    rendition, one video variant."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for data_id, value in session.items():
        lines.append(
            f'#EXT-X-SESSION-DATA:DATA-ID="{data_id}",VALUE="{_attribute(value)}",LANGUAGE="en"'
        )
    lines.append(
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Film",LANGUAGE="en",DEFAULT=YES,'
        f'AUTOSELECT=YES,CHANNELS="{variant.channels}",URI="{variant.audio}"'
    )
    lines.append(
        f"#EXT-X-STREAM-INF:BANDWIDTH={variant.bandwidth},AVERAGE-BANDWIDTH={variant.average},"
        f'CODECS="{variant.codecs}",RESOLUTION={variant.width}x{variant.height},'
        f'FRAME-RATE={variant.fps:.3f},AUDIO="audio"'
    )
    lines.append(variant.video)
    return "\n".join(lines) + "\n"


def video_format(segment: Path) -> dict[str, Any]:
    """Width, height and frame rate of a segment (for the variant)."""
    container = _open(segment)
    with container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or 0
        return {
            "width": int(stream.codec_context.width),
            "height": int(stream.codec_context.height),
            "fps": float(rate),
        }


def audio_channels(reel: Path) -> int:
    container = _open(reel)
    with container:
        return int(container.streams.audio[0].codec_context.channels or 2)


def poster(segment: Path, *, width: int = 480) -> bytes:
    """A JPEG of the middle frame of a shot's segment, at most `width` pixels wide (a page's
    poster)."""
    container = _open(segment)
    with container:
        stream = container.streams.video[0]
        middle = int(stream.frames or 0) // 2
        shown = None
        for index, frame in enumerate(container.decode(stream)):
            shown = frame
            if index >= middle:
                break
    if shown is None:
        raise MediaError(f"segment {segment} has no frame")
    image = shown.to_image()  # type: ignore[no-untyped-call]
    width = min(width, image.width)
    height = max(2, round(image.height * width / image.width / 2) * 2)
    buffer = io.BytesIO()
    image.resize((width, height)).save(buffer, "JPEG", quality=75)
    return buffer.getvalue()
