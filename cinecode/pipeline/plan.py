"""Planning: the film becomes a graph of jobs. Pure — no I/O — so it is fast and testable.

Every decision is made here (which take each shot uses, which jobs a scene needs); the
executor only compares keys with the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cinecode.backends.protocols import Cost, Voice
from cinecode.departments import clip, edit, lipsync, master, storyboard, titles, voice
from cinecode.departments.engines import keeps_clip_audio
from cinecode.departments.timing import Spec, spec
from cinecode.graph.job import Graph, Job
from cinecode.media.clock import quantum_frames
from cinecode.pipeline import paths
from cinecode.project.config import Project
from cinecode.project.cut import Cut
from cinecode.project.picks import Choice
from cinecode.script.branching import Walk, story_of
from cinecode.script.model import Film, Scene, Shot


@dataclass(frozen=True)
class TakeInfo:
    """A take already in the store (from the catalog), with the job that made it."""

    key: str
    seed: int | None
    version: str  # take_version of its params
    score: float | None = None
    job: Job | None = None  # to put it back in a graph (its inputs are takes' own inputs)


@dataclass(frozen=True)
class State:
    """What planning may know besides the film and project: files, takes, picks."""

    digests: Mapping[str, str] = field(default_factory=dict)  # user file path → sha256
    takes: Mapping[str, list[TakeInfo]] = field(default_factory=dict)  # shot id → takes
    picks: Mapping[str, Choice] = field(default_factory=dict)  # shot id → director's choice
    voices: Mapping[str, Voice] = field(default_factory=dict)  # character → voice
    takes_wanted: int = 1  # make --takes N
    cut: Cut | None = None  # the editor's cut (cut.toml), None: the screenplay's
    path: tuple[str, ...] | None = None  # a branching film's options to take (make --path)


@dataclass
class ShotPlan:
    shot: Shot
    picture: str  # the key of the take in the cut
    takes: list[str]  # keys of takes planned (generated if missing)
    voices: list[str]
    segment: str = ""
    reason: str = ""  # why this take: picked, locked, first take, source
    synced: str = ""  # the key of its lip-synced clip, cut in place of `picture`
    lipsync: str = ""  # with [lipsync]: "synced", or why it is not

    @property
    def cut_picture(self) -> str:
        """The picture the edit cuts: the lip-synced clip, else the take."""
        return self.synced or self.picture


@dataclass
class Plan:
    film: Film
    graph: Graph
    shots: dict[str, ShotPlan]
    targets: dict[str, str]  # master, srt
    reels: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)  # each reel's scene stems (build/stems/)
    arrangement: edit.Arrangement | None = None  # the cut (cinecode.departments.edit)
    notes: list[str] = field(default_factory=list)  # editor's decisions that were not kept
    walk: Walk | None = None  # a branching film: the path its master plays
    lipsync: str = ""  # the [lipsync] engine's name ("" : none)

    @property
    def takes(self) -> list[str]:
        """Keys of every take the plan wants made (the ones in the cut and the extra takes)."""
        return list(dict.fromkeys(k for sp in self.shots.values() for k in sp.takes))

    @property
    def build_targets(self) -> list[str]:
        """What a make builds: the outputs and every wanted take."""
        return [*self.targets.values(), *self.takes, *(self.reels if self.walk else [])]

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


def take_version(params: Mapping[str, Any], source: Mapping[str, Any] | None = None) -> str:
    """What identifies a shot's version: its take's params without the seed (and, for a clip,
    the params of the keyframe it animates)."""
    from hashlib import sha256

    from cinecode.graph.keys import canonical

    recipe: dict[str, Any] = {k: v for k, v in portable(params).items() if k != "seed"}
    if source is not None:
        recipe["source"] = {k: v for k, v in portable(source).items() if k != "seed"}
    return sha256(canonical(recipe)).hexdigest()[:16]


def portable(params: Mapping[str, Any]) -> dict[str, Any]:
    """A take's params as keys hold them since job settings exist: catalogs written before
    also held where files and servers were (a workflow's path, reference images as [path,
    digest], a source file's path, servers, timeouts). Those takes are the same version as
    today's, so a pick, a lock or a paid take made before is kept, not made again."""
    from cinecode.departments.engines import FILE_PARAMS, RUN_SETTINGS

    out = dict(params)
    engine = out.get("backend_params")
    if isinstance(engine, dict):
        out["backend_params"] = {
            k: v
            for k, v in engine.items()
            if k not in RUN_SETTINGS and not (k in FILE_PARAMS and f"{k}_digest" in engine)
        }
    references = out.get("references")
    if isinstance(references, list):
        out["references"] = [r[1] if isinstance(r, list) and len(r) == 2 else r for r in references]
    if "digest" in out and "suffix" in out:  # a source take: its file's content, not its place
        out.pop("path", None)
    return out


