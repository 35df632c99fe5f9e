"""The people: where a figure stands in pixels, and the drawing of a standing body and its
face as its look has it (a child's proportions, hair, beard, cap, hat or hood, glasses, the
garment's length and fit)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from cinecode.backends.protocols import Figure
from cinecode.backends.sketch.looks import Look
from cinecode.backends.sketch.pencil import Pencil, ellipse_points, half_polygon
from cinecode.backends.sketch.style import PERSON, RGB, Box, Point, rgba

HeadAt = Callable[[float, float], Point]  # head units (x: -1 … 1 across, y: -1 top … 1 chin)


@dataclass
class Placed:
    """A figure placed in the frame, in pixels."""

    figure: Figure
    look: Look
    cx: float
    feet: float
    ppm: float  # pixels per metre at its distance
    facing: str
    foreground: bool  # over-the-shoulder: nearer than the speaker, seen from behind
    blur: float  # pixels
    haze: float  # 0 … 1 mix towards the air colour (distance)

    @property
    def head_top(self) -> float:
        return self.feet - self.ppm * PERSON * self.look.height

    @property
    def head_height(self) -> float:
        return self.ppm * 0.23 * self.look.height * self.look.head


@dataclass(frozen=True)
class Head:
    """Where a drawn person's head ended up (patch pixels), for labels and speech marks, and
    the whole body's bounds."""

    top: float
    chin: float
    cx: float
    width: float
    mouth: Point
    side: int  # which way speech goes: -1 left, 1 right, 0 towards the middle of the frame
    body: Box = (0.0, 0.0, 0.0, 0.0)
    lips: Box | None = None  # a speaker's open mouth as drawn (the animatic moves it)


# Hair outlines in head units (x: -1 … 1 across the head, y: -1 top … 1 chin), facing right.
_HAIR_FRONT = ((-1.08, 0.05), (-1.02, -0.5), (-0.62, -0.97), (0, -1.13), (0.62, -0.97),
               (1.02, -0.5), (1.08, 0.05), (0.9, -0.32), (0.45, -0.58), (-0.2, -0.6),
               (-0.8, -0.42))  # fmt: skip
_HAIR_SIDE = ((0.62, -0.72), (0.3, -1.08), (-0.35, -1.12), (-0.95, -0.68), (-1.1, 0.0),
              (-0.98, 0.48), (-0.62, 0.38), (-0.42, -0.05), (-0.1, -0.45),
              (0.35, -0.56))  # fmt: skip
_HAIR_LONG_FRONT = ((-1.1, -0.5), (1.1, -0.5), (1.25, 1.3), (-1.25, 1.3))
_HAIR_LONG_SIDE = ((-0.2, -1.0), (-1.1, -0.6), (-1.25, 1.3), (-0.35, 1.3), (-0.4, 0.4))
_HAIR_TIED_FRONT = ((-1.04, 0.0), (-1.02, -0.5), (-0.62, -0.95), (0, -1.08), (0.62, -0.95),
                    (1.02, -0.5), (1.04, 0.0), (0.92, -0.42), (0.5, -0.7), (0.0, -0.8),
                    (-0.5, -0.7), (-0.92, -0.42))  # fmt: skip
_HAIR_TIED_SIDE = ((0.62, -0.72), (0.3, -1.07), (-0.35, -1.1), (-0.95, -0.68), (-1.05, -0.1),
                   (-0.85, 0.25), (-0.55, 0.02), (-0.3, -0.4), (0.05, -0.62),
                   (0.4, -0.66))  # fmt: skip
_PONYTAIL_SIDE = ((-0.88, -0.4), (-1.22, -0.25), (-1.38, 0.45), (-1.22, 1.25), (-1.06, 0.55),
                  (-0.95, 0.0))  # fmt: skip
_PONYTAIL_BACK = ((-0.2, -0.1), (0.2, -0.1), (0.26, 0.7), (0.0, 1.4), (-0.26, 0.7))


def _spiky(start: float, end: float, hairline: tuple[Point, ...]) -> tuple[Point, ...]:
    """Messy hair: spikes along the crown from `start` to `end` (degrees about the head's
    centre, 0 to the right, 90 on top), closed by the `hairline`."""
    crown = []
    for i in range(13):
        t = math.radians(start + (end - start) * i / 12)
        r = 1.3 if i % 2 else 1.02
        crown.append((r * math.cos(t), -r * math.sin(t)))
    return (*crown, *hairline)


