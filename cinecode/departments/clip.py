"""Motion department, generated: a shot's keyframe becomes a clip (image-to-video).

When `[motion] backend` names a video generator (replicate, fal, runway…) instead of the
camera, every shot whose picture is a keyframe gets a clip job; the shot's segment then
conforms that clip to the shot's exact frames (trimmed, or its last frame held).

```
1. ask for the shot's estimated length, rounded up to what the model bills
2. prompt: the keyframe's prompt plus the camera move
3. generate from the keyframe with the configured backend (a hosted job resumes)
4. store the clip
```
"""

from __future__ import annotations

from typing import Any

from cinecode.backends.protocols import VideoRequest
from cinecode.backends.registry import BACKENDS, CAMERA_MOVES, backend_version
from cinecode.departments import services, storyboard
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.model import Film, Scene, Shot
from cinecode.project import Project

CLIP = Step("clip", 1, "generate", "motion", "mp4")

MOVE_WORDS: dict[str, str] = {
    "static": "static camera",
    "push-in": "slow push in",
    "pull-out": "slow pull out",
    "pan-left": "camera pans left",
    "pan-right": "camera pans right",
    "tilt-up": "camera tilts up",
    "tilt-down": "camera tilts down",
    "handheld": "handheld camera",
    "drift": "gentle camera drift",
}


def video_backend(shot: Shot, project: Project) -> str:
    """The shot's video generator ("" when the camera moves over the keyframe): a shot's own
    `backend` directive when it names a video backend, else `[motion] backend`."""
    directive = shot.directive
    if directive and directive.backend:
        entry = BACKENDS.get(directive.backend)
        if entry is not None and "video" in entry.modalities and "image" not in entry.modalities:
            return directive.backend
    name = project.config.motion.backend
    return "" if name in CAMERA_MOVES else name


def plan_clip(
    shot: Shot, scene: Scene, film: Film, project: Project, *, picture: str, seed: int
) -> Job:
    """The job that animates a shot's keyframe `picture`."""
    backend = video_backend(shot, project)
    department = project.config.motion
    backend_params = department.params if backend == department.backend else {}
    model = str(backend_params.get("model", ""))
    if shot.directive and shot.directive.model and shot.directive.backend == backend:
        model = shot.directive.model
    fmt = project.config.format
    prices = project.prices.prices(backend)
    seconds = prices.billable_seconds(model, shot.estimated_duration)
    camera = MOVE_WORDS.get(shot.move, "")
    params: dict[str, Any] = {
        "backend": backend,
        "backend_version": backend_version(backend),
        "backend_params": backend_params,
        "model": model,
        "prompt": f"{storyboard.compose_prompt(shot, scene, film)}. {camera}",
        "negative_prompt": str(backend_params.get("negative_prompt", "")),
        "width": fmt.width,
        "height": fmt.height,
        "fps": fmt.fps,
        "duration": seconds,  # what the model makes; small timing changes do not change it
        "move": shot.move,
        "seed": seed,
    }
    return CLIP.job(
        params,
        (picture,),
        label=f"clip {shot.id} seed {seed}",
        shot=shot.id,
        scene=scene.id,
        backend=backend,
        estimate=prices.video(model, seconds=seconds, width=fmt.width, height=fmt.height),
        seed=seed,
        take=True,
    )


def run_clip(job: Job, ctx: Context) -> Output:
    """Animate the keyframe with the job's video backend."""
    p = job.params
    (keyframe,) = ctx.inputs
    request = VideoRequest(
        prompt=p["prompt"],
        width=p["width"],
        height=p["height"],
        fps=p["fps"],
        duration=p["duration"],
        seed=p["seed"],
        image=keyframe.path,
        negative_prompt=p["negative_prompt"],
        model=p["model"],
        move=p["move"],
    )
    backend = ctx.backend("video", p["backend"], p["backend_params"])
    result = backend.generate(
        request, ctx.workdir, ctx.progress, **services.hosted_kwargs(ctx, p["backend"])
    )
    return Output(result.path, {**result.meta, "kind": "video"}, result.cost, result.model)


__all__ = ["CLIP", "plan_clip", "run_clip", "video_backend"]
