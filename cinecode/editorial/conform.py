"""`cinecode conform FILM EDITED`: an editor's timeline becomes the film's cut (cut.toml).

```
1. plan the film as it is cut today and find each shot's editorial media (what was exported)
2. read the edited timeline with OpenTimelineIO's adapter for its format, counted from its own
   start timecode (01:00:00:00 or whatever the editing system set)
3. walk its picture track: each clip is a shot (by its cinecode metadata, its name or its
   media file's name) with the frames of that media it shows; transitions join them
4. write cut.toml: order, trims, lengths, removed shots, transitions (fades are kept from
   the cut as it was where the format cannot say them)
```
The picture leads: each shot's dialogue and sound follow it, so the audio tracks of the edited
timeline are not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinecode.errors import EditorialError
from cinecode.project.cut import CARDS, Cut, Event, Transition, film_cards, format_cut

if TYPE_CHECKING:
    import opentimelineio as otio

#: suffix → OpenTimelineIO adapter
READERS = {
    ".otio": "otio_json",
    ".otioz": "otioz",
    ".xml": "fcp_xml",
    ".fcpxml": "fcpx_xml",
    ".edl": "cmx_3600",
    ".kdenlive": "kdenlive",
}

#: adapters whose timelines carry transitions (the others keep the cut's dissolves)
CARRIES_TRANSITIONS = ("otio_json", "otioz", "fcp_xml", "cmx_3600")


@dataclass
class Conformed:
    path: Path
    shots: int
    removed: int
    trimmed: int
    transitions: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cut": str(self.path),
            "shots": self.shots,
            "removed": self.removed,
            "trimmed": self.trimmed,
            "transitions": self.transitions,
            "notes": self.notes,
        }


def read_timeline(path: Path, *, fps: int) -> otio.schema.Timeline:
    """Read an edited timeline with OpenTimelineIO's adapter for its suffix."""
    import opentimelineio as otio

    adapter = READERS.get(path.suffix.lower())
    if adapter is None:
        raise EditorialError(
            f"cannot read {path.name}: unknown timeline format",
            hint=f"export the edit as one of: {', '.join(READERS)}",
        )
    if not path.is_file():
        raise EditorialError(f"{path} does not exist", hint="give the edited timeline's path")
    options: dict[str, Any] = {"rate": fps} if adapter == "cmx_3600" else {}
    try:
        result = otio.adapters.read_from_file(str(path), adapter_name=adapter, **options)
    except Exception as exc:  # adapters raise many kinds
        raise EditorialError(
            f"OpenTimelineIO's {adapter} adapter could not read {path.name}: {exc}",
            hint="export the edit again from the editing system, or as OTIO",
        ) from exc
    if isinstance(result, otio.schema.SerializableCollection):
        timelines = [t for t in result if isinstance(t, otio.schema.Timeline)]
        if not timelines:
            raise EditorialError(f"{path.name} holds no timeline")
        result = timelines[0]
    if not isinstance(result, otio.schema.Timeline):
        raise EditorialError(f"{path.name} holds no timeline")
    if adapter == "fcpx_xml":
        _from_own_start(result, _fcpxml_start(path, fps), fps)
    return result


def _fcpxml_start(path: Path, fps: int) -> int:
    """The record frame an FCPXML's first project starts at: its sequence's `tcStart`."""
    from fractions import Fraction
    from xml.etree import ElementTree

    try:
        sequence = ElementTree.parse(path).find(".//project/sequence")
        value = sequence.get("tcStart", "0s") if sequence is not None else "0s"
        return round(Fraction(value.removesuffix("s")) * fps)
    except (ElementTree.ParseError, ValueError, ZeroDivisionError):
        return 0  # the adapter read it: its clips are what matter


def _from_own_start(timeline: otio.schema.Timeline, start: int, fps: int) -> None:
    """A timeline whose tracks hold their clips at record time (the fcpx_xml reader fills
    each track from 00:00:00:00 with a gap) made to count from its own start, as the other
    readers' timelines do; the start becomes its global start time."""
    import opentimelineio as otio

    timeline.global_start_time = otio.opentime.RationalTime(start, fps)
    for track in timeline.tracks:
        if not len(track) or not isinstance(track[0], otio.schema.Gap):
            continue
        left = _frames(track[0].duration(), fps) - start
        if left > 0:
            track[0].source_range = otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, fps), otio.opentime.RationalTime(left, fps)
            )
        else:
            del track[0]


