"""Reference images: a thumbnail for the frame's corner and dominant colours for an empty
palette."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from cinecode.backends.protocols import Composition
from cinecode.backends.sketch.style import RGB
from cinecode.errors import BackendError


@dataclass(frozen=True)
class Reference:
    path: Path
    thumb: Image.Image
    colours: tuple[RGB, ...]  # dominant first


def read_reference(path: Path, *, backend: str) -> Reference:
    """A reference image's thumbnail and dominant colours."""
    try:
        with Image.open(path) as source:
            image = source.convert("RGB")
    except (OSError, UnidentifiedImageError) as exc:
        raise BackendError(
            f"cannot read reference image {path}",
            backend=backend,
            hint="check that the reference exists and is a PNG or JPEG",
        ) from exc
    image.thumbnail((160, 160), Image.Resampling.BILINEAR)
    small = image.resize((32, 32), Image.Resampling.BILINEAR)
    quant = small.quantize(colors=6, method=Image.Quantize.MEDIANCUT)
    palette = quant.getpalette() or []
    counts: list[tuple[int, int]] = [
        (int(n), int(index)) for n, index in quant.getcolors() or [] if isinstance(index, int)
    ]
    colours = tuple(
        (palette[3 * index], palette[3 * index + 1], palette[3 * index + 2])
        for _, index in sorted(counts, key=lambda item: (-item[0], item[1]))
        if 3 * index + 2 < len(palette)
    )
    return Reference(path, image, colours)


def with_reference_palette(comp: Composition, refs: Sequence[Reference]) -> Composition:
    """The composition with a palette sampled from references that are not of its people."""
    people = {figure.name.strip().lower() for figure in comp.figures}
    places = [ref for ref in refs if ref.path.stem.strip().lower() not in people] or list(refs)
    colours = [colour for ref in places for colour in ref.colours]
    # prefer colours with some saturation; keep the order of dominance
    vivid = [c for c in colours if max(c) - min(c) > 24] + [
        c for c in colours if max(c) - min(c) <= 24
    ]
    palette = tuple("#{:02x}{:02x}{:02x}".format(*c) for c in vivid[:3])
    return Composition(**{**comp.__dict__, "palette": palette})
