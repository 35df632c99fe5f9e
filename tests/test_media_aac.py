"""Per-scene AAC: scenes encoded apart, joined by packet copy, must sound like one piece."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from cinecode.media.aac import (
    PIECE,
    POST_ROLL,
    PRE_ROLL,
    SETTLE,
    encode_middle,
    encode_scene_audio,
    join_parts,
    middle,
    parse_bitrate,
)
from cinecode.media.audio import AAC_FRAME, Audio, quantum_frames, samples_per_frame
from cinecode.media.ffmpeg import MediaError, probe
from cinecode.media.mux import concat_reels, mux_reel
from cinecode.media.video import VideoFormat, render_move

pytestmark = pytest.mark.slow

RATE = 48_000
FMT = VideoFormat(160, 90, 25)  # 25 fps: a quantum is 8 frames = 15 AAC frames
SCENE_FRAMES = (64, 56, 80, 56)  # 10.24 s in all
SPF = samples_per_frame(FMT.fps, RATE)
JOINS = np.cumsum([f * SPF for f in SCENE_FRAMES])[:-1]
WINDOW = RATE // 20  # ±50 ms around a join


def film_audio() -> Audio:
    """Stereo: an exponential sine sweep (100 Hz → 8 kHz) plus decaying three-note chords that
    change every 0.85 s, different in each ear."""
    n = sum(SCENE_FRAMES) * SPF
    t = np.arange(n) / RATE
    length = n / RATE
    k = np.log(8000 / 100)
    sweep = 0.25 * np.sin(2 * np.pi * 100 * length / k * (np.exp(t / length * k) - 1))
    chords = np.zeros(n)
    progression = [(261.6, 329.6, 392.0), (220.0, 261.6, 329.6), (174.6, 220.0, 261.6)]
    for i in range(12):
        part = slice(i * n // 12, (i + 1) * n // 12)
        for freq in progression[i % 3]:
            chords[part] += (
                0.12 * np.sin(2 * np.pi * freq * t[part]) * np.exp(-3 * (t[part] - t[part][0]))
            )
    left = sweep + chords
    right = 0.7 * sweep - 0.9 * chords + 0.05 * np.sin(2 * np.pi * 3000 * t)
    return np.stack([left, right]).astype(np.float32)


def scenes_of(audio: Audio) -> list[Audio]:
    bounds = [0, *JOINS.tolist(), audio.shape[1]]
    return [audio[:, a:b] for a, b in itertools.pairwise(bounds)]


def decode(path: Path) -> npt.NDArray[np.float32]:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def snr(reference: npt.NDArray[np.float32], decoded: npt.NDArray[np.float32]) -> float:
    noise = float(np.sum((reference.astype(np.float64) - decoded) ** 2))
    return 10 * math.log10(float(np.sum(reference.astype(np.float64) ** 2)) / max(noise, 1e-20))


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A plain picture segment for each scene, as long as the scene."""
    folder = tmp_path_factory.mktemp("pictures")
    still = folder / "card.png"
    Image.new("RGB", (160, 90), (40, 80, 120)).save(still)
    paths = []
    for i, frames in enumerate(SCENE_FRAMES):
        paths.append(folder / f"scene{i}.mp4")
        render_move(still, paths[-1], fmt=FMT, frames=frames, move="static")
    return paths


def build_master(
    folder: Path, audio: Audio, pictures: list[Path], *, context: bool
) -> npt.NDArray[np.float32]:
    """Encode each scene (with or without its neighbours), make reels, join them, decode."""
    scenes = scenes_of(audio)
    reels = []
    for i, scene in enumerate(scenes):
        prev = scenes[i - 1] if context and i > 0 else None
        nxt = scenes[i + 1] if context and i + 1 < len(scenes) else None
        sound = folder / f"scene{i}.m4a"
        encode_scene_audio(scene, rate=RATE, prev=prev, next=nxt, out=sound)
        reels.append(folder / f"reel{i}.mp4")
        mux_reel([pictures[i]], sound, reels[-1])
    master = folder / "master.mp4"
    concat_reels(reels, master)
    return decode(master)


def test_the_test_film_is_made_of_whole_quanta() -> None:
    quantum = quantum_frames(FMT.fps, RATE)
    assert all(frames % quantum == 0 for frames in SCENE_FRAMES)
    assert all(int(j) % AAC_FRAME == 0 for j in JOINS)


