"""The coast around the camera: the sea to the horizon (rough or calm and shining), a headland
with its cliff and a white lighthouse (or an island out at sea), a stone jetty with steps and
bollards, and a launch with its wheelhouse; each recorded in `frame.drawn` as it is drawn."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cinecode.backends.sketch.blocks import draw_box, quad, spanning
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.style import RGB, Point, in_light, mix

COAST = frozenset(("sea", "beach", "jetty", "lighthouse", "boat", "cliff", "island"))
#: tags that put the camera on land (without them, the sea is all round)
ASHORE = frozenset(("jetty", "beach", "cliff", "road", "street", "forest", "field", "hills",
                    "mountains", "garden", "desert", "station", "cemetery", "balcony",
                    "rooftop", "river", "lake", "bridge"))  # fmt: skip
WHITE: RGB = (246, 246, 242)
LIT: RGB = (255, 232, 160)


@dataclass(frozen=True)
class Coast:
    """Where the coast lies around the camera."""

    level: float  # sea level, metres from the ground the people stand on (below on a tower)
    shore: float  # metres to where the water begins (0: water right up to the camera)
    side: int  # the side the headland stands on: -1 left, 1 right
    afloat: bool  # the camera is on the water: land only far out


def coast_for(frame: Canvas, tags: tuple[str, ...]) -> Coast:
    """Where the coast lies for these scenery tags."""
    high = "balcony" in tags or "rooftop" in tags
    afloat = not set(tags) & ASHORE
    level = (-28.0 if {"lighthouse", "cliff", "sea"} & set(tags) else -10.0) if high else 0.0
    shore = 0.0 if afloat or high else frame.cam.d0 * 1.6 + 3
    return Coast(level, shore, frame.rnd.choice((-1, 1)), afloat)


def rough(frame: Canvas) -> bool:
    return any(word in frame.weather for word in ("wind", "rain", "storm", "gale"))


def row(frame: Canvas, coast: Coast, z: float) -> float:
    """The picture row of the sea surface `z` metres away."""
    return frame.cam.project(0, coast.level, z)[1]


def draw_coast(frame: Canvas, pencil: Pencil, tags: tuple[str, ...], coast: Coast) -> Point | None:
    """The sea, the headland or island with its lighthouse, the jetty and the boat; the
    lighthouse's lantern (picture point) when one shows."""
    if not COAST & set(tags):
        return None
    draw_sea(frame, pencil, coast, math.inf)
    lantern = None
    if coast.level == 0 and ({"lighthouse", "cliff", "island"} & set(tags)):
        lantern = _headland(frame, pencil, tags, coast)
    if "beach" in tags and coast.shore:
        _surf(frame, pencil, coast)
    if "cliff" in tags and coast.shore:
        _cliff_edge(frame, pencil, coast)
    if "jetty" in tags:
        x, z = _jetty(frame, pencil, coast)
        if "boat" in tags:
            draw_boat(frame, pencil, (x, z), coast, -coast.side)
    elif "boat" in tags:
        z = frame.cam.lens * 9 / (0.35 * frame.w) + 4
        draw_boat(frame, pencil, (frame.cam.world_x(frame.w * 0.3, z), z), coast, 1)
    return lantern


def draw_sea(frame: Canvas, pencil: Pencil, coast: Coast, far: float) -> None:
    """Water from `far` metres (the horizon when infinite) to the shore; waves, whitecaps in
    wind and rain, long shining streaks when calm."""
    cam = frame.cam
    top = cam.horizon if math.isinf(far) else row(frame, coast, far)
    bottom = frame.h + 10 if coast.shore <= 0 else min(frame.h + 10, row(frame, coast, coast.shore))
    if bottom <= top:
        return
    wild = rough(frame)
    colour = mix(frame.wash((66, 94, 110) if wild else (104, 138, 160)), frame.env.air, 0.2)
    if frame.time in ("dawn", "dusk", "evening") and not wild:
        colour = mix(colour, frame.env.sky[1], 0.6)
    pencil.shape([(-10, top), (frame.w + 10, top), (frame.w + 10, bottom), (-10, bottom)],
                 colour, outline=False)  # fmt: skip
    pencil.line([(-10, top), (frame.w + 10, top)], weight=0.7, alpha=0.6, passes=1)
    _waves(frame, pencil, (top, bottom), colour, wild)
    frame.drawn.add("scenery", "sea" if math.isinf(far) else "lake")


