"""ComfyUI as real servers behave: a history written after the last message, a websocket a
proxy drops, a GPU out of memory, a build killed while its prompt runs, uploads sent once."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from comfyui_server import I2V, I2V_INPUTS, T2I, T2I_INPUTS, FakeComfyUI
from PIL import Image

from cinecode.backends.comfyui.backend import ComfyUIBackend
from cinecode.backends.hosted.base import MemoryTicket, ProviderJob
from cinecode.backends.protocols import ImageRequest, VideoRequest
from cinecode.errors import Overloaded, ProviderDown

pytestmark = pytest.mark.xdist_group("comfyui")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FakeComfyUI]:
    fake = FakeComfyUI(tmp_path / "comfy")
    fake.start()
    yield fake
    fake.stop()


def t2i(servers: list[str], **extra: Any) -> ComfyUIBackend:
    return ComfyUIBackend(
        workflow=str(T2I),
        servers=servers,
        inputs=T2I_INPUTS,
        output="9",
        poll_interval=0.05,
        **extra,
    )


def request(seed: int = 5) -> ImageRequest:
    return ImageRequest(prompt="a lighthouse", width=96, height=64, seed=seed)


def out(tmp_path: Path, name: str = "out") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


def release_after(server: FakeComfyUI, seconds: float) -> None:
    threading.Timer(seconds, server.release.set).start()


def test_a_history_written_after_execution_success_is_waited_for(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    server.history_delay = 1.0  # as ComfyUI with --disable-smart-memory
    result = t2i([server.url]).generate(request(), out(tmp_path), None)
    assert Image.open(result.path).size == (96, 64)
    assert len(server.prompts) == 1


def test_a_history_that_never_comes_is_a_clear_error(server: FakeComfyUI, tmp_path: Path) -> None:
    server.history_delay = 5.0
    with pytest.raises(Exception, match="no history for prompt") as caught:
        t2i([server.url], history_wait=0.5, retries=0).generate(request(), out(tmp_path), None)
    assert "history_wait" in str(caught.value)


def test_a_dropped_websocket_is_reconnected_and_the_prompt_is_not_lost(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    server.drop_ws_after = 2  # a proxy's idle timeout, mid-prompt
    server.pause = True
    release_after(server, 0.6)
    fractions: list[float] = []
    result = t2i([server.url]).generate(request(), out(tmp_path), fractions.append)
    assert Image.open(result.path).size == (96, 64)
    assert len(server.prompts) == 1  # the same prompt, not queued again
    client = server.client_ids[0]
    assert server.ws_clients.count(client) >= 2  # reconnected with the same client id
    assert fractions == sorted(fractions)


def test_a_server_that_stops_answering_is_still_lost(server: FakeComfyUI, tmp_path: Path) -> None:
    second = FakeComfyUI(tmp_path / "second")
    second.start()
    try:
        server.die = True  # HTTP gone too
        result = t2i([server.url, second.url]).generate(request(), out(tmp_path), None)
        assert result.meta["server"] == second.url
    finally:
        second.stop()


def test_out_of_memory_is_tried_again_on_another_server(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    second = FakeComfyUI(tmp_path / "second")
    second.start()
    try:
        server.oom_every = 1  # this GPU is too small for the job
        result = t2i([server.url, second.url], retries=2).generate(request(), out(tmp_path), None)
        assert result.meta["server"] == second.url
        assert len(server.prompts) == 1 and len(second.prompts) == 1
    finally:
        second.stop()


def test_out_of_memory_is_tried_again_up_to_retries(server: FakeComfyUI, tmp_path: Path) -> None:
    server.oom_every = 2  # every second prompt
    backend = t2i([server.url], retries=1)
    backend.generate(request(1), out(tmp_path, "a"), None)
    second = backend.generate(request(2), out(tmp_path, "b"), None)  # prompt 2 fails, 3 runs
    assert Image.open(second.path).size == (96, 64)
    assert len(server.prompts) == 3
    server.oom_every = 1
    with pytest.raises(Overloaded, match="OutOfMemoryError"):
        backend.generate(request(3), out(tmp_path, "c"), None)
    assert len(server.prompts) == 5  # one try and one retry, then the error


def _queue_by_hand(server: FakeComfyUI, client_id: str) -> str:
    """A prompt queued by an earlier (killed) run of the same job."""
    backend = t2i([server.url])
    from cinecode.backends.comfyui.workflow import fill, load_workflow

    prompt = fill(
        load_workflow(T2I),
        T2I_INPUTS,
        {"prompt": "a lighthouse", "seed": 5, "width": 96, "height": 64},
    )
    body = json.dumps({"prompt": prompt, "client_id": client_id}).encode()
    req = urllib.request.Request(
        f"{server.url}/prompt", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=5) as answer:
        prompt_id = str(json.loads(answer.read())["prompt_id"])
    assert backend.servers == [server.url]
    return prompt_id


def test_a_job_reattaches_to_the_prompt_it_queued_before(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    server.pause = True  # still running when the next make starts
    client_id = uuid.uuid4().hex
    prompt_id = _queue_by_hand(server, client_id)
    assert server.started.wait(5)
    ticket = MemoryTicket(ProviderJob(prompt_id, {"server": server.url, "client_id": client_id}))
    release_after(server, 0.4)
    result = t2i([server.url]).generate(request(), out(tmp_path), None, ticket=ticket)
    assert result.meta["prompt_id"] == prompt_id and result.meta["reattached"]
    assert len(server.prompts) == 1  # the GPU time already spent is not spent again
    assert ticket.state == "done"


def test_a_prompt_that_failed_before_is_queued_anew_not_reattached(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    server.fail_node = "3"  # the prompt a killed (or cancelled) build left fails on its own
    client_id = uuid.uuid4().hex
    prompt_id = _queue_by_hand(server, client_id)
    deadline = time.monotonic() + 10
    while prompt_id not in server.history and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.history[prompt_id]["status"]["status_str"] == "error"
    server.fail_node = ""
    ticket = MemoryTicket(ProviderJob(prompt_id, {"server": server.url, "client_id": client_id}))
    result = t2i([server.url]).generate(request(), out(tmp_path), None, ticket=ticket)
    assert result.meta["prompt_id"] != prompt_id and not result.meta.get("reattached")
    assert len(server.prompts) == 2 and ticket.state == "done"
    again = t2i([server.url]).generate(request(), out(tmp_path, "again"), None, ticket=ticket)
    assert again.path.is_file()  # and the next make is not stuck on the failed prompt


def test_a_prompt_whose_answer_was_lost_is_found_again_not_paid_twice(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    server.lose_reply = True  # ComfyUI queued it; the answer to POST /prompt never came
    ticket = MemoryTicket()
    with pytest.raises(ProviderDown):
        t2i([server.url], retries=0).generate(request(), out(tmp_path), None, ticket=ticket)
    assert ticket.recall() is not None  # our own prompt id, kept before queueing
    result = t2i([server.url]).generate(request(), out(tmp_path, "again"), None, ticket=ticket)
    assert result.meta["reattached"] and len(server.prompts) == 1


def test_a_finished_prompt_whose_output_cannot_be_fetched_is_collected_later(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    server.view_errors = 100  # the prompt finishes; then /view fails, time after time
    ticket = MemoryTicket()
    with pytest.raises(ProviderDown, match="finished"):
        t2i([server.url]).generate(request(), out(tmp_path), None, ticket=ticket)
    assert ticket.recall() is not None and len(server.prompts) == 1  # never run again
    server.view_errors = 0
    result = t2i([server.url]).generate(request(), out(tmp_path, "again"), None, ticket=ticket)
    assert result.meta["reattached"] and len(server.prompts) == 1  # collected, not re-run


def test_a_silent_websocket_does_not_hide_a_finished_prompt(
    server: FakeComfyUI, tmp_path: Path
) -> None:
    server.mute_after = 2  # half-open: the socket stays up and says nothing more
    started = time.monotonic()
    result = t2i([server.url], silence=0.5, timeout=30).generate(request(), out(tmp_path))
    assert result.path.is_file() and len(server.prompts) == 1
    assert time.monotonic() - started < 10  # asked the server, never waited out the timeout


def test_a_prompt_the_server_forgot_is_queued_anew(server: FakeComfyUI, tmp_path: Path) -> None:
    ticket = MemoryTicket(ProviderJob("no-such-prompt", {"server": server.url, "client_id": "x"}))
    result = t2i([server.url]).generate(request(), out(tmp_path), None, ticket=ticket)
    assert result.meta["prompt_id"] != "no-such-prompt"
    assert len(server.prompts) == 1
    assert ticket.remembered and ticket.remembered[-1].id == result.meta["prompt_id"]


def test_a_keyframe_is_uploaded_once_per_server(server: FakeComfyUI, tmp_path: Path) -> None:
    keyframe = tmp_path / "key.png"
    Image.new("RGB", (96, 64), (200, 30, 30)).save(keyframe)
    backend = ComfyUIBackend(
        workflow=str(I2V), server=server.url, inputs=I2V_INPUTS, output="Save Video", fps=8
    )
    for seed in (1, 2, 3):
        clip = VideoRequest(
            prompt="waves", width=96, height=64, fps=8, duration=0.5, seed=seed, image=keyframe
        )
        backend.generate(clip, out(tmp_path, f"clip{seed}"), None)
    assert len(server.prompts) == 3
    assert len(server.uploads) == 1


def test_services_comfyui_retries_reach_the_backend(tmp_path: Path) -> None:
    from cinecode.backends.registry import Backends
    from cinecode.departments.services import backend_settings
    from cinecode.project.config import load_project

    (tmp_path / "film.toml").write_text(
        'title = "R"\n\n[services.comfyui]\nretries = 4\n', encoding="utf-8"
    )
    settings = backend_settings(load_project(tmp_path))
    assert settings["comfyui"] == {"retries": 4}
    backend = Backends(settings)("image", "comfyui", {"workflow": str(T2I)})
    assert backend.retries == 4
    # an engine's own `retries` wins
    assert Backends(settings)("image", "comfyui", {"workflow": str(T2I), "retries": 0}).retries == 0
