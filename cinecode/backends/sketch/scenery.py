"""Outdoors: the sky over the ground, then the scenery the words name, far to near (ridges and
deserts, the coast, woods, streets, roads and fields, a balcony's railing), and the lights that
cross it (a lighthouse beam, lightning). A location that names no scenery gets one kind from
its name (a skyline, water, a treeline, ridges or hills)."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from cinecode.backends.protocols import Composition
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.landmarks import COAST, coast_for, draw_coast, draw_sea
from cinecode.backends.sketch.lands import draw_land, ridges, road_marks, skyline, treeline
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.railings import draw_balcony, draw_rooftop
from cinecode.backends.sketch.shots import SKIES, scenery_kind
from cinecode.backends.sketch.skies import BEAM, draw_beam, draw_lightning, draw_sky, sky_colours
from cinecode.backends.sketch.style import RGB, Point, mix

#: the ground under each kind of scenery (the first tag that names one wins)
GROUNDS: dict[str, RGB] = {
    "city": (150, 148, 142), "street": (150, 148, 142), "station": (150, 148, 142),
    "rooftop": (130, 124, 120), "balcony": (120, 118, 116),
    "water": (214, 198, 160), "beach": (214, 198, 160), "desert": (214, 190, 150),
    "trees": (132, 156, 104), "forest": (120, 140, 96), "ridge": (196, 170, 126),
    "mountains": (176, 160, 130), "road": (146, 156, 110),
}  # fmt: skip
GRASS: RGB = (140, 160, 106)
#: the scenery each kind of the location's name stands for, as a tag
LEGACY = {"city": "street", "water": "sea", "trees": "forest", "ridge": "mountains",
          "hills": "hills"}  # fmt: skip
FAR = ("mountains", "hills", "desert")
NEAR = ("forest", "street", "road", "field", "river", "bridge", "garden", "cemetery", "station")


def draw_exterior(frame: Canvas, image: Image.Image, pencil: Pencil, comp: Composition) -> None:
    """Outdoors: sky over the ground, the scenery the words name, marks on the ground, the
    lights the action names."""
    frame.env.light, frame.env.tint = SKIES[frame.time][2], SKIES[frame.time][3]
    tags = frame.read.scenery
    kind = scenery_kind(comp.location)
    first = next((GROUNDS[tag] for tag in tags if tag in GROUNDS), GRASS)
    ground = frame.palette(comp, 1, first if tags else GROUNDS.get(kind, (150, 166, 112)))
    if frame.weather == "snow":
        ground = mix(ground, (246, 246, 250), 0.75)
    sky_top, sky_low = sky_colours(frame)
    far = mix(frame.wash(ground), sky_low, 0.35)
    frame.env.air = sky_low
    frame.env.sky = (sky_top, sky_low)
    _sky_and_ground(frame, image, (sky_top, sky_low), (far, frame.wash(ground)))
    draw_sky(frame, image, pencil, frame.cam.horizon)
    if "lightning" in frame.read.lights and frame.cam.horizon > 0:
        draw_lightning(frame, image, pencil, frame.cam.horizon)
    if tags:
        lantern, reach = _landscape(frame, pencil, tags)
    else:
        lantern, reach = None, 60.0
        _by_name(frame, pencil, comp, kind)
    if not {"street", "balcony", "rooftop"} & set(tags) and kind != "city":
        _tufts(frame, pencil, reach)
    _lights(frame, image, lantern)


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


def _landscape(frame: Canvas, pencil: Pencil, tags: tuple[str, ...]) -> tuple[Point | None, float]:
    """Every tag, far to near: ridges, the coast (or a lake), woods, streets, roads and
    fields, then the railing of a high place; the lighthouse's lantern and how far the land
    reaches."""
    coast = coast_for(frame, tags)
    seaside = bool(COAST & set(tags)) and not coast.afloat
    span = (-10.0, frame.w + 10.0)
    if seaside:  # the land rises on the side away from the headland
        span = (-10.0, frame.w * 0.55) if coast.side > 0 else (frame.w * 0.45, frame.w + 10.0)
    for tag in FAR:
        if tag in tags:
            draw_land(frame, pencil, tag, math.inf, span)
    if "lake" in tags and "sea" not in tags:
        lake = coast_for(frame, ("lake",))
        draw_sea(frame, pencil, lake, 220.0)
        treeline(frame, pencil, frame.wash((96, 128, 84)), (-10.0, frame.w + 10.0))
    lantern = draw_coast(frame, pencil, tags, coast)
    reach = coast.shore if seaside and coast.shore else 300.0
    for tag in NEAR:
        if tag in tags:
            draw_land(frame, pencil, tag, reach, span)
    if "balcony" in tags:
        draw_balcony(frame, pencil, "lighthouse" in tags, coast.side)
    if "rooftop" in tags:
        draw_rooftop(frame, pencil)
    land = coast.shore > 0 or not COAST & set(tags)
    return lantern, min(reach, 60.0) if land else 0.0


def _by_name(frame: Canvas, pencil: Pencil, comp: Composition, kind: str) -> None:
    """The one kind of scenery the location's name gives when the words name none."""
    colours = {"city": (150, 140, 132), "water": (120, 150, 170), "trees": (96, 128, 84),
               "ridge": (150, 128, 110), "hills": (120, 140, 96)}  # fmt: skip
    colour = frame.wash(frame.palette(comp, 0, colours[kind]))
    everywhere = (-10.0, frame.w + 10.0)
    if kind == "city":
        skyline(frame, pencil, colour)
        road_marks(frame, pencil)
    elif kind == "water":
        _water(frame, pencil, colour)
    elif kind == "trees":
        treeline(frame, pencil, colour, everywhere)
    else:
        ridges(frame, pencil, colour, jagged=kind == "ridge", span=everywhere)
    frame.drawn.add("scenery", LEGACY[kind])


def _water(frame: Canvas, pencil: Pencil, colour: RGB) -> None:
    cam = frame.cam
    shore = cam.ground(30.0)
    water = mix(colour, frame.env.air, 0.25)
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


def _tufts(frame: Canvas, pencil: Pencil, reach: float) -> None:
    """Tufts of grass on the ground up to `reach` metres: its perspective."""
    cam, rnd = frame.cam, frame.rnd
    near = max(cam.d0 * 0.4, 1.0)
    if reach <= near:
        return
    for _ in range(40):
        z = math.exp(rnd.uniform(math.log(near), math.log(reach)))
        x = cam.world_x(rnd.uniform(0, frame.w), z)
        px, py = cam.project(x, 0, z)
        length = 0.4 * cam.lens / z
        pencil.line([(px - length, py), (px + length, py)], weight=0.6, alpha=0.35, passes=1)


def _lights(frame: Canvas, image: Image.Image, lantern: Point | None) -> None:
    """The lights the action names outdoors: the beam out of the lantern (or from off the
    frame's side), a flame in the lantern, a light left dark."""
    lights = frame.read.lights
    horizon = frame.cam.horizon
    if "beam" in lights:
        sx, sy = lantern or (frame.w * 1.05, horizon - 0.12 * frame.h)
        aim = (frame.w / 2 - (sx - frame.w / 2) * 2.5, min(sy, horizon) - 0.2 * frame.h)
        draw_beam(frame, image, (sx, sy), aim, 0.35 * frame.h)
    if "flame" in lights and lantern is not None:
        glow(image, lantern, 70 * frame.u, BEAM, 1.0)
        frame.drawn.add("lights", "flame")
    if "dark" in lights:
        frame.drawn.add("lights", "dark")
