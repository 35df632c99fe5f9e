"""Motion department: each shot's picture becomes a segment of the cut.

A segment is the shot's take (a keyframe, a generated clip or the user's own photo or clip)
at the project's format for exactly the shot's frames: a camera move over a still, or the
clip conformed (scaled, cropped, retimed, held). H.264 with one fixed set of encoder settings,
so the segments of a scene concatenate by stream copy.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinecode.departments.timing import Spec, scene_frames, split
from cinecode.graph.executor import Context, Input, Output
from cinecode.graph.job import Job, Step
from cinecode.media.audio import quantum_frames
from cinecode.project.config import Project

if TYPE_CHECKING:
    from cinecode.departments.cutting import Side

SEGMENT = Step("segment", 2, "render", "motion", "mp4")

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
    quantum: int | None = None,
    start: float = 0.0,
    strength: float = 1.0,
    span: dict[str, int] | None = None,
    head: Side | None = None,
    tail: Side | None = None,
    jumps: bool = False,
) -> Job:
    """The segment of shot `index` of a scene.

    `shots` are the timing specs and `voices` the voices, in order, that set the shot's length:
    the scene's, for the shot that carries the scene's padding to whole `quantum`s (see
    cinecode.departments.timing; by default the project's AAC quantum); its own (`index` 0, `quantum` 1)
    for any other.
    The edit adds (cinecode.departments.edit): `span`, the frames of the shot's picture the
    cut shows (`{"first": n, "basis": frames the move lasts}`); `head`/`tail`, the
    transitions rendered into it; `jumps`, a jump in framing on each new line.
    """
    fmt = project.config.format
    extra: dict[str, Any] = {}
    inputs: list[str] = []
    if span:
        extra["span"] = span
    for name, side in (("head", head), ("tail", tail)):
        if side is not None:
            extra[name] = side.params()
            if side.other is not None:
                inputs.extend((side.other.picture, *side.other.voices))
    if jumps:
        extra["jumps"] = True
    params: dict[str, Any] = {
        "width": fmt.width,
        "height": fmt.height,
        "fps": fmt.fps,
        "quantum": quantum or quantum_frames(fmt.fps, fmt.sample_rate),
        "shots": shots,
        "index": index,
        "move": move,
        "seed": seed,
        "start": start,
        "strength": strength,
        **extra,
    }
    return SEGMENT.job(
        params,
        (picture, *voices, *inputs),
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
    own = 1 + sum(int(s["n"]) for s in p["shots"])
    picture, *voices = ctx.inputs[:own]
    frames = segment_frames(p, [float(v.meta["duration"]) for v in voices])
    fmt = VideoFormat(width=p["width"], height=p["height"], fps=p["fps"])
    out = ctx.workdir / "segment.mp4"
    if any(key in p for key in ("span", "head", "tail", "jumps", "handles")):
        from cinecode.departments.cutting import render_cut_segment

        frames += 2 * int(p.get("handles", 0))  # editorial media: the shot and its handles
        render_cut_segment(p, ctx, out, fmt=fmt, frames=frames)
        return Output(out, {"frames": frames, "fps": p["fps"], "duration": frames / p["fps"]})
    still = is_still(picture)
    if still:
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


def is_still(picture: Input) -> bool:
    """Whether a shot's picture is a still (a keyframe, a card, a photo) rather than a clip."""
    return (
        picture.step in ("keyframe", "card")
        or picture.meta.get("kind") == "image"
        or (picture.path.suffix.lower() in IMAGE_SUFFIXES)
    )


def picture_kind(path: Path) -> str:
    return "image" if path.suffix.lower() in IMAGE_SUFFIXES else "video"
