"""The cut as an OpenTimelineIO timeline: what `cinecode export` hands to an editor.

```
Picture   title │ 1.1 │ 1.2 │ … ⟋dissolve⟍ 3.1 │ … │ credits      one clip per shot
Dialogue        ▭  ▭    ▭        ▭                              one clip per line
Mix       title │ scene 1       │ scene 2 …                      each reel's sound
markers: one per scene, at its first shot
```

Each clip's media is the shot's picture as the cut shows it, clean (no transition mixed in)
and with `handles` frames more at both ends, so an editor can roll a cut or lengthen a
dissolve; the clip's source range is the part the master shows. Provenance rides in
`clip.metadata["cinecode"]` (shot, scene, take, size, move, trim). Fades to and from black
are in that metadata and in markers (OTIO transitions join two clips). The timeline's global
start time is film.toml's `[export] start` (01:00:00:00 by default), which every export shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinecode.graph.job import Job

if TYPE_CHECKING:
    import opentimelineio as otio

    from cinecode.graph.store import Store
    from cinecode.pipeline.plan import Plan
    from cinecode.project.config import Project


@dataclass(frozen=True)
class ShotMedia:
    """A shot's editorial media: which frames of its move the file holds."""

    shot: str
    job: Job  # renders the file (a segment job with handles, clean)
    first: int  # path index of the file's first frame (the cut's trim − handles)
    handles: int


def segment_jobs(plan: Plan) -> dict[str, Job]:
    """The master's segment jobs by shot id (cards by "title" and "credits")."""
    needed = plan.graph.needed_for([plan.targets["master"]])
    return {job.shot: job for job in needed if job.step == "segment"}


def mix_jobs(plan: Plan) -> dict[str, Job]:
    """The master's scene mixes by reel id."""
    needed = plan.graph.needed_for([plan.targets["master"]])
    return {job.scene: job for job in needed if job.step == "scene-mix"}


def stems_jobs(plan: Plan) -> dict[str, Job]:
    """The scene stems (whose params hold each reel's timing and voices) by reel id."""
    needed = plan.graph.needed_for([plan.targets["master"]])
    return {job.scene: job for job in needed if job.step == "scene-stems"}


def plan_media(plan: Plan, *, handles: int) -> dict[str, ShotMedia]:
    """Each shot's editorial media: its segment, clean, with `handles` frames either side."""
    from cinecode.departments.motion import SEGMENT

    out: dict[str, ShotMedia] = {}
    for shot_id, job in segment_jobs(plan).items():
        params = {k: v for k, v in job.params.items() if k not in ("head", "tail")}
        if handles:
            params["handles"] = handles
        own = 1 + sum(int(s["n"]) for s in params["shots"])
        planned = SEGMENT.job(
            params,
            job.inputs[:own],
            label=f"editorial media {shot_id}",
            shot=shot_id,
            scene=job.scene,
        )
        first = int((params.get("span") or {}).get("first", 0)) - handles
        out[shot_id] = ShotMedia(shot_id, planned, first, handles)
    return out


@dataclass(frozen=True)
class Placement:
    """Where something sits in the film, in frames."""

    start: int
    frames: int


def _voice_placements(
    plan: Plan, store: Store, fps: int, reel_starts: dict[str, int]
) -> list[tuple[str, str, Placement, int]]:
    """(voice key, label, placement in the film, frames cut from its head) for every line."""
    from cinecode.departments.timing import scene_frames, split, voice_windows

    out: list[tuple[str, str, Placement, int]] = []
    for reel_id, job in stems_jobs(plan).items():
        shots = job.params["clock"]["shots"]
        if not shots:
            continue
        voices = job.inputs[: len(job.params["lines"])]
        metas = store.catalog.get_many(voices)
        durations = [float(metas[k].meta["duration"]) for k in voices]
        per_shot = split(durations, shots)
        frames = scene_frames(shots, per_shot, fps=fps, quantum=job.params["quantum"])
        windows = voice_windows(shots, per_shot, frames, fps)
        origin = reel_starts[reel_id]
        for key, duration, (start, begin, end) in zip(voices, durations, windows, strict=True):
            at, stop = max(start, begin), min(start + duration, end)
            if stop - at < 1 / fps:
                continue
            first = round(at * fps)
            out.append(
                (
                    key,
                    metas[key].label.removeprefix("voice "),
                    Placement(origin + first, max(1, round(stop * fps) - first)),
                    round((at - start) * fps),
                )
            )
    return sorted(out, key=lambda item: item[2].start)