def test_scenes_join_seamlessly_and_better_than_encoded_alone(
    tmp_path: Path, pictures: list[Path]
) -> None:
    audio = film_audio()
    (tmp_path / "with").mkdir()
    (tmp_path / "alone").mkdir()
    joined = build_master(tmp_path / "with", audio, pictures, context=True)
    naive = build_master(tmp_path / "alone", audio, pictures, context=False)
    # 1. not a sample gained or lost, and no drift: aligned at lag 0
    assert joined.shape == audio.shape
    probe = slice(200_000, 240_000)
    lags = range(-3, 4)
    corr = [
        float(np.dot(audio[0, probe], joined[0, probe.start + lag : probe.stop + lag]))
        for lag in lags
    ]
    assert abs(lags[int(np.argmax(corr))]) <= 1
    tail = slice(audio.shape[1] - 40_000, audio.shape[1] - 2_000)
    assert snr(audio[:, tail], joined[:, tail]) > 25  # still in step at the very end
    # 2. faithful over the whole film and right at every join
    assert snr(audio, joined) >= 25
    at_joins = [
        snr(audio[:, j - WINDOW : j + WINDOW], joined[:, j - WINDOW : j + WINDOW]) for j in JOINS
    ]
    assert min(at_joins) >= 25
    # 3. no click: the largest error near a join is no larger than elsewhere in the film
    near = max(
        float(np.abs(audio[:, j - 512 : j + 512] - joined[:, j - 512 : j + 512]).max())
        for j in JOINS
    )
    assert near < 0.05
    # 4. the naive way (each scene alone, silence around it) is measurably worse at the joins
    alone = [
        snr(audio[:, j - WINDOW : j + WINDOW], naive[:, j - WINDOW : j + WINDOW]) for j in JOINS
    ]
    assert max(alone) < min(at_joins) - 10
    clicks = max(
        float(np.abs(audio[:, j - 512 : j + 512] - naive[:, j - 512 : j + 512]).max())
        for j in JOINS
    )
    assert clicks > 4 * near


def with_hits(audio: Audio, seed: int) -> Audio:
    """`audio` with a decaying noise burst every 92 ms: transients, where AAC switches to
    short windows and an encoder that has not settled decides otherwise."""
    rng = np.random.default_rng(seed)
    out, t = audio.copy(), np.arange(2400)
    for at in range(1000, out.shape[1] - 3000, 4410):
        out[:, at : at + 2400] += 0.4 * rng.standard_normal((2, 2400)) * np.exp(-t / 300)
    return out.astype(np.float32)


@pytest.mark.parametrize("pre_roll", [SETTLE, PRE_ROLL])
def test_a_scene_in_three_pieces_sounds_as_it_does_in_one(tmp_path: Path, pre_roll: int) -> None:
    """A reel's ends beside its neighbours, its middle apart (departments.master): joined,
    as faithful as the scene encoded in one piece, given SETTLE frames of the scene before
    each piece; with only the neighbours' PRE_ROLL, measurably less (this test's control)."""
    prev, cur, nxt = (
        with_hits(scene, seed) for seed, scene in enumerate(scenes_of(film_audio())[1:])
    )
    length = cur.shape[1]
    span = middle(length, length)
    assert span is not None
    start, end = span
    one = tmp_path / "one.m4a"
    encode_scene_audio(cur, rate=RATE, prev=prev, next=nxt, out=one)
    head, mid, tail = (tmp_path / f"{name}.m4a" for name in ("head", "middle", "tail"))
    encode_scene_audio(cur[:, :start], rate=RATE, prev=prev, next=cur[:, start:], out=head)
    encode_scene_audio(
        cur[:, start:end], rate=RATE, prev=cur[:, :start], next=cur[:, end:], out=mid,
        pre_roll=pre_roll,
    )  # fmt: skip
    encode_scene_audio(
        cur[:, end:], rate=RATE, prev=cur[:, :end], next=nxt, out=tail, pre_roll=pre_roll
    )
    joined = tmp_path / "joined.m4a"
    join_parts([(head, 0), (mid, start), (tail, end)], joined, rate=RATE)
    pieces, whole = decode(joined), decode(one)
    assert pieces.shape == cur.shape
    if pre_roll == SETTLE:
        assert snr(cur, pieces) >= snr(cur, whole) - 0.02
        for join in (start, end):  # no click: no larger an error at a join than in one piece
            near = slice(join - 1024, join + 1024)
            assert (
                np.abs(cur[:, near] - pieces[:, near]).max()
                <= np.abs(cur[:, near] - whole[:, near]).max() + 0.01
            )
    else:
        assert snr(cur, pieces) < snr(cur, whole) - 0.05


