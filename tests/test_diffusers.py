"""The diffusers backend runs real pipelines (tiny, random weights, built here) on the CPU."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import tiny_pipelines
from PIL import Image

from cinecode.backends.diffusers import DiffusersBackend
from cinecode.backends.protocols import ImageRequest, VideoRequest
from cinecode.errors import MissingModel

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("diffusers")]


@pytest.fixture(scope="session")
def t2i_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_pipelines.text_to_image(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture(scope="session")
def i2v_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_pipelines.image_to_video(tmp_path_factory.mktemp("models") / "tiny-svd")


def test_text_to_image_is_seeded_and_sized(t2i_model: Path, tmp_path: Path) -> None:
    backend = DiffusersBackend(model=str(t2i_model), steps=2, guidance=1.0, size_multiple=8)
    assert backend.status().state == "ready"
    fractions: list[float] = []
    outputs = []
    for n, seed in enumerate((4, 4, 5)):
        out = tmp_path / str(n)
        out.mkdir()
        request = ImageRequest(prompt="a lighthouse", width=72, height=40, seed=seed)
        outputs.append(backend.generate(request, out, fractions.append))
    pixels = [np.asarray(Image.open(o.path)) for o in outputs]
    assert pixels[0].shape == (40, 72, 3)
    assert np.array_equal(pixels[0], pixels[1])  # the same seed, the same take
    assert not np.array_equal(pixels[0], pixels[2])
    assert fractions and fractions[-1] > 0.4
    assert outputs[0].meta["device"] == "cpu" and outputs[0].model == str(t2i_model)


def test_image_to_video_makes_a_clip_from_the_keyframe(i2v_model: Path, tmp_path: Path) -> None:
    keyframe = tmp_path / "key.png"
    Image.new("RGB", (64, 48), (180, 40, 40)).save(keyframe)
    backend = DiffusersBackend(
        model=str(i2v_model), steps=2, guidance=1.0, fps=8, max_frames=6, size_multiple=16
    )
    request = VideoRequest(
        prompt="", width=64, height=48, fps=24, duration=0.4, seed=1, image=keyframe
    )
    result = backend.generate(request, tmp_path, None)
    with av.open(str(result.path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        assert float(stream.average_rate) == 8
    assert len(frames) == result.meta["frames"] == 4  # 0.4 s at 8 fps, rounded up
    assert frames[0].shape == (48, 64, 3)


def test_a_model_not_on_disk_is_a_clear_missing_model(tmp_path: Path) -> None:
    backend = DiffusersBackend(model="cinecode-tests/no-such-model")
    status = backend.status()
    assert status.state == "missing model"
    assert "never downloads" in status.detail and "hf download" in status.fix
    with pytest.raises(MissingModel) as caught:
        backend.generate(ImageRequest(prompt="x", width=64, height=64, seed=1), tmp_path, None)
    assert "cinecode-tests/no-such-model" in str(caught.value)
    assert not list(tmp_path.iterdir())
    folder = DiffusersBackend(model=str(tmp_path / "missing")).status()
    assert folder.state == "missing model" and "does not exist" in folder.detail
