"""Editorial interchange on the bundled example: every export reads back in OpenTimelineIO's
own adapters, and an editor's cut conformed back is what the next `make` masters."""

from __future__ import annotations

import csv
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import av
import opentimelineio as otio
import pytest

from cinecode.editorial.conform import READERS, Conformed, conform, read_timeline
from cinecode.editorial.export import FORMATS, export
from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.build import MakeResult, make
from cinecode.project.cut import read_cut

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("example-film")]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "the-lighthouse-keeper"
FPS = 24


def small_copy(dest: Path) -> Path:
    """The bundled example at 320×180 (the same film, cheaper pixels)."""
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns(".cinecode", "build"))
    toml = dest / "film.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("width = 1280", "width = 320").replace("height = 720", "height = 180")
    toml.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MakeResult]:
    """The example, built once for the whole session."""
    root = small_copy(tmp_path_factory.mktemp("example") / "film")
    result = make(root, reporter=RecordingReporter())
    assert result.stats.failed == 0 and result.stats.skipped == 0
    # editorial media are rendered once, here, for every test that exports
    export(root, "otio", root / "build" / "cut.otio", reporter=RecordingReporter())
    return root, result


@pytest.fixture()
def copy_of(
    built: tuple[Path, MakeResult], tmp_path: Path
) -> Callable[[], tuple[Path, MakeResult]]:
    """A private copy of the built example (store included), for tests that change the cut."""

    def copy() -> tuple[Path, MakeResult]:
        root = tmp_path / "film"
        shutil.copytree(built[0], root, symlinks=True)
        return root, built[1]

    return copy


