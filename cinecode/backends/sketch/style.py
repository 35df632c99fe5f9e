"""The sketch's hand and its colours: the styles (paper, lead, washes), the pixel types, the
size a person is drawn at, and the colour arithmetic every drawing step uses."""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]
Point = tuple[float, float]
Box = tuple[float, float, float, float]

PERSON = 1.75  # metres: the height every figure is drawn from (times its own build)


@dataclass(frozen=True)
class Style:
    """How the artist draws: paper, lead, washes and finish."""

    paper: RGB
    lead: RGB  # the stroke colour
    lead_alpha: int
    passes: int  # strokes laid over each line
    jitter: float  # stroke wobble, pixels at 720p
    weight: float  # stroke width, pixels at 720p
    wash: float  # 1 = full colour, less = more paper shows through
    grain: float  # paper grain, 0 … 1
    vignette: float  # darkening at the corners, 0 … 1
    hatch: bool  # shade with hatching strokes


STYLES: dict[str, Style] = {
    "pencil": Style((236, 231, 220), (48, 46, 50), 175, 2, 1.3, 1.6, 0.85, 0.06, 0.30, True),
    "ink": Style((246, 244, 238), (16, 16, 20), 235, 1, 0.5, 2.4, 0.6, 0.03, 0.18, True),
    "flat": Style((240, 238, 232), (40, 42, 48), 210, 1, 0.0, 1.5, 1.0, 0.0, 0.0, False),
}


# --- colour ----------------------------------------------------------------------------------


def hex_rgb(color: str, default: RGB = (68, 72, 79)) -> RGB:
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    try:
        value = int(text, 16)
    except ValueError:
        return default
    if len(text) != 6:
        return default
    return (value >> 16 & 255, value >> 8 & 255, value & 255)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def in_light(color: RGB, light: float, tint: RGB = (255, 255, 255)) -> RGB:
    """`color` under light of strength `light` (1 = day) and colour `tint`."""
    return (
        min(255, round(color[0] * light * tint[0] / 255)),
        min(255, round(color[1] * light * tint[1] / 255)),
        min(255, round(color[2] * light * tint[2] / 255)),
    )


def rgba(color: RGB, alpha: float) -> RGBA:
    return (color[0], color[1], color[2], max(0, min(255, round(alpha * 255))))
