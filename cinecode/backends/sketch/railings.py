"""High places in the foreground: a balcony or gallery (an iron railing across the frame,
the lighthouse's glazed lantern beside it) and a rooftop (a parapet over the other roofs)."""

from __future__ import annotations

from cinecode.backends.sketch.blocks import draw_box, quad
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.lands import skyline
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.style import mix

IRON = (46, 48, 54)


def draw_balcony(frame: Canvas, pencil: Pencil, lighthouse: bool, side: int) -> None:
    """An iron railing just behind the people, across the whole frame; on a lighthouse, the
    lantern's white wall and glazing along one side."""
    cam = frame.cam
    z = cam.d0 + 0.6
    if lighthouse:
        _lantern_wall(frame, pencil, side)
    reach = cam.world_x(frame.w + 40, z) - cam.world_x(-40, z)
    left = cam.world_x(-40, z)
    iron = frame.wash(IRON)
    pencil.shape(quad(frame, (left, left + reach), (0, 0), (max(0.3, z - 3), z)),
                 frame.wash((120, 118, 116)), weight=0.6)  # fmt: skip
    p = cam.project
    for y, weight in ((1.1, 2.2), (0.6, 1.2), (0.08, 1.6)):
        pencil.line([p(left, y, z), p(left + reach, y, z)], weight=weight, color=iron)
    x = left
    while x < left + reach:
        pencil.line([p(x, 0, z), p(x, 1.1, z)], weight=0.9, color=iron, passes=1)
        x += 0.22
    frame.drawn.add("scenery", "balcony")


def _lantern_wall(frame: Canvas, pencil: Pencil, side: int) -> None:
    """The lighthouse's lantern room along one side: a white wall below its glazing."""
    cam = frame.cam
    near, far = max(0.3, cam.d0 * 0.3), cam.d0 + 0.6
    x = side * abs(cam.world_x(frame.w * (0.5 + side * 0.4), cam.d0))
    white = frame.wash((240, 240, 236))
    pencil.shape(quad(frame, (x, x), (0, 1.0), (near, far)), white, weight=0.8)
    glass = mix(frame.wash((120, 140, 156)), frame.env.sky[1], 0.4)
    pencil.shape(quad(frame, (x, x), (1.0, 4.0), (near, far)), glass, weight=0.8)
    z = near
    while z <= far:
        pencil.line([cam.project(x, 1.0, z), cam.project(x, 4.0, z)], weight=1.4, color=IRON)
        z += 0.5
    frame.drawn.add("scenery", "lighthouse")


def draw_rooftop(frame: Canvas, pencil: Pencil) -> None:
    """A parapet behind the people, the city's roofs beyond, a chimney stack nearby."""
    cam, rnd = frame.cam, frame.rnd
    skyline(frame, pencil, frame.wash((150, 140, 132)), 90.0)
    z = cam.d0 + 0.8
    left, right = cam.world_x(-40, z), cam.world_x(frame.w + 40, z)
    brick = frame.wash((160, 110, 90))
    draw_box(frame, pencil, (left, right), (0, 0.9), (z, z + 0.4), brick)
    x = rnd.choice((-1, 1)) * abs(cam.world_x(frame.w * 0.1, z + 4))
    draw_box(frame, pencil, (x - 0.6, x + 0.6), (0, 2.4), (z + 4, z + 5), brick)
    frame.drawn.add("scenery", "rooftop")
