"""Motion department, generated: each keyframe take becomes a clip take (image-to-video).

When `[motion]` names a video engine (ComfyUI, diffusers, Replicate, fal, Runway, a
`[backends]` entry…) instead of the camera — or a shot says `[[shot: motion NAME]]` or names a
video-only backend with `[[shot: backend runway]]` — a shot's takes are clips, each made from
its own keyframe. With `[[shot: continuous]]` the clip starts from the previous shot's last
frame instead (continuous action), so no keyframe is drawn for it.

```
1. choose the engine (the shot's, else [motion]; "camera" = an animatic shot, no clip)
2. decide the clip's length: the shot's estimate plus headroom, rounded *up* to a length the
   engine makes (its `durations` or `clip_step`, else what its price list bills), so a
   dialogue edit keeps the paid clip; the segment trims or holds it
3. draw seeds: clip n uses keyframe n's seed
4. generate: first frame = the keyframe (or the previous shot's last frame), references
5. store the take
```
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cinecode.backends.protocols import VideoRequest
from cinecode.backends.registry import BACKENDS
from cinecode.departments import services, storyboard
from cinecode.departments.engines import Engine, backend_kwargs, motion_engine, resolve
from cinecode.errors import BadOutput
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.project.config import Project
from cinecode.script.model import Film, Scene, Shot

CLIP = Step("clip", 1, "generate", "motion", "mp4")

#: Clip length = estimate × HEADROOM + PAD seconds, before rounding up to the engine's lengths.
HEADROOM = 1.15
PAD = 0.25
MOVE_WORDS = {
    "static": "locked-off camera",
    "push-in": "the camera slowly pushes in",
    "pull-out": "the camera slowly pulls out",
    "pan-left": "the camera pans left",
    "pan-right": "the camera pans right",
    "tilt-up": "the camera tilts up",
    "tilt-down": "the camera tilts down",
    "handheld": "handheld camera",
    "drift": "the camera drifts gently",
}
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")


def video_only(backend: str) -> bool:
    """Whether a registry backend is first a video engine (so naming it animates a shot):
    it makes video and no images, or video first (Runway, whose Gen-4 images are keyframes
    only when the storyboard section names it)."""
    entry = BACKENDS.get(backend)
    return entry is not None and entry.modalities[:1] == ("video",)


def video_engine(
    shot: Shot, project: Project, *, digests: Mapping[str, str] | None = None
) -> Engine | None:
    """The shot's video engine, or None when its picture is a camera move over a still."""
    directive = shot.directive
    if directive and directive.backend and video_only(directive.backend):
        return resolve(project, directive.backend, department="motion", digests=digests)
    engine = motion_engine(project, shot, digests=digests)
    return None if engine.is_camera else engine


LENGTH_SETTINGS = ("durations", "clip_step", "max_seconds")  # read by planning, not engines


def engine_settings(params: Mapping[str, Any]) -> dict[str, Any]:
    """An engine's settings as its backend takes them: without the clip-length settings."""
    return {k: v for k, v in params.items() if k not in LENGTH_SETTINGS}


def clip_seconds(estimate: float, params: Mapping[str, Any]) -> float:
    """How long a clip to ask for: never shorter than the shot is likely to be, and stable."""
    want = estimate * HEADROOM + PAD
    durations = sorted(float(d) for d in params.get("durations") or [])
    if durations:
        return next((d for d in durations if d >= want - 1e-9), durations[-1])
    step = float(params.get("clip_step") or 1.0)
    seconds = math.ceil(want / step - 1e-9) * step
    limit = params.get("max_seconds")
    return round(min(seconds, float(limit)) if limit else seconds, 3)


def motion_prompt(shot: Shot, scene: Scene, film: Film) -> str:
    """The keyframe's prompt plus what moves: the camera."""
    words = MOVE_WORDS.get(shot.move, "")
    return ". ".join(p for p in (storyboard.compose_prompt(shot, scene, film), words) if p)


