"""Title and credit cards: the right size, readable text, set where a viewer expects it."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image

from cinecode.media.cards import BACKGROUND, credits_card, credits_fit, credits_roll, title_card
from cinecode.media.fonts import font, wrap

Pixels = npt.NDArray[np.float32]

CAST = (
    "CAST",
    ["MARA — bright voice, a little impatient", "JONAS — low, slow", "ELI — gravel voice"],
)
MADE_WITH = ("MADE WITH", ["cinecode 0.1.0", "sketch — pencil storyboard", "piper — joe voice"])


def luma(image: Image.Image) -> Pixels:
    return np.asarray(image.convert("L"), dtype=np.float32)


def text_mask(image: Image.Image) -> npt.NDArray[np.bool_]:
    """Pixels a viewer reads as letters (well above the near-black ground)."""
    return np.asarray(luma(image) > 90)


# --- title -----------------------------------------------------------------------------------


def test_title_card_is_the_frame_size_with_centred_light_text() -> None:
    card = title_card("Tides", subtitle_lines=("written by Ada Lovelace",), width=1280, height=720)
    assert card.size == (1280, 720) and card.mode == "RGB"
    text = text_mask(card)
    assert text.sum() > 2000
    rows, cols = np.nonzero(text)
    assert abs(cols.mean() - 640) < 0.03 * 1280
    assert abs(rows.mean() - 360) < 0.15 * 720
    corners = luma(card)[:40, :40]
    assert corners.max() < 30  # a dark ground


def test_long_title_stays_inside_the_frame_on_two_lines() -> None:
    short = text_mask(title_card("Tides", width=1280, height=720))
    long = text_mask(
        title_card("The Long and Winding Night at the End of Harbour Road", width=1280, height=720)
    )
    cols = np.nonzero(long.any(axis=0))[0]
    assert cols.min() > 0.06 * 1280 and cols.max() < 0.94 * 1280
    line_rows = np.flatnonzero(long.any(axis=1))
    gaps = np.diff(line_rows)
    assert (gaps > 10).sum() == 1  # two lines of capitals, one gap between them
    assert np.ptp(line_rows) > np.ptp(np.flatnonzero(short.any(axis=1)))


def test_subtitles_are_set_under_the_title() -> None:
    bare = text_mask(title_card("Tides", width=1280, height=720))
    subtitled = text_mask(
        title_card("Tides", subtitle_lines=("written by Ada Lovelace",), width=1280, height=720)
    )
    title_bottom = np.flatnonzero(bare.any(axis=1)).max()
    assert subtitled[title_bottom + 20 :].sum() > 300
    assert bare[title_bottom + 20 :].sum() == 0


def test_title_card_reads_at_a_small_size_too() -> None:
    card = title_card("Tides", subtitle_lines=("written by Ada",), width=320, height=180)
    assert card.size == (320, 180)
    assert text_mask(card).sum() > 100


def test_title_card_is_deterministic() -> None:
    one = title_card("Tides", subtitle_lines=("by A",), width=640, height=360)
    two = title_card("Tides", subtitle_lines=("by A",), width=640, height=360)
    assert one.tobytes() == two.tobytes()


# --- credits ---------------------------------------------------------------------------------


def test_credits_roll_is_as_wide_as_asked_and_grows_with_the_credits() -> None:
    short = credits_roll([CAST], width=1280)
    long = credits_roll(
        [CAST, MADE_WITH, ("THANKS", [f"Friend {n}" for n in range(20)])], width=1280
    )
    assert short.size[0] == long.size[0] == 1280
    assert long.size[1] > short.size[1] + 20 * 30
    assert text_mask(long).sum() > 3 * text_mask(short).sum()


def test_credits_roll_starts_and_ends_on_the_flat_background() -> None:
    roll = np.asarray(credits_roll([CAST, MADE_WITH], width=1280))
    assert (roll[:20] == BACKGROUND).all()
    assert (roll[-20:] == BACKGROUND).all()


def test_cast_lines_set_name_left_and_voice_right_of_the_centre() -> None:
    paired = text_mask(credits_roll([("", ["MARA — bright voice"])], width=1280))
    cols = np.flatnonzero(paired.any(axis=0))
    assert cols.min() < 600 and cols.max() > 680
    assert not paired[:, 630:650].any()  # a clear gutter down the middle
    centred = text_mask(credits_roll([("", ["Ada Lovelace"])], width=1280))
    assert centred[:, 630:650].any()


def test_headings_sit_above_their_lines() -> None:
    roll = credits_roll([CAST], width=1280)
    rows = np.flatnonzero(text_mask(roll).any(axis=1))
    blocks = np.split(rows, np.flatnonzero(np.diff(rows) > 8) + 1)
    assert len(blocks) == 4  # CAST, then three cast lines
    heading = np.asarray(roll)[blocks[0]]
    r, _, b = heading.reshape(-1, 3)[text_mask(roll)[blocks[0]].reshape(-1)].mean(axis=0)
    assert r > b + 30  # a gold heading, not a white line


def test_long_description_wraps_instead_of_running_off() -> None:
    note = "a low voice that has smoked for forty years and never once raised itself in anger"
    roll = text_mask(credits_roll([("", [f"ELI — {note}"])], width=640))
    cols = np.flatnonzero(roll.any(axis=0))
    assert cols.max() < 640 - 8
    face = font(15, family="serif", slant="italic")
    assert len(wrap(note, face, 640 * 0.42)) > 1  # the note is too long for one line


def test_credits_card_holds_short_credits_on_one_frame() -> None:
    assert credits_fit([CAST, MADE_WITH], width=1280, height=720)
    card = credits_card([CAST, MADE_WITH], width=1280, height=720)
    assert card.size == (1280, 720)
    text = text_mask(card)
    rows = np.flatnonzero(text.any(axis=1))
    assert rows.min() > 0.05 * 720 and rows.max() < 0.95 * 720
    assert abs((rows.min() + rows.max()) / 2 - 360) < 30  # centred


def test_credits_too_long_for_a_card_say_so_and_still_fit_when_forced() -> None:
    many = [("THANKS", [f"Friend number {n}" for n in range(40)])]
    assert not credits_fit(many, width=1280, height=720)
    card = credits_card(many, width=1280, height=720)
    rows = np.flatnonzero(text_mask(card).any(axis=1))
    assert rows.min() > 0 and rows.max() < 719
