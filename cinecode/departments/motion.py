"""Motion department: each shot's picture becomes a segment of the cut.

A segment is the shot's take (a keyframe, a generated clip or the user's own photo or clip)
at the project's format for exactly the shot's frames: a camera move over a still, or the
clip conformed (scaled, cropped, retimed, held). H.264 with one fixed set of encoder settings,
so the segments of a scene concatenate by stream copy.

Segments as the edit cuts them (second half of this file): when the edit trims a shot,
dissolves or fades it, or jump-cuts it, the segment is drawn from the same move: `span` picks
the frames the cut shows (frames past the move's ends hold its first or last framing: the
shot's handles), and each transition mixes in the frames the other shot shows on its side of
the cut, drawn from that shot's own take and move.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cinecode.departments.timing import Spec, layout, scene_frames, split
from cinecode.graph.executor import Context, Input, Output
from cinecode.graph.job import Job, Step
from cinecode.media.clock import quantum_frames
from cinecode.media.suffixes import IMAGE_SUFFIXES
from cinecode.media.video import Mouths, VideoFormat
from cinecode.project.config import Project

SEGMENT = Step("segment", 3, "render", "motion", "mp4")


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
    speaking: tuple[str, ...] = (),
) -> Job:
    """The segment of shot `index` of a scene.

    `shots` are the timing specs and `voices` the voices, in order, that set the shot's length:
    the scene's, for the shot that carries the scene's padding to whole `quantum`s (see
    cinecode.departments.timing; by default the project's AAC quantum); its own (`index` 0,
    `quantum` 1) for any other.
    The edit adds (cinecode.departments.edit): `span`, the frames of the shot's picture the
    cut shows (`{"first": n, "basis": frames the move lasts}`); `head`/`tail`, the
    transitions rendered into it; `jumps`, a jump in framing on each new line.
    `speaking`: for each of the shot's lines, whose mouth moves with it on its keyframe
    ("" off screen; empty when no line is seen spoken).
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
    if any(speaking):
        extra["speaking"] = list(speaking)
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
    from cinecode.media.burnin import Burnin
    from cinecode.media.video import conform_clip, render_move

    p = job.params
    own = 1 + sum(int(s["n"]) for s in p["shots"])
    picture, *voices = ctx.inputs[:own]
    frames = segment_frames(p, [float(v.meta["duration"]) for v in voices])
    fmt = VideoFormat(width=p["width"], height=p["height"], fps=p["fps"])
    out = ctx.workdir / "segment.mp4"
    if any(key in p for key in ("span", "head", "tail", "jumps", "handles")):
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
            burnin=Burnin.of(picture.meta, fmt.width, fmt.height),
            mouths=mouths_of(p, picture, voices, fps=fmt.fps, first=0, count=frames),
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


def mouths_of(
    desc: dict[str, Any], picture: Input, voices: list[Input], *, fps: int, first: int, count: int
) -> Mouths | None:
    """The mouths that move on a shot's keyframe in frames first … first+count−1 of its move
    (frame 0: the shot's first frame as written), from its lines' voices; None when no line
    of it is seen spoken (see `plan_segment`'s `speaking`)."""
    from cinecode.media.mouth import Speech, boxes_of, track
    from cinecode.media.video import Mouths

    speaking: list[str] = list(desc.get("speaking") or [])
    boxes, guessed = boxes_of(picture.meta)
    if not any(name in boxes for name in speaking):
        return None
    shots: list[Spec] = desc["shots"]
    index = int(desc["index"])
    before = sum(int(s["n"]) for s in shots[:index])
    mine = voices[before : before + int(shots[index]["n"])]
    as_written = {k: v for k, v in shots[index].items() if k != "trim"}  # the move's clock
    starts = layout(as_written, [float(v.meta["duration"]) for v in mine]).starts
    names = list(boxes)
    speech = [
        Speech(names.index(name), voice.path, start)
        for name, voice, start in zip(speaking, mine, starts, strict=True)
        if name in boxes
    ]
    shows = track(speech, fps=fps, first=first, count=count)
    return Mouths(tuple(boxes.values()), tuple(shows), estimated=guessed)


def picture_kind(path: Path) -> str:
    return "image" if path.suffix.lower() in IMAGE_SUFFIXES else "video"


# ── Segments as the edit cuts them: trims, transitions, jump cuts ──
@dataclass(frozen=True)
class Source:
    """A shot's picture as its segment draws it: enough to draw any frame of it."""

    picture: str  # the take's key
    voices: tuple[str, ...]  # the voices that time it (its reel's, or its own)
    shots: list[Spec]  # their shots' timing specs
    index: int
    move: str
    seed: int
    quantum: int = 1  # the padding it carries to (see cinecode.departments.timing.padded_shot)
    strength: float = 1.0
    start: float = 0.0
    span: dict[str, int] | None = None
    speaking: tuple[str, ...] = ()  # whose mouth moves with each of its lines

    def params(self) -> dict[str, Any]:
        speaking = {"speaking": list(self.speaking)} if any(self.speaking) else {}
        return {
            "voices": len(self.voices),
            "shots": self.shots,
            "index": self.index,
            "move": self.move,
            "seed": self.seed,
            "quantum": self.quantum,
            "strength": self.strength,
            "start": self.start,
            "span": self.span,
            **speaking,
        }


