"""Lanczos upscaling with FFmpeg (images with Pillow): the fallback that always works.

A plain resize: no detail is invented, edges stay soft. `upscaler = "lanczos"` in
`[finishing]` when Real-ESRGAN is not installed or too slow on the CPU.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from cinecode.backends.protocols import BackendStatus, Generated, ProgressFn, UpscaleRequest
from cinecode.media.suffixes import IMAGE_SUFFIXES

NAME = "lanczos"


class LanczosBackend:
    """Resize by a factor or to a target size (cover: fill the frame, centre crop)."""

    name = NAME

    def __init__(self) -> None:
        pass

    def status(self) -> BackendStatus:
        return BackendStatus("ready", "FFmpeg Lanczos resize")

    def upscale(
        self, req: UpscaleRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        from cinecode.media.ffmpeg import discard_on_error, probe, run_ffmpeg
        from cinecode.media.video import INTERMEDIATE_ARGS

        info = probe(req.source)
        width = req.width or info.width * req.scale
        height = req.height or info.height * req.scale
        if req.source.suffix.lower() in IMAGE_SUFFIXES:
            target = out / "upscaled.png"
            with Image.open(req.source) as image:
                rgb = image.convert("RGB")
                scale = max(width / rgb.width, height / rgb.height)
                size = (
                    max(width, round(rgb.width * scale)),
                    max(height, round(rgb.height * scale)),
                )
                rgb = rgb.resize(size, Image.Resampling.LANCZOS)
                left, top = (size[0] - width) // 2, (size[1] - height) // 2
                rgb.crop((left, top, left + width, top + height)).save(target)
            return Generated(target, model="lanczos", meta={"width": width, "height": height})
        target = out / "upscaled.mp4"
        chain = (
            f"scale={width}:{height}:force_original_aspect_ratio=increase:flags=lanczos,"
            f"crop={width}:{height}"
        )
        args = [
            "-i", str(req.source), "-map", "0:v:0", "-vf", chain,
            *INTERMEDIATE_ARGS,
            "-an", "-f", "mp4", str(target),
        ]  # fmt: skip
        with discard_on_error(target):
            run_ffmpeg(args)
        return Generated(target, model="lanczos", meta={"width": width, "height": height})


__all__ = ["LanczosBackend"]
