"""Picture segments: camera moves over stills and conformed clips, checked by decoding them."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from cinecode.media.ffmpeg import MediaCancelled, MediaError, probe, run_ffmpeg
from cinecode.media.mux import mux_reel
from cinecode.media.video import MOVES, VideoFormat, conform_clip, render_move

pytestmark = pytest.mark.slow

FMT = VideoFormat(320, 180, 24)
Gray = npt.NDArray[np.float64]


def decode(path: Path) -> list[Gray]:
    """Every frame's luma plane (limited range, as coded) as float."""
    with av.open(str(path)) as container:
        return [
            f.to_ndarray(format="yuv420p")[: f.height].astype(np.float64)
            for f in container.decode(video=0)
        ]


def decode_rgb(path: Path) -> list[npt.NDArray[np.float64]]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.float64) for f in container.decode(video=0)]


def psnr(a: Gray, b: Gray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 99.0 if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A detailed 320×180 picture (waves, gradients, discs), with no black anywhere."""
    h, w = 180, 320
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    rng = np.random.default_rng(7)
    rgb = np.stack(
        [
            128 + 90 * np.sin(x / 9.0) * np.cos(y / 7.0),
            40 + 180 * x / w,
            40 + 180 * y / h,
        ],
        axis=-1,
    )
    for _ in range(25):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(4, 18)
        rgb[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(40, 240, 3)
    path = tmp_path_factory.mktemp("still") / "still.png"
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path)
    return path


@pytest.fixture(scope="module")
def blobs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two bright blobs at ±80 px from the centre of a 320×180 grey field."""
    h, w = 180, 320
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.full((h, w), 40.0)
    for px in (w / 2 - 80, w / 2 + 80):
        img += 200 * np.exp(-((x - px) ** 2 + (y - h / 2) ** 2) / (2 * 3.0**2))
    path = tmp_path_factory.mktemp("blobs") / "blobs.png"
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).convert("RGB").save(path)
    return path


