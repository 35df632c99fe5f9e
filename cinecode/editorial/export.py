"""`cinecode export FILM FORMAT -o PATH`: the cut for an editor, a reader or a player.

```
1. build the film (nothing runs when it is up to date)
2. render each shot's editorial media (clean, with handles) that the store lacks
3. place the media beside the output (PATH.media/), hard-linked from the store
4. write the format: OpenTimelineIO's own adapters for timelines, ours for the rest
```
Every timeline, the EDL's record column, the shot list and the storyboard count from film.toml's
`[export] start` (01:00:00:00 by default); subtitles count from the film's first frame, 0, as
players expect.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cinecode.errors import EditorialError

if TYPE_CHECKING:
    from collections.abc import Callable

    import opentimelineio as otio

    from cinecode.graph.catalog import Artifact
    from cinecode.graph.reporter import Reporter
    from cinecode.graph.store import Store
    from cinecode.pipeline.plan import Plan
    from cinecode.pipeline.session import Session
    from cinecode.project.config import Project

#: format → (file suffix, OTIO adapter or "" for ours, what it is for)
FORMATS: dict[str, tuple[str, str, str]] = {
    "otio": (".otio", "otio_json", "OpenTimelineIO (lossless)"),
    "otioz": (".otioz", "otioz", "OpenTimelineIO bundle with its media"),
    "fcp7xml": (".xml", "fcp_xml", "Final Cut Pro 7 XML (Premiere, Resolve)"),
    "fcpxml": (".fcpxml", "fcpx_xml", "Final Cut Pro X XML"),
    "edl": (".edl", "cmx_3600", "CMX 3600 EDL (picture only)"),
    "kdenlive": (".kdenlive", "kdenlive", "Kdenlive project"),
    "srt": (".srt", "", "SubRip subtitles"),
    "vtt": (".vtt", "", "WebVTT subtitles"),
    "pdf": (".pdf", "", "storyboard"),
    "csv": (".csv", "", "shot list"),
}
TIMELINES = ("otio", "otioz", "fcp7xml", "fcpxml", "edl", "kdenlive")


@dataclass(frozen=True)
class Exported:
    path: Path
    media: Path | None  # the folder of media beside it
    clips: int  # clips on the picture track (timelines) or shots listed
    frames: int  # the cut's length in frames


def default_path(build_dir: Path, name: str, kind: str) -> Path:
    return build_dir / f"{name}{FORMATS[kind][0]}"


def media_folder(out: Path) -> Path:
    """Where an export's media go: beside it, named after it."""
    return out.with_name(f"{out.stem}.media")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "x"


def export(
    project_path: Path, kind: str, out: Path | None, *, reporter: Reporter, wait: bool = True
) -> Exported:
    """Build the film if needed and write it as `kind` to `out` (default: build/<title>.ext)."""
    from cinecode.pipeline.build import make
    from cinecode.pipeline.session import Session, slug

    if kind not in FORMATS:
        raise EditorialError(
            f"unknown export format {kind!r}", hint=f"use one of: {', '.join(FORMATS)}"
        )
    # 1. the film
    result = make(project_path, reporter=reporter, wait=wait)
    if result.stats.failed or result.stats.skipped:
        raise EditorialError(
            "the film is not complete, so it cannot be exported",
            hint="run `cinecode make` and fix what it reports",
        )
    with (
        Session.open(project_path, write=True) as session,
        session.locked(wait=wait, on_wait=reporter.info),
    ):
        project, store = session.project, session.require_store()
        plan = result.plan
        target = (out or default_path(project.build_dir, slug(plan.film.title), kind)).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind in TIMELINES:
            return _timeline(plan, session, kind, target, reporter=reporter)
        if kind in ("srt", "vtt"):
            return _subtitles(plan, store, kind, target)
        if kind == "pdf":
            from cinecode.editorial.storyboard import write_storyboard
            from cinecode.pipeline.build import sign_media, signing
            from cinecode.provenance.credentials import media_type
            from cinecode.provenance.exports import pieces

            if not signing(project):
                count = write_storyboard(plan, store, project, target)
                return Exported(target, None, count, _frames(plan, store))
            unsigned = target.with_name(f".{target.stem}.unsigned{target.suffix}")
            count = write_storyboard(plan, store, project, unsigned)
            pictures = [
                a
                for a in pieces(store, [plan.targets["master"]])
                if (media_type(store.path(a)) or "").startswith(("image/", "video/"))
            ]
            sign_media(
                store,
                project,
                unsigned,
                target,
                title=f"{plan.film.title} (storyboard)",
                film=plan.film.title,
                found=pictures,
                contains={"storyboard": count, "master": plan.targets["master"]},
                master=plan.targets["master"],
            )
            return Exported(target, None, count, _frames(plan, store))
        from cinecode.editorial.shotlist import write_shot_list

        count = write_shot_list(plan, store, project, target)
        return Exported(target, None, count, _frames(plan, store))