@dataclass(frozen=True)
class Side:
    """A transition on one side of a segment (see media.blend)."""

    kind: Literal["dissolve", "fade"]
    frames: int
    total: int
    offset: int
    other: Source | None = field(default=None)

    def params(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "frames": self.frames,
            "total": self.total,
            "offset": self.offset,
            "other": self.other.params() if self.other else None,
        }


def _natural(desc: dict[str, Any], durations: list[float], *, fps: int) -> int:
    shots: list[Spec] = desc["shots"]
    frames = scene_frames(shots, split(durations, shots), fps=fps, quantum=int(desc["quantum"]))
    return int(frames[desc["index"]])


def _frames(
    desc: dict[str, Any],
    picture: Input,
    voices: list[Input],
    ctx: Context,
    *,
    fmt: VideoFormat,
    first: int,
    count: int,
    jumps: list[int] | None = None,
) -> Iterator[bytes]:
    """Frames first … first+count−1 of a shot's picture as its segment draws it."""
    from cinecode.media.blend import clip_frames, jump_cuts
    from cinecode.media.burnin import Burnin
    from cinecode.media.video import camera_path, still_frames

    durations = [float(v.meta["duration"]) for v in voices]
    span = desc.get("span") or {}
    basis = span.get("basis") or _natural(desc, durations, fps=fmt.fps)
    if is_still(picture):
        move, strength = desc["move"], desc["strength"]
        if picture.meta.get("scroll"):  # a credits roll
            move, strength = "tilt-down", scroll_strength(picture.path, fmt)
        path = camera_path(
            move,
            basis,
            fps=fmt.fps,
            seed=desc["seed"],
            strength=strength,
            first=first,
            count=count,
        )
        if jumps:
            path = jump_cuts(path, jumps)
        burnin = Burnin.of(picture.meta, fmt.width, fmt.height)
        mouths = mouths_of(desc, picture, voices, fps=fmt.fps, first=first, count=count)
        return still_frames(picture.path, fmt=fmt, path=path, burnin=burnin, mouths=mouths)
    return clip_frames(
        picture.path,
        ctx.workdir,
        fmt=fmt,
        start=float(desc["start"]) + first / fmt.fps,
        frames=count,
        cancel=ctx.cancel,
    )


def render_cut_segment(
    p: dict[str, Any], ctx: Context, out: Path, *, fmt: VideoFormat, frames: int
) -> None:
    """Render a segment the edit trims, mixes with its neighbours, or jump-cuts."""
    from cinecode.media.blend import Mix, mixed
    from cinecode.media.video import encode_frames

    own = 1 + sum(int(s["n"]) for s in p["shots"])
    picture, *voices = ctx.inputs[:own]
    rest = list(ctx.inputs[own:])
    durations = [float(v.meta["duration"]) for v in voices]
    first = int((p.get("span") or {}).get("first", 0)) - int(p.get("handles", 0))
    jumps: list[int] = []
    if p.get("jumps"):
        shots: list[Spec] = p["shots"]
        mine = split(durations, shots)[p["index"]]
        handles = int(p.get("handles", 0))
        starts = layout(shots[p["index"]], mine).starts[1:]
        jumps = [round(start * fmt.fps) + handles for start in starts]
    body = _frames(p, picture, voices, ctx, fmt=fmt, first=first, count=frames, jumps=jumps)
    sides: dict[str, Mix] = {}
    for name in ("head", "tail"):
        side = p.get(name)
        if not side:
            continue
        count = min(int(side["frames"]), frames)
        other_frames: Iterator[bytes] | None = None
        other = side.get("other")
        if other is not None:
            taken, rest = rest[: 1 + other["voices"]], rest[1 + other["voices"] :]
            o_picture, *o_voices = taken
            o_durations = [float(v.meta["duration"]) for v in o_voices]
            o_first = int((other.get("span") or {}).get("first", 0))
            if name == "head":  # the outgoing shot, carried on past its cut
                o_length = _natural(other, o_durations, fps=fmt.fps)
                at = o_first + o_length
            else:  # the incoming shot, before its first frame
                at = o_first - count
            other_frames = _frames(other, o_picture, o_voices, ctx, fmt=fmt, first=at, count=count)
        sides[name] = Mix(
            frames=count,
            total=int(side["total"]),
            offset=int(side["offset"]),
            incoming=name == "head",
            other=other_frames,
        )
    stream = mixed(body, fmt=fmt, frames=frames, head=sides.get("head"), tail=sides.get("tail"))
    encode_frames(stream, out, fmt=fmt, count=frames, cancel=ctx.cancel)
