"""The frame being drawn: its sizes, the shot read from the composition, the camera, and what
each drawing step leaves for the later ones (the light, the air, window panes, name tags).

Every drawing step is a function of a `Canvas`; the canvas itself draws nothing."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from PIL import Image

from cinecode.backends.protocols import Composition, Figure, ImageRequest
from cinecode.backends.sketch.camera import camera_for
from cinecode.backends.sketch.pencil import Pencil
from cinecode.backends.sketch.shots import norm_angle, norm_setting, norm_size, norm_time
from cinecode.backends.sketch.style import RGB, Box, Point, Style, hex_rgb, in_light, mix
from cinecode.backends.sketch.words import Reading, read


@dataclass
class Tag:
    """A name label to draw over the finished frame (picture pixels)."""

    name: str
    color: RGB
    role: str  # speaker | listener | present | prop
    x: float
    above: float  # the top of the head: a label goes above it when there is room
    below: float  # the chest: where a label goes when there is no room above
    mouth: Point | None = None  # where speech marks start (speakers)
    head: float = 0.0  # head width
    side: int = 1  # which way the speech marks point


@dataclass
class Env:
    """What the environment drawing leaves behind for later steps."""

    air: RGB = (200, 200, 200)  # the colour of distance (haze)
    light: float = 1.0
    tint: RGB = (255, 255, 255)
    windows: list[Box] = field(default_factory=list)  # window panes (weather shows there)
    back: float = math.inf  # distance to the back wall of a room, metres
    sky: tuple[RGB, RGB] = ((98, 150, 214), (205, 225, 240))  # top and horizon, as drawn


_FLIPPED: dict[str, Literal["left", "right", "camera", "away"]] = {
    "left": "right", "right": "left", "camera": "camera", "away": "away",
}  # fmt: skip


@dataclass(frozen=True)
class Staging:
    """A take's staging, drawn from its seed: where the camera stands and how the people
    are arranged, within the shot's size and subjects (four takes, four choices)."""

    mirror: bool = False  # the people swap sides (x → 1 − x)
    shift: float = 0.0  # the group moves by this fraction of the frame width
    spread: float = 1.0  # the gaps between people scale by this
    stagger: float = 0.0  # 0 … 0.6: how much nearer the first person stands than the others
    height: str = "eye"  # the camera's height: eye | low | high (an angle the shot names wins)
    lens: float = 1.0  # focal length factor: < 1 wider (more set), > 1 longer (flatter)
    aim: float = 0.0  # where the camera looks across, fraction of the frame width

    @staticmethod
    def of(seed: int) -> Staging:
        """The staging of the take drawn with `seed`; its own dice, so the picture's others
        are untouched."""
        rnd = random.Random(seed * 7919 + 17)
        return Staging(
            mirror=rnd.random() < 0.5,
            shift=rnd.choice((-1, 1)) * rnd.uniform(0.02, 0.12),
            spread=rnd.uniform(0.8, 1.25),
            stagger=rnd.choice((0.0, rnd.uniform(0.15, 0.6))),
            height=rnd.choice(("eye", "eye", "low", "high")),
            lens=rnd.choice((rnd.uniform(0.8, 0.92), 1.0, rnd.uniform(1.1, 1.3))),
            aim=rnd.uniform(-0.1, 0.1),
        )

    def stage(self, figures: Sequence[Figure]) -> list[Figure]:
        """The figures as this take stages them: 1. mirrored (sides and facings swap)
        2. spread about the group's middle  3. shifted  4. the first one nearer; all inside
        the frame."""
        staged = list(figures)
        if self.mirror:
            staged = [replace(f, x=1 - f.x, facing=_FLIPPED[f.facing]) for f in staged]
        if self.spread != 1.0 and len(staged) > 1:
            middle = sum(f.x for f in staged) / len(staged)
            staged = [replace(f, x=middle + (f.x - middle) * self.spread) for f in staged]
        staged = [replace(f, x=min(0.92, max(0.08, f.x + self.shift))) for f in staged]
        if self.stagger and len(staged) > 1:
            first = staged[0]
            staged[0] = replace(first, depth=max(-0.6, first.depth - self.stagger))
        return staged

    def summary(self) -> dict[str, object]:
        return {
            "mirror": self.mirror,
            "shift": round(self.shift, 3),
            "spread": round(self.spread, 3),
            "stagger": round(self.stagger, 3),
            "height": self.height,
            "lens": round(self.lens, 3),
            "aim": round(self.aim, 3),
        }


