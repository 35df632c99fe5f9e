"""Master department: scene reels, the master, and its subtitles.

A reel is one scene: its segments concatenated by stream copy, with the scene's mix encoded
to AAC using the neighbouring scenes' sound as pre- and post-roll, so that reels join without
a click. The middle of that sound (all but EDGE AAC frames at each end, `media.aac.middle`)
depends on the scene's own mix only: a `reel-sound` job encodes it, and the reel encodes its
two ends beside its neighbours and joins the three by packet copy. So a neighbour's change
re-encodes a few frames of this reel's sound, and a new picture none.

The master is the reels concatenated by stream copy: nothing is re-encoded, so a change
re-renders only the reels it touches, and the same reels give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.departments.timing import Spec, scene_frames, split, voice_windows
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.media.subtitles import Cue, cues_for, to_srt

REEL = Step("reel", 2, "render", "master", "mp4")  # 2: its middle from a reel-sound job
REEL_SOUND = Step("reel-sound", 1, "render", "master", "m4a")
MASTER = Step("master", 1, "render", "master", "mp4")
SUBTITLES = Step("subtitles", 2, "render", "edit", "srt")


def plan_reel(
    *,
    scene_id: str,
    segments: list[str],
    mix: str,
    prev: str | None,
    next: str | None,
    rate: int,
    offset: int = 0,
    overhang: int = 0,
    fades: list[tuple[int, str, int]] | None = None,
    edges: int = 0,
) -> tuple[Job, Job]:
    """One scene's reel and the job that encodes the middle of its sound: picture by stream
    copy, sound encoded with its neighbours as context.

    In an edited cut a reel need not last whole AAC frames: its sound then starts `offset`
    samples after its picture (the previous reel carries them) and takes `overhang` samples of
    the next reel's sound (see docs/editorial.md). `edges`: samples of fade at both ends of
    the sound (a branching film's reel meets silence, and any reel, at its ends).
    """
    shaped: dict[str, Any] = {"rate": rate, "bitrate": "192k"}
    if offset or overhang:
        shaped.update(offset=offset, overhang=overhang)
    if fades:  # (segment index, "in" | "out", frames): the sound fades with the picture
        shaped["fades"] = [list(fade) for fade in fades]
    if edges:
        shaped["edges"] = edges
    # the middle reads the scene's mix only (and the segments' lengths, where the sound fades)
    sound_inputs = (mix, *(segments if fades else ()))
    sound = REEL_SOUND.job(shaped, sound_inputs, label=f"sound {scene_id}", scene=scene_id)
    inputs = (*segments, mix, *([prev] if prev else []), *([next] if next else []), sound.key)
    params = {"segments": len(segments), "prev": prev is not None, "next": next is not None}
    reel = REEL.job({**params, **shaped}, inputs, label=f"reel {scene_id}", scene=scene_id)
    return reel, sound


def _scene_sound(p: dict[str, Any], mix: Path, frames: list[int]) -> Any:
    """The scene's mix as its reel plays it: faded with its picture, and at its edges."""
    from cinecode.media.audio import read_audio

    current = read_audio(mix, rate=p["rate"], channels=2)
    if p.get("fades"):
        current = _faded(current, p["fades"], frames)
    if p.get("edges"):
        current = _edged(current, int(p["edges"]))
    return current


def _span(
    current: Any, prev: Any, nxt: Any, *, offset: int, overhang: int, channels: int = 2
) -> tuple[Any, Any, Any]:
    """The reel's sound, [offset, len + overhang) of its scene, with what comes before and
    after it as the encoder's context."""
    import numpy as np

    empty = np.zeros((channels, 0), dtype=np.float32)
    before = np.concatenate([prev if prev is not None else empty, current[:, :offset]], axis=1)
    following = nxt if nxt is not None else np.zeros((channels, overhang), dtype=np.float32)
    if following.shape[1] < overhang:
        pad = np.zeros((channels, overhang - following.shape[1]), dtype=np.float32)
        following = np.concatenate([following, pad], axis=1)
    body = np.concatenate([current[:, offset:], following[:, :overhang]], axis=1)
    return body, before, following[:, overhang:]


def run_reel_sound(job: Job, ctx: Context) -> Output:
    """The middle of a reel's sound (`media.aac.middle`), encoded beside the scene's own
    sound only, in pieces side by side (`media.aac.encode_middle`); meta start and end: its
    samples in the reel's sound (0, 0: the sound is too short to have a middle, and the reel
    encodes it whole)."""
    import numpy as np

    from cinecode.media.aac import encode_middle, encode_scene_audio, middle
    from cinecode.media.audio import AAC_FRAME

    p = job.params
    frames = [int(i.meta["frames"]) for i in ctx.inputs[1:]]
    own = _scene_sound(p, ctx.inputs[0].path, frames)[:, int(p.get("offset", 0)) :]
    span = middle(own.shape[1] + int(p.get("overhang", 0)), own.shape[1])
    out = ctx.workdir / "sound.m4a"
    if span is None:  # a placeholder, one silent frame: the reel encodes its sound whole
        silence = np.zeros((2, AAC_FRAME), dtype=np.float32)
        encode_scene_audio(
            silence, rate=p["rate"], prev=None, next=None, out=out, bitrate=p["bitrate"]
        )
        return Output(out, {"start": 0, "end": 0})
    start, end = span
    encode_middle(own, start, end, rate=p["rate"], out=out, bitrate=p["bitrate"])
    return Output(out, {"start": start, "end": end})


def run_reel(job: Job, ctx: Context) -> Output:
    from cinecode.media.aac import SETTLE, encode_scene_audio, join_parts
    from cinecode.media.audio import read_audio
    from cinecode.media.mux import mux_reel

    # 1. the inputs: segments, the scene's mix, its neighbours' mixes, its sound's middle
    p = job.params
    count = p["segments"]
    segments = [i.path for i in ctx.inputs[:count]]
    rest = ctx.inputs[count:]
    mix, rest = rest[0], rest[1:]
    prev = read_audio(rest.pop(0).path, rate=p["rate"], channels=2) if p["prev"] else None
    nxt = read_audio(rest.pop(0).path, rate=p["rate"], channels=2) if p["next"] else None
    middle = rest.pop(0)
    current = _scene_sound(p, mix.path, [int(i.meta["frames"]) for i in ctx.inputs[:count]])
    ctx.check()
    # 2. the sound to encode, and what comes before and after it
    offset, overhang = int(p.get("offset", 0)), int(p.get("overhang", 0))
    body = current
    if offset or overhang:
        body, prev, nxt = _span(current, prev, nxt, offset=offset, overhang=overhang)
    # 3. its ends encoded beside the neighbours, joined to the middle by packet copy
    audio = ctx.workdir / "audio.m4a"
    start, end = int(middle.meta["start"]), int(middle.meta["end"])
    rate, bitrate = p["rate"], p["bitrate"]
    if end:
        head, tail = ctx.workdir / "head.m4a", ctx.workdir / "tail.m4a"
        encode_scene_audio(
            body[:, :start], rate=rate, prev=prev, next=body[:, start:], out=head, bitrate=bitrate
        )
        encode_scene_audio(
            body[:, end:], rate=rate, prev=body[:, :end], next=nxt, out=tail, bitrate=bitrate,
            pre_roll=SETTLE,
        )  # fmt: skip
        join_parts([(head, 0), (middle.path, start), (tail, end)], audio, rate=rate)
    else:
        encode_scene_audio(body, rate=rate, prev=prev, next=nxt, out=audio, bitrate=bitrate)
    out = ctx.workdir / "reel.mp4"
    mux_reel(segments, audio, out, sound_offset=offset, overhang=overhang)
    frames = sum(int(i.meta["frames"]) for i in ctx.inputs[:count])
    return Output(out, {"frames": frames, "duration": current.shape[1] / p["rate"]})


def _faded(audio: Any, fades: list[list[Any]], frames: list[int]) -> Any:
    """The reel's sound faded in and out where its picture fades (equal-power ramps)."""
    import numpy as np

    spf = audio.shape[1] // max(1, sum(frames))
    out = np.array(audio, dtype=np.float32)
    starts = [sum(frames[:i]) for i in range(len(frames))]
    for index, where, count in fades:
        index, count = int(index), min(int(count), frames[int(index)])
        length = count * spf
        ramp = np.sin(np.linspace(0.0, np.pi / 2, length, dtype=np.float32))
        if where == "in":
            begin = starts[index] * spf
            out[:, begin : begin + length] *= ramp
        else:
            end = (starts[index] + frames[index]) * spf
            out[:, end - length : end] *= ramp[::-1]
    return out


def _edged(audio: Any, samples: int) -> Any:
    """The sound faded in over its first `samples` and out over its last (half-cosine), so
    that it starts and ends in silence: any two such reels join without a click."""
    import numpy as np

    out = np.array(audio, dtype=np.float32)
    count = min(samples, out.shape[1] // 2)
    if count <= 0:
        return out
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, count, dtype=np.float32))).astype(np.float32)
    out[:, :count] *= ramp
    out[:, out.shape[1] - count :] *= ramp[::-1]
    return out


