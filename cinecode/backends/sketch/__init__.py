"""The sketch backend: offline storyboard frames drawn with Pillow and numpy.

`backend.SketchBackend` is the backend; `frame.draw_picture` is the picture's table of
contents. Every other module holds the steps and what they need, each importing only the
ones listed before it here:

style, shots   the hand (styles, colour arithmetic) and the shot vocabulary
pencil, light  strokes, fills and hatching; soft glows
camera         the pinhole camera framed for the shot size
references     reference images: thumbnails and palettes
icons_more,    the props as drawings (about a hundred), and the nouns that name them
  icons
words          reading the frame's words: scenery, room, props, lights, unknown nouns
canvas         the frame being drawn (`Canvas`), the state every step is a function of, the
               take's staging and what the steps drew
props          the props placed in the frame, and labelled silhouettes
looks, person  a character's look read from its description; the drawing of a body and face
figures        the people placed, emphasised and labelled in the frame
sheet          a character's cast sheet: the figure front, three-quarter and profile
blocks, skies  boxes in perspective; skies (clear, overcast, stars), beams and lightning
lands,         outdoors: the land's scenery (hills, forest, streets, roads …), the coast
  landmarks,   (sea, cliff, lighthouse, jetty, boat), balconies and rooftops, and how they
  railings,    are put together
  scenery
lantern,       indoors: the lighthouse's lamp room, the furnishing of each kind of room, and
  interiors,   the room itself
  rooms
lens, weather  depth of field and the Dutch tilt; rain, snow, wind and fog
views          the place each kind of shot shows (set, insert, overhead, blank page)
paper          output size, grain and vignette
marks          the labels as a burn-in for the animatic (cinecode.media.burnin draws them)
frame, backend the picture step by step; the backend
"""