def _waves(frame: Canvas, pencil: Pencil, rows: Point, colour: RGB, wild: bool) -> None:
    rnd, u, draw = frame.rnd, frame.u, pencil.draw
    dark = (*in_light(colour, 0.6), 200)
    foam = (236, 240, 242, 210) if frame.time != "night" else (150, 160, 172, 200)
    shine = (*mix(colour, (255, 250, 236), 0.6), 200)
    width = max(1, round(u))
    y = rows[0] + 2 * u
    while y < rows[1]:
        near = y - frame.cam.horizon
        size = near * 0.25 + 4 * u
        for _ in range(min(40, int(frame.w / (size * 3)) + 1)):
            x = rnd.uniform(-size, frame.w)
            if wild:
                crest = (x + size / 2, y - size * 0.22)
                draw.line([(x, y), crest, (x + size, y)], fill=dark, width=width)
                if rnd.random() < 0.3:
                    draw.line([crest, (crest[0] + size * 0.3, y - size * 0.1)], fill=foam,
                              width=max(1, round(size * 0.06)))  # fmt: skip
            else:
                draw.line([(x, y), (x + size * rnd.uniform(1.5, 3), y)], fill=shine, width=width)
        y += near * 0.12 + 3 * u


def _headland(frame: Canvas, pencil: Pencil, tags: tuple[str, ...], coast: Coast) -> Point | None:
    """A headland from the frame's side (an island out at sea when afloat), its cliff facing
    the middle, the lighthouse near its edge."""
    cam, s = frame.cam, coast.side
    high = 22.0 if "cliff" in tags or "lighthouse" in tags else 9.0
    share = 0.2 if frame.size in ("extreme-wide", "wide") and not coast.afloat else 0.12
    z = (high + 20) * cam.lens / (share * frame.h)
    tip = cam.world_x(frame.w * (0.5 + s * (0.1 if coast.afloat else 0.3)), z)
    end = cam.world_x(frame.w * (0.5 + s * (0.45 if coast.afloat else 0.8)), z)
    top = [(tip, high), (tip + s * high * 0.8, high * 1.05), (tip + s * high * 2, high * 1.12),
           (end, high)]  # fmt: skip
    foot = [(end + s * high * 0.8, 0.0)] if coast.afloat else [(end, 0.0)]
    outline = [(tip - s * high * 0.12, 0.0), *top, *foot]
    p = cam.project
    rock = mix(frame.wash((150, 142, 130)), frame.env.air, 0.3)
    pencil.shape([p(x, y + coast.level, z) for x, y in outline], rock, weight=0.8)
    grass = [p(x, y + coast.level, z) for x, y in top]
    grass += [p(x, y + coast.level - 2.5, z) for x, y in reversed(top)]
    pencil.shape(grass, mix(frame.wash((110, 140, 84)), frame.env.air, 0.3), outline=False)
    face = [p(x, y + coast.level, z) for x, y in outline[:3]] + [p(tip, coast.level, z)]
    pencil.hatch(face, spacing=5 * frame.u, angle=80, alpha=0.3)
    frame.drawn.add("scenery", "cliff" if high > 20 else "island")
    if "island" in tags:
        frame.drawn.add("scenery", "island")
    if "lighthouse" not in tags:
        return None
    return draw_lighthouse(frame, pencil, (tip + s * high * 0.5, high * 1.02 + coast.level), z)


def draw_lighthouse(frame: Canvas, pencil: Pencil, base: Point, z: float) -> Point:
    """A white tower with its gallery and glazed lantern under a red dome, standing on
    `base` (world x, y) `z` metres away; the lantern's picture point."""
    p = frame.cam.project
    x, y = base
    tower, r0, r1 = 15.0, 2.2, 1.5
    white = mix(frame.wash(WHITE), frame.env.air, 0.15)
    body = [p(x - r0, y, z), p(x + r0, y, z), p(x + r1, y + tower, z), p(x - r1, y + tower, z)]
    pencil.shape(body, white, weight=0.8)
    pencil.shape([p(x, y, z), p(x + r0, y, z), p(x + r1, y + tower, z), p(x, y + tower, z)],
                 in_light(white, 0.86), outline=False)  # fmt: skip
    top = y + tower
    gallery = quad(frame, (x - r1 - 0.6, x + r1 + 0.6), (top, top + 0.5), (z, z))
    pencil.shape(gallery, frame.wash((60, 60, 64)), weight=0.6)
    lit = bool({"beam", "flame"} & set(frame.read.lights))
    glass = LIT if lit else mix(frame.wash((70, 86, 100)), frame.env.air, 0.2)
    lantern = quad(frame, (x - 1.1, x + 1.1), (top + 0.5, top + 2.8), (z, z))
    pencil.shape(lantern, glass, weight=0.6)
    for mx in (-0.4, 0.4):
        pencil.line([p(x + mx, top + 0.5, z), p(x + mx, top + 2.8, z)], weight=0.4, passes=1)
    dome = [p(x - 1.3, top + 2.8, z), p(x + 1.3, top + 2.8, z), p(x + 0.5, top + 3.7, z),
            p(x, top + 4.0, z), p(x - 0.5, top + 3.7, z)]  # fmt: skip
    pencil.shape(dome, frame.wash((150, 52, 42)), weight=0.6)
    frame.drawn.add("scenery", "lighthouse")
    centre = p(x, top + 1.6, z)
    if lit:
        glow(pencil.image, centre, 40 * frame.u, LIT, 0.9)
    return centre


