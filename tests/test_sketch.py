"""The sketch backend draws storyboard frames a director can read at a glance."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from helpers import rgb_of_yuv
from PIL import Image

from cinecode.backends.protocols import Composition, Figure, ImageRequest
from cinecode.backends.sketch.backend import SketchBackend
from cinecode.errors import BackendError
from cinecode.media.burnin import Burnin
from cinecode.media.video import Camera, VideoFormat, still_frames

Pixels = npt.NDArray[np.float32]

RED = "#d62828"
BLUE = "#1f5fbf"
MAGENTA = "#e011c8"


def draw(
    out: Path,
    comp: Composition | None,
    *,
    width: int = 1280,
    height: int = 720,
    seed: int = 1,
    prompt: str = "a harbour at dusk",
    references: tuple[Path, ...] = (),
    **params: str,
) -> Pixels:
    """Generate one frame into `out` and return its pixels as float (h, w, 3)."""
    req = ImageRequest(
        prompt=prompt,
        width=width,
        height=height,
        seed=seed,
        composition=comp,
        references=references,
    )
    made = SketchBackend(**params).generate(req, out)
    burnin = Burnin.of(made.meta, width, height)  # the labels the animatic lays over it
    if burnin is None:
        with Image.open(made.path) as image:
            return np.asarray(image.convert("RGB"), dtype=np.float32)
    fmt = VideoFormat(width=width, height=height, fps=24)  # the animatic's frame, held still
    (raw,) = still_frames(made.path, fmt=fmt, path=[Camera(zoom=1.0)], burnin=burnin)
    return np.asarray(rgb_of_yuv(raw, width, height), dtype=np.float32)


def near(pixels: Pixels, colour: str, tolerance: float = 45.0) -> npt.NDArray[np.bool_]:
    """Where the frame shows `colour` (give or take paper grain and vignette)."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)
    return np.asarray(np.linalg.norm(pixels - rgb, axis=2) < tolerance)


def luma(pixels: Pixels) -> Pixels:
    return np.asarray(pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32))


WIDE = Composition(
    size="wide",
    setting="ext",
    time_of_day="day",
    location="Harbour",
    figures=(
        Figure("Mara", 0.28, "present", "right", RED),
        Figure("Jonas", 0.72, "present", "left", BLUE),
    ),
    caption="Mara waits for the boat.",
    label="1.1 · WIDE · STATIC · 4.0 s",
)


def two_people(**changes: Any) -> Composition:
    """Mara (red, left) and Jonas (blue, right) on a harbour by day, with `changes`."""
    return replace(WIDE, **changes)


# --- the file --------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (320, 180), (720, 1280)])
def test_frame_is_exactly_the_requested_size(tmp_path: Path, width: int, height: int) -> None:
    req = ImageRequest("x", width, height, seed=3, composition=two_people())
    made = SketchBackend().generate(req, tmp_path)
    assert made.path == tmp_path / "frame.png"
    assert (made.meta["width"], made.meta["height"]) == (width, height)
    assert made.meta["burnin"]["label"] == "1.1 · WIDE · STATIC · 4.0 s"
    with Image.open(made.path) as image:
        assert image.format == "PNG"
        assert image.size == (width, height)


def test_same_request_gives_identical_bytes(tmp_path: Path) -> None:
    req = ImageRequest("x", 640, 360, seed=42, composition=two_people(weather="rain"))
    first = SketchBackend().generate(req, tmp_path / "a").path.read_bytes()
    second = SketchBackend().generate(req, tmp_path / "b").path.read_bytes()
    assert first == second


def test_another_seed_gives_a_visibly_different_take(tmp_path: Path) -> None:
    one = draw(tmp_path / "a", two_people(), seed=1)
    two = draw(tmp_path / "b", two_people(), seed=2)
    changed = np.abs(one - two).max(axis=2) > 30
    assert changed.mean() > 0.05


