"""Typefaces for drawn frames and cards, found without a network or a system font config.

Fonts come from wheels cinecode already depends on, so every machine draws the same pixels:
sans is Bitstream Vera and serif a Times-like Type 1 face (both from `reportlab/fonts/`), mono
is Courier Prime (from `screenplain`, the screenplay face). When a wheel lacks a file the
system's DejaVu stands in, and last Pillow's own default face.
"""

from __future__ import annotations

import importlib.util
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont

from cinecode.errors import MissingPackage

Weight = Literal["regular", "bold"]
Family = Literal["sans", "serif", "mono"]
Slant = Literal["upright", "italic"]

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

# (package, path inside it) for each face, then the DejaVu file that stands in for it.
_FACES: dict[tuple[Family, Weight, Slant], tuple[tuple[str, str], str]] = {
    ("sans", "regular", "upright"): (("reportlab", "fonts/Vera.ttf"), "DejaVuSans.ttf"),
    ("sans", "bold", "upright"): (("reportlab", "fonts/VeraBd.ttf"), "DejaVuSans-Bold.ttf"),
    ("sans", "regular", "italic"): (("reportlab", "fonts/VeraIt.ttf"), "DejaVuSans-Oblique.ttf"),
    ("sans", "bold", "italic"): (("reportlab", "fonts/VeraBI.ttf"), "DejaVuSans-BoldOblique.ttf"),
    ("serif", "regular", "upright"): (("reportlab", "fonts/_er_____.pfb"), "DejaVuSerif.ttf"),
    ("serif", "bold", "upright"): (("reportlab", "fonts/_eb_____.pfb"), "DejaVuSerif-Bold.ttf"),
    ("serif", "regular", "italic"): (("reportlab", "fonts/_ei_____.pfb"), "DejaVuSerif-Italic.ttf"),
    ("serif", "bold", "italic"): (
        ("reportlab", "fonts/_ebi____.pfb"),
        "DejaVuSerif-BoldItalic.ttf",
    ),
    ("mono", "regular", "upright"): (
        ("screenplain", "export/courier_prime/Courier Prime.ttf"),
        "DejaVuSansMono.ttf",
    ),
    ("mono", "bold", "upright"): (
        ("screenplain", "export/courier_prime/Courier Prime Bold.ttf"),
        "DejaVuSansMono-Bold.ttf",
    ),
    ("mono", "regular", "italic"): (
        ("screenplain", "export/courier_prime/Courier Prime Italic.ttf"),
        "DejaVuSansMono-Oblique.ttf",
    ),
    ("mono", "bold", "italic"): (
        ("screenplain", "export/courier_prime/Courier Prime Bold Italic.ttf"),
        "DejaVuSansMono-BoldOblique.ttf",
    ),
}


def _package_dir(package: str) -> Path | None:
    """Where an installed package lives, without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def font_path(
    *, weight: Weight = "regular", family: Family = "sans", slant: Slant = "upright"
) -> Path | None:
    """The font file `font()` uses for this face, or None when only Pillow's default is left."""
    (package, inner), dejavu = _FACES[(family, weight, slant)]
    root = _package_dir(package)
    candidates = [root / inner] if root is not None else []
    candidates.append(_DEJAVU / dejavu)
    return next((path for path in candidates if path.is_file()), None)


@lru_cache(maxsize=256)
def font(
    size: int,
    *,
    weight: Weight = "regular",
    family: Family = "sans",
    slant: Slant = "upright",
) -> ImageFont.FreeTypeFont:
    """A FreeType font of `size` pixels (em height), cached; the same face on every machine."""
    size = max(1, int(size))
    path = font_path(weight=weight, family=family, slant=slant)
    if path is not None:
        return ImageFont.truetype(str(path), size)
    default = ImageFont.load_default(size)
    if isinstance(default, ImageFont.FreeTypeFont):
        return default
    raise MissingPackage(
        "Pillow was built without FreeType, so no text can be drawn",
        hint="reinstall Pillow from its wheel: pip install --force-reinstall pillow",
    )


def text_width(face: ImageFont.FreeTypeFont, text: str) -> float:
    """How wide `text` is when drawn in `face`, in pixels."""
    return float(face.getlength(text))


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float, *, max_lines: int = 3) -> list[str]:
    """Break `text` into lines no wider than `width`; a cut last line ends in an ellipsis."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}" if current else word
        if text_width(face, trial) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    lines = [_fit(line, face, width) for line in lines]
    if len(lines) <= max_lines:
        return lines
    kept = lines[: max(1, max_lines)]
    kept[-1] = _fit(kept[-1], face, width, cut=True)
    return kept


def _fit(text: str, face: ImageFont.FreeTypeFont, width: float, *, cut: bool = False) -> str:
    """`text` as it is when it fits and was not cut, else shortened to end in an ellipsis."""
    if not cut and text_width(face, text) <= width:
        return text
    words = text.split(" ")
    while len(words) > 1 and text_width(face, _ellipsis(" ".join(words))) > width:
        words.pop()
    base = " ".join(words)
    while base and text_width(face, _ellipsis(base)) > width:
        base = base[:-1]
    return _ellipsis(base)


def _ellipsis(text: str) -> str:
    return text.rstrip(_TRAILING) + "…"


_TRAILING = " ,;:.—-"


__all__ = ["Family", "Slant", "Weight", "font", "font_path", "text_width", "wrap"]