_HAIR_MESSY_FRONT = _spiky(-8, 188, ((-0.9, -0.28), (-0.6, -0.55), (-0.25, -0.4), (0.1, -0.62),
                                     (0.45, -0.42), (0.9, -0.28)))  # fmt: skip
_HAIR_MESSY_SIDE = _spiky(45, 205, ((-0.62, 0.38), (-0.42, -0.05), (-0.1, -0.45),
                                    (0.35, -0.56)))  # fmt: skip
_HAIR_MESSY_BACK = _spiky(-8, 188, ((-1.0, -0.1), (0.0, -0.2), (1.0, -0.1)))

_BEARD_FRONT = ((-1.0, 0.05), (-0.95, 0.55), (-0.7, 1.0), (-0.35, 1.32), (0, 1.42), (0.35, 1.32),
                (0.7, 1.0), (0.95, 0.55), (1.0, 0.05), (0.8, 0.3), (0.45, 0.44), (0.15, 0.48),
                (-0.15, 0.48), (-0.45, 0.44), (-0.8, 0.3))  # fmt: skip
_BEARD_SIDE = ((0.0, 0.12), (0.2, 0.42), (0.55, 0.47), (0.95, 0.5), (1.03, 0.78), (0.9, 1.12),
               (0.55, 1.38), (0.1, 1.28), (-0.2, 0.85))  # fmt: skip


def _jaw(start: int, end: int, inner: tuple[Point, ...]) -> tuple[Point, ...]:
    """Stubble: the head's outline from `start` to `end` (degrees, 90 the chin), closed by
    the `inner` edge under the nose."""
    rim = [(math.cos(math.radians(t)), math.sin(math.radians(t))) for t in range(start, end, 15)]
    return (*rim, *inner)


_STUBBLE_FRONT = _jaw(15, 166, ((-0.8, 0.3), (-0.45, 0.46), (0.45, 0.46), (0.8, 0.3)))
_STUBBLE_SIDE = _jaw(10, 101, ((-0.1, 0.9), (0.0, 0.2), (0.4, 0.45), (0.9, 0.42)))
_MOUSTACHE_FRONT = ((-0.4, 0.6), (-0.2, 0.46), (0, 0.5), (0.2, 0.46), (0.4, 0.6), (0.2, 0.58),
                    (0, 0.56), (-0.2, 0.58))  # fmt: skip
_MOUSTACHE_SIDE = ((0.55, 0.5), (0.8, 0.45), (1.0, 0.55), (0.92, 0.63), (0.6, 0.6))

_CAP_FRONT = ((-1.08, -0.25), (-1.1, -0.62), (-0.8, -1.05), (0, -1.26), (0.8, -1.05),
              (1.1, -0.62), (1.08, -0.25))  # fmt: skip
_CAP_SIDE = ((0.98, -0.3), (1.0, -0.64), (0.6, -1.08), (-0.1, -1.24), (-0.8, -1.0),
             (-1.12, -0.55), (-1.12, -0.05))  # fmt: skip
_CAP_BACK = ((-1.1, 0.1), (-1.12, -0.62), (-0.8, -1.05), (0, -1.26), (0.8, -1.05), (1.12, -0.62),
             (1.1, 0.1))  # fmt: skip
_HAT_CROWN = ((-0.74, -0.5), (-0.7, -1.42), (0, -1.5), (0.7, -1.42), (0.74, -0.5))
_HOOD_FRONT = ((-1.35, 0.95), (-1.48, 0.0), (-1.28, -0.92), (0, -1.46), (1.28, -0.92),
               (1.48, 0.0), (1.35, 0.95))  # fmt: skip
_HOOD_RIM = ((-1.14, 0.35), (-1.12, -0.5), (-0.62, -0.98), (0, -1.1), (0.62, -0.98),
             (1.12, -0.5), (1.14, 0.35), (0.98, 0.35), (0.94, -0.36), (0.5, -0.72), (0, -0.8),
             (-0.5, -0.72), (-0.94, -0.36), (-0.98, 0.35))  # fmt: skip
