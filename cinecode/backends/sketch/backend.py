"""The offline storyboard artist: one pencil frame per shot, drawn from its composition.

`SketchBackend` draws what a director needs to read a shot at a glance: how big the people are
(the shot size), who stands where and who speaks (figures in their own colour, named), inside or
out, the time of day and the weather, the camera's angle and move, and the line or action as a
caption. Pillow and numpy only; the same request gives the same PNG bytes, another seed another
take. `generate` reads top to bottom in numbered steps; the drawing helpers follow it in the
order they are used.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageChops, ImageDraw, ImageFilter, UnidentifiedImageError

from cinecode.backends.protocols import (
    BackendStatus,
    Composition,
    Figure,
    Generated,
    ImageRequest,
    ProgressFn,
)
from cinecode.errors import BackendError
from cinecode.media.fonts import font, text_width, wrap

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]
Point = tuple[float, float]
Box = tuple[float, float, float, float]

_PERSON = 1.75  # metres: the height every figure is drawn from (times its own build)


# --- styles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How the artist draws: paper, lead, washes and finish."""

    paper: RGB
    lead: RGB  # the stroke colour
    lead_alpha: int
    passes: int  # strokes laid over each line
    jitter: float  # stroke wobble, pixels at 720p
    weight: float  # stroke width, pixels at 720p
    wash: float  # 1 = full colour, less = more paper shows through
    grain: float  # paper grain, 0 … 1
    vignette: float  # darkening at the corners, 0 … 1
    hatch: bool  # shade with hatching strokes


_STYLES: dict[str, _Style] = {
    "pencil": _Style((236, 231, 220), (48, 46, 50), 175, 2, 1.3, 1.6, 0.85, 0.06, 0.30, True),
    "ink": _Style((246, 244, 238), (16, 16, 20), 235, 1, 0.5, 2.4, 0.6, 0.03, 0.18, True),
    "flat": _Style((240, 238, 232), (40, 42, 48), 210, 1, 0.0, 1.5, 1.0, 0.0, 0.0, False),
}


# --- shot vocabulary -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Framing:
    """How big a person is in a shot size, and the lens that frames them."""

    scale: float  # a standing person's height / frame height, on the focal plane
    head_top: float  # where the top of their head sits, fraction of frame height
    lens: float  # focal length in frame heights (longer for closer shots)
    blur: float  # background blur at 720p (shallow depth of field)
    reach: float  # how far behind the focal plane depth 1 puts a figure, in focal distances


_FRAMINGS: dict[str, _Framing] = {
    "extreme-wide": _Framing(0.12, 0.50, 0.9, 0.0, 2.5),
    "wide": _Framing(0.30, 0.40, 1.0, 0.0, 1.6),
    "full": _Framing(0.70, 0.07, 1.1, 0.8, 1.2),
    "medium": _Framing(2.0, 0.10, 1.3, 2.2, 1.0),
    "medium-close": _Framing(2.8, 0.09, 1.5, 3.0, 1.0),
    "close": _Framing(3.9, 0.07, 1.8, 4.0, 0.9),
    "extreme-close": _Framing(8.0, -0.16, 2.2, 6.0, 0.8),
    "insert": _Framing(3.0, 0.10, 1.8, 4.5, 1.0),
}

_SIZE_ALIASES = {
    "ews": "extreme-wide", "xws": "extreme-wide", "establishing": "extreme-wide",
    "ws": "wide", "long": "wide", "fs": "full", "full-shot": "full", "ms": "medium",
    "two-shot": "medium", "mcu": "medium-close", "ots": "medium-close", "cu": "close",
    "close-up": "close", "ecu": "extreme-close", "xcu": "extreme-close",
    "extreme-close-up": "extreme-close", "detail": "insert", "cutaway": "insert",
}  # fmt: skip

_TIMES = {
    "day": "day", "afternoon": "day", "noon": "day", "continuous": "day", "later": "day",
    "morning": "morning", "dawn": "dawn", "sunrise": "dawn", "dusk": "dusk", "sunset": "dusk",
    "evening": "evening", "twilight": "dusk", "night": "night", "midnight": "night",
}  # fmt: skip

# Sky (top, horizon), how much light falls on things, and its tint.
_SKIES: dict[str, tuple[RGB, RGB, float, RGB]] = {
    "day": ((98, 150, 214), (205, 225, 240), 1.0, (255, 255, 255)),
    "morning": ((120, 165, 218), (244, 228, 200), 0.97, (255, 248, 236)),
    "dawn": ((112, 118, 172), (247, 196, 160), 0.82, (255, 226, 214)),
    "dusk": ((52, 56, 112), (244, 150, 88), 0.72, (255, 205, 170)),
    "evening": ((70, 86, 140), (230, 180, 132), 0.76, (250, 214, 186)),
    "night": ((10, 14, 34), (38, 48, 80), 0.40, (150, 170, 220)),
}

_SCENERY_WORDS: dict[str, tuple[str, ...]] = {
    "water": ("beach", "sea", "ocean", "harbour", "harbor", "lake", "river", "shore", "pier",
              "dock", "coast", "bay", "port", "boat", "quay", "marina"),
    "city": ("street", "city", "town", "alley", "road", "avenue", "downtown", "building",
             "roof", "parking", "station", "square", "plaza", "market", "highway", "bridge",
             "corner", "sidewalk", "block", "lot"),
    "trees": ("forest", "wood", "park", "garden", "field", "farm", "meadow", "jungle",
              "orchard", "yard", "countryside", "trail", "grove", "cemetery", "graveyard"),
    "ridge": ("mountain", "hill", "desert", "canyon", "valley", "cliff", "peak", "ridge",
              "dune", "pass"),
}  # fmt: skip


def _norm_size(size: str) -> str:
    key = size.strip().lower().replace(" ", "-").replace("_", "-")
    key = _SIZE_ALIASES.get(key, key)
    return key if key in _FRAMINGS else "wide"


def _norm_time(time_of_day: str) -> str:
    return _TIMES.get(time_of_day.strip().lower(), "day")


def _norm_angle(angle: str) -> str:
    key = angle.strip().lower()
    for name in ("overhead", "dutch", "high", "low"):
        if name in key or (name == "overhead" and ("bird" in key or "top" in key)):
            return name
    return "eye"


def _norm_setting(setting: str) -> str:
    key = setting.strip().lower().replace(".", "").replace(" ", "")
    if key in ("int/ext", "ext/int", "i/e"):
        return "int/ext"
    return "ext" if key.startswith("ext") else "int"


def _scenery(location: str) -> str:
    words = location.lower()
    for kind, keys in _SCENERY_WORDS.items():
        if any(key in words for key in keys):
            return kind
    return "hills"


def _move(label: str) -> str:
    """The camera move named in a shot label ("3.2 · MEDIUM · PUSH IN · 4.2 s")."""
    text = label.lower()
    table = (
        (("push in", "dolly in", "zoom in", "push"), "in"),
        (("pull out", "pull back", "dolly out", "zoom out", "pull"), "out"),
        (("pan left",), "pan-left"),
        (("pan",), "pan-right"),
        (("tilt up",), "tilt-up"),
        (("tilt down", "tilt"), "tilt-down"),
        (("track left", "truck left", "dolly left"), "track-left"),
        (("track", "truck", "follow", "dolly"), "track-right"),
        (("crane down", "boom down"), "crane-down"),
        (("crane", "boom", "rise"), "crane-up"),
        (("orbit", "arc"), "orbit"),
    )
    for words, move in table:
        if any(word in text for word in words):
            return move
    return ""


# --- colour ----------------------------------------------------------------------------------


def _hex(color: str, default: RGB = (68, 72, 79)) -> RGB:
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    try:
        value = int(text, 16)
    except ValueError:
        return default
    if len(text) != 6:
        return default
    return (value >> 16 & 255, value >> 8 & 255, value & 255)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _lit(color: RGB, light: float, tint: RGB = (255, 255, 255)) -> RGB:
    """`color` under light of strength `light` (1 = day) and colour `tint`."""
    return (
        min(255, round(color[0] * light * tint[0] / 255)),
        min(255, round(color[1] * light * tint[1] / 255)),
        min(255, round(color[2] * light * tint[2] / 255)),
    )


def _alpha(color: RGB, alpha: float) -> RGBA:
    return (color[0], color[1], color[2], max(0, min(255, round(alpha * 255))))


# --- the backend -----------------------------------------------------------------------------


class SketchBackend:
    """Storyboard frames drawn offline: `style` is "pencil" (default), "ink" or "flat" (a
    request's `model` may name another); `overlay` is "full" (labels, names, caption) or
    "none" (the picture alone, e.g. to start an image-to-image generation from)."""

    name = "sketch"
    version = 1  # bump when the same request would draw a different frame

    def __init__(
        self,
        *,
        style: str = "pencil",
        overlay: str = "full",
        model: str = "",
        negative_prompt: str = "",
        **params: Any,
    ) -> None:
        style = model or style  # its models are its styles; a negative prompt means nothing here
        if style not in _STYLES:
            raise BackendError(
                f"unknown sketch style {style!r}",
                backend=self.name,
                hint=f"set style to one of {', '.join(_STYLES)} under the sketch backend",
            )
        if overlay not in ("full", "none"):
            raise BackendError(
                f"unknown sketch overlay {overlay!r}",
                backend=self.name,
                hint='set overlay = "full" (labels and caption) or "none" (picture only)',
            )
        if params:
            raise BackendError(
                f"the sketch backend takes no parameter {', '.join(sorted(params))}",
                backend=self.name,
                hint='it takes style ("pencil", "ink", "flat") and overlay ("full", "none")',
            )
        self.style = style
        self.overlay = overlay

    def status(self) -> BackendStatus:
        """Always ready: it needs nothing but Pillow and numpy."""
        return BackendStatus("ready")

    def generate(
        self, req: ImageRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """Draw the storyboard frame for `req` into `out/frame.png` (exactly width × height)."""
        # 1. check the request
        self.check_inputs(req)
        # 2. read the references: colours for an empty palette, thumbnails for the corner
        comp = req.composition
        refs = [_reference(path, backend=self.name) for path in req.references]
        if comp is not None and not comp.palette and refs:
            comp = _with_reference_palette(comp, refs)
        # 3. draw the picture (supersampled when small, so strokes stay smooth)
        style = req.model or self.style
        frame = _Frame(req, comp, _STYLES[style])
        picture = frame.draw()
        if progress is not None:
            progress(0.6)
        # 4. finish: paper grain and vignette, then the overlays at the output size
        image = frame.finish(picture)
        if self.overlay == "full":
            frame.overlays(image, refs)
        # 5. write the PNG (no timestamps: the same request gives the same bytes)
        out.mkdir(parents=True, exist_ok=True)
        path = out / "frame.png"
        image.save(path, format="PNG", compress_level=1, compress_type=zlib.Z_RLE)
        if progress is not None:
            progress(1.0)
        return Generated(path=path, model=style, meta={"width": req.width, "height": req.height})

    def check_inputs(self, req: ImageRequest) -> None:
        """Fail before drawing when the frame cannot be drawn as asked."""
        if req.model and req.model not in _STYLES:
            raise BackendError(
                f"the sketch backend has no model {req.model!r}",
                backend=self.name,
                hint=f"its models are its styles: {', '.join(_STYLES)} (or leave model empty)",
            )
        if not (16 <= req.width <= 8192 and 16 <= req.height <= 8192):
            raise BackendError(
                f"cannot draw a {req.width}×{req.height} frame",
                backend=self.name,
                hint="set the project's width and height between 16 and 8192 pixels",
            )


# --- references ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reference:
    path: Path
    thumb: Image.Image
    colours: tuple[RGB, ...]  # dominant first


def _reference(path: Path, *, backend: str) -> _Reference:
    """A reference image's thumbnail and dominant colours."""
    try:
        with Image.open(path) as source:
            image = source.convert("RGB")
    except (OSError, UnidentifiedImageError) as exc:
        raise BackendError(
            f"cannot read reference image {path}",
            backend=backend,
            hint="check that the reference exists and is a PNG or JPEG",
        ) from exc
    image.thumbnail((160, 160), Image.Resampling.BILINEAR)
    small = image.resize((32, 32), Image.Resampling.BILINEAR)
    quant = small.quantize(colors=6, method=Image.Quantize.MEDIANCUT)
    palette = quant.getpalette() or []
    counts: list[tuple[int, int]] = [
        (int(n), int(index)) for n, index in quant.getcolors() or [] if isinstance(index, int)
    ]
    colours = tuple(
        (palette[3 * index], palette[3 * index + 1], palette[3 * index + 2])
        for _, index in sorted(counts, key=lambda item: (-item[0], item[1]))
        if 3 * index + 2 < len(palette)
    )
    return _Reference(path, image, colours)


def _with_reference_palette(comp: Composition, refs: Sequence[_Reference]) -> Composition:
    """The composition with a palette sampled from references that are not of its people."""
    people = {figure.name.strip().lower() for figure in comp.figures}
    places = [ref for ref in refs if ref.path.stem.strip().lower() not in people] or list(refs)
    colours = [colour for ref in places for colour in ref.colours]
    # prefer colours with some saturation; keep the order of dominance
    vivid = [c for c in colours if max(c) - min(c) > 24] + [
        c for c in colours if max(c) - min(c) <= 24
    ]
    palette = tuple("#{:02x}{:02x}{:02x}".format(*c) for c in vivid[:3])
    return Composition(**{**comp.__dict__, "palette": palette})


# --- pencil ----------------------------------------------------------------------------------


class _Pencil:
    """Hand-drawn strokes, fills and hatching on one image, in the style's hand."""

    def __init__(self, image: Image.Image, rnd: random.Random, u: float, style: _Style) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image, "RGBA")
        self.rnd = rnd
        self.u = u
        self.style = style

    def width(self, weight: float = 1.0) -> int:
        return max(1, round(self.style.weight * weight * self.u))

    def line(
        self,
        points: Sequence[Point],
        *,
        weight: float = 1.0,
        alpha: float = 1.0,
        color: RGB | None = None,
        closed: bool = False,
        passes: int | None = None,
        smooth: bool = False,
    ) -> None:
        """A pencil line through `points`, laid `passes` times with a little wobble.

        `smooth` lines (curves given by many points) shift as a whole on each pass instead of
        wobbling point by point; small shapes wobble less than big ones."""
        if len(points) < 2:
            return
        colour = color or self.style.lead
        width = self.width(weight)
        pts = list(points) + ([points[0]] if closed else [])
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        extent = max(max(xs) - min(xs), max(ys) - min(ys))
        jitter = min(self.style.jitter * self.u, 0.025 * extent)
        for n in range(passes or self.style.passes):
            spread = jitter * (1.0 if n == 0 else 1.7)
            if smooth:
                dx, dy = self.rnd.gauss(0, spread), self.rnd.gauss(0, spread)
                wobbly = [(x + dx, y + dy) for x, y in pts]
            else:
                gauss = self.rnd.gauss
                wobbly = [(x + gauss(0, spread), y + gauss(0, spread)) for x, y in pts]
            fade = 1.0 if n == 0 else 0.55
            self.draw.line(
                wobbly,
                fill=_alpha(colour, alpha * fade * self.style.lead_alpha / 255),
                width=width,
                joint="curve" if width > 2 else None,
            )

    def shape(
        self,
        points: Sequence[Point],
        fill: RGB | None,
        *,
        weight: float = 1.0,
        alpha: float = 1.0,
        outline: bool = True,
    ) -> None:
        """A filled polygon with a pencil outline."""
        if len(points) < 3:
            return
        if fill is not None:
            self.draw.polygon(list(points), fill=fill)
        if outline:
            self.line(points, weight=weight, alpha=alpha, closed=True)

    def ellipse(
        self,
        box: Box,
        fill: RGB | None,
        *,
        weight: float = 1.0,
        alpha: float = 1.0,
        outline: bool = True,
    ) -> None:
        """A filled ellipse with a sketched, slightly overshooting outline."""
        x0, y0, x1, y1 = box
        if x1 - x0 < 1 or y1 - y0 < 1:
            return
        if fill is not None:
            self.draw.ellipse((x0, y0, x1, y1), fill=fill)
        if outline:
            self.line(
                _ellipse_points(box, self.rnd, wobble=0.025 if self.style.jitter else 0.0),
                weight=weight,
                alpha=alpha,
                smooth=True,
            )

    def hatch(
        self,
        polygon: Sequence[Point],
        *,
        spacing: float,
        angle: float = 55.0,
        alpha: float = 0.35,
        color: RGB | None = None,
    ) -> None:
        """Parallel strokes clipped to `polygon` (shading), `spacing` pixels apart."""
        if not self.style.hatch or len(polygon) < 3 or spacing < 2:
            return
        xs = [p[0] for p in polygon]
        ys = [p[1] for p in polygon]
        cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        reach = math.hypot(max(xs) - min(xs), max(ys) - min(ys)) / 2 + spacing
        dx, dy = math.cos(math.radians(angle)), -math.sin(math.radians(angle))
        nx, ny = -dy, dx
        colour = _alpha(color or self.style.lead, alpha * self.style.lead_alpha / 255)
        width = self.width(0.6)
        offset = -reach + self.rnd.uniform(0, spacing)
        while offset < reach:
            ox, oy = cx + nx * offset, cy + ny * offset
            a = (ox - dx * reach, oy - dy * reach)
            b = (ox + dx * reach, oy + dy * reach)
            for p, q in _clip_segment(a, b, polygon):
                j = self.style.jitter * self.u
                self.draw.line(
                    [(p[0] + self.rnd.gauss(0, j), p[1]), (q[0], q[1] + self.rnd.gauss(0, j))],
                    fill=colour,
                    width=width,
                )
            offset += spacing * self.rnd.uniform(0.8, 1.2)


