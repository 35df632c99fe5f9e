"""Storyboard notation for the camera move, in red pencil: arrows for pans, tilts, tracks and
cranes, a dashed end frame for a push in or pull out, a curved arrow for an orbit."""

from __future__ import annotations

import math

import numpy as np
from PIL import ImageDraw

from cinecode.backends.sketch.style import RGBA, Box, Point


def move_arrows(
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
