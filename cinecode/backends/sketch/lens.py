"""What the lens does to the drawn picture: the shallow depth of field of close shots, and
the Dutch angle that tilts the whole picture in its panel."""

from __future__ import annotations

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
    """A Dutch angle turns the picture 7–10° either way, its edges drawn like a panel's."""
    if frame.angle != "dutch":
        return image
    frame.tilt = frame.rnd.choice((-1, 1)) * frame.rnd.uniform(7.0, 10.0)
    image = image.rotate(
        frame.tilt,
        resample=Image.Resampling.BILINEAR,
        fillcolor=frame.style.paper,
    )
    _frame_edges(frame, image)
    return image


def _frame_edges(frame: Canvas, image: Image.Image) -> None:
    """The tilted picture's edges, drawn like the border of a rotated panel."""
    pencil = frame.pencil(image)
    corners = [(0, 0), (frame.w, 0), (frame.w, frame.h), (0, frame.h)]
    pencil.line([frame.tilted(x, y) for x, y in corners], weight=1.4, closed=True)
