"""The sketch backend: offline storyboard frames drawn with Pillow and numpy.

`backend.SketchBackend` is the backend; `frame.draw_picture` is the picture's table of
contents. Every other module holds the steps and what they need, each importing only the
ones listed before it here:

style, shots   the hand (styles, colour arithmetic) and the shot vocabulary
pencil, light  strokes, fills and hatching; soft glows
camera         the pinhole camera framed for the shot size
references     reference images: thumbnails and palettes
canvas         the frame being drawn (`Canvas`), the state every step is a function of
icons, props   the props as drawings, and props placed in the frame
person         a character's look and the drawing of a body and face
figures        the people placed, emphasised and labelled in the frame
scenery, rooms outdoors and indoors
lens, weather  depth of field and the Dutch tilt; rain, snow, wind and fog
views          the place each kind of shot shows (set, insert, overhead, blank page)
paper          output size, grain and vignette
arrows, marks  the camera move in red pencil; labels and caption burned in
frame, backend the picture step by step; the backend
"""
