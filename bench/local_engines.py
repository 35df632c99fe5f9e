"""Speed of the finishing engines on this machine (CPU): Real-ESRGAN, Lanczos, minterpolate.

Run: `python bench/local_engines.py` (prints one line per measurement; numbers go to
docs/local-engines.md). A clip of moving shapes is made at each size, then finished.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import av
from PIL import Image, ImageDraw

from cinecode.backends.lanczos import LanczosBackend
from cinecode.backends.minterpolate import MinterpolateBackend
from cinecode.backends.protocols import InterpolateRequest, UpscaleRequest
from cinecode.backends.realesrgan.backend import RealESRGANBackend


def clip(path: Path, size: tuple[int, int], frames: int, fps: int = 24) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        for index in range(frames):
            image = Image.new("RGB", size, (30, 40, 60))
            draw = ImageDraw.Draw(image)
            x = index * size[0] // (2 * frames)
            draw.rectangle(
                (x, size[1] // 4, x + size[0] // 5, 3 * size[1] // 4), fill=(220, 90, 40)
            )
            draw.line((0, index, size[0], size[1] - index), fill=(240, 240, 240), width=2)
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def timed(label: str, frames: int, run: object) -> None:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    sys.stdout.write(f"{label}: {seconds:.2f} s, {frames / seconds:.2f} frames/s\n")
    sys.stdout.flush()


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    frames = 24
    source = clip(folder / "hd.mp4", (1280, 720), frames)
    out = folder / "mi"
    out.mkdir()
    timed(
        "minterpolate 24→48 fps 1280x720",
        frames,
        lambda: MinterpolateBackend().interpolate(InterpolateRequest(source=source, fps=48), out),
    )
    runs = [((320, 180), "realesr-animevideov3", 2), ((640, 360), "realesr-animevideov3", 2)]
    if "--slow" in sys.argv:  # the photographic model: about 25 s a frame at 320×180 on 2 cores
        runs.append(((320, 180), "realesrgan-x4plus", 4))
    for size, model, scale in runs:
        source = clip(folder / f"c{size[0]}{model}.mp4", size, frames)
        out = folder / f"{model}{size[0]}"
        out.mkdir()
        backend = RealESRGANBackend(model=model)
        timed(
            f"realesrgan {model} {scale}x {size[0]}x{size[1]} (CPU)",
            frames,
            lambda b=backend, s=source, o=out, k=scale: b.upscale(
                UpscaleRequest(source=s, scale=k), o
            ),
        )
        out = folder / f"lanczos{size[0]}{model}"
        out.mkdir()
        timed(
            f"lanczos 2x {size[0]}x{size[1]}",
            frames,
            lambda s=source, o=out: LanczosBackend().upscale(UpscaleRequest(source=s, scale=2), o),
        )


if __name__ == "__main__":
    main()