@dataclass(frozen=True)
class _Geometry:
    """What was exported for a shot: its media's first frame in the move, and the move's
    length."""

    first: int
    basis: int
    frames: int  # its length in the cut as it is now


def _geometry(plan: Any, store: Any, handles: int) -> dict[str, _Geometry]:
    from cinecode.editorial.timeline import segment_jobs

    out: dict[str, _Geometry] = {}
    segments = segment_jobs(plan)
    artifacts = store.catalog.get_many(job.key for job in segments.values())
    for shot_id, job in segments.items():
        artifact = artifacts.get(job.key)
        if artifact is None:
            raise EditorialError(
                "the film has not been built as it is cut now",
                hint="run `cinecode make`, then conform again",
            )
        span = job.params.get("span") or {}
        frames = int(artifact.meta["frames"])
        first = int(span.get("first", 0))
        out[shot_id] = _Geometry(first - handles, span.get("basis") or frames, frames)
    return out


def _written_frames(session: Any, current: Any, store: Any) -> dict[str, int]:
    """How long each shot and card holds in the screenplay's cut (where its voices are built):
    a shot the editor leaves at that length keeps its render. Without a cut.toml, the current
    plan is the screenplay's; with one, the screenplay's is planned again (planning does no
    I/O)."""
    from dataclasses import replace

    from cinecode.departments.motion import segment_frames
    from cinecode.editorial.timeline import segment_jobs
    from cinecode.pipeline.plan import plan

    state = session.state
    screenplay = (
        current
        if state.cut is None
        else plan(session.film, session.project, replace(state, cut=None))
    )
    jobs = segment_jobs(screenplay)
    # a segment's inputs: its picture, then each of its shots' voices
    voices = {
        shot_id: job.inputs[1 : 1 + sum(int(s["n"]) for s in job.params["shots"])]
        for shot_id, job in jobs.items()
    }
    metas = {
        k: a.meta
        for k, a in store.catalog.get_many([k for ks in voices.values() for k in ks]).items()
    }
    out: dict[str, int] = {}
    for shot_id, job in jobs.items():
        if all(k in metas for k in voices[shot_id]):
            durations = [float(metas[k]["duration"]) for k in voices[shot_id]]
            out[shot_id] = segment_frames(job.params, durations)
    return out


def _shot_id(clip: Any, known: set[str]) -> str | None:
    """Which shot a clip is: its cinecode metadata, its name, or its media file's name."""
    meta = clip.metadata.get("cinecode")
    shot = meta.get("shot") if hasattr(meta, "get") else None
    if shot in known:
        return str(shot)
    name = (clip.name or "").strip()
    if name in known:
        return name
    token = name.split(" ")[0] if name else ""
    if token in known:
        return token
    reference = clip.media_reference
    url = getattr(reference, "target_url", "") or ""
    stem = Path(url.split("?")[0]).stem if url else ""
    if stem in known:
        return stem
    return None


def _frames(time: Any, fps: int) -> int:
    value: float = time.rescaled_to(fps).value
    return round(value)


