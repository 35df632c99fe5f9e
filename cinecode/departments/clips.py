"""Motion department, generated shots: each keyframe take becomes a clip take (image-to-video).

When `[motion]` (or a shot's `[[shot: motion NAME]]`) names a video engine, a shot's takes are
clips made from its keyframes; with `[[shot: continuous]]` the clip starts from the previous
shot's last frame instead (continuous action), so no keyframe is drawn for it.

```
1. choose the engine (the shot's `motion`, else [motion]; "camera" = an animatic shot)
2. decide the clip's length: the shot's estimate plus headroom, rounded *up* to a length the
   engine makes (`durations`, else `clip_step`), so a dialogue edit keeps the paid clip
3. draw seeds: clip n uses keyframe n's seed
4. generate: first frame = the keyframe (or the previous shot's last frame), references
5. store the take; the segment trims or holds it to the shot's real length
```
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from cinecode.backends.protocols import VideoRequest
from cinecode.backends.registry import BACKENDS
from cinecode.departments import storyboard
from cinecode.engines import motion_engine
from cinecode.errors import BadOutput
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Graph, Job, Step
from cinecode.model import Film, Scene, Shot
from cinecode.project import Project

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
    """The keyframe's prompt plus what moves: the camera and the action."""
    words = MOVE_WORDS.get(shot.move, "")
    return ". ".join(p for p in (storyboard.prompt(shot, scene, film), words) if p)


def plan_clips(
    shot: Shot,
    scene: Scene,
    film: Film,
    project: Project,
    keyframes: list[Job],
    graph: Graph,
    digests: Mapping[str, str],
    *,
    previous: str | None = None,
) -> list[Job]:
    """The shot's clip takes (their keyframes added to the graph), or `keyframes` unchanged
    when the shot's picture is a camera move over a still."""
    engine = motion_engine(project, shot, digests=digests)
    if engine.is_camera:
        return keyframes
    entry = BACKENDS.get(engine.backend)
    if entry is None or "video" not in entry.modalities:
        where = ("motion",) if engine.name == project.config.motion.backend else ()
        raise project.error(
            f"{engine.name} does not make video (shot {shot.id})",
            *where,
            hint="name a video engine (comfyui, diffusers or a [backends] entry), or "
            '"camera" for an animatic shot',
        )
    fmt = project.config.format
    continuous = bool(shot.directive and shot.directive.continuous and previous)
    seconds = clip_seconds(shot.estimated_duration, engine.params)
    clips = []
    for keyframe in keyframes:
        seed = keyframe.seed if keyframe.seed is not None else 0
        if continuous:
            assert previous is not None
            inputs: tuple[str, ...] = (previous,)
        else:
            graph.add(replace(keyframe, take=False))  # the clip is the take
            inputs = (keyframe.key,)
        params: dict[str, Any] = {
            "backend": engine.backend,
            "backend_params": engine.params,
            "model": str(engine.params.get("model", "")),
            "prompt": motion_prompt(shot, scene, film),
            "negative_prompt": str(engine.params.get("negative_prompt", "")),
            "width": fmt.width,
            "height": fmt.height,
            "fps": fmt.fps,
            "duration": seconds,
            "seed": seed,
            "move": shot.move,
            "references": storyboard.references(shot, scene, film, dict(digests)),
            "continuous": continuous,
            # what the first frame is (not which take): a new keyframe engine, prompt or
            # workflow makes a new version of the shot's clips, for picks and scores
            "source": previous if continuous else _version(keyframe.params),
        }
        clips.append(
            CLIP.job(
                params,
                inputs,
                label=f"clip {shot.id} seed {seed}",
                shot=shot.id,
                scene=scene.id,
                backend=engine.backend,
                take=True,
                seed=seed,
            )
        )
    return clips


def _version(params: Mapping[str, Any]) -> str:
    """A keyframe's params without its seed, hashed (as `plan.take_version`)."""
    from hashlib import sha256

    from cinecode.graph.keys import canonical

    return sha256(canonical({k: v for k, v in params.items() if k != "seed"})).hexdigest()[:16]


def made_of(graph: Graph, picture: str) -> list[str]:
    """The generations a shot's picture is made of: a clip and the keyframe it started from
    (both are credited)."""
    job = graph.jobs.get(picture)
    if job is None or job.step != CLIP.name:
        return [picture]
    return [picture, *(k for k in job.inputs if graph.jobs[k].step == storyboard.KEYFRAME.name)]


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
        references=tuple(Path(path) for path, _ in p["references"]),
        move=p["move"],
    )
    out = ctx.workdir / "engine"
    out.mkdir()
    backend = ctx.backend("video", p["backend"], p["backend_params"])
    result = backend.generate(request, out, ctx.progress)
    path = result.path
    if path.suffix.lower() != ".mp4":  # a WebM, GIF or MOV from the engine: one container
        path = _to_mp4(path, ctx.workdir / "clip.mp4")
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


def _to_mp4(source: Path, target: Path) -> Path:
    """A near-lossless H.264 MP4 of any clip (the segment conforms it later)."""
    from cinecode.media.ffmpeg import discard_on_error, run_ffmpeg

    args = [
        "-i", str(source), "-map", "0:v:0", "-an",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "12", "-pix_fmt", "yuv420p",
        "-f", "mp4", str(target),
    ]  # fmt: skip
    with discard_on_error(target):
        run_ffmpeg(args)
    return target


IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")
