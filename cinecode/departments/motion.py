"""Motion department: each shot's picture becomes a segment of the cut.

A segment is the shot's take (a keyframe, a generated clip or the user's own photo or clip)
at the project's format for exactly the shot's frames: a camera move over a still, or the
clip conformed (scaled, cropped, retimed, held). H.264 with one fixed set of encoder settings,
so the segments of a scene concatenate by stream copy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.media.audio import quantum_frames
from cinecode.project import Project
from cinecode.timing import Spec, scene_frames, split

SEGMENT = Step("segment", 1, "render", "motion", "mp4")

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")


def plan_segment(
    *,
    shot_id: str,
    scene_id: str,
    picture: str,
    voices: list[str],
    shots: list[Spec],
    index: int,
    move: str,
    seed: int,
    project: Project,
    start: float = 0.0,
    strength: float = 1.0,
) -> Job:
    """The segment of shot `index` of a scene.

    `shots` are the scene's timing specs and `voices` all its voices, in order: a shot's length
    is its own timing plus its share of the scene's padding (see cinecode.timing).
    """
    fmt = project.config.format
    params: dict[str, Any] = {
        "width": fmt.width,
        "height": fmt.height,
        "fps": fmt.fps,
        "quantum": quantum_frames(fmt.fps, fmt.sample_rate),
        "shots": shots,
        "index": index,
        "move": move,
        "seed": seed,
        "start": start,
        "strength": strength,
    }
    return SEGMENT.job(
        params,
        (picture, *voices),
        label=f"segment {shot_id}",
        shot=shot_id,
        scene=scene_id,
    )


def segment_frames(params: dict[str, Any], durations: list[float]) -> int:
    """The frame count a segment job renders (a pure function of its params and voices)."""
    shots: list[Spec] = params["shots"]
    frames = scene_frames(
        shots, split(durations, shots), fps=params["fps"], quantum=params["quantum"]
    )
    return int(frames[params["index"]])


def run_segment(job: Job, ctx: Context) -> Output:
    """Render one shot's segment."""
    from cinecode.media.video import VideoFormat, conform_clip, render_move

    p = job.params
    picture, *voices = ctx.inputs
    frames = segment_frames(p, [float(v.meta["duration"]) for v in voices])
    fmt = VideoFormat(width=p["width"], height=p["height"], fps=p["fps"])
    out = ctx.workdir / "segment.mp4"
    is_still = (
        picture.step == "keyframe"
        or picture.meta.get("kind") == "image"
        or (picture.path.suffix.lower() in IMAGE_SUFFIXES)
    )
    if is_still:
        move, strength = p["move"], p["strength"]
        if picture.meta.get("scroll"):  # a credits roll: tilt down the whole strip
            move, strength = "tilt-down", scroll_strength(picture.path, fmt)
        render_move(
            picture.path,
            out,
            fmt=fmt,
            frames=frames,
            move=move,
            seed=p["seed"],
            strength=strength,
            cancel=ctx.cancel,
        )
    else:
        conform_clip(picture.path, out, fmt=fmt, frames=frames, start=p["start"], cancel=ctx.cancel)
    return Output(out, {"frames": frames, "fps": p["fps"], "duration": frames / p["fps"]})


def scroll_strength(path: Path, fmt: Any) -> float:
    """The tilt strength that travels a tall strip from its top frame to its bottom frame."""
    from PIL import Image

    from cinecode.media.video import PAN_TRAVEL

    with Image.open(path) as image:
        width, height = image.size
    window = width * fmt.height / fmt.width
    return float(max(0.0, height / window - 1.0) / PAN_TRAVEL)


def picture_kind(path: Path) -> str:
    return "image" if path.suffix.lower() in IMAGE_SUFFIXES else "video"
