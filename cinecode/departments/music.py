"""Music department: a score cue per scene (and for the title and the end credits).

```
1. mood        the scene's mood (departments.mood): written, or read from the screenplay
2. timing      the cue's job takes the scene's voices as inputs and its clock as params, so
               it is composed, at run time, to the scene's exact length (and a one-line edit
               re-composes only that scene's cue)
3. boundary    the scene's transition out decides the ending: CUT TO: rings a 3 s tail into
               the next scene, DISSOLVE TO: 5 s, SMASH CUT TO: stops dead on the cut (no
               tail), FADE OUT. fades to silence
4. compose     the music backend writes `body + tail` seconds; the rests it leaves for
               dialogue (`quiet`) and its accents (`hits`, the scene's [[sfx:]] beats) come
               from the same timeline as the picture
5. store       meta: body and tail in samples (the next scene's mix plays the tail)
```
Nothing here depends on picture takes: a new take of a shot never re-composes a cue.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from cinecode.backends.protocols import MusicRequest
from cinecode.departments.engines import backend_kwargs, department_engine
from cinecode.departments.mood import Mood
from cinecode.departments.timing import scene_time
from cinecode.errors import BadOutput
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.media.audio import quantum_frames, read_audio, write_audio
from cinecode.project.config import Project

CUE = Step("music-cue", 2, "generate", "music", "wav")

#: seconds of a cue that ring on under the next scene, by the transition out of its scene
TAILS = {"cut": 3.0, "dissolve": 5.0, "fade-in": 4.0, "smash": 0.0, "fade-out": 0.0, "end": 0.0}
#: how the music ends, by the transition out of its scene
ENDINGS = {"smash": "cut", "fade-out": "fade", "end": "fade"}
#: dialogue spans widen by this much when the composer is told to rest (seconds)
QUIET_BEFORE, QUIET_AFTER = 0.25, 0.35


def transition_kind(text: str) -> str:
    """cut | dissolve | smash | fade-out | fade-in, from a Fountain transition ("" = cut)."""
    t = " ".join(text.upper().replace(".", " ").replace(":", " ").split())
    if not t:
        return "cut"
    if "SMASH" in t or "CUT TO BLACK" in t or "HARD CUT" in t or "SNAP" in t:
        return "smash"
    if "FADE OUT" in t or "FADE TO BLACK" in t or "FADE TO WHITE" in t:
        return "fade-out"
    if "FADE IN" in t:
        return "fade-in"
    if "DISSOLVE" in t or "FADE TO" in t or "CROSSFADE" in t or "MIX TO" in t or "RIPPLE" in t:
        return "dissolve"
    return "cut"


def tail_seconds(kind: str) -> float:
    """Seconds a cue rings on after its scene, by the transition out."""
    return TAILS.get(kind, TAILS["cut"])


def cue_seed(project: Project, name: str, mood: Mood) -> int:
    """The cue's seed: `[[mood: …, seed N]]`, else one fixed by the project seed and scene."""
    if mood.seed is not None:
        return mood.seed
    return (project.config.seed * 7919 + zlib.crc32(f"cue:{name}".encode())) % 2**31


def plan_cue(
    *,
    name: str,
    mood: Mood,
    voices: list[str],
    clock: dict[str, Any],
    leave: str,
    hits: list[tuple[int, float]],
    project: Project,
    scene: str,
) -> Job:
    """The cue of scene (or card) `name`: composed to its clock, ending as `leave` says."""
    engine = department_engine(project, "music")
    fmt = project.config.format
    seed = cue_seed(project, name, mood)
    params: dict[str, Any] = {
        "backend": engine.backend,
        "backend_version": engine.version,
        "backend_params": engine.params,
        "model": engine.model,
        "mood": mood.mood,
        "prompt": mood.words or mood.mood,
        "seed": seed,
        "theme": project.config.seed,
        "tempo": mood.tempo,
        "key": mood.key,
        "clock": clock,
        "rate": fmt.sample_rate,
        "fps": fmt.fps,
        "quantum": quantum_frames(fmt.fps, fmt.sample_rate),
        "tail": tail_seconds(leave),
        "ending": ENDINGS.get(leave, "ring"),
        "hits": [list(h) for h in hits],
    }
    return CUE.job(
        params,
        tuple(voices),
        label=f"cue {name} ({mood.mood})",
        scene=scene,
        backend=engine.backend,
        seed=seed,
        settings={"backend": engine.settings},
    )


def run_cue(job: Job, ctx: Context) -> Output:
    """Compose one cue to its scene's exact length."""
    p = job.params
    rate = p["rate"]
    durations = [float(i.meta["duration"]) for i in ctx.inputs]
    timeline = scene_time(p["clock"], durations, fps=p["fps"], quantum=p["quantum"], rate=rate)
    body = timeline.samples
    tail = round(p["tail"] * rate)
    quiet = []
    for source, start in zip(ctx.inputs, timeline.voice_starts, strict=True):
        end = start + float(source.meta["duration"])
        quiet.append((max(0.0, start - QUIET_BEFORE), end + QUIET_AFTER))
    hits = tuple(
        timeline.shot_starts[index] + offset * timeline.shot_seconds(index)
        for index, offset in p["hits"]
        if index < len(timeline.shot_starts)
    )
    request = MusicRequest(
        mood=p["mood"],
        duration=(body + tail) / rate,
        seed=p["seed"],
        sample_rate=rate,
        tempo=p["tempo"],
        key=p["key"],
        prompt=p["prompt"],
        model=p["model"],
        hits=hits,
        params={"theme": p["theme"]},
        tail=tail / rate,
        ending=p["ending"],
        quiet=tuple(_merge(quiet)),
    )
    backend = ctx.backend("music", p["backend"], backend_kwargs(job))
    result = backend.compose(request, ctx.workdir, ctx.progress)
    audio = read_audio(result.path, rate=rate, channels=2)
    if abs(audio.shape[1] - (body + tail)) > rate * 0.5:
        raise BadOutput(
            f"the cue is {audio.shape[1] / rate:.2f} s long, "
            f"{(body + tail) / rate:.2f} s were asked",
            backend=p["backend"],
            hint="the music backend must return exactly the requested duration",
        )
    if audio.shape[1] != body + tail:  # hosted generators round; the cut must not move
        fitted = audio[:, : body + tail]
        if fitted.shape[1] < body + tail:
            fitted = np.pad(fitted, ((0, 0), (0, body + tail - fitted.shape[1])))
        out = ctx.workdir / "fitted.wav"
        write_audio(out, fitted, rate)
    else:
        out = result.path
    meta = {**result.meta, "body": body, "tail": tail, "duration": (body + tail) / rate}
    return Output(out, meta, result.cost, result.model)


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return [(round(a, 4), round(b, 4)) for a, b in merged]