def _ellipse_points(box: Box, rnd: random.Random, *, wobble: float, n: int = 28) -> list[Point]:
    """Points around an ellipse, a hand's wobble in the radius, overshooting where it closes."""
    x0, y0, x1, y1 = box
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    start = rnd.uniform(0, 2 * math.pi)
    phase = rnd.uniform(0, 2 * math.pi)
    points = []
    for i in range(n + 3):
        t = start + 2 * math.pi * i / n
        k = 1 + wobble * math.sin(2 * t + phase)
        points.append((cx + rx * k * math.cos(t), cy + ry * k * math.sin(t)))
    return points


def _clip_segment(a: Point, b: Point, polygon: Sequence[Point]) -> list[tuple[Point, Point]]:
    """The parts of segment a–b inside `polygon` (even-odd rule; any simple polygon)."""
    hits: list[float] = []
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    n = len(polygon)
    for i in range(n):
        px, py = polygon[i]
        qx, qy = polygon[(i + 1) % n]
        ex, ey = qx - px, qy - py
        denom = dx * ey - dy * ex
        if abs(denom) < 1e-9:
            continue
        t = ((px - ax) * ey - (py - ay) * ex) / denom
        s = ((px - ax) * dy - (py - ay) * dx) / denom
        if 0 <= t <= 1 and 0 <= s < 1:
            hits.append(t)
    hits.sort()
    return [
        ((ax + dx * t0, ay + dy * t0), (ax + dx * t1, ay + dy * t1))
        for t0, t1 in zip(hits[::2], hits[1::2], strict=False)
    ]


def _half(polygon: Sequence[Point], x: float, side: int) -> list[Point]:
    """The part of `polygon` left (side -1) or right (side 1) of the vertical line at `x`."""
    out: list[Point] = []
    n = len(polygon)
    for i in range(n):
        p, q = polygon[i], polygon[(i + 1) % n]
        p_in = (p[0] - x) * side >= 0
        q_in = (q[0] - x) * side >= 0
        if p_in:
            out.append(p)
        if p_in != q_in and q[0] != p[0]:
            t = (x - p[0]) / (q[0] - p[0])
            out.append((x, p[1] + (q[1] - p[1]) * t))
    return out


# --- camera ----------------------------------------------------------------------------------


@dataclass
class _Camera:
    """A pinhole camera framed for the shot size: projects metres to pixels."""

    width: int
    height: int
    framing: _Framing
    horizon: float  # pixel row of the horizon (eye level of the camera)
    centre: float  # pixel column of the vanishing point
    lens: float  # focal length, pixels
    ppm0: float  # pixels per metre on the focal plane
    eye: float  # camera height above the ground, metres

    @property
    def d0(self) -> float:
        """Distance to the focal plane, metres."""
        return self.lens / self.ppm0

    def project(self, x: float, y: float, z: float) -> Point:
        """Pixel position of the point x metres right, y up, z ahead of the camera."""
        z = max(z, 0.05)
        return (self.centre + self.lens * x / z, self.horizon - self.lens * (y - self.eye) / z)

    def ground(self, z: float) -> float:
        """Pixel row of the ground at distance z."""
        return self.horizon + self.lens * self.eye / max(z, 0.05)

    def world_x(self, px: float, z: float) -> float:
        return (px - self.centre) * z / self.lens


def _camera(width: int, height: int, size: str, angle: str, rnd: random.Random) -> _Camera:
    framing = _FRAMINGS[size]
    scale = framing.scale * rnd.uniform(0.95, 1.05)
    head_top = (framing.head_top + rnd.uniform(-0.015, 0.015)) * height
    ppm0 = scale * height / _PERSON
    feet = head_top + scale * height
    horizon = head_top + 0.12 * scale * height  # eye level: the horizon runs through the eyes
    if size in ("extreme-wide", "wide"):
        horizon = (framing.head_top - 0.06 + rnd.uniform(-0.02, 0.02)) * height
    if angle == "high":
        horizon -= 0.30 * height
    elif angle == "low":
        horizon += 0.30 * height
    horizon = min(horizon, feet - 0.25 * ppm0)  # the camera never goes under the ground
    eye = (feet - horizon) / ppm0
    centre = width * (0.5 + rnd.uniform(-0.08, 0.08))
    return _Camera(width, height, framing, horizon, centre, framing.lens * height, ppm0, eye)


# --- characters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    """What stays the same about a character from shot to shot (seeded by the name)."""

    height: float
    build: float
    hair: str  # short | long | bun | curly | bald
    hair_color: RGB
    skin: RGB
    outfit: str  # trousers | coat


_SKINS: tuple[RGB, ...] = (
    (238, 208, 184), (226, 188, 156), (204, 160, 122), (170, 122, 88), (124, 88, 64),
)  # fmt: skip
_HAIRS: tuple[RGB, ...] = (
    (40, 34, 32), (74, 52, 38), (120, 86, 54), (176, 140, 92), (150, 150, 150), (96, 40, 30),
)  # fmt: skip


@lru_cache(maxsize=1024)
def _look(name: str) -> _Look:
    rnd = random.Random(zlib.crc32(name.strip().upper().encode("utf-8")))
    return _Look(
        height=rnd.uniform(0.93, 1.05),
        build=rnd.uniform(0.9, 1.12),
        hair=rnd.choice(("short", "short", "long", "bun", "curly", "bald")),
        hair_color=rnd.choice(_HAIRS),
        skin=rnd.choice(_SKINS),
        outfit=rnd.choice(("trousers", "trousers", "coat")),
    )


@dataclass
class _Placed:
    """A figure placed in the frame, in pixels."""

    figure: Figure
    cx: float
    feet: float
    ppm: float  # pixels per metre at its distance
    facing: str
    foreground: bool  # over-the-shoulder: nearer than the speaker, seen from behind
    blur: float  # pixels
    haze: float  # 0 … 1 mix towards the air colour (distance)

    @property
    def head_top(self) -> float:
        return self.feet - self.ppm * _PERSON * _look(self.figure.name).height

    @property
    def head_height(self) -> float:
        return self.ppm * 0.23 * _look(self.figure.name).height


@dataclass
class _Tag:
    """A name label to draw over the finished frame (picture pixels)."""

    name: str
    color: RGB
    role: str  # speaker | listener | present | prop
    x: float
    above: float  # the top of the head: a label goes above it when there is room
    below: float  # the chest: where a label goes when there is no room above
    mouth: Point | None = None  # where speech marks start (speakers)
    head: float = 0.0  # head width
    side: int = 1  # which way the speech marks point


# --- the frame -------------------------------------------------------------------------------


@dataclass
class _Env:
    """What the environment drawing leaves behind for later steps."""

    air: RGB = (200, 200, 200)  # the colour of distance (haze)
    light: float = 1.0
    tint: RGB = (255, 255, 255)
    windows: list[Box] = field(default_factory=list)  # window panes (weather shows there)
    back: float = math.inf  # distance to the back wall of a room, metres
    sky: tuple[RGB, RGB] = ((98, 150, 214), (205, 225, 240))  # top and horizon, as drawn