def blob_centres(frame: Gray) -> tuple[float, float]:
    """x of the left and the right blob (thresholded centroid around the brightest pixel)."""
    h, w = frame.shape
    out = []
    for x0, x1 in ((10, w // 2 - 30), (w // 2 + 30, w - 10)):
        band = frame[h // 2 - 30 : h // 2 + 30, x0:x1]
        iy, ix = np.unravel_index(int(np.argmax(band)), band.shape)
        cy, cx = iy + h // 2 - 30, ix + x0
        win = np.clip(frame[cy - 9 : cy + 10, cx - 9 : cx + 10] - 70, 0, None)
        xs = np.arange(cx - 9, cx + 10, dtype=np.float64)
        out.append(float((win.sum(axis=0) * xs).sum() / win.sum()))
    return out[0], out[1]


def shift(a: Gray, b: Gray) -> tuple[float, float]:
    """How far b's content moved from a's (dx, dy), by phase correlation."""
    fa, fb = np.fft.fft2(a - a.mean()), np.fft.fft2(b - b.mean())
    cross = fb * np.conj(fa)
    corr = np.fft.ifft2(cross / (np.abs(cross) + 1e-9)).real
    dy, dx = np.unravel_index(int(np.argmax(corr)), corr.shape)
    h, w = a.shape
    return float(dx - w if dx > w // 2 else dx), float(dy - h if dy > h // 2 else dy)


# --- render_move ------------------------------------------------------------------------------


@pytest.mark.parametrize("move", MOVES)
def test_every_move_writes_exact_frames_at_the_format(
    still: Path, tmp_path: Path, move: str
) -> None:
    out = tmp_path / f"{move}.mp4"
    render_move(still, out, fmt=FMT, frames=29, move=move, seed=3)
    info = probe(out)
    assert (info.frames, info.width, info.height) == (29, 320, 180)
    assert info.fps == Fraction(24)
    assert (info.video_codec, info.pix_fmt) == ("h264", "yuv420p")
    assert not info.has_audio
    assert len(decode(out)) == 29


def test_render_move_is_deterministic(still: Path, tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.mp4", tmp_path / "b.mp4", tmp_path / "c.mp4"
    render_move(still, a, fmt=FMT, frames=24, move="handheld", seed=11)
    render_move(still, b, fmt=FMT, frames=24, move="handheld", seed=11)
    render_move(still, c, fmt=FMT, frames=24, move="handheld", seed=12)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()  # the seed changes the wobble


def test_segments_share_headers_start_with_idr_and_carry_no_encoder_string(
    still: Path, tmp_path: Path
) -> None:
    moved, conformed, held = (
        tmp_path / "moved.mp4",
        tmp_path / "conformed.mp4",
        tmp_path / "held.mp4",
    )
    clip = tmp_path / "clip.avi"
    write_clip(clip, size=(200, 150), fps=12, levels=[60, 120, 180])
    render_move(still, moved, fmt=FMT, frames=12, move="push-in")
    conform_clip(clip, conformed, fmt=FMT, frames=12, fit="contain")
    conform_clip(still, held, fmt=FMT, frames=12)
    headers = []
    for path in (moved, conformed, held):
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            headers.append(bytes(stream.codec_context.extradata or b""))
            packets = [p for p in container.demux(stream) if p.size]
        first = bytes(packets[0])
        assert packets[0].is_keyframe and first[4] & 0x1F == 5  # an IDR slice, nothing before
        for packet in packets:  # no SEI anywhere (x264 writes its version string in one)
            data, i = bytes(packet), 0
            while i < len(data):
                assert data[i + 4] & 0x1F != 6
                i += 4 + int.from_bytes(data[i : i + 4], "big")
        raw = path.read_bytes()
        assert b"x264" not in raw and b"Lavf" not in raw and b"Lavc" not in raw
    assert headers[0] == headers[1] == headers[2]  # so they can be joined by stream copy


def test_static_frames_do_not_change(still: Path, tmp_path: Path) -> None:
    out = tmp_path / "static.mp4"
    render_move(still, out, fmt=FMT, frames=24, move="static")
    frames = decode(out)
    rgb = np.asarray(Image.open(still).convert("RGB"), dtype=np.float64)
    luma = 16 + 219 / 255 * rgb @ np.array([0.2126, 0.7152, 0.0722])  # BT.709, limited range
    assert max(float(np.abs(f - frames[-1]).mean()) for f in frames) < 0.1
    assert psnr(frames[0], luma) > 35  # the still itself, not a zoomed copy


def keyframes(path: Path) -> list[int]:
    """The frame numbers of a segment's keyframes, in presentation order."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        packets = sorted((p for p in container.demux(stream) if p.size), key=lambda p: p.pts)
    return [i for i, p in enumerate(packets) if p.is_keyframe]


def test_a_long_held_shot_plays_every_frame_and_joins_like_any_segment(
    still: Path, tmp_path: Path
) -> None:
    """A still held for two GOPs and a bit (48 + 48 + 14 frames at 24 fps): one GOP is
    encoded and repeated, and the segment is as any other: every frame is the still, an IDR
    opens each GOP, and it joins moving segments by stream copy."""
    held, moved, reel = tmp_path / "held.mp4", tmp_path / "moved.mp4", tmp_path / "reel.mp4"
    render_move(still, held, fmt=FMT, frames=110, move="static")
    render_move(still, moved, fmt=FMT, frames=30, move="push-in")
    assert (probe(held).frames, probe(held).fps) == (110, Fraction(24))
    frames = decode(held)
    rgb = np.asarray(Image.open(still).convert("RGB"), dtype=np.float64)
    luma = 16 + 219 / 255 * rgb @ np.array([0.2126, 0.7152, 0.0722])
    assert len(frames) == 110
    assert min(psnr(frame, luma) for frame in frames) > 35
    assert keyframes(held) == [0, 48, 96]
    mux_reel([moved, held, moved], None, reel)
    assert probe(reel).frames == len(decode(reel)) == 170
    again = tmp_path / "again.mp4"
    render_move(still, again, fmt=FMT, frames=110, move="static")
    assert again.read_bytes() == held.read_bytes()
    for count in (49, 97):  # a frame past whole GOPs (it joins the last GOP)
        more = tmp_path / f"held-{count}.mp4"
        render_move(still, more, fmt=FMT, frames=count, move="static")
        assert (probe(more).frames, probe(more).fps) == (count, Fraction(24))
        mux_reel([moved, more], None, reel)  # same rate: it joins
        assert len(decode(reel)) == 30 + count
        more.unlink()
    conformed = tmp_path / "conformed.mp4"
    conform_clip(still, conformed, fmt=FMT, frames=100)  # a user's photo is held the same way
    assert len(decode(conformed)) == 100 and keyframes(conformed) == [0, 48, 96]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "again.mp4",
        "conformed.mp4",
        "held.mp4",
        "moved.mp4",
        "reel.mp4",
    ]  # no GOP left behind


def test_push_in_zooms_on_the_centre(still: Path, tmp_path: Path) -> None:
    out = tmp_path / "push.mp4"
    render_move(still, out, fmt=FMT, frames=24, move="push-in")
    frames = decode(out)
    first, last = frames[0], frames[-1]
    # the last frame is the first frame's centre 1/1.15, enlarged
    w, h = 320 / 1.15, 180 / 1.15
    box = ((320 - w) / 2, (180 - h) / 2, (320 + w) / 2, (180 + h) / 2)
    enlarged = Image.fromarray(first.astype(np.float32), "F").resize(
        (320, 180), Image.Resampling.BICUBIC, box=box
    )
    expected = np.asarray(enlarged, dtype=np.float64)
    inner = (slice(8, -8), slice(8, -8))
    assert psnr(last[inner], expected[inner]) > 28
    assert psnr(last[inner], expected[inner]) > psnr(last[inner], first[inner]) + 8


@pytest.mark.parametrize(
    ("move", "sign_x", "sign_y"),
    [("pan-right", -1, 0), ("pan-left", 1, 0), ("tilt-up", 0, 1), ("tilt-down", 0, -1)],
)
def test_pans_and_tilts_move_the_picture(
    still: Path, tmp_path: Path, move: str, sign_x: int, sign_y: int
) -> None:
    out = tmp_path / f"{move}.mp4"
    render_move(still, out, fmt=FMT, frames=24, move=move)
    frames = decode(out)
    dx, dy = shift(frames[0], frames[-1])
    # the camera turns right, so the picture slides left (8% of the frame at strength 1)
    assert (np.sign(dx), np.sign(dy)) == (sign_x, sign_y)
    travel = abs(dx) if sign_x else abs(dy)
    size = 320 if sign_x else 180
    assert 0.07 * size < travel < 0.11 * size
    assert min(abs(dx), abs(dy)) <= 1


def test_strength_scales_the_move(still: Path, tmp_path: Path) -> None:
    gentle, strong = tmp_path / "gentle.mp4", tmp_path / "strong.mp4"
    render_move(still, gentle, fmt=FMT, frames=12, move="pan-right", strength=0.5)
    render_move(still, strong, fmt=FMT, frames=12, move="pan-right", strength=1.5)
    small = abs(shift(*decode(gentle)[::11])[0])
    large = abs(shift(*decode(strong)[::11])[0])
    assert 2.5 < large / small < 3.5


def jitter(frames: list[Gray]) -> tuple[npt.NDArray[np.float64], float]:
    """Per-frame growth of the blob spacing, and the largest frame-to-frame acceleration of
    the zoom's centre (integer-pixel steps show as ≥ 1 px)."""
    centres = np.array([blob_centres(f) for f in frames])
    spacing = centres[:, 1] - centres[:, 0]
    middle = centres.mean(axis=1)
    return np.diff(spacing), float(np.abs(np.diff(middle, 2)).max())


def test_push_in_is_smooth_where_zoompan_jitters(blobs: Path, tmp_path: Path) -> None:
    out = tmp_path / "push.mp4"
    render_move(blobs, out, fmt=FMT, frames=48, move="push-in")
    steps, wobble = jitter(decode(out))
    assert steps.min() > -0.05  # the blobs only ever spread apart
    middle = steps[12:-12]
    assert middle.min() > 0.4 * np.median(middle)  # no stalls mid-move
    assert wobble < 0.3
    assert 1.13 < (160 + steps.sum()) / 160 < 1.17  # and it ends at the promised zoom
    # the same measure on ffmpeg's zoompan, which steps whole pixels, does catch jitter
    jerky = tmp_path / "zoompan.mp4"
    zoompan = (
        "zoompan=z='1+0.15*on/47':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=48:s=320x180:fps=24"
    )
    run_ffmpeg(["-i", str(blobs), "-vf", zoompan, "-frames:v", "48", "-c:v", "libx264", str(jerky)])
    jerky_steps, jerky_wobble = jitter(decode(jerky))
    assert jerky_wobble > 0.6 or jerky_steps[12:-12].min() < 0.4 * np.median(jerky_steps[12:-12])


def test_handheld_wobbles_gently_and_never_shows_an_edge(still: Path, tmp_path: Path) -> None:
    out = tmp_path / "handheld.mp4"
    render_move(still, out, fmt=FMT, frames=48, move="handheld", seed=5, strength=2.0)
    frames = decode(out)
    moves = [shift(frames[i], frames[i + 1]) for i in range(len(frames) - 1)]
    assert any(frames[0].tolist() != f.tolist() for f in frames[1:])  # it does move
    assert max(abs(dx) + abs(dy) for dx, dy in moves) <= 2  # gently, frame to frame
    for f in frames:  # no black wedge from the roll at any edge (the still has no black)
        edges = np.concatenate([f[0], f[-1], f[:, 0], f[:, -1]])
        assert edges.min() > 30


def test_render_move_rejects_unknown_moves_and_empty_segments(still: Path, tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="push-in"):
        render_move(still, tmp_path / "x.mp4", fmt=FMT, frames=10, move="zoom-wobble")
    with pytest.raises(MediaError, match="at least one frame"):
        render_move(still, tmp_path / "x.mp4", fmt=FMT, frames=0, move="static")


def test_render_move_stops_when_cancelled(still: Path, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    out = tmp_path / "x.mp4"
    with pytest.raises(MediaCancelled):
        render_move(still, out, fmt=FMT, frames=200, move="drift", cancel=cancel)
    assert not out.exists()  # no half-written segment left behind


# --- conform_clip -----------------------------------------------------------------------------


def write_clip(path: Path, *, size: tuple[int, int], fps: int, levels: list[int]) -> None:
    """An MPEG-4 Part 2 clip whose frame k is a flat grey of levels[k]."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.qscale = True
        stream.codec_context.global_quality = 1
        for level in levels:
            rgb = np.full((size[1], size[0], 3), level, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def levels_of(path: Path) -> list[float]:
    return [float(f[8:-8, 8:-8].mean()) for f in decode(path)]


def nearest(level: float, levels: list[int]) -> int:
    """Which source frame a decoded frame shows (levels are limited-range luma of greys)."""
    lumas = [16 + 219 * v / 255 for v in levels]
    return int(np.argmin([abs(level - y) for y in lumas]))


def test_conform_clip_converts_size_rate_and_holds_the_last_frame(tmp_path: Path) -> None:
    levels = [30, 80, 130, 180, 230]
    src = tmp_path / "clip.avi"
    write_clip(src, size=(640, 480), fps=15, levels=levels)
    out = tmp_path / "conformed.mp4"
    conform_clip(src, out, fmt=FMT, frames=20)
    info = probe(out)
    assert (info.frames, info.width, info.height, info.fps) == (20, 320, 180, Fraction(24))
    shown = [nearest(v, levels) for v in levels_of(out)]
    assert shown[0] == 0 and shown == sorted(shown)  # in order
    assert shown[7:] == [4] * 13  # 5 frames at 15 fps last 8 at 24 fps; then the last holds
    assert set(shown) == {0, 1, 2, 3, 4}


def test_conform_clip_trims_and_changes_speed(tmp_path: Path) -> None:
    levels = [20 + 10 * k for k in range(20)]
    src = tmp_path / "clip.avi"
    write_clip(src, size=(160, 90), fps=10, levels=levels)
    fmt = VideoFormat(160, 90, 10)
    late, fast = tmp_path / "late.mp4", tmp_path / "fast.mp4"
    conform_clip(src, late, fmt=fmt, frames=5, start=0.5)
    conform_clip(src, fast, fmt=fmt, frames=5, speed=2.0)
    assert [nearest(v, levels) for v in levels_of(late)] == [5, 6, 7, 8, 9]
    assert [nearest(v, levels) for v in levels_of(fast)] == [0, 2, 4, 6, 8]


def test_conform_clip_from_a_still_covers_or_fits(tmp_path: Path) -> None:
    # a 4:3 picture, grey with red bands along its top and bottom tenths
    rgb = np.full((300, 400, 3), 128, dtype=np.uint8)
    rgb[:30] = rgb[-30:] = (200, 30, 30)  # outside the 16:9 middle that "cover" keeps
    src = tmp_path / "still.png"
    Image.fromarray(rgb).save(src)
    cover, contain = tmp_path / "cover.mp4", tmp_path / "contain.mp4"
    conform_clip(src, cover, fmt=FMT, frames=10, fit="cover")
    conform_clip(src, contain, fmt=FMT, frames=10, fit="contain")
    for path in (cover, contain):
        info = probe(path)
        assert (info.frames, info.width, info.height) == (10, 320, 180)
    covered = decode_rgb(cover)[0]
    assert np.abs(covered[:, :, 0] - covered[:, :, 1]).max() < 20  # no red left: cropped
    fitted = decode_rgb(contain)[-1]
    assert fitted[:, :30].max() < 30 and fitted[:, -30:].max() < 30  # black bars left, right
    assert fitted[5, 160, 0] > 150  # the red top band is in the picture


def test_conform_clip_rejects_files_without_picture(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a video")
    with pytest.raises(MediaError, match=r"notes\.txt"):
        conform_clip(junk, tmp_path / "x.mp4", fmt=FMT, frames=5)


# --- ffmpeg -----------------------------------------------------------------------------------


def test_run_ffmpeg_reports_ffmpegs_own_words(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as caught:
        run_ffmpeg(["-i", str(tmp_path / "missing.mp4"), str(tmp_path / "out.mp4")])
    assert "missing.mp4" in str(caught.value)
    assert "No such file" in str(caught.value)


def test_run_ffmpeg_gives_up_after_its_timeout() -> None:
    endless = ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=5", "-f", "null", "-"]
    with pytest.raises(MediaError, match="timed out"):
        run_ffmpeg(endless, timeout=0.5)


def test_run_ffmpeg_stops_when_cancelled_midway() -> None:
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    endless = ["-re", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5", "-f", "null", "-"]
    with pytest.raises(MediaCancelled):
        run_ffmpeg(endless, cancel=cancel, timeout=30)
    timer.cancel()
