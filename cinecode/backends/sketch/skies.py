"""The sky: clear (sun or moon, a few clouds), starry at night, or overcast under rain, snow,
fog or a night gale (heavy low clouds, no sun, moon or stars); and the lights that cross it:
a lighthouse beam and a lightning bolt."""

from __future__ import annotations

import math

from PIL import Image

from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.shots import SKIES
from cinecode.backends.sketch.style import RGB, Point, in_light, mix

BEAM: RGB = (252, 248, 226)
MOON: RGB = (238, 234, 212)


def sky_kind(frame: Canvas) -> str:
    """overcast | stars | clear: what the weather and the time leave of the sky."""
    weather = frame.weather
    grey = any(word in weather for word in ("rain", "storm", "snow", "fog", "mist", "gale"))
    if grey or ("wind" in weather and frame.time == "night"):
        return "overcast"
    return "stars" if frame.time == "night" else "clear"


def sky_colours(frame: Canvas) -> tuple[RGB, RGB]:
    """The sky's colour at the top and at the horizon, as the paper takes it: an overcast
    sky is grey, darker at the top."""
    top, low, light, _ = SKIES[frame.time]
    if sky_kind(frame) == "overcast":
        top = mix(top, in_light((118, 122, 130), light), 0.75)
        low = mix(low, in_light((176, 178, 182), light), 0.7)
    paper, wash = frame.style.paper, frame.style.wash
    return mix(paper, top, wash), mix(paper, low, wash)


def draw_sky(frame: Canvas, image: Image.Image, pencil: Pencil, horizon: float) -> None:
    """Sun, moon and stars, or heavy clouds, where the sky shows above `horizon`."""
    if horizon < 0.02 * frame.h:
        return
    kind = sky_kind(frame)
    frame.drawn.sky = kind
    if horizon < 0.12 * frame.h:
        return
    if kind == "overcast":
        _overcast(frame, pencil, horizon)
        return
    rnd = frame.rnd
    x = frame.w * rnd.choice((rnd.uniform(0.12, 0.35), rnd.uniform(0.65, 0.88)))
    if kind == "stars":
        _night(frame, image, pencil, x, horizon)
        return
    u = frame.u
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


def _night(frame: Canvas, image: Image.Image, pencil: Pencil, x: float, horizon: float) -> None:
    """Stars and a crescent moon."""
    rnd, u = frame.rnd, frame.u
    for _ in range(int(1.2e-4 * frame.w * min(horizon, frame.h))):
        sx, sy = rnd.uniform(0, frame.w), rnd.uniform(0, horizon * 0.9)
        r = rnd.uniform(0.6, 1.6) * u
        pencil.draw.ellipse((sx - r, sy - r, sx + r, sy + r), fill=(235, 232, 210, 220))
    y, r = horizon * rnd.uniform(0.2, 0.45), 26 * u
    glow(image, (x, y), r * 4, (170, 185, 230), 0.35)
    pencil.ellipse((x - r, y - r, x + r, y + r), MOON, weight=0.8)
    shadow = (x - r * 0.45, y - r * 1.08, x + r * 1.35, y + r * 0.92)
    t = min(1.0, max(0.0, y / max(horizon, 1.0))) ** 0.8
    pencil.draw.ellipse(shadow, fill=mix(frame.env.sky[0], frame.env.sky[1], t))


def _cloud(frame: Canvas, pencil: Pencil, cx: float, cy: float, size: float) -> None:
    colour = mix(frame.style.paper, (250, 250, 252), 0.6)
    if frame.time in ("dusk", "dawn", "evening"):
        colour = (246, 196, 170)
    for _ in range(4):
        dx, dy = frame.rnd.uniform(-0.5, 0.5) * size, frame.rnd.uniform(-0.15, 0.1) * size
        r = frame.rnd.uniform(0.25, 0.4) * size
        box = (cx + dx - r, cy + dy - r * 0.6, cx + dx + r, cy + dy + r * 0.6)
        pencil.ellipse(box, colour, weight=0.6, alpha=0.35)


def _overcast(frame: Canvas, pencil: Pencil, horizon: float) -> None:
    """Heavy low clouds in rolls across the whole sky, dark underneath."""
    rnd, u = frame.rnd, frame.u
    light = SKIES[frame.time][2]
    for row in range(4):
        y = horizon * (0.08 + 0.22 * row) + rnd.uniform(-8, 8) * u
        shade = in_light((96 + 18 * row, 100 + 18 * row, 110 + 16 * row), light)
        x = rnd.uniform(-120, 0) * u
        while x < frame.w + 60 * u:
            rx, ry = rnd.uniform(70, 150) * u, rnd.uniform(22, 40) * u
            pencil.draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=(*shade, 150))
            x += rx * rnd.uniform(0.9, 1.4)
        base = [(x * 40 * u, y + 28 * u + 5 * u * math.sin(x)) for x in range(-1, 40)]
        pencil.line(base, weight=0.7, alpha=0.3, passes=1, smooth=True)


def draw_beam(frame: Canvas, image: Image.Image, source: Point, aim: Point, spread: float) -> None:
    """A long pale beam from `source` towards `aim`, widening to `spread` pixels."""
    sx, sy = source
    ax, ay = aim
    length = math.hypot(ax - sx, ay - sy) or 1.0
    nx, ny = -(ay - sy) / length, (ax - sx) / length
    draw = frame.pencil(image).draw
    for width, alpha in ((1.0, 60), (0.45, 90)):
        half = spread * width / 2
        tip = 3 * frame.u * width
        wedge = [(sx + nx * tip, sy + ny * tip), (ax + nx * half, ay + ny * half),
                 (ax - nx * half, ay - ny * half), (sx - nx * tip, sy - ny * tip)]  # fmt: skip
        draw.polygon(wedge, fill=(*BEAM, alpha))
    glow(image, source, 60 * frame.u, BEAM, 0.8)
    frame.drawn.add("lights", "beam")


def draw_lightning(frame: Canvas, image: Image.Image, pencil: Pencil, horizon: float) -> None:
    """A bright sky and a forked bolt down to the horizon."""
    rnd, u = frame.rnd, frame.u
    bottom = max(horizon, 0.3 * frame.h)
    flash = Image.new("L", (frame.w, max(1, round(bottom))), 70)
    image.paste((214, 220, 240), (0, 0), flash)
    x, y = frame.w * rnd.uniform(0.25, 0.75), 0.0
    bolt = [(x, y)]
    while y < bottom:
        x, y = x + rnd.uniform(-40, 40) * u, y + rnd.uniform(25, 55) * u
        bolt.append((x, y))
    glow(image, bolt[len(bolt) // 2], 200 * u, (220, 226, 255), 0.5)
    pencil.draw.line(bolt, fill=(250, 250, 255), width=max(2, round(3 * u)), joint="curve")
    fork = bolt[len(bolt) // 3 :][:4]
    pencil.draw.line([(px + 30 * u * i, py) for i, (px, py) in enumerate(fork)],
                     fill=(240, 242, 255), width=max(1, round(1.6 * u)))  # fmt: skip
    frame.drawn.add("lights", "lightning")
