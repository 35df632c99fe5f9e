"""The paper: the picture brought to the output size, with the style's grain and vignette."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageChops

from cinecode.backends.sketch.canvas import Canvas


def finish(frame: Canvas, picture: Image.Image) -> Image.Image:
    """Bring the picture to the output size and lay the paper grain and vignette."""
    if frame.ss > 1:
        picture = picture.reduce(frame.ss)
    style = frame.style
    if style.grain <= 0 and style.vignette <= 0:
        return picture
    w, h = picture.size
    shade = _vignette(w, h, style.vignette)
    if style.grain > 0:
        noise = np.random.default_rng(frame.req.seed & 0xFFFFFFFFFFFFFFFF)
        small = noise.standard_normal(((h + 1) // 2, (w + 1) // 2), dtype=np.float32)
        grain = np.asarray(
            Image.fromarray(small, "F").resize((w, h), Image.Resampling.BILINEAR),
            dtype=np.float32,
        )
        shade = shade * (1.0 - style.grain * 0.5 + style.grain * 0.25 * grain)
    mult = Image.fromarray(np.clip(shade * 255, 0, 255).astype(np.uint8), "L")
    return ImageChops.multiply(picture, Image.merge("RGB", (mult, mult, mult)))


@lru_cache(maxsize=16)
def _vignette(width: int, height: int, strength: float) -> npt.NDArray[np.float32]:
    """1 in the middle, darker towards the corners."""
    x = np.linspace(-1, 1, width, dtype=np.float32)
    y = np.linspace(-1, 1, height, dtype=np.float32)
    d = x[None, :] ** 2 * 0.8 + y[:, None] ** 2
    return np.asarray(1 - strength * np.clip(d - 0.35, 0, None) ** 1.2, dtype=np.float32)
