"""Cinema cards: the opening title and the end credits, set like a film's.

Light serif capitals, generously letter-spaced, on a near-black ground; headings in small
spaced capitals of a muted gold; cast lines set on a centre gutter, the name to its left and
what follows the dash to its right. Everything is deterministic (same text, same pixels).

`title_card` is one frame; `credits_roll` is a tall strip on a flat `BACKGROUND` for a vertical
scroll (`credits_crawl` frames it for one: it starts on an empty frame and ends on one, or
comes to rest on its last section), and `credits_card` sets short credits on a single frame
(`credits_fit` says whether they fit there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from cinecode.media.fonts import font, wrap

RGB = tuple[int, int, int]

#: The ground of every card; the credits roll is flat in it, so a scroll can sit on black.
BACKGROUND: RGB = (11, 11, 13)
_INK: RGB = (239, 233, 220)  # titles and names
_SOFT: RGB = (168, 162, 152)  # subtitles and descriptions
_GOLD: RGB = (190, 160, 104)  # headings and the rule under the title

Sections = Sequence[tuple[str, Sequence[str]]]


# --- letter-spaced text ----------------------------------------------------------------------


def _spaced_width(face: ImageFont.FreeTypeFont, text: str, tracking: float) -> float:
    """Width of `text` drawn letter by letter with `tracking` pixels between letters."""
    if not text:
        return 0.0
    return float(sum(face.getlength(ch) for ch in text)) + tracking * (len(text) - 1)


def _draw_spaced(
    draw: ImageDraw.ImageDraw,
    centre: float,
    baseline: float,
    text: str,
    face: ImageFont.FreeTypeFont,
    tracking: float,
    fill: RGB,
) -> None:
    """Draw `text` letter-spaced, centred on `centre`, sitting on `baseline`."""
    x = centre - _spaced_width(face, text, tracking) / 2
    for ch in text:
        draw.text((x, baseline), ch, font=face, fill=fill, anchor="ls")
        x += face.getlength(ch) + tracking


def _spaced_lines(
    text: str, face: ImageFont.FreeTypeFont, tracking: float, width: float
) -> list[str]:
    """Greedy word wrap for letter-spaced text."""
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and _spaced_width(face, trial, tracking) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


# --- the ground ------------------------------------------------------------------------------


def _ground(width: int, height: int) -> Image.Image:
    """Near-black with a faint pool of light in the middle, dithered so it does not band."""
    x = np.linspace(-1, 1, width, dtype=np.float32)
    y = np.linspace(-1, 1, height, dtype=np.float32)
    d = np.sqrt((x[None, :] * 0.9) ** 2 + (y[:, None] * 1.2) ** 2)
    lift = np.clip(1 - d, 0, 1) ** 2 * 12
    dither = np.random.default_rng(11).random((height, width), dtype=np.float32) - 0.5
    base = np.array(BACKGROUND, np.float32)
    pixels = base[None, None, :] + (lift + dither)[:, :, None] * np.array([1.0, 0.97, 0.9])
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


# --- the title -------------------------------------------------------------------------------


def title_card(
    title: str, *, subtitle_lines: Sequence[str] = (), width: int, height: int
) -> Image.Image:
    """The film's opening title: spaced serif capitals over a short gold rule and smaller
    lines under it ("written by …"), centred on a near-black frame of width × height."""
    image = _ground(width, height)
    draw = ImageDraw.Draw(image)
    text = " ".join(title.split()).upper()
    # 1. the largest title size that fits in two lines across 84% of the frame
    size = max(8, round(height * 0.11))
    while True:
        face = font(size, family="serif")
        tracking = size * 0.16
        lines = _spaced_lines(text, face, tracking, width * 0.84)
        widest = max((_spaced_width(face, line, tracking) for line in lines), default=0.0)
        if (len(lines) <= 2 and widest <= width * 0.84) or size <= max(8, height * 0.035):
            break
        size = max(8, math.floor(size * 0.92))
    if len(lines) == 2:  # balance two lines: "THE LONG NIGHT / AT HARBOUR ROAD"
        words = text.split()
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        lines = list(
            min(splits, key=lambda pair: max(_spaced_width(face, p, tracking) for p in pair))
        )
    # 2. the subtitles, small and spaced
    sub_size = max(8, round(height * 0.03))
    sub_face = font(sub_size)
    sub_tracking = sub_size * 0.12
    subs = [
        line
        for raw in subtitle_lines
        for line in _spaced_lines(" ".join(raw.split()), sub_face, sub_tracking, width * 0.8)
    ]
    # 3. stack title, rule and subtitles around the middle of the frame
    line_h = size * 1.18
    rule_gap = size * 0.55
    sub_h = sub_size * 1.9
    block = line_h * len(lines) + (rule_gap * 2 + sub_h * len(subs) if subs else 0)
    top = (height - block) / 2
    ascent = face.getmetrics()[0]
    for i, line in enumerate(lines):
        baseline = top + i * line_h + ascent * 0.92
        _draw_spaced(draw, width / 2, baseline, line, face, tracking, _INK)
    if subs:
        y = top + line_h * len(lines) + rule_gap * 0.6
        half = width * 0.035
        draw.line([(width / 2 - half, y), (width / 2 + half, y)], fill=_GOLD,
                  width=max(1, round(height / 540)))  # fmt: skip
        y += rule_gap * 1.2
        for i, line in enumerate(subs):
            baseline = y + i * sub_h + sub_face.getmetrics()[0]
            _draw_spaced(draw, width / 2, baseline, line, sub_face, sub_tracking, _SOFT)
    return image


# --- the credits -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Type:
    """Type sizes for credits at a width (a 1280-wide frame sets names at 30 px)."""

    heading: ImageFont.FreeTypeFont
    name: ImageFont.FreeTypeFont
    note: ImageFont.FreeTypeFont
    heading_tracking: float
    size: int

    @classmethod
    def at(cls, width: int, scale: float = 1.0) -> _Type:
        size = max(9, round(width / 1280 * 30 * scale))
        heading = max(8, round(size * 0.62))
        return cls(
            heading=font(heading, weight="bold"),
            name=font(size, family="serif"),
            note=font(size, family="serif", slant="italic"),
            heading_tracking=heading * 0.32,
            size=size,
        )


def _split(line: str) -> tuple[str, str] | None:
    """ "MARA — bright voice" → ("MARA", "bright voice"); None for a line without a dash."""
    for dash in (" — ", " – ", " -- ", " - "):
        if dash in line:
            name, note = line.split(dash, 1)
            return name.strip(), note.strip()
    return None


@dataclass(frozen=True)
class _Row:
    """One set line of the credits, `y` pixels below the first."""

    what: str  # heading | centre | pair
    left: str
    right: str
    y: float


def _layout(sections: Sections, width: int, kind: _Type) -> tuple[list[_Row], float]:
    """Place every line of the credits; returns the rows and their total height."""
    size = kind.size
    column = width * 0.42 - size * 0.6
    rows: list[_Row] = []
    y = 0.0
    for n, (heading, lines) in enumerate(sections):
        if n:
            y += size * 2.2
        if heading.strip():
            rows.append(_Row("heading", heading.strip().upper(), "", y))
            y += size * 1.9
        for line in lines:
            pair = _split(line)
            if pair is None:
                for part in wrap(line, kind.name, width * 0.84, max_lines=3) or [""]:
                    rows.append(_Row("centre", part, "", y))
                    y += size * 1.45
                continue
            name_lines = wrap(pair[0], kind.name, column, max_lines=2) or [""]
            note_lines = wrap(pair[1], kind.note, column, max_lines=3) or [""]
            for i in range(max(len(name_lines), len(note_lines))):
                left = name_lines[i] if i < len(name_lines) else ""
                right = note_lines[i] if i < len(note_lines) else ""
                rows.append(_Row("pair", left, right, y))
                y += size * 1.45
    return rows, y


def _set(draw: ImageDraw.ImageDraw, rows: list[_Row], width: int, top: float, kind: _Type) -> None:
    """Draw laid-out credit rows with their first line's top at `top`."""
    centre = width / 2
    gutter = kind.size * 0.6
    ascent = kind.name.getmetrics()[0]
    for row in rows:
        baseline = top + row.y + ascent
        if row.what == "heading":
            _draw_spaced(draw, centre, baseline, row.left, kind.heading, kind.heading_tracking,
                         _GOLD)  # fmt: skip
        elif row.what == "centre":
            draw.text((centre, baseline), row.left, font=kind.name, fill=_INK, anchor="ms")
        else:
            draw.text((centre - gutter, baseline), row.left, font=kind.name, fill=_INK,
                      anchor="rs")  # fmt: skip
            draw.text((centre + gutter, baseline), row.right, font=kind.note, fill=_SOFT,
                      anchor="ls")  # fmt: skip


