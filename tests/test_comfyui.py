"""ComfyUI backend against a loopback server speaking ComfyUI's REST + websocket protocol."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from comfyui_server import I2V, I2V_INPUTS, T2I, T2I_INPUTS, FakeComfyUI
from PIL import Image

from cinecode.backends.comfyui.backend import ComfyUIBackend, fill, load_workflow
from cinecode.backends.protocols import ImageRequest, VideoRequest
from cinecode.errors import BackendError, ProviderDown

pytestmark = pytest.mark.xdist_group("comfyui")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FakeComfyUI]:
    fake = FakeComfyUI(tmp_path / "comfy")
    fake.start()
    yield fake
    fake.stop()


def t2i(servers: list[str], **extra: Any) -> ComfyUIBackend:
    return ComfyUIBackend(
        workflow=str(T2I), servers=servers, inputs=T2I_INPUTS, output="9", **extra
    )


def image_request(seed: int = 5) -> ImageRequest:
    return ImageRequest(
        prompt="a lighthouse keeper", width=160, height=96, seed=seed, negative_prompt="text"
    )


def test_text_to_image_fills_the_workflow_and_returns_the_saved_image(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    fractions: list[float] = []
    result = t2i([server.url]).generate(image_request(), tmp_path, fractions.append)
    with Image.open(result.path) as image:
        assert image.size == (160, 96)
    sent = server.prompts[0]
    assert sent["6"]["inputs"]["text"] == "a lighthouse keeper"
    assert sent["7"]["inputs"]["text"] == "text"
    assert sent["3"]["inputs"]["seed"] == 5
    assert (sent["5"]["inputs"]["width"], sent["5"]["inputs"]["height"]) == (160, 96)
    assert sent["4"]["inputs"]["ckpt_name"] == "sd_xl_base_1.0.safetensors"  # untouched
    # progress came over the websocket opened with the prompt's own client id
    assert server.client_ids[0] in server.ws_clients
    assert fractions and max(fractions) > 0.3
    assert fractions == sorted(fractions)
    # another seed is another picture
    (tmp_path / "b").mkdir()
    other = t2i([server.url]).generate(image_request(seed=6), tmp_path / "b", None)
    assert Image.open(other.path).getpixel((2, 2)) != Image.open(result.path).getpixel((2, 2))


def test_image_to_video_uploads_the_keyframe_and_rounds_frames_up(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    keyframe = tmp_path / "key.png"
    Image.new("RGB", (160, 96), (200, 30, 30)).save(keyframe)
    backend = ComfyUIBackend(
        workflow=str(I2V),
        server=server.url,
        inputs=I2V_INPUTS,
        output="Save Video",
        fps=16,
        frame_multiple=4,
        frame_offset=1,
    )
    (tmp_path / "out").mkdir()
    request = VideoRequest(
        prompt="waves", width=160, height=96, fps=24, duration=1.1, seed=3, image=keyframe
    )
    result = backend.generate(request, tmp_path / "out", None)
    sent = server.prompts[0]
    assert sent["9"]["inputs"]["length"] == 21  # 1.1 s at 16 fps = 18 → 4k+1 = 21
    assert sent["13"]["inputs"]["fps"] == 16
    uploaded = server.folder / "input" / sent["5"]["inputs"]["image"]
    assert uploaded.read_bytes() == keyframe.read_bytes()
    with av.open(str(result.path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 21 and result.meta["frames"] == 21
    assert frames[0][48, 80, 0] > 150 and frames[0][48, 80, 1] < 80  # starts on the keyframe


def test_node_errors_from_prompt_name_the_node_and_the_value(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    backend = t2i([server.url], set={"4.ckpt_name": "dreamshaper.safetensors"})
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BackendError) as caught:
        backend.generate(image_request(), out, None)
    text = str(caught.value)
    assert "node 4 (CheckpointLoaderSimple): Value not in list" in text
    assert "dreamshaper.safetensors" in text
    assert "film.toml" in caught.value.hint
    assert not list(out.iterdir())


def test_execution_error_over_the_websocket_is_reported(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    server.fail_node = "8"
    with pytest.raises(BackendError) as caught:
        t2i([server.url]).generate(image_request(), tmp_path, None)
    assert "node 8 (VAEDecode) failed: torch.OutOfMemoryError" in str(caught.value)
    assert "would exceed allowed memory" in str(caught.value)


def test_a_server_lost_mid_job_is_provider_down(server: FakeComfyUI, tmp_path: Path) -> None:
    server.die = True
    with pytest.raises(ProviderDown) as caught:
        t2i([server.url]).generate(image_request(), tmp_path, None)
    assert "lost the ComfyUI server" in str(caught.value) or "no answer" in str(caught.value)
    assert "run make again" in str(caught.value) or "start ComfyUI" in str(caught.value)


def test_the_pool_moves_a_lost_job_to_the_next_server(server: FakeComfyUI, tmp_path: Path) -> None:
    second = FakeComfyUI(tmp_path / "second")
    second.start()
    try:
        server.die = True
        result = t2i([server.url, second.url]).generate(image_request(), tmp_path, None)
        assert result.meta["server"] == second.url
        assert Image.open(result.path).size == (160, 96)
    finally:
        second.stop()


def test_cancel_sends_interrupt(server: FakeComfyUI, tmp_path: Path) -> None:
    server.hold = True

    class Stop(Exception):
        pass

    def progress(fraction: float) -> None:
        if server.started.is_set():
            raise Stop

    backend = t2i([server.url])
    with pytest.raises(Stop):
        backend.generate(image_request(), tmp_path, progress)
    assert server.interrupts == 1


def test_status_tells_ready_unreachable_missing_model_and_ui_format(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    assert t2i([server.url]).status().state == "ready"
    assert t2i(["http://127.0.0.1:9"]).status().state == "unreachable"
    missing = json.loads(T2I.read_text())
    missing["4"]["inputs"]["ckpt_name"] = "flux1-dev.safetensors"
    path = tmp_path / "missing.json"
    path.write_text(json.dumps(missing))
    status = ComfyUIBackend(workflow=str(path), server=server.url, inputs=T2I_INPUTS).status()
    assert status.state == "missing model" and "flux1-dev.safetensors" in status.detail
    pinned = t2i([server.url], set={"4.ckpt_name": "dreamshaper_8.safetensors"}).status()
    assert pinned.state == "missing model" and "dreamshaper_8" in pinned.detail
    ui = tmp_path / "ui.json"
    ui.write_text(json.dumps({"nodes": [], "links": [], "version": 0.4}))
    status = ComfyUIBackend(workflow=str(ui), server=server.url).status()
    assert status.state == "misconfigured" and "Export (API)" in status.fix


def test_fill_by_title_and_lists_of_targets() -> None:
    workflow = load_workflow(T2I)
    filled = fill(
        workflow, {"prompt": "Positive.text", "seed": ["3.seed"]}, {"prompt": "x", "seed": 9}
    )
    assert filled["6"]["inputs"]["text"] == "x" and filled["3"]["inputs"]["seed"] == 9
    assert workflow["6"]["inputs"]["text"] != "x"  # the original is untouched
    with pytest.raises(BackendError, match="no node 'Nope'"):
        fill(workflow, {"prompt": "Nope.text"}, {"prompt": "x"})


def test_concurrent_jobs_spread_over_the_pool(server: FakeComfyUI, tmp_path: Path) -> None:
    second = FakeComfyUI(tmp_path / "second")
    second.start()
    try:
        backend = t2i([server.url, second.url])
        results: list[Any] = []

        def one(n: int) -> None:
            out = tmp_path / f"job{n}"
            out.mkdir()
            results.append(backend.generate(image_request(seed=n), out, None))

        threads = [threading.Thread(target=one, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(results) == 4
        assert len(server.prompts) >= 1 and len(second.prompts) >= 1
        assert np.unique([r.meta["server"] for r in results]).size == 2
    finally:
        second.stop()