def plan_master(reels: list[str], *, title: str) -> Job:
    return MASTER.job({"title": title}, tuple(reels), label="master")


def run_master(job: Job, ctx: Context) -> Output:
    from cinecode.media.mux import concat_reels

    out = ctx.workdir / "master.mp4"
    concat_reels([i.path for i in ctx.inputs], out)
    frames = sum(int(i.meta["frames"]) for i in ctx.inputs)
    duration = sum(float(i.meta["duration"]) for i in ctx.inputs)
    return Output(out, {"frames": frames, "duration": duration, "reels": len(ctx.inputs)})


def plan_subtitles(
    reels: list[dict[str, Any]], voices: list[str], *, fps: int, quantum: int
) -> Job:
    """Subtitles for the whole film.

    `reels` describe the cut in order: `{"frames": n}` for a card, or `{"shots": [specs],
    "speakers": [...], "texts": [...]}` for a scene whose voices are the next in `voices`.
    """
    params = {"reels": reels, "fps": fps, "quantum": quantum}
    return SUBTITLES.job(params, tuple(voices), label="subtitles")


def film_cues(params: dict[str, Any], metas: list[dict[str, Any]]) -> list[Cue]:
    """Every subtitle cue of the film, from the timing and the voices' phrase timings."""
    fps, quantum = params["fps"], params["quantum"]
    cues: list[Cue] = []
    offset_frames = 0
    index = 0
    for reel in params["reels"]:
        if "frames" in reel:
            offset_frames += int(reel["frames"])
            continue
        shots: list[Spec] = reel["shots"]
        count = sum(s["n"] for s in shots)
        scene_metas = metas[index : index + count]
        index += count
        per_shot = split([float(m["duration"]) for m in scene_metas], shots)
        frames = scene_frames(shots, per_shot, fps=fps, quantum=quantum)
        windows = voice_windows(shots, per_shot, frames, fps)
        origin = offset_frames / fps
        for voice, (start, begin, end) in enumerate(windows):
            meta = scene_metas[voice]
            placed = cues_for(
                origin + start,
                meta.get("phrases", []),
                reel["texts"][voice],
                reel["speakers"][voice],
            )
            inside = begin <= start and start + float(meta["duration"]) <= end
            # edit: a line the cut trims into is subtitled only while its shot is on screen
            cues.extend(placed if inside else _within(placed, origin + begin, origin + end))
        offset_frames += sum(frames)
    return cues


def _within(cues: list[Cue], begin: float, end: float) -> list[Cue]:
    """The cues, cut to [begin, end) (those left with almost nothing are dropped)."""
    out: list[Cue] = []
    for cue in cues:
        start, stop = max(cue.start, begin), min(cue.end, end)
        if stop - start >= 0.2 or (cue.start >= begin and cue.end <= end):
            out.append(Cue(start, stop, cue.text, cue.speaker))
    return out


def run_subtitles(job: Job, ctx: Context) -> Output:
    cues = film_cues(job.params, [i.meta for i in ctx.inputs])
    out = ctx.workdir / "film.srt"
    out.write_text(to_srt(cues), encoding="utf-8")
    return Output(out, {"cues": len(cues)})