def build_timeline(
    plan: Plan,
    store: Store,
    project: Project,
    *,
    media: dict[str, Path],
    handles: int,
    voices: dict[str, Path] | None = None,
    mixes: dict[str, Path] | None = None,
) -> otio.schema.Timeline:
    """The cut of a built film as an OTIO timeline; `media` maps shot ids to their files."""
    import opentimelineio as otio

    assert plan.arrangement is not None
    fps = project.config.format.fps

    def rt(frames: int) -> otio.opentime.RationalTime:
        return otio.opentime.RationalTime(frames, fps)

    def tr(start: int, frames: int) -> otio.opentime.TimeRange:
        return otio.opentime.TimeRange(rt(start), rt(frames))

    segments = segment_jobs(plan)
    artifacts = store.catalog.get_many(job.key for job in segments.values())
    timeline = otio.schema.Timeline(name=plan.film.title)
    timeline.global_start_time = rt(record_start(project))
    timeline.metadata["cinecode"] = {
        "title": plan.film.title,
        "fps": fps,
        "handles": handles,
        "style": plan.arrangement.style,
        "edited": plan.arrangement.edited,
    }
    picture = otio.schema.Track(name="Picture", kind=otio.schema.TrackKind.Video)
    at = 0
    reel_starts: dict[str, int] = {}
    for reel in plan.arrangement.reels:
        reel_starts[reel.id] = at
        for index, placed in enumerate(reel.shots):
            job = segments[placed.id]
            frames = int(artifacts[job.key].meta["frames"])
            if placed.head is not None and placed.head.kind == "dissolve" and picture:
                picture.append(
                    otio.schema.Transition(
                        name="Dissolve",
                        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                        in_offset=rt(placed.head.offset),
                        out_offset=rt(placed.head.frames),
                    )
                )
            clip = otio.schema.Clip(
                name=placed.id,
                media_reference=otio.schema.ExternalReference(
                    target_url=media[placed.id].resolve().as_uri(),
                    available_range=tr(0, frames + 2 * handles),
                ),
                source_range=tr(handles, frames),
            )
            clip.metadata["cinecode"] = _provenance(plan, placed, job)
            if index == 0 and reel.scene is not None:
                marker = otio.schema.Marker(
                    name=f"Scene {reel.scene.id}: {reel.scene.heading}",
                    marked_range=tr(handles, 0),
                    color=otio.schema.MarkerColor.BLUE,
                    comment=reel.scene.synopsis,
                )
                clip.markers.append(marker)
            for edge, where, name in ((placed.head, handles, "Fade in"), (placed.tail, None, "")):
                if edge is not None and edge.kind == "fade":
                    start = where if where is not None else handles + frames - edge.frames
                    clip.markers.append(
                        otio.schema.Marker(
                            name=name or "Fade out",
                            marked_range=tr(start, edge.frames),
                            color=otio.schema.MarkerColor.BLACK,
                        )
                    )
            picture.append(clip)
            at += frames
    timeline.tracks.append(picture)
    if voices:
        timeline.tracks.append(_dialogue(plan, store, fps, reel_starts, voices, rt, tr))
    if mixes:
        timeline.tracks.append(_mix_track(plan, store, reel_starts, mixes, tr))
    return timeline


def _provenance(plan: Plan, placed: Any, job: Job) -> dict[str, Any]:
    shot = placed.shot
    meta: dict[str, Any] = {
        "shot": placed.id,
        "scene": placed.scene.id if placed.scene else placed.id,
        "segment": job.key,
        "take": job.inputs[0],
        "trim": int((job.params.get("span") or {}).get("first", 0)),
    }
    if shot is not None:
        meta.update(
            size=shot.size,
            move=shot.move,
            angle=shot.angle,
            kind=shot.kind,
            take_reason=plan.shots[shot.id].reason,
            line=shot.line,
        )
    for name, edge in (("fade_in", placed.head), ("fade_out", placed.tail)):
        if edge is not None and edge.kind == "fade":
            meta[name] = edge.frames
    return meta