class _Frame:
    """One storyboard frame being drawn: picture at an internal size, overlays at the output."""

    def __init__(self, req: ImageRequest, comp: Composition | None, style: _Style) -> None:
        self.req = req
        self.comp = comp
        self.style = style
        self.ss = 2 if req.height < 400 else 1  # small frames are drawn twice as big
        self.w, self.h = req.width * self.ss, req.height * self.ss
        self.u = self.h / 720
        self.rnd = random.Random(req.seed)
        self.size = _norm_size(comp.size) if comp else "wide"
        self.angle = _norm_angle(comp.angle) if comp else "eye"
        self.setting = _norm_setting(comp.setting) if comp else "int"
        self.time = _norm_time(comp.time_of_day) if comp else "day"
        self.weather = comp.weather.strip().lower() if comp else ""
        self.cam = _camera(self.w, self.h, self.size, self.angle, self.rnd)
        self.env = _Env()
        self.tags: list[_Tag] = []
        self.prop_tags: list[_Tag] = []
        self.tilt = 0.0

    # 1. the picture ---------------------------------------------------------------------------

    def draw(self) -> Image.Image:
        """The picture (no text): environment, props, figures, weather, angle."""
        comp = self.comp
        image = Image.new("RGB", (self.w, self.h), self.style.paper)
        pencil = _Pencil(image, self.rnd, self.u, self.style)
        if comp is None:
            self._neutral(pencil)
            return image
        if self.size == "insert":
            self._insert(image, pencil, comp)
        elif self.angle == "overhead":
            self._overhead(image, pencil, comp)
        else:
            if self.setting == "ext":
                self._exterior(image, pencil, comp)
            else:
                self._interior(image, pencil, comp)
            self._place_props(pencil, comp)
            if self._foggy() and self.setting != "int":  # fog swallows the distance …
                self._fog(image, (0, 0, self.w, self.h), 0.62)
            blur = self.cam.framing.blur * self.u
            if blur >= 0.6:
                image = self._soften(image, blur)
                pencil = _Pencil(image, self.rnd, self.u, self.style)
            self._figures(image, pencil, comp)
            if self._foggy() and self.setting != "int":  # … and softens the people a little
                self._fog(image, (0, 0, self.w, self.h), 0.18)
        self._weather(image, pencil)
        if self.angle == "dutch":
            self.tilt = self.rnd.choice((-1, 1)) * self.rnd.uniform(7.0, 10.0)
            image = image.rotate(
                self.tilt,
                resample=Image.Resampling.BILINEAR,
                fillcolor=self.style.paper,
            )
            self._frame_edges(image)
        return image

    def _soften(self, image: Image.Image, radius: float) -> Image.Image:
        """Shallow depth of field: blur the background (at half size, for speed)."""
        half = image.reduce(2)
        half = half.filter(ImageFilter.GaussianBlur(radius / 2))
        return half.resize(image.size, Image.Resampling.BILINEAR)

    def _frame_edges(self, image: Image.Image) -> None:
        """The tilted picture's edges, drawn like the border of a rotated panel."""
        pencil = _Pencil(image, self.rnd, self.u, self.style)
        cx, cy = self.w / 2, self.h / 2
        a = math.radians(-self.tilt)
        corners = [(0, 0), (self.w, 0), (self.w, self.h), (0, self.h)]
        pts = [
            (cx + (x - cx) * math.cos(a) - (y - cy) * math.sin(a),
             cy + (x - cx) * math.sin(a) + (y - cy) * math.cos(a))
            for x, y in corners
        ]  # fmt: skip
        pencil.line(pts, weight=1.4, closed=True)

    # environments ----------------------------------------------------------------------------

    def _sky_and_ground(
        self, image: Image.Image, sky: tuple[RGB, RGB], ground: tuple[RGB, RGB]
    ) -> None:
        """Fill the frame with a sky gradient above the horizon and ground below it."""
        h, horizon = self.h, self.cam.horizon
        rows = np.arange(h, dtype=np.float32)
        t_sky = np.clip(rows / max(horizon, 1.0), 0, 1) ** 0.8
        t_ground = np.clip((rows - horizon) / max(h - horizon, 1.0), 0, 1) ** 0.7
        top, bottom = np.array(sky[0], np.float32), np.array(sky[1], np.float32)
        far, near = np.array(ground[0], np.float32), np.array(ground[1], np.float32)
        sky_rows = top + (bottom - top) * t_sky[:, None]
        ground_rows = far + (near - far) * t_ground[:, None]
        column = np.where((rows < horizon)[:, None], sky_rows, ground_rows)
        strip = Image.fromarray(np.clip(column, 0, 255).astype(np.uint8)[:, None, :], "RGB")
        image.paste(strip.resize((self.w, h), Image.Resampling.NEAREST))

    def _wash(self, color: RGB) -> RGB:
        """A marker colour as it lands on the paper, under the scene's light."""
        return _lit(_mix(self.style.paper, color, self.style.wash), self.env.light, self.env.tint)

    def _palette(self, comp: Composition, index: int, material: RGB) -> RGB:
        """`material` (a wall, the ground…) tinted by the palette's colour `index`: its hue
        comes through, its lightness stays the material's (time of day sets the light)."""
        palette = comp.palette
        if not palette:
            return material
        amount = 0.55 if len(palette) > index else 0.3
        colour = _hex(palette[min(index, len(palette) - 1)], material)
        mean = max(8.0, sum(colour) / 3)
        level = sum(material) / 3
        hue = (
            min(255, round(level * colour[0] / mean)),
            min(255, round(level * colour[1] / mean)),
            min(255, round(level * colour[2] / mean)),
        )
        return _mix(material, hue, amount)

    def _exterior(self, image: Image.Image, pencil: _Pencil, comp: Composition) -> None:
        top, horizon_sky, light, tint = _SKIES[self.time]
        self.env.light, self.env.tint = light, tint
        kind = _scenery(comp.location)
        grounds = {"city": (150, 148, 142), "water": (214, 198, 160), "trees": (132, 156, 104),
                   "ridge": (196, 170, 126), "hills": (150, 166, 112)}  # fmt: skip
        ground = self._palette(comp, 1, grounds[kind])
        if self.weather == "snow":
            ground = _mix(ground, (246, 246, 250), 0.75)
        sky_top = _mix(self.style.paper, top, self.style.wash)
        sky_low = _mix(self.style.paper, horizon_sky, self.style.wash)
        far = _mix(self._wash(ground), sky_low, 0.35)
        self.env.air = sky_low
        self.env.sky = (sky_top, sky_low)
        self._sky_and_ground(image, (sky_top, sky_low), (far, self._wash(ground)))
        self._sky_details(image, pencil)
        scenery_colour = self._palette(comp, 0, {"city": (150, 140, 132), "water": (120, 150, 170),
                                                 "trees": (96, 128, 84), "ridge": (150, 128, 110),
                                                 "hills": (120, 140, 96)}[kind])  # fmt: skip
        if kind == "city":
            self._skyline(pencil, scenery_colour)
        elif kind == "water":
            self._water(pencil, scenery_colour)
        elif kind == "trees":
            self._treeline(pencil, scenery_colour)
        else:
            self._ridges(pencil, scenery_colour, jagged=kind == "ridge")
        self._ground_marks(pencil, kind)

    def _sky_details(self, image: Image.Image, pencil: _Pencil) -> None:
        """Sun, moon and stars, or clouds, where the sky shows."""
        horizon = self.cam.horizon
        if horizon < 0.12 * self.h:
            return
        rnd, u = self.rnd, self.u
        x = self.w * rnd.choice((rnd.uniform(0.12, 0.35), rnd.uniform(0.65, 0.88)))
        if self.time == "night":
            for _ in range(int(1.2e-4 * self.w * min(horizon, self.h))):
                sx, sy = rnd.uniform(0, self.w), rnd.uniform(0, horizon * 0.9)
                r = rnd.uniform(0.6, 1.6) * u
                pencil.draw.ellipse((sx - r, sy - r, sx + r, sy + r), fill=(235, 232, 210, 220))
            y, r = horizon * rnd.uniform(0.2, 0.45), 26 * u
            _glow(image, (x, y), r * 4, (170, 185, 230), 0.35)
            pencil.ellipse((x - r, y - r, x + r, y + r), (238, 234, 212), weight=0.8)
            shadow = (x - r * 0.45, y - r * 1.08, x + r * 1.35, y + r * 0.92)
            t = min(1.0, max(0.0, y / max(horizon, 1.0))) ** 0.8
            pencil.draw.ellipse(shadow, fill=_mix(self.env.sky[0], self.env.sky[1], t))
            return
        if self.time in ("dawn", "dusk", "evening"):
            y, r = horizon - 18 * u, 46 * u
            _glow(image, (x, y), r * 5, (255, 190, 120), 0.55)
            pencil.ellipse((x - r, y - r, x + r, y + r), (252, 214, 150), weight=0.7, alpha=0.5)
        else:
            y, r = horizon * rnd.uniform(0.18, 0.4), 30 * u
            _glow(image, (x, y), r * 5, (255, 248, 220), 0.45)
        for _ in range(rnd.randint(2, 4)):
            cx, cy = rnd.uniform(0, self.w), rnd.uniform(0.1, 0.7) * horizon
            self._cloud(pencil, cx, cy, rnd.uniform(80, 160) * u)

    def _cloud(self, pencil: _Pencil, cx: float, cy: float, size: float) -> None:
        colour = _mix(self.style.paper, (250, 250, 252), 0.6)
        if self.time in ("dusk", "dawn", "evening"):
            colour = (246, 196, 170)
        for _ in range(4):
            dx, dy = self.rnd.uniform(-0.5, 0.5) * size, self.rnd.uniform(-0.15, 0.1) * size
            r = self.rnd.uniform(0.25, 0.4) * size
            box = (cx + dx - r, cy + dy - r * 0.6, cx + dx + r, cy + dy + r * 0.6)
            pencil.ellipse(box, colour, weight=0.6, alpha=0.35)

    def _skyline(self, pencil: _Pencil, colour: RGB) -> None:
        """Buildings along the horizon; lit windows at night."""
        cam, rnd = self.cam, self.rnd
        z = 120.0
        ground = cam.ground(z)
        x = cam.world_x(-40, z)
        right = cam.world_x(self.w + 40, z)
        fill = _mix(self._wash(colour), self.env.air, 0.4)
        while x < right:
            bw, bh = rnd.uniform(8, 22), rnd.uniform(8, 30)
            x0, y0 = cam.project(x, bh, z)
            x1 = cam.project(x + bw, 0, z)[0]
            stone = rnd.choice(((176, 120, 96), (196, 180, 150), (150, 154, 160), (170, 160, 150)))
            shade = _mix(_mix(fill, self._wash(stone), 0.35), (40, 40, 46), rnd.uniform(0, 0.15))
            pencil.shape([(x0, y0), (x1, y0), (x1, ground), (x0, ground)], shade, weight=0.8)
            if self.rnd.random() < 0.3:  # a water tower or a roof box
                rx = x0 + (x1 - x0) * rnd.uniform(0.2, 0.6)
                pencil.shape(
                    [(rx, y0), (rx + 8 * self.u, y0), (rx + 8 * self.u, y0 - 10 * self.u),
                     (rx, y0 - 10 * self.u)], shade, weight=0.6)  # fmt: skip
            step = max(4.0, 3.0 * cam.lens / z)
            lit = (255, 214, 120) if self.time in ("night", "dusk", "evening") else None
            gy = y0 + step
            while gy < ground - step and lit is not None:
                gx = x0 + step * 0.6
                while gx < x1 - step * 0.6:
                    if rnd.random() < 0.35:
                        pencil.draw.rectangle((gx, gy, gx + step * 0.4, gy + step * 0.5), fill=lit)
                    gx += step
                gy += step * 1.2
            x += bw + rnd.uniform(0.5, 8)

    def _treeline(self, pencil: _Pencil, colour: RGB) -> None:
        cam, rnd = self.cam, self.rnd
        z = 45.0
        ground = cam.ground(z)
        x, right = cam.world_x(-40, z), cam.world_x(self.w + 40, z)
        fill = _mix(self._wash(colour), self.env.air, 0.25)
        pencil.shape(
            [(-10, ground), (self.w + 10, ground), (self.w + 10, ground - 3 * cam.lens / z),
             (-10, ground - 3 * cam.lens / z)], fill, outline=False)  # fmt: skip
        while x < right:
            th, tw = rnd.uniform(6, 14), rnd.uniform(4, 8)
            tx, ty = cam.project(x, th, z)
            rx = tw * cam.lens / z / 2
            shade = _mix(fill, (30, 40, 30), rnd.uniform(0, 0.2))
            pencil.ellipse((tx - rx, ty, tx + rx, ground + rx * 0.2), shade, weight=0.7)
            x += tw * rnd.uniform(0.45, 0.8)
        for _ in range(2):  # nearer trees
            tx = rnd.choice((rnd.uniform(0.02, 0.2), rnd.uniform(0.8, 0.98))) * self.w
            self._icon(pencil, "tree", tx, cam.ground(cam.d0 * 2.5), cam.lens / (cam.d0 * 2.5))

    def _ridges(self, pencil: _Pencil, colour: RGB, *, jagged: bool) -> None:
        cam, rnd = self.cam, self.rnd
        for layer, z in enumerate((400.0, 160.0)):
            ground = cam.ground(z)
            base = _mix(self._wash(colour), self.env.air, 0.55 - 0.25 * layer)
            pts: list[Point] = [(-10, ground + 2)]
            x, y = -10.0, ground - rnd.uniform(10, 40) * self.u
            while x < self.w + 10:
                pts.append((x, y))
                x += rnd.uniform(30, 90) * self.u * (0.6 if jagged else 1.4)
                peak = (70 if jagged else 30) * self.u * (1 + layer * 0.5)
                y = min(ground - 2, max(ground - peak * 2, y + rnd.uniform(-peak, peak)))
            pts += [(self.w + 10, y), (self.w + 10, ground + 2)]
            pencil.shape(pts, base, weight=0.8)

    def _water(self, pencil: _Pencil, colour: RGB) -> None:
        cam = self.cam
        shore = cam.ground(30.0)
        water = _mix(self._wash(colour), self.env.air, 0.25)
        top = max(cam.horizon, -10)
        pencil.shape([(-10, top), (self.w + 10, top), (self.w + 10, shore), (-10, shore)],
                     water, outline=False)  # fmt: skip
        pencil.line([(-10, shore), (self.w + 10, shore)], weight=0.9)
        y = top + 4 * self.u
        while y < shore - 2:
            x = self.rnd.uniform(0, self.w)
            length = (y - top + 8) * self.rnd.uniform(0.6, 1.4)
            pencil.line([(x, y), (x + length, y)], weight=0.6, alpha=0.4, passes=1)
            y += max(3.0, (y - top) * 0.18 + 2 * self.u)

    def _ground_marks(self, pencil: _Pencil, kind: str) -> None:
        """Perspective on the ground: road lines in town, tufts elsewhere."""
        cam, rnd = self.cam, self.rnd
        if kind == "city":
            for x in (-4.0, 4.0, -6.0, 6.0):
                pencil.line([cam.project(x, 0, 1.0), cam.project(x, 0, 90.0)], weight=0.9,
                            alpha=0.55)  # fmt: skip
            z = 2.0
            while z < 80:
                a, b = cam.project(0, 0, z), cam.project(0, 0, z * 1.25)
                pencil.line([a, b], weight=1.2, alpha=0.45, passes=1)
                z *= 1.6
            return
        for _ in range(40):
            z = math.exp(rnd.uniform(math.log(max(cam.d0 * 0.4, 1.0)), math.log(60)))
            x = cam.world_x(rnd.uniform(0, self.w), z)
            px, py = cam.project(x, 0, z)
            length = 0.4 * cam.lens / z
            pencil.line([(px - length, py), (px + length, py)], weight=0.6, alpha=0.35, passes=1)

    def _interior(self, image: Image.Image, pencil: _Pencil, comp: Composition) -> None:
        cam, rnd = self.cam, self.rnd
        self.env.light = {"night": 0.55, "dusk": 0.8, "evening": 0.8}.get(self.time, 1.0)
        self.env.tint = (200, 205, 235) if self.time == "night" else (255, 250, 240)
        wall = self._palette(comp, 0, (204, 192, 172))
        floor = self._palette(comp, 1, (150, 116, 84))
        depth = cam.d0 + (8.0 if self.size == "extreme-wide" else rnd.uniform(2.5, 4.0))
        room_w = max(6.0, 2.2 * cam.world_x(self.w, depth) - 2.2 * cam.world_x(0, depth)) * 0.5
        left = -room_w / 2 + rnd.uniform(-0.6, 0.6)
        right = left + room_w
        ceiling = 2.9
        near = 0.3
        p = cam.project
        back = [p(left, ceiling, depth), p(right, ceiling, depth), p(right, 0, depth),
                p(left, 0, depth)]  # fmt: skip
        floor_poly = [p(left, 0, near), p(right, 0, near), p(right, 0, depth), p(left, 0, depth)]
        ceil_poly = [p(left, ceiling, near), p(right, ceiling, near), p(right, ceiling, depth),
                     p(left, ceiling, depth)]  # fmt: skip
        left_wall = [p(left, 0, near), p(left, 0, depth), p(left, ceiling, depth),
                     p(left, ceiling, near)]  # fmt: skip
        right_wall = [p(right, 0, near), p(right, 0, depth), p(right, ceiling, depth),
                      p(right, ceiling, near)]  # fmt: skip
        self.env.air = self._wash(wall)
        pencil.draw.rectangle((0, 0, self.w, self.h), fill=self._wash(wall))
        pencil.shape(ceil_poly, _mix(self._wash(wall), (255, 255, 255), 0.1), weight=0.8)
        pencil.shape(left_wall, _lit(self._wash(wall), 0.86), weight=0.8)
        pencil.shape(right_wall, _lit(self._wash(wall), 0.78), weight=0.8)
        pencil.shape(back, self._wash(wall), weight=0.9)
        pencil.shape(floor_poly, self._wash(floor), weight=0.9)
        self.env.back = depth
        # floorboards running away from the camera
        x = left
        while x < right:
            pencil.line([p(x, 0, near), p(x, 0, depth)], weight=0.6, alpha=0.35, passes=1)
            x += 0.35
        pencil.line([p(left, 0.12, depth), p(right, 0.12, depth)], weight=0.6, alpha=0.6)
        # the window, and what shows through it
        ww = rnd.uniform(1.2, 1.8)
        wx = rnd.uniform(left + 0.6, max(left + 0.7, right - ww - 0.6))
        x0, y0 = p(wx, 2.25, depth)
        x1, y1 = p(wx + ww, 0.95, depth)
        self._window(image, pencil, (x0, y0, x1, y1))
        if self.time in ("night", "dusk", "evening"):
            lx = rnd.choice((left + 0.5, right - 0.5))
            if wx < lx < wx + ww:
                lx = left + 0.5 if lx > wx else right - 0.5
            self._lamp(image, pencil, lx, depth - 0.4)
        elif rnd.random() < 0.7:  # a picture on the wall
            fx = rnd.uniform(left + 0.3, right - 1.0)
            if not (wx - 1.0 < fx < wx + ww):
                a, b = p(fx, 1.9, depth), p(fx + 0.7, 1.4, depth)
                pencil.shape([a, (b[0], a[1]), b, (a[0], b[1])], self._wash((170, 150, 120)),
                             weight=0.7)  # fmt: skip

    def _window(self, image: Image.Image, pencil: _Pencil, box: Box) -> None:
        x0, y0, x1, y1 = box
        top, low, _, _ = _SKIES[self.time]
        view = Image.new("RGB", (max(1, round(x1 - x0)), max(1, round(y1 - y0))))
        inner = _Pencil(view, self.rnd, self.u, self.style)
        inner.draw.rectangle((0, 0, view.width, view.height), fill=_mix(top, low, 0.5))
        inner.draw.rectangle((0, view.height * 0.55, view.width, view.height), fill=low)
        if self.time == "night":
            mx, my = view.width * self.rnd.uniform(0.25, 0.75), view.height * 0.3
            r = 8 * self.u
            inner.draw.ellipse((mx - r, my - r, mx + r, my + r), fill=(236, 232, 210))
        image.paste(view, (round(x0), round(y0)))
        self.env.windows.append(box)
        pencil.shape([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], None, weight=1.1)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        pencil.line([(mx, y0), (mx, y1)], weight=1.0)
        pencil.line([(x0, my), (x1, my)], weight=1.0)
        pencil.line([(x0 - 4 * self.u, y1), (x1 + 4 * self.u, y1)], weight=1.6)

    def _lamp(self, image: Image.Image, pencil: _Pencil, x: float, z: float) -> None:
        cam = self.cam
        top = cam.project(x, 1.6, z)
        _glow(image, top, 2.6 * cam.lens / z, (255, 196, 110), 0.6)
        self._icon(pencil, "lamp", top[0], cam.ground(z), cam.lens / z, lit=True)

    def _neutral(self, pencil: _Pencil) -> None:
        y = self.h * 0.55
        pencil.line([(-10, y), (self.w + 10, y)], weight=1.0, alpha=0.5)
        cx = self.w * self.rnd.uniform(0.4, 0.6)
        for x in (-2.0, -0.8, 0.8, 2.0):
            pencil.line([(cx, y), (cx + x * self.w, self.h)], weight=0.7, alpha=0.3)

    def _insert(self, image: Image.Image, pencil: _Pencil, comp: Composition) -> None:
        """A close look at an object on a surface; no people."""
        rnd = self.rnd
        self.env.light = {"night": 0.6, "dusk": 0.85, "evening": 0.85}.get(self.time, 1.0)
        self.env.tint = (210, 210, 240) if self.time == "night" else (255, 250, 240)
        wall = self._palette(comp, 0, (190, 180, 168))
        surface = self._palette(comp, 2, (160, 120, 84))
        edge = self.h * rnd.uniform(0.24, 0.32)
        pencil.draw.rectangle((0, 0, self.w, edge), fill=self._wash(wall))
        pencil.draw.rectangle((0, edge, self.w, self.h), fill=self._wash(surface))
        if self.time in ("night", "evening", "dusk"):
            _glow(image, (self.w * rnd.uniform(0.2, 0.8), edge * 0.5), self.h * 0.6,
                  (255, 196, 110), 0.5)  # fmt: skip
        y = edge + 6 * self.u
        while y < self.h:  # the grain of the surface, widening towards the camera
            wobble = rnd.uniform(-6, 6) * self.u
            pencil.line([(-10, y), (self.w * 0.5, y + wobble), (self.w + 10, y)], weight=0.6,
                        alpha=0.3, passes=1)  # fmt: skip
            y += (y - edge + 20 * self.u) * 0.25
        props = list(comp.props) or ["object"]
        for extra, name in enumerate(props[1:3]):  # the other props, out of focus behind
            x = self.w * (0.2 + 0.6 * extra + rnd.uniform(-0.06, 0.06))
            self._icon(pencil, name, x, edge + 0.14 * self.h, 0.0, target=0.2 * self.h)
        image.paste(self._soften(image, 4.5 * self.u))
        x = self.w * rnd.uniform(0.44, 0.56)
        base = self.h * rnd.uniform(0.74, 0.8)
        lying = _icon_for(props[0]) in _LYING
        target = (0.42 if lying else 0.56) * self.h
        aspect = _ICONS[_icon_for(props[0])][1]
        half = min(target * aspect, 0.8 * self.w) / 2 * 1.1
        if _icon_for(props[0]) not in _FLAT:
            low = 0.035 * self.h if not lying else 0.12 * self.h
            shadow = (x - half, base - low, x + half * 1.1, base + 0.03 * self.h)
            pencil.draw.ellipse(shadow, fill=(20, 16, 12, 55))
        tilt = rnd.uniform(-14, 14) if lying else None
        self._icon(pencil, props[0], x, base, 0.0, target=target, tag=True, tilt=tilt)

    def _overhead(self, image: Image.Image, pencil: _Pencil, comp: Composition) -> None:
        """Straight down: the floor or ground fills the frame; people seen from above."""
        rnd, u = self.rnd, self.u
        inside = self.setting != "ext"
        light, tint = _SKIES[self.time][2], _SKIES[self.time][3]
        self.env.light = max(light, 0.72) if inside else light
        self.env.tint = tint
        base = self._palette(comp, 1, (150, 116, 84) if inside else (140, 150, 110))
        pencil.draw.rectangle((0, 0, self.w, self.h), fill=self._wash(base))
        scale = self.cam.framing.scale
        step = max(8 * u, (0.08 + 0.02 * rnd.random()) * self.h * min(1.5, scale * 2))
        x = rnd.uniform(0, step)
        while x < self.w:  # floorboards or furrows
            pencil.line([(x, -5), (x, self.h + 5)], weight=0.6, alpha=0.3, passes=1)
            x += step
        if inside:  # a rug in the middle of the room
            rug = self._wash(self._palette(comp, 2, (170, 96, 80)))
            rw, rh = self.w * rnd.uniform(0.16, 0.24), self.h * rnd.uniform(0.2, 0.3)
            cx, cy = self.w * rnd.uniform(0.45, 0.55), self.h * rnd.uniform(0.4, 0.5)
            box = [(cx - rw, cy - rh), (cx + rw, cy - rh), (cx + rw, cy + rh), (cx - rw, cy + rh)]
            pencil.shape(box, rug)
            k = 0.88
            pencil.line([(cx - rw * k, cy - rh * k), (cx + rw * k, cy - rh * k),
                         (cx + rw * k, cy + rh * k), (cx - rw * k, cy + rh * k)],
                        closed=True, weight=0.7, alpha=0.6)  # fmt: skip
        r = min(0.3 * self.h, max(12 * u, 0.3 * scale * self.h))
        for fig in sorted(comp.figures, key=lambda f: -f.depth):
            cx = fig.x * self.w + rnd.uniform(-0.01, 0.01) * self.w
            cy = self.h * (0.42 + 0.3 * (fig.depth - 0.2) + rnd.uniform(-0.03, 0.03))
            dx, dy = {"left": (-1, 0), "right": (1, 0), "away": (0, -1)}.get(fig.facing, (0, 1))
            look = _look(fig.name)
            colour = _lit(_hex(fig.color), max(self.env.light, 0.8))
            across, along = r * look.build, r * 0.42
            ax, ay = (along, across) if dx else (across, along)
            pencil.draw.ellipse((cx - ax + r * 0.25, cy - ay + r * 0.3, cx + ax + r * 0.25,
                                 cy + ay + r * 0.3), fill=(20, 20, 20, 60))  # fmt: skip
            for side in (-1, 1):  # arms at the ends of the shoulders, reaching forward
                hx = cx + (0 if dx else side * (ax - r * 0.12)) + dx * r * 0.15
                hy = cy + (side * (ay - r * 0.12) if dx else 0) + dy * r * 0.15
                pencil.ellipse((hx - r * 0.2, hy - r * 0.2, hx + r * 0.2, hy + r * 0.2),
                               _lit(colour, 0.75), weight=0.6)  # fmt: skip
            pencil.ellipse((cx - ax, cy - ay, cx + ax, cy + ay), colour)
            skin = _mix(self.style.paper, look.skin, 0.9)
            nx, ny = cx + dx * r * 0.42, cy + dy * r * 0.42
            pencil.ellipse((nx - r * 0.1, ny - r * 0.1, nx + r * 0.1, ny + r * 0.1), skin,
                           weight=0.5)  # fmt: skip
            hair = look.hair_color if look.hair != "bald" else look.skin
            hr = r * 0.4
            pencil.ellipse((cx - hr, cy - hr, cx + hr, cy + hr), _lit(hair, self.env.light))
            self.tags.append(_Tag(fig.name, _hex(fig.color), fig.role, cx, cy - across,
                                  cy + across))  # fmt: skip

    # props -----------------------------------------------------------------------------------

    def _place_props(self, pencil: _Pencil, comp: Composition) -> None:
        """Props big enough to read stand in wide shots, in gaps between the people; doors
        and windows sit in a room's back wall."""
        if self.size not in ("extreme-wide", "wide", "full") or not comp.props:
            return
        cam = self.cam
        taken = [f.x for f in comp.figures]

        def crowding(slot: float) -> float:
            return -min([abs(slot - t) for t in taken] or [1.0])

        slots = sorted((0.1, 0.28, 0.72, 0.9), key=crowding)
        for slot, name in zip(slots, comp.props[:2], strict=False):
            icon = _icon_for(name)
            z = min(cam.d0 * 1.3, self.env.back - 0.6)
            if icon in ("door", "window") and math.isfinite(self.env.back):
                z = self.env.back
            if _ICONS[icon][0] * cam.lens / z < 14 * self.u:
                continue  # too small to read at this distance
            x = slot * self.w + self.rnd.uniform(-0.03, 0.03) * self.w
            self._icon(pencil, name, x, cam.ground(z), cam.lens / z, tag=True)

    def _icon(
        self,
        pencil: _Pencil,
        name: str,
        x: float,
        base: float,
        ppm: float,
        *,
        target: float = 0.0,
        lit: bool = False,
        tag: bool = False,
        tilt: float | None = None,
    ) -> None:
        """Draw the prop `name` standing on `base` at `x`, at its real size (`ppm`) or
        `target` pixels high; with a `tilt`, lying on a table seen from above."""
        height_m, aspect, colour, shapes = _ICONS[_icon_for(name)]
        h = target or height_m * ppm
        w = h * aspect
        if w > 0.8 * self.w:
            w, h = 0.8 * self.w, 0.8 * self.w / aspect
        x0, y0 = x - w / 2, base - h
        corners = _table_quad(x, base - h * 0.4, w, h * 0.8, tilt or 0.0)

        def place(px: float, py: float) -> Point:
            if tilt is None:
                return (x0 + px * w, y0 + py * h)
            (ax, ay), (bx, by), (cx, cy), (dx, dy) = corners
            top = (ax + (bx - ax) * px, ay + (by - ay) * px)
            bottom = (dx + (cx - dx) * px, dy + (cy - dy) * px)
            return (top[0] + (bottom[0] - top[0]) * py, top[1] + (bottom[1] - top[1]) * py)

        main = self._wash(colour)
        roles = {
            "main": main,
            "dark": _lit(main, 0.5),
            "light": (255, 226, 150) if lit else _mix(main, (255, 255, 255), 0.45),
            "metal": self._wash((170, 174, 180)),
            "glass": self._wash((160, 186, 204) if self.time != "night" else (40, 52, 80)),
            "paper": self._wash((244, 239, 226)),
            "glow": (255, 214, 110),
            "flame": (240, 128, 48),
            "foliage": self._wash((104, 138, 86)),
        }
        weight = max(0.6, min(1.4, h / (200 * self.u)))
        if tilt is not None and _icon_for(name) in _FLAT:  # its shadow on the table
            off = 0.025 * h
            shadow = [(px + off, py + off * 1.3) for px, py in corners]
            pencil.draw.polygon(shadow, fill=(20, 16, 12, 70))
        for kind, coords, role in shapes:
            fill = roles.get(role)
            if kind == "ellipse" and tilt is not None:
                ux0, uy0, ux1, uy1 = coords
                ring = [(ux0 + (ux1 - ux0) * (0.5 + 0.5 * math.cos(t)),
                         uy0 + (uy1 - uy0) * (0.5 + 0.5 * math.sin(t)))
                        for t in np.linspace(0, 2 * math.pi, 20, endpoint=False)]  # fmt: skip
                pencil.shape([place(*p) for p in ring], fill, weight=weight)
                continue
            pts = [place(coords[i], coords[i + 1]) for i in range(0, len(coords), 2)]
            if kind == "poly":
                pencil.shape(pts, fill, weight=weight)
            elif kind == "ellipse":
                (ax, ay), (bx, by) = pts
                pencil.ellipse((ax, ay, bx, by), fill, weight=weight)
            else:
                pencil.line(pts, weight=weight * 0.8)
        if tag and name.strip():
            top = min(place(0, 0)[1], place(1, 0)[1])
            self.prop_tags.append(_Tag(name.strip(), colour, "prop", x, top, base))

    # figures ---------------------------------------------------------------------------------

    def _place(self, figures: Sequence[Figure]) -> list[_Placed]:
        """Where each figure stands, how big it is, and how it is emphasised."""
        cam, rnd = self.cam, self.rnd
        speakers = [f.depth for f in figures if f.role == "speaker"]
        front = min(speakers) if speakers else None
        close = self.size in ("medium", "medium-close", "close", "extreme-close")
        placed = []
        for fig in figures:
            depth = max(-0.6, min(1.5, fig.depth))
            facing = fig.facing
            foreground = (
                close
                and fig.role == "listener"
                and front is not None
                and (fig.facing == "away" or depth < front - 0.05)
            )
            cx = fig.x * self.w + rnd.uniform(-0.012, 0.012) * self.w
            if foreground:  # over the shoulder: nearer, from behind, towards its edge
                z = cam.d0 * 0.72
                facing = "away"
                cx += (-1 if fig.x < 0.5 else 1) * 0.08 * self.w
            elif depth >= 0:
                z = cam.d0 * (1 + depth * cam.framing.reach)
            else:
                z = cam.d0 * max(0.45, 1 + depth * 0.5)
            z = min(z, self.env.back - 0.6) if self.env.back > cam.d0 + 0.6 else z
            ppm = cam.lens / z
            feet = cam.ground(z) + (0.1 * self.h if foreground else 0.0)
            blur = 0.0
            if foreground:
                blur = 4.0 * self.u * (1 + cam.framing.blur / 4)
            elif fig.role == "listener":
                blur = 1.5 * self.u
            if depth > 0.05 and cam.framing.blur > 0:
                blur += cam.framing.blur * depth * self.u
            haze = min(0.3, max(0.0, depth) * 0.18) if not close else 0.0
            placed.append(_Placed(fig, cx, feet, ppm, facing, foreground, blur, haze))
        return sorted(placed, key=lambda p: (p.foreground, p.feet, p.cx))

    def _figures(self, image: Image.Image, pencil: _Pencil, comp: Composition) -> None:
        """The people, far to near, each with its ground shadow and name label."""
        light_side = self.rnd.choice((-1, 1))
        for spot in self._place(comp.figures):
            if self.size in ("extreme-wide", "wide", "full"):  # a shadow on the ground
                r = 0.35 * spot.ppm
                sx = spot.cx - light_side * r * 0.6
                pencil.draw.ellipse((sx - r * 1.3, spot.feet - r * 0.22, sx + r * 1.3,
                                     spot.feet + r * 0.22), fill=(20, 18, 24, 70))  # fmt: skip
            if spot.figure.role == "speaker" and self.size != "extreme-wide":  # key light
                y = spot.head_top + spot.head_height
                _glow(image, (spot.cx, y), min(spot.ppm * 0.9, 0.8 * self.h), (255, 250, 236),
                      0.2 * self.env.light)  # fmt: skip
            head = self._draw_person(image, spot, light_side)
            if head is None:
                continue
            height = head.chin - head.top
            side = head.side or (1 if head.cx < self.w / 2 else -1)
            self.tags.append(_Tag(
                spot.figure.name, _hex(spot.figure.color), spot.figure.role, head.cx, head.top,
                head.chin + 0.75 * height, head.mouth, head.width, side))  # fmt: skip

    def _draw_person(self, image: Image.Image, spot: _Placed, light_side: int) -> _Head | None:
        """One figure: drawn straight on the frame, or on a patch that is then blurred."""
        look = _look(spot.figure.name)
        colours = self._person_colours(spot, look)
        if spot.blur < 0.8:
            pencil = _Pencil(image, self.rnd, self.u, self.style)
            return _person(pencil, spot, look, colours, light_side, (0, 0), self.angle)
        ppm = spot.ppm
        half = 0.5 * ppm * look.build + 4
        pad = 2 * spot.blur
        box = (
            max(0, int(spot.cx - half - pad)),
            max(0, int(spot.head_top - 0.3 * ppm - pad)),
            min(self.w, int(spot.cx + half + pad) + 1),
            min(self.h, int(spot.feet + 0.1 * ppm + pad) + 1),
        )
        if box[2] <= box[0] or box[3] <= box[1]:
            return None
        before = image.crop(box)
        patch = before.copy()
        pencil = _Pencil(patch, self.rnd, self.u, self.style)
        head = _person(pencil, spot, look, colours, light_side, (box[0], box[1]), self.angle)
        mask = ImageChops.difference(before, patch).convert("L").point(lambda v: 255 if v else 0)
        blur = ImageFilter.GaussianBlur(spot.blur)
        image.paste(patch.filter(blur), box[:2], mask.filter(blur))
        mx, my = head.mouth
        return _Head(head.top + box[1], head.chin + box[1], head.cx + box[0], head.width,
                     (mx + box[0], my + box[1]), head.side)  # fmt: skip

    def _person_colours(self, spot: _Placed, look: _Look) -> dict[str, RGB]:
        """A figure's colours under the scene's light; its own colour stays recognisable."""
        colour = _hex(spot.figure.color)
        if spot.figure.role == "listener" and not spot.foreground:
            colour = _mix(colour, self.style.paper, 0.1)
        light = max(self.env.light, 0.88) * (0.7 if spot.foreground else 1.0)
        tint = _mix(self.env.tint, (255, 255, 255), 0.7)  # people stay recognisable at night

        def wash(c: RGB) -> RGB:
            return _mix(_lit(c, light, tint), self.env.air, spot.haze)

        skin = _mix(self.style.paper, look.skin, 0.9)
        return {
            "cloth": wash(colour),
            "shade": wash(_lit(colour, 0.74)),
            "legs": wash(_mix(_lit(colour, 0.55), (60, 60, 66), 0.35)),
            "legs_far": wash(_mix(_lit(colour, 0.45), (50, 50, 56), 0.35)),
            "skin": wash(skin),
            "skin_shade": wash(_lit(skin, 0.82)),
            "hair": wash(look.hair_color),
            "shoe": wash((44, 40, 40)),
        }

    # weather ---------------------------------------------------------------------------------

    def _weather(self, image: Image.Image, pencil: _Pencil) -> None:
        kind, rnd, u = self.weather, self.rnd, self.u
        if not kind:
            return
        areas: list[Box] = [(0, 0, self.w, self.h)]
        if self.setting == "int" and self.size != "insert":
            areas = list(self.env.windows)
        for x0, y0, x1, y1 in areas:
            area = (x1 - x0) * (y1 - y0) / (u * u * 1280 * 720)
            if "rain" in kind or "storm" in kind:
                slant = rnd.uniform(0.12, 0.3)
                colour = (210, 220, 235, 120) if self.time != "day" else (90, 100, 120, 110)
                for _ in range(int(420 * area) + 3):
                    x, y = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
                    length = rnd.uniform(16, 34) * u
                    end = (min(x1, x + slant * length), min(y1, y + length))
                    pencil.draw.line([(x, y), end], fill=colour, width=max(1, round(u)))
            elif "snow" in kind:
                for _ in range(int(300 * area) + 3):
                    x, y = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
                    r = rnd.uniform(1.0, 3.2) * u
                    pencil.draw.ellipse((x - r, y - r, x + r, y + r), fill=(252, 252, 255, 220))
            elif self._foggy() and self.setting == "int" and self.size != "insert":
                self._fog(image, (x0, y0, x1, y1), 0.62)
            elif "wind" in kind and self.setting == "ext":
                for _ in range(int(9 * area) + 1):  # gusts: a few parallel sweeping strokes
                    x, y = rnd.uniform(x0 - 100 * u, x1 * 0.75), rnd.uniform(y0, y1 * 0.7)
                    length, bend = rnd.uniform(160, 320) * u, rnd.uniform(-30, 30) * u
                    for k in range(rnd.randint(2, 3)):
                        dy = k * 9 * u
                        pts = [(x + length * t + k * 14 * u, y + dy + bend * math.sin(math.pi * t))
                               for t in np.linspace(0, 1, 12)]  # fmt: skip
                        pencil.line(pts, weight=0.9, alpha=0.6 - 0.12 * k, passes=1, smooth=True)
                for _ in range(int(40 * area) + 1):  # leaves in the air
                    x, y = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
                    r = rnd.uniform(2.5, 5) * u
                    pencil.draw.ellipse((x - r, y - r * 0.5, x + r, y + r * 0.5),
                                        fill=(120, 110, 70, 200))  # fmt: skip

    def _foggy(self) -> bool:
        return "fog" in self.weather or "mist" in self.weather

    def _fog(self, image: Image.Image, box: Box, strength: float) -> None:
        """A white veil over `box`, thickest at the horizon."""
        x0, y0, x1, y1 = box
        fog = Image.new("RGB", (max(1, round(x1 - x0)), max(1, round(y1 - y0))), (232, 232, 236))
        rows = np.linspace(0, 1, fog.height, dtype=np.float32)
        centre = (self.cam.horizon - y0) / max(1.0, y1 - y0)
        veil = np.clip(strength - 0.55 * strength * np.abs(rows - centre), 0.25 * strength, 1)
        mask = (veil * 255).astype(np.uint8)[:, None]
        alpha = Image.fromarray(mask, "L").resize(fog.size, Image.Resampling.NEAREST)
        image.paste(fog, (round(x0), round(y0)), alpha)

    # 2. finishing ----------------------------------------------------------------------------

    def finish(self, picture: Image.Image) -> Image.Image:
        """Bring the picture to the output size and lay the paper grain and vignette."""
        if self.ss > 1:
            picture = picture.reduce(self.ss)
        style = self.style
        if style.grain <= 0 and style.vignette <= 0:
            return picture
        w, h = picture.size
        shade = _vignette(w, h, style.vignette)
        if style.grain > 0:
            noise = np.random.default_rng(self.req.seed & 0xFFFFFFFFFFFFFFFF)
            small = noise.standard_normal(((h + 1) // 2, (w + 1) // 2), dtype=np.float32)
            grain = np.asarray(
                Image.fromarray(small, "F").resize((w, h), Image.Resampling.BILINEAR),
                dtype=np.float32,
            )
            shade = shade * (1.0 - style.grain * 0.5 + style.grain * 0.25 * grain)
        mult = Image.fromarray(np.clip(shade * 255, 0, 255).astype(np.uint8), "L")
        return ImageChops.multiply(picture, Image.merge("RGB", (mult, mult, mult)))

    # 3. overlays -----------------------------------------------------------------------------

    def overlays(self, image: Image.Image, refs: Sequence[_Reference]) -> None:
        """Camera move arrows, name labels, shot label, location, references and caption."""
        draw = ImageDraw.Draw(image, "RGBA")
        width, height = image.size
        o = height / 720
        comp = self.comp
        band_top = self._caption(draw, width, height, o)
        if comp is None:
            return
        label = comp.label or f"{self.size.upper()} · {self.angle.upper()}"
        top = _pill(draw, (round(10 * o) + 2, round(10 * o) + 2), label, max(8, round(17 * o)),
                    max_width=width * 0.5, anchor="left")  # fmt: skip
        setting = {"int": "INT.", "ext": "EXT.", "int/ext": "INT./EXT."}[self.setting]
        place = " ".join(part for part in (setting, comp.location.upper()) if part)
        place = f"{place} — {comp.time_of_day.upper() or 'DAY'}"
        _pill(draw, (width - round(10 * o) - 2, round(10 * o) + 2), place, max(8, round(15 * o)),
              max_width=width * 0.45, anchor="right")  # fmt: skip
        if refs and height >= 360:
            self._insets(image, refs, top + round(8 * o), o)
        _move_arrows(draw, _move(comp.label), width, height, band_top, o)
        self._name_tags(draw, width, height, top, band_top, o)

    def _caption(self, draw: ImageDraw.ImageDraw, width: int, height: int, o: float) -> float:
        """The caption band at the bottom; returns its top edge."""
        comp = self.comp
        text = (comp.caption if comp is not None else "") or (
            self.req.prompt if comp is None else ""
        )
        if not text.strip():
            return float(height)
        size = max(9, round(26 * o))
        face = font(size)
        lines = wrap(text, face, width * 0.9, max_lines=3 if height >= 360 else 2)
        pad = max(3, round(11 * o))
        line_h = round(size * 1.28)
        band = pad * 2 + line_h * len(lines)
        top = height - band
        draw.rectangle((0, top, width, height), fill=(18, 18, 20, 214))
        for i, line in enumerate(lines):
            y = top + pad + i * line_h + line_h / 2
            draw.text((width / 2, y), line, font=face, fill=(244, 240, 230, 255), anchor="mm")
        return float(top)

    def _insets(self, image: Image.Image, refs: Sequence[_Reference], top: int, o: float) -> None:
        """Small reference thumbnails under the location label, right-aligned."""
        size = round(0.13 * image.height)
        x = image.width - round(10 * o) - 2
        draw = ImageDraw.Draw(image, "RGBA")
        for ref in refs[:3]:
            thumb = ref.thumb.copy()
            thumb.thumbnail((size * 2, size), Image.Resampling.BILINEAR)
            x -= thumb.width
            border = max(1, round(2 * o))
            draw.rectangle((x - border, top - border, x + thumb.width + border - 1,
                            top + thumb.height + border - 1), fill=(246, 244, 238))  # fmt: skip
            image.paste(thumb, (x, top))
            x -= round(8 * o)

    def _name_tags(
        self, draw: ImageDraw.ImageDraw, width: int, height: int, top: int, band: float, o: float
    ) -> None:
        """Each name near its figure: above the head when there is room, else on the chest."""
        size = max(8, round(15 * o))
        bold = font(size, weight="bold")
        pad = max(2, round(5 * o))
        tag_h = size + 2 * pad
        placed: list[Box] = []
        for tag in self.tags + self.prop_tags:
            if not tag.name.strip():
                continue
            x, above = self._to_output(tag.x, tag.above)
            _, below = self._to_output(tag.x, tag.below)
            text = tag.name.upper()
            tw = text_width(bold, text) + 2 * pad + (size if tag.role != "prop" else 0)
            y = above - tag_h - 6 * o
            if y < top + 4 * o:
                y = below
            y = max(top + 4 * o, min(y, band - tag_h - 4 * o))
            x0 = max(4 * o, min(x - tw / 2, width - tw - 4 * o))
            for _ in range(len(placed)):
                if not any(_overlap((x0, y, x0 + tw, y + tag_h), other) for other in placed):
                    break
                y = y + tag_h + 3 * o if y + 2 * tag_h < band else y - tag_h - 3 * o
            placed.append((x0, y, x0 + tw, y + tag_h))
            _tag(draw, (x0, y, x0 + tw, y + tag_h), text, bold, tag, pad, size)
            if tag.role == "speaker" and tag.mouth is not None:
                mouth = self._to_output(*tag.mouth)
                _speech_marks(draw, mouth, tag.head / self.ss, tag.side, o)

    def _to_output(self, x: float, y: float) -> Point:
        """A picture point as it lands in the output (after the Dutch tilt and downscaling)."""
        if self.tilt:
            cx, cy = self.w / 2, self.h / 2
            a = math.radians(-self.tilt)
            x, y = (
                cx + (x - cx) * math.cos(a) - (y - cy) * math.sin(a),
                cy + (x - cx) * math.sin(a) + (y - cy) * math.cos(a),
            )
        return x / self.ss, y / self.ss


def _speech_marks(
    draw: ImageDraw.ImageDraw, mouth: Point, head: float, side: int, o: float
) -> None:
    """Little arcs just off the speaker's cheek, by the mouth: "this one is talking"."""
    x, y = mouth
    cx = x + side * head * 0.5
    width = max(1, min(round(4 * o) + 1, round(head * 0.018)))
    for i in range(3):
        r = max(3.0, head * (0.07 + 0.07 * i))
        box = (cx - r, y - r, cx + r, y + r)
        start, end = (-40, 40) if side > 0 else (140, 220)
        draw.arc(box, start, end, fill=(28, 26, 30, 220), width=width)


# --- the person ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Head:
    """Where a drawn person's head ended up (patch pixels), for labels and speech marks."""

    top: float
    chin: float
    cx: float
    width: float
    mouth: Point
    side: int  # which way speech goes: -1 left, 1 right, 0 towards the middle of the frame


# Hair outlines in head units (x: -1 … 1 across the head, y: -1 top … 1 chin), facing right.
_HAIR_FRONT = ((-1.08, 0.05), (-1.02, -0.5), (-0.62, -0.97), (0, -1.13), (0.62, -0.97),
               (1.02, -0.5), (1.08, 0.05), (0.9, -0.32), (0.45, -0.58), (-0.2, -0.6),
               (-0.8, -0.42))  # fmt: skip
_HAIR_SIDE = ((0.62, -0.72), (0.3, -1.08), (-0.35, -1.12), (-0.95, -0.68), (-1.1, 0.0),
              (-0.98, 0.48), (-0.62, 0.38), (-0.42, -0.05), (-0.1, -0.45),
              (0.35, -0.56))  # fmt: skip
_HAIR_LONG_FRONT = ((-1.1, -0.5), (1.1, -0.5), (1.25, 1.3), (-1.25, 1.3))
_HAIR_LONG_SIDE = ((-0.2, -1.0), (-1.1, -0.6), (-1.25, 1.3), (-0.35, 1.3), (-0.4, 0.4))


def _person(
    pencil: _Pencil,
    spot: _Placed,
    look: _Look,
    colours: dict[str, RGB],
    light_side: int,
    origin: tuple[int, int],
    angle: str,
) -> _Head:
    """Draw a standing person in body metres (feet at 0, head top at 1.75 × their height).

    Front and back views share one construction; a profile is drawn facing right and mirrored
    for "left". Returns where the head is, for the name label and the speech marks."""
    ppm, k, b = spot.ppm, look.height, look.build
    facing = spot.facing
    m = -1 if facing == "left" else 1
    profile = facing in ("left", "right")
    back_view = facing == "away"
    taper = {"high": 0.22, "low": -0.18}.get(angle, 0.0)
    ox, oy = origin
    rnd = pencil.rnd
    u = pencil.u

    def at(x: float, y: float) -> Point:
        scale = 1 + taper * (y / 1.75 - 0.5)
        return (spot.cx - ox + m * x * ppm * scale, spot.feet - oy - y * k * ppm)

    def poly(points: Sequence[Point]) -> list[Point]:
        return [at(x, y) for x, y in points]

    def limb(points: Sequence[Point], thick: float, colour: RGB, *, cap: bool = True) -> None:
        """A round-ended limb with a pencil edge; the joint it starts from is not outlined."""
        pts = poly(points)
        width = max(1, round(thick * ppm))
        edge = max(1, min(pencil.width(1.0), round(width * 0.2)))
        lead = _alpha(pencil.style.lead, 0.8)
        for fill, w in ((lead, width + 2 * edge), (colour, width)):
            pencil.draw.line(pts, fill=fill, width=w, joint="curve")
            ends = [pts[-1], pts[0]] if cap and fill == colour else [pts[-1]]
            for px, py in ends:
                pencil.draw.ellipse((px - w / 2, py - w / 2, px + w / 2, py + w / 2), fill=fill)

    def hand(x: float, y: float) -> None:
        hx, hy = at(x, y)
        rx, ry = 0.036 * ppm * b, 0.05 * k * ppm
        pencil.ellipse((hx - rx, hy - ry * 0.6, hx + rx, hy + ry * 1.2), colours["skin"],
                       weight=0.6)  # fmt: skip

    role = spot.figure.role
    gesture = role == "speaker" and rnd.random() < 0.7
    pose = "gesture" if gesture else rnd.choice(("down", "down", "hips"))
    cloth, legs, skin, hair = colours["cloth"], colours["legs"], colours["skin"], colours["hair"]
    sw, waist, hips = 0.2 * b, 0.14 * b, 0.16 * b
    shade_side = -light_side * m

    # 1. legs and shoes (the far leg and arm first in profile)
    if profile:
        st = rnd.uniform(0.04, 0.1)
        limb(((-0.01, 0.86), (-0.01 - st, 0.48), (-0.03 - 1.5 * st, 0.08)), 0.115 * b,
             colours["legs_far"])  # fmt: skip
        limb(((-0.01, 1.38), (-0.06, 1.12), (-0.06, 0.88)), 0.08 * b, colours["shade"])
        limb(((0.02, 0.86), (0.03 + st, 0.48), (0.04 + 1.5 * st, 0.08)), 0.115 * b, legs)
        feet = ((-0.03 - 1.5 * st, 0.08), (0.04 + 1.5 * st, 0.08))
    else:
        for side in (-1, 1):
            limb(((side * 0.085 * b, 0.86), (side * 0.095 * b, 0.48), (side * 0.095 * b, 0.08)),
                 0.115 * b, legs)  # fmt: skip
        feet = ((-0.095 * b, 0.08), (0.095 * b, 0.08))
    for fx, _ in feet:
        toe = 0.05 if profile else 0.0
        (ax, ay), (bx, by) = at(fx - 0.065 + toe, 0.085), at(fx + 0.065 + toe, 0.0)
        pencil.ellipse((min(ax, bx), ay, max(ax, bx), by), colours["shoe"], weight=0.6)

    # 2. arms that hang behind the body's outline, long hair, the neck
    arms: list[tuple[Point, Point, Point]] = []
    if not profile:
        for side in (-1, 1):
            shoulder = (side * (sw - 0.03), 1.39)
            if pose == "gesture" and side == -shade_side:
                arms.append((shoulder, (side * (sw + 0.07), 1.12), (side * (sw - 0.06), 1.24)))
            elif pose == "hips":
                arms.append((shoulder, (side * (sw + 0.1), 1.14), (side * (waist + 0.03), 1.0)))
            else:
                arms.append((shoulder, (side * (sw + 0.035), 1.11), (side * (sw + 0.02), 0.87)))
        for arm in arms:
            if arm[2][1] < 1.2:
                limb(arm, 0.08 * b, cloth, cap=False)
    head_x = 0.012 if profile else 0.0
    hc = at(head_x, 1.635)
    rx, ry = (0.098 if profile else 0.083) * ppm, 0.115 * k * ppm

    def head(x: float, y: float) -> Point:
        return (hc[0] + m * x * rx, hc[1] + y * ry)

    if look.hair == "long" and not back_view:
        pencil.shape([head(x, y) for x, y in (_HAIR_LONG_SIDE if profile else _HAIR_LONG_FRONT)],
                     hair, weight=0.7)  # fmt: skip
    neck = (-0.045, 1.45, 0.045, 1.56) if not profile else (-0.06, 1.45, 0.035, 1.56)
    pencil.shape(poly(((neck[0], neck[1]), (neck[2], neck[1]), (neck[2], neck[3]),
                       (neck[0], neck[3]))), colours["skin_shade"], weight=0.6)  # fmt: skip

    # 3. the torso (a coat reaches the knees), shaded away from the light
    if profile:
        torso = [(-0.05, 1.5), (-0.09, 1.46), (-0.115, 1.38), (-0.12, 1.28), (-0.1, 1.12),
                 (-0.105, 1.0), (-0.125, 0.9), (-0.1, 0.82), (0.08, 0.82), (0.1, 0.9),
                 (0.09, 1.0), (0.085, 1.1), (0.12, 1.25), (0.11, 1.38), (0.06, 1.46),
                 (0.03, 1.5)]  # fmt: skip
        if look.outfit == "coat":
            torso[6:10] = [(-0.13, 0.9), (-0.16, 0.56), (0.14, 0.56), (0.11, 0.9)]
    else:
        torso = [(-0.055, 1.49), (-(sw - 0.035), 1.455), (-sw, 1.41), (-(sw - 0.005), 1.33),
                 (-0.165 * b, 1.24), (-waist, 1.04), (-hips, 0.9), (-(hips - 0.01), 0.82),
                 (0, 0.8), (hips - 0.01, 0.82), (hips, 0.9), (waist, 1.04), (0.165 * b, 1.24),
                 (sw - 0.005, 1.33), (sw, 1.41), (sw - 0.035, 1.455), (0.055, 1.49)]  # fmt: skip
        if look.outfit == "coat":
            torso[6:11] = [(-(hips + 0.02), 0.9), (-(hips + 0.06), 0.56), (hips + 0.06, 0.56),
                           (hips + 0.02, 0.9)]  # fmt: skip
    torso_px = poly(torso)
    pencil.shape(torso_px, cloth, outline=False)
    shadow = _half(torso_px, at(0.0, 1.2)[0] + shade_side * 0.05 * ppm, shade_side)
    if len(shadow) >= 3:
        pencil.draw.polygon(shadow, fill=colours["shade"])
        if ppm > 260 * u:
            pencil.hatch(shadow, spacing=max(4.0, 0.028 * ppm), alpha=0.22)
    pencil.line(torso_px, closed=True)
    if look.outfit == "coat" and ppm > 200 * u:  # lapels
        pencil.line(poly(((-0.05, 1.49), (0.0, 1.2), (0.05, 1.49))), weight=0.8, alpha=0.7)

    # 4. arms in front, then hands
    if profile:
        arm = ((0.0, 1.38), (0.08, 1.13), (0.25, 1.22)) if gesture else (
            (0.0, 1.38), (0.03, 1.12), (0.06, 0.88))  # fmt: skip
        limb(arm, 0.08 * b, cloth)
        hand(*arm[2])
    else:
        for arm in arms:
            if arm[2][1] >= 1.2:
                limb(arm, 0.08 * b, cloth)
            if pose != "hips" or arm[2][1] >= 1.2:
                hand(*arm[2])

    # 5. the head: ears, face, shading, hair, features
    detail = rx >= 9 * u
    if not profile and not back_view:
        for side in (-1, 1):
            ex, ey = head(side * 1.0, 0.05)
            pencil.ellipse((ex - rx * 0.17, ey - ry * 0.2, ex + rx * 0.17, ey + ry * 0.22), skin,
                           weight=0.6)  # fmt: skip
    bald = look.hair == "bald"
    face_fill = hair if back_view and not bald else skin
    box = (hc[0] - rx, hc[1] - ry, hc[0] + rx, hc[1] + ry)
    pencil.ellipse(box, face_fill)
    if profile:
        pencil.shape([head(0.92, -0.08), head(1.2, 0.36), head(0.95, 0.44)], skin, weight=0.6)
        ex, ey = head(-0.18, 0.06)
        pencil.ellipse((ex - rx * 0.13, ey - ry * 0.2, ex + rx * 0.13, ey + ry * 0.2), skin,
                       weight=0.6)  # fmt: skip
    if not back_view:
        ring = _ellipse_points(box, rnd, wobble=0.0, n=24)[:24]
        dark = _half(ring, hc[0] + shade_side * rx * 0.2, shade_side)
        if len(dark) >= 3:
            pencil.draw.polygon(dark, fill=_alpha(colours["skin_shade"], 0.45))
    if not bald and not back_view:
        outline = _HAIR_SIDE if profile else _HAIR_FRONT
        pencil.shape([head(x, y) for x, y in outline], hair, weight=0.8)
    if look.hair == "bun":
        bx, by = head(-0.7, -0.88) if profile else head(0.0, -1.12)
        r = rx * 0.32
        pencil.ellipse((bx - r, by - r, bx + r, by + r), hair, weight=0.6)
    elif look.hair == "curly" and not back_view:
        for i in range(7):
            t = math.pi * (0.08 + 0.14 * i)
            cx, cy = head(-math.cos(t) * 0.95, -math.sin(t) * 0.9 - 0.05)
            r = rx * 0.22
            pencil.ellipse((cx - r, cy - r, cx + r, cy + r), hair, weight=0.5)
    elif look.hair == "long" and back_view:
        pencil.shape([head(x, y) for x, y in _HAIR_LONG_FRONT], hair, weight=0.7)
    mouth = head(0.8, 0.62) if profile else head(0.0, 0.62)
    if detail and not back_view:
        _face(pencil, head, rx, profile=profile, speaking=role == "speaker")
    return _Head(hc[1] - ry * 1.15, hc[1] + ry, hc[0], 2 * rx, mouth, m if profile else 0)


def _face(
    pencil: _Pencil,
    head: Any,
    rx: float,
    *,
    profile: bool,
    speaking: bool,
) -> None:
    """Eyes, brows, nose and mouth; almond eyes with irises once the head is big enough."""
    draw = pencil.draw
    ink = _alpha(pencil.style.lead, 0.92)
    soft = _alpha(pencil.style.lead, 0.55)
    thin = max(1, round(rx * 0.03))
    eyes = (0.55,) if profile else (-0.4, 0.4)
    for ex in eyes:
        cx, cy = head(ex, 0.02)
        if rx >= 55:
            ew, eh = rx * (0.15 if profile else 0.2), rx * 0.085
            upper = [
                (cx + ew * math.cos(t), cy - eh * math.sin(t)) for t in np.linspace(0, math.pi, 9)
            ]
            lower = [
                (cx - ew * math.cos(t), cy + eh * 0.8 * math.sin(t))
                for t in np.linspace(0, math.pi, 9)
            ]
            draw.polygon(upper + lower, fill=(240, 236, 226, 255))
            r = eh * 0.85
            ix = cx + (ew * 0.3 if profile else 0.0)
            draw.ellipse((ix - r, cy - r, ix + r, cy + r), fill=(72, 58, 48, 255))
            draw.ellipse((ix - r * 0.45, cy - r * 0.45, ix + r * 0.45, cy + r * 0.45),
                         fill=(20, 18, 18, 255))  # fmt: skip
            draw.line(upper, fill=ink, width=max(1, round(rx * 0.035)), joint="curve")
        else:
            r = max(1.0, rx * 0.08)
            draw.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), fill=ink)
        brow = [head(ex - 0.2, -0.2), head(ex, -0.27), head(ex + 0.2, -0.22)]
        if not profile:
            brow = [head(ex - 0.2 * (1 if ex > 0 else -1) * d, y) for d, y in ((1.0, -0.2),
                    (0.0, -0.27), (-1.0, -0.22))]  # fmt: skip
        draw.line(brow, fill=ink, width=max(1, round(rx * 0.045)), joint="curve")
    if not profile:
        draw.line([head(0.03, 0.12), head(0.1, 0.4), head(-0.06, 0.45)], fill=soft, width=thin)
    if speaking:
        (ax, ay), (bx, by) = (head(0.62, 0.54), head(0.9, 0.72)) if profile else (
            head(-0.2, 0.54), head(0.2, 0.74))  # fmt: skip
        draw.ellipse((min(ax, bx), ay, max(ax, bx), by), fill=(92, 42, 42, 235))
    else:
        pts = [head(0.62, 0.63), head(0.92, 0.6)] if profile else [
            head(-0.26, 0.6), head(0.0, 0.64), head(0.26, 0.6)]  # fmt: skip
        draw.line(pts, fill=ink, width=max(1, round(rx * 0.035)), joint="curve")