def clip_source(
    params: Mapping[str, Any], inputs: tuple[str, ...], lookup: Callable[[str], Any]
) -> Mapping[str, Any] | None:
    """What a clip take was made from, for its version: its keyframe's params, or — for a
    continuous shot — the previous shot's picture. `lookup(key)` gives a job's params."""
    if not inputs:
        return None
    if params.get("continuous"):
        return {"from": inputs[0]}
    source: Mapping[str, Any] | None = lookup(inputs[0])
    return source


def chain_version(chain: list[Job]) -> str:
    """The version of a planned take (its last job), with what it is made from."""
    last = chain[-1]
    if last.step != "clip":
        return take_version(last.params)
    return take_version(
        last.params, clip_source(last.params, last.inputs, lambda _: chain[0].params)
    )


def timing_spec(shot: Shot) -> Spec:
    """A shot's timing spec (see cinecode.departments.timing)."""
    if shot.lines:
        return spec(
            voices=len(shot.lines), dual=[line.dual for line in shot.lines], minimum=shot.duration
        )
    return spec(fixed=shot.duration if shot.duration is not None else 2.0)


def written_timings(shots: Mapping[str, ShotPlan]) -> dict[str, tuple[Spec, tuple[str, ...]]]:
    """Every shot's natural timing spec and voices: the film as written (see
    `cinecode.departments.edit.written_timing`)."""
    return {sid: (timing_spec(sp.shot), tuple(sp.voices)) for sid, sp in shots.items()}


def plan_takes(
    shot: Shot,
    scene: Scene,
    film: Film,
    project: Project,
    state: State,
    *,
    seeds: list[int],
    prompt: str | None = None,
    previous: str | None = None,
) -> list[list[Job]]:
    """For each seed, the jobs that make one take of a shot, in order; the last is the take.

    A take is a keyframe, or — when the shot's motion backend generates video — a clip
    animated from its own keyframe, so that every take is a finished picture and picking
    among takes never generates anything. A continuous shot's clip starts from `previous`
    (the previous shot's picture) and has no keyframe.
    """
    video = clip.video_engine(shot, project, digests=state.digests) is not None
    continuous = bool(video and shot.directive and shot.directive.continuous and previous)
    chains = []
    for seed in seeds:
        if continuous:
            assert previous is not None
            chains.append(
                [
                    clip.plan_clip(
                        shot,
                        scene,
                        film,
                        project,
                        picture=previous,
                        seed=seed,
                        digests=state.digests,
                        continuous=True,
                    )
                ]
            )
            continue
        keyframe = storyboard.plan_take(
            shot,
            scene,
            film,
            project,
            seed=seed,
            digests=dict(state.digests),
            prompt=prompt,
            take=not video,
        )
        chain = [keyframe]
        if video:
            chain.append(
                clip.plan_clip(
                    shot,
                    scene,
                    film,
                    project,
                    picture=keyframe.key,
                    seed=seed,
                    digests=state.digests,
                )
            )
        chains.append(chain)
    return chains


def _use(take: TakeInfo, graph: Graph) -> str:
    """Put an existing take in the graph (alone: a chained take's keyframe is already made,
    and `Graph.needed_for` treats inputs outside the graph as made)."""
    if take.job is not None and take.key not in graph:
        graph.jobs.setdefault(take.key, take.job)
    return take.key


