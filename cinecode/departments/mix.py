"""Mix department: each scene's sound, laid on the scene's timeline, at its exact length.

The dialogue bus places every voice where its shot and the timing put it; (V.O.) is close and
dry, (O.S.) filtered and distant. The scene is levelled to the project's loudness and peak
limited, so scenes can be encoded and conformed one by one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.media.audio import (
    Audio,
    db_to_gain,
    quantum_frames,
    read_audio,
    samples_per_frame,
    write_audio,
)
from cinecode.media.window import windowed
from cinecode.project import Project
from cinecode.timing import Spec, layout, scene_frames, split, voice_windows

SCENE_MIX = Step("scene-mix", 1, "render", "mix", "wav")

TARGET_LUFS = -16.0
PEAK_DB = -1.5


def plan_scene_mix(
    *,
    scene_id: str,
    voices: list[str],
    shots: list[Spec],
    extensions: list[str],
    project: Project,
    frames: int | None = None,
) -> Job:
    """The mix of one scene (or, with `frames` and no shots, a silent card)."""
    fmt = project.config.format
    params: dict[str, Any] = {
        "rate": fmt.sample_rate,
        "fps": fmt.fps,
        "quantum": quantum_frames(fmt.fps, fmt.sample_rate),
        "shots": shots,
        "extensions": extensions,
        "frames": frames,
        "target": TARGET_LUFS,
    }
    return SCENE_MIX.job(params, tuple(voices), label=f"mix scene {scene_id}", scene=scene_id)


def scene_timeline(params: dict[str, Any], durations: list[float]) -> tuple[list[int], list[float]]:
    """(frames per shot, start of each voice in seconds from the scene's start)."""
    shots: list[Spec] = params["shots"]
    if not shots:
        return [int(params["frames"])], []
    per_shot = split(durations, shots)
    frames = scene_frames(shots, per_shot, fps=params["fps"], quantum=params["quantum"])
    starts: list[float] = []
    offset = 0
    for shot, durs, count in zip(shots, per_shot, frames, strict=True):
        shot_start = offset / params["fps"]
        starts.extend(shot_start + s for s in layout(shot, durs).starts)
        offset += count
    return frames, starts


def _windows(
    params: dict[str, Any], durations: list[float], frames: list[int]
) -> list[tuple[float, float]]:
    """Each voice's shot on screen, seconds in the scene (cinecode.departments.edit)."""
    shots: list[Spec] = params["shots"]
    if not shots:
        return []
    windows = voice_windows(shots, split(durations, shots), frames, params["fps"])
    return [(begin, end) for _, begin, end in windows]


def _treat(voice: Audio, extension: str, rate: int) -> Audio:
    import pedalboard
    from pedalboard import Compressor, HighpassFilter, LowpassFilter

    chain: type = pedalboard.Pedalboard  # type: ignore[attr-defined]

    ext = extension.upper().replace(" ", "")
    if ext in ("O.S.", "O.C.", "OS", "OC"):
        board = chain([HighpassFilter(320), LowpassFilter(2800)])
        return np.asarray(board(voice, rate), dtype=np.float32) * db_to_gain(-5)
    if ext in ("V.O.", "VO"):
        board = chain([Compressor(threshold_db=-24, ratio=2.5, attack_ms=5, release_ms=80)])
        return np.asarray(board(voice, rate), dtype=np.float32) * db_to_gain(1.5)
    return voice


def level(mix: Audio, rate: int, target: float) -> Audio:
    """Bring the mix to `target` LUFS (integrated) and keep true peaks under PEAK_DB."""
    import pyloudnorm

    if not np.any(mix):
        return mix
    meter = pyloudnorm.Meter(rate)
    if mix.shape[1] < rate * 0.5:
        return mix
    loudness = meter.integrated_loudness(mix.T.astype(np.float64))
    if np.isfinite(loudness):
        mix = mix * db_to_gain(target - loudness)
    return limit(mix, rate)


def limit(mix: Audio, rate: int) -> Audio:
    """A look-ahead peak limiter at PEAK_DB, checked on a 4× oversampled signal."""
    from pedalboard import Limiter
    from scipy.signal import resample_poly

    limited = np.asarray(Limiter(threshold_db=PEAK_DB - 0.5, release_ms=120)(mix, rate), np.float32)
    over = resample_poly(limited, 4, 1, axis=-1)
    peak = float(np.max(np.abs(over))) if over.size else 0.0
    ceiling = db_to_gain(PEAK_DB)
    if peak > ceiling:
        limited = limited * (ceiling / peak)
    return limited.astype(np.float32)


def run_scene_mix(job: Job, ctx: Context) -> Output:
    """Mix one scene."""
    p = job.params
    rate = p["rate"]
    durations = [float(i.meta["duration"]) for i in ctx.inputs]
    frames, starts = scene_timeline(p, durations)
    length = sum(frames) * samples_per_frame(p["fps"], rate)
    mix = np.zeros((2, length), dtype=np.float32)
    windows = _windows(p, durations, frames)
    for source, start, extension, (begin, stop) in zip(
        ctx.inputs, starts, p["extensions"], windows, strict=True
    ):
        ctx.check()
        voice = read_audio(source.path, rate=rate, channels=1)
        voice = _treat(voice, extension, rate)
        # edit: sound follows picture, a voice plays only while its shot is on screen
        voice, at = windowed(voice, round(start * rate), round(begin * rate), round(stop * rate))
        end = min(length, at + voice.shape[1])
        mix[:, at:end] += voice[0, : end - at]
    mix = level(mix, rate, p["target"])
    out = ctx.workdir / "mix.wav"
    write_audio(out, mix, rate)
    return Output(
        out, {"frames": frames, "samples": length, "starts": starts, "duration": length / rate}
    )
