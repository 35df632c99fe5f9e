"""Upscaling (Real-ESRGAN, Lanczos) and frame interpolation (minterpolate) on real clips."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw

from cinecode.backends.lanczos import LanczosBackend
from cinecode.backends.minterpolate import MinterpolateBackend
from cinecode.backends.protocols import InterpolateRequest, UpscaleRequest
from cinecode.backends.realesrgan.backend import RealESRGANBackend, model_scale

pytestmark = pytest.mark.slow

Frames = list[npt.NDArray[np.uint8]]


def _clip(path: Path, frames: list[Image.Image], fps: int) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = *frames[0].size, "yuv420p"
        stream.options = {"crf": "8"}
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _read(path: Path) -> tuple[Frames, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return frames, float(stream.average_rate or 0)


def _scene(size: tuple[int, int], shift: int = 0) -> Image.Image:
    """Hard edges and fine lines: what an upscaler should keep crisp."""
    image = Image.new("RGB", size, (30, 40, 60))
    draw = ImageDraw.Draw(image)
    w, h = size
    for x in range(0, w, 6):
        draw.line((x + shift, 0, x + shift + h // 2, h), fill=(230, 220, 200), width=1)
    draw.rectangle((w // 4 + shift, h // 4, w // 2 + shift, 3 * h // 4), fill=(200, 60, 40))
    draw.ellipse((w // 2, h // 3, w // 2 + h // 3, 2 * h // 3), outline=(250, 250, 250), width=2)
    return image


def _sharpness(frame: npt.NDArray[np.uint8]) -> float:
    luma = frame.astype(np.float64).mean(axis=2)
    return float(np.abs(np.diff(luma, axis=0)).mean() + np.abs(np.diff(luma, axis=1)).mean())


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    big = [_scene((256, 192), shift=2 * i) for i in range(4)]
    small = [frame.resize((64, 48), Image.Resampling.BOX) for frame in big]
    return _clip(folder / "small.mp4", small, fps=24)


def test_realesrgan_really_upscales_a_clip_not_a_resize(small_clip: Path, tmp_path: Path) -> None:
    backend = RealESRGANBackend()
    status = backend.status()
    assert status.state == "ready", status
    (tmp_path / "ai").mkdir()
    (tmp_path / "lanczos").mkdir()
    fractions: list[float] = []
    ai = backend.upscale(
        UpscaleRequest(source=small_clip, scale=2), tmp_path / "ai", fractions.append
    )
    plain = LanczosBackend().upscale(
        UpscaleRequest(source=small_clip, scale=2), tmp_path / "lanczos"
    )
    ai_frames, ai_fps = _read(ai.path)
    plain_frames, _ = _read(plain.path)
    assert len(ai_frames) == len(plain_frames) == 4 and ai_fps == 24
    assert ai_frames[0].shape == plain_frames[0].shape == (96, 128, 3)
    assert fractions[-1] > 0.7  # progress came frame by frame
    difference = np.abs(ai_frames[0].astype(int) - plain_frames[0].astype(int)).mean()
    assert difference > 2.0, difference  # not the same resize
    ratio = np.mean(
        [_sharpness(a) / _sharpness(b) for a, b in zip(ai_frames, plain_frames, strict=True)]
    )
    assert ratio > 1.1, ratio  # crisper edges than Lanczos


def test_realesrgan_reaches_an_exact_target_size(tmp_path: Path) -> None:
    source = tmp_path / "key.png"
    _scene((60, 40)).save(source)
    assert model_scale("realesr-animevideov3", 3.3) == 4
    assert model_scale("realesrgan-x4plus", 2) == 4
    result = RealESRGANBackend().upscale(
        UpscaleRequest(source=source, width=200, height=100), tmp_path
    )
    assert Image.open(result.path).size == (200, 100)
    assert result.meta["model_scale"] == 4


def _moving_bar(count: int) -> list[Image.Image]:
    frames = []
    for index in range(count):
        image = Image.new("RGB", (96, 64), (20, 20, 20))
        x = 8 + 3 * index
        ImageDraw.Draw(image).rectangle((x, 16, x + 12, 48), fill=(240, 240, 240))
        frames.append(image)
    return frames


def _bar_x(frame: npt.NDArray[np.uint8]) -> float:
    columns = frame.astype(float).mean(axis=(0, 2))
    weights = np.clip(columns - 40, 0, None)
    return float((weights * np.arange(columns.size)).sum() / weights.sum())


def test_minterpolate_doubles_a_clips_frame_rate(tmp_path: Path) -> None:
    source = _clip(tmp_path / "bar.mp4", _moving_bar(24), fps=24)
    result = MinterpolateBackend().interpolate(InterpolateRequest(source=source, fps=48), tmp_path)
    frames, fps = _read(result.path)
    original, _ = _read(source)
    assert fps == 48
    assert abs(len(frames) - 48) <= 1
    # the new frames are in between, not copies: the bar moves half as far per frame
    steps = np.diff([_bar_x(f) for f in frames[4:40]])
    assert np.allclose(steps, 1.5, atol=0.5), steps
    assert abs(_bar_x(frames[11]) - (_bar_x(original[5]) + _bar_x(original[6])) / 2) < 0.6


def test_minterpolate_slow_motion_lasts_longer(tmp_path: Path) -> None:
    source = _clip(tmp_path / "bar.mp4", _moving_bar(12), fps=24)
    result = MinterpolateBackend().interpolate(
        InterpolateRequest(source=source, factor=2), tmp_path
    )
    frames, fps = _read(result.path)
    assert fps == 24 and abs(len(frames) - 24) <= 2


def test_a_crash_in_ncnn_is_a_clear_error_not_a_dead_build(tmp_path: Path) -> None:
    from cinecode.backends.realesrgan.worker import gpu_count
    from cinecode.errors import BackendError

    source = tmp_path / "key.png"
    _scene((32, 24)).save(source)
    backend = RealESRGANBackend(gpu=0)  # the first Vulkan GPU, asked for explicitly
    if gpu_count() > 0:
        result = backend.upscale(UpscaleRequest(source=source, scale=2), tmp_path)
        assert Image.open(result.path).size == (64, 48)
        return
    # no Vulkan GPU here: ncnn segfaults; the worker dies, this process does not
    with pytest.raises(BackendError) as caught:
        backend.upscale(UpscaleRequest(source=source, scale=2), tmp_path)
    assert "crashed" in str(caught.value) and "gpu = -1" in caught.value.hint
    assert not (tmp_path / "upscaled.png").exists()


def test_an_unknown_realesrgan_model_names_the_ones_there_are() -> None:
    from cinecode.errors import BackendError

    with pytest.raises(BackendError) as caught:
        RealESRGANBackend(model="realesrgan-x8")
    assert "realesrgan-x4plus" in caught.value.hint