def _dialogue(
    plan: Plan,
    store: Store,
    fps: int,
    reel_starts: dict[str, int],
    voices: dict[str, Path],
    rt: Any,
    tr: Any,
) -> otio.schema.Track:
    import opentimelineio as otio

    track = otio.schema.Track(name="Dialogue", kind=otio.schema.TrackKind.Audio)
    at = 0
    for key, label, place, head in _voice_placements(plan, store, fps, reel_starts):
        if place.start < at:
            continue  # overlapping lines (dual dialogue) would need a second track
        if place.start > at:
            track.append(otio.schema.Gap(source_range=tr(0, place.start - at)))
        artifact = store.get(key)
        length = round(float(artifact.meta["duration"]) * fps) + 1 if artifact else place.frames
        clip = otio.schema.Clip(
            name=label,
            media_reference=otio.schema.ExternalReference(
                target_url=voices[key].resolve().as_uri(),
                available_range=tr(0, max(length, head + place.frames)),
            ),
            source_range=tr(head, place.frames),
        )
        clip.metadata["cinecode"] = {"voice": key, "line": label}
        track.append(clip)
        at = place.start + place.frames
    return track


def _mix_track(
    plan: Plan, store: Store, reel_starts: dict[str, int], mixes: dict[str, Path], tr: Any
) -> otio.schema.Track:
    import opentimelineio as otio

    track = otio.schema.Track(name="Mix", kind=otio.schema.TrackKind.Audio)
    jobs = mix_jobs(plan)
    for reel_id in reel_starts:
        artifact = store.get(jobs[reel_id].key)
        assert artifact is not None
        frames = sum(int(f) for f in artifact.meta["frames"])
        clip = otio.schema.Clip(
            name=f"mix {reel_id}",
            media_reference=otio.schema.ExternalReference(
                target_url=mixes[reel_id].resolve().as_uri(), available_range=tr(0, frames)
            ),
            source_range=tr(0, frames),
        )
        clip.metadata["cinecode"] = {"reel": reel_id, "mix": artifact.key}
        track.append(clip)
    return track


@dataclass(frozen=True)
class Cell:
    """A shot (or card) of the built cut: where it starts, how long it holds."""

    placed: Any  # cinecode.departments.edit.Placed
    start: int
    frames: int
    segment: Job


def cells(plan: Plan, store: Store) -> list[Cell]:
    """Every shot of the built cut, in order, with its frames."""
    assert plan.arrangement is not None
    segments = segment_jobs(plan)
    artifacts = store.catalog.get_many(job.key for job in segments.values())
    out: list[Cell] = []
    at = 0
    for placed in plan.arrangement.placed:
        job = segments[placed.id]
        frames = int(artifacts[job.key].meta["frames"])
        out.append(Cell(placed, at, frames, job))
        at += frames
    return out


def record_start(project: Project) -> int:
    """The record frame of the film's first frame: `[export] start` (01:00:00:00 unless
    film.toml says otherwise), the same in every timeline, EDL, shot list and storyboard."""
    return project.config.export.start_frame(project.config.format.fps)


def timecode(frames: int, fps: int) -> str:
    """HH:MM:SS:FF (non-drop) of a record frame: OpenTimelineIO's SMPTE timecode at the rates
    SMPTE defines (24, 25, 30…), counted alike at the others (16 fps), wrapping at 24 hours."""
    import opentimelineio as otio

    if otio.opentime.RationalTime.is_valid_timecode_rate(fps):
        smpte: str = otio.opentime.to_timecode(otio.opentime.RationalTime(frames, fps), fps)
        return smpte
    seconds, ff = divmod(frames, fps)
    minutes, ss = divmod(seconds, 60)
    hours, mm = divmod(minutes, 60)
    return f"{hours % 24:02d}:{mm:02d}:{ss:02d}:{ff:02d}"
