"""Weather over the picture: rain, snow, gusts of wind with leaves, and fog (over the whole
picture outdoors, through the windows indoors)."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image

from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.style import Box


def veil_outdoors(frame: Canvas, image: Image.Image, strength: float) -> None:
    """Fog over the whole picture when the shot is outdoors (indoors it shows at the windows)."""
    if frame.foggy() and frame.setting != "int":
        fog(frame, image, (0, 0, frame.w, frame.h), strength)


def draw_weather(frame: Canvas, image: Image.Image) -> None:
    """Rain, snow, fog or wind over the picture; indoors only at the windows (an insert or
    a room without a window stays dry)."""
    kind, u = frame.weather, frame.u
    if not kind:
        return
    rnd = random.Random(frame.req.seed * 31 + 7)  # its own dice: the weather moves nothing else
    pencil = frame.pencil(image, rnd)
    areas: list[Box] = [(0, 0, frame.w, frame.h)]
    if frame.setting == "int":
        areas = list(frame.env.windows)
    if areas:
        frame.drawn.weather = kind
    for x0, y0, x1, y1 in areas:
        area = (x1 - x0) * (y1 - y0) / (u * u * 1280 * 720)
        if "rain" in kind or "storm" in kind:
            slant = rnd.uniform(0.12, 0.3)
            colour = (210, 220, 235, 120) if frame.time != "day" else (90, 100, 120, 110)
            for _ in range(int(420 * area) + 3):
                x, y = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
                length = rnd.uniform(16, 34) * u
                end = (min(x1, x + slant * length), min(y1, y + length))
                pencil.draw.line([(x, y), end], fill=colour, width=max(1, round(u)))
        elif "snow" in kind:
            for _ in range(int(300 * area) + 3):
                x, y = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
                r = rnd.uniform(1.0, 3.2) * u
                pencil.draw.ellipse((x - r, y - r, x + r, y + r), fill=(252, 252, 255, 220))
        elif frame.foggy() and frame.setting == "int" and frame.size != "insert":
            fog(frame, image, (x0, y0, x1, y1), 0.62)
        elif "wind" in kind and frame.setting == "ext":
            for _ in range(int(9 * area) + 1):  # gusts: a few parallel sweeping strokes
                x, y = rnd.uniform(x0 - 100 * u, x1 * 0.75), rnd.uniform(y0, y1 * 0.7)
                length, bend = rnd.uniform(160, 320) * u, rnd.uniform(-30, 30) * u
                for k in range(rnd.randint(2, 3)):
                    dy = k * 9 * u
                    pts = [(x + length * t + k * 14 * u, y + dy + bend * math.sin(math.pi * t))
                           for t in np.linspace(0, 1, 12)]  # fmt: skip
                    pencil.line(pts, weight=0.9, alpha=0.6 - 0.12 * k, passes=1, smooth=True)
            for _ in range(int(40 * area) + 1):  # leaves in the air
                x, y = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
                r = rnd.uniform(2.5, 5) * u
                pencil.draw.ellipse((x - r, y - r * 0.5, x + r, y + r * 0.5),
                                    fill=(120, 110, 70, 200))  # fmt: skip


def fog(frame: Canvas, image: Image.Image, box: Box, strength: float) -> None:
    """A white veil over `box`, thickest at the horizon."""
    x0, y0, x1, y1 = box
    fog = Image.new("RGB", (max(1, round(x1 - x0)), max(1, round(y1 - y0))), (232, 232, 236))
    rows = np.linspace(0, 1, fog.height, dtype=np.float32)
    centre = (frame.cam.horizon - y0) / max(1.0, y1 - y0)
    veil = np.clip(strength - 0.55 * strength * np.abs(rows - centre), 0.25 * strength, 1)
    mask = (veil * 255).astype(np.uint8)[:, None]
    alpha = Image.fromarray(mask, "L").resize(fog.size, Image.Resampling.NEAREST)
    image.paste(fog, (round(x0), round(y0)), alpha)
