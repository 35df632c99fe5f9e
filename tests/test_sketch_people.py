"""The sketch draws each character as their description says, the same from shot to shot, and
a take's staging arranges the people without losing anyone."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from cinecode.backends.protocols import Composition, Figure, ImageRequest
from cinecode.backends.sketch.canvas import Canvas, Staging
from cinecode.backends.sketch.frame import draw_picture
from cinecode.backends.sketch.looks import Look, look_of
from cinecode.backends.sketch.style import STYLES

Pixels = npt.NDArray[np.float32]
Box = tuple[int, int, int, int]

TEO = (
    "Teo, 10, Mara's son; small and wiry, messy brown hair, bright yellow raincoat that is too "
    "big for him, rubber boots"
)
ELIAS = (
    "Elias, 74, the last lighthouse keeper; tall and straight-backed, white beard, thick navy "
    "knitted sweater, wool cap, big weathered hands"
)
MARA = (
    "Mara, 38, coast guard engineer; dark hair tied back, weathered face, red-orange coast guard "
    "jacket over a grey fleece, practical and tired"
)
SWEATER = "his grandfather's sweater, sleeves to his knees (thick navy knitted sweater)"

YELLOW, NAVY = (255, 213, 0), (34, 46, 86)  # a bright yellow raincoat, a navy sweater
WHITE_BEARD, CAP = (228, 226, 218), (70, 72, 82)


def person(name: str, look: str = "", x: float = 0.5, **changes: Any) -> Figure:
    """`name` standing at `x`, facing the camera, as `look` describes them."""
    return replace(Figure(name, x, "present", "camera", "#44484f", look=look), **changes)


def drawn(
    *figures: Figure,
    size: str = "full",
    staging: Staging | None = None,
    width: int = 1280,
    height: int = 720,
    angle: str = "eye",
) -> tuple[Pixels, dict[str, Box], dict[str, dict[str, object]]]:
    """Draw the people on a quay by day; the picture, and each figure's box and look as the
    frame reports them. The staging is the plain one unless one is given."""
    comp = Composition(size=size, angle=angle, setting="ext", figures=figures)
    req = ImageRequest("x", width, height, seed=1, composition=comp)
    frame = Canvas(req, comp, STYLES["pencil"])
    frame.staging = staging or Staging()
    picture = np.asarray(draw_picture(frame).convert("RGB"), dtype=np.float32)
    boxes = {
        str(f["name"]): cast(Box, tuple(cast(list[int], f["box"]))) for f in frame.drawn.figures
    }
    looks = {str(f["name"]): cast(dict[str, object], f["look"]) for f in frame.drawn.figures}
    return picture, boxes, looks


def count(pixels: Pixels, colour: tuple[int, int, int], tolerance: float = 40.0) -> int:
    """How many pixels show `colour`."""
    return int(
        (np.linalg.norm(pixels - np.array(colour, dtype=np.float32), axis=2) < tolerance).sum()
    )


def band(pixels: Pixels, box: Box, top: float, bottom: float) -> Pixels:
    """The part of a figure's box from `top` to `bottom` (fractions of its height)."""
    x0, y0, x1, y1 = box
    return pixels[y0 + round(top * (y1 - y0)) : y0 + round(bottom * (y1 - y0)), x0:x1]


def centre(box: Box) -> float:
    return (box[0] + box[2]) / 2


def tall(box: Box) -> int:
    return box[3] - box[1]


# --- reading the description -----------------------------------------------------------------


def test_the_descriptions_are_read_into_looks() -> None:
    teo, elias, mara = look_of("TEO", TEO), look_of("ELIAS", ELIAS), look_of("MARA", MARA)
    assert (teo.age, teo.child, teo.hair, teo.hair_word) == (10, True, "messy", "brown")
    assert (teo.garment, teo.garment_word, teo.oversized) == ("raincoat", "bright yellow", True)
    assert (elias.beard, elias.headwear, elias.hair_word) == ("beard", "cap", "white")
    assert elias.height > 1.0 > 0.75 > teo.height > 0.55
    assert (mara.hair, mara.garment, mara.garment_word) == ("tied", "jacket", "red-orange")
    now = look_of("TEO", TEO, SWEATER)
    assert (now.garment, now.garment_word, now.oversized) == ("sweater", "navy", True)
    assert (now.hair, now.height) == (teo.hair, teo.height)  # only the clothes change


