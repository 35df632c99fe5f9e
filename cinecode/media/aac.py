"""Seamless per-scene AAC: each scene's audio encoded alone, spliced by packet copy.

An AAC packet decodes to 1024 samples by overlap-adding two MDCT blocks, each 2048 samples
long, so the packets at a join carry the signal on both sides of it. `encode_scene_audio`
feeds the encoder a few frames of the previous scene before the scene and a few of the next
after it, and keeps only the packets that present the scene itself, so the blocks overlapping
each join were computed from the film's true audio on both sides: concatenated with its
neighbours' packets, the scene decodes with no gap, no drift and no click.

The encoder runs in constant-quality mode (FFmpeg's `qscale`; `bitrate` sets the nominal
rate and the coding bandwidth). Its average-bitrate mode steers quality with a servo that
restarts with every encoder, so each scene would open with a second of worse sound than the
same audio encoded in one piece; at constant quality a scene's packets match a one-piece
encode of the film, and the joins are indistinguishable from the rest.

File layout (MP4 audio, `.m4a`): one *priming* packet at pts −1024 (the block that overlaps
the scene's first 1024 samples with the end of the previous scene; the edit list skips its own
output), then exactly len(cur)/1024 packets at pts 0, 1024, … A reel keeps the priming packet
so it plays on its own; the master keeps it only for the first scene (`media.mux`).
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np

from cinecode.media.audio import AAC_FRAME, Audio, remix
from cinecode.media.ffmpeg import MediaError, discard_on_error

#: AAC frames of true context fed before and after the scene. The encoder needs one frame
#: after a block to choose its window (lookahead) and a few before to settle its
#: psychoacoustic state; more costs time and changes nothing audible.
PRE_ROLL = 4
POST_ROLL = 3
#: AAC frames of the sound itself fed before a piece of one scene's sound (`middle`), so the
#: sound at the join is as faithful as in a one-piece encode of the scene (measured on the
#: bundled example; with PRE_ROLL, a transient on a join was not: tests/test_media_aac.py).
SETTLE = 32
#: AAC frames at each end of a reel's sound that it encodes itself, beside its neighbours'
#: sound; the frames between (its *middle*, `middle`) depend on the scene's own audio only,
#: so they are encoded apart and a neighbour's change re-encodes these few frames.
EDGE = SETTLE
#: Options of FFmpeg's native AAC encoder: no perceptual noise substitution or intensity
#: stereo (both trade waveform fidelity for bits, which these rates do not need).
ENCODER_OPTIONS = {"aac_pns": "0", "aac_is": "0"}


def parse_bitrate(bitrate: str) -> int:
    """`"192k"` → 192000 (also accepts plain numbers and an `M` suffix)."""
    text = bitrate.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    try:
        value = float(text[:-1] if scale != 1 else text)
    except ValueError as exc:
        raise MediaError(f"bad audio bitrate {bitrate!r}", hint='write it like "192k"') from exc
    return round(value * scale)


def _context(cur: Audio, prev: Audio | None, next: Audio | None, pre_roll: int) -> Audio:
    """`pre_roll` frames of prev's end, cur, POST_ROLL frames of next's start (silence where
    a neighbour is missing or short)."""
    channels = cur.shape[0]
    pre = np.zeros((channels, pre_roll * AAC_FRAME), dtype=np.float32)
    post = np.zeros((channels, POST_ROLL * AAC_FRAME), dtype=np.float32)
    if prev is not None and prev.shape[-1]:
        tail = remix(np.atleast_2d(prev), channels)[:, -pre.shape[1] :]
        pre[:, pre.shape[1] - tail.shape[1] :] = tail
    if next is not None and next.shape[-1]:
        head = remix(np.atleast_2d(next), channels)[:, : post.shape[1]]
        post[:, : head.shape[1]] = head
    return np.ascontiguousarray(np.concatenate([pre, cur, post], axis=1), dtype=np.float32)


def encode_scene_audio(
    cur: Audio,
    *,
    rate: int,
    prev: Audio | None,
    next: Audio | None,
    out: Path,
    bitrate: str = "192k",
    pre_roll: int = PRE_ROLL,
) -> None:
    """Encode one scene's audio to AAC (MP4 audio) so it splices seamlessly with its neighbours.

    `cur` is float32 (channels, samples) with samples a multiple of 1024; `prev` and `next`
    are the neighbouring scenes' audio (None at the film's ends), used only as context
    (`pre_roll` frames of prev: SETTLE where prev is the same scene's sound).
    Writes a priming packet plus len(cur)/1024 packets (see the module doc). Deterministic.
    """
    import av

    # 1. validate
    cur = np.atleast_2d(np.asarray(cur, dtype=np.float32))
    length = cur.shape[1]
    if length == 0 or length % AAC_FRAME:
        raise MediaError(
            f"scene audio is {length} samples, not a positive multiple of {AAC_FRAME}",
            hint="pad the scene to a whole number of quanta (media.audio.quantum_frames)",
        )
    if cur.shape[0] not in (1, 2):
        raise MediaError(f"scene audio has {cur.shape[0]} channels; use mono or stereo")
    # 2. surround the scene with its neighbours' audio
    signal = _context(cur, prev, next, pre_roll)
    start = -pre_roll * AAC_FRAME  # pts (samples, scene time) of the first sample fed
    layout = "stereo" if cur.shape[0] == 2 else "mono"
    # 3. encode everything, keep the packets that present [-1024, length)
    try:
        container = av.open(str(out), "w", format="mp4", options=_mux_options(rate))
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"cannot write {out}: {exc}") from exc
    with discard_on_error(out), container:
        stream = container.add_stream("aac", rate=rate, layout=layout)
        stream.bit_rate = parse_bitrate(bitrate)
        stream.codec_context.qscale = True  # constant quality: see the module doc
        stream.codec_context.options = dict(ENCODER_OPTIONS)
        stream.codec_context.flags |= av.codec.context.Flags.bitexact
        kept = 0
        for offset in range(0, signal.shape[1] + AAC_FRAME, AAC_FRAME):
            frame: av.AudioFrame | None = None
            if offset < signal.shape[1]:
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(signal[:, offset : offset + AAC_FRAME]),
                    format="fltp",
                    layout=layout,
                )
                frame.sample_rate = rate
                frame.time_base = Fraction(1, rate)
                frame.pts = start + offset
            try:
                packets = stream.encode(frame)
            except av.FFmpegError as exc:
                raise MediaError(
                    f"the AAC encoder refused {out.name}: {exc}",
                    hint="use a sample rate AAC supports (48000 or 44100 Hz)",
                ) from exc
            for packet in packets:
                if packet.pts is not None and -AAC_FRAME <= packet.pts < length:
                    container.mux(packet)
                    kept += 1
        if kept != length // AAC_FRAME + 1:
            raise MediaError(
                f"the AAC encoder gave {kept} packets for {length} samples, "
                f"expected {length // AAC_FRAME + 1}",
                hint="this is a bug in cinecode's media layer; please report it",
            )


def middle(length: int, own: int) -> tuple[int, int] | None:
    """The samples [start, end) of a sound `length` samples long whose packets depend on its
    own first `own` samples only (encoded with those around them as context), or None when
    the sound is too short to have such a middle. The rest of `length` past `own` is sound
    that comes from elsewhere (an edited cut's overhang, under one AAC frame)."""
    start, end = EDGE * AAC_FRAME, length - EDGE * AAC_FRAME
    if end - start < AAC_FRAME or end + POST_ROLL * AAC_FRAME > own:
        return None
    return start, end


#: AAC frames of each piece a reel sound's middle is encoded in (about 11 s): the pieces are
#: encoded side by side (PyAV lets go of the GIL while it encodes), each with SETTLE frames
#: of the sound before it. They depend on the sound's length only, never on the machine.
PIECE = 512


def encode_middle(
    sound: Audio, start: int, end: int, *, rate: int, out: Path, bitrate: str, workers: int = 2
) -> None:
    """Encode `sound[:, start:end]` (`middle`) into `out` in pieces of PIECE frames side by
    side on `workers` threads, each with SETTLE frames of `sound` before it and POST_ROLL
    after it as context, joined by packet copy: the packets `encode_scene_audio` would give
    with that context, piece by piece, whatever `workers` is."""
    from concurrent.futures import ThreadPoolExecutor

    bounds = [*range(start, end, PIECE * AAC_FRAME), end]
    pieces = [
        (out.with_name(f"{out.stem}.{i}{out.suffix}"), a, b)
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
    ]

    def encode(piece: tuple[Path, int, int]) -> None:
        path, a, b = piece
        after = sound[:, b : b + POST_ROLL * AAC_FRAME]
        encode_scene_audio(
            sound[:, a:b], rate=rate, prev=sound[:, :a], next=after,
            out=path if len(pieces) > 1 else out, bitrate=bitrate, pre_roll=SETTLE,
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aac") as pool:
        list(pool.map(encode, pieces))
    if len(pieces) > 1:
        join_parts([(path, a - start) for path, a, _ in pieces], out, rate=rate)
        for path, _, _ in pieces:
            path.unlink()


def join_parts(parts: list[tuple[Path, int]], out: Path, *, rate: int) -> None:
    """Join pieces of one sound, each encoded by `encode_scene_audio` with the sound around
    it as context, into one MP4 audio file by packet copy: `parts` are (file, its first
    sample). The first piece keeps its priming packet; the others' are dropped (the packet
    before already overlaps their start), exactly as reels join in the master."""
    import av

    from cinecode.media.mux import copy_stream, open_media

    sources = [open_media(path) for path, _ in parts]
    try:
        template = sources[0].streams.audio[0]
        try:
            container = av.open(str(out), "w", format="mp4", options=_mux_options(rate))
        except (av.FFmpegError, OSError) as exc:
            raise MediaError(f"cannot write {out}: {exc}") from exc
        with discard_on_error(out), container:
            stream = copy_stream(container, template)
            for index, ((path, start), source) in enumerate(zip(parts, sources, strict=True)):
                audio = source.streams.audio[0]
                if Fraction(audio.time_base or 0) != Fraction(1, rate):
                    raise MediaError(f"{path} is not timed in samples of {rate} Hz")
                for packet in source.demux(audio):
                    if packet.pts is None or not packet.size or (index and packet.pts < 0):
                        continue
                    packet.pts += start
                    packet.dts = packet.pts
                    packet.stream = stream  # type: ignore[assignment]
                    container.mux(packet)
    finally:
        for source in sources:
            source.close()


def _mux_options(rate: int) -> dict[str, str]:
    """MP4 muxer options: no encoder strings, and a movie timescale that states the edit
    list exactly in samples (the default 1/1000 s would round it)."""
    return {"fflags": "+bitexact", "movie_timescale": str(rate)}