# --- props -----------------------------------------------------------------------------------

_Shape = tuple[str, tuple[float, ...], str]  # ("poly" | "ellipse" | "line", coords in 0…1, role)

# name → (height in metres, width/height, colour, shapes); coordinates are in the prop's box.
_ICONS: dict[str, tuple[float, float, RGB, tuple[_Shape, ...]]] = {
    "door": (2.1, 0.45, (138, 106, 74), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("poly", (0.15, 0.06, 0.85, 0.06, 0.85, 0.45, 0.15, 0.45), "light"),
        ("poly", (0.15, 0.52, 0.85, 0.52, 0.85, 0.94, 0.15, 0.94), "light"),
        ("ellipse", (0.74, 0.48, 0.86, 0.53), "metal"))),
    "window": (1.3, 1.0, (200, 190, 170), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "light"),
        ("poly", (0.08, 0.08, 0.46, 0.08, 0.46, 0.46, 0.08, 0.46), "glass"),
        ("poly", (0.54, 0.08, 0.92, 0.08, 0.92, 0.46, 0.54, 0.46), "glass"),
        ("poly", (0.08, 0.54, 0.46, 0.54, 0.46, 0.92, 0.08, 0.92), "glass"),
        ("poly", (0.54, 0.54, 0.92, 0.54, 0.92, 0.92, 0.54, 0.92), "glass"))),
    "car": (1.45, 2.8, (150, 60, 52), (
        ("poly", (0, 0.45, 0.05, 0.38, 0.27, 0.33, 0.37, 0.05, 0.72, 0.05, 0.85, 0.33,
                  0.98, 0.4, 1, 0.55, 1, 0.8, 0, 0.8), "main"),
        ("poly", (0.4, 0.11, 0.55, 0.11, 0.55, 0.33, 0.32, 0.33), "glass"),
        ("poly", (0.58, 0.11, 0.7, 0.11, 0.8, 0.33, 0.58, 0.33), "glass"),
        ("ellipse", (0.12, 0.62, 0.3, 1.0), "dark"), ("ellipse", (0.7, 0.62, 0.88, 1.0), "dark"),
        ("ellipse", (0.17, 0.72, 0.25, 0.9), "metal"),
        ("ellipse", (0.75, 0.72, 0.83, 0.9), "metal"),
        ("ellipse", (0.94, 0.44, 0.99, 0.52), "glow"))),
    "boat": (1.6, 2.4, (72, 98, 128), (
        ("line", (0.5, 0.0, 0.5, 0.32), "dark"),
        ("poly", (0.34, 0.3, 0.66, 0.3, 0.66, 0.56, 0.34, 0.56), "light"),
        ("poly", (0.41, 0.36, 0.59, 0.36, 0.59, 0.47, 0.41, 0.47), "glass"),
        ("poly", (0, 0.55, 1, 0.55, 0.86, 1, 0.12, 1), "main"))),
    "radio": (0.25, 1.5, (120, 92, 64), (
        ("line", (0.8, 0.16, 0.98, 0.0), "dark"),
        ("poly", (0, 0.15, 1, 0.15, 1, 1, 0, 1), "main"),
        ("ellipse", (0.08, 0.3, 0.48, 0.9), "dark"),
        ("ellipse", (0.62, 0.35, 0.86, 0.6), "paper"))),
    "fire": (0.6, 1.2, (96, 70, 50), (
        ("poly", (0.2, 0.88, 0.28, 0.35, 0.42, 0.6, 0.5, 0.0, 0.6, 0.55, 0.73, 0.3, 0.8, 0.88),
         "flame"),
        ("poly", (0.36, 0.88, 0.45, 0.5, 0.52, 0.62, 0.6, 0.45, 0.66, 0.88), "glow"),
        ("poly", (0, 0.82, 1, 0.72, 1, 0.86, 0, 0.96), "dark"),
        ("poly", (0, 0.72, 1, 0.84, 1, 0.98, 0, 0.86), "main"))),
    "lens": (1.1, 0.85, (150, 180, 190), (
        ("ellipse", (0, 0, 1, 1), "glass"),
        ("ellipse", (0.14, 0.12, 0.86, 0.88), "none"),
        ("ellipse", (0.28, 0.26, 0.72, 0.74), "none"),
        ("ellipse", (0.42, 0.4, 0.58, 0.6), "glow"))),
    "crank": (0.45, 1.0, (150, 150, 150), (
        ("poly", (0.3, 0.62, 0.7, 0.62, 0.8, 1, 0.2, 1), "dark"),
        ("poly", (0.45, 0.45, 0.92, 0.12, 0.98, 0.2, 0.55, 0.56), "metal"),
        ("ellipse", (0.34, 0.34, 0.66, 0.66), "metal"),
        ("ellipse", (0.86, 0.0, 1.0, 0.2), "dark"))),
    "beacon": (1.0, 0.6, (176, 60, 52), (
        ("ellipse", (0.05, 0.0, 0.95, 0.58), "glow"),
        ("line", (0.2, 0.1, 0.2, 0.55), "dark"), ("line", (0.8, 0.1, 0.8, 0.55), "dark"),
        ("line", (0.5, 0.0, 0.5, 0.55), "dark"),
        ("poly", (0.15, 0.55, 0.85, 0.55, 0.95, 1, 0.05, 1), "main"))),
    "wheel": (0.9, 1.0, (120, 86, 56), (
        ("line", (0.5, 0.0, 0.5, 1.0), "dark"), ("line", (0.0, 0.5, 1.0, 0.5), "dark"),
        ("line", (0.15, 0.15, 0.85, 0.85), "dark"), ("line", (0.85, 0.15, 0.15, 0.85), "dark"),
        ("ellipse", (0.08, 0.08, 0.92, 0.92), "none"),
        ("ellipse", (0.16, 0.16, 0.84, 0.84), "none"),
        ("ellipse", (0.38, 0.38, 0.62, 0.62), "main"))),
    "kettle": (0.25, 1.3, (160, 166, 172), (
        ("line", (0.25, 0.3, 0.3, 0.05, 0.7, 0.05, 0.75, 0.3), "dark"),
        ("poly", (0.85, 0.58, 1.0, 0.3, 1.0, 0.4, 0.9, 0.72), "main"),
        ("poly", (0.15, 0.3, 0.85, 0.3, 0.95, 1, 0.05, 1), "main"),
        ("ellipse", (0.3, 0.2, 0.7, 0.36), "light"))),
    "table": (0.75, 2.0, (139, 107, 76), (
        ("poly", (0.06, 0.1, 0.1, 0.1, 0.1, 1, 0.06, 1), "dark"),
        ("poly", (0.9, 0.1, 0.94, 0.1, 0.94, 1, 0.9, 1), "dark"),
        ("poly", (0, 0, 1, 0, 0.98, 0.12, 0.02, 0.12), "main"))),
    "chair": (0.95, 0.55, (122, 91, 67), (
        ("poly", (0.1, 0, 0.9, 0, 0.9, 0.14, 0.1, 0.14), "main"),
        ("poly", (0.1, 0, 0.18, 0, 0.18, 0.55, 0.1, 0.55), "dark"),
        ("poly", (0.82, 0, 0.9, 0, 0.9, 0.55, 0.82, 0.55), "dark"),
        ("poly", (0.05, 0.5, 1, 0.5, 0.95, 0.6, 0, 0.6), "main"),
        ("poly", (0.05, 0.6, 0.12, 0.6, 0.12, 1, 0.05, 1), "dark"),
        ("poly", (0.86, 0.6, 0.93, 0.6, 0.93, 1, 0.86, 1), "dark"))),
    "bed": (0.8, 2.4, (111, 125, 150), (
        ("poly", (0, 0, 0.08, 0, 0.08, 1, 0, 1), "dark"),
        ("poly", (0.06, 0.35, 1, 0.35, 1, 0.8, 0.06, 0.8), "main"),
        ("ellipse", (0.1, 0.2, 0.32, 0.45), "paper"),
        ("poly", (0.06, 0.8, 0.1, 0.8, 0.1, 1, 0.06, 1), "dark"),
        ("poly", (0.95, 0.8, 1, 0.8, 1, 1, 0.95, 1), "dark"))),
    "candle": (0.3, 0.32, (239, 230, 207), (
        ("ellipse", (0.3, 0.0, 0.7, 0.27), "glow"),
        ("line", (0.5, 0.24, 0.5, 0.33), "dark"),
        ("poly", (0.22, 0.32, 0.78, 0.32, 0.78, 0.94, 0.22, 0.94), "main"),
        ("ellipse", (0.0, 0.9, 1.0, 1.0), "metal"))),
    "lamp": (1.6, 0.4, (216, 200, 160), (
        ("poly", (0.47, 0.25, 0.53, 0.25, 0.53, 0.95, 0.47, 0.95), "dark"),
        ("ellipse", (0.2, 0.92, 0.8, 1), "dark"),
        ("poly", (0.15, 0, 0.85, 0, 1, 0.25, 0, 0.25), "light"))),
    "phone": (0.15, 0.5, (43, 45, 51), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("poly", (0.08, 0.07, 0.92, 0.07, 0.92, 0.86, 0.08, 0.86), "glass"),
        ("ellipse", (0.4, 0.89, 0.6, 0.97), "metal"))),
    "letter": (0.2, 1.45, (244, 236, 220), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("line", (0.1, 0.2, 0.85, 0.2), "dark"), ("line", (0.1, 0.35, 0.9, 0.35), "dark"),
        ("line", (0.1, 0.5, 0.8, 0.5), "dark"), ("line", (0.1, 0.65, 0.88, 0.65), "dark"),
        ("line", (0.1, 0.8, 0.5, 0.8), "dark"))),
    "envelope": (0.16, 1.6, (236, 224, 196), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("line", (0, 0, 0.5, 0.55, 1, 0), "dark"))),
    "photo": (0.15, 1.3, (96, 120, 140), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "paper"),
        ("poly", (0.07, 0.07, 0.93, 0.07, 0.93, 0.8, 0.07, 0.8), "glass"),
        ("poly", (0.07, 0.8, 0.35, 0.4, 0.55, 0.65, 0.7, 0.5, 0.93, 0.8), "main"))),
    "book": (0.24, 0.75, (109, 59, 59), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("poly", (0, 0, 0.13, 0, 0.13, 1, 0, 1), "dark"),
        ("line", (0.3, 0.25, 0.85, 0.25), "dark"), ("line", (0.3, 0.33, 0.75, 0.33), "dark"))),
    "gun": (0.14, 1.6, (58, 60, 64), (
        ("poly", (0, 0.05, 1, 0.05, 1, 0.38, 0, 0.38), "main"),
        ("poly", (0.62, 0.36, 0.95, 0.36, 0.88, 1, 0.58, 1), "dark"),
        ("ellipse", (0.42, 0.34, 0.62, 0.66), "none"))),
    "knife": (0.06, 5.0, (168, 173, 179), (
        ("poly", (0, 0.55, 0.18, 0.08, 0.62, 0.08, 0.62, 0.92), "main"),
        ("poly", (0.62, 0.12, 1, 0.12, 1, 0.88, 0.62, 0.88), "dark"))),
    "cup": (0.1, 1.1, (201, 211, 220), (
        ("ellipse", (0.62, 0.3, 1.0, 0.75), "none"),
        ("poly", (0.05, 0.1, 0.75, 0.1, 0.7, 1, 0.1, 1), "main"),
        ("ellipse", (0.05, 0.0, 0.75, 0.2), "light"))),
    "glass": (0.15, 0.6, (190, 120, 90), (
        ("poly", (0, 0, 1, 0, 0.85, 1, 0.15, 1), "glass"),
        ("poly", (0.05, 0.4, 0.95, 0.4, 0.85, 1, 0.15, 1), "main"))),
    "bottle": (0.32, 0.3, (79, 122, 82), (
        ("poly", (0.35, 0, 0.65, 0, 0.65, 0.26, 0.35, 0.26), "main"),
        ("poly", (0, 0.4, 0.3, 0.25, 0.7, 0.25, 1, 0.4, 1, 1, 0, 1), "main"),
        ("poly", (0, 0.55, 1, 0.55, 1, 0.8, 0, 0.8), "paper"))),
    "key": (0.04, 2.5, (201, 166, 70), (
        ("ellipse", (0, 0, 0.38, 1), "main"),
        ("poly", (0.35, 0.4, 1, 0.4, 1, 0.6, 0.35, 0.6), "main"),
        ("poly", (0.75, 0.6, 0.82, 0.6, 0.82, 0.85, 0.75, 0.85), "main"),
        ("poly", (0.88, 0.6, 0.95, 0.6, 0.95, 0.8, 0.88, 0.8), "main"))),
    "bag": (0.45, 1.35, (107, 74, 53), (
        ("line", (0.35, 0.2, 0.38, 0, 0.62, 0, 0.65, 0.2), "dark"),
        ("poly", (0, 0.2, 1, 0.2, 1, 1, 0, 1), "main"),
        ("poly", (0.2, 0.3, 0.28, 0.3, 0.28, 0.4, 0.2, 0.4), "metal"),
        ("poly", (0.72, 0.3, 0.8, 0.3, 0.8, 0.4, 0.72, 0.4), "metal"))),
    "clock": (0.3, 1.0, (138, 106, 58), (
        ("ellipse", (0, 0, 1, 1), "main"),
        ("ellipse", (0.09, 0.09, 0.91, 0.91), "paper"),
        ("line", (0.5, 0.5, 0.5, 0.2), "dark"), ("line", (0.5, 0.5, 0.72, 0.56), "dark"))),
    "tree": (7.0, 0.7, (94, 74, 56), (
        ("poly", (0.44, 0.55, 0.56, 0.55, 0.6, 1, 0.4, 1), "dark"),
        ("ellipse", (0.05, 0.18, 0.6, 0.66), "foliage"),
        ("ellipse", (0.38, 0.12, 0.95, 0.6), "foliage"),
        ("ellipse", (0.2, 0.0, 0.78, 0.45), "foliage"))),
    "box": (0.4, 1.2, (176, 138, 90), (
        ("poly", (0, 0.25, 0.8, 0.25, 0.8, 1, 0, 1), "main"),
        ("poly", (0, 0.25, 0.2, 0, 1, 0, 0.8, 0.25), "light"),
        ("poly", (0.8, 0.25, 1, 0, 1, 0.75, 0.8, 1), "dark"))),
}  # fmt: skip

