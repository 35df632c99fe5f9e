"""Edit department: the cut — which shots, in which order, how long, joined how.

```
1. sequence: the screenplay's order (title, every shot, credits), or the editor's (cut.toml)
   reconciled with today's screenplay (new shots placed after their predecessor, vanished
   ones dropped, changed ones timed afresh; every decision that cannot be kept is a note)
2. transitions: the screenplay's (CUT TO:, DISSOLVE TO:, SMASH CUT TO:, FADE IN:, FADE OUT.)
   in the edit style, or the editor's
3. reels: runs of consecutive shots of one scene (a card is a reel of its own)
4. timing specs: each shot's timing (cinecode.departments.timing) with the style's breathing
   room and the editor's trim and length
```

Pure: `plan` calls `arrange` and turns the reels into segment, mix and reel jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from hashlib import sha256
from typing import Any, Literal

from cinecode.departments.timing import Spec
from cinecode.graph.keys import canonical
from cinecode.project.config import Project
from cinecode.project.cut import CARDS, Cut, Event, Transition, film_cards
from cinecode.script.model import Film, Scene, Shot

Style = Literal["continuity", "jump-cut"]

#: Breathing room of the jump-cut grammar (seconds): in on the first word, out on the last.
JUMP_TIMING = {"lead": 0.08, "gap": 0.1, "tail": 0.2}
#: Action shots without a stated duration hold this fraction of their reading time.
JUMP_HOLD = 0.75


@dataclass(frozen=True)
class Edge:
    """The part of a transition rendered into one side of a shot."""

    kind: Literal["dissolve", "fade"]
    frames: int  # frames of the transition on this side
    total: int  # frames of the whole transition
    offset: int  # where this side starts within the transition
    other: str = ""  # the shot on the other side (dissolve)


@dataclass(frozen=True)
class Placed:
    """One shot (or card) where the cut puts it."""

    id: str
    shot: Shot | None  # None for the cards: the opening notice, the title, the credits
    scene: Scene | None
    event: Event | None = None  # the editor's decision about it, when kept
    head: Edge | None = None
    tail: Edge | None = None


@dataclass(frozen=True)
class Reel:
    """A run of consecutive shots of one scene, or a card: one reel of the master."""

    id: str
    scene: Scene | None
    shots: tuple[Placed, ...]


@dataclass(frozen=True)
class Arrangement:
    """The film's cut, ready to plan."""

    reels: tuple[Reel, ...]
    transitions: tuple[Transition, ...]
    style: Style
    edited: bool  # the editor's cut (cut.toml) rather than the screenplay's
    notes: tuple[str, ...] = ()  # the editor's decisions that could not be kept

    @property
    def placed(self) -> list[Placed]:
        return [placed for reel in self.reels for placed in reel.shots]


def fingerprint(spec: Spec, voices: list[str]) -> str:
    """What an editor's trim depends on: the shot's natural timing and its voices."""
    return sha256(canonical({"spec": spec, "voices": voices})).hexdigest()[:16]


def written_timing(
    shot: Shot, scene: Scene, written: Mapping[str, tuple[Spec, tuple[str, ...]]], *, style: Style
) -> str:
    """What a shot's written length depends on: its styled timing and voices; for a scene's
    first shot, which carries the scene's padding (timing.padded_shot), the whole scene's."""
    shots = scene.shots if scene.shots and scene.shots[0].id == shot.id else (shot,)
    parts = [(styled(written[s.id][0], s, style=style), list(written[s.id][1])) for s in shots]
    return sha256(canonical(parts)).hexdigest()[:16]