def _surf(frame: Canvas, pencil: Pencil, coast: Coast) -> None:
    """Foam where the sea meets the sand."""
    y = row(frame, coast, coast.shore)
    for k in range(2):
        pts = [(x, y - k * 6 * frame.u + 3 * frame.u * math.sin(x / (40 * frame.u) + k))
               for x in range(-10, frame.w + 20, 20)]  # fmt: skip
        pencil.line(pts, weight=1.4, color=(244, 246, 248), alpha=0.8, passes=1)
    frame.drawn.add("scenery", "beach")


def _cliff_edge(frame: Canvas, pencil: Pencil, coast: Coast) -> None:
    """The land breaking off where the water begins: a ragged rock edge."""
    y = frame.cam.ground(coast.shore)
    rnd, u = frame.rnd, frame.u
    pts = [(-10.0, y)]
    x = -10.0
    while x < frame.w + 10:
        x += rnd.uniform(20, 50) * u
        pts.append((x, y + rnd.uniform(-6, 3) * u))
    rock = frame.wash((120, 112, 104))
    pencil.shape([*pts, (frame.w + 10, y + 14 * u), (-10, y + 14 * u)], rock, weight=1.0)
    frame.drawn.add("scenery", "cliff")


def _jetty(frame: Canvas, pencil: Pencil, coast: Coast) -> Point:
    """A stone jetty running out into the water beside the middle, its steps down to the
    water and bollards along its edge; where a boat ties up (world x, z)."""
    cam, s = frame.cam, -coast.side
    length = 30.0
    start = coast.shore * 0.6 + (0 if frame.size in ("wide", "extreme-wide") else 12)
    if not coast.shore:  # far below: its near end in the lower half of the picture
        start = cam.lens * (cam.eye - coast.level) / (0.85 * (frame.h - cam.horizon))
    middle = start + length / 2
    inner = s * 0.45 * (frame.w / 2) * middle / cam.lens
    outer = inner + s * 4
    sea, deck = coast.level - 0.5, coast.level + 1.2
    stone = frame.wash((168, 160, 148))
    draw_box(frame, pencil, (min(inner, outer), max(inner, outer)), (sea, deck),
             (start, start + length), stone)  # fmt: skip
    p = cam.project
    for y in (sea + 0.6, sea + 1.1):  # courses of stone
        pencil.line([p(inner, y, start), p(inner, y, start + length)], weight=0.5, alpha=0.5)
    for k in range(5):  # steps down the inner face to the water
        z0 = start + length * 0.55 + k * 0.5
        draw_box(frame, pencil, spanning(inner, inner - s * 1.0), (sea, deck - 0.3 * (k + 1)),
                 (z0, z0 + 0.5), stone, weight=0.5)  # fmt: skip
    iron = frame.wash((54, 54, 58))
    for k in range(4):  # bollards
        z = start + 3 + k * length / 4
        draw_box(frame, pencil, spanning(inner + s * 0.3, inner + s * 0.7), (deck, deck + 0.6),
                 (z, z + 0.4), iron, weight=0.5)  # fmt: skip
    frame.drawn.add("scenery", "jetty")
    return inner - s * 5, start + length * 0.8


def draw_boat(frame: Canvas, pencil: Pencil, at: Point, coast: Coast, bow: int) -> None:
    """A small launch side-on, its bow towards `bow` (±1): a hull with a white band, a
    wheelhouse with windows and a mast; pitching in a rough sea."""
    x, z = at
    y = coast.level
    hull = [(-4.5, 1.5), (4.5, 2.1), (3.6, 0.0), (-4.2, -0.2)]
    house = [(-1.8, 1.6), (1.0, 1.6), (1.4, 3.6), (-1.8, 3.6)]
    tilt = frame.rnd.uniform(-0.12, 0.12) if rough(frame) else 0.0

    def at_sea(points: list[Point]) -> list[Point]:
        turned = [(bx * bow, by + bx * bow * tilt) for bx, by in points]
        return [frame.cam.project(x + bx, y + by, z) for bx, by in turned]

    pencil.shape(at_sea(hull), frame.wash((176, 62, 48)), weight=0.8)
    pencil.shape(at_sea([(-4.5, 1.5), (4.5, 2.1), (4.4, 1.6), (-4.45, 1.1)]),
                 frame.wash(WHITE), outline=False)  # fmt: skip
    pencil.shape(at_sea(house), frame.wash(WHITE), weight=0.7)
    for wx in (-1.4, -0.3):
        pencil.shape(at_sea([(wx, 2.5), (wx + 0.8, 2.5), (wx + 0.8, 3.2), (wx, 3.2)]),
                     frame.wash((52, 62, 74)), weight=0.4)  # fmt: skip
    pencil.line(at_sea([(-0.6, 3.6), (-0.6, 5.6)]), weight=0.7)
    if frame.time in ("night", "dusk", "evening"):
        glow(pencil.image, at_sea([(-0.6, 5.6)])[0], 14 * frame.u, (255, 90, 70), 0.9)
    frame.drawn.add("scenery", "boat")
