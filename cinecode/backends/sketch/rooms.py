"""Indoors: the room the words name, seen in perspective (walls, floorboards, ceiling in its
shape), its furnishing, its window and the sky that shows through it, a lamp at night or when
the action names lamplight, a picture on the wall by day; the lamp room and the inside of a
car are drawn whole."""

from __future__ import annotations

from PIL import Image

from cinecode.backends.protocols import Composition
from cinecode.backends.sketch.blocks import quad
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.interiors import OWN_WINDOWS, SHAPES, Room, furnish, windscreen
from cinecode.backends.sketch.lantern import draw_lamp_room
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.props import draw_icon
from cinecode.backends.sketch.skies import MOON, sky_colours, sky_kind
from cinecode.backends.sketch.style import Box, in_light, mix


def draw_interior(frame: Canvas, image: Image.Image, pencil: Pencil, comp: Composition) -> None:
    """A room of the kind the words name: its shell, furnishing, window and lights."""
    frame.env.light = {"night": 0.55, "dusk": 0.8, "evening": 0.8}.get(frame.time, 1.0)
    frame.env.tint = (200, 205, 235) if frame.time == "night" else (255, 250, 240)
    frame.env.sky = sky_colours(frame)
    kind = frame.read.room
    if kind == "lamp-room":
        draw_lamp_room(frame, image, pencil)
        return
    if kind == "car":
        frame.env.windows.append(windscreen(frame, pencil))
        frame.drawn.add("scenery", kind)
        return
    room = _shell(frame, pencil, comp, kind)
    if kind not in OWN_WINDOWS:
        _window_and_wall(frame, image, pencil, room)
    furnish(frame, image, pencil, room, kind)
    if kind:
        frame.drawn.add("scenery", kind)


def _shell(frame: Canvas, pencil: Pencil, comp: Composition, kind: str) -> Room:
    """Ceiling, side walls, back wall and floor in perspective, floorboards; the room."""
    cam, rnd = frame.cam, frame.rnd
    wall = frame.palette(comp, 0, (204, 192, 172))
    floor = frame.palette(comp, 1, (150, 116, 84))
    width, extra, ceiling = SHAPES.get(kind, (0.0, 0.0, 2.9))
    depth = cam.d0 + extra + (8.0 if frame.size == "extreme-wide" else rnd.uniform(2.5, 4.0))
    room_w = max(6.0, 2.2 * cam.world_x(frame.w, depth) - 2.2 * cam.world_x(0, depth)) * 0.5
    left = -(width or room_w) / 2 + rnd.uniform(-0.6, 0.6)
    right = left + (width or room_w)
    near = 0.3
    p = cam.project
    across, reach = (left, right), (near, depth)
    back = quad(frame, across, (ceiling, 0), (depth, depth))
    floor_poly = quad(frame, across, (0, 0), reach)
    ceil_poly = quad(frame, across, (ceiling, ceiling), reach)
    left_wall = quad(frame, (left, left), (0, ceiling), reach)
    right_wall = quad(frame, (right, right), (0, ceiling), reach)
    frame.env.air = frame.wash(wall)
    pencil.draw.rectangle((0, 0, frame.w, frame.h), fill=frame.wash(wall))
    pencil.shape(ceil_poly, mix(frame.wash(wall), (255, 255, 255), 0.1), weight=0.8)
    pencil.shape(left_wall, in_light(frame.wash(wall), 0.86), weight=0.8)
    pencil.shape(right_wall, in_light(frame.wash(wall), 0.78), weight=0.8)
    pencil.shape(back, frame.wash(wall), weight=0.9)
    pencil.shape(floor_poly, frame.wash(floor), weight=0.9)
    frame.env.back = depth
    x = left
    while x < right:  # floorboards running away from the camera
        pencil.line([p(x, 0, near), p(x, 0, depth)], weight=0.6, alpha=0.35, passes=1)
        x += 0.35
    pencil.line([p(left, 0.12, depth), p(right, 0.12, depth)], weight=0.6, alpha=0.6)
    seen = (max(left, cam.world_x(0, depth)), min(right, cam.world_x(frame.w, depth)))
    return Room(left, right, depth, ceiling, seen)


def _window_and_wall(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    """The window and what shows through it; a lamp at night (or named), else perhaps a
    picture on the wall."""
    rnd, p = frame.rnd, frame.cam.project
    left, right, depth = room.left, room.right, room.depth
    ww = rnd.uniform(1.2, 1.8)
    wx = rnd.uniform(left + 0.6, max(left + 0.7, right - ww - 0.6))
    x0, y0 = p(wx, 2.25, depth)
    x1, y1 = p(wx + ww, 0.95, depth)
    _window(frame, image, pencil, (x0, y0, x1, y1))
    lamplight = "lamplight" in frame.read.lights
    if frame.time in ("night", "dusk", "evening") or lamplight:
        lx = rnd.choice((left + 0.5, right - 0.5))
        if wx < lx < wx + ww:
            lx = left + 0.5 if lx > wx else right - 0.5
        _lamp(frame, image, pencil, lx, depth - 0.4)
        if lamplight:
            frame.drawn.add("lights", "lamplight")
    elif rnd.random() < 0.7:  # a picture on the wall
        fx = rnd.uniform(left + 0.3, right - 1.0)
        if not (wx - 1.0 < fx < wx + ww):
            a, b = p(fx, 1.9, depth), p(fx + 0.7, 1.4, depth)
            pencil.shape([a, (b[0], a[1]), b, (a[0], b[1])], frame.wash((170, 150, 120)),
                         weight=0.7)  # fmt: skip


def _window(frame: Canvas, image: Image.Image, pencil: Pencil, box: Box) -> None:
    x0, y0, x1, y1 = box
    top, low = frame.env.sky
    view = Image.new("RGB", (max(1, round(x1 - x0)), max(1, round(y1 - y0))))
    inner = Pencil(view, frame.rnd, frame.u, frame.style)
    inner.draw.rectangle((0, 0, view.width, view.height), fill=mix(top, low, 0.5))
    inner.draw.rectangle((0, view.height * 0.55, view.width, view.height), fill=low)
    if sky_kind(frame) == "stars":
        mx, my = view.width * frame.rnd.uniform(0.25, 0.75), view.height * 0.3
        r = 8 * frame.u
        inner.draw.ellipse((mx - r, my - r, mx + r, my + r), fill=MOON)
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
