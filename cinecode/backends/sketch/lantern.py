"""The lamp room at the top of a lighthouse, seen from inside: a round wall glazed all round
(many panes between iron mullions, over a low iron wall) and the great ribbed glass lens on
its iron pedestal, lit by a flame or dark, its beam out through the glass."""

from __future__ import annotations

import itertools
import math

from PIL import Image

from cinecode.backends.sketch.blocks import draw_box
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.interiors import IRON
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.skies import BEAM, draw_beam, sky_colours
from cinecode.backends.sketch.style import Point, in_light, mix


def draw_lamp_room(frame: Canvas, image: Image.Image, pencil: Pencil) -> None:
    """The round glazed room and its lens; the lens lit when the action names a flame or a
    beam, and the beam through the glass."""
    cam = frame.cam
    middle = cam.d0 + 1.2
    radius = middle + 1.0
    frame.env.air = frame.wash((110, 112, 118))
    pencil.draw.rectangle((0, 0, frame.w, frame.h), fill=frame.wash((70, 66, 62)))
    _glazing(frame, pencil, middle, radius)
    frame.env.back = middle + radius * 0.9
    side = frame.rnd.choice((-1, 1))
    x = cam.world_x(frame.w * (0.5 + side * 0.28), middle)
    centre = draw_lens(frame, pencil, x, middle)
    for icon in ("lens", "window"):  # the props step does not draw them again
        frame.drawn.add("props", icon)
    lights = frame.read.lights
    if {"flame", "beam"} & set(lights):
        glow(image, centre, 1.2 * cam.lens / middle, (255, 240, 190), 1.0)
        glow(image, centre, 0.4 * cam.lens / middle, BEAM, 1.0)
        frame.drawn.add("lights", "flame")
    if "beam" in lights:
        aim = (frame.w * (0.5 - side * 0.9), -0.3 * frame.h)
        draw_beam(frame, image, centre, aim, 0.5 * frame.h)
    if "dark" in lights:
        frame.drawn.add("lights", "dark")
    frame.drawn.add("scenery", "lamp-room")


def _glazing(frame: Canvas, pencil: Pencil, middle: float, radius: float) -> None:
    """The round wall: a floor, then column by column a low iron wall and two rows of
    panes, each column's glazing left in `frame.env.windows` for the rain."""
    p = frame.cam.project
    top, low = sky_colours(frame)
    sea = in_light(frame.wash((50, 70, 84)), 0.8)
    angles = [math.radians(a) for a in range(-120, 121, 15)]
    ring = [(radius * math.sin(a), middle + radius * math.cos(a)) for a in angles]
    ring = [(x, z) for x, z in ring if z > 0.4]
    floor = [p(x, 0, z) for x, z in ring]
    floor += [(floor[-1][0], frame.h + 10), (floor[0][0], frame.h + 10)]
    pencil.shape(floor, frame.wash((96, 88, 80)), weight=0.8)
    for (x0, z0), (x1, z1) in itertools.pairwise(ring):
        wall = [p(x0, 0, z0), p(x1, 0, z1), p(x1, 1.0, z1), p(x0, 1.0, z0)]
        pencil.shape(wall, frame.wash(IRON), weight=0.7)
        for y0, y1, colour in ((1.0, 1.9, mix(low, sea, 0.6)), (1.9, 2.9, mix(top, low, 0.5))):
            pencil.shape([p(x0, y0, z0), p(x1, y0, z1), p(x1, y1, z1), p(x0, y1, z0)], colour,
                         weight=0.5)  # fmt: skip
        column = [p(x0, 1.0, z0), p(x1, 1.0, z1), p(x1, 2.9, z1), p(x0, 2.9, z0)]
        xs, ys = [q[0] for q in column], [q[1] for q in column]
        box = (max(0.0, min(xs)), max(0.0, min(ys)), min(frame.w, max(xs)), min(frame.h, max(ys)))
        if box[0] < box[2] and box[1] < box[3]:
            frame.env.windows.append(box)
        pencil.line([p(x0, 1.0, z0), p(x0, 2.9, z0)], weight=1.8, color=IRON)
    rim = [p(x, 2.9, z) for x, z in ring]
    pencil.line(rim, weight=2.0, color=IRON)
    pencil.line([p(x, 1.9, z) for x, z in ring], weight=1.0, color=IRON)


def draw_lens(frame: Canvas, pencil: Pencil, x: float, z: float) -> Point:
    """The great lens: an iron pedestal, a ribbed glass barrel in brass bands, a bullseye
    in its middle; its centre (picture point)."""
    p = frame.cam.project
    draw_box(frame, pencil, (x - 0.45, x + 0.45), (0, 1.0), (z - 0.45, z + 0.45),
             frame.wash(IRON))  # fmt: skip
    heights = [1.0 + 1.6 * k / 10 for k in range(11)]
    widths = [0.5 + 0.25 * math.sin(math.pi * k / 10) for k in range(11)]
    outline = [p(x - w, y, z) for w, y in zip(widths, heights, strict=True)]
    outline += [p(x + w, y, z) for w, y in zip(widths[::-1], heights[::-1], strict=True)]
    glass = mix(frame.wash((196, 222, 226)), frame.env.air, 0.2)
    pencil.shape(outline, glass, weight=1.0)
    for w, y in zip(widths[1:-1], heights[1:-1], strict=True):  # the prism rings
        a, b = p(x - w, y, z), p(x + w, y, z)
        sag = 0.06 * frame.cam.lens / z
        pencil.line([a, ((a[0] + b[0]) / 2, b[1] + sag), b], weight=0.6, alpha=0.7, smooth=True)
    brass = frame.wash((186, 148, 80))
    for y in (1.0, 2.6):
        draw_box(frame, pencil, (x - 0.55, x + 0.55), (y - 0.06, y + 0.06), (z, z + 0.1), brass,
                 weight=0.5)  # fmt: skip
    cx, cy = p(x, 1.8, z)
    for k in (0.3, 0.18):
        r = k * frame.cam.lens / z
        pencil.ellipse((cx - r, cy - r, cx + r, cy + r), None, weight=0.7)
    return cx, cy
