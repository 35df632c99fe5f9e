"""Timing: how long each shot holds, from the real voice audio.

A shot's timing spec is plain JSON (it goes into job params, hence into keys):
`{"n": voices in the shot, "dual": [bool per voice], "fixed": seconds | None,
"min": seconds | None}`.
The edit may add (see `cinecode.departments.edit`): `"lead"`, `"gap"`, `"tail"` (seconds, the
edit style's breathing room), `"trim"` (seconds cut from the shot's head: its voices start that
much earlier) and `"frames"` (the editor's exact length: never padded).
Voices play one after another (`GAP` apart); a dual-dialogue voice starts over the previous
one. Dialogue shots open with `LEAD` seconds of picture before the first word and hold `TAIL`
after the last. A scene lasts a whole number of quanta (see `media.clock.quantum_frames`:
64 frames at 24 fps / 48 kHz, so its sound is a whole number of AAC frames); the frames
needed to get there go to its first shot the editor has not timed (`padded_shot`), usually
the establishing wide, which holds a beat longer. Every other shot lasts its own timing, so
its segment depends on its own voices only: a changed line re-renders its shot and the
padded one, not the whole scene.

A scene's clock (second half of this file): sound jobs (music cue, scene stems) carry the
scene's timing in their params as a *clock*: `{"shots": [timing specs], "frames": n | None}`
— `frames` for a card (title, credits), `shots` for a scene. With the voices' durations the
functions above turn it into frames; the clock only reads the result in seconds and samples,
so sound and picture cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cinecode.media.clock import samples_per_frame

LEAD = 0.3
GAP = 0.35
TAIL = 0.55
DUAL_START = 0.3  # a dual-dialogue voice starts at this fraction of the previous one
MIN_SHOT = 1.2

Spec = dict[str, Any]


def spec(
    *,
    voices: int = 0,
    dual: Sequence[bool] = (),
    fixed: float | None = None,
    minimum: float | None = None,
) -> Spec:
    """A shot's timing spec."""
    return {
        "n": voices,
        "dual": list(dual) if dual else [False] * voices,
        "fixed": fixed,
        "min": minimum,
    }


@dataclass(frozen=True)
class ShotTime:
    seconds: float
    starts: tuple[float, ...]  # each voice's start, seconds from the shot's first frame


def layout(shot: Spec, durations: Sequence[float]) -> ShotTime:
    """Where each voice starts in the shot, and how long the shot must last."""
    if len(durations) != shot["n"]:
        raise ValueError(f"timing spec expects {shot['n']} voices, got {len(durations)}")
    starts: list[float] = []
    lead, gap, tail = shot.get("lead", LEAD), shot.get("gap", GAP), shot.get("tail", TAIL)
    cursor = lead
    end = 0.0
    for index, duration in enumerate(durations):
        if index and shot["dual"][index]:
            start = starts[-1] + DUAL_START * durations[index - 1]
        else:
            start = cursor
        starts.append(round(start, 4))
        cursor = max(cursor, start + duration + gap)
        end = max(end, start + duration)
    if shot["fixed"] is not None and not durations:
        seconds = float(shot["fixed"])
    else:
        seconds = max(MIN_SHOT, end + tail) if durations else MIN_SHOT
        if shot["fixed"] is not None:
            seconds = max(seconds, float(shot["fixed"]))
    if shot["min"] is not None:
        seconds = max(seconds, float(shot["min"]))
    if shot.get("trim"):  # the editor cut the head: everything starts earlier
        starts = [round(start - float(shot["trim"]), 6) for start in starts]
    return ShotTime(seconds=seconds, starts=tuple(starts))


def frames_for(seconds: float, fps: int) -> int:
    """Whole frames covering `seconds` (at least one)."""
    return max(1, math.ceil(seconds * fps - 1e-6))


def scene_frames(
    shots: Sequence[Spec], durations: Sequence[Sequence[float]], *, fps: int, quantum: int
) -> list[int]:
    """Frames of each shot of a scene, padded to a whole number of quanta.

    Shots the editor timed (`"frames"` in their spec) keep their length exactly (the reel
    carries their total as its residue, see `cinecode.departments.edit`); the others are
    padded to whole quanta, by the first of them (none when every shot is timed).
    """
    frames = [
        int(s["frames"]) if s.get("frames") is not None else frames_for(layout(s, d).seconds, fps)
        for s, d in zip(shots, durations, strict=True)
    ]
    pad = padded_shot(shots)
    if pad is not None:
        free = sum(f for f, s in zip(frames, shots, strict=True) if s.get("frames") is None)
        frames[pad] += (-free) % quantum
    return frames


def padded_shot(shots: Sequence[Spec]) -> int | None:
    """The shot that carries its scene's padding: the first one the editor has not timed."""
    return next((i for i, s in enumerate(shots) if s.get("frames") is None), None)


def voice_windows(
    shots: Sequence[Spec], durations: Sequence[Sequence[float]], frames: Sequence[int], fps: int
) -> list[tuple[float, float, float]]:
    """For each voice of a scene: (start, window start, window end), seconds in the scene.

    The window is its shot's time on screen: sound follows picture, so a voice the editor
    trimmed into is cut where its shot is cut.
    """
    out: list[tuple[float, float, float]] = []
    offset = 0
    for shot, durs, count in zip(shots, durations, frames, strict=True):
        begin, end = offset / fps, (offset + count) / fps
        out.extend((begin + start, begin, end) for start in layout(shot, durs).starts)
        offset += count
    return out


def split(flat: Sequence[float], shots: Sequence[Spec]) -> list[list[float]]:
    """Split the scene's voice durations (in shot order) into per-shot lists."""
    out: list[list[float]] = []
    index = 0
    for shot in shots:
        out.append(list(flat[index : index + shot["n"]]))
        index += shot["n"]
    if index != len(flat):
        raise ValueError(f"{len(flat)} voice durations for {index} voices")
    return out


def padded_frames(seconds: float, *, fps: int, quantum: int) -> int:
    """Frames for a card (title, credits) lasting about `seconds`, whole quanta."""
    frames = frames_for(seconds, fps)
    return frames + (-frames) % quantum


# ── A scene's clock: where its shots and voices fall, in seconds and samples ──
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
