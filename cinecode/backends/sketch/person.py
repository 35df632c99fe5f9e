"""The people: what stays the same about a character from shot to shot (its look, seeded by
the name), where a figure stands in pixels, and the drawing of a standing body and its face."""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from cinecode.backends.protocols import Figure
from cinecode.backends.sketch.pencil import Pencil, ellipse_points, half_polygon
from cinecode.backends.sketch.style import PERSON, RGB, Point, rgba


@dataclass(frozen=True)
class Look:
    """What stays the same about a character from shot to shot (seeded by the name)."""

    height: float
    build: float
    hair: str  # short | long | bun | curly | bald
    hair_color: RGB
    skin: RGB
    outfit: str  # trousers | coat


_SKINS: tuple[RGB, ...] = (
    (238, 208, 184), (226, 188, 156), (204, 160, 122), (170, 122, 88), (124, 88, 64),
)  # fmt: skip
_HAIRS: tuple[RGB, ...] = (
    (40, 34, 32), (74, 52, 38), (120, 86, 54), (176, 140, 92), (150, 150, 150), (96, 40, 30),
)  # fmt: skip


@lru_cache(maxsize=1024)
def look_of(name: str) -> Look:
    rnd = random.Random(zlib.crc32(name.strip().upper().encode("utf-8")))
    return Look(
        height=rnd.uniform(0.93, 1.05),
        build=rnd.uniform(0.9, 1.12),
        hair=rnd.choice(("short", "short", "long", "bun", "curly", "bald")),
        hair_color=rnd.choice(_HAIRS),
        skin=rnd.choice(_SKINS),
        outfit=rnd.choice(("trousers", "trousers", "coat")),
    )


@dataclass
class Placed:
    """A figure placed in the frame, in pixels."""

    figure: Figure
    cx: float
    feet: float
    ppm: float  # pixels per metre at its distance
    facing: str
    foreground: bool  # over-the-shoulder: nearer than the speaker, seen from behind
    blur: float  # pixels
    haze: float  # 0 … 1 mix towards the air colour (distance)

    @property
    def head_top(self) -> float:
        return self.feet - self.ppm * PERSON * look_of(self.figure.name).height

    @property
    def head_height(self) -> float:
        return self.ppm * 0.23 * look_of(self.figure.name).height


@dataclass(frozen=True)
class Head:
    """Where a drawn person's head ended up (patch pixels), for labels and speech marks."""

    top: float
    chin: float
    cx: float
    width: float
    mouth: Point
    side: int  # which way speech goes: -1 left, 1 right, 0 towards the middle of the frame


# Hair outlines in head units (x: -1 … 1 across the head, y: -1 top … 1 chin), facing right.
_HAIR_FRONT = ((-1.08, 0.05), (-1.02, -0.5), (-0.62, -0.97), (0, -1.13), (0.62, -0.97),
               (1.02, -0.5), (1.08, 0.05), (0.9, -0.32), (0.45, -0.58), (-0.2, -0.6),
               (-0.8, -0.42))  # fmt: skip
_HAIR_SIDE = ((0.62, -0.72), (0.3, -1.08), (-0.35, -1.12), (-0.95, -0.68), (-1.1, 0.0),
              (-0.98, 0.48), (-0.62, 0.38), (-0.42, -0.05), (-0.1, -0.45),
              (0.35, -0.56))  # fmt: skip
_HAIR_LONG_FRONT = ((-1.1, -0.5), (1.1, -0.5), (1.25, 1.3), (-1.25, 1.3))
_HAIR_LONG_SIDE = ((-0.2, -1.0), (-1.1, -0.6), (-1.25, 1.3), (-0.35, 1.3), (-0.4, 0.4))


