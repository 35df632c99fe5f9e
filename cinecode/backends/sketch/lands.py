"""Land outdoors, each drawing one scenery tag in perspective: ridges of mountains and hills,
desert mesas, a treeline and forest, streets between buildings and a skyline, roads, fields,
a river and its bridge, gardens, a cemetery and a station platform."""

from __future__ import annotations

import math

from cinecode.backends.sketch.blocks import Span, draw_box, quad, spanning
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.props import draw_icon
from cinecode.backends.sketch.style import RGB, Point, mix


def draw_land(frame: Canvas, pencil: Pencil, tag: str, reach: float, span: Span) -> None:
    """Draw the land `tag` names up to `reach` metres away, ridges and woods within the
    picture columns `span`."""
    if tag in ("mountains", "hills"):
        colour = (150, 128, 110) if tag == "mountains" else (120, 140, 96)
        ridges(frame, pencil, frame.wash(colour), jagged=tag == "mountains", span=span)
    elif tag == "desert":
        _mesas(frame, pencil)
    elif tag == "forest":
        treeline(frame, pencil, frame.wash((96, 128, 84)), span)
    elif tag == "street":
        _street(frame, pencil, reach)
    elif tag in _FLAT:
        _FLAT[tag](frame, pencil, min(reach, 200.0))
    else:
        return
    frame.drawn.add("scenery", tag)


def ridges(frame: Canvas, pencil: Pencil, colour: RGB, *, jagged: bool, span: Span) -> None:
    """Two layers of ridges on the horizon, the far one paler, across `span` columns."""
    cam, rnd = frame.cam, frame.rnd
    for layer, z in enumerate((400.0, 160.0)):
        ground = cam.ground(z)
        base = mix(colour, frame.env.air, 0.55 - 0.25 * layer)
        pts: list[Point] = [(span[0], ground + 2)]
        x, y = span[0], ground - rnd.uniform(10, 40) * frame.u
        while x < span[1]:
            pts.append((x, y))
            x += rnd.uniform(30, 90) * frame.u * (0.6 if jagged else 1.4)
            peak = (70 if jagged else 30) * frame.u * (1 + layer * 0.5)
            y = min(ground - 2, max(ground - peak * 2, y + rnd.uniform(-peak, peak)))
        pts += [(span[1], y), (span[1], ground + 2)]
        pencil.shape(pts, base, weight=0.8)


def treeline(frame: Canvas, pencil: Pencil, colour: RGB, span: Span) -> None:
    """A wood along the horizon and two nearer trees."""
    cam, rnd = frame.cam, frame.rnd
    z = 45.0
    ground = cam.ground(z)
    x, right = cam.world_x(span[0] - 30, z), cam.world_x(span[1] + 30, z)
    fill = mix(colour, frame.env.air, 0.25)
    band = ground - 3 * cam.lens / z
    pencil.shape([(span[0], ground), (span[1], ground), (span[1], band), (span[0], band)], fill,
                 outline=False)  # fmt: skip
    while x < right:
        th, tw = rnd.uniform(6, 14), rnd.uniform(4, 8)
        tx, ty = cam.project(x, th, z)
        rx = tw * cam.lens / z / 2
        shade = mix(fill, (30, 40, 30), rnd.uniform(0, 0.2))
        pencil.ellipse((tx - rx, ty, tx + rx, ground + rx * 0.2), shade, weight=0.7)
        x += tw * rnd.uniform(0.45, 0.8)
    for _ in range(2):  # nearer trees
        tx = rnd.choice((rnd.uniform(0.02, 0.2), rnd.uniform(0.8, 0.98))) * frame.w
        draw_icon(frame, pencil, "tree", tx, cam.ground(cam.d0 * 2.5), cam.lens / (cam.d0 * 2.5))


def skyline(frame: Canvas, pencil: Pencil, colour: RGB, z: float = 120.0) -> None:
    """Buildings along the horizon `z` metres away; lit windows at night."""
    cam, rnd = frame.cam, frame.rnd
    ground = cam.ground(z)
    x = cam.world_x(-40, z)
    right = cam.world_x(frame.w + 40, z)
    fill = mix(colour, frame.env.air, 0.4)
    lit = (255, 214, 120) if frame.time in ("night", "dusk", "evening") else None
    while x < right:
        bw, bh = rnd.uniform(8, 22), rnd.uniform(8, 30)
        x0, y0 = cam.project(x, bh, z)
        x1 = cam.project(x + bw, 0, z)[0]
        stone = rnd.choice(((176, 120, 96), (196, 180, 150), (150, 154, 160), (170, 160, 150)))
        shade = mix(mix(fill, frame.wash(stone), 0.35), (40, 40, 46), rnd.uniform(0, 0.15))
        pencil.shape([(x0, y0), (x1, y0), (x1, ground), (x0, ground)], shade, weight=0.8)
        if frame.rnd.random() < 0.3:  # a water tower or a roof box
            rx = x0 + (x1 - x0) * rnd.uniform(0.2, 0.6)
            pencil.shape(
                [(rx, y0), (rx + 8 * frame.u, y0), (rx + 8 * frame.u, y0 - 10 * frame.u),
                 (rx, y0 - 10 * frame.u)], shade, weight=0.6)  # fmt: skip
        step = max(4.0, 3.0 * cam.lens / z)
        gy = y0 + step
        while gy < ground - step and lit is not None:
            gx = x0 + step * 0.6
            while gx < x1 - step * 0.6:
                if rnd.random() < 0.35:
                    pencil.draw.rectangle((gx, gy, gx + step * 0.4, gy + step * 0.5), fill=lit)
                gx += step
            gy += step * 1.2
        x += bw + rnd.uniform(0.5, 8)


