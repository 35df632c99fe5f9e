"""diffusers: text-to-image and image-to-video pipelines in process, by model id or local path.

```toml
[backends.wan]
backend = "diffusers"
model = "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers"   # a hub id already on disk, or ./models/wan
device = "auto"          # auto | cuda | cuda:1 | mps | cpu
dtype = "auto"           # auto (bfloat16/float16 on a GPU, float32 on the CPU) | float16 | …
offload = "none"         # none | model | sequential (enable_*_cpu_offload)
attention = "default"    # default (PyTorch SDPA) | xformers | slicing
steps = 30
guidance = 5.0
fps = 16                 # the model's own frame rate; the cut conforms the clip
frame_multiple = 4       # Wan makes 4k+1 frames
frame_offset = 1
max_frames = 81
```
cinecode never downloads a model: one that is not on disk is a `MissingModel` error that says
how to get it. Seeds go through a CPU `torch.Generator`, so a take is the same on any machine
that runs the same pipeline on the same device. Character and location references reach the
pipeline through IP-Adapter when `ip_adapter` is set and the pipeline supports it.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import diffusers  # `pip install 'cinecode[diffusers]'`
import torch
from PIL import Image

from cinecode.backends.frames import clip_length, write_frames
from cinecode.backends.protocols import (
    BackendStatus,
    Generated,
    ImageRequest,
    ProgressFn,
    VideoRequest,
)
from cinecode.errors import BackendError, BadOutput, MissingModel

NAME = "diffusers"
DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


class DiffusersBackend:
    """One diffusers pipeline, loaded on first use and kept until the build ends."""

    name = NAME

    def __init__(
        self,
        *,
        model: str = "",
        pipeline: str = "",
        device: str = "auto",
        dtype: str = "auto",
        offload: str = "none",
        attention: str = "default",
        vae_tiling: bool = False,
        steps: int | None = None,
        guidance: float | None = None,
        width: int | None = None,
        height: int | None = None,
        size_multiple: int = 16,
        fps: float | None = None,
        frame_multiple: int = 1,
        frame_offset: int = 0,
        max_frames: int | None = None,
        negative_prompt: str = "",
        ip_adapter: Mapping[str, Any] | None = None,
        variant: str = "",
        call: Mapping[str, Any] | None = None,
    ) -> None:
        if not model:
            raise BackendError(
                "no model", backend=NAME, hint='add model = "org/name" or a local folder'
            )
        if offload not in ("none", "model", "sequential"):
            raise BackendError(
                f"offload = {offload!r}", backend=NAME, hint="use none, model or sequential"
            )
        if attention not in ("default", "sdpa", "xformers", "slicing"):
            raise BackendError(
                f"attention = {attention!r}",
                backend=NAME,
                hint="use default, sdpa, xformers or slicing",
            )
        if dtype != "auto" and dtype not in DTYPES:
            raise BackendError(
                f"dtype = {dtype!r}", backend=NAME, hint=f"use auto or {', '.join(DTYPES)}"
            )
        self.model = model
        self.pipeline_class = pipeline
        self.device_name = device
        self.dtype_name = dtype
        self.offload = offload
        self.attention = attention
        self.vae_tiling = vae_tiling
        self.steps = steps
        self.guidance = guidance
        self.width = width
        self.height = height
        self.size_multiple = max(1, size_multiple)
        self.fps = fps
        self.frame_multiple = frame_multiple
        self.frame_offset = frame_offset
        self.max_frames = max_frames
        self.negative_prompt = negative_prompt
        self.ip_adapter = dict(ip_adapter or {})
        self.variant = variant
        self.call = dict(call or {})
        self._pipe: Any = None
        self._lock = threading.Lock()

    # --- where and how it runs ------------------------------------------------------------------

    def device(self) -> str:
        if self.device_name != "auto":
            return self.device_name
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"

    def dtype(self) -> torch.dtype:
        if self.dtype_name != "auto":
            return DTYPES[self.dtype_name]
        device = self.device()
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float16 if device == "mps" else torch.float32

    def _local(self) -> Path | None:
        path = Path(self.model).expanduser()
        return path if path.exists() else None

    def status(self) -> BackendStatus:
        """Ready when the model is on disk and the device exists."""
        device = self.device()
        if device.startswith("cuda") and not torch.cuda.is_available():
            return BackendStatus(
                "misconfigured",
                f"device {device} but PyTorch sees no CUDA GPU (torch {torch.__version__})",
                'set device = "cpu", or install a CUDA build of torch',
            )
        local = self._local()
        if local is not None:
            if not (local / "model_index.json").is_file():
                return BackendStatus(
                    "missing model",
                    f"{local} is not a diffusers pipeline folder (no model_index.json)",
                    "point model at a folder saved with save_pretrained()",
                )
            return BackendStatus("ready", f"{local} on {device}")
        if self.model.startswith(("/", "./", "../", "~")):
            return BackendStatus(
                "missing model",
                f"{self.model} does not exist",
                "fix `model` in film.toml (a local pipeline folder)",
            )
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(self.model, "model_index.json")
        if not isinstance(cached, str):
            return BackendStatus(
                "missing model",
                f"{self.model} is not on disk (cinecode never downloads models)",
                f"hf download {self.model}   (or set model to a local folder)",
            )
        return BackendStatus("ready", f"{self.model} on {device}")

    # --- loading --------------------------------------------------------------------------------

    def pipeline(self) -> Any:
        """The loaded pipeline (once per backend; never downloads)."""
        if self._pipe is not None:
            return self._pipe
        cls: Any = diffusers.DiffusionPipeline
        if self.pipeline_class:
            cls = getattr(diffusers, self.pipeline_class, None)
            if cls is None:
                raise BackendError(
                    f"diffusers {diffusers.__version__} has no pipeline {self.pipeline_class}",
                    backend=NAME,
                    hint="check the class name, or upgrade: pip install -U diffusers",
                )
        kwargs: dict[str, Any] = {"dtype": self.dtype(), "local_files_only": True}
        if self.variant:
            kwargs["variant"] = self.variant
        try:
            pipe = cls.from_pretrained(str(self._local() or self.model), **kwargs)
        except (OSError, ValueError) as exc:
            status = self.status()
            if status.state == "missing model":
                raise MissingModel(status.detail, backend=NAME, hint=status.fix) from exc
            raise BackendError(
                f"cannot load {self.model}: {exc}",
                backend=NAME,
                hint="check that the folder is a complete diffusers pipeline",
            ) from exc
        self._place(pipe)
        pipe.set_progress_bar_config(disable=True)
        if self.ip_adapter:
            self._load_ip_adapter(pipe)
        self._pipe = pipe
        return pipe

    def _place(self, pipe: Any) -> None:
        device = self.device()
        if self.offload == "model":
            pipe.enable_model_cpu_offload(device=device)
        elif self.offload == "sequential":
            pipe.enable_sequential_cpu_offload(device=device)
        else:
            pipe.to(device)
        if self.attention == "xformers":
            pipe.enable_xformers_memory_efficient_attention()
        elif self.attention == "slicing" and hasattr(pipe, "enable_attention_slicing"):
            pipe.enable_attention_slicing()
        if self.vae_tiling and getattr(pipe, "vae", None) is not None:
            pipe.vae.enable_tiling()

    def _load_ip_adapter(self, pipe: Any) -> None:
        if not hasattr(pipe, "load_ip_adapter"):
            raise BackendError(
                f"{type(pipe).__name__} does not take IP-Adapter references",
                backend=NAME,
                hint="remove `ip_adapter`, or use a pipeline that supports it (SD, SDXL, Flux)",
            )
        settings = dict(self.ip_adapter)
        scale = float(settings.pop("scale", 0.6))
        source = str(settings.pop("model", settings.pop("path", "")))
        try:
            pipe.load_ip_adapter(source, local_files_only=True, **settings)
        except (OSError, ValueError) as exc:
            raise MissingModel(
                f"the IP-Adapter {source} is not on disk: {exc}",
                backend=NAME,
                hint=f"hf download {source}   (or point ip_adapter.model at a local folder)",
            ) from exc
        pipe.set_ip_adapter_scale(scale)

    # --- generation -----------------------------------------------------------------------------

    def _size(self, width: int, height: int) -> tuple[int, int]:
        w, h = self.width or width, self.height or height
        m = self.size_multiple
        return max(m, round(w / m) * m), max(m, round(h / m) * m)

    def _call(
        self,
        pipe: Any,
        values: dict[str, Any],
        steps: int,
        progress: ProgressFn | None,
    ) -> Any:
        """Call the pipeline with the arguments it accepts, reporting each denoising step."""
        accepted = inspect.signature(pipe.__call__).parameters
        kwargs = {k: v for k, v in {**values, **self.call}.items() if k in accepted}
        if "callback_on_step_end" in accepted and progress is not None:

            def on_step(_pipe: Any, step: int, _t: Any, tensors: dict[str, Any]) -> dict[str, Any]:
                progress(min(0.95, (step + 1) / max(1, steps)))
                return tensors

            kwargs["callback_on_step_end"] = on_step
        with torch.inference_mode():
            return pipe(**kwargs)

    def _common(self, req: ImageRequest | VideoRequest, pipe: Any) -> dict[str, Any]:
        width, height = self._size(req.width, req.height)
        values: dict[str, Any] = {
            "prompt": req.prompt,
            "width": width,
            "height": height,
            "generator": torch.Generator(device="cpu").manual_seed(int(req.seed)),
            "output_type": "pil",
        }
        negative = req.negative_prompt or self.negative_prompt
        if negative:
            values["negative_prompt"] = negative
        if self.steps is not None:
            values["num_inference_steps"] = self.steps
        if self.guidance is not None:
            values["guidance_scale"] = self.guidance
            values["max_guidance_scale"] = self.guidance  # Stable Video Diffusion's name
        if req.references and self.ip_adapter and hasattr(pipe, "load_ip_adapter"):
            values["ip_adapter_image"] = _rgb(req.references[0])
        return values

    def generate(
        self,
        req: ImageRequest | VideoRequest,
        out: Path,
        progress: ProgressFn | None = None,
    ) -> Generated:
        """A keyframe (ImageRequest: text-to-image) or a clip (VideoRequest: image-to-video)."""
        with self._lock:
            # 1. load the pipeline (once)
            pipe = self.pipeline()
            # 2. arguments it accepts
            values = self._common(req, pipe)
            steps = int(values.get("num_inference_steps") or _default_steps(pipe))
            meta: dict[str, Any] = {"seed": req.seed, "device": self.device()}
            if isinstance(req, VideoRequest):
                fps, frames = clip_length(self, req)
                values.update(num_frames=frames, fps=round(fps), frame_rate=round(fps))
                values["decode_chunk_size"] = min(frames, 8)
                if req.image is not None:
                    values["image"] = _rgb(req.image).resize((values["width"], values["height"]))
                if req.last_image is not None:
                    values["last_image"] = _rgb(req.last_image)
                # 3. denoise
                result = self._call(pipe, values, steps, progress)
                clip = _frames(result)
                # 4. encode
                path = write_frames(clip, out / "clip.mp4", fps=fps)
                meta.update(kind="video", fps=fps, frames=len(clip), duration=len(clip) / fps)
            else:
                if req.init_image is not None:
                    values["image"] = _rgb(req.init_image)
                result = self._call(pipe, values, steps, progress)
                images = getattr(result, "images", None)
                if not images:
                    raise BadOutput(
                        f"{type(pipe).__name__} returned no image",
                        backend=NAME,
                        hint="is it a text-to-image pipeline? set `pipeline` explicitly",
                    )
                image = images[0] if isinstance(images[0], Image.Image) else _to_image(images[0])
                path = out / "keyframe.png"
                image.save(path)
                meta.update(kind="image")
            meta.update(width=values["width"], height=values["height"])
            return Generated(path, model=self.model, meta=meta)

    def close(self) -> None:
        """Free the pipeline (and the GPU memory it holds)."""
        self._pipe = None
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def _default_steps(pipe: Any) -> int:
    parameter = inspect.signature(pipe.__call__).parameters.get("num_inference_steps")
    default = parameter.default if parameter is not None else 50
    return int(default) if isinstance(default, int) else 50


def _rgb(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def _to_image(array: Any) -> Image.Image:
    import numpy as np

    data = np.asarray(array)
    if data.dtype != np.uint8:
        data = (np.clip(data, 0.0, 1.0) * 255).round().astype(np.uint8)
    return Image.fromarray(data)


def _frames(result: Any) -> list[Image.Image]:
    frames = getattr(result, "frames", None)
    if frames is None or len(frames) == 0:
        raise BadOutput(
            "the pipeline returned no frames",
            backend=NAME,
            hint="is it an image-to-video pipeline? set `pipeline` explicitly",
        )
    first = frames[0]
    return [f if isinstance(f, Image.Image) else _to_image(f) for f in first]


__all__ = ["DiffusersBackend"]