def resolve_take(reference: str, takes: list[TakeInfo]) -> TakeInfo | None:
    """The take a picks.toml id (a key prefix) names, if it is in the store."""
    if not reference:
        return None
    return next((t for t in takes if t.key.startswith(reference)), None)


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
    """Which take this shot uses: picked, locked, or its first take (made, or to make)."""
    if shot.kind == "source" and shot.directive and shot.directive.source:
        job = storyboard.plan_source(shot, scene, project, dict(state.digests))
        graph.add(job)
        return ShotPlan(shot, job.key, [job.key], [], reason="source")
    choice = state.picks.get(shot.id, Choice())
    existing = state.takes.get(shot.id, [])
    rejected = [t.key for t in existing if choice.rejects(t.key)]
    base = storyboard.base_seed(shot, project)
    first = plan_takes(shot, scene, film, project, state, seeds=[base], previous=previous)[0]
    version = chain_version(first)
    picked = resolve_take(choice.pick, existing)
    if (
        picked
        and picked.key not in rejected
        and (choice.locked or picked.version == version or choice.version == version)
    ):
        reason = "locked" if choice.locked else "picked"
        return ShotPlan(shot, _use(picked, graph), [], [], reason=reason)
    usable = [t for t in existing if t.key not in rejected]
    if choice.locked and usable:
        return ShotPlan(shot, _use(usable[-1], graph), [], [], reason="locked")
    # takes of the shot as it is now; make enough of them, skipping rejected seeds
    wanted = max(1, state.takes_wanted, shot.directive.takes or 1 if shot.directive else 1)
    rejected_seeds = {t.seed for t in existing if t.key in rejected}
    seeds = [
        seed
        for seed in range(base, base + wanted + len(rejected_seeds))
        if seed not in rejected_seeds
    ][:wanted]
    others = [seed for seed in seeds if seed != base]  # the first seed's take is planned
    planned = dict(
        zip(
            others,
            plan_takes(shot, scene, film, project, state, seeds=others, previous=previous),
            strict=True,
        )
    )
    planned[base] = first
    chains = [planned[seed] for seed in seeds]
    current = [t for t in usable if t.version == version]
    made = {t.seed: t for t in current}
    keys: list[str] = []
    for chain in chains:
        earlier = made.get(chain[-1].seed)
        if earlier is not None and earlier.key != chain[-1].key:
            keys.append(_use(earlier, graph))  # this take, keyed as an earlier cinecode did
            continue
        for job in chain:
            graph.add(job)
        keys.append(chain[-1].key)
    # the director decides: a shot never picked keeps its first take (the first seed make
    # plans that is made); new takes and their scores only propose (see `suggested`)
    kept = next((made[seed] for seed in seeds if seed in made), None)
    if kept is not None:
        return ShotPlan(shot, _use(kept, graph), keys, [], reason="first take")
    if current:
        return ShotPlan(shot, _use(current[0], graph), keys, [], reason="first take")
    return ShotPlan(shot, keys[0], keys, [], reason="first take")


def suggested(takes: list[TakeInfo], version: str) -> str | None:
    """The key of the best-scored take of the shot as it is now: a suggestion to the
    director, never a choice (only `pick` changes the cut)."""
    scored = [t for t in takes if t.version == version and t.score is not None]
    if not scored:
        return None
    return max(scored, key=lambda t: (t.score or 0.0, -(t.seed or 0))).key


