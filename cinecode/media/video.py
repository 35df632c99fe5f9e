"""Picture segments: a camera move over a still, or a conformed clip, as H.264 video only.

Every segment of a film is encoded with the one set of x264 settings in `encoder_args`, starts
with an IDR frame and carries no SEI, so all segments of a format share byte-identical
SPS/PPS (`avcC`) and reels and the master are made from them by stream copy (`media.mux`).

Camera moves are drawn in Python with sub-pixel accuracy: the still is converted once to
BT.709 limited-range Y, Cb, Cr planes, and each frame is a resampled window of those planes
(Pillow, bicubic), piped to ffmpeg as raw yuv420p. No integer-pixel steps, so no zoompan
jitter; the window follows an eased path from `camera_path`, which is pure and seeded.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

from cinecode.media.ffmpeg import MediaError, discard_on_error, probe, run_ffmpeg

if TYPE_CHECKING:
    from cinecode.media.burnin import Burnin

MOVES = (
    "static",
    "push-in",
    "pull-out",
    "pan-left",
    "pan-right",
    "tilt-up",
    "tilt-down",
    "handheld",
    "drift",
)

#: Zoom at the end of a push-in (start of a pull-out) at strength 1.
PUSH_ZOOM = 1.15
#: Pan/tilt travel at strength 1, as a fraction of the frame's width/height.
PAN_TRAVEL = 0.08
#: Drift travel (fraction of the frame) and zoom at strength 1.
DRIFT_TRAVEL = 0.03
DRIFT_ZOOM = 1.03
#: Handheld amplitude at strength 1: offset (fraction of the frame) and roll (degrees).
HANDHELD_OFFSET = 0.006
HANDHELD_ROLL = 0.25
#: Pixels of the still kept clear of a rolled window's edge (no sampling past the image).
EDGE_MARGIN = 2.0
#: Frames are drawn this many ahead of the encoder, on this many threads.
DRAW_AHEAD = 4
DRAW_THREADS = 2

FitMode = Literal["cover", "contain"]


@dataclass(frozen=True)
class VideoFormat:
    """A film's picture format: even width and height in pixels, whole frames per second."""

    width: int
    height: int
    fps: int

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0 or self.width % 2 or self.height % 2:
            raise ValueError(f"picture size must be even and positive, got {self.size}")
        if self.fps <= 0:
            raise ValueError(f"fps must be positive, got {self.fps}")

    @property
    def size(self) -> str:
        """`WIDTHxHEIGHT`, as ffmpeg writes it."""
        return f"{self.width}x{self.height}"


#: The x264 options of an intermediate clip: what a local engine, an upscaler or an
#: interpolator writes, and the MP4 a clip of another container becomes. Near-lossless
#: (crf 12) yuv420p, nothing else: the segment conforms it later with `encoder_args`. Callers
#: add their own input, filter, tag and container options around it; they feed
#: content-addressed caches, so a change here changes every take's bytes.
INTERMEDIATE_ARGS: tuple[str, ...] = (
    "-c:v", "libx264",
    "-preset", "veryfast",
    "-crf", "12",
    "-pix_fmt", "yuv420p",
)  # fmt: skip


def encoder_args(fmt: VideoFormat) -> list[str]:
    """The one set of ffmpeg output options every segment of the film is encoded with.

    Fixed x264 settings (so SPS/PPS are identical for a format), closed GOPs starting with an
    IDR, 4 encoder threads whatever the machine (x264's output depends on its thread count),
    BT.709 limited-range tags, SEI (x264's version string) stripped, no metadata: the same
    inputs give the same bytes on any machine with this ffmpeg. (Intermediate clips, which a
    segment conforms, use `INTERMEDIATE_ARGS` instead.)
    """
    gop = 2 * fmt.fps
    return [
        "-map_metadata", "-1",
        "-map_chapters", "-1",
        "-an", "-sn", "-dn",
        "-c:v", "libx264",
        "-preset", "veryfast",
        "-crf", "20",
        "-profile:v", "high",
        "-pix_fmt", "yuv420p",
        "-g", str(gop),
        "-keyint_min", str(fmt.fps),
        "-bf", "2",
        "-threads", "4",
        "-x264-params", "open-gop=0:b-pyramid=0:scenecut=40:aud=0:repeat-headers=0",
        "-colorspace", "bt709",
        "-color_primaries", "bt709",
        "-color_trc", "bt709",
        "-color_range", "tv",
        "-r", str(fmt.fps),
        "-fps_mode", "cfr",
        "-enc_time_base", f"1/{fmt.fps}",
        "-bsf:v", "filter_units=remove_types=6",
        "-fflags", "+bitexact",
        "-flags:v", "+bitexact",
        "-metadata:s:v:0", "encoder=",
        "-movie_timescale", str(math.lcm(fmt.fps, 48_000)),  # exact edit lists, not ms
        "-f", "mp4",
    ]  # fmt: skip