def test_a_long_middle_is_encoded_in_pieces_side_by_side_as_faithfully_as_in_one(
    tmp_path: Path,
) -> None:
    """A reel sound's middle, in pieces of PIECE frames on two threads: the same bytes on one
    thread (the pieces never depend on the machine), as faithful as one piece."""
    sound = with_hits(np.tile(film_audio(), 3), seed=5)  # 30.7 s: three pieces
    span = middle(sound.shape[1], sound.shape[1])
    assert span is not None
    start, end = span
    assert (end - start) // AAC_FRAME > 2 * PIECE
    one, two, whole = (tmp_path / f"{name}.m4a" for name in ("one", "two", "whole"))
    encode_middle(sound, start, end, rate=RATE, out=one, bitrate="192k", workers=1)
    encode_middle(sound, start, end, rate=RATE, out=two, bitrate="192k", workers=2)
    assert one.read_bytes() == two.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.m4a", "two.m4a"]  # no piece left
    after = sound[:, end : end + POST_ROLL * AAC_FRAME]
    encode_scene_audio(
        sound[:, start:end], rate=RATE, prev=sound[:, :start], next=after, out=whole,
        pre_roll=SETTLE,
    )  # fmt: skip
    cur, pieces, single = sound[:, start:end], decode(two), decode(whole)
    assert pieces.shape == cur.shape
    assert snr(cur, pieces) >= snr(cur, single) - 0.02


def test_a_scene_file_holds_a_priming_packet_and_whole_aac_frames(tmp_path: Path) -> None:
    audio = film_audio()
    scenes = scenes_of(audio)
    out = tmp_path / "scene1.m4a"
    encode_scene_audio(scenes[1], rate=RATE, prev=scenes[0], next=scenes[2], out=out)
    with av.open(str(out)) as container:
        stream = container.streams.audio[0]
        assert (stream.codec_context.name, stream.codec_context.sample_rate) == ("aac", RATE)
        packets = [p for p in container.demux(stream) if p.size]
    frames = scenes[1].shape[1] // AAC_FRAME
    assert [p.pts for p in packets] == [AAC_FRAME * k for k in range(-1, frames)]
    assert {p.duration for p in packets} == {AAC_FRAME}
    info = probe(out)
    assert (info.has_video, info.audio_codec, info.sample_rate, info.channels) == (
        False,
        "aac",
        RATE,
        2,
    )
    assert abs(info.duration - scenes[1].shape[1] / RATE) < 1e-6
    decoded = decode(out)  # played alone, the priming packet is skipped, the scene is whole
    assert decoded.shape == scenes[1].shape
    assert snr(scenes[1], decoded) > 25
    assert snr(scenes[1][:, :AAC_FRAME], decoded[:, :AAC_FRAME]) > 20  # even its first frame


def test_encoding_is_deterministic(tmp_path: Path) -> None:
    scenes = scenes_of(film_audio())
    a, b = tmp_path / "a.m4a", tmp_path / "b.m4a"
    for out in (a, b):
        encode_scene_audio(scenes[2], rate=RATE, prev=scenes[1], next=scenes[3], out=out)
    assert a.read_bytes() == b.read_bytes()


def test_mono_and_short_neighbours_are_accepted(tmp_path: Path) -> None:
    cur = np.zeros((1, 4 * AAC_FRAME), dtype=np.float32)
    short = np.ones((2, 100), dtype=np.float32) * 0.1  # shorter than the pre-roll
    out = tmp_path / "mono.m4a"
    encode_scene_audio(cur, rate=RATE, prev=short, next=short, out=out)
    assert decode(out).shape == (1, 4 * AAC_FRAME)


def test_scene_audio_must_be_whole_aac_frames(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="multiple of 1024"):
        encode_scene_audio(
            np.zeros((2, 1000), dtype=np.float32),
            rate=RATE,
            prev=None,
            next=None,
            out=tmp_path / "x.m4a",
        )


def test_unsupported_sample_rate_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "odd.m4a"
    with pytest.raises(MediaError, match="sample rate"):
        encode_scene_audio(
            np.zeros((2, 2048), dtype=np.float32), rate=12345, prev=None, next=None, out=out
        )
    assert not out.exists()


def test_parse_bitrate() -> None:
    assert parse_bitrate("192k") == 192_000
    assert parse_bitrate("1.5M") == 1_500_000
    assert parse_bitrate("96000") == 96_000
    with pytest.raises(MediaError, match="192k"):
        parse_bitrate("fast")