@dataclass
class Drawn:
    """What the frame shows, as the steps drew it: the backend reports it in the take's meta."""

    scenery: list[str] = field(default_factory=list)  # scenery tags, or the room's kind
    props: list[str] = field(default_factory=list)  # icons drawn (props and set dressing)
    silhouettes: list[str] = field(default_factory=list)  # unknown nouns, drawn labelled
    figures: list[dict[str, object]] = field(default_factory=list)  # name, box, look
    weather: str = ""  # what falls or blows in the frame ("" when clear)
    sky: str = ""  # clear | overcast | stars | "" (no sky in frame)
    lights: list[str] = field(default_factory=list)  # beam, lightning, flame, lamplight…

    def add(self, kind: str, name: str) -> None:
        """Record that `name` was drawn as `kind` (scenery, props, silhouettes, lights)."""
        items: list[str] = getattr(self, kind)
        if name not in items:
            items.append(name)


class Canvas:
    """One storyboard frame being drawn: picture at an internal size, overlays at the output."""

    def __init__(self, req: ImageRequest, comp: Composition | None, style: Style) -> None:
        self.req = req
        self.comp = comp
        self.style = style
        self.ss = 2 if req.height < 400 else 1  # small frames are drawn twice as big
        self.w, self.h = req.width * self.ss, req.height * self.ss
        self.u = self.h / 720
        self.rnd = random.Random(req.seed)
        self.people = random.Random(req.seed * 7907 + 3)  # their own dice: the sky or the
        # weather drawn before them never changes a pose
        self.size = norm_size(comp.size) if comp else "wide"
        self.angle = norm_angle(comp.angle) if comp else "eye"
        self.setting = norm_setting(comp.setting) if comp else "int"
        self.time = norm_time(comp.time_of_day) if comp else "day"
        self.weather = comp.weather.strip().lower() if comp else ""
        self.staging = Staging.of(req.seed)
        stage = self.staging
        self.cam = camera_for(self.w, self.h, self.size, self.angle, self.rnd, lens=stage.lens,
                              height_of=stage.height, aim=stage.aim)  # fmt: skip
        self.env = Env()
        self.read: Reading = read(comp)  # what the words name
        self.drawn = Drawn()  # what the steps drew
        self.tags: list[Tag] = []
        self.prop_tags: list[Tag] = []
        self.mouths: list[dict[str, object]] = []  # speakers' open mouths (output pixels)
        self.tilt = 0.0  # the Dutch angle's turn, degrees
        self.tilt_zoom = 1.0  # how much the turned picture is enlarged to fill the frame

    @property
    def figures(self) -> list[Figure]:
        """The composition's people where this take stages them."""
        return self.staging.stage(self.comp.figures) if self.comp else []

    @property
    def eye_level(self) -> bool:
        """A set seen from eye level (not an insert, not straight down): props and people
        are drawn into it one by one."""
        return self.size != "insert" and self.angle != "overhead"

    def pencil(self, image: Image.Image, rnd: random.Random | None = None) -> Pencil:
        """A pencil on `image`, in this frame's hand (its strokes draw on this frame's dice,
        or on `rnd`)."""
        return Pencil(image, rnd or self.rnd, self.u, self.style)

    def wash(self, color: RGB) -> RGB:
        """A marker colour as it lands on the paper, under the scene's light."""
        return in_light(
            mix(self.style.paper, color, self.style.wash), self.env.light, self.env.tint
        )

    def palette(self, comp: Composition, index: int, material: RGB) -> RGB:
        """`material` (a wall, the ground…) tinted by the palette's colour `index`: its hue
        comes through, its lightness stays the material's (time of day sets the light)."""
        palette = comp.palette
        if not palette:
            return material
        amount = 0.55 if len(palette) > index else 0.3
        colour = hex_rgb(palette[min(index, len(palette) - 1)], material)
        mean = max(8.0, sum(colour) / 3)
        level = sum(material) / 3
        hue = (
            min(255, round(level * colour[0] / mean)),
            min(255, round(level * colour[1] / mean)),
            min(255, round(level * colour[2] / mean)),
        )
        return mix(material, hue, amount)

    def foggy(self) -> bool:
        return "fog" in self.weather or "mist" in self.weather

    def tilted(self, x: float, y: float) -> Point:
        """A picture point where the Dutch tilt turns and enlarges it (about the middle)."""
        cx, cy = self.w / 2, self.h / 2
        a, k = math.radians(-self.tilt), self.tilt_zoom
        return (
            cx + k * ((x - cx) * math.cos(a) - (y - cy) * math.sin(a)),
            cy + k * ((x - cx) * math.sin(a) + (y - cy) * math.cos(a)),
        )

    def output_box(self, box: Box) -> list[int]:
        """A picture box as it lands in the output (the box around its turned corners),
        clipped to the frame."""
        x0, y0, x1, y1 = box
        corners = [self.to_output(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
        w, h = self.req.width, self.req.height
        xs = [max(0, min(w, round(x))) for x, _ in corners]
        ys = [max(0, min(h, round(y))) for _, y in corners]
        return [min(xs), min(ys), max(xs), max(ys)]

    def to_output(self, x: float, y: float) -> Point:
        """A picture point as it lands in the output (after the Dutch tilt and downscaling)."""
        if self.tilt:
            x, y = self.tilted(x, y)
        return x / self.ss, y / self.ss
