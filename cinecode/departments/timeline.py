"""A scene's clock: where its shots and voices fall, from the real voice durations.

Sound jobs (music cue, scene stems) carry the scene's timing in their params as a *clock*:
`{"shots": [timing specs], "frames": n | None}` — `frames` for a card (title, credits),
`shots` for a scene. With the voices' durations, `cinecode.departments.timing` turns it into frames; this
module only reads the result in seconds and samples, so sound and picture cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cinecode.departments.timing import Spec, layout, scene_frames, split
from cinecode.media.audio import samples_per_frame


def clock(*, shots: list[Spec] | None = None, frames: int | None = None) -> dict[str, Any]:
    """The clock params of a scene (`shots`) or a card (`frames`)."""
    return {"shots": list(shots or []), "frames": frames}


@dataclass(frozen=True)
class SceneTime:
    """A scene's timeline in seconds from its first frame."""

    frames: list[int]  # per shot (one entry for a card)
    shot_starts: list[float]
    voice_starts: list[float]
    fps: int
    rate: int

    @property
    def samples(self) -> int:
        """Audio samples in the scene (whole frames)."""
        return sum(self.frames) * samples_per_frame(self.fps, self.rate)

    @property
    def seconds(self) -> float:
        """The scene's length in seconds."""
        return self.samples / self.rate

    def shot_seconds(self, index: int) -> float:
        """How long shot `index` holds."""
        return self.frames[index] / self.fps


def scene_time(
    scene_clock: dict[str, Any], durations: list[float], *, fps: int, quantum: int, rate: int
) -> SceneTime:
    """The timeline of a scene or card from its clock and its voices' durations."""
    shots: list[Spec] = scene_clock["shots"]
    if not shots:
        return SceneTime([int(scene_clock["frames"])], [0.0], [], fps, rate)
    per_shot = split(durations, shots)
    frames = scene_frames(shots, per_shot, fps=fps, quantum=quantum)
    shot_starts: list[float] = []
    voice_starts: list[float] = []
    offset = 0
    for shot, durs, count in zip(shots, per_shot, frames, strict=True):
        start = offset / fps
        shot_starts.append(start)
        voice_starts.extend(start + s for s in layout(shot, durs).starts)
        offset += count
    return SceneTime(frames, shot_starts, voice_starts, fps, rate)