def test_a_figure_with_no_description_keeps_its_seeded_look() -> None:
    """Other films and earlier takes drew these looks from the name: they must not move."""
    assert (
        look_of("Mara")
        == look_of("Mara", "", "")
        == Look(
            height=0.990190519690144,
            build=1.0193889410707055,
            hair="bun",
            hair_color=(120, 86, 54),
            skin=(204, 160, 122),
            outfit="trousers",
        )
    )
    assert look_of("Jonas") == Look(
        height=0.995520828944348,
        build=1.0845467389307122,
        hair="bald",
        hair_color=(74, 52, 38),
        skin=(204, 160, 122),
        outfit="trousers",
    )
    assert look_of("TEO", TEO).skin == look_of("TEO").skin  # what the words leave open stays


def test_a_figure_with_no_description_wears_its_own_colour() -> None:
    red = "#d62828"
    pixels, boxes, looks = drawn(person("Mara", color=red))
    assert looks["Mara"]["garment"] == "" and looks["Mara"]["child"] is False
    assert count(band(pixels, boxes["Mara"], 0.2, 0.5), (214, 40, 40), 60) > 500


# --- what the frame shows --------------------------------------------------------------------


def test_a_child_is_drawn_shorter_than_the_old_man_beside_him() -> None:
    _, boxes, looks = drawn(person("ELIAS", ELIAS, 0.35), person("TEO", TEO, 0.65))
    elias, teo = boxes["ELIAS"], boxes["TEO"]
    assert abs(elias[3] - teo[3]) < 0.03 * 720  # standing on the same ground …
    assert tall(teo) < 0.8 * tall(elias)  # … a head and more shorter
    assert tall(teo) > 0.5 * tall(elias)
    assert looks["TEO"]["child"] is True and looks["ELIAS"]["child"] is False


def test_the_old_man_has_a_white_beard_and_a_cap() -> None:
    plain = "Elias, 74, tall, thick navy knitted sweater"
    bearded, boxes, looks = drawn(person("ELIAS", ELIAS))
    shaven, plain_boxes, _ = drawn(person("ELIAS", plain))
    assert looks["ELIAS"]["beard"] == "beard" and looks["ELIAS"]["headwear"] == "cap"
    beard = band(bearded, boxes["ELIAS"], 0.07, 0.16)  # the lower face
    chin = band(shaven, plain_boxes["ELIAS"], 0.07, 0.16)
    assert count(beard, WHITE_BEARD) > 300 > 10 * count(chin, WHITE_BEARD) + 30
    cap = band(bearded, boxes["ELIAS"], 0.0, 0.05)  # the top of the head
    hair = band(shaven, plain_boxes["ELIAS"], 0.0, 0.05)
    assert count(cap, CAP) > 400 > 2 * count(hair, CAP)


def test_hair_colour_follows_the_words() -> None:
    red_hair, blond_hair = (170, 66, 34), (222, 188, 116)
    heads = {}
    for word in ("red", "blond"):
        pixels, boxes, looks = drawn(person("Ana", f"Ana, 30; short {word} hair, a grey coat"))
        assert looks["Ana"]["hair_colour"] == word
        heads[word] = band(pixels, boxes["Ana"], 0.0, 0.1)
    assert count(heads["red"], red_hair) > 200 > 10 * count(heads["blond"], red_hair)
    assert count(heads["blond"], blond_hair) > count(heads["red"], blond_hair) + 200


def test_what_they_wear_now_changes_the_torso_colour() -> None:
    raincoat, boxes, _ = drawn(person("TEO", TEO))
    sweater, now, looks = drawn(person("TEO", TEO, wearing=SWEATER))
    assert looks["TEO"]["garment"] == "sweater" and looks["TEO"]["garment_colour"] == "navy"
    before, after = band(raincoat, boxes["TEO"], 0.3, 0.55), band(sweater, now["TEO"], 0.3, 0.55)
    assert count(before, YELLOW, 60) > 1000 and count(after, YELLOW, 60) < 50
    assert count(after, NAVY) > 1000 and count(before, NAVY) < 50


