"""Frame interpolation with FFmpeg's motion-compensated `minterpolate`.

To a frame rate (`fps`: 24 → 48 plays at the same speed with new in-between frames), or by a
slow-motion `factor` (2: twice the frames at the same rate, so the clip lasts twice as long).

```toml
[backends.smooth]
backend = "minterpolate"
mode = "mci"          # mci (motion compensated) | blend | dup
```
"""

from __future__ import annotations

from pathlib import Path

from cinecode.backends.protocols import (
    BackendStatus,
    Generated,
    InterpolateRequest,
    ProgressFn,
)
from cinecode.errors import BackendError

NAME = "minterpolate"


class MinterpolateBackend:
    """Motion-compensated interpolation (no model, no GPU)."""

    name = NAME

    def __init__(self, *, mode: str = "mci", search: int = 32) -> None:
        if mode not in ("mci", "blend", "dup"):
            raise BackendError(f"mode = {mode!r}", backend=NAME, hint="use mci, blend or dup")
        self.mode = mode
        self.search = search

    def status(self) -> BackendStatus:
        return BackendStatus("ready", f"FFmpeg minterpolate ({self.mode})")

    def filter(self, source_fps: float, req: InterpolateRequest) -> str:
        """The filter chain for a request on a clip at `source_fps`."""
        motion = f":mi_mode={self.mode}" + (
            f":mc_mode=aobmc:me_mode=bidir:vsbmc=1:search_param={self.search}"
            if self.mode == "mci"
            else ""
        )
        hold = "tpad=stop_mode=clone:stop=4,"  # the last frames interpolate towards a copy
        if req.fps:
            return f"{hold}minterpolate=fps={req.fps:.6g}{motion}"
        if req.factor and req.factor > 1:
            return f"{hold}setpts={req.factor:.6g}*PTS,minterpolate=fps={source_fps:.6g}{motion}"
        raise BackendError(
            "interpolation needs a target fps or a slow-motion factor > 1",
            backend=NAME,
            hint="set fps (e.g. 48) or factor (e.g. 2) in [finishing]",
        )

    def interpolate(
        self, req: InterpolateRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        from cinecode.media.ffmpeg import discard_on_error, probe, run_ffmpeg
        from cinecode.media.video import INTERMEDIATE_ARGS

        info = probe(req.source)
        source_fps = float(info.fps or 24)
        target = out / "interpolated.mp4"
        chain = self.filter(source_fps, req)
        multiple = (req.fps / source_fps) if req.fps else float(req.factor or 1)
        frames = max(1, round(info.frames * multiple))  # the same length (or factor× longer)
        args = [
            "-i", str(req.source), "-map", "0:v:0", "-vf", chain, "-frames:v", str(frames),
            *INTERMEDIATE_ARGS,
            "-an", "-f", "mp4", str(target),
        ]  # fmt: skip
        with discard_on_error(target):
            run_ffmpeg(args)
        fps = req.fps or source_fps
        meta = {"fps": fps, "frames": frames}
        return Generated(target, model=f"minterpolate-{self.mode}", meta=meta)


__all__ = ["MinterpolateBackend"]
