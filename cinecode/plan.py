"""Planning: the film becomes a graph of jobs. Pure — no I/O — so it is fast and testable.

Every decision is made here (which take each shot uses, which jobs a scene needs); the
executor only compares keys with the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cinecode.backends.protocols import Cost, Voice
from cinecode.departments import clips, finishing, master, mix, motion, storyboard, titles, voice
from cinecode.graph.job import Graph, Job
from cinecode.media.audio import quantum_frames
from cinecode.model import Film, Scene, Shot
from cinecode.project import Project
from cinecode.timing import Spec, spec


@dataclass(frozen=True)
class TakeInfo:
    """A take already in the store (from the catalog)."""

    key: str
    seed: int | None
    version: str  # take_version of its params
    score: float | None = None


@dataclass(frozen=True)
class State:
    """What planning may know besides the film and project: files, takes, picks."""

    digests: Mapping[str, str] = field(default_factory=dict)  # user file path → sha256
    takes: Mapping[str, list[TakeInfo]] = field(default_factory=dict)  # shot id → takes
    picks: Mapping[str, str] = field(default_factory=dict)  # shot id → picked take key
    locked: frozenset[str] = frozenset()  # shots never regenerated
    voices: Mapping[str, Voice] = field(default_factory=dict)  # character → voice
    takes_wanted: int = 1  # make --takes N


@dataclass
class ShotPlan:
    shot: Shot
    picture: str  # the key of the take in the cut
    takes: list[str]  # keys of takes planned (generated if missing)
    voices: list[str]
    segment: str = ""
    reason: str = ""  # why this take: picked, locked, best score, first take, source


@dataclass
class Plan:
    film: Film
    graph: Graph
    shots: dict[str, ShotPlan]
    targets: dict[str, str]  # master, srt
    reels: list[str] = field(default_factory=list)

    def estimate(self, pending: set[str]) -> dict[str, Any]:
        """Estimated cost of the pending jobs, per department and in total."""
        per: dict[str, Cost] = {}
        for job in self.graph:
            if job.key in pending:
                per[job.department] = per.get(job.department, Cost()) + job.estimate
        total = sum(per.values(), Cost())
        return {
            "money": round(total.money, 4),
            "gpu_seconds": round(total.gpu_seconds, 2),
            "departments": {
                d: {"money": round(c.money, 4), "gpu_seconds": round(c.gpu_seconds, 2)}
                for d, c in sorted(per.items())
            },
        }


def take_version(params: Mapping[str, Any]) -> str:
    """What identifies a shot's version: its take params without the seed."""
    from hashlib import sha256

    from cinecode.graph.keys import canonical

    return sha256(canonical({k: v for k, v in params.items() if k != "seed"})).hexdigest()[:16]


def timing_spec(shot: Shot) -> Spec:
    """A shot's timing spec (see cinecode.timing)."""
    if shot.lines:
        return spec(
            voices=len(shot.lines), dual=[line.dual for line in shot.lines], minimum=shot.duration
        )
    return spec(fixed=shot.duration if shot.duration is not None else 2.0)


def _choose_picture(
    shot: Shot,
    scene: Scene,
    film: Film,
    project: Project,
    state: State,
    graph: Graph,
    *,
    previous: str | None = None,
) -> ShotPlan:
    if shot.kind == "source" and shot.directive and shot.directive.source:
        job = storyboard.plan_source(shot, scene, project, dict(state.digests))
        graph.add(job)
        return ShotPlan(shot, job.key, [job.key], [], reason="source")
    base = storyboard.base_seed(shot, project)
    planned = [
        storyboard.plan_take(shot, scene, film, project, seed=base + n, digests=dict(state.digests))
        for n in range(max(1, state.takes_wanted))
    ]
    # generated shots (issue 5): a video engine turns each keyframe take into a clip take
    planned = clips.plan_clips(
        shot, scene, film, project, planned, graph, state.digests, previous=previous
    )
    version = take_version(planned[0].params)
    existing = state.takes.get(shot.id, [])
    by_key = {t.key: t for t in existing}
    picked = state.picks.get(shot.id)
    if (
        picked
        and picked in by_key
        and (by_key[picked].version == version or shot.id in state.locked)
    ):
        return ShotPlan(
            shot, picked, [], [], reason="locked" if shot.id in state.locked else "picked"
        )
    if shot.id in state.locked and existing:
        return ShotPlan(shot, existing[-1].key, [], [], reason="locked")
    current = [t for t in existing if t.version == version]
    scored = [t for t in current if t.score is not None]
    for job in planned:
        graph.add(job)
    if scored:
        best = max(scored, key=lambda t: (t.score or 0.0, -(t.seed or 0)))
        return ShotPlan(shot, best.key, [j.key for j in planned], [], reason="best score")
    return ShotPlan(shot, planned[0].key, [j.key for j in planned], [], reason="first take")