# --- camera moves -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Camera:
    """Where the window sits on the still in one frame.

    `zoom` ≥ 1 magnifies the largest frame-shaped window of the still; `x`, `y` move the
    window's centre by fractions of that (unzoomed) window's width and height; `roll` is in
    degrees.
    """

    zoom: float
    x: float = 0.0
    y: float = 0.0
    roll: float = 0.0


def ease(t: float) -> float:
    """Ease-in/out (smoothstep): 0 → 1 with zero speed at both ends."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


def camera_path(
    move: str,
    frames: int,
    *,
    fps: int,
    seed: int = 0,
    strength: float = 1.0,
    first: int = 0,
    count: int | None = None,
) -> list[Camera]:
    """The window for each frame of a move (pure: the same arguments, the same path).

    The move lasts `frames` frames; `first` and `count` pick a window of it (the edit's trims
    and handles): frames before 0 and after the end hold the move's first and last framing.
    """
    if move not in MOVES:
        raise MediaError(f"unknown camera move {move!r}", hint=f"use one of: {', '.join(MOVES)}")
    if frames < 1:
        raise MediaError(f"a segment needs at least one frame, got {frames}")
    count = frames if count is None else count
    if count < 1:
        raise MediaError(f"a segment needs at least one frame, got {count}")
    indices = range(first, first + count)
    s = max(strength, 0.0)
    ts = [ease(i / (frames - 1)) if frames > 1 else 0.0 for i in indices]
    if move in ("push-in", "pull-out"):
        end = 1.0 + (PUSH_ZOOM - 1.0) * s
        zooms = [end**t for t in ts]
        return [Camera(zoom=z) for z in (zooms if move == "push-in" else zooms[::-1])]
    if move in ("pan-left", "pan-right", "tilt-up", "tilt-down"):
        travel = PAN_TRAVEL * s
        sign = 1.0 if move in ("pan-right", "tilt-down") else -1.0
        offsets = [sign * travel * (t - 0.5) for t in ts]
        if move.startswith("pan"):
            return [Camera(zoom=1.0, x=o) for o in offsets]
        return [Camera(zoom=1.0, y=o) for o in offsets]
    rng = np.random.default_rng(seed)
    if move == "drift":
        angle = float(rng.uniform(0.0, 2.0 * math.pi))
        dx, dy = math.cos(angle), math.sin(angle)
        end = 1.0 + (DRIFT_ZOOM - 1.0) * s
        return [
            Camera(
                zoom=end**t,
                x=DRIFT_TRAVEL * s * dx * (t - 0.5),
                y=DRIFT_TRAVEL * s * dy * (t - 0.5),
            )
            for t in ts
        ]
    if move == "handheld":
        seconds = np.arange(first, first + count, dtype=np.float64) / fps
        wx, wy, wr = (_wobble(rng, seconds) for _ in range(3))
        return [
            Camera(
                zoom=1.0,
                x=HANDHELD_OFFSET * s * float(wx[i]),
                y=HANDHELD_OFFSET * s * float(wy[i]),
                roll=HANDHELD_ROLL * s * float(wr[i]),
            )
            for i in range(count)
        ]
    return [Camera(zoom=1.0) for _ in range(count)]


def _wobble(rng: np.random.Generator, seconds: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Smooth seeded noise in [-1, 1]: three slow sines, the slower ones larger."""
    freqs = rng.uniform(0.15, 0.9, size=3)
    phases = rng.uniform(0.0, 2.0 * math.pi, size=3)
    weights = 1.0 / freqs
    total = sum(
        w * np.sin(2.0 * math.pi * f * seconds + p)
        for w, f, p in zip(weights, freqs, phases, strict=True)
    )
    return np.asarray(total / weights.sum(), dtype=np.float64)


# --- still → planes → frames ------------------------------------------------------------------


@dataclass(frozen=True)
class _Planes:
    """A still as BT.709 limited-range planes (luma full size, chroma half size)."""

    y: Image.Image
    cb: Image.Image
    cr: Image.Image

    @property
    def width(self) -> int:
        return self.y.width

    @property
    def height(self) -> int:
        return self.y.height


