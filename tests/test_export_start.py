"""One start timecode for every export: the timelines, the EDL's record column, the shot list
and the storyboard all put the film's first frame at film.toml's `[export] start`
(01:00:00:00 unless it says otherwise); conform reads an edited timeline from its own start.
And the storyboard embeds its frames as JPEG at print size."""

from __future__ import annotations

import csv
import os
import re
import shutil
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import opentimelineio as otio
import pytest
from conftest import FIXTURES

from cinecode.editorial.conform import conform, read_timeline
from cinecode.editorial.export import FORMATS, export, fcpxml_from
from cinecode.errors import ProjectError
from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.build import make
from cinecode.project.config import load_project
from cinecode.project.cut import read_cut

FPS = 24
EARLIER = "00:59:50:00"
TIMECODE = re.compile(r"\b\d\d:\d\d:\d\d:\d\d\b")
# an EDL event: number, reel, channel, kind, then source in/out and record in/out
EVENT = re.compile(r"^\d{3}\s+\S+\s+V\s+C\s+" + r"\s+".join([r"(\d\d:\d\d:\d\d:\d\d)"] * 4))


def tc(frames: int | float) -> str:
    return str(otio.opentime.to_timecode(otio.opentime.RationalTime(frames, FPS), FPS))


def with_start(root: Path, start: str) -> None:
    toml = root / "film.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + f'\n[export]\nstart = "{start}"\n', encoding="utf-8"
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny project at 1280×720 (the storyboard's frames at print size), built once with
    its editorial media."""
    root = tmp_path_factory.mktemp("start") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    toml = root / "film.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace("width = 320", "width = 1280").replace("height = 180", "height = 720")
    )
    result = make(root, reporter=RecordingReporter())
    assert result.stats.failed == 0 and result.stats.skipped == 0
    export(root, "otio", root / "build" / "cut.otio", reporter=RecordingReporter())
    return root


@pytest.fixture(scope="module")
def earlier(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built tiny project (store included) exporting from 00:59:50:00."""
    root = tmp_path_factory.mktemp("earlier") / "tiny"
    shutil.copytree(tiny, root, symlinks=True)
    with_start(root, EARLIER)
    return root


@pytest.fixture(params=["default", "earlier"])
def film(request: pytest.FixtureRequest, tiny: Path, earlier: Path) -> tuple[Path, str]:
    """(project, the start its exports should have)."""
    if request.param == "default":
        return tiny, "01:00:00:00"
    return earlier, EARLIER


def first_record(path: Path, kind: str) -> str:
    """Where the exported file puts the film's first frame, read back from the file."""
    if kind == "edl":
        for line in path.read_text(encoding="utf-8").splitlines():
            event = EVENT.match(line)
            if event:
                return event[3]  # the first event's record in
        raise AssertionError("no event in the EDL")
    if kind == "csv":
        with path.open(encoding="utf-8") as handle:
            return next(csv.DictReader(handle))["start"]
    if kind == "fcpxml":
        sequence = ElementTree.parse(path).find(".//project/sequence")
        assert sequence is not None
        first = sequence.find("./spine/*")
        assert first is not None
        start = Fraction(sequence.get("tcStart", "0s").removesuffix("s"))
        assert Fraction(first.get("offset", "0s").removesuffix("s")) == start  # at record time
        return tc(start * FPS)
    if kind == "pdf":
        from pypdf import PdfReader

        found = TIMECODE.search(PdfReader(path).pages[0].extract_text())
        assert found is not None
        return found[0]
    result = otio.adapters.read_from_file(str(path), adapter_name=FORMATS[kind][1])
    if isinstance(result, otio.schema.SerializableCollection):
        result = next(t for t in result if isinstance(t, otio.schema.Timeline))
    assert isinstance(result, otio.schema.Timeline) and result.global_start_time is not None
    first = result.video_tracks()[0][0]
    assert isinstance(first, otio.schema.Clip) and first.name == "title"
    at = result.global_start_time + first.range_in_parent().start_time
    return tc(at.rescaled_to(FPS).value)


@pytest.mark.slow
@pytest.mark.xdist_group("export-start")
@pytest.mark.parametrize("kind", ["otio", "otioz", "fcp7xml", "fcpxml", "edl", "csv", "pdf"])
def test_every_export_starts_the_film_at_the_start_timecode(
    film: tuple[Path, str], tmp_path: Path, kind: str
) -> None:
    root, start = film
    out = tmp_path / f"cut{FORMATS[kind][0]}"
    export(root, kind, out, reporter=RecordingReporter())
    assert first_record(out, kind) == start


@pytest.mark.slow
@pytest.mark.xdist_group("export-start")
def test_the_edl_and_the_shot_list_agree_shot_by_shot(earlier: Path, tmp_path: Path) -> None:
    export(earlier, "edl", tmp_path / "cut.edl", reporter=RecordingReporter())
    export(earlier, "csv", tmp_path / "shots.csv", reporter=RecordingReporter())
    text = (tmp_path / "cut.edl").read_text(encoding="utf-8")
    records = [event[3] for line in text.splitlines() if (event := EVENT.match(line))]
    with (tmp_path / "shots.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert records == [row["start"] for row in rows]  # the cut has no dissolve
    frames = int(rows[0]["frames"])
    assert rows[1]["start"] == tc(otio.opentime.from_timecode(EARLIER, FPS).value + frames)


@pytest.mark.slow
@pytest.mark.xdist_group("export-start")
def test_subtitles_stay_relative_to_the_films_first_frame(earlier: Path, tmp_path: Path) -> None:
    out = tmp_path / "film.srt"
    export(earlier, "srt", out, reporter=RecordingReporter())
    first = re.search(r"(\d\d):\d\d:\d\d,\d{3} -->", out.read_text(encoding="utf-8"))
    assert first is not None and first[1] == "00"  # players count from the film's start


@pytest.mark.slow
@pytest.mark.xdist_group("export-start")
def test_changing_the_start_renders_nothing(earlier: Path) -> None:
    again = make(earlier, reporter=RecordingReporter())
    assert again.stats.generated == 0 and again.stats.rendered == 0


def _trimmed(timeline: otio.schema.Timeline) -> str:
    """The editor's change: the first shot 6 frames shorter at its head. Returns its id."""
    clips = [c for c in timeline.video_tracks()[0] if isinstance(c, otio.schema.Clip)]
    first = clips[1]
    r = first.source_range
    six = otio.opentime.RationalTime(6, r.duration.rate)
    first.source_range = otio.opentime.TimeRange(r.start_time + six, r.duration - six)
    return str(first.name)


@pytest.mark.slow
@pytest.mark.xdist_group("export-start")
@pytest.mark.parametrize("kind", ["otio", "fcp7xml", "fcpxml", "edl"])
def test_conform_round_trip_from_a_later_start(earlier: Path, tmp_path: Path, kind: str) -> None:
    root = tmp_path / "tiny"
    shutil.copytree(earlier, root, symlinks=True)
    suffix, adapter, _ = FORMATS[kind]
    exported = tmp_path / f"cut{suffix}"
    export(root, kind, exported, reporter=RecordingReporter())
    # conform reads the timeline from its own start: the picture begins with the title
    timeline = read_timeline(exported, fps=FPS)
    first = timeline.video_tracks()[0][0]
    assert isinstance(first, otio.schema.Clip) and first.name == "title"
    if kind != "edl":  # an EDL says no start of its own, only its events' record times
        assert timeline.global_start_time is not None
        assert tc(timeline.global_start_time.rescaled_to(FPS).value) == EARLIER
    # the editor trims, the editing system writes the timeline back from the same start
    shot = _trimmed(timeline)
    edited = tmp_path / f"edited{suffix}"
    if kind == "fcpxml":
        text = otio.adapters.write_to_string(timeline, adapter_name=adapter)
        start = otio.opentime.from_timecode(EARLIER, FPS)
        edited.write_text(fcpxml_from(text, round(start.value), FPS), encoding="utf-8")
    else:
        otio.adapters.write_to_file(timeline, str(edited), adapter_name=adapter)
    done = conform(root, edited)
    assert done.notes == [] and done.trimmed == 1  # no gap of an hour closed up
    cut = read_cut(root / "cut.toml")
    assert cut is not None
    event = cut.event(shot)
    assert event is not None and event.trim == 6 and event.source == event.frames + 6


@pytest.mark.slow
@pytest.mark.xdist_group("export-start")
def test_storyboard_frames_are_jpeg_at_print_size(tiny: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "board.pdf"
    export(tiny, "pdf", out, reporter=RecordingReporter())
    reader = PdfReader(out)
    assert os.path.getsize(out) / len(reader.pages) <= 300_000
    images = [
        xobject.get_object()
        for page in reader.pages
        for xobject in page["/Resources"]["/XObject"].values()
    ]
    assert images
    cell = (842 - 2 * 28 - 2 * 14) / 3 / 72  # inches: a third of landscape A4 inside margins
    widest = round(cell * 300)  # print quality is 200 to 300 dots an inch, no more
    for image in images:
        filters = image["/Filter"]
        names = [filters] if isinstance(filters, str) else list(filters)
        assert names == ["/DCTDecode"]  # the JPEG as it is, no ASCII85 around it
        assert image["/Width"] <= widest and image["/Height"] <= 720


def test_a_start_that_is_no_timecode_at_the_films_rate_is_a_project_error(
    tmp_path: Path,
) -> None:
    shutil.copytree(FIXTURES / "tiny", tmp_path / "tiny")
    root = tmp_path / "tiny"
    assert load_project(root).config.export.start_frame(FPS) == 86_400  # 01:00:00:00
    for bad, says in (("01:00:00:24", "24 fps"), ("1:00:00:00", "HH:MM:SS:FF")):
        shutil.copy(FIXTURES / "tiny" / "film.toml", root / "film.toml")
        with_start(root, bad)
        with pytest.raises(ProjectError) as caught:
            load_project(root)
        assert says in str(caught.value) and "start" in str(caught.value)
    shutil.copy(FIXTURES / "tiny" / "film.toml", root / "film.toml")
    with_start(root, EARLIER)
    assert load_project(root).config.export.start_frame(FPS) == 86_160