def draw_body(
    pencil: Pencil,
    spot: Placed,
    look: Look,
    colours: dict[str, RGB],
    light_side: int,
    origin: tuple[int, int],
    angle: str,
) -> Head:
    """Draw a standing person in body metres (feet at 0, head top at 1.75 × their height).

    Front and back views share one construction; a profile is drawn facing right and mirrored
    for "left". Returns where the head is, for the name label and the speech marks."""
    ppm, k, b = spot.ppm, look.height, look.build
    facing = spot.facing
    m = -1 if facing == "left" else 1
    profile = facing in ("left", "right")
    back_view = facing == "away"
    taper = {"high": 0.22, "low": -0.18}.get(angle, 0.0)
    ox, oy = origin
    rnd = pencil.rnd
    u = pencil.u

    def at(x: float, y: float) -> Point:
        scale = 1 + taper * (y / 1.75 - 0.5)
        return (spot.cx - ox + m * x * ppm * scale, spot.feet - oy - y * k * ppm)

    def poly(points: Sequence[Point]) -> list[Point]:
        return [at(x, y) for x, y in points]

    def limb(points: Sequence[Point], thick: float, colour: RGB, *, cap: bool = True) -> None:
        """A round-ended limb with a pencil edge; the joint it starts from is not outlined."""
        pts = poly(points)
        width = max(1, round(thick * ppm))
        edge = max(1, min(pencil.width(1.0), round(width * 0.2)))
        lead = rgba(pencil.style.lead, 0.8)
        for fill, w in ((lead, width + 2 * edge), (colour, width)):
            pencil.draw.line(pts, fill=fill, width=w, joint="curve")
            ends = [pts[-1], pts[0]] if cap and fill == colour else [pts[-1]]
            for px, py in ends:
                pencil.draw.ellipse((px - w / 2, py - w / 2, px + w / 2, py + w / 2), fill=fill)

    def hand(x: float, y: float) -> None:
        hx, hy = at(x, y)
        rx, ry = 0.036 * ppm * b, 0.05 * k * ppm
        pencil.ellipse((hx - rx, hy - ry * 0.6, hx + rx, hy + ry * 1.2), colours["skin"],
                       weight=0.6)  # fmt: skip

    role = spot.figure.role
    gesture = role == "speaker" and rnd.random() < 0.7
    pose = "gesture" if gesture else rnd.choice(("down", "down", "hips"))
    cloth, legs, skin, hair = colours["cloth"], colours["legs"], colours["skin"], colours["hair"]
    sw, waist, hips = 0.2 * b, 0.14 * b, 0.16 * b
    shade_side = -light_side * m

    # 1. legs and shoes (the far leg and arm first in profile)
    if profile:
        st = rnd.uniform(0.04, 0.1)
        limb(((-0.01, 0.86), (-0.01 - st, 0.48), (-0.03 - 1.5 * st, 0.08)), 0.115 * b,
             colours["legs_far"])  # fmt: skip
        limb(((-0.01, 1.38), (-0.06, 1.12), (-0.06, 0.88)), 0.08 * b, colours["shade"])
        limb(((0.02, 0.86), (0.03 + st, 0.48), (0.04 + 1.5 * st, 0.08)), 0.115 * b, legs)
        feet = ((-0.03 - 1.5 * st, 0.08), (0.04 + 1.5 * st, 0.08))
    else:
        for side in (-1, 1):
            limb(((side * 0.085 * b, 0.86), (side * 0.095 * b, 0.48), (side * 0.095 * b, 0.08)),
                 0.115 * b, legs)  # fmt: skip
        feet = ((-0.095 * b, 0.08), (0.095 * b, 0.08))
    for fx, _ in feet:
        toe = 0.05 if profile else 0.0
        (ax, ay), (bx, by) = at(fx - 0.065 + toe, 0.085), at(fx + 0.065 + toe, 0.0)
        pencil.ellipse((min(ax, bx), ay, max(ax, bx), by), colours["shoe"], weight=0.6)

    # 2. arms that hang behind the body's outline, long hair, the neck
    arms: list[tuple[Point, Point, Point]] = []
    if not profile:
        for side in (-1, 1):
            shoulder = (side * (sw - 0.03), 1.39)
            if pose == "gesture" and side == -shade_side:
                arms.append((shoulder, (side * (sw + 0.07), 1.12), (side * (sw - 0.06), 1.24)))
            elif pose == "hips":
                arms.append((shoulder, (side * (sw + 0.1), 1.14), (side * (waist + 0.03), 1.0)))
            else:
                arms.append((shoulder, (side * (sw + 0.035), 1.11), (side * (sw + 0.02), 0.87)))
        for arm in arms:
            if arm[2][1] < 1.2:
                limb(arm, 0.08 * b, cloth, cap=False)
    head_x = 0.012 if profile else 0.0
    hc = at(head_x, 1.635)
    rx, ry = (0.098 if profile else 0.083) * ppm, 0.115 * k * ppm

    def head(x: float, y: float) -> Point:
        return (hc[0] + m * x * rx, hc[1] + y * ry)

    if look.hair == "long" and not back_view:
        pencil.shape([head(x, y) for x, y in (_HAIR_LONG_SIDE if profile else _HAIR_LONG_FRONT)],
                     hair, weight=0.7)  # fmt: skip
    neck = (-0.045, 1.45, 0.045, 1.56) if not profile else (-0.06, 1.45, 0.035, 1.56)
    pencil.shape(poly(((neck[0], neck[1]), (neck[2], neck[1]), (neck[2], neck[3]),
                       (neck[0], neck[3]))), colours["skin_shade"], weight=0.6)  # fmt: skip

    # 3. the torso (a coat reaches the knees), shaded away from the light
    if profile:
        torso = [(-0.05, 1.5), (-0.09, 1.46), (-0.115, 1.38), (-0.12, 1.28), (-0.1, 1.12),
                 (-0.105, 1.0), (-0.125, 0.9), (-0.1, 0.82), (0.08, 0.82), (0.1, 0.9),
                 (0.09, 1.0), (0.085, 1.1), (0.12, 1.25), (0.11, 1.38), (0.06, 1.46),
                 (0.03, 1.5)]  # fmt: skip
        if look.outfit == "coat":
            torso[6:10] = [(-0.13, 0.9), (-0.16, 0.56), (0.14, 0.56), (0.11, 0.9)]
    else:
        torso = [(-0.055, 1.49), (-(sw - 0.035), 1.455), (-sw, 1.41), (-(sw - 0.005), 1.33),
                 (-0.165 * b, 1.24), (-waist, 1.04), (-hips, 0.9), (-(hips - 0.01), 0.82),
                 (0, 0.8), (hips - 0.01, 0.82), (hips, 0.9), (waist, 1.04), (0.165 * b, 1.24),
                 (sw - 0.005, 1.33), (sw, 1.41), (sw - 0.035, 1.455), (0.055, 1.49)]  # fmt: skip
        if look.outfit == "coat":
            torso[6:11] = [(-(hips + 0.02), 0.9), (-(hips + 0.06), 0.56), (hips + 0.06, 0.56),
                           (hips + 0.02, 0.9)]  # fmt: skip
    torso_px = poly(torso)
    pencil.shape(torso_px, cloth, outline=False)
    shadow = half_polygon(torso_px, at(0.0, 1.2)[0] + shade_side * 0.05 * ppm, shade_side)
    if len(shadow) >= 3:
        pencil.draw.polygon(shadow, fill=colours["shade"])
        if ppm > 260 * u:
            pencil.hatch(shadow, spacing=max(4.0, 0.028 * ppm), alpha=0.22)
    pencil.line(torso_px, closed=True)
    if look.outfit == "coat" and ppm > 200 * u:  # lapels
        pencil.line(poly(((-0.05, 1.49), (0.0, 1.2), (0.05, 1.49))), weight=0.8, alpha=0.7)

    # 4. arms in front, then hands
    if profile:
        arm = ((0.0, 1.38), (0.08, 1.13), (0.25, 1.22)) if gesture else (
            (0.0, 1.38), (0.03, 1.12), (0.06, 0.88))  # fmt: skip
        limb(arm, 0.08 * b, cloth)
        hand(*arm[2])
    else:
        for arm in arms:
            if arm[2][1] >= 1.2:
                limb(arm, 0.08 * b, cloth)
            if pose != "hips" or arm[2][1] >= 1.2:
                hand(*arm[2])

    # 5. the head: ears, face, shading, hair, features
    detail = rx >= 9 * u
    if not profile and not back_view:
        for side in (-1, 1):
            ex, ey = head(side * 1.0, 0.05)
            pencil.ellipse((ex - rx * 0.17, ey - ry * 0.2, ex + rx * 0.17, ey + ry * 0.22), skin,
                           weight=0.6)  # fmt: skip
    bald = look.hair == "bald"
    face_fill = hair if back_view and not bald else skin
    box = (hc[0] - rx, hc[1] - ry, hc[0] + rx, hc[1] + ry)
    pencil.ellipse(box, face_fill)
    if profile:
        pencil.shape([head(0.92, -0.08), head(1.2, 0.36), head(0.95, 0.44)], skin, weight=0.6)
        ex, ey = head(-0.18, 0.06)
        pencil.ellipse((ex - rx * 0.13, ey - ry * 0.2, ex + rx * 0.13, ey + ry * 0.2), skin,
                       weight=0.6)  # fmt: skip
    if not back_view:
        ring = ellipse_points(box, rnd, wobble=0.0, n=24)[:24]
        dark = half_polygon(ring, hc[0] + shade_side * rx * 0.2, shade_side)
        if len(dark) >= 3:
            pencil.draw.polygon(dark, fill=rgba(colours["skin_shade"], 0.45))
    if not bald and not back_view:
        outline = _HAIR_SIDE if profile else _HAIR_FRONT
        pencil.shape([head(x, y) for x, y in outline], hair, weight=0.8)
    if look.hair == "bun":
        bx, by = head(-0.7, -0.88) if profile else head(0.0, -1.12)
        r = rx * 0.32
        pencil.ellipse((bx - r, by - r, bx + r, by + r), hair, weight=0.6)
    elif look.hair == "curly" and not back_view:
        for i in range(7):
            t = math.pi * (0.08 + 0.14 * i)
            cx, cy = head(-math.cos(t) * 0.95, -math.sin(t) * 0.9 - 0.05)
            r = rx * 0.22
            pencil.ellipse((cx - r, cy - r, cx + r, cy + r), hair, weight=0.5)
    elif look.hair == "long" and back_view:
        pencil.shape([head(x, y) for x, y in _HAIR_LONG_FRONT], hair, weight=0.7)
    mouth = head(0.8, 0.62) if profile else head(0.0, 0.62)
    if detail and not back_view:
        _face(pencil, head, rx, profile=profile, speaking=role == "speaker")
    return Head(hc[1] - ry * 1.15, hc[1] + ry, hc[0], 2 * rx, mouth, m if profile else 0)