_HOOD_SIDE = ((0.78, -0.78), (0.25, -1.3), (-0.7, -1.28), (-1.38, -0.5), (-1.42, 0.5),
              (-0.95, 1.0), (-0.3, 0.9), (-0.15, 0.2), (0.15, -0.35),
              (0.62, -0.55))  # fmt: skip


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
    for "left". A child's body is narrower and shorter under a bigger head. Returns where the
    head and the body are, for the name label, the speech marks and the take's meta."""
    ppm, k, b = spot.ppm, look.height, look.build
    facing = spot.facing
    m = -1 if facing == "left" else 1
    profile = facing in ("left", "right")
    back_view = facing == "away"
    view = "profile" if profile else "back" if back_view else "front"
    quarter = facing == "three-quarter"  # a front turned a little: a cast sheet's middle view
    taper = {"high": 0.22, "low": -0.18}.get(angle, 0.0)
    ox, oy = origin
    rnd = pencil.rnd
    u = pencil.u
    wide, big = look.width * (0.86 if quarter else 1.0), look.head
    squash = 1.0 if big == 1.0 else (1.75 - 0.23 * big) / 1.52  # the body under a bigger head
    seen: list[Point] = []

    def at(x: float, y: float) -> Point:
        scale = 1 + taper * (y / 1.75 - 0.5)
        return (spot.cx - ox + m * x * ppm * scale * wide, spot.feet - oy - y * squash * k * ppm)

    def poly(points: Sequence[Point]) -> list[Point]:
        pts = [at(x, y) for x, y in points]
        seen.extend(pts)
        return pts

    def limb(points: Sequence[Point], thick: float, colour: RGB, *, cap: bool = True) -> None:
        """A round-ended limb with a pencil edge; the joint it starts from is not outlined."""
        pts = poly(points)
        width = max(1, round(thick * ppm * wide))
        edge = max(1, min(pencil.width(1.0), round(width * 0.2)))
        lead = rgba(pencil.style.lead, 0.8)
        for fill, w in ((lead, width + 2 * edge), (colour, width)):
            pencil.draw.line(pts, fill=fill, width=w, joint="curve")
            ends = [pts[-1], pts[0]] if cap and fill == colour else [pts[-1]]
            for px, py in ends:
                pencil.draw.ellipse((px - w / 2, py - w / 2, px + w / 2, py + w / 2), fill=fill)

    def hand(x: float, y: float) -> None:
        if look.oversized:  # lost in the sleeves
            return
        hx, hy = at(x, y)
        rx, ry = 0.036 * ppm * b * wide, 0.05 * k * ppm
        pencil.ellipse((hx - rx, hy - ry * 0.6, hx + rx, hy + ry * 1.2), colours["skin"],
                       weight=0.6)  # fmt: skip

    def sleeve(arm: tuple[Point, Point, Point]) -> tuple[Point, Point, Point]:
        """An arm; a sleeve too long for it reaches on past the hand."""
        if not look.oversized:
            return arm
        (bx, by), (cx, cy) = arm[1], arm[2]
        reach = 0.12 / max(1e-6, math.hypot(cx - bx, cy - by))
        return arm[0], arm[1], (cx + (cx - bx) * reach, cy + (cy - by) * reach)

    role = spot.figure.role
    gesture = role == "speaker" and rnd.random() < 0.7
    pose = "gesture" if gesture else rnd.choice(("down", "down", "hips"))
    cloth, legs, skin, hair = colours["cloth"], colours["legs"], colours["skin"], colours["hair"]
    loose = 1.1 if look.oversized else 1.0
    sw, waist, hips = 0.2 * b * loose, 0.14 * b * loose, 0.16 * b * loose
    arm_w = 0.08 * b * (1.25 if look.oversized else 1.0)
    shade_side = -light_side * m

    # 1. legs and shoes (the far leg and arm first in profile)
    if profile:
        st = rnd.uniform(0.04, 0.1)
        limb(((-0.01, 0.86), (-0.01 - st, 0.48), (-0.03 - 1.5 * st, 0.08)), 0.115 * b,
             colours["legs_far"])  # fmt: skip
        limb(sleeve(((-0.01, 1.38), (-0.06, 1.12), (-0.06, 0.88))), arm_w, colours["shade"])
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

    # 2. arms that hang behind the body's outline, long hair or a hood, the neck
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
                limb(sleeve(arm), arm_w, cloth, cap=False)
    head_x = 0.012 if profile else 0.0
    hc = at(head_x, 1.635 if big == 1.0 else (1.75 - 0.115 * big) / squash)
    face = 1.0 if big == 1.0 else k * 1.12  # a child's face is rounder
    rx, ry = (0.098 if profile else 0.083) * ppm * face * big, 0.115 * k * ppm * big

    def head(x: float, y: float) -> Point:
        return (hc[0] + m * x * rx, hc[1] + y * ry)

    def features(x: float, y: float) -> Point:
        """Where the face's features are: on a turned head, towards the side it turns to."""
        return head(0.72 * x + 0.3, y) if quarter else head(x, y)

    _behind_head(pencil, head, look, colours, view)
    neck = (-0.045, 1.45, 0.045, 1.56) if not profile else (-0.06, 1.45, 0.035, 1.56)
    pencil.shape(poly(((neck[0], neck[1]), (neck[2], neck[1]), (neck[2], neck[3]),
                       (neck[0], neck[3]))), colours["skin_shade"], weight=0.6)  # fmt: skip

    # 3. the torso (a coat reaches the knees, a garment too big further), shaded from the light
    torso_px = poly(_torso(look, profile, sw, waist, hips))
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
        limb(sleeve(arm), arm_w, cloth)
        hand(*arm[2])
    else:
        for arm in arms:
            if arm[2][1] >= 1.2:
                limb(sleeve(arm), arm_w, cloth)
            if pose != "hips" or arm[2][1] >= 1.2:
                hand(*arm[2])

    # 5. the head: ears, face, shading, hair, beard, headwear, features
    detail = rx >= 9 * u
    if not profile and not back_view:
        for side in (-1,) if quarter else (-1, 1):
            ex, ey = head(side * 1.0, 0.05)
            pencil.ellipse((ex - rx * 0.17, ey - ry * 0.2, ex + rx * 0.17, ey + ry * 0.22), skin,
                           weight=0.6)  # fmt: skip
    bald = look.hair == "bald"
    face_fill = hair if back_view and not bald else skin
    if back_view and look.headwear == "hood":
        face_fill = colours["hat"]
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
    _hair(pencil, head, look, hair, view, rx)
    _beard(pencil, features, look, colours, view)
    _headwear(pencil, head, look, colours, view)
    mouth = head(0.8, 0.62) if profile else features(0.0, 0.62)
    lips: Box | None = None
    if detail and not back_view:
        _face(pencil, features, rx, profile=profile, speaking=role == "speaker")
        if role == "speaker":
            (ax, ay), (bx, by) = _lips(features, profile)
            lips = (min(ax, bx), ay, max(ax, bx), by)
        if look.glasses:
            _glasses(pencil, features, rx, profile=profile)
    top = hc[1] - ry * _CROWNS.get(look.headwear or look.hair, 1.15)
    xs = [x for x, _ in seen] + [hc[0] - rx * 1.2, hc[0] + rx * 1.2]
    body = (min(xs), top, max(xs), max(y for _, y in seen))
    return Head(top, hc[1] + ry, hc[0], 2 * rx, mouth, m if profile else 0, body, lips)


