"""Props in the frame: drawing an icon at its real size (standing, or lying on a table), and
standing the props of a wide shot in the gaps between the people."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from cinecode.backends.protocols import Composition
from cinecode.backends.sketch.canvas import Canvas, Tag
from cinecode.backends.sketch.icons import FLAT, ICONS, icon_for, table_quad
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.style import Point, in_light, mix


def stand_props(frame: Canvas, image: Image.Image, comp: Composition) -> None:
    """Props big enough to read stand in wide shots, in gaps between the people; doors
    and windows sit in a room's back wall."""
    if frame.size not in ("extreme-wide", "wide", "full") or not comp.props:
        return
    pencil = frame.pencil(image)
    cam = frame.cam
    taken = [f.x for f in comp.figures]

    def crowding(slot: float) -> float:
        return -min([abs(slot - t) for t in taken] or [1.0])

    slots = sorted((0.1, 0.28, 0.72, 0.9), key=crowding)
    for slot, name in zip(slots, comp.props[:2], strict=False):
        icon = icon_for(name)
        z = min(cam.d0 * 1.3, frame.env.back - 0.6)
        if icon in ("door", "window") and math.isfinite(frame.env.back):
            z = frame.env.back
        if ICONS[icon][0] * cam.lens / z < 14 * frame.u:
            continue  # too small to read at this distance
        x = slot * frame.w + frame.rnd.uniform(-0.03, 0.03) * frame.w
        draw_icon(frame, pencil, name, x, cam.ground(z), cam.lens / z, tag=True)


def draw_icon(
    frame: Canvas,
    pencil: Pencil,
    name: str,
    x: float,
    base: float,
    ppm: float,
    *,
    target: float = 0.0,
    lit: bool = False,
    tag: bool = False,
    tilt: float | None = None,
) -> None:
    """Draw the prop `name` standing on `base` at `x`, at its real size (`ppm`) or
    `target` pixels high; with a `tilt`, lying on a table seen from above."""
    height_m, aspect, colour, shapes = ICONS[icon_for(name)]
    h = target or height_m * ppm
    w = h * aspect
    if w > 0.8 * frame.w:
        w, h = 0.8 * frame.w, 0.8 * frame.w / aspect
    x0, y0 = x - w / 2, base - h
    corners = table_quad(x, base - h * 0.4, w, h * 0.8, tilt or 0.0)

    def place(px: float, py: float) -> Point:
        if tilt is None:
            return (x0 + px * w, y0 + py * h)
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = corners
        top = (ax + (bx - ax) * px, ay + (by - ay) * px)
        bottom = (dx + (cx - dx) * px, dy + (cy - dy) * px)
        return (top[0] + (bottom[0] - top[0]) * py, top[1] + (bottom[1] - top[1]) * py)

    main = frame.wash(colour)
    roles = {
        "main": main,
        "dark": in_light(main, 0.5),
        "light": (255, 226, 150) if lit else mix(main, (255, 255, 255), 0.45),
        "metal": frame.wash((170, 174, 180)),
        "glass": frame.wash((160, 186, 204) if frame.time != "night" else (40, 52, 80)),
        "paper": frame.wash((244, 239, 226)),
        "glow": (255, 214, 110),
        "flame": (240, 128, 48),
        "foliage": frame.wash((104, 138, 86)),
    }
    weight = max(0.6, min(1.4, h / (200 * frame.u)))
    if tilt is not None and icon_for(name) in FLAT:  # its shadow on the table
        off = 0.025 * h
        shadow = [(px + off, py + off * 1.3) for px, py in corners]
        pencil.draw.polygon(shadow, fill=(20, 16, 12, 70))
    for kind, coords, role in shapes:
        fill = roles.get(role)
        if kind == "ellipse" and tilt is not None:
            ux0, uy0, ux1, uy1 = coords
            ring = [(ux0 + (ux1 - ux0) * (0.5 + 0.5 * math.cos(t)),
                     uy0 + (uy1 - uy0) * (0.5 + 0.5 * math.sin(t)))
                    for t in np.linspace(0, 2 * math.pi, 20, endpoint=False)]  # fmt: skip
            pencil.shape([place(*p) for p in ring], fill, weight=weight)
            continue
        pts = [place(coords[i], coords[i + 1]) for i in range(0, len(coords), 2)]
        if kind == "poly":
            pencil.shape(pts, fill, weight=weight)
        elif kind == "ellipse":
            (ax, ay), (bx, by) = pts
            pencil.ellipse((ax, ay, bx, by), fill, weight=weight)
        else:
            pencil.line(pts, weight=weight * 0.8)
    if tag and name.strip():
        top = min(place(0, 0)[1], place(1, 0)[1])
        frame.prop_tags.append(Tag(name.strip(), colour, "prop", x, top, base))
