"""The sketch backend's props: a vocabulary of drawings, each named by its nouns, and the
props the action names drawn in every shot size."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from PIL import Image

from cinecode.backends.protocols import Composition, Figure, ImageRequest
from cinecode.backends.sketch.canvas import Canvas
from cinecode.backends.sketch.frame import draw_picture
from cinecode.backends.sketch.icons import ICONS, find_icon, icon_words
from cinecode.backends.sketch.props import draw_icon
from cinecode.backends.sketch.style import STYLES
from cinecode.backends.sketch.words import SCENERY

PAPER = STYLES["pencil"].paper
TEO = Figure("Teo", 0.5, "speaker", "camera", "#e8b923")


def frame_of(comp: Composition, seed: int = 3) -> tuple[Canvas, Image.Image]:
    """The frame drawn for `comp` (what it drew, and the picture)."""
    req = ImageRequest(prompt="", width=640, height=360, seed=seed, composition=comp)
    frame = Canvas(req, comp, STYLES["pencil"])
    return frame, draw_picture(frame)


KITCHEN = Composition(size="medium", setting="int", location="COTTAGE KITCHEN", figures=(TEO,))


def kitchen(**changes: Any) -> Composition:
    """Teo in a cottage kitchen by day, with `changes`."""
    return replace(KITCHEN, **changes)


# --- the vocabulary ------------------------------------------------------------------------


def test_there_are_at_least_eighty_props() -> None:
    assert len(ICONS) >= 80
    assert set(icon_words()) <= set(ICONS)


@pytest.mark.parametrize("icon", sorted(ICONS))
def test_every_icon_draws_inside_its_box(icon: str) -> None:
    size = 200
    image = Image.new("RGB", (size, size), PAPER)
    req = ImageRequest(prompt="", width=size, height=size, seed=1)
    frame = Canvas(req, None, STYLES["pencil"])
    height, aspect = ICONS[icon][0], ICONS[icon][1]
    target = min(100.0, 100.0 / aspect)
    draw_icon(frame, frame.pencil(image), icon, size / 2, 150, 0.0, target=target)
    ink = np.abs(np.asarray(image, dtype=np.int16) - np.array(PAPER)).sum(axis=2) > 30
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert ink.sum() > 0.1 * target * target * aspect  # something readable was drawn
    margin = 0.15 * target + 4  # pencil wobble and outline
    assert rows.min() >= 150 - target - margin and rows.max() <= 150 + margin
    half = target * aspect / 2
    assert cols.min() >= size / 2 - half - margin and cols.max() <= size / 2 + half + margin
    assert height > 0


@pytest.mark.parametrize("icon", sorted(icon_words()))
def test_find_icon_maps_each_icons_words(icon: str) -> None:
    for word in icon_words()[icon]:
        assert find_icon(word) == icon, word
        assert find_icon(f"the old {word}") == icon, word


def test_a_compound_ends_in_a_known_word_but_a_longer_word_does_not() -> None:
    assert find_icon("the great glass lens") == "lens"  # the last noun names it
    assert find_icon("sketchbook") == "book"
    assert find_icon("an oil lamp") == "oil-lamp"
    for word in ("encounter", "clamp", "woven", "watches", "sets", "hands"):
        assert find_icon(word) is None, word


def test_icon_words_leave_the_scenery_its_words() -> None:
    scenery = {w for words in SCENERY.values() for w in words}
    for icon, words in icon_words().items():
        if icon != "boat":  # a boat is scenery; its icon serves old compositions
            assert not scenery & set(words), icon


# --- props in the frame ----------------------------------------------------------------------


def shows_colour(image: Image.Image, colour: tuple[int, int, int], tolerance: float = 40) -> int:
    """How many pixels are about `colour`."""
    pixels = np.asarray(image, dtype=np.float32)
    return int((np.linalg.norm(pixels - np.array(colour), axis=2) < tolerance).sum())


@pytest.mark.parametrize("size", ["wide", "full", "medium", "medium-close", "close"])
def test_the_props_the_action_names_are_drawn_in_every_shot_size(size: str) -> None:
    comp = kitchen(size=size, action="Teo turns the pages of a huge leather logbook by the radio")
    frame, _ = frame_of(comp)
    assert {"logbook", "radio"} <= set(frame.drawn.props)
    assert {t.name for t in frame.prop_tags} >= {"logbook", "radio"}


def test_a_named_prop_shows_in_its_colour_where_it_is_drawn() -> None:
    plain, without = frame_of(kitchen(action="Teo waits."))
    frame, image = frame_of(kitchen(action="Teo waits beside a red fire buoy."))
    assert "buoy" in frame.drawn.props and "buoy" not in plain.drawn.props
    x = round(next(t.x for t in frame.prop_tags if t.name == "buoy"))
    box = (max(0, x - 60), 0, x + 60, image.height)  # around its label
    red = frame.wash(ICONS["buoy"][2])
    assert shows_colour(image.crop(box), red) > 200
    assert shows_colour(image.crop(box), red) > 3 * shows_colour(without.crop(box), red)


def test_a_close_shot_still_shows_its_named_prop() -> None:
    frame, image = frame_of(kitchen(size="close", action="Teo holds up a bright yellow umbrella."))
    assert "umbrella" in frame.drawn.props
    assert shows_colour(image, frame.wash(ICONS["umbrella"][2])) > 300


def test_an_unknown_noun_is_a_labelled_silhouette() -> None:
    frame, _ = frame_of(kitchen(size="wide", action="Teo polishes a brass gyroscope."))
    assert frame.drawn.silhouettes == ["gyroscope"]
    assert "gyroscope" in {t.name for t in frame.prop_tags}


def test_the_place_dresses_a_wide_shot_more_than_a_close_one() -> None:
    place = "copper pans, an oil lamp, a ship's radio on the shelf, a bucket and a barrel"
    wide, _ = frame_of(kitchen(size="wide", place=place))
    close, _ = frame_of(kitchen(size="close", place=place))
    assert len(wide.drawn.props) >= 3
    assert len(close.drawn.props) < len(wide.drawn.props)


def test_a_part_of_a_drawn_prop_is_not_drawn_twice() -> None:
    comp = Composition(size="wide", setting="ext", location="CLIFF PATH", time_of_day="night",
                       action="The solar beacon blinks on its steel pole.")  # fmt: skip
    frame, _ = frame_of(comp)
    assert frame.drawn.props == ["beacon", "pole"]


def test_old_compositions_still_draw_their_props() -> None:
    comp = kitchen(size="wide", props=("gizmo",), location="ROOM")  # no furniture of its own
    frame, _ = frame_of(comp)
    assert frame.drawn.props == ["box"]


def test_an_insert_shows_the_prop_the_action_names_first() -> None:
    comp = kitchen(size="insert", figures=(), action="The logbook lies open by a kettle.")
    frame, _ = frame_of(comp)
    assert frame.drawn.props[-1] == "logbook"
    assert "kettle" in frame.drawn.props


def test_props_are_drawn_the_same_way_every_time() -> None:
    comp = kitchen(size="wide", action="Teo drops a bucket by the stove and grabs a rope.")
    _, one = frame_of(comp)
    _, two = frame_of(comp)
    assert one.tobytes() == two.tobytes()