def road_marks(frame: Canvas, pencil: Pencil) -> None:
    """Kerbs and a dashed middle line running to the horizon."""
    cam = frame.cam
    for x in (-4.0, 4.0, -6.0, 6.0):
        pencil.line([cam.project(x, 0, 1.0), cam.project(x, 0, 90.0)], weight=0.9, alpha=0.55)
    z = 2.0
    while z < 80:
        a, b = cam.project(0, 0, z), cam.project(0, 0, z * 1.25)
        pencil.line([a, b], weight=1.2, alpha=0.45, passes=1)
        z *= 1.6


def _street(frame: Canvas, pencil: Pencil, reach: float) -> None:
    """A street running away between rows of buildings, the skyline at its end."""
    cam, rnd = frame.cam, frame.rnd
    far = min(reach, 160.0)
    skyline(frame, pencil, frame.wash((150, 140, 132)), far)
    pencil.shape(quad(frame, (-4, 4), (0, 0), (0.5, far)), frame.wash((120, 120, 122)),
                 outline=False)  # fmt: skip
    road_marks(frame, pencil)
    windows = frame.wash((70, 76, 90))
    for side in (-1, 1):
        x = side * rnd.uniform(6.5, 8)
        z = cam.d0 * 0.8
        while z < far:
            deep, tall = rnd.uniform(6, 14), rnd.uniform(6, 18)
            wall = frame.wash(rnd.choice(((176, 130, 104), (200, 188, 160), (150, 156, 164))))
            pencil.shape(quad(frame, (x, x), (0, tall), (z, z + deep)), wall, weight=0.8)
            for level in range(1, int(tall / 3)):
                for k in range(int(deep / 3)):
                    zz = z + 0.8 + k * 3
                    pane = quad(frame, (x, x), (level * 3 - 1.6, level * 3 - 0.4), (zz, zz + 1.2))
                    pencil.shape(pane, windows, weight=0.4, alpha=0.6)
            z += deep


def _road(frame: Canvas, pencil: Pencil, reach: float) -> None:
    """A road or path from under the camera to the horizon, or to where the land ends."""
    half = 1.2 + frame.rnd.uniform(0, 1.5)
    middle = frame.rnd.uniform(-2.0, 2.0)
    tar = frame.wash((150, 140, 120))
    near = max(frame.cam.d0 * 0.3, 0.5)
    pencil.shape(quad(frame, (middle - half, middle + half), (0, 0), (near, reach)), tar,
                 outline=False)  # fmt: skip
    p = frame.cam.project
    for x in (middle - half, middle + half):
        pencil.line([p(x, 0, near), p(x, 0, reach)], weight=0.8, alpha=0.6)


def _field(frame: Canvas, pencil: Pencil, reach: float) -> None:
    """Furrows running to the horizon in a crop's colour."""
    p = frame.cam.project
    crop = frame.wash((190, 176, 96))
    near = max(frame.cam.d0 * 0.5, 1.0)
    pencil.shape(quad(frame, (-200, 200), (0, 0), (near, reach)), crop, outline=False)
    for k in range(-24, 25):
        pencil.line([p(k * 1.5, 0, near), p(k * 1.5, 0, reach)], weight=0.5, alpha=0.35, passes=1)


def _river(frame: Canvas, pencil: Pencil, reach: float) -> None:
    """A river crossing the picture, winding, with its banks."""
    cam = frame.cam
    near, far = min(reach, 22.0), min(reach, 34.0)
    water = mix(frame.wash((104, 138, 160)), frame.env.air, 0.2)
    xs = [frame.w * k / 12 for k in range(-1, 14)]
    top = [(x, cam.ground(far) + 6 * frame.u * math.sin(k * 0.9)) for k, x in enumerate(xs)]
    low = [(x, cam.ground(near) + 10 * frame.u * math.sin(k * 0.7)) for k, x in enumerate(xs)]
    pencil.shape(top + low[::-1], water, weight=0.8)
    for (x0, y0), (x1, y1) in zip(top[::2], low[::2], strict=False):
        y = (y0 + y1) / 2
        pencil.line([(x0, y), (x0 + (x1 - x0 + 30 * frame.u), y)], weight=0.5, alpha=0.4)


