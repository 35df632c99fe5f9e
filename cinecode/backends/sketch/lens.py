"""What the lens does to the drawn picture: the shallow depth of field of close shots, and
the Dutch angle that tilts the whole picture, filling the frame."""

from __future__ import annotations

import math

from PIL import Image, ImageFilter

from cinecode.backends.sketch.canvas import Canvas


def soften(image: Image.Image, radius: float) -> Image.Image:
    """Shallow depth of field: blur the background (at half size, for speed)."""
    half = image.reduce(2)
    half = half.filter(ImageFilter.GaussianBlur(radius / 2))
    return half.resize(image.size, Image.Resampling.BILINEAR)


def depth_of_field(frame: Canvas, image: Image.Image) -> Image.Image:
    """The set behind the people, softened as much as the shot size's lens blurs it."""
    blur = frame.cam.framing.blur * frame.u
    if blur < 0.6:
        return image
    return soften(image, blur)


def dutch_tilt(frame: Canvas, image: Image.Image) -> Image.Image:
    """A Dutch angle turns the picture 7–10° either way, enlarged just enough that the turned
    picture fills the frame (no corner shows, whatever the camera move)."""
    if frame.angle != "dutch":
        return image
    frame.tilt = frame.rnd.choice((-1, 1)) * frame.rnd.uniform(7.0, 10.0)
    a = math.radians(abs(frame.tilt))
    wide = max(frame.w / frame.h, frame.h / frame.w)
    frame.tilt_zoom = math.cos(a) + wide * math.sin(a)
    # output (u, v) ↦ picture: centre + R(tilt)·(u − centre) / zoom
    k, cx, cy = 1 / frame.tilt_zoom, frame.w / 2, frame.h / 2
    cos, sin = math.cos(math.radians(frame.tilt)) * k, math.sin(math.radians(frame.tilt)) * k
    data = (cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy)
    for figure in frame.drawn.figures:  # recorded untilted: turn their boxes too
        x0, y0, x1, y1 = (v * frame.ss for v in figure["box"])  # type: ignore[attr-defined]
        figure["box"] = frame.output_box((x0, y0, x1, y1))
    return image.transform(image.size, Image.Transform.AFFINE, data, Image.Resampling.BILINEAR)
