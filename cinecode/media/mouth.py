"""A speaking character's mouth in the animatic: closed, half open or open, frame by frame,
as loud as the line's voice is.

The storyboard draws a speaker with an open mouth and says where (a keyframe's meta:
`mouths`, a box in its pixels). From that still a handful of pictures are drawn once: every
mouth closed, and each mouth half open or open with the others closed (`pictures`). Each frame
of the segment then shows one of them (`track`): the RMS of the voice under that frame, against
the line's loudest frame, with hysteresis so a mouth does not flutter on one threshold. No
frame is drawn pixel by pixel: the camera move resamples whichever picture the frame shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

Box = tuple[float, float, float, float]

#: mouth shapes
CLOSED, HALF, OPEN = 0, 1, 2
#: a frame opens the mouth half / fully above these levels (dB under the line's loudest
#: frame); it closes again only this far under them (hysteresis)
HALF_DB, OPEN_DB, HYSTERESIS_DB = -24.0, -9.0, 4.0
#: under this level (dBFS) a frame is silence, however quiet the line
FLOOR_DB = -50.0
#: the drawn mouth is supersampled this many times, so its edges stay soft
SUPERSAMPLE = 4


@dataclass(frozen=True)
class Speech:
    """A line spoken on screen: which mouth moves, its voice, where the line starts
    (seconds from the segment's first frame)."""

    mouth: int
    voice: Path
    start: float


def boxes_of(meta: Mapping[str, Any]) -> tuple[dict[str, Box], bool]:
    """The open mouths of a keyframe, by speaker name, and whether they are `estimated`.

    Where the keyframe has a burn-in (every sketch keyframe but those drawn with
    `overlay = "none"`, and every one drawn before keyframes reported their mouths), its
    speaker tags place them, so a keyframe from an older store moves its mouth exactly as a
    new one (the same segment key, the same bytes); otherwise the meta's `mouths` (where the
    sketch drew them) do."""
    guessed = estimated(meta)
    if guessed:
        return guessed, True
    out: dict[str, Box] = {}
    for entry in meta.get("mouths") or []:
        box = entry.get("box") if isinstance(entry, Mapping) else None
        if box and len(box) == 4 and str(entry.get("name", "")) not in out:
            x0, y0, x1, y1 = (float(v) for v in box)
            if x1 > x0 and y1 > y0:
                out[str(entry["name"])] = (x0, y0, x1, y1)
    return out, False


def estimated(meta: Mapping[str, Any]) -> dict[str, Box]:
    """Speakers' open mouths as the sketch draws them (cinecode.backends.sketch.person:
    `_lips`), from the burn-in's tags: the mouth's point, the head's width (2 rx) and its
    height (the chin lies 0.38 ry under the mouth, the tag's chest 0.75 of the head's height
    under the chin); how far the mouth is from the head's middle says how it is turned."""
    burnin = meta.get("burnin")
    width, height = float(meta.get("width", 0)), float(meta.get("height", 0))
    if not isinstance(burnin, Mapping) or not width or not height:
        return {}
    out: dict[str, Box] = {}
    for tag in burnin.get("tags") or []:
        mouth = tag.get("mouth")
        if tag.get("role") != "speaker" or not mouth or str(tag.get("name")) in out:
            continue
        rx = float(tag.get("head", 0.0)) * width / 2
        mx, my, hx = float(mouth[0]) * width, float(mouth[1]) * height, float(tag["x"]) * width
        top, chest = float(tag["top"]) * height, float(tag["chest"]) * height
        ry = (top + (chest - top) / 1.75 - my) / 0.38
        if rx <= 0 or ry <= 0:
            continue
        turn = abs(mx - hx) / rx  # 0 facing us, 0.3 three-quarters, 0.8 in profile
        if turn < 0.55:  # 0.2 rx either side (three-quarters: 0.72 of it), 0.54 … 0.74 ry down
            half = 0.2 * rx * (1.0 if turn < 0.15 else 0.72)
            box = (mx - half, my - 0.08 * ry, mx + half, my + 0.12 * ry)
        else:  # in profile: 0.62 … 0.9 rx forward, 0.54 … 0.72 ry down
            m = 1.0 if mx > hx else -1.0
            xs = (mx - m * 0.18 * rx, mx + m * 0.1 * rx)
            box = (min(xs), my - 0.08 * ry, max(xs), my + 0.1 * ry)
        out[str(tag["name"])] = box
    return out


def _around(still: Image.Image, box: Box) -> tuple[int, int, int, int] | None:
    """The mouth's box with a margin of face around it, inside the still (None: outside)."""
    x0, y0, x1, y1 = box
    pad = max(3.0, 0.8 * max(x1 - x0, y1 - y0) / 2)
    area = (
        max(0, int(np.floor(x0 - pad))),
        max(0, int(np.floor(y0 - pad))),
        min(still.width, int(np.ceil(x1 + pad))),
        min(still.height, int(np.ceil(y1 + pad))),
    )
    return area if area[2] > area[0] and area[3] > area[1] else None


def drawn(still: Image.Image, box: Box) -> bool:
    """Whether an open mouth is drawn in `box` of the still: darker and redder than the face
    around it (a face turned away or too small to have features has none)."""
    x0, y0, x1, y1 = box
    rw, rh = (x1 - x0) / 2, (y1 - y0) / 2
    area = _around(still, box)
    if area is None:
        return False
    skin, inside = _colours(still, area, ((x0 + x1) / 2, (y0 + y1) / 2, rw, rh))
    return sum(inside) < 0.8 * sum(skin) and inside[0] > inside[1] + 12


def levels(
    mono: npt.NDArray[Any], rate: int, *, fps: int, start: float, first: int, count: int
) -> list[float]:
    """A voice's RMS (dBFS) under frames first … first+count−1 of a segment whose line starts
    at `start` seconds there (frames off the line: silence)."""
    out: list[float] = []
    for i in range(count):  # frames, not pixels: a few hundred at most
        t0 = (first + i) / fps - start
        a = max(round(t0 * rate), 0)
        b = min(round((t0 + 1.0 / fps) * rate), mono.size)
        rms = float(np.sqrt(np.mean(np.square(mono[a:b], dtype=np.float64)))) if b > a else 0.0
        out.append(20.0 * float(np.log10(max(rms, 1e-6))))
    return out


def shapes(db: Sequence[float], *, loudest: float) -> list[int]:
    """The mouth shape of each frame from its level (see HALF_DB, OPEN_DB, HYSTERESIS_DB)."""
    half, full = loudest + HALF_DB, loudest + OPEN_DB
    shape = CLOSED
    out: list[int] = []
    for level in db:
        # up on a threshold, down only a few dB under it
        stay_open = shape == OPEN and level >= full - HYSTERESIS_DB
        stay_half = shape != CLOSED and level >= half - HYSTERESIS_DB
        if level < FLOOR_DB:
            shape = CLOSED
        elif level >= full or stay_open:
            shape = OPEN
        elif level >= half or stay_half:
            shape = HALF
        else:
            shape = CLOSED
        out.append(shape)
    return out


def track(speech: Sequence[Speech], *, fps: int, first: int, count: int) -> list[int]:
    """Which picture (see `pictures`) each frame first … first+count−1 shows: 0 every mouth
    closed, 1 + 2·m mouth m half open, 2 + 2·m mouth m open (overlapping lines: the widest)."""
    from cinecode.media.audio import audio_rate, read_audio

    out = [0] * count
    widest = [CLOSED] * count
    for line in speech:
        data = read_audio(line.voice)
        mono = data.mean(axis=0) if data.size else np.zeros(0, dtype=np.float32)
        rate = audio_rate(line.voice)
        whole = levels(mono, rate, fps=fps, start=0.0, first=0, count=int(mono.size * fps / rate))
        loudest = max(whole, default=FLOOR_DB)
        db = levels(mono, rate, fps=fps, start=line.start, first=first, count=count)
        for i, shape in enumerate(shapes(db, loudest=loudest)):
            if shape > widest[i]:
                widest[i] = shape
                out[i] = 2 * line.mouth + shape
    return out


def pictures(still: Image.Image, boxes: Sequence[Box], *, check: bool = False) -> list[Image.Image]:
    """The still with every mouth closed, then for each mouth: half open, open (the still's
    own drawing), the others closed. RGB, the still's size. `check`: the boxes are
    `estimated`, and a mouth the still does not show open (`drawn`) is left as it is."""
    shown = [not check or drawn(still, box) for box in boxes]
    closed = still.copy()
    for box, ok in zip(boxes, shown, strict=True):
        if ok:
            _draw(closed, still, box, CLOSED)
    out = [closed]
    for box, ok in zip(boxes, shown, strict=True):
        for shape in (HALF, OPEN):
            picture = closed.copy()
            if ok:
                _draw(picture, still, box, shape)
            out.append(picture)
    return out


def _draw(target: Image.Image, still: Image.Image, box: Box, shape: int) -> None:
    """Draw one mouth in `shape` over `target`: the open mouth painted over with the face
    around it (blended from just above it to just below it, so shading carries across), then
    a line (closed) or a flatter opening in the open mouth's colour (half open)."""
    x0, y0, x1, y1 = box
    rw, rh = (x1 - x0) / 2, (y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    area = _around(still, box)
    if area is None:
        return
    if shape == OPEN:
        target.paste(still.crop(area), area[:2])
        return
    _, inside = _colours(still, area, (cx, cy, rw, rh))
    size = (area[2] - area[0], area[3] - area[1])
    k = SUPERSAMPLE
    px, py = (cx - area[0]) * k, (cy - area[1]) * k
    # 1. the face over the open mouth, its edge feathered past the drawn edge's soft pixels
    mask = Image.new("L", (size[0] * k, size[1] * k), 0)
    gx, gy = (rw + 3.0) * k, (rh + 3.0) * k
    ImageDraw.Draw(mask).ellipse((px - gx, py - gy, px + gx, py + gy), fill=255)
    mask = mask.resize(size, Image.Resampling.BOX).filter(ImageFilter.GaussianBlur(0.7))
    patch = target.crop(area)
    patch.paste(_face(still, area, box), (0, 0), mask)
    # 2. the shape, drawn big and laid over smoothly
    ink = Image.new("RGBA", mask.size if k == 1 else (size[0] * k, size[1] * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(ink)
    if shape == HALF:
        draw.ellipse((px - rw * 0.9 * k, py - rh * 0.45 * k, px + rw * 0.9 * k,
                      py + rh * 0.45 * k), fill=(*inside, 255))  # fmt: skip
    else:
        dark = (int(inside[0] * 0.5), int(inside[1] * 0.5), int(inside[2] * 0.5), 255)
        width = max(1, round(max(0.7, rh * 0.16) * k))
        sag = rh * 0.12 * k  # the corners a touch higher than the middle
        draw.line([(px - rw * 0.95 * k, py - sag), (px, py), (px + rw * 0.95 * k, py - sag)],
                  fill=dark, width=width, joint="curve")  # fmt: skip
    patch = patch.convert("RGBA")
    patch.alpha_composite(ink.resize(size, Image.Resampling.BOX))
    target.paste(patch.convert("RGB"), area[:2])


def _face(still: Image.Image, area: tuple[int, int, int, int], box: Box) -> Image.Image:
    """The still's `area` with the rows across the mouth blended, column by column, from the
    face just above the mouth to the face just below it."""
    a = np.asarray(still.crop(area), dtype=np.float32)
    rows = a.shape[0]
    top = min(max(int(np.floor(box[1] - 1.5)) - area[1], 1), rows - 1)
    bottom = max(min(int(np.ceil(box[3] + 1.5)) - area[1], rows - 2), top)
    above, below = a[top - 1 : top + 1].mean(axis=0), a[bottom : bottom + 2].mean(axis=0)
    t = np.clip((np.arange(rows) - top) / max(bottom - top, 1), 0.0, 1.0)[:, None, None]
    blend = above[None] * (1.0 - t) + below[None] * t
    return Image.fromarray(np.clip(np.rint(blend), 0, 255).astype(np.uint8), "RGB")


def _colours(
    still: Image.Image, area: tuple[int, int, int, int], mouth: tuple[float, float, float, float]
) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The face around a mouth (median of a ring outside it) and its inside (the median of
    its middle)."""
    cx, cy, rw, rh = mouth
    a = np.asarray(still.crop(area), dtype=np.float32)
    ys, xs = np.mgrid[area[1] : area[3], area[0] : area[2]]
    d = ((xs + 0.5 - cx) / max(rw, 0.5)) ** 2 + ((ys + 0.5 - cy) / max(rh, 0.5)) ** 2
    ring, middle = a[d > 2.2], a[d < 0.35]
    if not ring.size:
        ring = a.reshape(-1, 3)
    if not middle.size:
        middle = a.reshape(-1, 3)
    skin = np.median(ring, axis=0)
    inside = np.median(middle, axis=0)
    return (
        (int(skin[0]), int(skin[1]), int(skin[2])),
        (int(inside[0]), int(inside[1]), int(inside[2])),
    )
