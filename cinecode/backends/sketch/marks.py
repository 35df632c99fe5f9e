"""The marks burned in over the finished frame: the caption band, the shot label and the
location, reference thumbnails, the camera move, and each name near its figure (with speech
marks by the speaker's mouth)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from PIL import Image, ImageDraw

from cinecode.backends.sketch.arrows import move_arrows
from cinecode.backends.sketch.canvas import Canvas, Tag
from cinecode.backends.sketch.references import Reference
from cinecode.backends.sketch.shots import camera_move
from cinecode.backends.sketch.style import Box, Point
from cinecode.media.fonts import font, text_width, wrap


def overlays(frame: Canvas, image: Image.Image, refs: Sequence[Reference]) -> None:
    """Camera move arrows, name labels, shot label, location, references and caption."""
    draw = ImageDraw.Draw(image, "RGBA")
    width, height = image.size
    o = height / 720
    comp = frame.comp
    band_top = _caption(frame, draw, width, height, o)
    if comp is None:
        return
    label = comp.label or f"{frame.size.upper()} · {frame.angle.upper()}"
    top = _pill(draw, (round(10 * o) + 2, round(10 * o) + 2), label, max(8, round(17 * o)),
                max_width=width * 0.5, anchor="left")  # fmt: skip
    setting = {"int": "INT.", "ext": "EXT.", "int/ext": "INT./EXT."}[frame.setting]
    place = " ".join(part for part in (setting, comp.location.upper()) if part)
    place = f"{place} — {comp.time_of_day.upper() or 'DAY'}"
    _pill(draw, (width - round(10 * o) - 2, round(10 * o) + 2), place, max(8, round(15 * o)),
          max_width=width * 0.45, anchor="right")  # fmt: skip
    if refs and height >= 360:
        _insets(frame, image, refs, top + round(8 * o), o)
    move_arrows(draw, camera_move(comp.label), width, height, band_top, o)
    _name_tags(frame, draw, width, height, top, band_top, o)


def _caption(frame: Canvas, draw: ImageDraw.ImageDraw, width: int, height: int, o: float) -> float:
    """The caption band at the bottom; returns its top edge."""
    comp = frame.comp
    text = (comp.caption if comp is not None else "") or (frame.req.prompt if comp is None else "")
    if not text.strip():
        return float(height)
    size = max(9, round(26 * o))
    face = font(size)
    lines = wrap(text, face, width * 0.9, max_lines=3 if height >= 360 else 2)
    pad = max(3, round(11 * o))
    line_h = round(size * 1.28)
    band = pad * 2 + line_h * len(lines)
    top = height - band
    draw.rectangle((0, top, width, height), fill=(18, 18, 20, 214))
    for i, line in enumerate(lines):
        y = top + pad + i * line_h + line_h / 2
        draw.text((width / 2, y), line, font=face, fill=(244, 240, 230, 255), anchor="mm")
    return float(top)


def _insets(
    frame: Canvas, image: Image.Image, refs: Sequence[Reference], top: int, o: float
) -> None:
    """Small reference thumbnails under the location label, right-aligned."""
    size = round(0.13 * image.height)
    x = image.width - round(10 * o) - 2
    draw = ImageDraw.Draw(image, "RGBA")
    for ref in refs[:3]:
        thumb = ref.thumb.copy()
        thumb.thumbnail((size * 2, size), Image.Resampling.BILINEAR)
        x -= thumb.width
        border = max(1, round(2 * o))
        draw.rectangle((x - border, top - border, x + thumb.width + border - 1,
                        top + thumb.height + border - 1), fill=(246, 244, 238))  # fmt: skip
        image.paste(thumb, (x, top))
        x -= round(8 * o)


def _name_tags(
    frame: Canvas,
    draw: ImageDraw.ImageDraw,
    width: int,
    height: int,
    top: int,
    band: float,
    o: float,
) -> None:
    """Each name near its figure: above the head when there is room, else on the chest."""
    size = max(8, round(15 * o))
    bold = font(size, weight="bold")
    pad = max(2, round(5 * o))
    tag_h = size + 2 * pad
    placed: list[Box] = []
    for tag in frame.tags + frame.prop_tags:
        if not tag.name.strip():
            continue
        x, above = frame.to_output(tag.x, tag.above)
        _, below = frame.to_output(tag.x, tag.below)
        text = tag.name.upper()
        tw = text_width(bold, text) + 2 * pad + (size if tag.role != "prop" else 0)
        y = above - tag_h - 6 * o
        if y < top + 4 * o:
            y = below
        y = max(top + 4 * o, min(y, band - tag_h - 4 * o))
        x0 = max(4 * o, min(x - tw / 2, width - tw - 4 * o))
        for _ in range(len(placed)):
            if not any(_overlap((x0, y, x0 + tw, y + tag_h), other) for other in placed):
                break
            y = y + tag_h + 3 * o if y + 2 * tag_h < band else y - tag_h - 3 * o
        placed.append((x0, y, x0 + tw, y + tag_h))
        _tag(draw, (x0, y, x0 + tw, y + tag_h), text, bold, tag, pad, size)
        if tag.role == "speaker" and tag.mouth is not None:
            mouth = frame.to_output(*tag.mouth)
            _speech_marks(draw, mouth, tag.head / frame.ss, tag.side, o)


def _speech_marks(
    draw: ImageDraw.ImageDraw, mouth: Point, head: float, side: int, o: float
) -> None:
    """Little arcs just off the speaker's cheek, by the mouth: "this one is talking"."""
    x, y = mouth
    cx = x + side * head * 0.5
    width = max(1, min(round(4 * o) + 1, round(head * 0.018)))
    for i in range(3):
        r = max(3.0, head * (0.07 + 0.07 * i))
        box = (cx - r, y - r, cx + r, y + r)
        start, end = (-40, 40) if side > 0 else (140, 220)
        draw.arc(box, start, end, fill=(28, 26, 30, 220), width=width)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _pill(
    draw: ImageDraw.ImageDraw,
    at: tuple[int, int],
    text: str,
    size: int,
    *,
    max_width: float,
    anchor: Literal["left", "right"],
) -> int:
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
    return round(box[3])


def _tag(
    draw: ImageDraw.ImageDraw,
    box: Box,
    text: str,
    face: Any,
    tag: Tag,
    pad: int,
    size: int,
) -> None:
    """A name label: the character's colour as a dot, then the name; the speaker's stands out."""
    speaker = tag.role == "speaker"
    back = (20, 20, 22, 215) if tag.role != "listener" else (40, 40, 44, 170)
    draw.rounded_rectangle(box, radius=pad, fill=back,
                           outline=(*tag.color, 255) if speaker else None,
                           width=max(1, size // 8))  # fmt: skip
    x = box[0] + pad
    cy = (box[1] + box[3]) / 2
    if tag.role != "prop":
        r = size * 0.34
        draw.ellipse((x, cy - r, x + 2 * r, cy + r), fill=(*tag.color, 255),
                     outline=(250, 250, 250, 255))  # fmt: skip
        x += size
    ink = (250, 246, 236, 255) if tag.role != "listener" else (206, 204, 198, 255)
    draw.text((x, cy), text, font=face, fill=ink, anchor="lm")