def master_frames(path: Path) -> tuple[int, float, float]:
    """(picture frames, picture seconds, sound seconds) of a master."""
    with av.open(str(path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.duration is not None and audio.duration is not None
        assert video.time_base is not None and audio.time_base is not None
        frames = sum(1 for p in container.demux(video) if p.size)
        return (
            frames,
            float(video.duration * video.time_base),
            float(audio.duration * audio.time_base),
        )


def picture_clips(timeline: otio.schema.Timeline) -> list[otio.schema.Clip]:
    return [c for c in timeline.video_tracks()[0] if isinstance(c, otio.schema.Clip)]


def read_back(path: Path, adapter: str) -> otio.schema.Timeline:
    """The timeline as conform reads it: by the adapter, counted from its own start."""
    assert READERS[path.suffix] == adapter
    return read_timeline(path, fps=FPS)


@pytest.mark.parametrize("kind", ["otio", "otioz", "fcp7xml", "fcpxml", "edl", "kdenlive"])
def test_every_timeline_export_reads_back_as_the_master(
    built: tuple[Path, MakeResult], tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root, result = built
    out = tmp_path / f"cut{FORMATS[kind][0]}"
    done = export(root, kind, out, reporter=RecordingReporter())
    assert capsys.readouterr().out == ""  # no adapter prints into the command's output
    timeline = read_back(out, FORMATS[kind][1])
    clips = picture_clips(timeline)
    shots = [shot.id for shot in result.plan.film.shots]
    assert [c.name for c in clips] == ["title", *shots, "credits"]
    frames, _, _ = master_frames(result.master)
    assert abs(timeline.duration().rescaled_to(FPS).value - frames) <= 1
    assert done.frames == frames
    if kind != "otioz":  # media beside the timeline, at absolute paths
        for clip in clips:
            url = clip.media_reference.target_url
            assert Path(url.removeprefix("file://")).is_file(), url
    if kind == "edl":  # one reel name per shot, none shared
        reels = [c.metadata["cmx_3600"]["reel"] for c in clips]
        assert len(set(reels)) == len(reels) and reels[0] == "TITLE", reels
    if kind in ("otio", "fcp7xml", "edl", "otioz"):  # formats whose adapters carry dissolves
        transitions = [
            t for t in timeline.video_tracks()[0] if isinstance(t, otio.schema.Transition)
        ]
        assert len(transitions) == 2  # DISSOLVE TO: twice in the screenplay


def test_otio_keeps_provenance_markers_and_sound(built: tuple[Path, MakeResult]) -> None:
    root, result = built
    timeline = read_back(root / "build" / "cut.otio", "otio_json")
    clips = picture_clips(timeline)
    first = clips[1]
    meta = first.metadata["cinecode"]
    assert meta["shot"] == "1.1" and meta["scene"] == "1" and meta["fade_in"] == 24
    assert meta["take"] == result.plan.shots["1.1"].picture
    scenes = [m.name for c in clips for m in c.markers if m.name.startswith("Scene ")]
    assert len(scenes) == len(result.plan.film.scenes)
    names = [t.name for t in timeline.tracks]
    assert names == ["Picture", "Dialogue", "Mix"]
    lines = [c for c in timeline.tracks[1] if isinstance(c, otio.schema.Clip)]
    voiced = sum(len(s.lines) for s in result.plan.film.shots)
    assert voiced - 2 <= len(lines) <= voiced  # dual dialogue overlaps sit out
    # handles: each clip shows the middle of its media
    handles = timeline.metadata["cinecode"]["handles"]
    assert first.source_range.start_time.value == handles
    assert first.available_range().duration.value == first.duration().value + 2 * handles


def test_storyboard_pdf_opens_with_every_shot(
    built: tuple[Path, MakeResult], tmp_path: Path
) -> None:
    from pypdf import PdfReader

    root, result = built
    out = tmp_path / "board.pdf"
    done = export(root, "pdf", out, reporter=RecordingReporter())
    reader = PdfReader(out)
    count = len(result.plan.film.shots) + 2
    assert done.clips == count
    assert len(reader.pages) == math.ceil(count / 6)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "1.1 · WIDE · drift" in text
    assert "MARA: I'll be back on Monday, Dad." in text
    assert "EXT. ISLAND JETTY - DAY" in text


def test_shot_list_csv_adds_up_to_the_master(
    built: tuple[Path, MakeResult], tmp_path: Path
) -> None:
    root, result = built
    out = tmp_path / "shots.csv"
    export(root, "csv", out, reporter=RecordingReporter())
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["shot"] for r in rows][1:3] == ["1.1", "1.2"]
    assert sum(int(r["frames"]) for r in rows) == master_frames(result.master)[0]
    assert rows[1]["head"] == "fade 24"


@pytest.mark.parametrize("kind", ["srt", "vtt"])
def test_subtitles_export(built: tuple[Path, MakeResult], tmp_path: Path, kind: str) -> None:
    from cinecode.media.subtitles import parse_srt

    root, result = built
    out = tmp_path / f"film.{kind}"
    done = export(root, kind, out, reporter=RecordingReporter())
    text = out.read_text(encoding="utf-8")
    cues = parse_srt(result.subtitles.read_text(encoding="utf-8"))
    assert done.clips == len(cues)
    if kind == "vtt":
        assert text.startswith("WEBVTT") and "<v MARA>" in text
    else:
        assert text == result.subtitles.read_text(encoding="utf-8")


def _cut_to_edit(
    copy_of: Callable[[], tuple[Path, MakeResult]],
) -> tuple[Path, int, otio.schema.Timeline]:
    """A copy of the built example, its master's frames, and its cut as exported as OTIO."""
    root, before = copy_of()
    frames_before, _, _ = master_frames(before.master)
    return root, frames_before, read_back(root / "build" / "cut.otio", "otio_json")


def _shorten(clip: otio.schema.Clip, frames: int, *, at: str = "tail") -> None:
    """The editor's trim: `frames` fewer of the clip's media, at its head or its tail."""
    r = clip.source_range
    cut = otio.opentime.RationalTime(frames, r.duration.rate)
    start = r.start_time + cut if at == "head" else r.start_time
    clip.source_range = otio.opentime.TimeRange(start, r.duration - cut)


def _exported_again(root: Path, tmp_path: Path) -> tuple[int, list[str]]:
    """What the editor sees after the conform: the exported cut's frames and picture clips."""
    again = export(root, "otio", tmp_path / "again.otio", reporter=RecordingReporter())
    names = [c.name for c in picture_clips(read_back(tmp_path / "again.otio", "otio_json"))]
    return again.frames, names


def _edit(timeline: otio.schema.Timeline) -> int:
    """The editor's changes: first shot 12 frames shorter at its head, third shot out.
    Returns the third shot's frames."""
    clips = picture_clips(timeline)
    first, third = clips[1], clips[3]
    assert (first.name, third.name) == ("1.1", "1.3")
    _shorten(first, 12, at="head")
    removed = round(third.duration().rescaled_to(FPS).value)
    track = timeline.video_tracks()[0]
    track.remove(third)
    return removed


def _conform_otio(root: Path, timeline: otio.schema.Timeline, tmp_path: Path) -> Conformed:
    """The editor's timeline saved as OTIO and conformed into the project."""
    edited = tmp_path / "edited.otio"
    otio.adapters.write_to_file(timeline, str(edited))
    return conform(root, edited)


def test_conformed_otio_cut_is_mastered_without_generating(
    copy_of: Callable[[], tuple[Path, MakeResult]], tmp_path: Path
) -> None:
    root, frames_before, timeline = _cut_to_edit(copy_of)
    removed = _edit(timeline)
    result = _conform_otio(root, timeline, tmp_path)
    assert (result.removed, result.trimmed) == (1, 1)
    after = make(root, reporter=RecordingReporter())
    assert after.stats.generated == 0 and after.stats.failed == 0
    frames, picture, sound = master_frames(after.master)
    assert abs(frames - (frames_before - 12 - removed)) <= 1
    assert abs(sound - picture) < 1 / FPS
    # the removed shot's lines are gone from the subtitles
    assert "Dad. With the crew, for the lens." not in after.subtitles.read_text(encoding="utf-8")
    # and what the editor now sees is what was mastered
    again, names = _exported_again(root, tmp_path)
    assert again == frames
    assert "1.3" not in names and names[1] == "1.1"


def test_a_round_trip_without_changes_renders_nothing(
    copy_of: Callable[[], tuple[Path, MakeResult]], tmp_path: Path
) -> None:
    root, before = copy_of()
    _conform_otio(root, read_back(root / "build" / "cut.otio", "otio_json"), tmp_path)
    after = make(root, reporter=RecordingReporter())
    assert (after.stats.generated, after.stats.rendered) == (0, 0)
    assert after.master.read_bytes() == before.master.read_bytes()


def test_a_conform_renders_only_the_shots_the_editor_changed(
    copy_of: Callable[[], tuple[Path, MakeResult]], tmp_path: Path
) -> None:
    root, frames_before, timeline = _cut_to_edit(copy_of)
    track = timeline.video_tracks()[0]
    clips = {clip.name: clip for clip in picture_clips(timeline)}
    # 2.2 loses 12 frames at its tail, 3.2 goes, 4.2 and 4.3 change places
    _shorten(clips["2.2"], 12)
    removed = round(clips["3.2"].duration().rescaled_to(FPS).value)
    track.remove(clips["3.2"])
    at = track.index(clips["4.2"])
    assert track.index(clips["4.3"]) == at + 1
    track.remove(clips["4.3"])
    track.insert(at, clips["4.3"])
    _conform_otio(root, timeline, tmp_path)
    reporter = RecordingReporter()
    after = make(root, reporter=reporter)
    assert after.stats.generated == 0 and after.stats.failed == 0
    rendered = [text for kind, text in reporter.events if kind == "started"]
    # every other shot keeps its segment: only the sound and the reels follow the edit
    assert [label for label in rendered if label.startswith("segment")] == ["segment 2.2"]
    assert not any(label.startswith("stems") and label.split()[1] in "167" for label in rendered)
    frames, picture, sound = master_frames(after.master)
    assert frames == frames_before - 12 - removed and abs(sound - picture) < 1 / FPS
    again, names = _exported_again(root, tmp_path)
    assert again == frames and "3.2" not in names
    assert names.index("4.3") + 1 == names.index("4.2")


def test_a_trimmed_title_card_is_cut_never_composed_anew(
    copy_of: Callable[[], tuple[Path, MakeResult]], tmp_path: Path
) -> None:
    root, frames_before, timeline = _cut_to_edit(copy_of)
    title = picture_clips(timeline)[0]
    assert title.name == "title"
    _shorten(title, 24)
    assert _conform_otio(root, timeline, tmp_path).trimmed == 1
    after = make(root, reporter=RecordingReporter())
    # a trim re-times and cuts the sound it has: with a paid music service, composing the
    # title's cue again would cost money
    assert after.stats.generated == 0 and after.stats.failed == 0
    frames, picture, sound = master_frames(after.master)
    assert abs(frames - (frames_before - 24)) <= 1 and abs(sound - picture) < 1 / FPS


@pytest.mark.parametrize("kind", ["fcp7xml", "fcpxml", "edl"])
def test_conform_from_editing_systems(
    copy_of: Callable[[], tuple[Path, MakeResult]], tmp_path: Path, kind: str
) -> None:
    root, _ = copy_of()
    suffix, adapter, _ = FORMATS[kind]
    exported = tmp_path / f"cut{suffix}"
    export(root, kind, exported, reporter=RecordingReporter())
    timeline = read_back(exported, adapter)
    _edit(timeline)
    edited = tmp_path / f"edited{suffix}"
    otio.adapters.write_to_file(timeline, str(edited), adapter_name=adapter)
    assert READERS[suffix] == adapter
    conform(root, edited)
    cut = read_cut(root / "cut.toml")
    assert cut is not None
    assert cut.removed == {"1.3"}
    first = cut.event("1.1")
    assert first is not None and first.trim == 12 and first.source == first.frames + 12
    untouched = cut.event("1.2")
    assert untouched is not None and untouched.trim == 0
    assert untouched.frames == untouched.source
    kinds = sorted(t.kind for t in cut.transitions)
    assert kinds == ["dissolve", "dissolve", "fade-in", "fade-out"]


def test_edl_reel_names_never_collide() -> None:
    from cinecode.editorial.export import reel_name

    used: set[str] = set()
    names = [reel_name(shot, used) for shot in ("1.12", "11.2", "3.2A", "title", "1.12")]
    assert names[:4] == ["001012", "011002", "003002A", "TITLE"]  # 1.12 and 11.2 were both 112
    assert len(set(names)) == 5 and all(len(n) <= 8 and n.isalnum() for n in names)