def test_a_child_alone_in_a_medium_shot_is_framed_for_them() -> None:
    _, boxes, _ = drawn(person("TEO", TEO), size="medium")
    assert boxes["TEO"][1] < 0.3 * 720  # the head is in the frame's upper part, not cut off
    _, beside, _ = drawn(person("ELIAS", ELIAS, 0.3), person("TEO", TEO, 0.7), size="medium")
    assert beside["TEO"][1] > beside["ELIAS"][1] + 0.1 * 720  # beside a grown-up, lower
    assert beside["TEO"][1] < 0.65 * 720  # … with the face still in frame


def test_boxes_are_output_pixels_inside_the_frame_and_the_meta_is_json() -> None:
    comp = (person("ELIAS", ELIAS, 0.3), person("TEO", TEO, 0.7))
    _, big, _ = drawn(*comp)
    _, small, looks = drawn(*comp, width=320, height=180)  # drawn twice as big inside
    for name in ("ELIAS", "TEO"):
        assert abs(big[name][1] / 4 - small[name][1]) <= 3  # the head's top …
        assert abs(big[name][3] / 4 - small[name][3]) <= 3  # … and the feet
        assert abs(centre(big[name]) / 4 - centre(small[name])) <= 0.03 * 320
        x0, y0, x1, y1 = small[name]
        assert 0 <= x0 < x1 <= 320 and 0 <= y0 < y1 <= 180
    json.dumps(looks)
    _, above, _ = drawn(*comp, angle="overhead")
    assert set(above) == {"ELIAS", "TEO"}


# --- staging ---------------------------------------------------------------------------------


def test_mirror_swaps_the_sides() -> None:
    pair = (
        person("MARA", MARA, 0.3, facing="right"),
        person("ELIAS", ELIAS, 0.7, facing="left"),
    )
    _, plain, _ = drawn(*pair)
    _, mirrored, _ = drawn(*pair, staging=Staging(mirror=True))
    assert centre(plain["MARA"]) < 640 < centre(plain["ELIAS"])
    assert centre(mirrored["ELIAS"]) < 640 < centre(mirrored["MARA"])


def test_shift_spread_and_stagger_move_the_people_but_keep_them_in_frame() -> None:
    pair = (person("MARA", MARA, 0.35), person("ELIAS", ELIAS, 0.65))
    _, plain, _ = drawn(*pair)
    _, wide, _ = drawn(*pair, staging=Staging(spread=1.3))
    _, moved, _ = drawn(*pair, staging=Staging(shift=0.1))
    _, near, _ = drawn(*pair, staging=Staging(stagger=0.5))
    gap = centre(plain["ELIAS"]) - centre(plain["MARA"])
    assert centre(wide["ELIAS"]) - centre(wide["MARA"]) > 1.2 * gap
    assert centre(moved["MARA"]) > centre(plain["MARA"]) + 0.07 * 1280
    assert tall(near["MARA"]) > 1.1 * tall(plain["MARA"])  # the first stands nearer
    assert tall(near["ELIAS"]) == tall(plain["ELIAS"])
    _, pushed, _ = drawn(*pair, staging=Staging(shift=0.5))
    assert centre(pushed["ELIAS"]) < 0.95 * 1280


def test_over_the_shoulder_survives_the_staging() -> None:
    shot = (
        person("MARA", MARA, 0.2, facing="away", role="listener"),
        person("ELIAS", ELIAS, 0.62, facing="left", role="speaker", depth=0.35),
    )
    for staging in (Staging(), Staging(mirror=True, stagger=0.4, spread=1.2, shift=-0.05)):
        _, boxes, _ = drawn(*shot, size="medium-close", staging=staging)
        listener, speaker = boxes["MARA"], boxes["ELIAS"]
        assert listener[2] - listener[0] > speaker[2] - speaker[0]  # big in the foreground …
        edge = (
            centre(listener) < 0.3 * 1280 if not staging.mirror else centre(listener) > 0.7 * 1280
        )
        assert edge  # … at the edge of the frame, the speaker across from them