def arrange(
    film: Film,
    project: Project,
    cut: Cut | None,
    *,
    fingerprints: dict[str, str],
    dissolves: bool = True,
) -> Arrangement:
    """The cut of the film: the screenplay's, or the editor's reconciled with the screenplay
    (`dissolves=False`: a branching film's scenes meet by cuts, whatever path joins them)."""
    style: Style = project.config.edit.style
    cards = film_cards(notice=project.config.provenance.notice)
    notice: list[tuple[str, Event | None]] = [("notice", None)] if "notice" in cards else []
    if cut is None:
        sequence: list[tuple[str, Event | None]] = [
            *notice,
            ("title", None),
            *((shot.id, None) for shot in film.shots),
            ("credits", None),
        ]
        transitions = screenplay_transitions(film, project)
        transitions = [t for t in transitions if dissolves or t.kind != "dissolve"]
        notes: list[str] = []
    else:
        sequence, notes = _reconcile(film, cut, fingerprints, notice=bool(notice))
        transitions, dropped = _kept_transitions(cut.transitions, [i for i, _ in sequence])
        notes.extend(dropped)
    heads: dict[str, Edge] = {}
    tails: dict[str, Edge] = {}
    for t in transitions:
        if t.kind == "dissolve":
            out_half = t.frames // 2
            tails[t.after] = Edge("dissolve", out_half, t.frames, 0, other=t.before)
            heads[t.before] = Edge("dissolve", t.frames - out_half, t.frames, out_half, t.after)
        elif t.kind == "fade-in":
            heads[t.before] = Edge("fade", t.frames, t.frames, 0)
        elif t.kind == "fade-out":
            tails[t.after] = Edge("fade", t.frames, t.frames, 0)
    scenes = {shot.id: scene for scene in film.scenes for shot in scene.shots}
    shots = {shot.id: shot for shot in film.shots}
    reels: list[Reel] = []
    runs: dict[str, int] = {}
    for shot_id, event in sequence:
        scene = scenes.get(shot_id)
        placed = Placed(
            shot_id, shots.get(shot_id), scene, event, heads.get(shot_id), tails.get(shot_id)
        )
        group = scene.id if scene else shot_id
        if reels and scene is not None and reels[-1].scene is scene:
            reels[-1] = replace(reels[-1], shots=(*reels[-1].shots, placed))
            continue
        runs[group] = runs.get(group, 0) + 1
        reel_id = group if runs[group] == 1 else f"{group}~{runs[group]}"
        reels.append(Reel(reel_id, scene, (placed,)))
    return Arrangement(tuple(reels), tuple(transitions), style, cut is not None, tuple(notes))


def _reconcile(
    film: Film, cut: Cut, fingerprints: dict[str, str], *, notice: bool = False
) -> tuple[list[tuple[str, Event | None]], list[str]]:
    """The editor's sequence against today's screenplay, and what could not be kept
    (`notice`: the opening notice card leads the film)."""
    notes: list[str] = []
    order = [*(["notice"] if notice else []), "title", *(shot.id for shot in film.shots)]
    order.append("credits")
    alive = set(order)
    sequence: list[tuple[str, Event | None]] = []
    for event in cut.events:
        if event.shot not in alive:
            notes.append(
                f"shot {event.shot} is no longer in the screenplay: its place in the edit is gone"
            )
            continue
        if event.shot in CARDS or not event.fingerprint:
            sequence.append((event.shot, event))
        elif fingerprints.get(event.shot) != event.fingerprint:
            notes.append(
                f"shot {event.shot} changed since the edit (its lines or timing): it keeps "
                "its place but not the editor's trim; trim it again if needed"
            )
            sequence.append((event.shot, None))
        else:
            sequence.append((event.shot, event))
    placed = {shot_id for shot_id, _ in sequence}
    for index, shot_id in enumerate(order):
        if shot_id in placed or shot_id in cut.removed:
            continue
        before = next((o for o in reversed(order[:index]) if o in placed), None)
        at = next(i for i, (s, _) in enumerate(sequence) if s == before) + 1 if before else 0
        sequence.insert(at, (shot_id, None))
        placed.add(shot_id)
        if shot_id not in CARDS:
            notes.append(
                f"shot {shot_id} is new since the edit: placed after "
                f"{before or 'the start'} at its natural length"
            )
    return sequence, notes


def _kept_transitions(
    transitions: tuple[Transition, ...], sequence: list[str]
) -> tuple[list[Transition], list[str]]:
    position = {shot_id: i for i, shot_id in enumerate(sequence)}
    kept: list[Transition] = []
    notes: list[str] = []
    for t in transitions:
        if t.kind == "dissolve":
            ok = (
                t.after in position
                and t.before in position
                and position[t.before] == position[t.after] + 1
            )
        elif t.kind == "fade-in":
            ok = t.before in position
        elif t.kind == "fade-out":
            ok = t.after in position
        else:
            ok = True
        if ok:
            kept.append(t)
        else:
            notes.append(
                f"the editor's {t.kind} {t.after or '…'} → {t.before or '…'} no longer joins "
                "those shots: dropped"
            )
    return kept, notes


def transition_kind(text: str) -> tuple[str, ...]:
    """What a screenplay transition renders as: ("dissolve",), ("fade-out", "fade-in"), ()."""
    words = text.upper()
    if "DISSOLVE" in words or "CROSSFADE" in words or "MIX TO" in words or "WIPE" in words:
        return ("dissolve",)
    if "FADE OUT" in words or "FADE TO BLACK" in words:
        return ("fade-out",)
    if "FADE IN" in words:
        return ("fade-in",)
    if "FADE TO" in words:
        return ("fade-out", "fade-in")
    return ()  # CUT TO:, SMASH CUT TO:, MATCH CUT TO:, JUMP CUT TO:


