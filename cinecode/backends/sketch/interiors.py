"""What furnishes each kind of room: a kitchen's counter, shelf of pans, stove and table; a
bed; a sofa and fireplace; desks; a bar; pews under arched windows; doors along a hallway;
a ship's wheel under the wheelhouse windows; shelves, benches, barrels and bars."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from cinecode.backends.sketch.blocks import draw_box, quad
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.style import RGB, Box, mix

WOOD: RGB = (132, 94, 62)
IRON: RGB = (52, 54, 60)
WHITE: RGB = (232, 230, 222)


@dataclass(frozen=True)
class Room:
    """A room's box in metres: side walls at `left` and `right`, the back wall `depth` away."""

    left: float
    right: float
    depth: float
    ceiling: float
    seen: tuple[float, float]  # the part of the back wall in the picture, left to right

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2

    @property
    def seen_width(self) -> float:
        """How much of the back wall the picture shows, in metres."""
        return self.seen[1] - self.seen[0]


#: rooms drawn in another shape: width (0: the frame's), extra depth, ceiling height
SHAPES: dict[str, tuple[float, float, float]] = {
    "hallway": (2.6, 6.0, 2.7), "church": (0.0, 4.0, 6.0), "cellar": (0.0, 0.0, 2.3),
    "attic": (0.0, 0.0, 2.6), "wheelhouse": (3.6, 0.0, 2.3), "prison": (3.0, 0.0, 2.6),
}  # fmt: skip
#: rooms whose own windows replace the plain one
OWN_WINDOWS = frozenset(("church", "wheelhouse", "cellar", "prison"))


def furnish(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room, kind: str) -> None:
    """Draw what furnishes a room of `kind`, and record the props it shows (so the props
    step does not draw them again)."""
    if kind in FURNITURE:
        FURNITURE[kind](frame, image, pencil, room)
    for icon in SHOWS.get(kind, ()):
        frame.drawn.add("props", icon)


def _back(room: Room, x: float, width: float, deep: float) -> tuple[tuple[float, float], ...]:
    """Spans of a piece standing against the back wall `x` metres from where the picture
    shows it begin."""
    x0 = room.seen[0] + x
    return (x0, x0 + width), (room.depth - deep, room.depth)


#: the props a room's own furniture already is
SHOWS = {
    "kitchen": ("shelf", "pan", "stove", "table"),
    "living-room": ("sofa", "fireplace"),
    "wheelhouse": ("wheel",),
}


