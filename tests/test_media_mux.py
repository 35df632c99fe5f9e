"""Reels and the master by packet copy: exact lengths, clean decode, same bytes every time."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from cinecode.media.aac import encode_scene_audio
from cinecode.media.audio import samples_per_frame
from cinecode.media.ffmpeg import MediaError, ffmpeg_exe, probe
from cinecode.media.mux import concat_reels, mux_reel
from cinecode.media.video import VideoFormat, render_move

pytestmark = pytest.mark.slow

RATE = 48_000
FMT = VideoFormat(160, 90, 24)
SPF = samples_per_frame(FMT.fps, RATE)
QUANTUM = 64  # frames at 24 fps / 48 kHz whose audio is whole AAC frames
COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40)]


def card(folder: Path, colour: tuple[int, int, int], size: tuple[int, int] = (160, 90)) -> Path:
    path = folder / f"card-{colour[0]}-{colour[1]}-{colour[2]}-{size[0]}.png"
    Image.new("RGB", size, colour).save(path)
    return path


def tone(frames: int, freq: float) -> np.ndarray:
    t = np.arange(frames * SPF) / RATE
    wave = 0.2 * np.sin(2 * np.pi * freq * t)
    return np.stack([wave, wave]).astype(np.float32)


def colour_of(frame: av.VideoFrame) -> int:
    """Which of COLOURS a decoded frame shows."""
    rgb = frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)
    return int(np.argmin([np.abs(rgb - c).sum() for c in COLOURS]))


@pytest.fixture(scope="module")
def reels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three scenes: 64 frames of red; 40 green + 24 blue; 128 of yellow — each with a tone."""
    folder = tmp_path_factory.mktemp("reels")
    shots = [[(0, 64)], [(1, 40), (2, 24)], [(3, 128)]]
    sounds = [tone(sum(n for _, n in shot), 220 * (i + 1)) for i, shot in enumerate(shots)]
    paths = []
    for i, shot in enumerate(shots):
        segments = []
        for j, (colour, frames) in enumerate(shot):
            segments.append(folder / f"s{i}-{j}.mp4")
            render_move(
                card(folder, COLOURS[colour]), segments[-1], fmt=FMT, frames=frames, move="static"
            )
        audio = folder / f"a{i}.m4a"
        encode_scene_audio(
            sounds[i],
            rate=RATE,
            prev=sounds[i - 1] if i else None,
            next=sounds[i + 1] if i + 1 < len(sounds) else None,
            out=audio,
        )
        paths.append(folder / f"reel{i}.mp4")
        mux_reel(segments, audio, paths[-1])
    return paths


def test_a_reel_plays_its_segments_in_order_with_its_sound(reels: list[Path]) -> None:
    info = probe(reels[1])
    assert (info.frames, info.fps, info.has_audio, info.audio_codec) == (
        64,
        Fraction(24),
        True,
        "aac",
    )
    assert abs(info.duration - 64 / 24) < 1e-6
    with av.open(str(reels[1])) as container:
        shown = [colour_of(f) for f in container.decode(video=0)]
    assert shown == [1] * 40 + [2] * 24
    with av.open(str(reels[1])) as container:
        samples = sum(f.samples for f in container.decode(audio=0))
    assert samples == 64 * SPF


def test_master_is_exact_streamable_clean_and_reproducible(
    reels: list[Path], tmp_path: Path
) -> None:
    master, again = tmp_path / "master.mp4", tmp_path / "again.mp4"
    concat_reels(reels, master)
    concat_reels(reels, again)
    assert master.read_bytes() == again.read_bytes()
    # faststart: the index (moov) comes before the media (mdat)
    data = master.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")
    assert b"Lavf" not in data and b"Lavc" not in data
    # exact length, in frames, samples and seconds
    frames = 64 + 64 + 128
    info = probe(master)
    assert (info.frames, info.width, info.height) == (frames, 160, 90)
    assert abs(info.duration - frames / 24) < 1e-6
    with av.open(str(master)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        assert video.duration is not None and video.time_base is not None
        assert audio.duration is not None and audio.time_base is not None
        assert video.duration * video.time_base == Fraction(frames, 24)
        assert audio.duration * audio.time_base == Fraction(frames, 24)
        shown = [colour_of(f) for f in container.decode(video=0)]
    assert shown == [0] * 64 + [1] * 40 + [2] * 24 + [3] * 128
    with av.open(str(master)) as container:
        samples = sum(f.samples for f in container.decode(audio=0))
    assert samples == frames * SPF
    # ffmpeg decodes it with nothing to say, and ffprobe agrees on the duration
    check = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(master), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout + check.stderr == ""
    listing = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(master)], capture_output=True, text=True
    ).stderr
    assert "Duration: 00:00:10.67" in listing