_ICON_WORDS: dict[str, tuple[str, ...]] = {
    "door": ("door", "gate", "doorway", "entrance"),
    "window": ("window",),
    "car": ("car", "taxi", "cab", "truck", "van", "jeep", "sedan", "vehicle", "bus"),
    "table": ("table", "desk", "counter", "bar", "workbench"),
    "chair": ("chair", "stool", "seat", "bench"),
    "bed": ("bed", "sofa", "couch", "bunk", "cot"),
    "candle": ("candle", "torch", "match", "lighter"),
    "lamp": ("lamp", "lantern", "light"),
    "phone": ("phone", "mobile", "cell", "tablet", "screen", "laptop"),
    "envelope": ("envelope", "mail"),
    "letter": ("letter", "note", "paper", "page", "document", "file", "script", "map", "card"),
    "photo": ("photo", "picture", "portrait", "painting", "frame"),
    "book": ("book", "diary", "journal", "notebook", "album", "bible"),
    "gun": ("gun", "handgun", "shotgun", "pistol", "revolver", "rifle", "weapon"),
    "knife": ("knife", "blade", "dagger", "sword", "razor", "scissors"),
    "cup": ("cup", "mug", "coffee", "tea", "bowl"),
    "glass": ("glass", "wine", "whisky", "whiskey", "drink", "beer"),
    "bottle": ("bottle", "flask", "jar", "vial", "pill"),
    "key": ("key",),
    "boat": ("boat", "ship", "yacht", "canoe", "dinghy", "ferry", "trawler", "raft"),
    "radio": ("radio", "transmitter", "receiver", "walkie"),
    "fire": ("fire", "campfire", "fireplace", "flame", "bonfire", "hearth"),
    "lens": ("lens", "magnifier"),
    "crank": ("crank", "lever", "winch"),
    "beacon": ("beacon", "lighthouse", "flare", "siren"),
    "wheel": ("wheel", "helm", "tyre", "tire"),
    "kettle": ("kettle", "pot", "teapot", "saucepan"),
    "bag": ("bag", "suitcase", "briefcase", "purse", "backpack", "luggage"),
    "clock": ("clock", "watch", "timer"),
    "tree": ("tree", "bush", "plant"),
}


