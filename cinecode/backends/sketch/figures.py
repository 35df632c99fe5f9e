"""The people in the frame: where each figure stands and how it is emphasised (over the
shoulder, out of focus, hazed by distance), its colours under the scene's light, its shadow
and key light, its name tag; and the people of an overhead shot, seen from above."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageChops, ImageFilter

from cinecode.backends.protocols import Composition, Figure
from cinecode.backends.sketch.canvas import Canvas, Tag
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.person import Head, Look, Placed, draw_body, look_of
from cinecode.backends.sketch.style import RGB, hex_rgb, in_light, mix


def draw_figures(frame: Canvas, image: Image.Image, comp: Composition) -> None:
    """The people, far to near, each with its ground shadow and name label."""
    pencil = frame.pencil(image)
    light_side = frame.rnd.choice((-1, 1))
    for spot in _place(frame, comp.figures):
        if frame.size in ("extreme-wide", "wide", "full"):  # a shadow on the ground
            r = 0.35 * spot.ppm
            sx = spot.cx - light_side * r * 0.6
            pencil.draw.ellipse((sx - r * 1.3, spot.feet - r * 0.22, sx + r * 1.3,
                                 spot.feet + r * 0.22), fill=(20, 18, 24, 70))  # fmt: skip
        if spot.figure.role == "speaker" and frame.size != "extreme-wide":  # key light
            y = spot.head_top + spot.head_height
            glow(image, (spot.cx, y), min(spot.ppm * 0.9, 0.8 * frame.h), (255, 250, 236),
                 0.2 * frame.env.light)  # fmt: skip
        head = _draw_person(frame, image, spot, light_side)
        if head is None:
            continue
        height = head.chin - head.top
        side = head.side or (1 if head.cx < frame.w / 2 else -1)
        frame.tags.append(Tag(
            spot.figure.name, hex_rgb(spot.figure.color), spot.figure.role, head.cx, head.top,
            head.chin + 0.75 * height, head.mouth, head.width, side))  # fmt: skip


def _place(frame: Canvas, figures: Sequence[Figure]) -> list[Placed]:
    """Where each figure stands, how big it is, and how it is emphasised."""
    cam, rnd = frame.cam, frame.rnd
    speakers = [f.depth for f in figures if f.role == "speaker"]
    front = min(speakers) if speakers else None
    close = frame.size in ("medium", "medium-close", "close", "extreme-close")
    placed = []
    for fig in figures:
        depth = max(-0.6, min(1.5, fig.depth))
        facing = fig.facing
        foreground = (
            close
            and fig.role == "listener"
            and front is not None
            and (fig.facing == "away" or depth < front - 0.05)
        )
        cx = fig.x * frame.w + rnd.uniform(-0.012, 0.012) * frame.w
        if foreground:  # over the shoulder: nearer, from behind, towards its edge
            z = cam.d0 * 0.72
            facing = "away"
            cx += (-1 if fig.x < 0.5 else 1) * 0.08 * frame.w
        elif depth >= 0:
            z = cam.d0 * (1 + depth * cam.framing.reach)
        else:
            z = cam.d0 * max(0.45, 1 + depth * 0.5)
        z = min(z, frame.env.back - 0.6) if frame.env.back > cam.d0 + 0.6 else z
        ppm = cam.lens / z
        feet = cam.ground(z) + (0.1 * frame.h if foreground else 0.0)
        blur = 0.0
        if foreground:
            blur = 4.0 * frame.u * (1 + cam.framing.blur / 4)
        elif fig.role == "listener":
            blur = 1.5 * frame.u
        if depth > 0.05 and cam.framing.blur > 0:
            blur += cam.framing.blur * depth * frame.u
        haze = min(0.3, max(0.0, depth) * 0.18) if not close else 0.0
        placed.append(Placed(fig, cx, feet, ppm, facing, foreground, blur, haze))
    return sorted(placed, key=lambda p: (p.foreground, p.feet, p.cx))


def _draw_person(frame: Canvas, image: Image.Image, spot: Placed, light_side: int) -> Head | None:
    """One figure: drawn straight on the frame, or on a patch that is then blurred."""
    look = look_of(spot.figure.name)
    colours = _person_colours(frame, spot, look)
    if spot.blur < 0.8:
        pencil = frame.pencil(image)
        return draw_body(pencil, spot, look, colours, light_side, (0, 0), frame.angle)
    ppm = spot.ppm
    half = 0.5 * ppm * look.build + 4
    pad = 2 * spot.blur
    box = (
        max(0, int(spot.cx - half - pad)),
        max(0, int(spot.head_top - 0.3 * ppm - pad)),
        min(frame.w, int(spot.cx + half + pad) + 1),
        min(frame.h, int(spot.feet + 0.1 * ppm + pad) + 1),
    )
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    before = image.crop(box)
    patch = before.copy()
    pencil = frame.pencil(patch)
    head = draw_body(pencil, spot, look, colours, light_side, (box[0], box[1]), frame.angle)
    mask = ImageChops.difference(before, patch).convert("L").point(lambda v: 255 if v else 0)
    blur = ImageFilter.GaussianBlur(spot.blur)
    image.paste(patch.filter(blur), box[:2], mask.filter(blur))
    mx, my = head.mouth
    return Head(head.top + box[1], head.chin + box[1], head.cx + box[0], head.width,
                (mx + box[0], my + box[1]), head.side)  # fmt: skip


def _person_colours(frame: Canvas, spot: Placed, look: Look) -> dict[str, RGB]:
    """A figure's colours under the scene's light; its own colour stays recognisable."""
    colour = hex_rgb(spot.figure.color)
    if spot.figure.role == "listener" and not spot.foreground:
        colour = mix(colour, frame.style.paper, 0.1)
    light = max(frame.env.light, 0.88) * (0.7 if spot.foreground else 1.0)
    tint = mix(frame.env.tint, (255, 255, 255), 0.7)  # people stay recognisable at night

    def wash(c: RGB) -> RGB:
        return mix(in_light(c, light, tint), frame.env.air, spot.haze)

    skin = mix(frame.style.paper, look.skin, 0.9)
    return {
        "cloth": wash(colour),
        "shade": wash(in_light(colour, 0.74)),
        "legs": wash(mix(in_light(colour, 0.55), (60, 60, 66), 0.35)),
        "legs_far": wash(mix(in_light(colour, 0.45), (50, 50, 56), 0.35)),
        "skin": wash(skin),
        "skin_shade": wash(in_light(skin, 0.82)),
        "hair": wash(look.hair_color),
        "shoe": wash((44, 40, 40)),
    }


def figures_from_above(frame: Canvas, pencil: Pencil, comp: Composition) -> None:
    """An overhead shot's people: shoulders, arms, nose and hair seen straight down."""
    rnd, u = frame.rnd, frame.u
    scale = frame.cam.framing.scale
    r = min(0.3 * frame.h, max(12 * u, 0.3 * scale * frame.h))
    for fig in sorted(comp.figures, key=lambda f: -f.depth):
        cx = fig.x * frame.w + rnd.uniform(-0.01, 0.01) * frame.w
        cy = frame.h * (0.42 + 0.3 * (fig.depth - 0.2) + rnd.uniform(-0.03, 0.03))
        dx, dy = {"left": (-1, 0), "right": (1, 0), "away": (0, -1)}.get(fig.facing, (0, 1))
        look = look_of(fig.name)
        colour = in_light(hex_rgb(fig.color), max(frame.env.light, 0.8))
        across, along = r * look.build, r * 0.42
        ax, ay = (along, across) if dx else (across, along)
        pencil.draw.ellipse((cx - ax + r * 0.25, cy - ay + r * 0.3, cx + ax + r * 0.25,
                             cy + ay + r * 0.3), fill=(20, 20, 20, 60))  # fmt: skip
        for side in (-1, 1):  # arms at the ends of the shoulders, reaching forward
            hx = cx + (0 if dx else side * (ax - r * 0.12)) + dx * r * 0.15
            hy = cy + (side * (ay - r * 0.12) if dx else 0) + dy * r * 0.15
            pencil.ellipse((hx - r * 0.2, hy - r * 0.2, hx + r * 0.2, hy + r * 0.2),
                           in_light(colour, 0.75), weight=0.6)  # fmt: skip
        pencil.ellipse((cx - ax, cy - ay, cx + ax, cy + ay), colour)
        skin = mix(frame.style.paper, look.skin, 0.9)
        nx, ny = cx + dx * r * 0.42, cy + dy * r * 0.42
        pencil.ellipse((nx - r * 0.1, ny - r * 0.1, nx + r * 0.1, ny + r * 0.1), skin,
                       weight=0.5)  # fmt: skip
        hair = look.hair_color if look.hair != "bald" else look.skin
        hr = r * 0.4
        pencil.ellipse((cx - hr, cy - hr, cx + hr, cy + hr), in_light(hair, frame.env.light))
        frame.tags.append(Tag(fig.name, hex_rgb(fig.color), fig.role, cx, cy - across,
                              cy + across))  # fmt: skip
