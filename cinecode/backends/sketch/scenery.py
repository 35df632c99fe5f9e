"""Outdoors: the sky (sun, moon, stars, clouds) over the ground, the scenery on the horizon
that the location names (a skyline, water, a treeline, ridges or hills), and marks on the
ground that show its perspective."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from cinecode.backends.protocols import Composition
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.props import draw_icon
from cinecode.backends.sketch.shots import SKIES, scenery_kind
from cinecode.backends.sketch.style import RGB, Point, mix


def draw_exterior(frame: Canvas, image: Image.Image, pencil: Pencil, comp: Composition) -> None:
    """Outdoors: sky over the ground, the scenery the location names, marks on the ground."""
    top, horizon_sky, light, tint = SKIES[frame.time]
    frame.env.light, frame.env.tint = light, tint
    kind = scenery_kind(comp.location)
    grounds = {"city": (150, 148, 142), "water": (214, 198, 160), "trees": (132, 156, 104),
               "ridge": (196, 170, 126), "hills": (150, 166, 112)}  # fmt: skip
    ground = frame.palette(comp, 1, grounds[kind])
    if frame.weather == "snow":
        ground = mix(ground, (246, 246, 250), 0.75)
    sky_top = mix(frame.style.paper, top, frame.style.wash)
    sky_low = mix(frame.style.paper, horizon_sky, frame.style.wash)
    far = mix(frame.wash(ground), sky_low, 0.35)
    frame.env.air = sky_low
    frame.env.sky = (sky_top, sky_low)
    _sky_and_ground(frame, image, (sky_top, sky_low), (far, frame.wash(ground)))
    _sky_details(frame, image, pencil)
    scenery_colour = frame.palette(comp, 0, {"city": (150, 140, 132), "water": (120, 150, 170),
                                             "trees": (96, 128, 84), "ridge": (150, 128, 110),
                                             "hills": (120, 140, 96)}[kind])  # fmt: skip
    if kind == "city":
        _skyline(frame, pencil, scenery_colour)
    elif kind == "water":
        _water(frame, pencil, scenery_colour)
    elif kind == "trees":
        _treeline(frame, pencil, scenery_colour)
    else:
        _ridges(frame, pencil, scenery_colour, jagged=kind == "ridge")
    _ground_marks(frame, pencil, kind)


def _sky_and_ground(
    frame: Canvas, image: Image.Image, sky: tuple[RGB, RGB], ground: tuple[RGB, RGB]
) -> None:
    """Fill the frame with a sky gradient above the horizon and ground below it."""
    h, horizon = frame.h, frame.cam.horizon
    rows = np.arange(h, dtype=np.float32)
    t_sky = np.clip(rows / max(horizon, 1.0), 0, 1) ** 0.8
    t_ground = np.clip((rows - horizon) / max(h - horizon, 1.0), 0, 1) ** 0.7
    top, bottom = np.array(sky[0], np.float32), np.array(sky[1], np.float32)
    far, near = np.array(ground[0], np.float32), np.array(ground[1], np.float32)
    sky_rows = top + (bottom - top) * t_sky[:, None]
    ground_rows = far + (near - far) * t_ground[:, None]
    column = np.where((rows < horizon)[:, None], sky_rows, ground_rows)
    strip = Image.fromarray(np.clip(column, 0, 255).astype(np.uint8)[:, None, :], "RGB")
    image.paste(strip.resize((frame.w, h), Image.Resampling.NEAREST))


def _sky_details(frame: Canvas, image: Image.Image, pencil: Pencil) -> None:
    """Sun, moon and stars, or clouds, where the sky shows."""
    horizon = frame.cam.horizon
    if horizon < 0.12 * frame.h:
        return
    rnd, u = frame.rnd, frame.u
    x = frame.w * rnd.choice((rnd.uniform(0.12, 0.35), rnd.uniform(0.65, 0.88)))
    if frame.time == "night":
        for _ in range(int(1.2e-4 * frame.w * min(horizon, frame.h))):
            sx, sy = rnd.uniform(0, frame.w), rnd.uniform(0, horizon * 0.9)
            r = rnd.uniform(0.6, 1.6) * u
            pencil.draw.ellipse((sx - r, sy - r, sx + r, sy + r), fill=(235, 232, 210, 220))
        y, r = horizon * rnd.uniform(0.2, 0.45), 26 * u
        glow(image, (x, y), r * 4, (170, 185, 230), 0.35)
        pencil.ellipse((x - r, y - r, x + r, y + r), (238, 234, 212), weight=0.8)
        shadow = (x - r * 0.45, y - r * 1.08, x + r * 1.35, y + r * 0.92)
        t = min(1.0, max(0.0, y / max(horizon, 1.0))) ** 0.8
        pencil.draw.ellipse(shadow, fill=mix(frame.env.sky[0], frame.env.sky[1], t))
        return
    if frame.time in ("dawn", "dusk", "evening"):
        y, r = horizon - 18 * u, 46 * u
        glow(image, (x, y), r * 5, (255, 190, 120), 0.55)
        pencil.ellipse((x - r, y - r, x + r, y + r), (252, 214, 150), weight=0.7, alpha=0.5)
    else:
        y, r = horizon * rnd.uniform(0.18, 0.4), 30 * u
        glow(image, (x, y), r * 5, (255, 248, 220), 0.45)
    for _ in range(rnd.randint(2, 4)):
        cx, cy = rnd.uniform(0, frame.w), rnd.uniform(0.1, 0.7) * horizon
        _cloud(frame, pencil, cx, cy, rnd.uniform(80, 160) * u)


def _cloud(frame: Canvas, pencil: Pencil, cx: float, cy: float, size: float) -> None:
    colour = mix(frame.style.paper, (250, 250, 252), 0.6)
    if frame.time in ("dusk", "dawn", "evening"):
        colour = (246, 196, 170)
    for _ in range(4):
        dx, dy = frame.rnd.uniform(-0.5, 0.5) * size, frame.rnd.uniform(-0.15, 0.1) * size
        r = frame.rnd.uniform(0.25, 0.4) * size
        box = (cx + dx - r, cy + dy - r * 0.6, cx + dx + r, cy + dy + r * 0.6)
        pencil.ellipse(box, colour, weight=0.6, alpha=0.35)


def _skyline(frame: Canvas, pencil: Pencil, colour: RGB) -> None:
    """Buildings along the horizon; lit windows at night."""
    cam, rnd = frame.cam, frame.rnd
    z = 120.0
    ground = cam.ground(z)
    x = cam.world_x(-40, z)
    right = cam.world_x(frame.w + 40, z)
    fill = mix(frame.wash(colour), frame.env.air, 0.4)
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
        lit = (255, 214, 120) if frame.time in ("night", "dusk", "evening") else None
        gy = y0 + step
        while gy < ground - step and lit is not None:
            gx = x0 + step * 0.6
            while gx < x1 - step * 0.6:
                if rnd.random() < 0.35:
                    pencil.draw.rectangle((gx, gy, gx + step * 0.4, gy + step * 0.5), fill=lit)
                gx += step
            gy += step * 1.2
        x += bw + rnd.uniform(0.5, 8)


def _treeline(frame: Canvas, pencil: Pencil, colour: RGB) -> None:
    cam, rnd = frame.cam, frame.rnd
    z = 45.0
    ground = cam.ground(z)
    x, right = cam.world_x(-40, z), cam.world_x(frame.w + 40, z)
    fill = mix(frame.wash(colour), frame.env.air, 0.25)
    pencil.shape(
        [(-10, ground), (frame.w + 10, ground), (frame.w + 10, ground - 3 * cam.lens / z),
         (-10, ground - 3 * cam.lens / z)], fill, outline=False)  # fmt: skip
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


def _ridges(frame: Canvas, pencil: Pencil, colour: RGB, *, jagged: bool) -> None:
    cam, rnd = frame.cam, frame.rnd
    for layer, z in enumerate((400.0, 160.0)):
        ground = cam.ground(z)
        base = mix(frame.wash(colour), frame.env.air, 0.55 - 0.25 * layer)
        pts: list[Point] = [(-10, ground + 2)]
        x, y = -10.0, ground - rnd.uniform(10, 40) * frame.u
        while x < frame.w + 10:
            pts.append((x, y))
            x += rnd.uniform(30, 90) * frame.u * (0.6 if jagged else 1.4)
            peak = (70 if jagged else 30) * frame.u * (1 + layer * 0.5)
            y = min(ground - 2, max(ground - peak * 2, y + rnd.uniform(-peak, peak)))
        pts += [(frame.w + 10, y), (frame.w + 10, ground + 2)]
        pencil.shape(pts, base, weight=0.8)


def _water(frame: Canvas, pencil: Pencil, colour: RGB) -> None:
    cam = frame.cam
    shore = cam.ground(30.0)
    water = mix(frame.wash(colour), frame.env.air, 0.25)
    top = max(cam.horizon, -10)
    pencil.shape([(-10, top), (frame.w + 10, top), (frame.w + 10, shore), (-10, shore)],
                 water, outline=False)  # fmt: skip
    pencil.line([(-10, shore), (frame.w + 10, shore)], weight=0.9)
    y = top + 4 * frame.u
    while y < shore - 2:
        x = frame.rnd.uniform(0, frame.w)
        length = (y - top + 8) * frame.rnd.uniform(0.6, 1.4)
        pencil.line([(x, y), (x + length, y)], weight=0.6, alpha=0.4, passes=1)
        y += max(3.0, (y - top) * 0.18 + 2 * frame.u)


def _ground_marks(frame: Canvas, pencil: Pencil, kind: str) -> None:
    """Perspective on the ground: road lines in town, tufts elsewhere."""
    cam, rnd = frame.cam, frame.rnd
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
        x = cam.world_x(rnd.uniform(0, frame.w), z)
        px, py = cam.project(x, 0, z)
        length = 0.4 * cam.lens / z
        pencil.line([(px - length, py), (px + length, py)], weight=0.6, alpha=0.35, passes=1)