_LYING = frozenset({"letter", "envelope", "photo", "book", "phone", "key", "knife", "gun"})
_FLAT = frozenset({"letter", "envelope", "photo", "book", "phone"})  # fill their whole box


@lru_cache(maxsize=256)
def _icon_for(name: str) -> str:
    """Which drawing stands for a prop noun ("the old letters" → letter); a box otherwise."""
    words = [w.strip(".,;:!?'\"()") for w in name.lower().split()]
    for icon, keys in _ICON_WORDS.items():
        for word in words:
            if any(word in (key, key + "s", key + "es") or (len(key) > 3 and word.endswith(key))
                   for key in keys):  # fmt: skip
                return icon
    return "box"


def _table_quad(cx: float, cy: float, w: float, h: float, tilt: float) -> list[Point]:
    """Corners (tl, tr, br, bl) of a w × h rectangle lying on a table, turned by `tilt`°,
    foreshortened and narrower at the far edge."""
    a = math.radians(tilt)
    corners = [(-w / 2 * 0.86, -h / 2), (w / 2 * 0.86, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return [
        (cx + x * math.cos(a) - y * 0.72 * math.sin(a), cy + x * math.sin(a) * 0.72 + y * 0.72)
        for x, y in corners
    ]


# --- small drawing helpers -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _glow_base() -> Image.Image:
    axis = (np.arange(128, dtype=np.float32) - 63.5) / 64
    d = np.sqrt(axis[None, :] ** 2 + axis[:, None] ** 2)
    return Image.fromarray((np.clip(1 - d, 0, 1) ** 2 * 255).astype(np.uint8), "L")


@lru_cache(maxsize=64)
def _glow_mask(radius: int, strength: int) -> Image.Image:
    """A soft round light, bright in the middle: an alpha mask 2·radius pixels wide."""
    mask = _glow_base().resize((2 * radius, 2 * radius), Image.Resampling.BILINEAR)
    return mask.point(lambda v: v * strength // 255) if strength < 255 else mask


def _glow(image: Image.Image, centre: Point, radius: float, colour: RGB, strength: float) -> None:
    """Lay a soft light of `colour` around `centre`."""
    r = max(4, min(int(radius / 8) * 8, 2 * max(image.size)))
    mask = _glow_mask(r, min(255, max(0, round(strength * 32)) * 8))  # few sizes: cached
    image.paste(colour, (round(centre[0] - r), round(centre[1] - r)), mask)


@lru_cache(maxsize=16)
def _vignette(width: int, height: int, strength: float) -> npt.NDArray[np.float32]:
    """1 in the middle, darker towards the corners."""
    x = np.linspace(-1, 1, width, dtype=np.float32)
    y = np.linspace(-1, 1, height, dtype=np.float32)
    d = x[None, :] ** 2 * 0.8 + y[:, None] ** 2
    return np.asarray(1 - strength * np.clip(d - 0.35, 0, None) ** 1.2, dtype=np.float32)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _pill(
    draw: ImageDraw.ImageDraw,
    at: tuple[int, int],
    text: str,
    size: int,
    *,
    max_width: float,
    anchor: Literal["left", "right"],
) -> int:
    """A dark rounded label at a top corner; returns its bottom edge."""
    face = font(size, weight="bold")
    pad = max(2, round(size * 0.45))
    lines = wrap(text, face, max_width - 2 * pad, max_lines=1)
    line = lines[0] if lines else ""
    tw = text_width(face, line)
    x0 = at[0] if anchor == "left" else at[0] - tw - 2 * pad
    box = (x0, at[1], x0 + tw + 2 * pad, at[1] + size + 2 * pad)
    draw.rounded_rectangle(box, radius=pad, fill=(20, 20, 22, 200))
    draw.text((x0 + pad, at[1] + pad + size / 2), line, font=face, fill=(246, 242, 232, 255),
              anchor="lm")  # fmt: skip
    return round(box[3])


def _tag(
    draw: ImageDraw.ImageDraw,
    box: Box,
    text: str,
    face: Any,
    tag: _Tag,
    pad: int,
    size: int,
) -> None:
    """A name label: the character's colour as a dot, then the name; the speaker's stands out."""
    speaker = tag.role == "speaker"
    back = (20, 20, 22, 215) if tag.role != "listener" else (40, 40, 44, 170)
    draw.rounded_rectangle(box, radius=pad, fill=back,
                           outline=(*tag.color, 255) if speaker else None,
                           width=max(1, size // 8))  # fmt: skip
    x = box[0] + pad
    cy = (box[1] + box[3]) / 2
    if tag.role != "prop":
        r = size * 0.34
        draw.ellipse((x, cy - r, x + 2 * r, cy + r), fill=(*tag.color, 255),
                     outline=(250, 250, 250, 255))  # fmt: skip
        x += size
    ink = (250, 246, 236, 255) if tag.role != "listener" else (206, 204, 198, 255)
    draw.text((x, cy), text, font=face, fill=ink, anchor="lm")


def _move_arrows(
    draw: ImageDraw.ImageDraw, move: str, width: int, height: int, band: float, o: float
) -> None:
    """Storyboard notation for the camera move, in red pencil."""
    if not move:
        return
    red = (214, 64, 46, 225)
    lw = max(1, round(3 * o))
    head = max(5.0, 14 * o)
    bottom = min(band, height) - 8 * o
    if move in ("in", "out"):
        # the frame the move ends on, dashed, with arrows from the corners
        s = 0.62
        x0, x1 = width * (1 - s) / 2, width * (1 + s) / 2
        y0, y1 = bottom * (1 - s) / 2 + 6 * o, bottom * (1 + s) / 2
        _dashed_box(draw, (x0, y0, x1, y1), red, lw, 14 * o)
        corners = ((0.0, 0.0, x0, y0), (width, 0.0, x1, y0), (0.0, bottom, x0, y1),
                   (width, bottom, x1, y1))  # fmt: skip
        for cx, cy, fx, fy in corners:
            a = (cx + (fx - cx) * 0.45, cy + (fy - cy) * 0.45)
            b = (cx + (fx - cx) * 0.92, cy + (fy - cy) * 0.92)
            _arrow(draw, a if move == "in" else b, b if move == "in" else a, red, lw, head)
        return
    y = bottom * 0.5
    arrows = {
        "pan-left": ((width * 0.7, y * 0.6), (width * 0.3, y * 0.6)),
        "pan-right": ((width * 0.3, y * 0.6), (width * 0.7, y * 0.6)),
        "tilt-up": ((width * 0.92, bottom * 0.7), (width * 0.92, bottom * 0.25)),
        "tilt-down": ((width * 0.92, bottom * 0.25), (width * 0.92, bottom * 0.7)),
        "track-left": ((width * 0.65, bottom - 14 * o), (width * 0.35, bottom - 14 * o)),
        "track-right": ((width * 0.35, bottom - 14 * o), (width * 0.65, bottom - 14 * o)),
        "crane-up": ((width * 0.08, bottom * 0.7), (width * 0.08, bottom * 0.25)),
        "crane-down": ((width * 0.08, bottom * 0.25), (width * 0.08, bottom * 0.7)),
    }
    if move in arrows:
        a, b = arrows[move]
        _arrow(draw, a, b, red, lw, head)
        return
    # orbit: a curved arrow around the middle
    cx, cy, rx, ry = width / 2, bottom * 0.82, width * 0.3, bottom * 0.08
    pts = [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in np.linspace(0.2, 2.9, 24)]
    draw.line(pts, fill=red, width=lw, joint="curve")
    _arrow(draw, pts[-2], pts[-1], red, lw, head)


def _arrow(
    draw: ImageDraw.ImageDraw, a: Point, b: Point, colour: RGBA, width: int, head: float
) -> None:
    draw.line([a, b], fill=colour, width=width)
    angle = math.atan2(b[1] - a[1], b[0] - a[0])
    left = (b[0] - head * math.cos(angle - 0.45), b[1] - head * math.sin(angle - 0.45))
    right = (b[0] - head * math.cos(angle + 0.45), b[1] - head * math.sin(angle + 0.45))
    draw.polygon([b, left, right], fill=colour)


def _dashed_box(draw: ImageDraw.ImageDraw, box: Box, colour: RGBA, width: int, dash: float) -> None:
    x0, y0, x1, y1 = box
    for a, b in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)), ((x1, y1), (x0, y1)),
                 ((x0, y1), (x0, y0))):  # fmt: skip
        length = math.hypot(b[0] - a[0], b[1] - a[1])
        steps = max(1, int(length / dash))
        for i in range(0, steps, 2):
            t0, t1 = i / steps, min(1.0, (i + 1) / steps)
            draw.line([(a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0),
                       (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1)],
                      fill=colour, width=width)  # fmt: skip


__all__ = ["SketchBackend"]
