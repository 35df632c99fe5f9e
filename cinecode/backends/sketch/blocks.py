"""Solids in perspective: a box standing in the world (a jetty, a counter, a pew), drawn with
the faces the camera sees, and a flat quad on the ground or a wall."""

from __future__ import annotations

from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.style import RGB, Point, in_light

Span = tuple[float, float]


def spanning(a: float, b: float) -> Span:
    """The span between `a` and `b`, whichever is larger (a side's x from the middle out)."""
    return (min(a, b), max(a, b))


def quad(frame: Canvas, xs: Span, ys: Span, zs: Span) -> list[Point]:
    """The corners of a flat rectangle in the world (one of its spans has no extent)."""
    p = frame.cam.project
    (x0, x1), (y0, y1), (z0, z1) = xs, ys, zs
    if x0 == x1:  # a side wall
        return [p(x0, y0, z0), p(x0, y0, z1), p(x0, y1, z1), p(x0, y1, z0)]
    if y0 == y1:  # a floor or a top
        return [p(x0, y0, z0), p(x1, y0, z0), p(x1, y0, z1), p(x0, y0, z1)]
    return [p(x0, y0, z0), p(x1, y0, z0), p(x1, y1, z0), p(x0, y1, z0)]


def draw_box(
    frame: Canvas,
    pencil: Pencil,
    xs: Span,
    ys: Span,
    zs: Span,
    colour: RGB,
    *,
    weight: float = 0.8,
) -> None:
    """A box from x0…x1, y0…y1 (up), z0…z1 (away): its side, top and front as seen."""
    (x0, x1), (y0, y1), (z0, z1) = xs, ys, zs
    if z1 <= 0.05:
        return
    z0 = max(z0, 0.1)
    if x1 < 0:
        pencil.shape(quad(frame, (x1, x1), ys, (z0, z1)), in_light(colour, 0.8), weight=weight)
    elif x0 > 0:
        pencil.shape(quad(frame, (x0, x0), ys, (z0, z1)), in_light(colour, 0.8), weight=weight)
    eye = frame.cam.eye
    if y1 < eye:
        pencil.shape(quad(frame, xs, (y1, y1), (z0, z1)), in_light(colour, 1.08), weight=weight)
    elif y0 > eye:
        pencil.shape(quad(frame, xs, (y0, y0), (z0, z1)), in_light(colour, 0.7), weight=weight)
    pencil.shape(quad(frame, xs, ys, (z0, z0)), colour, weight=weight)
