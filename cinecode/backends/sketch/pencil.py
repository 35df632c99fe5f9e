"""The pencil: hand-drawn strokes, fills and hatching in a style's hand, and the polygon
geometry they need (ellipse outlines, clipping a stroke to a shape, halving a shape)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from PIL import Image, ImageDraw

from cinecode.backends.sketch.style import RGB, Box, Point, Style, rgba


class Pencil:
    """Hand-drawn strokes, fills and hatching on one image, in the style's hand."""

    def __init__(self, image: Image.Image, rnd: random.Random, u: float, style: Style) -> None:
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
                fill=rgba(colour, alpha * fade * self.style.lead_alpha / 255),
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
                ellipse_points(box, self.rnd, wobble=0.025 if self.style.jitter else 0.0),
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
        colour = rgba(color or self.style.lead, alpha * self.style.lead_alpha / 255)
        width = self.width(0.6)
        offset = -reach + self.rnd.uniform(0, spacing)
        while offset < reach:
            ox, oy = cx + nx * offset, cy + ny * offset
            a = (ox - dx * reach, oy - dy * reach)
            b = (ox + dx * reach, oy + dy * reach)
            for p, q in clip_segment(a, b, polygon):
                j = self.style.jitter * self.u
                self.draw.line(
                    [(p[0] + self.rnd.gauss(0, j), p[1]), (q[0], q[1] + self.rnd.gauss(0, j))],
                    fill=colour,
                    width=width,
                )
            offset += spacing * self.rnd.uniform(0.8, 1.2)


def ellipse_points(box: Box, rnd: random.Random, *, wobble: float, n: int = 28) -> list[Point]:
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


def clip_segment(a: Point, b: Point, polygon: Sequence[Point]) -> list[tuple[Point, Point]]:
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


def half_polygon(polygon: Sequence[Point], x: float, side: int) -> list[Point]:
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
