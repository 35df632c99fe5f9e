"""The camera: a pinhole framed for the shot size, projecting metres to pixels."""

from __future__ import annotations

import random
from dataclasses import dataclass

from cinecode.backends.sketch.shots import FRAMINGS, Framing
from cinecode.backends.sketch.style import PERSON, Point


@dataclass
class Camera:
    """A pinhole camera framed for the shot size: projects metres to pixels."""

    width: int
    height: int
    framing: Framing
    horizon: float  # pixel row of the horizon (eye level of the camera)
    centre: float  # pixel column of the vanishing point
    lens: float  # focal length, pixels
    ppm0: float  # pixels per metre on the focal plane
    eye: float  # camera height above the ground, metres

    @property
    def d0(self) -> float:
        """Distance to the focal plane, metres."""
        return self.lens / self.ppm0

    def project(self, x: float, y: float, z: float) -> Point:
        """Pixel position of the point x metres right, y up, z ahead of the camera."""
        z = max(z, 0.05)
        return (self.centre + self.lens * x / z, self.horizon - self.lens * (y - self.eye) / z)

    def ground(self, z: float) -> float:
        """Pixel row of the ground at distance z."""
        return self.horizon + self.lens * self.eye / max(z, 0.05)

    def world_x(self, px: float, z: float) -> float:
        return (px - self.centre) * z / self.lens


def camera_for(
    width: int,
    height: int,
    size: str,
    angle: str,
    rnd: random.Random,
    *,
    lens: float = 1.0,
    height_of: str = "eye",
    aim: float = 0.0,
) -> Camera:
    """The camera for a shot size and angle, placed with a little of the take's chance and
    the take's staging: a longer or wider `lens`, a lower or higher camera (`height_of`, when
    the shot names no angle), aimed across by `aim` of the frame's width."""
    framing = FRAMINGS[size]
    scale = framing.scale * rnd.uniform(0.95, 1.05)
    head_top = (framing.head_top + rnd.uniform(-0.015, 0.015)) * height
    ppm0 = scale * height / PERSON
    feet = head_top + scale * height
    horizon = head_top + 0.12 * scale * height  # eye level: the horizon runs through the eyes
    if size in ("extreme-wide", "wide"):
        horizon = (framing.head_top - 0.06 + rnd.uniform(-0.02, 0.02)) * height
    if angle == "high":
        horizon -= 0.30 * height
    elif angle == "low":
        horizon += 0.30 * height
    elif height_of in ("high", "low"):  # the take's own camera height, milder than an angle
        horizon += (0.14 if height_of == "low" else -0.14) * height
    horizon = min(horizon, feet - 0.25 * ppm0)  # the camera never goes under the ground
    eye = (feet - horizon) / ppm0
    centre = width * (0.5 + rnd.uniform(-0.08, 0.08) + aim)
    return Camera(width, height, framing, horizon, centre, framing.lens * lens * height, ppm0, eye)