#: how far above the head's centre its top is (head radii): hair, or what is worn on it
_CROWNS = {"hat": 1.5, "hood": 1.46, "cap": 1.26, "messy": 1.3}


def _torso(look: Look, profile: bool, sw: float, waist: float, hips: float) -> list[Point]:
    """The torso's outline in body metres: to the hips, a coat to the knees; a garment too big
    for its wearer reaches further down."""
    b = look.build
    if profile:
        torso = [(-0.05, 1.5), (-0.09, 1.46), (-0.115, 1.38), (-0.12, 1.28), (-0.1, 1.12),
                 (-0.105, 1.0), (-0.125, 0.9), (-0.1, 0.82), (0.08, 0.82), (0.1, 0.9),
                 (0.09, 1.0), (0.085, 1.1), (0.12, 1.25), (0.11, 1.38), (0.06, 1.46),
                 (0.03, 1.5)]  # fmt: skip
        if look.outfit == "coat":
            torso[6:10] = [(-0.13, 0.9), (-0.16, 0.56), (0.14, 0.56), (0.11, 0.9)]
        if look.oversized:
            torso = [(x * 1.12, y) for x, y in torso]
    else:
        torso = [(-0.055, 1.49), (-(sw - 0.035), 1.455), (-sw, 1.41), (-(sw - 0.005), 1.33),
                 (-0.165 * b, 1.24), (-waist, 1.04), (-hips, 0.9), (-(hips - 0.01), 0.82),
                 (0, 0.8), (hips - 0.01, 0.82), (hips, 0.9), (waist, 1.04), (0.165 * b, 1.24),
                 (sw - 0.005, 1.33), (sw, 1.41), (sw - 0.035, 1.455), (0.055, 1.49)]  # fmt: skip
        if look.outfit == "coat":
            torso[6:11] = [(-(hips + 0.02), 0.9), (-(hips + 0.06), 0.56), (hips + 0.06, 0.56),
                           (hips + 0.02, 0.9)]  # fmt: skip
    if look.oversized:
        torso = [(x * 1.06, y - 0.15) if y < 0.89 else (x, y) for x, y in torso]
    return torso


