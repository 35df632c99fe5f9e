"""The place each kind of shot shows, drawn first: the set at eye level (outdoors or a room),
an insert's tabletop with its object, the floor of an overhead shot with its people seen from
above, or a blank page with a horizon when nothing was composed."""

from __future__ import annotations

from PIL import Image

from cinecode.backends.protocols import Composition
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.figures import figures_from_above
from cinecode.backends.sketch.icons import FLAT, ICONS, LYING, icon_for
from cinecode.backends.sketch.lens import soften
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.props import draw_icon
from cinecode.backends.sketch.rooms import draw_interior
from cinecode.backends.sketch.scenery import draw_exterior
from cinecode.backends.sketch.shots import SKIES


def draw_blank(frame: Canvas, image: Image.Image) -> None:
    """No composition: a horizon and a few perspective lines on the paper."""
    pencil = frame.pencil(image)
    y = frame.h * 0.55
    pencil.line([(-10, y), (frame.w + 10, y)], weight=1.0, alpha=0.5)
    cx = frame.w * frame.rnd.uniform(0.4, 0.6)
    for x in (-2.0, -0.8, 0.8, 2.0):
        pencil.line([(cx, y), (cx + x * frame.w, frame.h)], weight=0.7, alpha=0.3)


def draw_place(frame: Canvas, image: Image.Image, comp: Composition) -> None:
    """The place the shot shows: an insert's surface and object, the floor seen from overhead
    with its people, or the set at eye level, outdoors or a room."""
    pencil = frame.pencil(image)
    if frame.size == "insert":
        _insert(frame, image, pencil, comp)
    elif frame.angle == "overhead":
        _overhead(frame, image, pencil, comp)
    elif frame.setting == "ext":
        draw_exterior(frame, image, pencil, comp)
    else:
        draw_interior(frame, image, pencil, comp)


def _insert(frame: Canvas, image: Image.Image, pencil: Pencil, comp: Composition) -> None:
    """A close look at an object on a surface; no people."""
    rnd = frame.rnd
    frame.env.light = {"night": 0.6, "dusk": 0.85, "evening": 0.85}.get(frame.time, 1.0)
    frame.env.tint = (210, 210, 240) if frame.time == "night" else (255, 250, 240)
    wall = frame.palette(comp, 0, (190, 180, 168))
    surface = frame.palette(comp, 2, (160, 120, 84))
    edge = frame.h * rnd.uniform(0.24, 0.32)
    pencil.draw.rectangle((0, 0, frame.w, edge), fill=frame.wash(wall))
    pencil.draw.rectangle((0, edge, frame.w, frame.h), fill=frame.wash(surface))
    if frame.time in ("night", "evening", "dusk"):
        glow(image, (frame.w * rnd.uniform(0.2, 0.8), edge * 0.5), frame.h * 0.6,
             (255, 196, 110), 0.5)  # fmt: skip
    y = edge + 6 * frame.u
    while y < frame.h:  # the grain of the surface, widening towards the camera
        wobble = rnd.uniform(-6, 6) * frame.u
        pencil.line([(-10, y), (frame.w * 0.5, y + wobble), (frame.w + 10, y)], weight=0.6,
                    alpha=0.3, passes=1)  # fmt: skip
        y += (y - edge + 20 * frame.u) * 0.25
    names = frame.read.names or {}
    props = [names.get(i, i) for i in frame.read.props] or list(comp.props) or ["object"]
    for extra, name in enumerate(props[1:3]):  # the other props, out of focus behind
        x = frame.w * (0.2 + 0.6 * extra + rnd.uniform(-0.06, 0.06))
        draw_icon(frame, pencil, name, x, edge + 0.14 * frame.h, 0.0, target=0.2 * frame.h)
        frame.drawn.add("props", icon_for(name))
    image.paste(soften(image, 4.5 * frame.u))
    x = frame.w * rnd.uniform(0.44, 0.56)
    base = frame.h * rnd.uniform(0.74, 0.8)
    icon = icon_for(props[0])
    lying = icon in LYING
    target = (0.42 if lying else 0.56) * frame.h
    half = min(target * ICONS[icon][1], 0.8 * frame.w) / 2 * 1.1
    if icon not in FLAT:
        low = 0.035 * frame.h if not lying else 0.12 * frame.h
        shadow = (x - half, base - low, x + half * 1.1, base + 0.03 * frame.h)
        pencil.draw.ellipse(shadow, fill=(20, 16, 12, 55))
    tilt = rnd.uniform(-14, 14) if lying else None
    draw_icon(frame, pencil, props[0], x, base, 0.0, target=target, tag=True, tilt=tilt)
    frame.drawn.add("props", icon)


def _overhead(frame: Canvas, image: Image.Image, pencil: Pencil, comp: Composition) -> None:
    """Straight down: the floor or ground fills the frame; people seen from above."""
    rnd, u = frame.rnd, frame.u
    inside = frame.setting != "ext"
    light, tint = SKIES[frame.time][2], SKIES[frame.time][3]
    frame.env.light = max(light, 0.72) if inside else light
    frame.env.tint = tint
    base = frame.palette(comp, 1, (150, 116, 84) if inside else (140, 150, 110))
    pencil.draw.rectangle((0, 0, frame.w, frame.h), fill=frame.wash(base))
    scale = frame.cam.framing.scale
    step = max(8 * u, (0.08 + 0.02 * rnd.random()) * frame.h * min(1.5, scale * 2))
    x = rnd.uniform(0, step)
    while x < frame.w:  # floorboards or furrows
        pencil.line([(x, -5), (x, frame.h + 5)], weight=0.6, alpha=0.3, passes=1)
        x += step
    if inside:  # a rug in the middle of the room
        rug = frame.wash(frame.palette(comp, 2, (170, 96, 80)))
        rw, rh = frame.w * rnd.uniform(0.16, 0.24), frame.h * rnd.uniform(0.2, 0.3)
        cx, cy = frame.w * rnd.uniform(0.45, 0.55), frame.h * rnd.uniform(0.4, 0.5)
        box = [(cx - rw, cy - rh), (cx + rw, cy - rh), (cx + rw, cy + rh), (cx - rw, cy + rh)]
        pencil.shape(box, rug)
        k = 0.88
        pencil.line([(cx - rw * k, cy - rh * k), (cx + rw * k, cy - rh * k),
                     (cx + rw * k, cy + rh * k), (cx - rw * k, cy + rh * k)],
                    closed=True, weight=0.7, alpha=0.6)  # fmt: skip
    figures_from_above(frame, pencil)