def test_master_of_one_reel_is_that_reel(reels: list[Path], tmp_path: Path) -> None:
    master = tmp_path / "one.mp4"
    concat_reels(reels[:1], master)
    assert probe(master).frames == probe(reels[0]).frames == 64


def test_mux_reel_refuses_segments_of_another_size(tmp_path: Path) -> None:
    small, large = tmp_path / "small.mp4", tmp_path / "large.mp4"
    render_move(card(tmp_path, COLOURS[0]), small, fmt=FMT, frames=8, move="static")
    render_move(
        card(tmp_path, COLOURS[1], (320, 180)),
        large,
        fmt=VideoFormat(320, 180, 24),
        frames=8,
        move="static",
    )
    with pytest.raises(MediaError, match=r"large\.mp4.*320x180") as caught:
        mux_reel([small, large], None, tmp_path / "reel.mp4")
    assert "VideoFormat" in str(caught.value)  # says what to do


def test_mux_reel_refuses_audio_of_another_length(tmp_path: Path) -> None:
    segment = tmp_path / "s.mp4"
    render_move(card(tmp_path, COLOURS[0]), segment, fmt=FMT, frames=QUANTUM, move="static")
    audio = tmp_path / "a.m4a"
    encode_scene_audio(tone(2 * QUANTUM, 440), rate=RATE, prev=None, next=None, out=audio)
    with pytest.raises(MediaError, match=r"audio lasts 5\.333333 s but its picture 2\.666667 s"):
        mux_reel([segment], audio, tmp_path / "reel.mp4")


def test_concat_refuses_a_reel_without_sound_among_reels_with(
    reels: list[Path], tmp_path: Path
) -> None:
    segment = tmp_path / "s.mp4"
    render_move(card(tmp_path, COLOURS[0]), segment, fmt=FMT, frames=QUANTUM, move="static")
    silent = tmp_path / "silent.mp4"
    mux_reel([segment], None, silent)
    with pytest.raises(MediaError, match=r"silent\.mp4 has no audio"):
        concat_reels([reels[0], silent], tmp_path / "master.mp4")


def test_tagging_a_master_keeps_its_packets_and_says_the_tags(
    reels: list[Path], tmp_path: Path
) -> None:
    """The disclosure is written into the MP4's metadata where the file lies (mutagen): FFmpeg
    reads the three tags back, every packet is the same, and it still plays to the end."""
    from cinecode.media.tags import tag_mp4

    master = tmp_path / "master.mp4"
    concat_reels(reels, master)
    before = master.read_bytes()
    tagged = tmp_path / "tagged.mp4"
    tagged.write_bytes(before)
    said = "Made in part with generative AI " * 20  # longer than any room left in the moov
    tag_mp4(tagged, {"title": "Tiny", "comment": said, "description": said})

    def read(path: Path) -> tuple[list[tuple[str, int | None, bytes]], dict[str, str], int]:
        with av.open(str(path)) as container:
            packets = [(p.stream.type, p.pts, bytes(p)) for p in container.demux() if p.size]
        with av.open(str(path)) as container:
            frames = sum(1 for _ in container.decode(video=0))
            return packets, dict(container.metadata), frames

    (ours, tags, frames), (theirs, _, expected) = read(tagged), read(master)
    assert ours == theirs and frames == expected
    assert (tags["title"], tags["comment"], tags["description"]) == ("Tiny", said, said)
    with pytest.raises(MediaError, match="artist"):
        tag_mp4(tagged, {"artist": "someone"})
