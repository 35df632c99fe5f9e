"""Props in the frame: drawing an icon at its real size (standing, or lying on a table), and
placing the frame's props in every shot size: what the action names near the people, the
place's dressing on the walls and at the back, a labelled silhouette for an unknown noun."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from cinecode.backends.protocols import Composition
from cinecode.backends.sketch.canvas import Canvas, Tag
from cinecode.backends.sketch.icons import FLAT, HANGING, ICONS, PART_OF, icon_for, table_quad
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.style import Point, in_light, mix

#: how much set dressing each shot size has room for
_ROOM = {"extreme-wide": 5, "wide": 5, "full": 4, "medium": 2, "medium-close": 1, "close": 1}
#: small things that stand on the ground rather than on a table
_GROUND = frozenset({"bag", "suitcase", "basket", "bucket", "crate", "box", "rock", "log", "cat",
                     "gull", "dog", "rope", "anchor", "bollard", "barrel", "buoy"})  # fmt: skip
_CLOSE = ("medium-close", "close", "extreme-close")
_WOOD = (139, 107, 76)


@dataclass
class _Item:
    """A prop about to be drawn: its icon, the word to tag it with ("" for none), and where
    it goes (floor | surface | wall)."""

    icon: str
    tag: str
    where: str
    h: float = 0.0  # pixels high
    w: float = 0.0  # pixels wide


class _Stage:
    """Where the props of one frame may go: across the frame, away from the people and from
    each other, at the depth the people stand."""

    def __init__(self, frame: Canvas) -> None:
        self.frame = frame
        cam = frame.cam
        self.z = max(0.3, min(cam.d0 * 0.92, frame.env.back - 0.5))
        self.ppm = cam.lens / self.z
        half = min(0.3 * cam.ppm0, 0.22 * frame.w)
        self.people = [
            (x * frame.w - half, x * frame.w + half) for x in (f.x for f in frame.figures)
        ]
        self.taken: list[tuple[float, float]] = []

    def spot(self, width: float) -> float:
        """The middle of the best free stretch `width` pixels wide: clear of the people and
        the props placed before, as near the people as that allows; then taken."""
        w = self.frame.w
        lo, hi = 0.04 * w + width / 2, 0.96 * w - width / 2
        if hi <= lo:
            return w / 2
        xs = [lo + (hi - lo) * i / 24 for i in range(25)]
        x = max(xs, key=lambda x: self._score(x - width / 2, x + width / 2))
        self.taken.append((x - width / 2, x + width / 2))
        return x

    def _score(self, a: float, b: float) -> float:
        def overlap(spans: list[tuple[float, float]]) -> float:
            return sum(max(0.0, min(b, s1) - max(a, s0)) for s0, s1 in spans)

        gap = min([max(s0 - b, a - s1, 0.0) for s0, s1 in self.people] or [0.0])
        off_centre = abs((a + b) / 2 - self.frame.w / 2)
        return -overlap(self.people) - 3 * overlap(self.taken) - 0.2 * gap - 0.05 * off_centre


def stand_props(frame: Canvas, image: Image.Image, comp: Composition) -> None:
    """The frame's props in every shot size: all the action names (tagged), the place's
    dressing as room allows, and a labelled silhouette for each noun no drawing stands for.
    Big props stand on the floor, small ones on a table; the people are drawn over them."""
    read = frame.read
    if not (read.props or read.dressing or read.unknown):
        _old_props(frame, image, comp)
        return
    pencil = frame.pencil(image)
    stage = _Stage(frame)
    everything = read.props + read.dressing
    shown = {i for i in everything if set(PART_OF.get(i, ())) & set(everything)}
    shown |= set(frame.drawn.props)  # what the place drew already (a lamp room's lens)
    room = _ROOM.get(frame.size, 0)
    names = read.names or {}
    items = [_item(frame, stage, i, names.get(i, i), True) for i in read.props if i not in shown]
    dressing = [i for i in read.dressing if i not in shown][:room]
    items += [_item(frame, stage, icon, "", False) for icon in dressing]
    if any(i.where == "surface" for i in items):  # the table they stand on is drawn with them
        items = [i for i in items if i.icon != "table"]
    for item in items:
        if item.where == "wall":
            _on_wall(frame, pencil, stage, item)
    for item in items:
        if item.where == "floor":
            _on_floor(frame, pencil, stage, item)
    if frame.size in ("extreme-wide", "wide", "full", "medium"):
        for noun in read.unknown:
            _silhouette(frame, pencil, stage, noun)
    _on_surface(frame, pencil, stage, [i for i in items if i.where == "surface"])
    for icon in sorted(shown):  # what a drawn prop already shows
        if set(PART_OF.get(icon, ())) & set(frame.drawn.props):
            frame.drawn.add("props", icon)


def _item(frame: Canvas, stage: _Stage, icon: str, tag: str, named: bool) -> _Item:
    """Where a prop goes and how big it is drawn: real size, but readable when small and
    never filling a close shot."""
    height_m, aspect = ICONS[icon][0], ICONS[icon][1]
    where = "floor" if height_m >= 0.5 or icon in _GROUND else "surface"
    if icon in HANGING and (height_m >= 0.4 or not named) and math.isfinite(frame.env.back):
        where = "wall"
    h = height_m * stage.ppm
    if not stage.people and frame.size in _CLOSE:  # the prop alone fills the shot
        h = min(h, 0.45 * frame.w / aspect, 2.5 * frame.h)
        return _Item(icon, tag, "floor" if named else "surface", h, h * aspect)
    cap = 0.9 if frame.size not in _CLOSE else 0.5
    h = min(h, cap * frame.h, 0.8 * frame.w / aspect)
    smallest = (40 if named else 22) * frame.u  # the longer side, pixels
    if max(h, h * aspect) < smallest:
        h = smallest / max(1.0, aspect)
    return _Item(icon, tag, where, h, h * aspect)


def _shown(frame: Canvas, base: float, h: float, part: float) -> float:
    """`base` raised so that at least `part` of a thing `h` high shows above the frame's
    bottom edge (a stove beside someone in a close shot), or as much as fits."""
    part = min(part, 0.94 * frame.h / h)
    return min(base, frame.h + h * (1 - part))


def _on_wall(frame: Canvas, pencil: Pencil, stage: _Stage, item: _Item) -> None:
    """A thing hung on the back wall at its height (a clock, a shelf, the pans)."""
    cam = frame.cam
    z = frame.env.back
    ppm = cam.lens / z
    height_m, aspect = ICONS[item.icon][0], ICONS[item.icon][1]
    base = cam.project(0, HANGING[item.icon], z)[1]
    if height_m * ppm < 14 * frame.u or base < 0:
        return
    x = stage.spot(height_m * ppm * aspect)
    draw_icon(frame, pencil, item.icon, x, base, ppm, tag=bool(item.tag))
    frame.drawn.add("props", item.icon)


def _on_floor(frame: Canvas, pencil: Pencil, stage: _Stage, item: _Item) -> None:
    """A big prop standing on the floor near the people (what the action names) or further
    back (set dressing), at least partly in frame."""
    cam = frame.cam
    named = bool(item.tag)
    z = stage.z if named else min(cam.d0 * 1.5, frame.env.back - 0.4)
    h, w = item.h * stage.z / z, item.w * stage.z / z  # dressing stands further back
    if not named and h < 18 * frame.u:
        return
    x = stage.spot(w)
    part = (0.6 if stage.people else 1.0) if named else 0.4
    base = _shown(frame, cam.ground(z), h, part)
    draw_icon(frame, pencil, item.icon, x, base, 0.0, target=h, tag=named)
    frame.drawn.add("props", item.icon)


def _silhouette(frame: Canvas, pencil: Pencil, stage: _Stage, noun: str) -> None:
    """A thing no drawing stands for: a plain grey rounded shape on the ground, labelled."""
    h = min(0.55 * stage.ppm, 0.35 * frame.h)
    w = 1.4 * h
    x = stage.spot(w)
    base = _shown(frame, frame.cam.ground(stage.z), h, 0.8)
    outline = [(x + w / 2 * math.copysign(abs(math.cos(t)) ** 0.5, math.cos(t)),
                base - h / 2 - h / 2 * math.copysign(abs(math.sin(t)) ** 0.5, math.sin(t)))
               for t in np.linspace(0, 2 * math.pi, 28, endpoint=False)]  # fmt: skip
    grey = (140, 140, 140)
    pencil.shape(outline, frame.wash(grey), weight=1.1)
    frame.prop_tags.append(Tag(noun, grey, "prop", x, base - h, base))
    frame.drawn.add("silhouettes", noun)


def _on_surface(frame: Canvas, pencil: Pencil, stage: _Stage, items: list[_Item]) -> None:
    """Small props side by side on a table near the people; in closer shots on a table's
    edge low in the frame."""
    if not items:
        return
    cam, u = frame.cam, frame.u
    z = stage.z * 0.95
    ppm = cam.lens / z
    gap = 12 * u
    width = sum(i.w for i in items) + gap * (len(items) - 1)
    x = stage.spot(width + 2 * gap) - width / 2
    far, near = cam.project(0, 0.75, z + 0.3)[1], cam.project(0, 0.75, z - 0.3)[1]
    if near < 0.9 * frame.h:  # a table: its top, its front and its legs
        top, depth, legs = far, max(near - far, 6 * u), cam.ground(z)
    else:  # the edge of a table, low in the frame
        top, depth, legs = 0.86 * frame.h, 0.05 * frame.h, frame.h
    _surface(frame, pencil, (x - gap, x + width + gap), top, depth, legs)
    if "table" in frame.read.props + frame.read.dressing:
        frame.drawn.add("props", "table")
    for item in items:
        lying = item.icon in FLAT
        base = top + depth * (0.9 if lying else 0.6)
        tilt = frame.rnd.uniform(-8, 8) if lying else None
        draw_icon(frame, pencil, item.icon, x + item.w / 2, base, ppm, target=item.h,
                  tag=bool(item.tag), tilt=tilt)  # fmt: skip
        frame.drawn.add("props", item.icon)
        x += item.w + gap


def _surface(
    frame: Canvas, pencil: Pencil, span: tuple[float, float], top: float, depth: float,
    legs: float,
) -> None:  # fmt: skip
    """A plain wooden table between `span`: its top seen from above, its front edge and,
    where the floor shows, two legs."""
    x0, x1 = span
    wood = frame.wash(_WOOD)
    thick = max(4 * frame.u, 0.25 * depth)
    front = top + depth
    for lx in (x0 + 0.06 * (x1 - x0), x1 - 0.1 * (x1 - x0)):
        if legs > front:
            pencil.shape([(lx, front), (lx + 5 * frame.u, front), (lx + 5 * frame.u, legs),
                          (lx, legs)], in_light(wood, 0.55), weight=0.8)  # fmt: skip
    pencil.shape([(x0 + depth * 0.3, top), (x1 - depth * 0.3, top), (x1, front), (x0, front)],
                 wood, weight=0.9)  # fmt: skip
    pencil.shape([(x0, front), (x1, front), (x1, front + thick), (x0, front + thick)],
                 in_light(wood, 0.7), weight=0.9)  # fmt: skip


def _old_props(frame: Canvas, image: Image.Image, comp: Composition) -> None:
    """Props of a composition whose words name none: the first two, standing in the gaps
    between the people of a wide shot; doors and windows in a room's back wall."""
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
        frame.drawn.add("props", icon)


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
    icon = icon_for(name)
    height_m, aspect, colour, shapes = ICONS[icon]
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
    if tilt is not None and icon in FLAT:  # its shadow on the table
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