def screenplay_transitions(film: Film, project: Project) -> list[Transition]:
    """The screenplay's transitions between scenes, in the project's edit style.

    The jump-cut grammar keeps only the fades at the film's ends: every other join is a cut.
    """
    fps = project.config.format.fps
    dissolve = max(2, round(project.config.edit.dissolve * fps))
    fade = max(1, round(project.config.edit.fade * fps))
    jump = project.config.edit.style == "jump-cut"
    scenes = [s for s in film.scenes if s.shots]
    out: list[Transition] = []
    for index, scene in enumerate(scenes):
        first, last = scene.shots[0].id, scene.shots[-1].id
        prev = scenes[index - 1].shots[-1].id if index else ""
        kinds = transition_kind(scene.transition_in)
        if index == 0 and "fade-in" in kinds:
            out.append(Transition("fade-in", fade, before=first))
        elif index and not jump:
            if "dissolve" in kinds:
                out.append(Transition("dissolve", dissolve, after=prev, before=first))
            if "fade-out" in kinds:
                out.append(Transition("fade-out", fade, after=prev))
            if "fade-in" in kinds:
                out.append(Transition("fade-in", fade, before=first))
        if index == len(scenes) - 1 and "fade-out" in transition_kind(scene.transition_out):
            out.append(Transition("fade-out", fade, after=last))
    return out


def styled(base: Spec, shot: Shot | None, *, style: Style) -> Spec:
    """A shot's timing spec with the edit style's breathing room (no editor's decisions)."""
    spec: dict[str, Any] = dict(base)
    if style == "jump-cut" and shot is not None:
        if spec["n"]:
            spec.update(JUMP_TIMING)
        elif spec["fixed"] is not None and not (shot.directive and shot.directive.duration):
            spec["fixed"] = round(float(spec["fixed"]) * JUMP_HOLD, 3)
    return spec


def timing_for(placed: Placed, base: Spec, *, style: Style, fps: int) -> Spec:
    """A placed shot's timing spec: its own, the style's breathing room, the editor's cut."""
    spec = styled(base, placed.shot, style=style)
    event = placed.event
    if event is not None and event.frames is not None:
        spec["frames"] = event.frames
        if event.trim:
            spec["trim"] = round(event.trim / fps, 6)
    return spec


def span_for(placed: Placed) -> dict[str, int] | None:
    """Which frames of the shot's picture the cut shows: None for all of them."""
    event = placed.event
    if event is None or event.frames is None or (not event.trim and event.source is None):
        return None
    return {"first": event.trim, "basis": event.source or event.frames}


def as_screenplay(reel: Reel) -> bool:
    """Whether the editor left a reel as the screenplay cuts it: a card at its written length,
    or every shot of the scene, in order, each at its written length (its render is kept)."""
    events = [placed.event for placed in reel.shots]
    if not all(event is not None and event.written for event in events):
        return False
    if reel.scene is None:
        return True
    return [placed.id for placed in reel.shots] == [shot.id for shot in reel.scene.shots]


def _as_written(
    placed: Placed,
    source: Any,
    written: Mapping[str, tuple[Spec, tuple[str, ...]]] | None,
    *,
    style: Style,
    quantum: int,
) -> Any:
    """The source of a shot the editor left at its written length, as the screenplay's cut
    renders it (so its render is kept), while what that length depends on is unchanged: its
    own timing, or for the scene's first shot the scene's (see `written_timing`)."""
    scene, shot, event = placed.scene, placed.shot, placed.event
    if scene is None or shot is None or event is None or not written:
        return source
    if any(s.id not in written for s in scene.shots):
        return source
    if event.written != written_timing(shot, scene, written, style=style):
        return source
    if scene.shots[0].id != shot.id:
        own = styled(written[shot.id][0], shot, style=style)
        return replace(source, shots=[own], index=0, quantum=1, span=None)
    voices, shots = _scene_as_written(scene, written, style=style)
    return replace(source, voices=tuple(voices), shots=shots, index=0, quantum=quantum, span=None)


def _scene_as_written(
    scene: Scene, written: Mapping[str, tuple[Spec, tuple[str, ...]]], *, style: Style
) -> tuple[list[str], list[Spec]]:
    """A scene as the screenplay times it: all its shots' voices, in order, and their styled
    timing specs."""
    voices = [v for s in scene.shots for v in written[s.id][1]]
    return voices, [styled(written[s.id][0], s, style=style) for s in scene.shots]


