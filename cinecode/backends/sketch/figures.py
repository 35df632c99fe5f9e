"""The people in the frame: where each figure stands as the take stages them and how it is
emphasised (over the shoulder, out of focus, hazed by distance), its colours under the scene's
light, its shadow and key light, its name tag, what the take's meta says of it; and the people
of an overhead shot, seen from above."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter

from cinecode.backends.sketch.canvas import Canvas, Tag
from cinecode.backends.sketch.light import glow
from cinecode.backends.sketch.looks import Look, look_of
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.person import Head, Placed, draw_body
from cinecode.backends.sketch.style import PERSON, RGB, Box, hex_rgb, in_light, mix


def draw_figures(frame: Canvas, image: Image.Image) -> None:
    """The people, far to near, each with its ground shadow and name label, recorded in
    `frame.drawn`."""
    pencil = frame.pencil(image, frame.people)
    light_side = frame.people.choice((-1, 1))
    for spot in _place(frame):
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
        frame.drawn.figures.append(_drawn(frame, spot.figure.name, spot.look, head.body))
        if head.lips is not None:  # a speaker's mouth, which the animatic moves
            x0, y0, x1, y1 = head.lips
            corners = [frame.to_output(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
            xs, ys = [x for x, _ in corners], [y for _, y in corners]
            box = [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)]
            frame.mouths.append({"name": spot.figure.name, "box": box})
        height = head.chin - head.top
        side = head.side or (1 if head.cx < frame.w / 2 else -1)
        frame.tags.append(Tag(
            spot.figure.name, hex_rgb(spot.figure.color), spot.figure.role, head.cx, head.top,
            head.chin + 0.75 * height, head.mouth, head.width, side))  # fmt: skip


def _place(frame: Canvas) -> list[Placed]:
    """Where each figure stands as the take stages them, how big it is, how it is emphasised."""
    cam, rnd = frame.cam, frame.people
    figures = frame.figures
    looks = [look_of(f.name, f.look, f.wearing, f.sheet) for f in figures]
    tallest = max((look.height for look in looks), default=1.0)
    speakers = [f.depth for f in figures if f.role == "speaker"]
    front = min(speakers) if speakers else None
    close = frame.size in ("medium", "medium-close", "close", "extreme-close")
    placed = []
    for fig, look in zip(figures, looks, strict=True):
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
        if close and look.head > 1.0:
            alone = all(other.head > 1.0 for other in looks)
            feet -= _framed(frame, look, ppm, feet, 1.0 - tallest if alone else 0.0)
        placed.append(Placed(fig, look, cx, feet, ppm, facing, foreground, blur, haze))
    return sorted(placed, key=lambda p: (p.foreground, p.feet, p.cx))


def _framed(frame: Canvas, look: Look, ppm: float, feet: float, short: float) -> float:
    """How far up a child is drawn in a closer shot (pixels): children alone are framed as
    an adult would be (`short` of an adult's height lower); beside adults, the face shows."""
    lift = short * PERSON * ppm
    chin = feet - lift - ppm * PERSON * look.height * (1 - 0.23 / PERSON * look.head)
    return lift + max(0.0, chin - 0.8 * frame.h)


def _draw_person(frame: Canvas, image: Image.Image, spot: Placed, light_side: int) -> Head | None:
    """One figure: drawn straight on the frame, or on a patch that is then blurred."""
    look = spot.look
    colours = _person_colours(frame, spot, look)
    if spot.blur < 0.8:
        pencil = frame.pencil(image, frame.people)
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
    pencil = frame.pencil(patch, frame.people)
    head = draw_body(pencil, spot, look, colours, light_side, (box[0], box[1]), frame.angle)
    mask = ImageChops.difference(before, patch).convert("L").point(lambda v: 255 if v else 0)
    blur = ImageFilter.GaussianBlur(spot.blur)
    image.paste(patch.filter(blur), box[:2], mask.filter(blur))
    mx, my = head.mouth
    x0, y0, x1, y1 = head.body
    lips = head.lips and (head.lips[0] + box[0], head.lips[1] + box[1], head.lips[2] + box[0],
                          head.lips[3] + box[1])  # fmt: skip
    return Head(head.top + box[1], head.chin + box[1], head.cx + box[0], head.width,
                (mx + box[0], my + box[1]), head.side,
                (x0 + box[0], y0 + box[1], x1 + box[0], y1 + box[1]), lips)  # fmt: skip


def _drawn(frame: Canvas, name: str, look: Look, box: Box) -> dict[str, object]:
    """A figure as the take's meta reports it: its name, the box of its whole body in output
    pixels (clipped to the frame; a Dutch tilt turns it later) and its look in words."""
    return {"name": name, "box": frame.output_box(box), "look": look.summary()}


def _person_colours(frame: Canvas, spot: Placed, look: Look) -> dict[str, RGB]:
    """A figure's colours under the scene's light; its own colour stays recognisable."""
    colour = look.garment_color or hex_rgb(spot.figure.color)
    if spot.figure.role == "listener" and not spot.foreground:
        colour = mix(colour, frame.style.paper, 0.1)
    light = max(frame.env.light, 0.88) * (0.7 if spot.foreground else 1.0)
    tint = mix(frame.env.tint, (255, 255, 255), 0.7)  # people stay recognisable at night

    def wash(c: RGB) -> RGB:
        return mix(in_light(c, light, tint), frame.env.air, spot.haze)

    skin = mix(frame.style.paper, look.skin, 0.9)
    trousers = colour if look.garment_color is None else mix((70, 70, 78), colour, 0.2)
    return {
        "cloth": wash(colour),
        "shade": wash(in_light(colour, 0.74)),
        "legs": wash(mix(in_light(trousers, 0.55), (60, 60, 66), 0.35)),
        "legs_far": wash(mix(in_light(trousers, 0.45), (50, 50, 56), 0.35)),
        "skin": wash(skin),
        "skin_shade": wash(in_light(skin, 0.82)),
        "hair": wash(look.hair_color),
        "shoe": wash((44, 40, 40)),
        "beard": wash(look.beard_color or look.hair_color),
        "hat": wash(look.headwear_color),
    }


def figures_from_above(frame: Canvas, pencil: Pencil) -> None:
    """An overhead shot's people: shoulders, arms, nose and hair (or what is worn on the head)
    seen straight down; a child smaller."""
    rnd, u = frame.rnd, frame.u
    scale = frame.cam.framing.scale
    size = min(0.3 * frame.h, max(12 * u, 0.3 * scale * frame.h))
    for fig in sorted(frame.figures, key=lambda f: -f.depth):
        cx = fig.x * frame.w + rnd.uniform(-0.01, 0.01) * frame.w
        cy = frame.h * (0.42 + 0.3 * (fig.depth - 0.2) + rnd.uniform(-0.03, 0.03))
        dx, dy = {"left": (-1, 0), "right": (1, 0), "away": (0, -1)}.get(fig.facing, (0, 1))
        look = look_of(fig.name, fig.look, fig.wearing, fig.sheet)
        r = size * look.width
        colour = in_light(look.garment_color or hex_rgb(fig.color), max(frame.env.light, 0.8))
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
        if look.headwear:
            hair = look.headwear_color
        hr = r * 0.4 * look.head * (1.5 if look.headwear == "hat" else 1.0)  # a hat's brim
        pencil.ellipse((cx - hr, cy - hr, cx + hr, cy + hr), in_light(hair, frame.env.light))
        frame.tags.append(Tag(fig.name, hex_rgb(fig.color), fig.role, cx, cy - across,
                              cy + across))  # fmt: skip
        reach = max(ax, ay) + r * 0.2
        box = (cx - reach, cy - reach, cx + reach, cy + reach)
        frame.drawn.figures.append(_drawn(frame, fig.name, look, box))
