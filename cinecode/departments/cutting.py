"""Segments as the edit cuts them: trimmed, with transitions and jump cuts rendered in.

A plain segment is a camera move over the whole of a shot (`motion.run_segment`). When the
edit trims the shot, dissolves or fades it, or jump-cuts it, the segment is drawn here from
the same move: `span` picks the frames the cut shows (frames past the move's ends hold its
first or last framing: the shot's handles), and each transition mixes in the frames the other
shot shows on its side of the cut, drawn from that shot's own take and move.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cinecode.departments.timing import Spec, layout, scene_frames, split
from cinecode.graph.executor import Context, Input
from cinecode.media.video import VideoFormat


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

    def params(self) -> dict[str, Any]:
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
    durations: list[float],
    ctx: Context,
    *,
    fmt: VideoFormat,
    first: int,
    count: int,
    jumps: list[int] | None = None,
) -> Iterator[bytes]:
    """Frames first … first+count−1 of a shot's picture as its segment draws it."""
    from cinecode.departments.motion import is_still, scroll_strength
    from cinecode.media.blend import clip_frames, jump_cuts
    from cinecode.media.video import camera_path, still_frames

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
        return still_frames(picture.path, fmt=fmt, path=path)
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
    body = _frames(p, picture, durations, ctx, fmt=fmt, first=first, count=frames, jumps=jumps)
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
            other_frames = _frames(
                other, o_picture, o_durations, ctx, fmt=fmt, first=at, count=count
            )
        sides[name] = Mix(
            frames=count,
            total=int(side["total"]),
            offset=int(side["offset"]),
            incoming=name == "head",
            other=other_frames,
        )
    stream = mixed(body, fmt=fmt, frames=frames, head=sides.get("head"), tail=sides.get("tail"))
    encode_frames(stream, out, fmt=fmt, count=frames, cancel=ctx.cancel)