def _behind_head(
    pencil: Pencil, head: HeadAt, look: Look, colours: dict[str, RGB], view: str
) -> None:
    """What hangs behind the head: a hood, long hair, braids (before the neck and the face)."""
    profile = view == "profile"
    if look.headwear == "hood":
        pencil.shape([head(x, y) for x, y in (_HOOD_SIDE if profile else _HOOD_FRONT)],
                     colours["hat"], weight=0.7)  # fmt: skip
    elif look.hair == "long" and view != "back":
        pencil.shape([head(x, y) for x, y in (_HAIR_LONG_SIDE if profile else _HAIR_LONG_FRONT)],
                     colours["hair"], weight=0.7)  # fmt: skip


def _hair(pencil: Pencil, head: HeadAt, look: Look, hair: RGB, view: str, rx: float) -> None:
    """The hair over the head: its outline by style (none under a hood), a bun, curls, a
    ponytail, braids; seen from behind, the back of the head is already hair."""
    style = look.hair
    if style == "bald" or look.headwear == "hood":
        return
    if view != "back":
        outline = {
            "messy": (_HAIR_MESSY_FRONT, _HAIR_MESSY_SIDE),
            "tied": (_HAIR_TIED_FRONT, _HAIR_TIED_SIDE),
        }.get(style, (_HAIR_FRONT, _HAIR_SIDE))
        pencil.shape([head(x, y) for x, y in outline[view == "profile"]], hair, weight=0.8)
    if style == "bun":
        bx, by = head(-0.7, -0.88) if view == "profile" else head(0.0, -1.12)
        r = rx * 0.32
        pencil.ellipse((bx - r, by - r, bx + r, by + r), hair, weight=0.6)
    elif style == "curly" and view != "back":
        for i in range(7):
            t = math.pi * (0.08 + 0.14 * i)
            cx, cy = head(-math.cos(t) * 0.95, -math.sin(t) * 0.9 - 0.05)
            r = rx * 0.22
            pencil.ellipse((cx - r, cy - r, cx + r, cy + r), hair, weight=0.5)
    elif style == "long" and view == "back":
        pencil.shape([head(x, y) for x, y in _HAIR_LONG_FRONT], hair, weight=0.7)
    elif style == "messy" and view == "back":
        pencil.shape([head(x, y) for x, y in _HAIR_MESSY_BACK], hair, weight=0.8)
    elif style == "tied" and view != "front":
        tail = _PONYTAIL_SIDE if view == "profile" else _PONYTAIL_BACK
        pencil.shape([head(x, y) for x, y in tail], hair, weight=0.7)
    elif style == "braids":
        _braids(pencil, head, hair, view, rx)


def _braids(pencil: Pencil, head: HeadAt, hair: RGB, view: str, rx: float) -> None:
    """Two plaits beside the face (one behind the ear in profile), a chain of beads."""
    sides = (-0.5,) if view == "profile" else (-0.95, 0.95) if view == "front" else (-0.5, 0.5)
    r = rx * 0.17
    for side in sides:
        for i in range(6):
            bx, by = head(side * (1 + 0.02 * i), 0.35 + 0.28 * i)
            pencil.ellipse((bx - r, by - r * 1.2, bx + r, by + r * 1.2), hair, weight=0.5)