def _face(
    pencil: Pencil,
    head: Any,
    rx: float,
    *,
    profile: bool,
    speaking: bool,
) -> None:
    """Eyes, brows, nose and mouth; almond eyes with irises once the head is big enough."""
    draw = pencil.draw
    ink = rgba(pencil.style.lead, 0.92)
    soft = rgba(pencil.style.lead, 0.55)
    thin = max(1, round(rx * 0.03))
    eyes = (0.55,) if profile else (-0.4, 0.4)
    for ex in eyes:
        cx, cy = head(ex, 0.02)
        if rx >= 55:
            ew, eh = rx * (0.15 if profile else 0.2), rx * 0.085
            upper = [
                (cx + ew * math.cos(t), cy - eh * math.sin(t)) for t in np.linspace(0, math.pi, 9)
            ]
            lower = [
                (cx - ew * math.cos(t), cy + eh * 0.8 * math.sin(t))
                for t in np.linspace(0, math.pi, 9)
            ]
            draw.polygon(upper + lower, fill=(240, 236, 226, 255))
            r = eh * 0.85
            ix = cx + (ew * 0.3 if profile else 0.0)
            draw.ellipse((ix - r, cy - r, ix + r, cy + r), fill=(72, 58, 48, 255))
            draw.ellipse((ix - r * 0.45, cy - r * 0.45, ix + r * 0.45, cy + r * 0.45),
                         fill=(20, 18, 18, 255))  # fmt: skip
            draw.line(upper, fill=ink, width=max(1, round(rx * 0.035)), joint="curve")
        else:
            r = max(1.0, rx * 0.08)
            draw.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), fill=ink)
        brow = [head(ex - 0.2, -0.2), head(ex, -0.27), head(ex + 0.2, -0.22)]
        if not profile:
            brow = [head(ex - 0.2 * (1 if ex > 0 else -1) * d, y) for d, y in ((1.0, -0.2),
                    (0.0, -0.27), (-1.0, -0.22))]  # fmt: skip
        draw.line(brow, fill=ink, width=max(1, round(rx * 0.045)), joint="curve")
    if not profile:
        draw.line([head(0.03, 0.12), head(0.1, 0.4), head(-0.06, 0.45)], fill=soft, width=thin)
    if speaking:
        (ax, ay), (bx, by) = (head(0.62, 0.54), head(0.9, 0.72)) if profile else (
            head(-0.2, 0.54), head(0.2, 0.74))  # fmt: skip
        draw.ellipse((min(ax, bx), ay, max(ax, bx), by), fill=(92, 42, 42, 235))
    else:
        pts = [head(0.62, 0.63), head(0.92, 0.6)] if profile else [
            head(-0.26, 0.6), head(0.0, 0.64), head(0.26, 0.6)]  # fmt: skip
        draw.line(pts, fill=ink, width=max(1, round(rx * 0.035)), joint="curve")
