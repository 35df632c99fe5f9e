"""The drawing of one storyboard picture, step by step: each step a function of the frame.

The picture is drawn without text at the frame's internal size (twice the output for small
frames, so strokes stay smooth); `paper.finish` brings it to the output size and `marks` burns
the labels in. The steps share the frame's dice: their order is the picture."""

from __future__ import annotations

from PIL import Image

from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.figures import draw_figures
from cinecode.backends.sketch.lens import depth_of_field, dutch_tilt
from cinecode.backends.sketch.props import stand_props
from cinecode.backends.sketch.views import draw_blank, draw_place
from cinecode.backends.sketch.weather import draw_weather, veil_outdoors


def draw_picture(frame: Canvas) -> Image.Image:
    """The picture (no text): the place, props, people, weather and the camera's angle."""
    # 1. the paper (nothing composed: a blank page with a horizon)
    image = Image.new("RGB", (frame.w, frame.h), frame.style.paper)
    comp = frame.comp
    if comp is None:
        draw_blank(frame, image)
        return image
    # 2. the place: the set outdoors or a room; an insert's object; the floor seen from above
    draw_place(frame, image, comp)
    if frame.eye_level:  # (an insert and an overhead shot drew their subject with the place)
        # 3. props big enough to read, standing in the gaps between the people
        stand_props(frame, image, comp)
        # 4. fog swallows the distance …
        veil_outdoors(frame, image, 0.62)
        # 5. indoors, rain, snow or fog at the windows, behind the people
        if frame.setting == "int":
            draw_weather(frame, image)
        # 6. shallow depth of field: the set softens behind the people
        image = depth_of_field(frame, image)
        # 7. the people, far to near, with their shadows, key light and name tags
        draw_figures(frame, image)
        # 8. … and softens the people a little
        veil_outdoors(frame, image, 0.18)
    # 9. outdoors, rain, snow, wind or fog over everything
    if frame.setting != "int" or not frame.eye_level:
        draw_weather(frame, image)
    # 10. a Dutch angle tilts the whole picture
    return dutch_tilt(frame, image)