def _beard(pencil: Pencil, head: HeadAt, look: Look, colours: dict[str, RGB], view: str) -> None:
    """A beard (a filled shape on the lower face), a moustache, or stubble (a shadow)."""
    if not look.beard or view == "back":
        return
    profile = view == "profile"
    shape: Sequence[Point]
    if look.beard == "moustache":
        shape = _MOUSTACHE_SIDE if profile else _MOUSTACHE_FRONT
        pencil.shape([head(x, y) for x, y in shape], colours["beard"], weight=0.5)
        return
    if look.beard == "stubble":
        shape = _STUBBLE_SIDE if profile else _STUBBLE_FRONT
        pencil.draw.polygon([head(x, y) for x, y in shape], fill=rgba(colours["beard"], 0.3))
        return
    shape = _BEARD_SIDE if profile else _BEARD_FRONT
    pencil.shape([head(x, y) for x, y in shape], colours["beard"], weight=0.7)


def _headwear(pencil: Pencil, head: HeadAt, look: Look, colours: dict[str, RGB], view: str) -> None:
    """A knitted cap with its turned-up band, a brimmed hat, or a hood's rim round the face."""
    kind, colour = look.headwear, colours["hat"]
    profile = view == "profile"
    if kind == "cap":
        shape = _CAP_SIDE if profile else _CAP_BACK if view == "back" else _CAP_FRONT
        pencil.shape([head(x, y) for x, y in shape], colour, weight=0.8)
        band = ((1.02, -0.56), (-1.12, -0.4)) if profile else ((-1.1, -0.56), (1.1, -0.56))
        pencil.line([head(x, y) for x, y in band], weight=0.6, alpha=0.7)
    elif kind == "hat":
        (ax, ay), (bx, by) = head(-1.6, -0.66), head(1.6, -0.4)
        pencil.ellipse((min(ax, bx), ay, max(ax, bx), by), colour, weight=0.7)
        crown = [(x + 0.05, y) for x, y in _HAT_CROWN] if profile else _HAT_CROWN
        pencil.shape([head(x, y) for x, y in crown], colour, weight=0.8)
    elif kind == "hood" and view != "back":
        pencil.shape([head(x, y) for x, y in (_HOOD_SIDE if profile else _HOOD_RIM)], colour,
                     weight=0.7)  # fmt: skip


def _glasses(pencil: Pencil, head: HeadAt, rx: float, *, profile: bool) -> None:
    """Round spectacles over the eyes, the bridge and the arms to the ears."""
    ink = rgba(pencil.style.lead, 0.9)
    thin = max(1, round(rx * 0.04))
    draw = pencil.draw
    r = rx * 0.25
    for ex in (0.55,) if profile else (-0.4, 0.4):
        cx, cy = head(ex, 0.02)
        wide = r * 0.45 if profile else r
        draw.ellipse((cx - wide, cy - r, cx + wide, cy + r), outline=ink, width=thin)
    if profile:
        draw.line([head(0.5, -0.02), head(-0.2, -0.06)], fill=ink, width=thin)
    else:
        draw.line([head(-0.1, -0.02), head(0.1, -0.02)], fill=ink, width=thin)
        for side in (-1, 1):
            draw.line([head(side * 0.7, -0.02), head(side * 0.98, -0.06)], fill=ink, width=thin)


def _face(
    pencil: Pencil,
    head: HeadAt,
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
        (ax, ay), (bx, by) = _lips(head, profile)
        draw.ellipse((min(ax, bx), ay, max(ax, bx), by), fill=(92, 42, 42, 235))
    else:
        pts = [head(0.62, 0.63), head(0.92, 0.6)] if profile else [
            head(-0.26, 0.6), head(0.0, 0.64), head(0.26, 0.6)]  # fmt: skip
        draw.line(pts, fill=ink, width=max(1, round(rx * 0.035)), joint="curve")


def _lips(head: HeadAt, profile: bool) -> tuple[Point, Point]:
    """Two corners of a speaker's open mouth (an ellipse's box)."""
    if profile:
        return head(0.62, 0.54), head(0.9, 0.72)
    return head(-0.2, 0.54), head(0.2, 0.74)