def jumps_for(placed: Placed, *, style: Style) -> bool:
    """Whether the shot jump-cuts its framing on each new line (the jump-cut grammar)."""
    return style == "jump-cut" and placed.shot is not None and len(placed.shot.lines) > 1


def speaking_for(placed: Placed, picture: Any) -> tuple[str, ...]:
    """Whose mouth moves with each of the shot's lines ("" for a line heard off screen): on
    the animatic's keyframes only (picture: its cinecode.graph.job.Job), () when none moves."""
    shot = placed.shot
    if shot is None or picture is None or (picture.step, picture.backend) != ("keyframe", "sketch"):
        return ()
    speaking = tuple("" if line.offscreen else line.character for line in shot.lines)
    return speaking if any(speaking) else ()


# --- planning the cut's jobs ---------------------------------------------------------------


@dataclass(frozen=True)
class Material:
    """What planning chose for one shot or card: its take, voices, timing and camera."""

    picture: str
    voices: tuple[str, ...] = ()
    spec: Spec | None = None  # natural timing spec (None: a card)
    move: str = "static"
    seed: int = 0
    seconds: float = 0.0  # a card's length
    sound: str = ""  # a generated clip whose own audio the mix keeps ([motion] keep_audio)


@dataclass(frozen=True)
class ReelJobs:
    """One reel's segments and mix, its length modulo a quantum (known when the editor timed
    it) and its fades (segment index, "in" | "out", frames), which its sound follows."""

    id: str
    segments: list[str]
    mix: str
    residue: int
    fades: list[tuple[int, str, int]]
    stems: str = ""  # the reel's three stems (dialogue, music, effects)


@dataclass
class CutJobs:
    """The jobs of the cut, in order: reels (segments + mix), segments by shot, subtitles."""

    reels: list[ReelJobs]
    segments: dict[str, str]  # shot id → segment key
    subtitles: list[dict[str, Any]]
    voices: list[str]  # every voice in the cut, in order


