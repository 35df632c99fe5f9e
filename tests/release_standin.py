"""A stand-in for `cinecode.project.releases` (the manifest API agreed with the releases
branch) until it lands: the same names and fields, built from a built project's plan and
catalog, held in memory. Only the publishing tests use it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from cinecode.pipeline.session import Session


@dataclass(frozen=True)
class Media:
    key: str
    object: str
    ext: str


@dataclass(frozen=True)
class ReleasedShot:
    id: str
    scene: str
    start: float
    duration: float
    segment: Media
    take: Media | None
    backend: str
    seed: int | None
    source_line: int
    text: str
    edit: str


@dataclass(frozen=True)
class ReleasedScene:
    id: str
    heading: str
    start: float
    duration: float
    reel: Media


@dataclass(frozen=True)
class Release:
    version: str
    notes: str
    created: str
    title: str
    duration: float
    cost: float
    screenplay: str
    picks: dict[str, str]
    scenes: tuple[ReleasedScene, ...]
    shots: tuple[ReleasedShot, ...]
    master: Media
    subtitles: Media | None
    credits: tuple[str, ...]


def _seconds(path: Path) -> Fraction:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        packets = [p for p in container.demux(stream) if p.size and p.pts is not None]
        start = min(p.pts or 0 for p in packets)
        end = max((p.pts or 0) + (p.duration or 0) for p in packets)
        return (end - start) * Fraction(stream.time_base or 0)


def release_of(project: Path, version: str, notes: str = "", created: str = "") -> Release:
    """The current build of `project` as a release (it must be built)."""
    with Session.open(project) as session:
        store = session.require_store()
        plan = session.plan
        jobs = plan.graph.jobs
        placed = {}
        headings = {}
        if plan.arrangement is not None:
            for reel in plan.arrangement.reels:
                if reel.scene is not None:
                    headings[reel.id] = reel.scene.heading
                for shot in reel.shots:
                    placed[shot.id] = shot.shot

        def media(key: str) -> Media:
            artifact = store.get(key)
            assert artifact is not None, f"{jobs[key].label} is not built"
            return Media(key, artifact.object, artifact.ext)

        scenes: list[ReleasedScene] = []
        shots: list[ReleasedShot] = []
        at = Fraction(0)
        for reel_key in plan.reels:
            reel = jobs[reel_key]
            scene_id = reel.scene or reel.label.removeprefix("reel ")
            scene_start = at
            for key in reel.inputs[: reel.params["segments"]]:
                job = jobs[key]
                shot_id = job.shot or job.label.removeprefix("segment ")
                seconds = _seconds(store.path(store.get(key)))  # type: ignore[arg-type]
                model = placed.get(shot_id)
                text = ""
                line = 0
                if model is not None:
                    text = model.action + "|" + "|".join(ln.text for ln in model.lines)
                    line = model.line
                shots.append(
                    ReleasedShot(
                        id=shot_id,
                        scene=scene_id,
                        start=float(at),
                        duration=float(seconds),
                        segment=media(key),
                        take=None,
                        backend=job.backend,
                        seed=job.seed,
                        source_line=line,
                        text=hashlib.sha256(text.encode()).hexdigest(),
                        edit="",
                    )
                )
                at += seconds
            scenes.append(
                ReleasedScene(
                    id=scene_id,
                    heading=headings.get(scene_id, scene_id.title()),
                    start=float(scene_start),
                    duration=float(at - scene_start),
                    reel=media(reel_key),
                )
            )
        srt = plan.targets.get("srt")
        return Release(
            version=version,
            notes=notes,
            created=created or "2026-12-07T00:00:00Z",
            title=session.film.title,
            duration=float(at),
            cost=0.0,
            screenplay="",
            picks={},
            scenes=tuple(scenes),
            shots=tuple(shots),
            master=media(plan.targets["master"]),
            subtitles=media(srt) if srt else None,
            credits=("Written by The tests", "Voices: piper"),
        )


def resolver(project: Path):  # type: ignore[no-untyped-def]
    """A function finding a released object's file in the project's store."""
    session = Session.open(project)
    store = session.require_store()

    def resolve(m: Media) -> Path:
        artifact = store.get(m.key)
        assert artifact is not None
        return store.path(artifact)

    return resolve