def plan_clip(
    shot: Shot,
    scene: Scene,
    film: Film,
    project: Project,
    *,
    picture: str,
    seed: int,
    digests: Mapping[str, str],
    continuous: bool = False,
) -> Job:
    """The job that animates `picture` (the take's keyframe, or — continuous — the previous
    shot's picture, whose last frame starts the clip)."""
    engine = video_engine(shot, project, digests=digests)
    if engine is None or not (
        BACKENDS.get(engine.backend) and "video" in BACKENDS[engine.backend].modalities
    ):
        name = engine.name if engine else project.config.motion.backend
        where = ("motion",) if name == project.config.motion.backend else ()
        raise project.error(
            f"{name} does not make video (shot {shot.id})",
            *where,
            hint="name a video engine (comfyui, diffusers, replicate, fal, runway or a "
            '[backends] entry), or "camera" for an animatic shot',
        )
    backend, params_of = engine.backend, engine.params
    model = str(params_of.get("model", ""))
    if shot.directive and shot.directive.model and shot.directive.backend == backend:
        model = shot.directive.model
    fmt = project.config.format
    prices = project.prices.prices(backend)
    if "durations" in params_of or "clip_step" in params_of or not BACKENDS[backend].hosted:
        seconds = clip_seconds(shot.estimated_duration, params_of)
    else:  # a hosted model bills (and makes) the lengths of its price list
        seconds = prices.billable_seconds(model, shot.estimated_duration * HEADROOM + PAD)
    params: dict[str, Any] = {
        "backend": backend,
        "backend_version": engine.version,
        "backend_params": params_of,
        "model": model,
        "prompt": motion_prompt(shot, scene, film),
        "negative_prompt": str(params_of.get("negative_prompt", "")),
        "width": fmt.width,
        "height": fmt.height,
        "fps": fmt.fps,
        "duration": seconds,  # what the engine makes; small timing changes do not change it
        "seed": seed,
        "move": shot.move,
        "references": storyboard.references(shot, scene, film, dict(digests)),
        "continuous": continuous,
    }
    settings = {
        "backend": engine.settings,
        "references": storyboard.reference_paths(shot, scene, film, dict(digests)),
        "reference_roles": storyboard.reference_roles(shot, scene, film, dict(digests)),
    }
    return CLIP.job(
        params,
        (picture,),
        label=f"clip {shot.id} seed {seed}",
        shot=shot.id,
        scene=scene.id,
        backend=backend,
        estimate=prices.video(model, seconds=seconds, width=fmt.width, height=fmt.height),
        take=True,
        seed=seed,
        settings=settings,
    )


def run_clip(job: Job, ctx: Context) -> Output:
    """Generate one clip from its first frame with the job's video engine."""
    from cinecode.backends.frames import last_frame
    from cinecode.media.ffmpeg import probe

    p = job.params
    source = ctx.inputs[0]
    still = source.meta.get("kind") == "image" or source.path.suffix.lower() in IMAGE_EXTS
    first = source.path if still else last_frame(source.path, ctx.workdir / "first.png")
    request = VideoRequest(
        prompt=p["prompt"],
        width=p["width"],
        height=p["height"],
        fps=p["fps"],
        duration=p["duration"],
        seed=p["seed"],
        image=first,
        negative_prompt=p["negative_prompt"],
        model=p["model"],
        references=tuple(Path(path) for path in job.settings.get("references", [])),
        reference_roles=storyboard.roles_of(job.settings),
        move=p["move"],
    )
    out = ctx.workdir / "engine"
    out.mkdir()
    backend = ctx.backend("video", p["backend"], engine_settings(backend_kwargs(job)))
    result = backend.generate(
        request, out, ctx.progress, **services.hosted_kwargs(ctx, p["backend"])
    )
    path = result.path
    if path.suffix.lower() != ".mp4":  # a WebM, GIF or MOV from the engine: one container
        path = to_mp4(path, ctx.workdir / "clip.mp4")
    info = probe(path)
    if not info.has_video or info.frames < 1:
        raise BadOutput(
            f"{p['backend']} returned {result.path.name}, which has no picture",
            backend=p["backend"],
            hint="check the engine's output node or pipeline",
        )
    meta = {
        **result.meta,
        "kind": "video",
        "seed": p["seed"],
        "frames": info.frames,
        "duration": info.duration,
        "width": info.width,
        "height": info.height,
    }
    return Output(path, meta, result.cost, result.model)


def to_mp4(source: Path, target: Path) -> Path:
    """A near-lossless H.264 MP4 of any clip (the segment conforms it later)."""
    from cinecode.media.ffmpeg import discard_on_error, run_ffmpeg
    from cinecode.media.video import INTERMEDIATE_ARGS

    args = [
        "-i", str(source), "-map", "0:v:0", "-an",
        *INTERMEDIATE_ARGS,
        "-f", "mp4", str(target),
    ]  # fmt: skip
    with discard_on_error(target):
        run_ffmpeg(args)
    return target


__all__ = ["CLIP", "clip_seconds", "plan_clip", "run_clip", "to_mp4", "video_engine"]
