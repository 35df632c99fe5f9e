"""Lip sync department: a generated clip of someone speaking, and the line's voice, become the
clip with its mouth moving to the voice.

```toml
[lipsync]
backend = "fal"                  # or replicate, comfyui, a [backends] entry
model = "fal-ai/latentsync"
```
With no `[lipsync]` there is no lip sync step (and no key changes). With one, each dialogue
shot whose picture is a generated clip (the motion department's) of its speaker gets one job,
keyed by the clip and the voices (and the engine): a changed line re-syncs that shot only.
The edit cuts the synced clip in place of the clip.

Never synced (`decide` says why, `cinecode plan` shows it): a shot that says
`[[shot: …, no lipsync]]`; an off-screen line (V.O., O.S.); a shot whose picture is a still
(a keyframe under a camera move, a card) or the user's own footage; a shot where two people
speak (dual dialogue); a shot whose framing leaves the speaker out.

```
1. the voice track: the shot's voices where the timing puts them in the shot
   (cinecode.departments.timing.layout), silence around them, as long as the clip
2. the engine: clip + voice track → one clip (any container; kept as H.264 MP4)
3. checked: it has a picture
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cinecode.backends.protocols import LipsyncRequest
from cinecode.backends.registry import BACKENDS
from cinecode.departments import services
from cinecode.departments.engines import Engine, backend_kwargs, resolve
from cinecode.departments.timing import Spec, layout
from cinecode.errors import BadOutput
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.project.config import Department, Project
from cinecode.script.model import Shot

LIPSYNC = Step("lipsync", 1, "generate", "lipsync", "mp4")
#: the rate of the voice track sent with the clip (the lip-sync models listen at 16 kHz)
RATE = 16000
SYNCED = "synced"


def active(project: Project) -> Department | None:
    """`[lipsync]`, unless it is absent or switched off (`backend = "none"`)."""
    section = project.config.lipsync
    return section if section is not None and section.backend != "none" else None


def engine(project: Project, *, digests: Mapping[str, str] | None = None) -> Engine | None:
    """The lip-sync engine of `[lipsync]`, or None when film.toml has none (or says
    `backend = "none"`, as the other departments do)."""
    section = active(project)
    if section is None:
        return None
    found = resolve(project, section.backend, department="lipsync", digests=digests)
    entry = BACKENDS.get(found.backend)
    if entry is None or "lipsync" not in entry.modalities:
        able = sorted(name for name, e in BACKENDS.items() if "lipsync" in e.modalities)
        raise project.error(
            f"{section.backend} does not lip-sync clips",
            "lipsync",
            "backend",
            hint=f"name a lip-sync engine ({', '.join(able)} or a [backends] entry), or "
            "remove [lipsync]",
        )
    return found


def decide(shot: Shot, picture: Job | None) -> str:
    """SYNCED, or why the shot is not synced (`picture`: the job of the shot's take, None
    when it is not in the plan)."""
    if not shot.lines:
        return "no dialogue"
    if shot.directive is not None and not shot.directive.lipsync:
        return "the shot says no lipsync"
    speakers = list(dict.fromkeys(line.character for line in shot.lines))
    offscreen = [line for line in shot.lines if line.offscreen]
    if offscreen:
        return f"the line is off screen ({offscreen[0].extension})"
    if picture is None or picture.step != "clip":
        kind = "the user's own footage" if picture and picture.step == "source" else "a still"
        return f"its picture is {kind}, not a generated clip"
    if len(speakers) > 1:
        return f"{len(speakers)} people speak in it"
    if shot.characters and speakers[0] not in shot.characters:
        return f"{speakers[0]} is not in the picture"
    return SYNCED


def nothing_to_sync(backend: str, reasons: list[str]) -> str:
    """What `plan` and `make` say when `[lipsync]` finds no shot to sync, and why."""
    why = "; ".join(sorted(set(reasons))) or "the film has no dialogue"
    return (
        f"[lipsync] has no generated clip to sync (backend {backend}): {why} — name a video "
        "engine in [motion] (or `motion NAME` on a shot) so dialogue shots are generated "
        "clips, or remove [lipsync]"
    )


def plan_lipsync(
    shot: Shot,
    project: Project,
    *,
    clip: Job,
    voices: list[str],
    timing: Spec,
    sync: Engine,
) -> Job:
    """The job that syncs `clip`'s mouth to the shot's `voices` (laid out by `timing`)."""
    fmt = project.config.format
    model = sync.model
    seconds = float(clip.params.get("duration") or shot.estimated_duration)
    params: dict[str, Any] = {
        "backend": sync.backend,
        "backend_version": sync.version,
        "backend_params": sync.params,
        "model": model,
        "timing": timing,
        "rate": RATE,
        "seconds": seconds,
        "width": fmt.width,
        "height": fmt.height,
    }
    prices = project.prices.prices(sync.backend)
    return LIPSYNC.job(
        params,
        (clip.key, *voices),
        label=f"lipsync {shot.id}",
        shot=shot.id,
        scene=shot.scene,
        backend=sync.backend,
        estimate=prices.video(model, seconds=seconds, width=fmt.width, height=fmt.height),
        settings={"backend": sync.settings},
    )


def run_lipsync(job: Job, ctx: Context) -> Output:
    """Sync one clip's mouth to its shot's voices with the job's engine."""
    import numpy as np

    from cinecode.departments.clip import to_mp4
    from cinecode.media.audio import read_audio, write_audio
    from cinecode.media.dsp import add_at
    from cinecode.media.ffmpeg import probe

    p = job.params
    clip, *voices = ctx.inputs
    # 1. the voice track, as long as the clip
    seconds = float(clip.meta.get("duration") or probe(clip.path).duration or p["seconds"])
    rate = int(p["rate"])
    track = np.zeros((1, max(1, round(seconds * rate))), np.float32)
    durations = [float(v.meta["duration"]) for v in voices]
    for voice, start in zip(voices, layout(p["timing"], durations).starts, strict=True):
        add_at(track, read_audio(voice.path, rate=rate, channels=1), round(start * rate))
    audio = ctx.workdir / "voice.wav"
    write_audio(audio, track, rate, bit_depth=16)
    # 2. the engine
    request = LipsyncRequest(
        video=clip.path,
        audio=audio,
        seconds=float(p["seconds"]),
        width=int(p["width"]),
        height=int(p["height"]),
        model=str(p["model"]),
    )
    out = ctx.workdir / "engine"
    out.mkdir()
    backend = ctx.backend("lipsync", p["backend"], backend_kwargs(job))
    result = backend.lipsync(
        request, out, ctx.progress, **services.hosted_kwargs(ctx, p["backend"])
    )
    # 3. checked, in the clips' container
    path = result.path
    if path.suffix.lower() != ".mp4":
        path = to_mp4(path, ctx.workdir / "synced.mp4")
    info = probe(path)
    if not info.has_video or info.frames < 1:
        raise BadOutput(
            f"{p['backend']} returned {result.path.name}, which has no picture",
            backend=p["backend"],
            hint="check the lip-sync workflow's output node or the model",
        )
    meta = {
        **result.meta,
        "kind": "video",
        "synced": True,
        "frames": info.frames,
        "duration": info.duration,
        "width": info.width,
        "height": info.height,
    }
    return Output(path, meta, result.cost, result.model)


__all__ = [
    "LIPSYNC",
    "SYNCED",
    "active",
    "decide",
    "engine",
    "nothing_to_sync",
    "plan_lipsync",
    "run_lipsync",
]