def plan_cut(
    arrangement: Arrangement,
    material: dict[str, Material],
    *,
    film: Film,
    project: Project,
    graph: Any,
    written: dict[str, tuple[Spec, tuple[str, ...]]] | None = None,
    digests: Mapping[str, str] | None = None,
    isolated: bool = False,
) -> CutJobs:
    """Segments and mixes of every reel of the cut (graph: a cinecode.graph.job.Graph).

    `written` holds every shot's natural timing spec and voices (the film as written): a
    scene's score is composed to it, so an editor's cut never recomposes music. `isolated`:
    no sound crosses a reel's edges (a branching film's scenes meet in any order).
    """
    from cinecode.departments import finishing, mix, motion
    from cinecode.departments.motion import Side, Source
    from cinecode.departments.timing import padded_frames, padded_shot, spec
    from cinecode.media.clock import quantum_frames

    fmt = project.config.format
    quantum = quantum_frames(fmt.fps, fmt.sample_rate)
    style = arrangement.style
    # 1. every placed shot's timing and source, so each side of a transition can draw the other
    #    (what the editor left as written keeps the screenplay's timing, hence its render)
    specs: dict[str, list[Spec]] = {}
    voices: dict[str, tuple[str, ...]] = {}
    sources: dict[str, Source] = {}
    for reel in arrangement.reels:
        untouched = as_screenplay(reel)
        reel_specs: list[Spec] = []
        reel_voices: list[str] = []
        for placed in reel.shots:
            m = material[placed.id]
            if m.spec is None:  # a card
                base = spec(fixed=m.seconds)
                frames = placed.event.frames if placed.event and not untouched else None
                base = {**base, "frames": frames} if frames else base
            elif untouched:
                base = styled(m.spec, placed.shot, style=style)
            else:
                base = timing_for(placed, m.spec, style=style, fps=fmt.fps)
            reel_specs.append(base)
            reel_voices.extend(m.voices)
        specs[reel.id] = reel_specs
        voices[reel.id] = tuple(reel_voices)
        pad = padded_shot(reel_specs)
        for index, placed in enumerate(reel.shots):
            m = material[placed.id]
            # a shot's length: the padded one's hangs on the whole scene, any other's on its own
            whole = index == pad
            source = Source(
                picture=m.picture,
                voices=voices[reel.id] if whole else m.voices,
                shots=reel_specs if whole else [reel_specs[index]],
                index=index if whole else 0,
                move=m.move,
                seed=m.seed,
                quantum=quantum if whole else 1,
                span=None if untouched else span_for(placed),
                speaking=speaking_for(placed, graph.jobs.get(m.picture)),
            )
            if not untouched and placed.event is not None and placed.event.written:
                source = _as_written(placed, source, written, style=style, quantum=quantum)
            sources[placed.id] = source

    def side(edge: Edge | None) -> Side | None:
        if edge is None:
            return None
        other = sources.get(edge.other) if edge.other else None
        return Side(edge.kind, edge.frames, edge.total, edge.offset, other)

    # 2. segments, mixes and what the subtitles need, reel by reel
    jobs = CutJobs(reels=[], segments={}, subtitles=[], voices=[])
    sound: mix.SceneSound | None = None  # the sound before: what carries on into the next
    for reel in arrangement.reels:
        segments: list[str] = []
        for placed in reel.shots:
            m = material[placed.id]
            source = sources[placed.id]
            job = motion.plan_segment(
                shot_id=placed.id,
                scene_id=reel.id,
                picture=m.picture,
                voices=list(source.voices),
                shots=source.shots,
                index=source.index,
                quantum=source.quantum,
                move=m.move,
                seed=m.seed,
                project=project,
                span=source.span,
                head=side(placed.head),
                tail=side(placed.tail),
                jumps=jumps_for(placed, style=style),
                speaking=source.speaking,
            )
            jobs.segments[placed.id] = graph.add(job)
            # [finishing]: upscaled / interpolated for the master (the editor gets the clean one)
            segments.append(
                finishing.add(
                    graph,
                    job.key,
                    project=project,
                    label=placed.id,
                    shot=placed.id if placed.shot is not None else "",
                    scene=reel.id,
                    digests=digests,
                )
            )
        lines = [line for placed in reel.shots if placed.shot for line in placed.shot.lines]
        residue = sum(int(s["frames"]) for s in specs[reel.id] if s.get("frames") is not None)
        if reel.scene is None:  # a card: a silent reel of fixed length
            card = specs[reel.id][0]
            written_frames = padded_frames(float(card["fixed"]), fps=fmt.fps, quantum=quantum)
            frames = card.get("frames") or written_frames
            sound = mix.plan_card_sound(
                graph,
                card=reel.id,
                film=film,
                project=project,
                frames=frames,
                written=written_frames,
                previous=None if isolated else sound,
            )
            jobs.subtitles.append({"frames": frames})
            residue = frames
        else:
            as_written = None
            whole = {placed.id for placed in reel.shots} <= {s.id for s in reel.scene.shots}
            if written and whole and all(s.id in written for s in reel.scene.shots):
                as_written = _scene_as_written(reel.scene, written, style=style)
            sound = mix.plan_scene_sound(
                graph,
                scene=reel.scene,
                film=film,
                project=project,
                voices=list(voices[reel.id]),
                shots=specs[reel.id],
                previous=None if isolated else sound,
                placed=[placed.id for placed in reel.shots],
                name=reel.id,
                written=as_written,
                clips=[
                    (index, m.sound, float((sources[placed.id].span or {}).get("first", 0)))
                    for index, placed in enumerate(reel.shots)
                    if (m := material[placed.id]).sound
                ],
            )
            jobs.subtitles.append(
                {
                    "shots": specs[reel.id],
                    "speakers": [line.character for line in lines],
                    "texts": [line.text for line in lines],
                }
            )
            jobs.voices.extend(voices[reel.id])
        fades = [
            (index, where, edge.frames)
            for index, placed in enumerate(reel.shots)
            for where, edge in (("in", placed.head), ("out", placed.tail))
            if edge is not None and edge.kind == "fade"
        ]
        jobs.reels.append(
            ReelJobs(reel.id, segments, sound.mix, residue % quantum, fades, stems=sound.stems)
        )
    return jobs


def sound_offsets(residues: list[int], *, fps: int, rate: int) -> list[tuple[int, int]]:
    """Each reel's (offset, overhang) in samples: where its AAC frames start after its
    picture, and how far they run on past it (both 0 when every reel lasts whole quanta)."""
    from cinecode.media.clock import AAC_FRAME, samples_per_frame

    spf = samples_per_frame(fps, rate)
    out: list[tuple[int, int]] = []
    at = 0  # samples into the film, modulo one AAC frame
    for residue in residues:
        offset = (-at) % AAC_FRAME
        at = (at + residue * spf) % AAC_FRAME
        out.append((offset, (-at) % AAC_FRAME))
    return out