def _bridge(frame: Canvas, pencil: Pencil, reach: float) -> None:
    """A stone bridge of arches across the view."""
    z = min(reach, 60.0)
    stone = mix(frame.wash((170, 160, 144)), frame.env.air, 0.2)
    span_m = frame.cam.world_x(frame.w + 40, z) - frame.cam.world_x(-40, z)
    left = frame.cam.world_x(-40, z)
    draw_box(frame, pencil, (left, left + span_m), (4.5, 6.0), (z, z + 3), stone)
    p = frame.cam.project
    arch = 10.0
    x = left
    while x < left + span_m:
        pts = [p(x + arch / 2 + arch / 2 * math.cos(t), 4.5 * math.sin(t) if t else 0, z)
               for t in (math.pi * k / 8 for k in range(9))]  # fmt: skip
        pencil.shape([p(x, 0, z), p(x, 4.5, z), p(x + 1.2, 4.5, z), p(x + 1.2, 0, z)], stone)
        pencil.line(pts, weight=0.7)
        x += arch


def _garden(frame: Canvas, pencil: Pencil, reach: float) -> None:
    """Hedges along a path, flowers in the beds."""
    green = frame.wash((88, 124, 74))
    rnd = frame.rnd
    far = min(reach, 40.0)
    for side in (-1, 1):
        draw_box(frame, pencil, spanning(side * 3.0, side * 4.2), (0, 1.2), (frame.cam.d0, far),
                 green)  # fmt: skip
    for _ in range(60):
        z = rnd.uniform(frame.cam.d0, far)
        x, y = frame.cam.project(rnd.choice((-1, 1)) * rnd.uniform(4.4, 9), 0, z)
        r = max(1.5, 0.25 * frame.cam.lens / z)
        colour = rnd.choice(((220, 90, 100), (240, 210, 90), (200, 120, 200)))
        pencil.draw.ellipse((x - r, y - r, x + r, y + r), fill=frame.wash(colour))


def _cemetery(frame: Canvas, pencil: Pencil, reach: float) -> None:
    """Rows of headstones and crosses running back."""
    rnd = frame.rnd
    stone = frame.wash((170, 168, 160))
    p = frame.cam.project
    for row in range(6, 0, -1):
        z = frame.cam.d0 * 1.2 + row * 4
        if z > reach:
            continue
        for col in range(-4, 5):
            x = col * 2.2 + rnd.uniform(-0.3, 0.3)
            if abs(x) < 1.0:
                continue
            if rnd.random() < 0.3:
                pencil.line([p(x, 0, z), p(x, 1.2, z)], weight=1.2)
                pencil.line([p(x - 0.35, 0.85, z), p(x + 0.35, 0.85, z)], weight=1.2)
            else:
                draw_box(frame, pencil, (x - 0.35, x + 0.35), (0, 0.9), (z, z + 0.2), stone,
                         weight=0.5)  # fmt: skip


def _station(frame: Canvas, pencil: Pencil, reach: float) -> None:
    """A platform along one side with its edge, the rails beside it and canopy posts."""
    side = frame.rnd.choice((-1, 1))
    far = min(reach, 150.0)
    near = max(frame.cam.d0 * 0.5, 1.0)
    concrete = frame.wash((176, 172, 164))
    draw_box(frame, pencil, spanning(side * 1.2, side * 12), (-1.0, 0), (near, far), concrete)
    p = frame.cam.project
    pencil.line([p(side * 1.5, 0, near), p(side * 1.5, 0, far)], weight=1.4,
                color=(230, 200, 60))  # fmt: skip
    for x in (-0.3, -1.7):
        rail = side * (1.2 - x) - side * 2.6
        pencil.line([p(rail, -1.0, near), p(rail, -1.0, far)], weight=1.0)
    for k in range(1, 8):
        z = near + k * 8
        pencil.line([p(side * 5, 0, z), p(side * 5, 3.6, z)], weight=1.1)


def _mesas(frame: Canvas, pencil: Pencil) -> None:
    """Flat-topped rocks on the horizon and the lines of dunes."""
    cam, rnd = frame.cam, frame.rnd
    z = 300.0
    ground = cam.ground(z)
    rock = mix(frame.wash((196, 150, 110)), frame.env.air, 0.35)
    x = rnd.uniform(-0.1, 0.2) * frame.w
    while x < frame.w:
        w, h = rnd.uniform(60, 200) * frame.u, rnd.uniform(30, 80) * frame.u
        pencil.shape([(x, ground), (x + w * 0.15, ground - h), (x + w * 0.85, ground - h),
                      (x + w, ground)], rock, weight=0.8)  # fmt: skip
        x += w + rnd.uniform(80, 300) * frame.u
    for k in range(1, 6):
        y = ground + (frame.h - ground) * k / 6
        pts = [(px, y + 6 * frame.u * math.sin(px / (90 * frame.u) + k)) for px in
               range(-10, frame.w + 30, 30)]  # fmt: skip
        pencil.line(pts, weight=0.6, alpha=0.4, passes=1)


_FLAT = {
    "road": _road,
    "field": _field,
    "river": _river,
    "bridge": _bridge,
    "garden": _garden,
    "cemetery": _cemetery,
    "station": _station,
}
