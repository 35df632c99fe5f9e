"""A character's cast sheet, drawn offline: the same figure three times on plain paper, turned
front, three-quarter and profile, in its own colour and as its description has it, named.

The views' boxes travel in the take's meta (`views`), so the sheet can be cut into the
separate reference images a cast pick gives the character.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from cinecode.backends.protocols import Figure, ImageRequest
from cinecode.backends.sketch.looks import Look, look_of
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.person import Placed, draw_body
from cinecode.backends.sketch.style import PERSON, RGB, Style, hex_rgb, in_light, mix
from cinecode.media.fonts import font

#: the views of a sheet, left to right, and how each figure is turned
VIEWS: tuple[tuple[str, str], ...] = (
    ("front", "camera"),
    ("three-quarter", "three-quarter"),
    ("profile", "right"),
)


def draw_sheet(req: ImageRequest, style: Style) -> tuple[Image.Image, dict[str, list[int]]]:
    """The sheet of the character `req.params` names (`name`, `color`, `look`), exactly
    width × height, and each view's box in it (left, top, right, bottom)."""
    name = str(req.params.get("name", "")) or "CHARACTER"
    colour = str(req.params.get("color", "")) or "#44484f"
    look = look_of(name, str(req.params.get("look", "")), sheet=req.seed)  # each take its own
    ss = 2 if req.height < 400 else 1  # small sheets are drawn twice as big, as frames are
    w, h = req.width * ss, req.height * ss
    image = Image.new("RGB", (w, h), style.paper)
    rnd = random.Random(req.seed)
    u = h / 720
    band = round(0.12 * h)  # the title band above the views
    draw = ImageDraw.Draw(image)
    draw.text((round(0.03 * w), round(0.035 * h)), name, fill=style.lead,
              font=font(max(10, round(0.055 * h)), weight="bold"))  # fmt: skip
    swatch = round(0.045 * h)
    x1 = w - round(0.03 * w)
    draw.rectangle((x1 - swatch, round(0.035 * h), x1, round(0.035 * h) + swatch),
                   fill=hex_rgb(colour), outline=style.lead)  # fmt: skip
    third = w / len(VIEWS)
    feet = h - round(0.12 * h)
    ppm = 0.82 * (feet - band) / (PERSON * max(look.height, 1.0))
    light_side = rnd.choice((-1, 1))
    colours = _colours(look, hex_rgb(colour), style)
    label = font(max(8, round(0.03 * h)))
    boxes: dict[str, list[int]] = {}
    for index, (view, facing) in enumerate(VIEWS):
        cx = third * (index + 0.5)
        figure = Figure(name=name, x=cx / w, facing="camera", color=colour)
        spot = Placed(figure, look, cx, feet, ppm, facing, False, 0.0, 0.0)
        draw_body(Pencil(image, rnd, u, style), spot, look, colours, light_side, (0, 0), "eye")
        r = 0.3 * ppm
        ImageDraw.Draw(image, "RGBA").ellipse(
            (cx - r * 1.3, feet - r * 0.2, cx + r * 1.3, feet + r * 0.2), fill=(20, 18, 24, 50)
        )
        words = view.upper()
        width = draw.textlength(words, font=label)
        draw.text((cx - width / 2, feet + round(0.035 * h)), words, fill=style.lead, font=label)
        boxes[view] = [round(index * third / ss), round(band / ss), round((index + 1) * third / ss),
                       req.height]  # fmt: skip
    if ss > 1:
        image = image.reduce(ss)
    return image, boxes


def _colours(look: Look, colour: RGB, style: Style) -> dict[str, RGB]:
    """A figure's colours in plain light (the frame's figures take the scene's light)."""
    cloth = look.garment_color or colour
    skin = mix(style.paper, look.skin, 0.9)
    trousers = cloth if look.garment_color is None else mix((70, 70, 78), cloth, 0.2)
    return {
        "cloth": cloth,
        "shade": in_light(cloth, 0.74),
        "legs": mix(in_light(trousers, 0.55), (60, 60, 66), 0.35),
        "legs_far": mix(in_light(trousers, 0.45), (50, 50, 56), 0.35),
        "skin": skin,
        "skin_shade": in_light(skin, 0.82),
        "hair": look.hair_color,
        "shoe": (44, 40, 40),
        "beard": look.beard_color or look.hair_color,
        "hat": look.headwear_color,
    }


__all__ = ["VIEWS", "draw_sheet"]
