"""Mix department: each scene's finished sound, as three stems, at its exact length.

Per scene (and per card), planned by `plan_scene_sound` / `plan_card_sound`:

```
music cue ─┐  (departments.music)       previous scene's cue ─┐ (its tail rings on here)
ambience ──┤  (departments.sfx)         previous scene's bed ─┤ (a short crossfade)
spots ─────┤                            previous scene's voices (its length) ─┘
voices ────┴─▶ scene-stems (6 channels: dialogue, music, effects) ─▶ scene-mix (stereo)
all scenes' stems ─▶ stem × 3 (build/stems/dialogue.wav, music.wav, effects.wav)
```

The scene stems job, in order:
1. timeline: shots and voices from `cinecode.departments.timing` (the same frames as the picture)
2. dialogue bus: each voice where the timing puts it; (V.O.) close and dry (compressed, a
   little presence), (O.S.) filtered (300 Hz-3 kHz), quieter and in a room, off to the side;
   dual dialogue overlaps (the timing starts it over the previous voice), panned apart;
   on-screen voices get a touch of room indoors
3. ducking: from the exact speech spans (the voices' phrase timings), a gain curve with a
   look-ahead, a smooth attack (80 ms) and release (500 ms): the score drops `duck` dB
   (10), the ambience `duck_ambience` dB (6) while someone speaks
4. music bus: the cue brought to a reference loudness, faded in by the transition in; the
   previous scene's tail rings on and fades (none after SMASH CUT or FADE OUT)
5. effects bus: the ambience loop repeated under the scene, cross-faded with the previous
   scene's bed, and (`[motion] keep_audio = "ambience"`) each generated clip's own sound
   under its shot, CLIP_AUDIO dB down, ducked with the bed under the dialogue; spot effects
   at their beats (not ducked: they are story)
6. scene fades: FADE OUT. fades all three buses; the film's end fades out
7. loudness: the scene's integrated loudness (BS.1770, gated) is brought to the target
   (boosts limited to +6 dB: a quiet scene stays quiet); then one true-peak limiter gain
   curve, computed on the sum, is applied to each stem, so the stems sum exactly to the mix

Why per-scene normalization lands the film on target: the film's gated loudness is the
power mean of its 400 ms blocks; when every scene's own gated mean is the target, the film's
is too, to within the few blocks that one gate keeps and the other drops (measured on the
bundled example: see docs/sound.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from cinecode.departments import music, sfx
from cinecode.departments.mood import Mood, scene_mood
from cinecode.departments.timing import SceneTime, Spec, clock, scene_time, split, voice_windows
from cinecode.graph.executor import Context, Input, Output
from cinecode.graph.job import Graph, Job, Step
from cinecode.media.audio import Audio, db_to_gain, quantum_frames, read_audio, write_audio
from cinecode.media.dsp import add_at, fade_in, fade_out, pan
from cinecode.media.loudness import integrated, limiter_gain, momentary_max
from cinecode.media.window import windowed
from cinecode.project.config import Project
from cinecode.script.model import Film, Scene

SCENE_STEMS = Step("scene-stems", 3, "render", "mix", "wav")
SCENE_MIX = Step("scene-mix", 2, "render", "mix", "wav")
BUSES = ("dialogue", "music", "effects")

MUSIC_LEVEL = -21.0  # LUFS a cue's body is brought to before the bus level and ducking
DIALOGUE_GAIN = 4.0  # dB on the voices (the speech backend speaks around -20 dBFS)
MAX_BOOST = 6.0  # dB: the most a quiet scene is raised towards the target
CARD_OFFSET = -2.0  # LU: title and credits sit a little under the film
AAC_MARGIN = 1.0  # dB kept under the ceiling for the AAC encoder's overshoot
DUAL_PAN = 0.3  # how far apart dual dialogue is panned (-1 left … 1 right)
FADE_OUT = 2.5  # seconds of FADE OUT.
END_FADE = 3.0  # seconds of the film's last fade
#: by the transition into a scene: (seconds the score fades in, seconds beds cross-fade)
ENTER = {
    "cut": (1.2, 0.4),
    "dissolve": (3.0, 2.0),
    "fade-in": (2.5, 2.5),
    "smash": (0.0, 0.0),
    "fade-out": (1.5, 1.5),
    "start": (1.0, 1.0),
}
#: spot effects whose beat the score accents, and the moods that accent
CLIP_AUDIO = -12.0  # dB: a generated clip's own sound under its shot ([motion] keep_audio)
CUT_FADE = 1.0  # seconds a cue fades out where the editor cut its scene short
HIT_KINDS = ("thunder", "gunshot", "explosion", "glass", "door", "impact", "bump")
HIT_MOODS = ("ominous", "tense", "action", "triumphant", "mysterious")


@dataclass(frozen=True)
class SceneSound:
    """The sound jobs of one scene or card, and what the next scene needs from them."""

    name: str
    mix: str
    stems: str
    voices: tuple[str, ...] = ()
    clock: dict[str, Any] = field(default_factory=dict)
    cue: str | None = None
    tail: float = 0.0
    bed: str | None = None
    bed_level: float = 0.0
    leave: str = "cut"


def _mix_settings(project: Project, *, offset: float = 0.0) -> dict[str, Any]:
    m = project.config.mix
    return {
        "target": m.target_lufs,
        "ceiling": m.ceiling,
        "offset": offset,
        "dialogue": m.dialogue,
        "music": m.music,
        "effects": m.effects,
        "duck": m.duck,
        "duck_ambience": m.duck_ambience,
    }


def _scores(project: Project) -> bool:
    return project.config.music.backend != "none"


def _effects(project: Project) -> bool:
    return project.config.effects.backend != "none"


def plan_scene_sound(
    graph: Graph,
    *,
    scene: Scene,
    film: Film,
    project: Project,
    voices: list[str],
    shots: list[Spec],
    previous: SceneSound | None,
    placed: list[str] | None = None,
    name: str | None = None,
    written: tuple[list[str], list[Spec]] | None = None,
    clips: list[tuple[int, str, float]] | None = None,
) -> SceneSound:
    """Plan a scene's cue, ambience, spot effects, stems and mix; return its SceneSound.

    `placed` are the ids of the scene's shots in the reel, in the cut's order (the editor may
    have removed or moved some; default: the screenplay's); `name` names the reel. `written`
    (voices, timing specs) is the scene as written: its cue is composed to that, so an
    editor's trims and removals cut the cue in the mix but never recompose it. `clips` are
    the generated clips whose own sound the effects bus keeps: (index of the shot in the
    reel, the clip's key, the first frame of it the cut shows).
    """
    cue_voices, cue_shots = written or (voices, [natural(s) for s in shots])
    name = name or scene.id
    order = placed if placed is not None else [shot.id for shot in scene.shots]
    leave = music.transition_kind(scene.transition_out)
    enter = previous.leave if previous else "start"
    scene_clock = clock(shots=shots)
    mood = scene_mood(scene)
    written_spots = sfx.scene_spots(scene) if _effects(project) else []
    spots = _placed_spots(scene, order, written_spots)
    cue: str | None = None
    if _scores(project) and not mood.silent:
        # accents on the cue's own clock: the scene as written, or the reel's shots
        cue_spots = written_spots if written else spots
        hits = [
            (s.shot, s.at)
            for s in cue_spots
            if s.source == "directive" and s.kind in HIT_KINDS and mood.mood in HIT_MOODS
        ]
        cue = graph.add(
            music.plan_cue(
                name=name,
                mood=mood,
                voices=cue_voices,
                clock=clock(shots=cue_shots),
                leave=leave,
                hits=hits,
                project=project,
                scene=scene.id,
            )
        )
    bed_key: str | None = None
    bed_level = 0.0
    if _effects(project):
        bed = sfx.scene_bed(scene, film)
        bed_key = graph.add(
            sfx.plan_bed(bed, location=scene.location, project=project, scene=scene.id)
        )
        bed_level = bed.level
    space = "room" if scene.setting == "int" else "open"
    spot_keys = [
        graph.add(sfx.plan_spot(s, space=space, project=project, scene=scene.id)) for s in spots
    ]
    by_id = {shot.id: shot for shot in scene.shots}
    lines = [
        {"ext": line.extension, "dual": line.dual}
        for shot_id in order
        if shot_id in by_id
        for line in by_id[shot_id].lines
    ]
    stems = graph.add(
        _plan_stems(
            name=name,
            project=project,
            voices=voices,
            scene_clock=scene_clock,
            lines=lines,
            space=scene.setting,
            cue=cue,
            bed=bed_key,
            bed_level=bed_level,
            spots=[(key, s) for key, s in zip(spot_keys, spots, strict=True)],
            enter=enter,
            leave=leave,
            previous=previous,
            offset=0.0,
            clips=clips or [],
        )
    )
    mix_key = graph.add(plan_scene_mix(stems, name=name, project=project))
    return SceneSound(
        name=name,
        mix=mix_key,
        stems=stems,
        voices=tuple(voices),
        clock=scene_clock,
        cue=cue,
        tail=music.tail_seconds(leave) if cue else 0.0,
        bed=bed_key,
        bed_level=bed_level,
        leave=leave,
    )


EDITOR_KEYS = ("trim", "frames")


def natural(shot: Spec) -> Spec:
    """A shot's timing spec without the editor's decisions (trims, set lengths)."""
    return {k: v for k, v in shot.items() if k not in EDITOR_KEYS}


def _placed_spots(scene: Scene, order: list[str], written: list[sfx.Spot]) -> list[sfx.Spot]:
    """The scene's spot effects (`written`: its `sfx.scene_spots`) on the shots the cut
    keeps, indexed by their place in it."""
    position = {shot_id: index for index, shot_id in enumerate(order)}
    spots = []
    for spot in written:
        shot_id = scene.shots[spot.shot].id
        if shot_id in position:
            spots.append(replace(spot, shot=position[shot_id]))
    return spots


def plan_card_sound(
    graph: Graph,
    *,
    card: str,
    film: Film,
    project: Project,
    frames: int,
    written: int,
    previous: SceneSound | None,
) -> SceneSound:
    """The sound of the title card (the main title theme, in the first scene's mood, ringing
    into it) or the end credits (in the last scene's mood, fading out at the end). The cue is
    composed to the card's `written` length: an editor's trim (`frames`) only cuts it. The
    opening notice is silent, and cuts to the title."""
    title = card == "title"
    scenes = film.scenes
    source = scenes[0] if title and scenes else (scenes[-1] if scenes else None)
    mood = scene_mood(source) if source else Mood("calm", "", "inferred")
    if mood.silent:
        mood = Mood("calm", mood.words, mood.source)
    mood = Mood(
        mood.mood,
        f"main title: {mood.words}" if title else f"end credits: {mood.words}",
        mood.source,
    )
    leave = (
        music.transition_kind(scenes[0].transition_in or "FADE IN:") if title and scenes else "end"
    )
    if card == "notice":
        leave = "cut"
    enter = previous.leave if previous else "start"
    card_clock = clock(frames=frames)
    cue: str | None = None
    if _scores(project) and card != "notice":
        cue = graph.add(
            music.plan_cue(
                name=card,
                mood=mood,
                voices=[],
                clock=clock(frames=written),
                leave=leave,
                hits=[],
                project=project,
                scene=card,
            )
        )
    stems = graph.add(
        _plan_stems(
            name=card,
            project=project,
            voices=[],
            scene_clock=card_clock,
            lines=[],
            space="card",
            cue=cue,
            bed=None,
            bed_level=0.0,
            spots=[],
            enter=enter,
            leave=leave,
            previous=previous,
            offset=CARD_OFFSET,
        )
    )
    mix_key = graph.add(plan_scene_mix(stems, name=card, project=project))
    return SceneSound(
        name=card,
        mix=mix_key,
        stems=stems,
        clock=card_clock,
        cue=cue,
        tail=music.tail_seconds(leave) if cue else 0.0,
        leave=leave,
    )


def _plan_stems(
    *,
    name: str,
    project: Project,
    voices: list[str],
    scene_clock: dict[str, Any],
    lines: list[dict[str, Any]],
    space: str,
    cue: str | None,
    bed: str | None,
    bed_level: float,
    spots: list[tuple[str, sfx.Spot]],
    enter: str,
    leave: str,
    previous: SceneSound | None,
    offset: float,
    clips: list[tuple[int, str, float]] | None = None,
) -> Job:
    fmt = project.config.format
    prev_tail = previous is not None and previous.cue is not None and previous.tail > 0
    prev_bed = (
        previous is not None
        and previous.bed is not None
        and bed is not None
        and ENTER.get(enter, ENTER["cut"])[1] > 0
    )
    prev_voices = list(previous.voices) if previous is not None and prev_bed else []
    params: dict[str, Any] = {
        "rate": fmt.sample_rate,
        "fps": fmt.fps,
        "quantum": quantum_frames(fmt.fps, fmt.sample_rate),
        "clock": scene_clock,
        "lines": lines,
        "space": space,
        "music": cue is not None,
        "prev_music": prev_tail,
        "bed": {"level": bed_level} if bed else None,
        "prev_bed": {"level": previous.bed_level, "clock": previous.clock}
        if prev_bed and previous is not None
        else None,
        "prev_voices": len(prev_voices),
        "spots": [{"shot": s.shot, "at": s.at, "level": s.level, "kind": s.kind} for _, s in spots],
        "enter": enter,
        "leave": leave,
        "mix": _mix_settings(project, offset=offset),
    }
    if clips:  # only then: the stems of a film that keeps no clip's sound keep their keys
        params["clip_audio"] = [{"shot": index, "first": first} for index, _, first in clips]
    inputs = (
        *voices,
        *prev_voices,
        *([cue] if cue else []),
        *([previous.cue] if prev_tail and previous is not None and previous.cue else []),
        *([bed] if bed else []),
        *([previous.bed] if prev_bed and previous is not None and previous.bed else []),
        *(key for _, key, _ in clips or []),
        *(key for key, _ in spots),
    )
    return SCENE_STEMS.job(params, tuple(inputs), label=f"stems {name}", scene=name)


def plan_scene_mix(stems: str, *, name: str, project: Project) -> Job:
    """The scene's stereo mix: its three stems summed (what the reel encodes)."""
    params = {"rate": project.config.format.sample_rate}
    return SCENE_MIX.job(params, (stems,), label=f"mix {name}", scene=name)


# --- running ---------------------------------------------------------------------------------


def run_scene_stems(job: Job, ctx: Context) -> Output:
    """Mix one scene into its three stems (see the module doc for the steps)."""
    p = job.params
    rate, mix = p["rate"], p["mix"]
    inputs = list(ctx.inputs)

    def take(count: int) -> list[Input]:
        taken, inputs[:count] = inputs[:count], []
        return taken

    voices = take(len(p["lines"]))
    prev_voices = take(p["prev_voices"])
    cue = take(1)[0] if p["music"] else None
    prev_cue = take(1)[0] if p["prev_music"] else None
    bed = take(1)[0] if p["bed"] else None
    prev_bed = take(1)[0] if p["prev_bed"] else None
    clips = take(len(p.get("clip_audio", [])))
    spots = inputs
    # 1. timeline
    timeline = _time(p, p["clock"], voices)
    n = timeline.samples
    # 2. dialogue
    windows = _windows(p, voices, timeline)
    dialogue, speech = dialogue_bus(
        voices, timeline.voice_starts, p["lines"], p["space"], rate, n, windows=windows
    )
    dialogue = ride_dialogue(dialogue, rate) * db_to_gain(DIALOGUE_GAIN + mix["dialogue"])
    ctx.check()
    # 3. ducking
    duck_music = duck_curve(speech, n, rate, depth=mix["duck"])
    duck_bed = duck_curve(speech, n, rate, depth=mix["duck_ambience"])
    # 4. music
    enter_music, enter_bed = ENTER.get(p["enter"], ENTER["cut"])
    score = np.zeros((2, n), np.float32)
    if cue is not None:
        score += music_body(cue, n, rate, fade=enter_music, level=MUSIC_LEVEL + mix["music"])
    if prev_cue is not None:
        score += music_tail(prev_cue, n, rate, level=MUSIC_LEVEL + mix["music"])
    score *= duck_music
    ctx.check()
    # 5. effects
    effects = np.zeros((2, n), np.float32)
    if bed is not None:
        loop = read_audio(bed.path, rate=rate, channels=2)
        bed_db = p["bed"]["level"] + mix["effects"]
        effects += bed_loop(loop, n, 0, bed_db, rate) * fade_in(n, round(enter_bed * rate))
    if prev_bed is not None:
        previous = _time(p, p["prev_bed"]["clock"], prev_voices)
        length = min(n, round(enter_bed * rate))
        loop = read_audio(prev_bed.path, rate=rate, channels=2)
        bed_db = p["prev_bed"]["level"] + mix["effects"]
        carry = bed_loop(loop, length, previous.samples, bed_db, rate)
        add_at(effects, carry * fade_out(length, length), 0)
    for clip, placed in zip(clips, p.get("clip_audio", []), strict=True):
        clip_sound(
            effects,
            clip,
            placed,
            timeline,
            p["fps"],
            rate,
            gain_db=mix["effects"],
            workdir=ctx.workdir,
        )
    effects *= duck_bed
    for source, spot in zip(spots, p["spots"], strict=True):
        place_spot(
            effects,
            read_audio(source.path, rate=rate, channels=2),
            spot,
            timeline,
            rate,
            gain_db=mix["effects"],
        )
    ctx.check()
    # 6. scene fades and hard stops
    stems = np.stack([dialogue, score, effects])  # (3, 2, n)
    if p["leave"] in ("fade-out", "end"):
        stems *= fade_out(
            n, round(min(FADE_OUT if p["leave"] == "fade-out" else END_FADE, n / rate / 3) * rate)
        )
    elif p["leave"] == "smash":
        stems[1:] *= fade_out(n, round(0.008 * rate))
    # 7. loudness, then one limiter curve for all stems
    gain, curve, loudness = level(
        stems.sum(axis=0),
        rate,
        target=mix["target"] + mix["offset"],
        ceiling=mix["ceiling"] - AAC_MARGIN,
    )
    stems *= db_to_gain(gain) * curve
    out = ctx.workdir / "stems.wav"  # 24-bit PCM: the film's stems copy out of it byte for byte
    write_audio(out, stems.reshape(6, n), rate, bit_depth=24)
    meta = {
        "frames": timeline.frames,
        "samples": n,
        "starts": timeline.voice_starts,
        "duration": n / rate,
        "gain_db": round(gain, 2),
        "loudness": round(loudness, 2) if math.isfinite(loudness) else None,
        "limited_db": round(20 * math.log10(float(curve.min())), 2) if n else 0.0,
        "speech": [[round(a, 3), round(b, 3)] for a, b in speech],
    }
    return Output(out, meta)


def level(total: Audio, rate: int, *, target: float, ceiling: float) -> tuple[float, Audio, float]:
    """(gain dB, limiter curve, the loudness they give) that bring `total` to `target` LUFS
    under `ceiling` dBTP.

    Limiting peaks lowers the loudness a little, so the gain is raised by what the limiter
    took and the curve computed again (at most twice; boosts stay within MAX_BOOST).
    """
    loudness = integrated(total, rate)
    if not math.isfinite(loudness):
        return 0.0, limiter_gain(total, rate, ceiling_db=ceiling), loudness
    gain = min(MAX_BOOST, target - loudness)
    curve = limiter_gain(total * db_to_gain(gain), rate, ceiling_db=ceiling)
    reached = integrated(total * db_to_gain(gain) * curve, rate)
    for _ in range(2):
        if not math.isfinite(reached) or reached > target - 0.15 or gain >= MAX_BOOST:
            break
        gain = min(MAX_BOOST, gain + (target - reached))
        curve = limiter_gain(total * db_to_gain(gain), rate, ceiling_db=ceiling)
        reached = integrated(total * db_to_gain(gain) * curve, rate)
    return gain, curve, reached


def run_scene_mix(job: Job, ctx: Context) -> Output:
    """Sum a scene's stems into its stereo mix."""
    stems = read_audio(ctx.inputs[0].path)
    mix = stems.reshape(3, 2, -1).sum(axis=0)
    out = ctx.workdir / "mix.wav"
    write_audio(out, mix, job.params["rate"])
    return Output(out, dict(ctx.inputs[0].meta))


# --- buses -----------------------------------------------------------------------------------


def _time(p: dict[str, Any], scene_clock: dict[str, Any], voices: list[Input]) -> SceneTime:
    durations = [float(v.meta["duration"]) for v in voices]
    return scene_time(scene_clock, durations, fps=p["fps"], quantum=p["quantum"], rate=p["rate"])


def treat_voice(voice: Audio, extension: str, space: str, rate: int) -> tuple[Audio, float]:
    """A voice shaped by where it is: (mono audio, pan position)."""
    from pedalboard import (  # type: ignore[attr-defined]
        Compressor,
        HighpassFilter,
        LowpassFilter,
        PeakFilter,
        Pedalboard,
        Reverb,
    )

    ext = extension.upper().replace(" ", "")
    if ext in ("O.S.", "O.C.", "OS", "OC", "OFF", "O.S", "O.C"):
        board = Pedalboard(
            [
                HighpassFilter(300),
                LowpassFilter(3000),
                Reverb(room_size=0.4, damping=0.6, wet_level=0.25, dry_level=0.7, width=0.0),
            ]
        )
        return np.asarray(board(voice, rate), np.float32) * db_to_gain(-5), 0.3
    if ext in ("V.O.", "VO", "V.O", "VOICEOVER"):
        board = Pedalboard(
            [
                HighpassFilter(70),
                Compressor(threshold_db=-26, ratio=3.0, attack_ms=5, release_ms=90),
                PeakFilter(3200, 2.5, 0.8),
            ]
        )
        return np.asarray(board(voice, rate), np.float32) * db_to_gain(2.0), 0.0
    if space == "int":
        board = Pedalboard(
            [
                HighpassFilter(80),
                Reverb(room_size=0.15, damping=0.7, wet_level=0.07, dry_level=1.0, width=0.0),
            ]
        )
    else:
        board = Pedalboard([HighpassFilter(90)])
    return np.asarray(board(voice, rate), np.float32), 0.0


def _windows(
    p: dict[str, Any], voices: list[Input], timeline: SceneTime
) -> list[tuple[float, float]] | None:
    """Each voice's shot on screen, seconds in the scene: sound follows picture, so a voice
    the editor trimmed into is cut where its shot is cut (cinecode.departments.edit)."""
    shots: list[Spec] = p["clock"]["shots"]
    if not shots:
        return None
    durations = [float(v.meta["duration"]) for v in voices]
    spans = voice_windows(shots, split(durations, shots), timeline.frames, p["fps"])
    return [(begin, end) for _, begin, end in spans]


def dialogue_bus(
    voices: list[Input],
    starts: list[float],
    lines: list[dict[str, Any]],
    space: str,
    rate: int,
    n: int,
    *,
    windows: list[tuple[float, float]] | None = None,
) -> tuple[Audio, list[tuple[float, float]]]:
    """The scene's voices placed and treated; and the spans (seconds) where words are heard.

    With `windows`, each voice plays only inside its window (its shot on screen)."""
    bus = np.zeros((2, n), np.float32)
    speech: list[tuple[float, float]] = []
    # dual dialogue: the block before the `^` one on the left, the `^` block on the right
    sides = [0.0] * len(lines)
    for index, line in enumerate(lines):
        if line["dual"] and index > 0:
            sides[index - 1], sides[index] = -DUAL_PAN, DUAL_PAN
    spans = windows or [(0.0, n / rate)] * len(voices)
    for source, start, line, side, (begin, stop) in zip(
        voices, starts, lines, sides, spans, strict=True
    ):
        mono = read_audio(source.path, rate=rate, channels=1)
        treated, position = treat_voice(mono, line["ext"], space, rate)
        position = side or position
        stereo = pan(treated[0], position) * math.sqrt(2)  # centre at unity on each side
        placed, at = windowed(
            stereo.astype(np.float32), round(start * rate), round(begin * rate), round(stop * rate)
        )
        add_at(bus, placed, at)
        phrases = source.meta.get("phrases") or [[0.0, float(source.meta["duration"]), ""]]
        for a, b, *_ in phrases:
            heard = (max(begin, start + float(a)), min(stop, start + float(b)))
            if heard[1] > heard[0]:
                speech.append(heard)
    return bus, sorted(speech)


def ride_dialogue(bus: Audio, rate: int) -> Audio:
    """The dialogue bus compressed gently (-22 dBFS, 2.5:1, 5/120 ms), as a mixer rides the
    fader: shouts come down, whispers stay, and the limiter has little left to do."""
    from pedalboard import Compressor, Pedalboard  # type: ignore[attr-defined]

    if not np.any(bus):
        return bus
    board = Pedalboard([Compressor(threshold_db=-22, ratio=2.5, attack_ms=5, release_ms=120)])
    return np.asarray(board(bus, rate), np.float32) * db_to_gain(2.0)


def duck_curve(
    speech: list[tuple[float, float]],
    n: int,
    rate: int,
    *,
    depth: float,
    attack: float = 0.08,
    release: float = 0.5,
    lookahead: float = 0.2,
    hold: float = 0.3,
) -> Audio:
    """Gain (samples,) that falls `depth` dB while words are heard: it starts `lookahead`
    before each phrase with a smooth `attack`, holds `hold` after it, recovers over `release`."""
    if not speech or depth <= 0 or n == 0:
        return np.ones(n, np.float32)
    control = 200  # points per second
    m = math.ceil(n / rate * control) + 2
    wanted = np.zeros(m, np.float32)
    for start, end in speech:
        a = max(0, math.floor((start - lookahead) * control))
        b = min(m, math.ceil((end + hold) * control))
        wanted[a:b] = 1.0
    up = 1 - math.exp(-1 / (attack * control))
    down = 1 - math.exp(-1 / (release * control))
    env = np.empty(m, np.float32)
    level = 0.0
    for index, target in enumerate(wanted.tolist()):
        level += (target - level) * (up if target > level else down)
        env[index] = level
    gain_db = -depth * np.interp(np.arange(n) / rate * control, np.arange(m), env)
    return np.power(10.0, gain_db / 20).astype(np.float32)


def music_body(cue: Input, n: int, rate: int, *, fade: float, level: float) -> Audio:
    """This scene's part of its cue, at the reference loudness, faded in by the transition."""
    audio = read_audio(cue.path, rate=rate, channels=2)
    body = int(cue.meta.get("body", n))
    part = np.zeros((2, n), np.float32)
    add_at(part, audio[:, : min(body, n)], 0)
    part *= _cue_gain(audio[:, :body], rate, level)
    if body > n:  # the editor cut the scene shorter than its cue: fade out at the cut
        part *= fade_out(n, min(n, round(CUT_FADE * rate)))
    return part * fade_in(n, round(fade * rate))


def music_tail(cue: Input, n: int, rate: int, *, level: float) -> Audio:
    """The previous scene's cue ringing on into this one, fading away."""
    audio = read_audio(cue.path, rate=rate, channels=2)
    body, tail = int(cue.meta["body"]), int(cue.meta["tail"])
    piece = audio[:, body : body + tail] * _cue_gain(audio[:, :body], rate, level)
    piece = piece * fade_out(piece.shape[1], piece.shape[1])
    out = np.zeros((2, n), np.float32)
    add_at(out, piece.astype(np.float32), 0)
    return out


def _cue_gain(body: Audio, rate: int, level: float) -> float:
    loudness = integrated(body, rate)
    return db_to_gain(level - loudness) if math.isfinite(loudness) else 1.0


def bed_loop(loop: Audio, n: int, phase: int, level: float, rate: int) -> Audio:
    """`n` samples of an ambience loop from `phase` on, at `level` LUFS."""
    if loop.shape[1] == 0 or n == 0:
        return np.zeros((2, n), np.float32)
    loudness = integrated(loop, rate)
    gain = db_to_gain(level - loudness) if math.isfinite(loudness) else 1.0
    index = (np.arange(n) + phase) % loop.shape[1]
    return (loop[:, index] * gain).astype(np.float32)


def clip_sound(
    bus: Audio,
    clip: Input,
    placed: dict[str, Any],
    timeline: SceneTime,
    fps: int,
    rate: int,
    *,
    gain_db: float,
    workdir: Path,
) -> None:
    """Add a generated clip's own sound (if it has any) under its shot: the part the cut
    shows, CLIP_AUDIO dB down, with short fades at the shot's edges."""
    from cinecode.media.ffmpeg import probe, run_ffmpeg

    if not probe(clip.path).has_audio:
        return
    index = int(placed["shot"])
    wav = workdir / f"clip-audio-{index}.wav"
    run_ffmpeg(
        ["-i", str(clip.path), "-vn", "-ac", "2", "-ar", str(rate), "-c:a", "pcm_f32le",
         "-f", "wav", str(wav)]
    )  # fmt: skip
    sound = read_audio(wav, rate=rate, channels=2)
    first = round(float(placed.get("first", 0)) / fps * rate)
    n = round(timeline.shot_seconds(index) * rate)
    part = sound[:, first : first + n]
    if not part.shape[-1]:
        return
    edge = min(round(0.02 * rate), part.shape[-1] // 2)
    part = part * fade_in(part.shape[-1], edge) * fade_out(part.shape[-1], edge)
    at = round(timeline.shot_starts[index] * rate)
    add_at(bus, part * db_to_gain(CLIP_AUDIO + gain_db), at)


def spot_time(spot: dict[str, Any], timeline: SceneTime) -> float:
    """When a spot effect sounds (seconds into its scene): its shot's start plus its place in
    the shot's action, kept inside the shot."""
    shot = min(int(spot["shot"]), len(timeline.shot_starts) - 1)
    length = timeline.shot_seconds(shot)
    offset = min(max(0.05, float(spot["at"]) * length), max(0.05, length - 0.25))
    return timeline.shot_starts[shot] + offset


def place_spot(
    bus: Audio,
    effect: Audio,
    spot: dict[str, Any],
    timeline: SceneTime,
    rate: int,
    *,
    gain_db: float,
) -> None:
    """Add a spot effect at its beat (`spot_time`)."""
    at = round(spot_time(spot, timeline) * rate)
    loudest = momentary_max(effect, rate)
    gain = db_to_gain(spot["level"] + gain_db - loudest) if math.isfinite(loudest) else 1.0
    piece = effect * gain
    room = bus.shape[1] - at
    if 0 < room < piece.shape[1]:  # it would run past the scene's end: fade it there
        piece = piece[:, :room] * fade_out(room, min(room, round(0.4 * rate)))
    add_at(bus, piece.astype(np.float32), at)
