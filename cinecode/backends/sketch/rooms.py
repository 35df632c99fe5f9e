"""Indoors: a room seen in perspective (walls, floorboards, ceiling), its window and the sky
that shows through it, a lamp at night or a picture on the wall by day."""

from __future__ import annotations

from PIL import Image

from cinecode.backends.protocols import Composition
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.props import draw_icon
from cinecode.backends.sketch.shots import SKIES
from cinecode.backends.sketch.style import Box, in_light, mix


def draw_interior(frame: Canvas, image: Image.Image, pencil: Pencil, comp: Composition) -> None:
    """A room: ceiling, side walls, back wall and floor in perspective, floorboards, the
    window, and a lamp at night or a picture on the wall."""
    cam, rnd = frame.cam, frame.rnd
    frame.env.light = {"night": 0.55, "dusk": 0.8, "evening": 0.8}.get(frame.time, 1.0)
    frame.env.tint = (200, 205, 235) if frame.time == "night" else (255, 250, 240)
    wall = frame.palette(comp, 0, (204, 192, 172))
    floor = frame.palette(comp, 1, (150, 116, 84))
    depth = cam.d0 + (8.0 if frame.size == "extreme-wide" else rnd.uniform(2.5, 4.0))
    room_w = max(6.0, 2.2 * cam.world_x(frame.w, depth) - 2.2 * cam.world_x(0, depth)) * 0.5
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
    frame.env.air = frame.wash(wall)
    pencil.draw.rectangle((0, 0, frame.w, frame.h), fill=frame.wash(wall))
    pencil.shape(ceil_poly, mix(frame.wash(wall), (255, 255, 255), 0.1), weight=0.8)
    pencil.shape(left_wall, in_light(frame.wash(wall), 0.86), weight=0.8)
    pencil.shape(right_wall, in_light(frame.wash(wall), 0.78), weight=0.8)
    pencil.shape(back, frame.wash(wall), weight=0.9)
    pencil.shape(floor_poly, frame.wash(floor), weight=0.9)
    frame.env.back = depth
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
    _window(frame, image, pencil, (x0, y0, x1, y1))
    if frame.time in ("night", "dusk", "evening"):
        lx = rnd.choice((left + 0.5, right - 0.5))
        if wx < lx < wx + ww:
            lx = left + 0.5 if lx > wx else right - 0.5
        _lamp(frame, image, pencil, lx, depth - 0.4)
    elif rnd.random() < 0.7:  # a picture on the wall
        fx = rnd.uniform(left + 0.3, right - 1.0)
        if not (wx - 1.0 < fx < wx + ww):
            a, b = p(fx, 1.9, depth), p(fx + 0.7, 1.4, depth)
            pencil.shape([a, (b[0], a[1]), b, (a[0], b[1])], frame.wash((170, 150, 120)),
                         weight=0.7)  # fmt: skip


def _window(frame: Canvas, image: Image.Image, pencil: Pencil, box: Box) -> None:
    x0, y0, x1, y1 = box
    top, low, _, _ = SKIES[frame.time]
    view = Image.new("RGB", (max(1, round(x1 - x0)), max(1, round(y1 - y0))))
    inner = Pencil(view, frame.rnd, frame.u, frame.style)
    inner.draw.rectangle((0, 0, view.width, view.height), fill=mix(top, low, 0.5))
    inner.draw.rectangle((0, view.height * 0.55, view.width, view.height), fill=low)
    if frame.time == "night":
        mx, my = view.width * frame.rnd.uniform(0.25, 0.75), view.height * 0.3
        r = 8 * frame.u
        inner.draw.ellipse((mx - r, my - r, mx + r, my + r), fill=(236, 232, 210))
    image.paste(view, (round(x0), round(y0)))
    frame.env.windows.append(box)
    pencil.shape([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], None, weight=1.1)
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    pencil.line([(mx, y0), (mx, y1)], weight=1.0)
    pencil.line([(x0, my), (x1, my)], weight=1.0)
    pencil.line([(x0 - 4 * frame.u, y1), (x1 + 4 * frame.u, y1)], weight=1.6)


def _lamp(frame: Canvas, image: Image.Image, pencil: Pencil, x: float, z: float) -> None:
    cam = frame.cam
    top = cam.project(x, 1.6, z)
    glow(image, top, 2.6 * cam.lens / z, (255, 196, 110), 0.6)
    draw_icon(frame, pencil, "lamp", top[0], cam.ground(z), cam.lens / z, lit=True)