def test_progress_is_reported_to_the_end(tmp_path: Path) -> None:
    seen: list[float] = []
    req = ImageRequest("x", 320, 180, seed=1, composition=two_people())
    SketchBackend().generate(req, tmp_path, progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert seen == sorted(seen)


# --- light and place -------------------------------------------------------------------------


@pytest.mark.parametrize("setting", ["ext", "int"])
def test_night_is_darker_than_day(tmp_path: Path, setting: str) -> None:
    day = draw(tmp_path / "d", two_people(setting=setting, time_of_day="day"), overlay="none")
    night = draw(tmp_path / "n", two_people(setting=setting, time_of_day="night"), overlay="none")
    assert luma(night).mean() < 0.7 * luma(day).mean()


def test_exterior_day_has_a_blue_sky_on_top(tmp_path: Path) -> None:
    pixels = draw(tmp_path, two_people(), overlay="none")
    r, g, b = pixels[: 720 // 6].reshape(-1, 3).mean(axis=0)
    assert b > r + 30 and b > g


def test_dusk_sky_is_warm_low_down_where_the_day_sky_is_blue(tmp_path: Path) -> None:
    def low_sky(time_of_day: str) -> Pixels:
        comp = two_people(time_of_day=time_of_day, figures=())
        pixels = draw(tmp_path / time_of_day, comp, overlay="none")
        return np.asarray(pixels[170:220].reshape(-1, 3).mean(axis=0))  # just over the horizon

    dusk, day = low_sky("dusk"), low_sky("day")
    assert dusk[0] > dusk[2] + 40  # orange
    assert day[2] > day[0]  # blue


def test_close_up_figure_is_much_larger_than_in_a_wide_shot(tmp_path: Path) -> None:
    one = (Figure("Mara", 0.5, "present", "camera", RED),)
    wide = near(draw(tmp_path / "w", two_people(size="wide", figures=one)), RED).sum()
    medium = near(draw(tmp_path / "m", two_people(size="medium", figures=one)), RED).sum()
    close = near(draw(tmp_path / "c", two_people(size="close", figures=one)), RED).sum()
    assert wide > 200
    assert medium > 4 * wide
    assert close > 8 * wide


def test_each_figure_shows_in_its_colour_where_it_stands(tmp_path: Path) -> None:
    pixels = draw(tmp_path / "a", two_people())
    red, blue = near(pixels, RED), near(pixels, BLUE)
    assert red.sum() > 200 and blue.sum() > 200
    assert np.nonzero(red)[1].mean() < 0.4 * 1280 < 0.6 * 1280 < np.nonzero(blue)[1].mean()
    swapped = two_people(
        figures=(
            Figure("Mara", 0.72, "present", "left", RED),
            Figure("Jonas", 0.28, "present", "right", BLUE),
        )
    )
    pixels = draw(tmp_path / "b", swapped)
    assert np.nonzero(near(pixels, BLUE))[1].mean() < 640 < np.nonzero(near(pixels, RED))[1].mean()


def test_a_figure_further_back_is_smaller_and_higher(tmp_path: Path) -> None:
    def spot(depth: float) -> tuple[int, float]:
        comp = two_people(figures=(Figure("Mara", 0.5, "present", "camera", RED, depth=depth),))
        pixels = draw(tmp_path / str(depth), comp, overlay="none")
        r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
        mask = (r > g + 60) & (r > b + 60)  # red, even faded by distance
        return int(mask.sum()), float(np.nonzero(mask)[0].max())

    near_area, near_feet = spot(0.0)
    far_area, far_feet = spot(1.0)
    assert far_area < 0.6 * near_area
    assert far_feet < near_feet


def test_insert_shows_the_prop_and_no_people(tmp_path: Path) -> None:
    person = (Figure("Mara", 0.5, "present", "camera", MAGENTA),)
    medium = draw(tmp_path / "m", two_people(size="medium", figures=person, props=("letter",)))
    insert = draw(tmp_path / "i", two_people(size="insert", figures=person, props=("letter",)))
    assert near(medium, MAGENTA).sum() > 1000
    assert near(insert, MAGENTA).sum() == 0
    paper = near(insert[: int(720 * 0.85)], "#f0ebdf", 30).sum()  # the letter's paper
    assert paper > 0.04 * 1280 * 720


def test_dutch_angle_tilts_the_horizon(tmp_path: Path) -> None:
    def horizon_tilt(angle: str) -> int:
        comp = two_people(angle=angle, figures=())
        pixels = draw(tmp_path / angle, comp, overlay="none")
        sky = pixels[..., 2] > pixels[..., 0] + 25  # blue above the horizon

        def lowest_sky(columns: slice) -> int:
            rows = np.flatnonzero(sky[:, columns].mean(axis=1) > 0.5)
            return int(rows.max())

        return abs(lowest_sky(slice(300, 400)) - lowest_sky(slice(880, 980)))

    assert horizon_tilt("eye") < 8
    assert horizon_tilt("dutch") > 40


def test_high_angle_shows_less_sky_than_low_angle(tmp_path: Path) -> None:
    def sky(angle: str) -> float:
        pixels = draw(tmp_path / angle, two_people(angle=angle), overlay="none")
        return float((pixels[..., 2] > pixels[..., 0] + 25).mean())

    assert sky("high") < sky("eye") < sky("low")


def test_rain_is_drawn_over_the_picture(tmp_path: Path) -> None:
    dry = draw(tmp_path / "d", two_people(time_of_day="dusk"), overlay="none")
    wet = draw(tmp_path / "w", two_people(time_of_day="dusk", weather="rain"), overlay="none")
    changed = np.abs(dry - wet).max(axis=2) > 25
    assert changed.mean() > 0.01
    left, right = changed[:, :640].mean(), changed[:, 640:].mean()
    assert min(left, right) > 0.3 * max(left, right)  # everywhere, not in one spot


@pytest.mark.parametrize("weather", ["rain", "snow", "fog", "wind"])
def test_weather_changes_the_picture_but_keeps_the_people(tmp_path: Path, weather: str) -> None:
    dry = draw(tmp_path / "d", two_people(), overlay="none")
    wet = draw(tmp_path / "w", two_people(weather=weather), overlay="none")
    assert (np.abs(dry - wet).max(axis=2) > 25).mean() > 0.005
    assert near(wet, RED, 60).sum() > 0.4 * near(dry, RED, 60).sum()


def test_fog_washes_out_the_distance(tmp_path: Path) -> None:
    clear = luma(draw(tmp_path / "c", two_people(figures=()), overlay="none"))
    foggy = luma(draw(tmp_path / "f", two_people(figures=(), weather="fog"), overlay="none"))
    assert foggy[150:350].std() < 0.6 * clear[150:350].std()


# --- text on the frame -----------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (320, 180)])
def test_caption_band_carries_the_line(tmp_path: Path, width: int, height: int) -> None:
    comp = two_people(caption="MARA: You said the boat would be here by noon.")
    pixels = draw(tmp_path / "c", comp, width=width, height=height)
    band = luma(pixels[int(height * 0.9) :])
    assert np.median(band) < 60  # a dark band …
    assert (band > 200).sum() > width * height * 0.002  # … with light letters on it
    silent = draw(tmp_path / "s", two_people(caption=""), width=width, height=height)
    assert (luma(silent[int(height * 0.9) :]) > 200).sum() < (band > 200).sum() / 4


def test_frame_without_composition_shows_the_prompt(tmp_path: Path) -> None:
    pixels = draw(tmp_path / "a", None, prompt="A lighthouse on a cliff at night")
    band = luma(pixels[int(720 * 0.9) :])
    assert (band > 200).sum() > 500
    other = draw(tmp_path / "b", None, prompt="Two strangers share an umbrella")
    assert np.abs(pixels[int(720 * 0.9) :] - other[int(720 * 0.9) :]).max() > 100


def test_each_figure_is_labelled_near_it(tmp_path: Path) -> None:
    comp = two_people()
    bare = draw(tmp_path / "bare", comp, overlay="none")
    full = draw(tmp_path / "full", comp)
    labels = np.abs(full - bare).max(axis=2) > 60
    labels[: int(720 * 0.1)] = False  # the shot label and location at the top
    labels[int(720 * 0.85) :] = False  # the caption band
    columns = np.nonzero(labels)[1]
    assert ((columns > 0.15 * 1280) & (columns < 0.4 * 1280)).sum() > 300  # by Mara
    assert ((columns > 0.6 * 1280) & (columns < 0.85 * 1280)).sum() > 300  # by Jonas
    longer = two_people(
        figures=(
            Figure("Mara Kowalczyk", 0.28, "present", "right", RED),
            Figure("Jonas", 0.72, "present", "left", BLUE),
        )
    )
    wider = np.abs(draw(tmp_path / "long", longer) - bare).max(axis=2) > 60
    wider[: int(720 * 0.1)] = False
    wider[int(720 * 0.85) :] = False
    assert wider[:, :640].sum() > 1.5 * labels[:, :640].sum()  # the label spells the name


def test_references_tint_an_empty_palette(tmp_path: Path) -> None:
    purple = (122, 61, 184)
    ref = tmp_path / "warehouse.png"
    Image.new("RGB", (64, 48), purple).save(ref)
    comp = two_people(setting="int", location="Warehouse", figures=())
    plain = draw(tmp_path / "p", comp)
    tinted = draw(tmp_path / "t", comp, references=(ref,))
    middle = (slice(200, 500), slice(300, 980))
    assert (tinted[middle][..., 2] - tinted[middle][..., 1]).mean() > (
        plain[middle][..., 2] - plain[middle][..., 1]
    ).mean() + 20


def test_unreadable_reference_fails_with_a_hint(tmp_path: Path) -> None:
    bad = tmp_path / "mara.png"
    bad.write_text("not an image")
    with pytest.raises(BackendError, match="reference") as err:
        draw(tmp_path / "o", two_people(), references=(bad,))
    assert err.value.hint


# --- styles and settings ---------------------------------------------------------------------


@pytest.mark.parametrize("style", ["pencil", "ink", "flat"])
def test_every_style_draws_the_figures(tmp_path: Path, style: str) -> None:
    pixels = draw(tmp_path, two_people(), style=style)
    assert near(pixels, RED).sum() > 200 and near(pixels, BLUE).sum() > 200


def test_styles_look_different(tmp_path: Path) -> None:
    pencil = draw(tmp_path / "p", two_people(), style="pencil")
    flat = draw(tmp_path / "f", two_people(), style="flat")
    assert (np.abs(pencil - flat).max(axis=2) > 20).mean() > 0.2


def test_a_request_can_name_the_style_as_its_model(tmp_path: Path) -> None:
    req = ImageRequest("x", 320, 180, seed=4, composition=two_people(), model="flat")
    made = SketchBackend().generate(req, tmp_path / "m")
    assert made.model == "flat"
    styled = SketchBackend(style="flat").generate(replace(req, model=""), tmp_path / "s")
    assert made.path.read_bytes() == styled.path.read_bytes()
    with pytest.raises(BackendError, match="model"):
        SketchBackend().generate(replace(req, model="sdxl"), tmp_path / "x")


def test_unknown_settings_are_refused_with_a_hint() -> None:
    with pytest.raises(BackendError, match="style") as err:
        SketchBackend(style="watercolour")
    assert "pencil" in err.value.hint
    with pytest.raises(BackendError, match="colour_depth"):
        SketchBackend(colour_depth="8")


def test_status_is_ready_without_anything_installed() -> None:
    assert SketchBackend().status().state == "ready"


def test_impossible_size_is_refused_before_drawing(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="frame"):
        SketchBackend().generate(ImageRequest("x", 0, 720, seed=1), tmp_path)
    assert not (tmp_path / "frame.png").exists()