def _frames(plan: Plan, store: Store) -> int:
    artifact = store.get(plan.targets["master"])
    return int(artifact.meta["frames"]) if artifact else 0


def render_media(plan: Plan, session: Session, *, reporter: Reporter) -> dict[str, Artifact]:
    """Each shot's editorial media in the store (rendered when missing): shot id → artifact."""
    from cinecode.editorial.timeline import plan_media

    store = session.require_store()
    media = plan_media(plan, handles=session.project.config.edit.handles)
    for item in media.values():
        plan.graph.add(item.job)
    stats = session.run(plan.graph, [item.job.key for item in media.values()], reporter=reporter)
    if stats.failed or stats.skipped:
        detail = "; ".join(f"{label}: {error}" for label, error in stats.failures)
        raise EditorialError(f"the editorial media could not be rendered ({detail})")
    out: dict[str, Artifact] = {}
    for shot_id, item in media.items():
        artifact = store.get(item.job.key)
        assert artifact is not None
        out[shot_id] = artifact
    return out


def _timeline(
    plan: Plan, session: Session, kind: str, target: Path, *, reporter: Reporter
) -> Exported:
    import opentimelineio as otio

    from cinecode.editorial.timeline import build_timeline, mix_jobs, record_start

    project, store = session.project, session.require_store()
    objects = render_media(plan, session, reporter=reporter)
    bundle = kind == "otioz"
    folder = Path(tempfile.mkdtemp(prefix="otioz-")) if bundle else media_folder(target)
    place = _placer(plan, store, project, target)
    try:
        # 3. the media beside the timeline, named for people (and signed)
        media = {
            shot_id: place(artifact, folder / f"{_safe(shot_id)}.mp4")
            for shot_id, artifact in objects.items()
        }
        voice_keys = [k for sp in plan.shots.values() for k in sp.voices]
        voices = {}
        for key, artifact in store.catalog.get_many(voice_keys).items():
            name = _safe(artifact.label.removeprefix("voice "))
            voices[key] = place(artifact, folder / "dialogue" / f"{name}.wav")
        mixes = {}
        for reel_id, job in mix_jobs(plan).items():
            mix = store.get(job.key)
            assert mix is not None
            mixes[reel_id] = place(mix, folder / "mix" / f"{_safe(reel_id)}.wav")
        timeline = build_timeline(
            plan,
            store,
            project,
            media=media,
            handles=project.config.edit.handles,
            voices=voices,
            mixes=mixes,
        )
        # 4. the format, by OpenTimelineIO's adapter
        written = _for_adapter(timeline, kind)
        adapter = FORMATS[kind][1]
        staged = target.with_name(f".{target.name}.part{target.suffix}")
        try:
            # an adapter's stray print (Kdenlive's "Transitions handling to be added") stays
            # off the command's output, whose last line is the exported file
            with contextlib.redirect_stdout(io.StringIO()):
                if kind == "fcpxml":  # the adapter writes every sequence from 0s
                    text = otio.adapters.write_to_string(written, adapter_name=adapter)
                    text = fcpxml_from(text, record_start(project), project.config.format.fps)
                    staged.write_text(text, encoding="utf-8")
                else:
                    otio.adapters.write_to_file(written, str(staged), adapter_name=adapter)
            staged.replace(target)
        except Exception as exc:  # adapters raise many kinds
            staged.unlink(missing_ok=True)
            raise EditorialError(
                f"OpenTimelineIO's {adapter} adapter could not write {target.name}: {exc}",
                hint="try `cinecode export FILM otio`, which every OTIO tool reads",
            ) from exc
        picture = timeline.video_tracks()[0]
        clips = sum(1 for item in picture if isinstance(item, otio.schema.Clip))
        frames = round(timeline.duration().to_frames())
        return Exported(target, None if bundle else folder, clips, frames)
    finally:
        if bundle:
            shutil.rmtree(folder, ignore_errors=True)


