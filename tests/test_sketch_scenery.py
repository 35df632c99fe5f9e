"""The sketch draws the scenery, rooms, skies and lights the words of a frame name."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from cinecode.backends.protocols import Composition, ImageRequest
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.frame import draw_picture
from cinecode.backends.sketch.skies import MOON
from cinecode.backends.sketch.style import STYLES

Pixels = npt.NDArray[np.float32]

JETTY = Composition(
    size="wide",
    setting="ext",
    time_of_day="day",
    location="ISLAND JETTY",
    action="A coast guard launch bumps the jetty. A small launch at a stone jetty below a "
    "white lighthouse on a green island, the sea beyond.",
    label="1.1 · WIDE · STATIC · 4.0 s",
)
PLAIN = Composition(size="wide", setting="ext", time_of_day="day", location="OUTSKIRTS")


def frame_of(comp: Composition, seed: int = 1) -> tuple[Canvas, Pixels]:
    """The frame drawn for `comp` (what it drew, and its pixels as float (h, w, 3))."""
    req = ImageRequest("", 640, 360, seed=seed, composition=comp)
    frame = Canvas(req, comp, STYLES["pencil"])
    picture = draw_picture(frame)
    return frame, np.asarray(picture.convert("RGB"), dtype=np.float32)


def near(pixels: Pixels, rgb: tuple[int, ...], tolerance: float) -> npt.NDArray[np.bool_]:
    return np.asarray(np.linalg.norm(pixels - np.array(rgb, np.float32), axis=2) < tolerance)


def change(comp: Composition, **fields: Any) -> Composition:
    return Composition(**{**comp.__dict__, **fields})


def test_every_named_landmark_of_the_jetty_is_drawn() -> None:
    frame, _ = frame_of(JETTY)
    assert set(frame.read.scenery) >= {"sea", "jetty", "lighthouse", "boat", "island"}
    assert set(frame.drawn.scenery) >= set(frame.read.scenery)


def test_the_jetty_shows_a_white_lighthouse_over_a_sea_unlike_an_empty_plain() -> None:
    frame, coast = frame_of(JETTY)
    plain_frame, plain = frame_of(PLAIN)
    horizon = round(frame.cam.horizon)
    below = slice(horizon + 2, horizon + 12)
    blue = coast[below, :, 2] - coast[below, :, 0]  # the sea is bluer than the land
    assert float(np.mean(blue)) > float(np.mean(plain[below, :, 2] - plain[below, :, 0])) + 15
    assert plain_frame.drawn.scenery == ["hills"]


def test_a_white_lighthouse_stands_over_the_horizon_under_a_grey_sky() -> None:
    frame, coast = frame_of(change(JETTY, weather="rain"))  # no white clouds
    _, plain = frame_of(change(PLAIN, weather="rain"))
    horizon = round(frame.cam.horizon)
    tower = near(coast[: horizon + 2], (236, 234, 226), 30).sum(axis=0)
    assert tower.max() >= 6  # a white column standing up over the horizon
    assert near(plain[: horizon + 2], (236, 234, 226), 30).sum(axis=0).max() < 3


def test_the_lamp_room_draws_its_lens_and_glazing() -> None:
    room = Composition(size="wide", setting="int", time_of_day="night", location="LAMP ROOM",
                       action="A fierce white flame blooms inside the lens.")  # fmt: skip
    frame, pixels = frame_of(room)
    assert "lamp-room" in frame.drawn.scenery
    assert "flame" in frame.drawn.lights
    assert len(frame.env.windows) >= 12  # many panes for the rain to stream down
    assert pixels.mean(axis=2).max() > 235  # the flame burns bright inside the lens


def test_a_dark_lens_has_no_glow() -> None:
    room = Composition(size="wide", setting="int", time_of_day="night", location="LAMP ROOM",
                       action="The great glass lens sits dark.")  # fmt: skip
    _, bright = frame_of(change(room, action="A fierce white flame blooms inside the lens."))
    dark, pixels = frame_of(room)
    assert "dark" in dark.drawn.lights and "flame" not in dark.drawn.lights
    assert (pixels.mean(axis=2) > 235).sum() < (bright.mean(axis=2) > 235).sum()


@pytest.mark.parametrize("weather", ["rain", "rain, wind", "snow", "fog"])
def test_bad_weather_at_night_hides_the_moon_and_stars(weather: str) -> None:
    night = change(PLAIN, time_of_day="night", location="OPEN SEA", weather=weather)
    frame, pixels = frame_of(night)
    assert frame.drawn.sky == "overcast"
    assert near(pixels, MOON, 22).sum() == 0
    clear, clear_pixels = frame_of(change(night, weather=""))
    assert clear.drawn.sky == "stars"
    assert near(clear_pixels, MOON, 22).sum() > 0


def test_a_calm_dawn_is_not_overcast_and_keeps_its_colour() -> None:
    dawn = change(JETTY, time_of_day="dawn", location="LIGHTHOUSE GALLERY",
                  action="Dawn. A calm, shining sea. They share tea at the rail.")  # fmt: skip
    frame, pixels = frame_of(dawn)
    assert frame.drawn.sky == "clear"
    assert {"balcony", "sea", "lighthouse"} <= set(frame.drawn.scenery)
    low_sky = pixels[max(0, round(frame.cam.horizon) - 12) : round(frame.cam.horizon) - 4]
    assert float(np.mean(low_sky[..., 0] - low_sky[..., 2])) > 10  # warm, not grey


def test_a_beam_sweeps_the_night_sky_from_the_lighthouse() -> None:
    sea = Composition(size="wide", setting="ext", time_of_day="night", location="OPEN SEA",
                      weather="rain, wind", action="A long white beam from the lighthouse "
                      "sweeps over the launch.")  # fmt: skip
    frame, pixels = frame_of(sea)
    dark, dark_pixels = frame_of(change(sea, action="The launch pitches in the sea."))
    assert "beam" in frame.drawn.lights and "beam" not in dark.drawn.lights
    sky = slice(0, round(frame.cam.horizon))
    assert pixels[sky].mean() > dark_pixels[sky].mean() + 5


def test_lightning_brightens_the_sky() -> None:
    path = Composition(size="wide", setting="ext", time_of_day="night", location="CLIFF PATH",
                       weather="rain", action="Lightning. The beacon goes dark.")  # fmt: skip
    frame, pixels = frame_of(path)
    _, calm = frame_of(change(path, action="The beacon blinks."))
    assert {"lightning", "dark"} <= set(frame.drawn.lights)
    sky = slice(0, round(frame.cam.horizon))
    assert pixels[sky].mean() > calm[sky].mean() + 10


@pytest.mark.parametrize(
    ("location", "room"),
    [("COTTAGE KITCHEN", "kitchen"), ("BEDROOM", "bedroom"), ("CHURCH", "church"),
     ("WHEELHOUSE", "wheelhouse"), ("HALLWAY", "hallway"), ("CAR", "car"), ("PUB", "bar")],
)  # fmt: skip
def test_each_kind_of_room_is_furnished_and_recorded(location: str, room: str) -> None:
    comp = Composition(size="wide", setting="int", time_of_day="day", location=location)
    frame, pixels = frame_of(comp)
    _, plain = frame_of(change(comp, location="ROOM"))
    assert frame.drawn.scenery == [room]
    assert frame.env.windows  # the weather has somewhere to show
    assert float(np.abs(pixels - plain).mean()) > 1


@pytest.mark.parametrize(
    "place",
    ["a busy city street", "a country road through fields", "a forest by a river under a "
     "bridge", "mountains over a lake", "the desert", "a garden", "a cemetery", "a station "
     "platform", "a rooftop", "a beach below cliffs"],
)  # fmt: skip
def test_outdoor_scenery_records_every_tag(place: str) -> None:
    frame, _ = frame_of(change(PLAIN, location="SOMEWHERE", action=place))
    assert frame.read.scenery
    assert set(frame.drawn.scenery) >= set(frame.read.scenery)


def test_the_same_scenery_draws_the_same_pixels() -> None:
    assert np.array_equal(frame_of(JETTY)[1], frame_of(JETTY)[1])
