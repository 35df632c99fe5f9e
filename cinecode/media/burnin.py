"""Burn-ins: a storyboard frame's labels laid over the moving picture after its camera move,
so a push-in never crops the caption and a drift never clips a corner label.

A burn-in is plain data (JSON in a keyframe's meta): the shot label, the place, the caption,
and a name tag for each person at the head it belongs to (in 0…1 of the still). `Burnin`
draws the fixed part once (the label and place at the top corners and the caption band, all
inside the title-safe area) and each name tag once; `Burnin.lay` lays them on a frame's
planes, every tag where its head lands in that frame, kept inside the safe area.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw

from cinecode.media.fonts import font, text_width, wrap

Point = tuple[float, float]
Box = tuple[float, float, float, float]
RGB = tuple[int, int, int]

#: the title-safe margin, a fraction of each side: nothing burned in lies outside it
SAFE = 0.04


@dataclass(frozen=True)
class Layer:
    """Part of a burn-in as planes: luma and its alpha at full size, chroma at half."""

    y: Image.Image
    cb: Image.Image
    cr: Image.Image
    alpha: Image.Image
    alpha_half: Image.Image

    @staticmethod
    def of(rgba: Image.Image) -> Layer:
        """An RGBA picture as BT.709 limited-range planes (as the segments' frames are)."""
        w, h = rgba.size
        even = rgba.crop((0, 0, w + w % 2, h + h % 2))
        a = np.asarray(even, dtype=np.float32)
        rgb, alpha = a[..., :3] / 255.0, a[..., 3]
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        half = np.asarray(Image.fromarray(alpha.astype(np.uint8), "L").reduce(2), dtype=np.float32)

        def down(c: np.ndarray[Any, np.dtype[np.float32]]) -> np.ndarray[Any, Any]:
            weights = alpha + 1e-3  # chroma of the overlay, weighted where it is opaque
            num = c * weights
            num = num[0::2, 0::2] + num[1::2, 0::2] + num[0::2, 1::2] + num[1::2, 1::2]
            den = weights[0::2, 0::2] + weights[1::2, 0::2] + weights[0::2, 1::2]
            return np.asarray(num / (den + weights[1::2, 1::2]))

        def byte(v: np.ndarray[Any, Any]) -> Image.Image:
            return Image.fromarray(np.clip(np.rint(v), 0, 255).astype(np.uint8), "L")

        return Layer(
            y=byte(16.0 + 219.0 * y),
            cb=byte(128.0 + 224.0 * down((b - y) / 1.8556)),
            cr=byte(128.0 + 224.0 * down((r - y) / 1.5748)),
            alpha=byte(alpha),
            alpha_half=byte(half),
        )

    def paste(self, planes: tuple[Image.Image, Image.Image, Image.Image], x: int, y: int) -> None:
        """Lay this layer on a frame's planes with its top-left corner at (x, y) (even)."""
        luma, cb, cr = planes
        luma.paste(self.y, (x, y), self.alpha)
        cb.paste(self.cb, (x // 2, y // 2), self.alpha_half)
        cr.paste(self.cr, (x // 2, y // 2), self.alpha_half)


@dataclass(frozen=True)
class Tag:
    """A person's name tag: where their head is in the still (0…1), who speaks."""

    name: str
    color: RGB
    role: str  # speaker | listener | present
    x: float
    top: float  # the top of the head
    chest: float  # where the tag goes when there is no room above the head
    mouth: Point | None = None  # speakers: where the speech marks start
    head: float = 0.0  # head width, fraction of the still's width
    side: int = 1  # which way the speech marks point


class Burnin:
    """A burn-in drawn for one frame size, laid on each frame after the camera move."""

    def __init__(self, spec: Mapping[str, Any], width: int, height: int) -> None:
        self.width, self.height = width, height
        o = height / 720
        self.o = o
        rgba = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(rgba, "RGBA")
        left, top = round(SAFE * width), round(SAFE * height)
        label_size, place_size = max(8, round(17 * o)), max(8, round(15 * o))
        self.top = float(top)
        if spec.get("label"):
            self.top = max(self.top, _pill(draw, (left, top), str(spec["label"]), label_size,
                                           max_width=width * 0.46, anchor="left"))  # fmt: skip
        if spec.get("place"):
            self.top = max(self.top, _pill(draw, (width - left, top), str(spec["place"]),
                                           place_size, max_width=width * 0.42,
                                           anchor="right"))  # fmt: skip
        self.band = _caption(draw, str(spec.get("caption", "")), width, height, o)
        self.layers: list[tuple[Layer, int, int]] = []
        for y0, y1 in ((0, round(self.top) + 2), (round(self.band) - 2, height)):
            y0, y1 = max(0, y0 - y0 % 2), min(height, y1 + y1 % 2)
            part = rgba.crop((0, y0, width, y1))
            if part.getbbox() is not None and y1 > y0:
                self.layers.append((Layer.of(part), 0, y0))
        self.tags = [_tag(t) for t in spec.get("tags", [])]
        self.sprites = [self._sprite(t) for t in self.tags]
        self.marks = [self._speech(t) for t in self.tags]

    @staticmethod
    def of(meta: Mapping[str, Any], width: int, height: int) -> Burnin | None:
        """The burn-in a picture's meta asks for, or None."""
        spec = meta.get("burnin")
        return Burnin(spec, width, height) if isinstance(spec, Mapping) else None

    def lay(
        self,
        planes: tuple[Image.Image, Image.Image, Image.Image],
        to_frame: Callable[[float, float], Point],
    ) -> list[Box]:
        """Lay the burn-in on a frame's planes; `to_frame` maps a still point (0…1) to the
        frame's pixels. Returns the boxes it drew (labels, caption band, tags)."""
        drawn: list[Box] = []
        for layer, lx, ly in self.layers:
            layer.paste(planes, lx, ly)
            drawn.append((lx, ly, lx + layer.y.width, ly + layer.y.height))
        safe_x0, safe_x1 = SAFE * self.width, (1 - SAFE) * self.width
        low = self.band - 4 * self.o
        for tag, sprite, marks in zip(self.tags, self.sprites, self.marks, strict=True):
            hx, top = to_frame(tag.x, tag.top)
            _, chest = to_frame(tag.x, tag.chest)
            w, h = sprite.y.width, sprite.y.height
            y = top - h - 6 * self.o
            if y < self.top + 4 * self.o:
                y = chest
            y = max(self.top + 4 * self.o, min(y, low - h))
            x = max(safe_x0, min(hx - w / 2, safe_x1 - w))
            for other in drawn[len(self.layers) :]:
                if x < other[2] and other[0] < x + w and y < other[3] and other[1] < y + h:
                    y = other[3] + 3 * self.o if other[3] + 3 * self.o + h < low else y
            box = (float(_even(x)), float(_even(y)), float(_even(x) + w), float(_even(y) + h))
            if box[1] < self.top or box[3] > self.band:
                continue  # no room between the labels and the caption
            sprite.paste(planes, _even(x), _even(y))
            drawn.append(box)
            if marks is not None and tag.mouth is not None:
                mx, my = to_frame(*tag.mouth)
                x0, y0 = _even(mx - marks.y.width / 2), _even(my - marks.y.height / 2)
                inside = safe_x0 <= x0 and x0 + marks.y.width <= safe_x1
                if inside and self.top <= y0 and y0 + marks.y.height <= self.band:
                    marks.paste(planes, x0, y0)
        return drawn

    def _sprite(self, tag: Tag) -> Layer:
        """A name label: the character's colour as a dot, then the name (a prop: the name)."""
        size = max(8, round(15 * self.o))
        bold = font(size, weight="bold")
        pad = max(2, round(5 * self.o))
        text = tag.name.upper()
        dot = tag.role != "prop"
        w = round(text_width(bold, text) + 2 * pad + (size if dot else 0))
        h = size + 2 * pad
        rgba = Image.new("RGBA", (w + w % 2 + 2, h + h % 2 + 2), (0, 0, 0, 0))
        draw = ImageDraw.Draw(rgba, "RGBA")
        speaker = tag.role == "speaker"
        back = (20, 20, 22, 215) if tag.role != "listener" else (40, 40, 44, 170)
        draw.rounded_rectangle((0, 0, w, h), radius=pad, fill=back,
                               outline=(*tag.color, 255) if speaker else None,
                               width=max(1, size // 8))  # fmt: skip
        r, cy = size * 0.34, h / 2
        if dot:
            draw.ellipse((pad, cy - r, pad + 2 * r, cy + r), fill=(*tag.color, 255),
                         outline=(250, 250, 250, 255))  # fmt: skip
        ink = (250, 246, 236, 255) if tag.role != "listener" else (206, 204, 198, 255)
        draw.text((pad + (size if dot else 0), cy), text, font=bold, fill=ink, anchor="lm")
        return Layer.of(rgba)

    def _speech(self, tag: Tag) -> Layer | None:
        """Little arcs just off the speaker's cheek: "this one is talking"."""
        if tag.role != "speaker" or tag.mouth is None:
            return None
        head = tag.head * self.width
        width = max(1, min(round(4 * self.o) + 1, round(head * 0.018)))
        reach = max(3.0, head * 0.21) + width
        size = int(2 * reach + head) + 4
        rgba = Image.new("RGBA", (size + size % 2, size + size % 2), (0, 0, 0, 0))
        draw = ImageDraw.Draw(rgba, "RGBA")
        cx, cy = size / 2 + tag.side * head * 0.5, size / 2
        for i in range(3):
            r = max(3.0, head * (0.07 + 0.07 * i))
            start, end = (-40, 40) if tag.side > 0 else (140, 220)
            draw.arc((cx - r, cy - r, cx + r, cy + r), start, end, fill=(28, 26, 30, 220),
                     width=width)  # fmt: skip
        return Layer.of(rgba)


def _tag(spec: Mapping[str, Any]) -> Tag:
    colour = spec.get("color", (68, 72, 79))
    mouth = spec.get("mouth")
    return Tag(
        name=str(spec["name"]),
        color=(int(colour[0]), int(colour[1]), int(colour[2])),
        role=str(spec.get("role", "present")),
        x=float(spec["x"]),
        top=float(spec["top"]),
        chest=float(spec["chest"]),
        mouth=(float(mouth[0]), float(mouth[1])) if mouth else None,
        head=float(spec.get("head", 0.0)),
        side=int(spec.get("side", 1)),
    )


def _even(value: float) -> int:
    return 2 * round(value / 2)


def _caption(draw: ImageDraw.ImageDraw, text: str, width: int, height: int, o: float) -> float:
    """The caption band at the bottom, its lines inside the safe area; returns its top."""
    if not text.strip():
        return float(height) * (1 - SAFE)
    size = max(9, round(26 * o))
    face = font(size)
    lines = wrap(text, face, width * (1 - 2 * SAFE - 0.04), max_lines=3 if height >= 360 else 2)
    pad = max(3, round(11 * o))
    line_h = round(size * 1.28)
    bottom = height * (1 - SAFE)
    top = bottom - pad * 2 - line_h * len(lines)
    draw.rectangle((0, top, width, height), fill=(18, 18, 20, 214))
    for i, line in enumerate(lines):
        y = top + pad + i * line_h + line_h / 2
        draw.text((width / 2, y), line, font=face, fill=(244, 240, 230, 255), anchor="mm")
    return float(top)


def _pill(
    draw: ImageDraw.ImageDraw,
    at: tuple[int, int],
    text: str,
    size: int,
    *,
    max_width: float,
    anchor: Literal["left", "right"],
) -> float:
    """A dark rounded label at a top corner; returns its bottom edge."""
    face = font(size, weight="bold")
    pad = max(2, round(size * 0.45))
    lines = wrap(text, face, max_width - 2 * pad, max_lines=1)
    line = lines[0] if lines else ""
    tw = text_width(face, line)
    x0 = at[0] if anchor == "left" else at[0] - tw - 2 * pad
    box = (x0, at[1], x0 + tw + 2 * pad, at[1] + size + 2 * pad)
    draw.rounded_rectangle(box, radius=pad, fill=(20, 20, 22, 200))
    draw.text((x0 + pad, at[1] + pad + size / 2), line, font=face, fill=(246, 242, 232, 255),
              anchor="lm")  # fmt: skip
    return float(box[3])