def credits_roll(sections: Sections, *, width: int) -> Image.Image:
    """End credits as one tall strip, `width` wide, on a flat `BACKGROUND`, for a vertical
    scroll: each section is a spaced gold heading ("CAST") over its lines; "MARA — bright
    voice" sets the name left of the centre and the rest right of it; other lines centre.
    A margin of a tenth of the width lies above the first line and below the last."""
    kind = _Type.at(width)
    rows, content = _layout(sections, width, kind)
    margin = round(width * 0.1)
    height = max(1, math.ceil(content + 2 * margin))
    image = Image.new("RGB", (width, height), BACKGROUND)
    _set(ImageDraw.Draw(image), rows, width, margin, kind)
    return image


def credits_crawl(
    sections: Sections, *, width: int, height: int, rest: str = "empty"
) -> Image.Image:
    """The strip a scroll travels from top to bottom: an empty frame of width × height, the
    `credits_roll`, then an empty frame (`rest="empty"`: the crawl rolls out) or just enough
    ground that the last section stands centred in the final frame (`rest="last"`: the crawl
    comes to rest on its closing lines)."""
    kind = _Type.at(width)
    _, content = _layout(sections, width, kind)
    margin = round(width * 0.1)  # as credits_roll sets it
    roll = credits_roll(sections, width=width)
    below = height
    if rest == "last" and sections:
        _, last_content = _layout(sections[-1:], width, kind)
        ink = last_content - kind.size * 0.45  # the last line's leading is not ink
        centre = height + margin + content - last_content + ink / 2
        below = max(0, math.ceil(centre + height / 2 - height - roll.height))
    strip = Image.new("RGB", (width, height + roll.height + below), BACKGROUND)
    strip.paste(roll, (0, height))
    return strip


def credits_fit(sections: Sections, *, width: int, height: int) -> bool:
    """Whether the credits fit one card of width × height at a comfortable size."""
    _, content = _layout(sections, width, _Type.at(width, 0.8))
    return content <= height * 0.84


def credits_card(sections: Sections, *, width: int, height: int) -> Image.Image:
    """Short credits set on a single frame, centred; the type shrinks until they fit (for
    long credits prefer `credits_roll`: see `credits_fit`)."""
    scale = 1.0
    kind = _Type.at(width, scale)
    rows, content = _layout(sections, width, kind)
    while content > height * 0.84 and kind.size > 9:
        scale *= 0.9
        kind = _Type.at(width, scale)
        rows, content = _layout(sections, width, kind)
    image = _ground(width, height)
    _set(ImageDraw.Draw(image), rows, width, (height - content) / 2, kind)
    return image


__all__ = [
    "BACKGROUND",
    "credits_card",
    "credits_crawl",
    "credits_fit",
    "credits_roll",
    "title_card",
]
