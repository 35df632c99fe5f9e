"""Soft light laid over a picture: a round glow (the sun, a lamp, a key light)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from cinecode.backends.sketch.style import RGB, Point


@lru_cache(maxsize=1)
def _glow_base() -> Image.Image:
    axis = (np.arange(128, dtype=np.float32) - 63.5) / 64
    d = np.sqrt(axis[None, :] ** 2 + axis[:, None] ** 2)
    return Image.fromarray((np.clip(1 - d, 0, 1) ** 2 * 255).astype(np.uint8), "L")


@lru_cache(maxsize=64)
def _glow_mask(radius: int, strength: int) -> Image.Image:
    """A soft round light, bright in the middle: an alpha mask 2·radius pixels wide."""
    mask = _glow_base().resize((2 * radius, 2 * radius), Image.Resampling.BILINEAR)
    return mask.point(lambda v: v * strength // 255) if strength < 255 else mask


def glow(image: Image.Image, centre: Point, radius: float, colour: RGB, strength: float) -> None:
    """Lay a soft light of `colour` around `centre`."""
    r = max(4, min(int(radius / 8) * 8, 2 * max(image.size)))
    mask = _glow_mask(r, min(255, max(0, round(strength * 32)) * 8))  # few sizes: cached
    image.paste(colour, (round(centre[0] - r), round(centre[1] - r)), mask)