def plan(film: Film, project: Project, state: State) -> Plan:
    """The whole build as a graph of jobs."""
    fmt = project.config.format
    quantum = quantum_frames(fmt.fps, fmt.sample_rate)
    graph = Graph()
    shots: dict[str, ShotPlan] = {}
    story = story_of(film)  # a branching film: every scene once, one path's master
    walked = paths.walk_of(story, state.path, edited=state.cut is not None)

    # 1. every shot's picture and voices, in the screenplay's order
    title_card = graph.add(titles.plan_title(film, project))
    previous: str | None = None  # the last shot's picture (continuous action)
    for scene in film.scenes:
        previous = previous if story is None else None  # a path may enter from anywhere
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
            shots[shot.id] = chosen
    sync = lipsync.engine(project, digests=state.digests)
    if sync is not None:  # [lipsync]: each synced shot's clip, with its voices
        for sp in shots.values():
            sp.lipsync = lipsync.decide(sp.shot, graph.jobs.get(sp.picture))
            if sp.lipsync == lipsync.SYNCED:
                sp.synced = graph.add(
                    lipsync.plan_lipsync(
                        sp.shot,
                        project,
                        clip=graph.jobs[sp.picture],
                        voices=sp.voices,
                        timing=timing_spec(sp.shot),
                        sync=sync,
                    )
                )

    # 2. the cut: the screenplay's, or the editor's (cut.toml), see cinecode.departments.edit
    fingerprints = (  # only an editor's cut is checked against them
        {sid: edit.fingerprint(timing_spec(sp.shot), sp.voices) for sid, sp in shots.items()}
        if state.cut is not None
        else {}
    )
    arrangement = edit.arrange(
        film, project, state.cut, fingerprints=fingerprints, dissolves=story is None
    )
    in_cut = [p.shot for p in arrangement.placed if p.shot is not None]
    used_generations = []
    for s in in_cut:
        picture = graph.jobs[shots[s.id].picture]
        # a clip's keyframe made the film too (a reused clip's keyframe is not in the graph:
        # it was made before, and the clip needs nothing of it now)
        used_generations += [
            k for k in picture.inputs if k in graph and graph.jobs[k].kind == "generate"
        ]
        used_generations += [picture.key, *shots[s.id].voices]
        used_generations += [shots[s.id].synced] if shots[s.id].synced else []
    # one generation per (step, backend, model) tells the credits what made the film, and
    # the cast is who speaks in the cut, in order of appearance, with the take that voiced them
    makers: dict[tuple[str, str, str], str] = {}
    for key in used_generations:
        job = graph.jobs[key]
        makers.setdefault((job.step, job.backend, str(job.params.get("model", ""))), key)
    cast: dict[str, tuple[str, str, str]] = {}
    for s in in_cut:
        for line, key in zip(s.lines, shots[s.id].voices, strict=True):
            job = graph.jobs[key]
            maker = makers[(job.step, job.backend, str(job.params.get("model", "")))]
            name = titles.voice_name(line.character, job, project)
            cast.setdefault(line.character, (line.character, name, maker))
    credits_job = titles.plan_credits(
        film,
        project,
        cast=list(cast.values()),
        made_with=list(makers.values()),
        camera=any(graph.jobs[shots[s.id].picture].step == "keyframe" for s in in_cut),
        scenes=bool(in_cut),
        digests=state.digests,
    )
    planned = {
        key: titles.Maker(step, backend, model) for (step, backend, model), key in makers.items()
    }
    material = {
        "title": edit.Material(title_card, seconds=titles.TITLE_SECONDS),
        "credits": edit.Material(
            graph.add(credits_job),
            seconds=titles.crawl_seconds(titles.credit_sections(credits_job.params, planned)),
        ),
    }
    if project.config.provenance.notice:  # the AI disclosure, before the title card
        material["notice"] = edit.Material(
            graph.add(titles.plan_notice(credits_job)), seconds=titles.NOTICE_SECONDS
        )
    keep_audio = keeps_clip_audio(project)
    for shot in in_cut:
        sp = shots[shot.id]
        material[shot.id] = edit.Material(
            sp.cut_picture,
            tuple(sp.voices),
            timing_spec(shot),
            shot.move,
            storyboard.base_seed(shot, project),
            sound=sp.picture if keep_audio and graph.jobs[sp.picture].step == "clip" else "",
        )
    cut = edit.plan_cut(
        arrangement,
        material,
        film=film,
        project=project,
        graph=graph,
        written=written_timings(shots),
        digests=state.digests,
        isolated=story is not None,
    )
    for shot_id, segment in cut.segments.items():
        if shot_id in shots:
            shots[shot_id].segment = segment
    offsets = edit.sound_offsets([r.residue for r in cut.reels], fps=fmt.fps, rate=fmt.sample_rate)
    reels = [(r.id, r.segments, r.mix) for r in cut.reels]
    subtitle_reels, all_voices = cut.subtitles, cut.voices

    # 2. reels (each with its neighbours' sound as context) and the master
    reel_keys: list[str] = []
    for index, (scene_id, segments, mix_key) in enumerate(reels):
        prev = reels[index - 1][2] if index > 0 and story is None else None
        nxt = reels[index + 1][2] if index + 1 < len(reels) and story is None else None
        reel, sound = master.plan_reel(
            scene_id=scene_id,
            segments=segments,
            mix=mix_key,
            prev=prev,
            next=nxt,
            rate=fmt.sample_rate,
            offset=offsets[index][0],
            overhang=offsets[index][1],
            fades=cut.reels[index].fades,
            edges=paths.edge_samples(fmt.sample_rate) if story is not None else 0,
        )
        graph.add(sound)
        reel_keys.append(graph.add(reel))
    played, stems = list(range(len(reel_keys))), [r.stems for r in cut.reels]
    if walked is not None:  # the path's reels, subtitles and stems
        played, subtitle_reels, all_voices = paths.on_path(
            walked, [r.id for r in cut.reels], subtitle_reels, all_voices
        )
        stems = [stems[i] for i in played]
        arrangement = paths.path_arrangement(arrangement, walked)
    master_key = graph.add(master.plan_master([reel_keys[i] for i in played], title=film.title))
    srt = graph.add(master.plan_subtitles(subtitle_reels, all_voices, fps=fmt.fps, quantum=quantum))
    graph.targets = {"master": master_key, "srt": srt}
    return Plan(
        film=film,
        graph=graph,
        shots=shots,
        targets=dict(graph.targets),
        reels=reel_keys,
        stems=stems,
        arrangement=arrangement,
        notes=[*arrangement.notes, *_lipsync_notes(shots, project)],
        walk=walked,
        lipsync=section.backend if (section := lipsync.active(project)) else "",
    )


def _lipsync_notes(shots: Mapping[str, ShotPlan], project: Project) -> list[str]:
    """With [lipsync] and no shot to sync: why (make says it; never a silent no-op)."""
    section = lipsync.active(project)
    if section is None or any(sp.synced for sp in shots.values()):
        return []
    reasons = [sp.lipsync for sp in shots.values() if sp.shot.lines and sp.lipsync]
    return [lipsync.nothing_to_sync(section.backend, reasons)]


def jobs_by_shot(plan: Plan) -> dict[str, list[Job]]:
    out: dict[str, list[Job]] = {}
    for job in plan.graph:
        if job.shot:
            out.setdefault(job.shot, []).append(job)
    return out