def plan(film: Film, project: Project, state: State) -> Plan:
    """The whole build as a graph of jobs."""
    fmt = project.config.format
    quantum = quantum_frames(fmt.fps, fmt.sample_rate)
    graph = Graph()
    shots: dict[str, ShotPlan] = {}

    # 1. cards and every scene's pictures, voices and segments
    title_card = graph.add(titles.plan_title(film, project))
    reels: list[tuple[str, list[str], str]] = []  # (scene id, segment keys, mix key)
    subtitle_reels: list[dict[str, Any]] = []
    all_voices: list[str] = []

    def card_reel(scene_id: str, card: str, seconds: float) -> None:
        card_spec = [spec(fixed=seconds)]
        segment = graph.add(
            motion.plan_segment(
                shot_id=scene_id,
                scene_id=scene_id,
                picture=card,
                voices=[],
                shots=card_spec,
                index=0,
                move="static",
                seed=0,
                project=project,
            )
        )
        frames = _card_frames(seconds, fmt.fps, quantum)
        mix_key = graph.add(
            mix.plan_scene_mix(
                scene_id=scene_id,
                voices=[],
                shots=[],
                extensions=[],
                project=project,
                frames=frames,
            )
        )
        segment = finishing.add(graph, segment, project=project, label=scene_id, scene=scene_id)
        reels.append((scene_id, [segment], mix_key))
        subtitle_reels.append({"frames": frames})

    card_reel("title", title_card, titles.TITLE_SECONDS)
    used_generations: list[str] = []
    previous: str | None = None  # the last shot's picture (continuous action)
    for scene in film.scenes:
        specs = [timing_spec(shot) for shot in scene.shots]
        scene_voices: list[str] = []
        for shot in scene.shots:
            chosen = _choose_picture(shot, scene, film, project, state, graph, previous=previous)
            previous = chosen.picture
            keys = []
            for line in shot.lines:
                job = voice.plan_line(
                    line, state.voices.get(line.character, Voice()), film, project, scene=scene.id
                )
                keys.append(graph.add(job))
            chosen.voices = keys
            scene_voices.extend(keys)
            shots[shot.id] = chosen
            used_generations.extend(clips.made_of(graph, chosen.picture))
        segments = []
        for index, shot in enumerate(scene.shots):
            job = motion.plan_segment(
                shot_id=shot.id,
                scene_id=scene.id,
                picture=shots[shot.id].picture,
                voices=scene_voices,
                shots=specs,
                index=index,
                move=shot.move,
                seed=storyboard.base_seed(shot, project),
                project=project,
            )
            shots[shot.id].segment = graph.add(job)
            segments.append(
                finishing.add(
                    graph, job.key, project=project, label=shot.id, shot=shot.id, scene=scene.id
                )
            )
        extensions = [line.extension for shot in scene.shots for line in shot.lines]
        mix_key = graph.add(
            mix.plan_scene_mix(
                scene_id=scene.id,
                voices=scene_voices,
                shots=specs,
                extensions=extensions,
                project=project,
            )
        )
        reels.append((scene.id, segments, mix_key))
        subtitle_reels.append(
            {
                "shots": specs,
                "speakers": [line.character for shot in scene.shots for line in shot.lines],
                "texts": [line.text for shot in scene.shots for line in shot.lines],
            }
        )
        all_voices.extend(scene_voices)
        used_generations.extend(scene_voices)

    cast = [(name, state.voices[name].params.get("preset", "")) for name in state.voices]
    credits = graph.add(
        titles.plan_credits(
            film, project, cast=cast, made_with=list(dict.fromkeys(used_generations))
        )
    )
    card_reel("credits", credits, titles.CREDITS_SECONDS)

    # 2. reels (each with its neighbours' sound as context) and the master
    reel_keys: list[str] = []
    for index, (scene_id, segments, mix_key) in enumerate(reels):
        prev = reels[index - 1][2] if index > 0 else None
        nxt = reels[index + 1][2] if index + 1 < len(reels) else None
        reel_keys.append(
            graph.add(
                master.plan_reel(
                    scene_id=scene_id,
                    segments=segments,
                    mix=mix_key,
                    prev=prev,
                    next=nxt,
                    rate=fmt.sample_rate,
                )
            )
        )
    master_key = graph.add(master.plan_master(reel_keys, title=film.title))
    srt = graph.add(master.plan_subtitles(subtitle_reels, all_voices, fps=fmt.fps, quantum=quantum))
    graph.targets = {"master": master_key, "srt": srt}
    return Plan(film=film, graph=graph, shots=shots, targets=dict(graph.targets), reels=reel_keys)


def _card_frames(seconds: float, fps: int, quantum: int) -> int:
    from cinecode.timing import padded_frames

    return padded_frames(seconds, fps=fps, quantum=quantum)


def jobs_by_shot(plan: Plan) -> dict[str, list[Job]]:
    out: dict[str, list[Job]] = {}
    for job in plan.graph:
        if job.shot:
            out.setdefault(job.shot, []).append(job)
    return out