def _for_adapter(timeline: otio.schema.Timeline, kind: str) -> otio.schema.Timeline:
    """What each format can hold: an EDL is one picture track, its record times counting from
    the timeline's start."""
    if kind != "edl":
        return timeline
    import copy

    import opentimelineio as otio

    picture = copy.deepcopy(timeline)
    for track in list(picture.tracks):
        if track.kind != "Video":
            picture.tracks.remove(track)
    start = timeline.global_start_time
    if start is not None:
        # the cmx_3600 writer reads record times relative to the tracks; a track whose range
        # begins at -start puts its first frame at start (the cmx_3600 reader's own way to hold
        # an EDL's first record in)
        for track in picture.tracks:
            zero = otio.opentime.RationalTime(0, start.rate)
            track.source_range = otio.opentime.TimeRange(zero - start, track.duration())
    used: set[str] = set()
    for clip in picture.find_clips():
        name = str(clip.metadata.get("cinecode", {}).get("shot") or clip.name or "")
        clip.metadata.setdefault("cmx_3600", {})["reel"] = reel_name(name, used)
    return picture


def fcpxml_from(text: str, start: int, fps: int) -> str:
    """The fcpx_xml adapter's FCPXML with its projects starting at record frame `start`.

    Final Cut Pro's start timecode is a sequence's `tcStart`, and the items of its spine sit at
    their record time (the first at tcStart); the adapter writes neither. Connected clips and
    lanes are placed in their parent clip's own time, so they stay as written.
    """
    from fractions import Fraction
    from xml.etree import ElementTree

    shift = Fraction(start, fps)

    def later(value: str | None) -> str:
        time = Fraction((value or "0s").removesuffix("s")) + shift
        return f"{time.numerator}s" if time.denominator == 1 else f"{time}s"

    root = ElementTree.fromstring(text)
    for sequence in root.iterfind(".//project/sequence"):
        sequence.set("tcStart", later("0s"))
        sequence.set("tcFormat", "NDF")
        for item in sequence.iterfind("./spine/*"):
            item.set("offset", later(item.get("offset")))
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n{body}\n'


def reel_name(shot: str, used: set[str]) -> str:
    """An EDL reel name for a shot: at most 8 letters and digits, one per shot (the adapter
    dropped the dots, so 1.12 and 11.2 were both reel 112): 1.12 → 001012, 11.2 → 011002,
    3.2A → 003002A; cards by their name (TITLE); a running number when that is taken."""
    reel = ""
    for part in shot.upper().split("."):
        number = re.match(r"\d+", part)
        reel += f"{int(number[0]):03d}{part[number.end() :]}" if number else part
    reel = re.sub(r"[^A-Z0-9]", "", reel)[:8] or "AX"
    count = len(used)
    while reel in used:
        count += 1
        reel = f"R{count:07d}"
    used.add(reel)
    return reel


def _placer(
    plan: Plan, store: Store, project: Project, target: Path
) -> Callable[[Artifact, Path], Path]:
    """How a timeline's media reach its folder: hard-linked from the store, or (when the
    project signs its media) copied out signed, each naming the artifact it is and what went
    into it; a file already signed from the same object keeps its bytes."""
    from cinecode.pipeline.build import film_type_of, sign_media, signing
    from cinecode.provenance.chain import describe
    from cinecode.provenance.credentials import media_type
    from cinecode.provenance.exports import EMBEDS, pieces

    if not signing(project):
        return lambda artifact, dest: _place(store, store.path(artifact), dest)
    prompts = project.config.provenance.prompts
    master = plan.targets["master"]  # the film's source type once for every file, if built
    film_type = film_type_of(store, master, []) if store.get(master) else None

    def place(artifact: Artifact, dest: Path) -> Path:
        if media_type(dest) not in EMBEDS:  # nothing to write into: the store's bytes
            return _place(store, store.path(artifact), dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        sign_media(
            store,
            project,
            store.path(artifact),
            dest,
            title=f"{plan.film.title} ({artifact.label})",
            film=plan.film.title,
            found=pieces(store, [artifact.key]),
            contains={"timeline": target.name, "artifact": describe(artifact, prompts=prompts)},
            master=master,
            film_type=film_type,
            keep=True,
        )
        return dest

    return place


def _place(store: Store, source: Path, dest: Path) -> Path:
    """A hard link (or copy) of a store object at `dest`."""
    from cinecode.graph.store import place

    with contextlib.suppress(OSError):
        if dest.samefile(source):
            return dest
    return place(source, dest)


def _subtitles(plan: Plan, store: Store, kind: str, target: Path) -> Exported:
    from cinecode.departments.master import film_cues
    from cinecode.media.subtitles import to_srt, to_vtt

    job = plan.graph.jobs[plan.targets["srt"]]
    metas = store.catalog.get_many(job.inputs)
    cues = film_cues(job.params, [metas[key].meta for key in job.inputs])
    text = to_srt(cues) if kind == "srt" else to_vtt(cues)
    target.write_text(text, encoding="utf-8")
    return Exported(target, None, len(cues), _frames(plan, store))