def _load_rgb(image: Path) -> Image.Image:
    try:
        with Image.open(image) as opened:
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (OSError, ValueError) as exc:
        raise MediaError(f"cannot read image {image}: {exc}", hint="use a PNG or JPEG") from exc
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return Image.alpha_composite(black, rgba).convert("RGB")
    return picture.convert("RGB")


def _try_load_rgb(path: Path) -> Image.Image | None:
    """The picture in `path` if Pillow reads it as an image, else None."""
    try:
        return _load_rgb(path)
    except MediaError:
        return None


def _letterbox(picture: Image.Image, fmt: VideoFormat) -> Image.Image:
    """`picture` scaled to fit inside the frame, centred on black."""
    scale = min(fmt.width / picture.width, fmt.height / picture.height)
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    canvas = Image.new("RGB", (fmt.width, fmt.height))
    corner = ((fmt.width - size[0]) // 2, (fmt.height - size[1]) // 2)
    canvas.paste(picture.resize(size, Image.Resampling.LANCZOS), corner)
    return canvas


def _planes(rgb: Image.Image, width: int, height: int) -> _Planes:
    """Resize (Lanczos) to width×height and convert to Y, Cb, Cr (BT.709, limited range)."""
    if rgb.size != (width, height):
        rgb = rgb.resize((width, height), Image.Resampling.LANCZOS)
    a = np.asarray(rgb, dtype=np.float32) / 255.0
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    cb = (b - y) / 1.8556
    cr = (r - y) / 1.5748

    def half(c: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return 0.25 * (c[0::2, 0::2] + c[1::2, 0::2] + c[0::2, 1::2] + c[1::2, 1::2])

    def byte(v: npt.NDArray[np.float32]) -> Image.Image:
        return Image.fromarray(np.clip(np.rint(v), 0, 255).astype(np.uint8), "L")

    return _Planes(
        y=byte(16.0 + 219.0 * y),
        cb=byte(128.0 + 224.0 * half(cb)),
        cr=byte(128.0 + 224.0 * half(cr)),
    )


def _even(value: float) -> int:
    return max(2, 2 * math.ceil(value / 2.0 - 1e-9))


def _prepare(rgb: Image.Image, fmt: VideoFormat, max_zoom: float) -> _Planes:
    """The still at the resolution the move needs: up to `max_zoom`× the frame, if it has it."""
    cover = max(fmt.width / rgb.width, fmt.height / rgb.height)  # the scale that fills the frame
    scale = cover * min(max_zoom, max(1.0, 1.0 / cover))
    return _planes(rgb, _even(rgb.width * scale), _even(rgb.height * scale))


def _fit(
    path: list[Camera], width: float, height: float, fmt: VideoFormat
) -> tuple[float, float, float]:
    """The base window (width, height) on a width×height still and the zoom factor that
    keeps every frame's rolled, offset window inside it."""
    base_w = min(width, height * fmt.width / fmt.height)
    base_h = base_w * fmt.height / fmt.width
    need = 1.0
    for cam in path:
        c, s = abs(math.cos(math.radians(cam.roll))), abs(math.sin(math.radians(cam.roll)))
        ext_x = (base_w * c + base_h * s) / 2.0  # half extents of the window at zoom 1
        ext_y = (base_w * s + base_h * c) / 2.0
        margin = EDGE_MARGIN if cam.roll else 0.0  # a rolled window is sampled bilinearly
        room_x = width / 2.0 - margin - abs(cam.x) * base_w
        room_y = height / 2.0 - margin - abs(cam.y) * base_h
        if room_x <= 0 or room_y <= 0:
            raise MediaError("the camera move leaves the image", hint="lower its strength")
        need = max(need, ext_x / room_x / cam.zoom, ext_y / room_y / cam.zoom)
    return base_w, base_h, need


def _frames(
    planes: _Planes | Sequence[_Planes],
    path: list[Camera],
    fmt: VideoFormat,
    burnin: Burnin | None = None,
    shows: Sequence[int] | None = None,
) -> Iterator[bytes]:
    """Raw yuv420p frames of the move, in order, drawn a few frames ahead on two threads
    (Pillow releases the GIL while resampling); a `burnin` is laid on each after the move.
    `planes` may be several pictures of one still (a mouth's shapes, `media.mouth`): frame i
    shows `shows[i]` of them."""
    variants = [planes] if isinstance(planes, _Planes) else list(planes)
    shows = shows or [0] * len(path)
    base_w, base_h, fix = _fit(path, variants[0].width, variants[0].height, fmt)
    w, h = fmt.width, fmt.height

    def draw(cam: Camera, show: int) -> bytes:
        planes = variants[show]
        zoom = cam.zoom * fix
        win_w, win_h = base_w / zoom, base_h / zoom
        cx = planes.width / 2.0 + cam.x * base_w
        cy = planes.height / 2.0 + cam.y * base_h
        if cam.roll == 0.0:
            box = (  # clamped only against float round-off at the still's edges
                max(cx - win_w / 2, 0.0),
                max(cy - win_h / 2, 0.0),
                min(cx + win_w / 2, float(planes.width)),
                min(cy + win_h / 2, float(planes.height)),
            )
            frame = _crop(planes, box, w, h)
        else:
            frame = _rotate(planes, cx, cy, win_w / w, math.radians(cam.roll), w, h)
        if burnin is not None:
            burnin.lay(frame, _to_frame(planes, cx, cy, win_w / w, cam.roll, w, h))
        return b"".join(plane.tobytes() for plane in frame)

    with ThreadPoolExecutor(max_workers=DRAW_THREADS) as pool:
        pending: deque[Future[bytes]] = deque()
        held: Camera | None = None
        drawn: dict[int, Future[bytes]] = {}  # the held camera's frames, by picture
        for cam, show in zip(path, shows, strict=True):
            if held != cam:
                held, drawn = cam, {}
            if show not in drawn:  # a held frame is drawn once
                drawn[show] = pool.submit(draw, cam, show)
            future = drawn[show]
            pending.append(future)
            if len(pending) > DRAW_AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


Planes = tuple[Image.Image, Image.Image, Image.Image]


def _to_frame(
    planes: _Planes, cx: float, cy: float, k: float, roll: float, w: int, h: int
) -> Callable[[float, float], tuple[float, float]]:
    """Where a point of the still (0…1 of its width and height) lands in a frame whose
    window is centred at (cx, cy) on the planes, k still pixels a frame pixel, rolled."""
    cos, sin = math.cos(math.radians(roll)), math.sin(math.radians(roll))

    def to_frame(x: float, y: float) -> tuple[float, float]:
        dx, dy = (x * planes.width - cx) / k, (y * planes.height - cy) / k
        return (w / 2 + cos * dx + sin * dy, h / 2 - sin * dx + cos * dy)

    return to_frame


def _crop(planes: _Planes, box: tuple[float, float, float, float], w: int, h: int) -> Planes:
    """An axis-aligned sub-pixel window, resampled (bicubic) to w×h."""
    bicubic = Image.Resampling.BICUBIC
    half = (box[0] / 2, box[1] / 2, box[2] / 2, box[3] / 2)
    return (
        planes.y.resize((w, h), bicubic, box=box),
        planes.cb.resize((w // 2, h // 2), bicubic, box=half),
        planes.cr.resize((w // 2, h // 2), bicubic, box=half),
    )


def _rotate(planes: _Planes, cx: float, cy: float, k: float, roll: float, w: int, h: int) -> Planes:
    """A rolled window: output (u, v) ↦ still centre + k·R(roll)·(u − w/2, v − h/2)."""
    a, b = k * math.cos(roll), -k * math.sin(roll)
    d, e = k * math.sin(roll), k * math.cos(roll)
    c = cx - a * w / 2 - b * h / 2
    f = cy - d * w / 2 - e * h / 2
    affine = Image.Transform.AFFINE
    bilinear = Image.Resampling.BILINEAR
    luma = (a, b, c, d, e, f)
    chroma = (a, b, c / 2, d, e, f / 2)
    return (
        planes.y.transform((w, h), affine, luma, bilinear, fillcolor=16),
        planes.cb.transform((w // 2, h // 2), affine, chroma, bilinear, fillcolor=128),
        planes.cr.transform((w // 2, h // 2), affine, chroma, bilinear, fillcolor=128),
    )


#: The last filters of every segment: square pixels, BT.709 limited-range tags on each frame
#: (the encoder writes them into the SPS, which must match across segments), yuv420p.
FINISH = (
    "setsar=1,"
    "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709,"
    "format=yuv420p"
)


def _raw_input(fmt: VideoFormat) -> list[str]:
    """ffmpeg input options for raw BT.709 limited-range yuv420p frames on stdin."""
    return [
        "-f", "rawvideo",
        "-pix_fmt", "yuv420p",
        "-s", fmt.size,
        "-framerate", str(fmt.fps),
        "-colorspace", "bt709",
        "-color_primaries", "bt709",
        "-color_trc", "bt709",
        "-color_range", "tv",
        "-i", "pipe:0",
    ]  # fmt: skip


def still_frames(
    image: Path,
    *,
    fmt: VideoFormat,
    path: list[Camera],
    burnin: Burnin | None = None,
    mouths: Mouths | None = None,
) -> Iterator[bytes]:
    """Raw yuv420p frames (BT.709 limited range) of the camera `path` over the still `image`,
    with its `burnin` laid on each and its `mouths` moving (one shape a frame)."""
    rgb = _load_rgb(image)
    cover = max(fmt.width / rgb.width, fmt.height / rgb.height)
    *_, fix = _fit(path, rgb.width * cover, rgb.height * cover, fmt)
    zoom = max(cam.zoom for cam in path) * fix
    if mouths is None:
        return _frames(_prepare(rgb, fmt, zoom), path, fmt, burnin)
    variants, shows = _mouthed(rgb, mouths, fmt, zoom)
    return _frames(variants, path, fmt, burnin, shows)


@dataclass(frozen=True)
class Mouths:
    """Mouths that move on a still (see `media.mouth`): their boxes in the still's pixels,
    and which picture each frame shows (0: all closed, 1 + 2·m: mouth m half open, 2 + 2·m:
    open)."""

    boxes: tuple[tuple[float, float, float, float], ...]
    shows: tuple[int, ...]
    estimated: bool = False  # boxes from the burn-in's tags: checked against the still


def _mouthed(
    rgb: Image.Image, mouths: Mouths, fmt: VideoFormat, zoom: float
) -> tuple[list[_Planes], list[int]]:
    """The still's pictures a segment shows, as planes (only those shown are prepared), and
    each frame's index among them."""
    from cinecode.media.mouth import pictures

    drawn = pictures(rgb, mouths.boxes, check=mouths.estimated)
    used = sorted(set(mouths.shows))
    at = {show: index for index, show in enumerate(used)}
    return [_prepare(drawn[show], fmt, zoom) for show in used], [at[s] for s in mouths.shows]


def encode_frames(
    frames: Iterator[bytes],
    out: Path,
    *,
    fmt: VideoFormat,
    count: int,
    cancel: threading.Event | None = None,
) -> None:
    """Encode `count` raw yuv420p frames as a segment (the one set of encoder settings)."""
    args = [*_raw_input(fmt), "-vf", FINISH, "-frames:v", str(count), *encoder_args(fmt), str(out)]
    with discard_on_error(out):
        run_ffmpeg(args, stdin=frames, cancel=cancel)


def render_move(
    image: Path,
    out: Path,
    *,
    fmt: VideoFormat,
    frames: int,
    move: str,
    seed: int = 0,
    strength: float = 1.0,
    burnin: Burnin | None = None,
    mouths: Mouths | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Write a segment of exactly `frames` frames: `move` over the still `image`, with its
    `burnin` (labels, caption, name tags) laid on each frame after the move, and its `mouths`
    opening and closing (one picture of the still a frame, see `Mouths`).

    Moves: static, push-in, pull-out, pan-left, pan-right, tilt-up, tilt-down, handheld (seeded
    drift and roll), drift (slow seeded float). `strength` scales the move (0 = static).
    Deterministic: the same arguments write the same bytes.
    """
    # 1. plan the path (validates move and frames)
    path = camera_path(move, frames, fps=fmt.fps, seed=seed, strength=strength)
    # 2. prepare the still at the resolution the deepest zoom needs
    rgb = _load_rgb(image)
    cover = max(fmt.width / rgb.width, fmt.height / rgb.height)
    *_, fix = _fit(path, rgb.width * cover, rgb.height * cover, fmt)
    zoom = max(cam.zoom for cam in path) * fix
    if mouths is None:
        planes: list[_Planes] = [_prepare(rgb, fmt, zoom)]
        shows = [0] * frames
    else:
        planes, shows = _mouthed(rgb, mouths, fmt, zoom)
    # 3. draw and encode (a frame that never changes is drawn once and its GOP repeated)
    if all(cam == path[0] for cam in path) and len(planes) == 1:
        [first] = _frames(planes, path[:1], fmt, burnin)
        hold_frame(first, out, fmt=fmt, frames=frames, cancel=cancel)
        return
    args = [*_raw_input(fmt), "-vf", FINISH, "-frames:v", str(frames), *encoder_args(fmt), str(out)]
    with discard_on_error(out):
        run_ffmpeg(args, stdin=_frames(planes, path, fmt, burnin, shows), cancel=cancel)


def hold_frame(
    frame: bytes,
    out: Path,
    *,
    fmt: VideoFormat,
    frames: int,
    cancel: threading.Event | None = None,
) -> None:
    """Write a segment of one raw yuv420p `frame` held for `frames` frames.

    x264 spends as long on a repeated frame as on any other (6-8 ms at 1280×720), so only
    one GOP of it is encoded, and the frames past the last whole GOP; the GOP is repeated by
    packet copy (`media.mux`). Every GOP is closed and starts with an IDR, where one long
    encode would start it too, so the segment is as valid, and as sharp, as one encoded whole.
    """
    from cinecode.media.mux import mux_reel

    gop = 2 * fmt.fps
    whole, rest = divmod(frames, gop)
    if rest == 1 and whole:  # one frame alone decodes with no delay, unlike a GOP: joined to
        whole, rest = whole - 1, gop + 1  # them its timestamps would leave a gap
    if whole == 0 or (whole == 1 and rest == 0):
        encode_frames(iter([frame] * frames), out, fmt=fmt, count=frames, cancel=cancel)
        return
    parts = [(out.with_name(f".{out.stem}-gop.mp4"), gop)]
    if rest:
        parts.append((out.with_name(f".{out.stem}-rest.mp4"), rest))
    try:
        for part, count in parts:
            encode_frames(iter([frame] * count), part, fmt=fmt, count=count, cancel=cancel)
        with discard_on_error(out):
            mux_reel([parts[0][0]] * whole + [part for part, _ in parts[1:]], None, out)
    finally:
        for part, _ in parts:
            part.unlink(missing_ok=True)


# --- conform ----------------------------------------------------------------------------------


def conform_clip(
    src: Path,
    out: Path,
    *,
    fmt: VideoFormat,
    frames: int,
    start: float = 0.0,
    speed: float = 1.0,
    fit: FitMode = "cover",
    cancel: threading.Event | None = None,
) -> None:
    """Write a segment of exactly `frames` frames at `fmt` from any video or still.

    The source is trimmed from `start` seconds, played at `speed`, converted to fmt's frame
    rate, scaled to fill the frame (`cover`, centre crop) or fit inside it (`contain`, black
    bars), and its last frame is held when it runs out. Audio is dropped.
    """
    if frames < 1:
        raise MediaError(f"a segment needs at least one frame, got {frames}")
    if speed <= 0:
        raise MediaError(f"speed must be positive, got {speed}")
    info = probe(src)
    if not info.has_video:
        raise MediaError(f"{src} has no picture", hint="conform a video or an image file")
    if info.frames <= 1 and (picture := _try_load_rgb(src)) is not None:
        # a still: drawn once in Python (exact BT.709, alpha over black), then held
        if fit == "contain":
            picture = _letterbox(picture, fmt)
        planes = _prepare(picture, fmt, 1.0)
        [first] = _frames(planes, [Camera(zoom=1.0)], fmt)
        hold_frame(first, out, fmt=fmt, frames=frames, cancel=cancel)
        return
    # never seek past the last frame: a late start holds the last frame instead
    last = max(info.duration - 1.0 / float(info.fps or 1), 0.0)
    start = min(max(start, 0.0), last)
    source = ["-ss", f"{start:.6f}", "-i", str(src)] if start > 0 else ["-i", str(src)]
    timing = [  # microsecond time base first, so setpts does not round to source frames
        "settb=AVTB",
        f"setpts=(PTS-STARTPTS)/{speed:.9g}",
        f"fps={fmt.fps}:round=near",
    ]
    w, h = fmt.width, fmt.height
    scale = (
        f"scale={w}:{h}:force_original_aspect_ratio={'increase' if fit == 'cover' else 'decrease'}"
        ":force_divisible_by=2:flags=lanczos+bitexact"
        ":out_color_matrix=bt709:out_range=tv"
    )
    place = f"crop={w}:{h}" if fit == "cover" else f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black"
    chain = [*timing, scale, place, "tpad=stop_mode=clone:stop=-1", FINISH]
    args = [
        *source,
        "-map", "0:v:0",
        "-sws_flags", "lanczos+bitexact",  # for any scaler ffmpeg inserts on its own
        "-vf", ",".join(chain),
        "-frames:v", str(frames),
        *encoder_args(fmt),
        str(out),
    ]  # fmt: skip
    with discard_on_error(out):
        run_ffmpeg(args, cancel=cancel)