def conform(project_path: Path, edited: Path) -> Conformed:
    """Read `edited` and write it as the project's cut.toml."""
    import opentimelineio as otio

    from cinecode.departments.edit import fingerprint, written_timing
    from cinecode.pipeline.plan import timing_spec, written_timings
    from cinecode.pipeline.session import Session
    from cinecode.project.files import write_atomic

    # 1. the cut as it is now, and what was exported for each shot
    session = Session.open(project_path)
    loaded, project, store = session.loaded, session.project, session.store
    fps = project.config.format.fps
    handles = project.config.edit.handles
    if store is None:
        raise EditorialError(
            "this film has never been built", hint="run `cinecode make` and export it first"
        )
    try:
        with session.locked(wait=True):
            current = session.plan
            geometry = _geometry(current, store, handles)
            written = _written_frames(session, current, store)
            timings = written_timings(current.shots)
            scenes = {shot.id: scene for scene in loaded.film.scenes for shot in scene.shots}
            style = project.config.edit.style
            # 2. the editor's timeline
            timeline = read_timeline(edited.expanduser().resolve(), fps=fps)
            tracks = timeline.video_tracks()
            if not tracks:
                raise EditorialError(f"{edited.name} has no picture track")
            cards = film_cards(notice=project.config.provenance.notice)
            known = {shot.id for shot in loaded.film.shots} | cards
            # 3. its picture track, clip by clip
            events: list[Event] = []
            transitions: list[Transition] = []
            notes: list[str] = []
            seen: set[str] = set()
            carried = _metadata_fades(tracks[0], known)
            pending: Any = None
            for item in tracks[0]:
                if isinstance(item, otio.schema.Transition):
                    pending = item
                    continue
                if isinstance(item, otio.schema.Gap):
                    if _frames(item.duration(), fps):
                        notes.append(
                            "a gap in the picture was closed up (cinecode cuts shot to shot)"
                        )
                    pending = None
                    continue
                if not isinstance(item, otio.schema.Clip):
                    continue
                shot_id = _shot_id(item, known)
                if shot_id is None:
                    notes.append(f"clip {item.name!r} is not a shot of this film: left out")
                    pending = None
                    continue
                if shot_id in seen:
                    notes.append(f"shot {shot_id} is used twice: only its first use is kept")
                    pending = None
                    continue
                seen.add(shot_id)
                source = item.source_range or item.available_range()
                start = _frames(source.start_time, fps)
                available = item.media_reference.available_range if item.media_reference else None
                if available is not None:
                    start -= _frames(available.start_time, fps)
                length = _frames(source.duration, fps)
                geo = geometry.get(shot_id)
                as_written = written.get(shot_id) == length
                if shot_id in CARDS or geo is None:
                    event = Event(shot=shot_id, frames=length, written="card" if as_written else "")
                else:
                    shot = loaded.film.shot(shot_id)
                    spec = timing_spec(shot)
                    voices = current.shots[shot_id].voices
                    trim = geo.first + start
                    as_written = as_written and trim == 0 and geo.basis == length
                    event = Event(
                        shot=shot_id,
                        trim=trim,
                        frames=length,
                        source=geo.basis,
                        fingerprint=fingerprint(spec, voices),
                        written=written_timing(shot, scenes[shot_id], timings, style=style)
                        if as_written
                        else "",
                    )
                if pending is not None and events:
                    total = _frames(pending.in_offset, fps) + _frames(pending.out_offset, fps)
                    if total > 0:
                        transitions.append(
                            Transition("dissolve", total, after=events[-1].shot, before=shot_id)
                        )
                pending = None
                events.append(event)
    finally:
        session.close()
    if not events:
        raise EditorialError(f"{edited.name} has no shots of this film on its picture track")
    # fades: from the timeline's metadata (OTIO), else as they were; dissolves as they were
    # where the format's adapter does not carry transitions
    fades = carried if carried is not None else _current_fades(current)
    transitions.extend(t for t in fades if (t.before or t.after) in seen)
    if READERS[edited.suffix.lower()] not in CARRIES_TRANSITIONS:
        assert current.arrangement is not None
        order = [e.shot for e in events]
        for t in current.arrangement.transitions:
            if t.kind == "dissolve" and _adjacent(order, t.after, t.before):
                transitions.append(t)
    removed = frozenset(known - seen)
    cut = Cut(tuple(events), removed, tuple(transitions), source=edited.name)
    # 4. cut.toml
    write_atomic(project.cut_path, format_cut(cut, fps=fps))
    trimmed = sum(
        1
        for e in events
        if e.shot in geometry
        and (e.frames != geometry[e.shot].frames or e.trim != geometry[e.shot].first + handles)
    )
    return Conformed(
        project.cut_path,
        shots=len([e for e in events if e.shot not in CARDS]),
        removed=len(removed - set(CARDS)),
        trimmed=trimmed,
        transitions=len(transitions),
        notes=notes,
    )


def _metadata_fades(track: Any, known: set[str]) -> list[Transition] | None:
    """Fades the clips' cinecode metadata states (None when the format kept no metadata)."""
    import opentimelineio as otio

    found = False
    out: list[Transition] = []
    for item in track:
        if not isinstance(item, otio.schema.Clip):
            continue
        meta = item.metadata.get("cinecode")
        if meta is None or meta.get("shot") not in known:
            continue
        found = True
        if meta.get("fade_in"):
            out.append(Transition("fade-in", int(meta["fade_in"]), before=str(meta["shot"])))
        if meta.get("fade_out"):
            out.append(Transition("fade-out", int(meta["fade_out"]), after=str(meta["shot"])))
    return out if found else None


def _adjacent(order: list[str], after: str, before: str) -> bool:
    return after in order and before in order and order.index(before) == order.index(after) + 1


def _current_fades(current: Any) -> list[Transition]:
    arrangement = current.arrangement
    return [t for t in arrangement.transitions if t.kind in ("fade-in", "fade-out")]
