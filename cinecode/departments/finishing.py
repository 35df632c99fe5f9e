"""Finishing: each segment of the cut upscaled and/or interpolated to the master's format.

```toml
[finishing]
upscale = 2              # 2, 3, 4 or "3840x2160"
upscaler = "realesrgan"  # realesrgan | lanczos | a [backends.NAME] entry (ComfyUI workflow)
fps = 48                 # a whole multiple of [format] fps (or `factor = 2`)
interpolator = "minterpolate"
```
Finishing runs per segment, between the segment and the scene's reel, so the master is still
a stream-copy conform and a change re-finishes only the shots it touches. The finished
segments share one encoder setting at the finished size and rate, which becomes the master's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cinecode.backends.protocols import InterpolateRequest, UpscaleRequest
from cinecode.departments.engines import resolve
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Graph, Job, Step
from cinecode.project.config import Project

FINISH = Step("finish", 2, "render", "finishing", "mp4")


def finished_format(project: Project) -> tuple[int, int, int]:
    """(width, height, fps) of the master once finished (the project's format when off)."""
    fmt, finishing = project.config.format, project.config.finishing
    width, height = fmt.width, fmt.height
    if isinstance(finishing.upscale, int):
        width, height = width * finishing.upscale, height * finishing.upscale
    elif isinstance(finishing.upscale, str):
        match = re.fullmatch(r"(\d+)x(\d+)", finishing.upscale)
        assert match is not None  # validated by project.Finishing
        width, height = int(match.group(1)), int(match.group(2))
        if width % 2 or height % 2:
            raise project.error(
                f"upscale = {finishing.upscale!r}: the size must be even",
                "finishing",
                "upscale",
                hint='e.g. "3840x2160"',
            )
    return width, height, fmt.fps * _factor(project)


def _factor(project: Project) -> int:
    fmt, finishing = project.config.format, project.config.finishing
    if finishing.factor:
        return finishing.factor
    if finishing.fps is None or finishing.fps == fmt.fps:
        return 1
    if finishing.fps % fmt.fps:
        raise project.error(
            f"fps = {finishing.fps} is not a whole multiple of the film's {fmt.fps} fps",
            "finishing",
            "fps",
            hint=f"use {2 * fmt.fps} or {3 * fmt.fps}: picture and sound stay frame-exact",
        )
    return finishing.fps // fmt.fps


def plan_finish(
    segment: str,
    *,
    project: Project,
    label: str,
    shot: str,
    scene: str,
    digests: Mapping[str, str] | None = None,
) -> Job:
    """The job that finishes one segment (`digests`: of the workflow files engines name)."""
    finishing = project.config.finishing
    width, height, fps = finished_format(project)
    fmt = project.config.format
    params: dict[str, Any] = {
        "width": width,
        "height": height,
        "fps": fps,
        "factor": _factor(project),
    }
    settings: dict[str, Any] = {}
    if finishing.upscale is not None and (width, height) != (fmt.width, fmt.height):
        engine = resolve(project, finishing.upscaler, digests=digests)
        params["upscale"] = {"backend": engine.backend, "params": engine.params}
        settings["upscale"] = engine.settings
    if params["factor"] > 1:
        engine = resolve(project, finishing.interpolator, digests=digests)
        params["interpolate"] = {"backend": engine.backend, "params": engine.params}
        settings["interpolate"] = engine.settings
    return FINISH.job(
        params, (segment,), label=f"finish {label}", shot=shot, scene=scene, settings=settings
    )


def add(
    graph: Graph,
    segment: str,
    *,
    project: Project,
    label: str,
    shot: str = "",
    scene: str = "",
    digests: Mapping[str, str] | None = None,
) -> str:
    """The key the reel should use for a segment: the finished one when finishing is on."""
    if not project.config.finishing.enabled:
        return segment
    job = plan_finish(
        segment, project=project, label=label, shot=shot, scene=scene, digests=digests
    )
    return graph.add(job)


def _kwargs(job: Job, role: str) -> dict[str, Any]:
    """The finishing engine's params (key) and settings (plan) for `role`."""
    return {**job.params[role]["params"], **job.settings.get(role, {})}


def run_finish(job: Job, ctx: Context) -> Output:
    """Upscale (first: fewer frames), then interpolate, then conform to the master's format."""
    from cinecode.media.video import VideoFormat, conform_clip

    p = job.params
    source = ctx.inputs[0]
    frames = int(source.meta["frames"]) * int(p["factor"])
    path = source.path
    # 1. upscale
    if "upscale" in p:
        backend = ctx.backend("upscale", p["upscale"]["backend"], _kwargs(job, "upscale"))
        out = ctx.workdir / "upscale"
        out.mkdir()
        path = backend.upscale(
            UpscaleRequest(source=path, width=p["width"], height=p["height"]),
            out,
            lambda f: ctx.progress(0.7 * f),
        ).path
    # 2. interpolate
    if "interpolate" in p:
        backend = ctx.backend(
            "interpolate", p["interpolate"]["backend"], _kwargs(job, "interpolate")
        )
        out = ctx.workdir / "interpolate"
        out.mkdir()
        path = backend.interpolate(
            InterpolateRequest(source=path, fps=float(p["fps"])),
            out,
            lambda f: ctx.progress(0.7 + 0.2 * f),
        ).path
    # 3. conform: exact size, rate and frame count, the one encoder setting of the film
    target = ctx.workdir / "finished.mp4"
    fmt = VideoFormat(width=p["width"], height=p["height"], fps=p["fps"])
    conform_clip(path, target, fmt=fmt, frames=frames, cancel=ctx.cancel)
    return Output(target, {"frames": frames, "fps": p["fps"], "duration": frames / p["fps"]})