def _kitchen(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    width = room.seen_width
    xs, zs = _back(room, 0.2, width * 0.5, 0.65)
    draw_box(frame, pencil, xs, (0, 0.9), zs, frame.wash(WOOD))
    draw_box(frame, pencil, xs, (0.9, 0.96), zs, frame.wash((200, 190, 170)), weight=0.5)
    shelf = (xs[0], xs[1]), (1.6, 1.66), (room.depth - 0.3, room.depth)
    draw_box(frame, pencil, *shelf, frame.wash(WOOD), weight=0.6)
    copper = frame.wash((190, 110, 60))
    p = frame.cam.project
    for k in range(4):  # pans hanging under the shelf
        cx, cy = p(xs[0] + 0.35 + k * (xs[1] - xs[0] - 0.5) / 3, 1.32, room.depth - 0.1)
        r = 0.16 * frame.cam.lens / room.depth
        pencil.ellipse((cx - r, cy - r, cx + r, cy + r), copper, weight=0.6)
        pencil.line([(cx, cy - r), (cx, cy - 1.6 * r)], weight=0.8)
    _stove(frame, image, pencil, room)
    _table(frame, pencil, room.middle, room.depth - 2.2)


def _stove(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    xs, zs = _back(room, room.seen_width - 1.2, 0.9, 0.7)
    draw_box(frame, pencil, xs, (0, 0.85), zs, frame.wash(IRON))
    p = frame.cam.project
    pipe = (xs[0] + xs[1]) / 2
    pencil.line([p(pipe, 0.85, room.depth - 0.3), p(pipe, room.ceiling, room.depth - 0.3)],
                weight=3.0, color=frame.wash(IRON))  # fmt: skip
    door = quad(frame, (xs[0] + 0.25, xs[1] - 0.25), (0.2, 0.55), (zs[0], zs[0]))
    pencil.shape(door, (240, 140, 60) if frame.time != "day" else frame.wash((30, 30, 34)))
    if frame.time != "day":
        glow(image, door[0], 0.8 * frame.cam.lens / zs[0], (255, 150, 70), 0.5)


def _table(frame: Canvas, pencil: Pencil, x: float, z: float) -> None:
    if z < frame.cam.d0 * 0.6:
        return
    p = frame.cam.project
    for lx, lz in ((-0.8, -0.4), (0.8, -0.4), (-0.8, 0.4), (0.8, 0.4)):
        pencil.line([p(x + lx, 0, z + lz), p(x + lx, 0.72, z + lz)], weight=1.4)
    draw_box(frame, pencil, (x - 0.9, x + 0.9), (0.72, 0.78), (z - 0.5, z + 0.5),
             frame.wash(WOOD), weight=0.6)  # fmt: skip


def _bedroom(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    xs, zs = _back(room, room.seen_width * 0.3, 1.6, 2.1)
    draw_box(frame, pencil, xs, (0, 1.1), (room.depth - 0.1, room.depth), frame.wash(WOOD))
    draw_box(frame, pencil, xs, (0, 0.55), zs, frame.wash((110, 126, 152)))
    cx, cy = frame.cam.project((xs[0] + xs[1]) / 2, 0.62, room.depth - 0.4)
    r = 0.5 * frame.cam.lens / room.depth
    pencil.ellipse((cx - r, cy - r * 0.35, cx + r, cy + r * 0.35), frame.wash(WHITE))
    side = xs[1] + 0.2, xs[1] + 0.7
    draw_box(frame, pencil, side, (0, 0.6), (room.depth - 0.5, room.depth), frame.wash(WOOD))


def _bathroom(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    xs, zs = _back(room, 0.2, 1.7, 0.8)
    draw_box(frame, pencil, xs, (0, 0.6), zs, frame.wash(WHITE))
    mirror = quad(frame, (room.middle + 0.4, room.middle + 1.2), (1.3, 2.0), (room.depth,) * 2)
    pencil.shape(mirror, frame.wash((190, 210, 220)))
    draw_box(frame, pencil, (room.middle + 0.5, room.middle + 1.1), (0.75, 0.9),
             (room.depth - 0.5, room.depth), frame.wash(WHITE))  # fmt: skip


def _living_room(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    fabric = frame.wash((150, 80, 70))
    xs, zs = _back(room, 0.4, 2.2, 0.9)
    draw_box(frame, pencil, xs, (0, 0.45), zs, fabric)
    draw_box(frame, pencil, xs, (0.45, 0.9), (room.depth - 0.25, room.depth), fabric)
    fx, _ = _back(room, room.seen_width - 2.0, 1.5, 0.4)
    draw_box(
        frame, pencil, fx, (0, 1.2), (room.depth - 0.4, room.depth), frame.wash((170, 150, 130))
    )
    hearth = quad(frame, (fx[0] + 0.35, fx[1] - 0.35), (0, 0.7), (room.depth - 0.4,) * 2)
    pencil.shape(hearth, frame.wash((30, 26, 24)))
    if frame.time != "day":
        glow(image, hearth[0], 1.5 * frame.cam.lens / room.depth, (255, 150, 70), 0.6)


def _office(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    width = room.seen_width
    for k in (0.15, 0.6):
        xs, zs = _back(room, width * k, 1.4, 0.8)
        draw_box(frame, pencil, xs, (0, 0.75), zs, frame.wash((150, 140, 126)))
        draw_box(frame, pencil, (xs[0] + 0.4, xs[0] + 1.0), (0.78, 1.2),
                 (room.depth - 0.3, room.depth - 0.25), frame.wash((40, 44, 50)))  # fmt: skip
    cab, _ = _back(room, width - 0.7, 0.5, 0.6)
    draw_box(frame, pencil, cab, (0, 1.3), (room.depth - 0.6, room.depth), frame.wash(IRON))


def _bottles(frame: Canvas, pencil: Pencil, room: Room, x0: float, x1: float) -> None:
    """Shelves of bottles (or books) on the back wall."""
    p, rnd = frame.cam.project, frame.rnd
    for y in (1.1, 1.6, 2.1):
        pencil.line([p(x0, y, room.depth), p(x1, y, room.depth)], weight=1.2)
        x = x0 + 0.05
        while x < x1 - 0.1:
            colour = rnd.choice(((70, 110, 70), (140, 90, 50), (90, 60, 90), (60, 80, 120)))
            spine = quad(frame, (x, x + 0.07), (y, y + 0.34), (room.depth,) * 2)
            pencil.shape(spine, frame.wash(colour), outline=False)
            x += 0.11


def _bar(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    _bottles(frame, pencil, room, room.left + 0.5, room.right - 0.5)
    z = room.depth - 1.6
    draw_box(frame, pencil, (room.left + 0.3, room.right - 1.2), (0, 1.05), (z, z + 0.6),
             frame.wash(WOOD))  # fmt: skip
    p = frame.cam.project
    x = room.left + 0.8
    while x < room.right - 1.5:
        pencil.line([p(x, 0, z - 0.5), p(x, 0.75, z - 0.5)], weight=1.6)
        x += 1.0


def _restaurant(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    width = room.seen_width
    for k in (0.2, 0.5, 0.8):
        x, z = room.left + width * k, room.depth - 1.2 - (k == 0.5) * 1.2
        draw_box(frame, pencil, (x - 0.45, x + 0.45), (0, 0.76), (z - 0.45, z + 0.45),
                 frame.wash(WHITE), weight=0.6)  # fmt: skip


def _hallway(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    door = frame.wash((140, 104, 72))
    z = frame.cam.d0 + 1.0
    while z < room.depth - 1.2:
        for x in (room.left, room.right):
            pencil.shape(quad(frame, (x, x), (0, 2.1), (z, z + 0.9)), door, weight=0.8)
        z += 3.0


def _church(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    width = room.seen_width
    for k in (0.2, 0.5, 0.8):  # tall arched windows
        x = room.left + width * k
        _arch(frame, image, pencil, (x - 0.5, x + 0.5), room.depth)
    z = frame.cam.d0 + 0.8
    while z < room.depth - 1.5:  # pews either side of the aisle
        for xs in ((room.left + 0.3, room.middle - 0.7), (room.middle + 0.7, room.right - 0.3)):
            draw_box(frame, pencil, xs, (0, 0.9), (z, z + 0.5), frame.wash(WOOD), weight=0.6)
        z += 1.2


def _arch(frame: Canvas, image: Image.Image, pencil: Pencil, xs: tuple[float, float],
          z: float) -> None:  # fmt: skip
    """A pointed-arch window on the back wall (a pane for the weather)."""
    p = frame.cam.project
    x0, x1 = xs
    mid = (x0 + x1) / 2
    pts = [p(x0, 1.4, z), p(x1, 1.4, z), p(x1, 3.6, z), p(mid, 4.4, z), p(x0, 3.6, z)]
    pencil.shape(pts, mix(frame.env.sky[0], (200, 190, 230), 0.4), weight=1.0)
    pencil.line([p(mid, 1.4, z), p(mid, 4.4, z)], weight=0.8)
    frame.env.windows.append((pts[0][0], pts[3][1], pts[1][0], pts[0][1]))


def _classroom(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    board = quad(frame, (room.middle - 1.5, room.middle + 1.5), (0.9, 2.1), (room.depth,) * 2)
    pencil.shape(board, frame.wash((50, 70, 60)), weight=1.2)
    for row in (1.8, 3.2):
        for x in (room.middle - 1.6, room.middle + 0.6):
            z = room.depth - row
            if z > frame.cam.d0 * 0.6:
                draw_box(frame, pencil, (x, x + 1.0), (0.65, 0.72), (z, z + 0.5), frame.wash(WOOD),
                         weight=0.5)  # fmt: skip


def _hospital(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    xs, zs = _back(room, 0.4, 1.0, 2.0)
    draw_box(frame, pencil, xs, (0.3, 0.7), zs, frame.wash(WHITE))
    p = frame.cam.project
    pencil.line([p(xs[1], 0.7, zs[0]), p(xs[1], 1.0, zs[0]), p(xs[1], 1.0, zs[1])], weight=1.0)
    stand = xs[1] + 0.4
    pencil.line([p(stand, 0, zs[0] + 0.5), p(stand, 1.9, zs[0] + 0.5)], weight=1.0)
    curtain = quad(frame, (xs[1] + 1.0, xs[1] + 1.0), (0.3, 2.3), (zs[0], room.depth))
    pencil.shape(curtain, frame.wash((170, 200, 196)), weight=0.7)


def _shop(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    _bottles(frame, pencil, room, room.left + 0.3, room.right - 0.3)
    z = room.depth - 1.8
    draw_box(frame, pencil, (room.middle - 1.5, room.middle + 0.5), (0, 1.0), (z, z + 0.6),
             frame.wash(WOOD))  # fmt: skip


def _workshop(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    xs, zs = _back(room, 0.3, room.seen_width * 0.55, 0.8)
    draw_box(frame, pencil, xs, (0, 0.9), zs, frame.wash(WOOD))
    board = quad(frame, xs, (1.2, 2.2), (room.depth,) * 2)
    pencil.shape(board, frame.wash((170, 150, 110)), weight=0.8)
    p = frame.cam.project
    for k in range(6):  # tools on the board
        x = xs[0] + 0.3 + k * (xs[1] - xs[0] - 0.6) / 5
        pencil.line([p(x, 1.35, room.depth), p(x, 2.0, room.depth)], weight=1.4)


def _library(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    _bottles(frame, pencil, room, room.left + 0.1, room.right - 0.1)
    _table(frame, pencil, room.middle, room.depth - 2.5)


def _cellar(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    back = quad(frame, (room.left, room.right), (0, room.ceiling), (room.depth,) * 2)
    pencil.hatch(back, spacing=14 * frame.u, angle=0, alpha=0.25)
    p = frame.cam.project
    for k in range(3):  # barrels on their sides
        cx, cy = p(room.left + 0.7 + k * 0.9, 0.42, room.depth - 0.5)
        r = 0.42 * frame.cam.lens / (room.depth - 0.5)
        pencil.ellipse((cx - r, cy - r, cx + r, cy + r), frame.wash(WOOD), weight=0.8)
        pencil.ellipse((cx - r * 0.6, cy - r * 0.6, cx + r * 0.6, cy + r * 0.6), None, weight=0.5)


def _attic(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    p = frame.cam.project
    z = frame.cam.d0
    while z < room.depth:  # rafters under the sloping roof
        pencil.line([p(room.left, 1.2, z), p(room.middle, room.ceiling, z),
                     p(room.right, 1.2, z)], weight=1.6, color=frame.wash(WOOD))  # fmt: skip
        z += 1.0
    draw_box(frame, pencil, (room.right - 1.2, room.right - 0.3), (0, 0.6),
             (room.depth - 0.8, room.depth), frame.wash((176, 138, 90)))  # fmt: skip


def _cabin(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    p = frame.cam.project
    for y in (0.3 * k for k in range(1, 10)):  # the logs
        pencil.line([p(room.left, y, room.depth), p(room.right, y, room.depth)], weight=0.6,
                    alpha=0.5, passes=1)  # fmt: skip
    _stove(frame, image, pencil, room)
    _table(frame, pencil, room.middle - 0.5, room.depth - 1.8)


def _wheelhouse(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    """Windows across the front onto the sea, a console under them and the ship's wheel."""
    p = frame.cam.project
    z = room.depth
    x = room.left + 0.2
    sea = frame.wash((50, 74, 92))
    while x < room.right - 0.3:
        pane = quad(frame, (x, x + 0.9), (1.1, 2.0), (z, z))
        pencil.shape(pane, frame.env.sky[1], weight=1.0)
        horizon = p(x, frame.cam.eye, z)[1]
        pencil.shape([(pane[0][0], max(horizon, pane[2][1])), (pane[1][0], max(horizon,
                      pane[2][1])), pane[1], pane[0]], sea, outline=False)  # fmt: skip
        frame.env.windows.append((pane[0][0], pane[2][1], pane[1][0], pane[0][1]))
        x += 1.0
    draw_box(frame, pencil, (room.left, room.right), (0, 1.0), (z - 0.6, z), frame.wash(WOOD))
    cx, cy = p(room.middle + 0.6, 1.2, z - 0.8)
    r = 0.45 * frame.cam.lens / (z - 0.8)
    pencil.ellipse((cx - r, cy - r, cx + r, cy + r), None, weight=2.2)
    for k in range(8):  # spokes and handles
        a = math.pi * k / 4
        pencil.line([(cx, cy), (cx + 1.25 * r * math.cos(a), cy + 1.25 * r * math.sin(a))],
                    weight=1.4, color=frame.wash(WOOD))  # fmt: skip


def _prison(frame: Canvas, image: Image.Image, pencil: Pencil, room: Room) -> None:
    xs, zs = _back(room, 0.2, 0.8, 2.0)
    draw_box(frame, pencil, xs, (0, 0.45), zs, frame.wash((120, 120, 118)))
    p = frame.cam.project
    x = room.left
    z = frame.cam.d0 + 0.9
    while x < room.right:  # the bars
        pencil.line([p(x, 0, z), p(x, room.ceiling, z)], weight=2.0, color=frame.wash(IRON))
        x += 0.25


Furnish = Callable[[Canvas, Image.Image, Pencil, Room], None]
FURNITURE: dict[str, Furnish] = {
    "kitchen": _kitchen, "bedroom": _bedroom, "bathroom": _bathroom,
    "living-room": _living_room, "office": _office, "bar": _bar, "restaurant": _restaurant,
    "hallway": _hallway, "church": _church, "classroom": _classroom, "hospital": _hospital,
    "shop": _shop, "workshop": _workshop, "library": _library, "cellar": _cellar,
    "attic": _attic, "cabin": _cabin, "wheelhouse": _wheelhouse, "prison": _prison,
}  # fmt: skip


def windscreen(frame: Canvas, pencil: Pencil) -> Box:
    """Inside a car: the windscreen over the dashboard and the steering wheel; the
    windscreen's box (the road shows through it)."""
    w, h, u = frame.w, frame.h, frame.u
    glass = (w * 0.08, h * 0.08, w * 0.92, h * 0.58)
    pencil.draw.rectangle((0, 0, w, h), fill=frame.wash((60, 58, 62)))
    pencil.draw.rectangle(glass, fill=frame.env.sky[1])
    road_top = h * 0.4
    pencil.draw.rectangle((glass[0], road_top, glass[2], glass[3]), fill=frame.wash((120, 140, 96)))
    pencil.shape([(w * 0.47, road_top), (w * 0.53, road_top), (w * 0.8, glass[3]),
                  (w * 0.2, glass[3])], frame.wash((110, 108, 104)), weight=0.6)  # fmt: skip
    pencil.shape([(0, h * 0.58), (w, h * 0.58), (w, h), (0, h)], frame.wash((46, 44, 48)))
    cx, cy, r = w * 0.3, h * 0.82, 0.16 * h
    pencil.ellipse((cx - r, cy - r, cx + r, cy + r), None, weight=4.0 * u)
    pencil.line([(glass[0], glass[3]), (glass[0] + w * 0.05, glass[1])], weight=6.0)
    pencil.line([(glass[2], glass[3]), (glass[2] - w * 0.05, glass[1])], weight=6.0)
    return glass
