"""A film whose keyframes come from ComfyUI (loopback server) and whose clips come from
diffusers (a tiny image-to-video pipeline), finished with Real-ESRGAN and minterpolate."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import tiny_pipelines
from comfyui_server import FakeComfyUI

from cinecode.graph.reporter import RecordingReporter
from cinecode.graph.store import Store
from cinecode.media.ffmpeg import probe
from cinecode.pipeline.build import make

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("local-engines")]

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """Title: Two Shots

INT. LAMP ROOM - NIGHT

[[shot: wide on MARA, 2s]]
Mara climbs the last steps into the lamp room.

[[shot: close on MARA, continuous]]

MARA
It still turns.
"""
FILM = """title = "Two Shots"
seed = 3

[format]
width = 128
height = 72
fps = 8

[storyboard]
backend = "flux"

[motion]
backend = "svd"

[backends.flux]
backend = "comfyui"
server = "{server}"
workflow = "workflows/text-to-image.json"
output = "9"

[backends.flux.inputs]
prompt = "Positive.text"
negative_prompt = "Negative.text"
seed = "3.seed"
width = "5.width"
height = "5.height"

[backends.svd]
backend = "diffusers"
model = "./models/tiny-svd"
steps = 2
guidance = 1.0
fps = 6
max_frames = 6
width = 64
height = 48

[finishing]
upscale = 2
upscaler = "realesrgan"
fps = 16

[characters.MARA]
description = "Mara, 38, coast guard engineer, red-orange jacket"
seed = 7
"""


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, FakeComfyUI]]:
    root = tmp_path_factory.mktemp("film")
    server = FakeComfyUI(root / "comfy-server")
    server.start()
    (root / "workflows").mkdir()
    shutil.copy(ROOT / "examples" / "comfyui" / "text-to-image.json", root / "workflows")
    tiny_pipelines.image_to_video(root / "models" / "tiny-svd")
    (root / "script.fountain").write_text(SCRIPT)
    (root / "film.toml").write_text(FILM.format(server=server.url))
    yield root, server
    server.stop()


def _generated(reporter: RecordingReporter) -> list[str]:
    return sorted(label for label in reporter.of("generated"))


def test_comfyui_keyframes_and_diffusers_clips_build_a_finished_master(
    film: tuple[Path, FakeComfyUI],
) -> None:
    root, server = film
    # 1. a failing engine: a clear message, no master, and the store keeps what finished
    server.fail_node = "8"
    failed = make(root, reporter=RecordingReporter(), workers=2)
    assert failed.stats.failed >= 1
    assert any("node 8 (VAEDecode) failed" in error for _, error in failed.stats.failures)
    assert not (root / "build").exists() or not list((root / "build").glob("*.mp4"))
    server.fail_node = ""

    # 2. the same command again finishes the film
    reporter = RecordingReporter()
    result = make(root, reporter=reporter, workers=2)
    assert not result.stats.failures, result.stats.failures
    info = probe(result.master)
    assert (info.width, info.height) == (256, 144)  # finishing: 2× Real-ESRGAN
    assert info.fps == 16  # finishing: 8 → 16 fps
    generated = _generated(reporter)
    assert [g for g in generated if g.startswith("keyframe")] == ["keyframe 1.1 seed 7"]
    assert [g for g in generated if g.startswith("clip")] == ["clip 1.1 seed 7", "clip 1.2 seed 7"]
    # the failed try and its retry (out of memory is tried again), then the keyframe of 1.1
    assert len(server.prompts) == 3
    store = Store(root / ".cinecode")
    try:
        clips = {a.shot: a for a in store.catalog.takes() if a.step == "clip"}
        assert clips["1.1"].backend == "diffusers" and clips["1.1"].meta["frames"] == 6
        # continuous action: 1.2's clip starts from 1.1's clip, not from a keyframe of its own
        assert clips["1.2"].inputs == (clips["1.1"].key,)
    finally:
        store.close()

    # 3. a dialogue edit re-voices the line but keeps the paid clips (their length is stable)
    script = root / "script.fountain"
    script.write_text(SCRIPT.replace("It still turns.", "It still turns tonight."))
    reporter = RecordingReporter()
    result = make(root, reporter=reporter, workers=2)
    # the line's voice, and its scene's score recomposed to the new length; no picture
    assert sorted(g.split()[0] for g in _generated(reporter)) == ["cue", "voice"]

    # 4. one line makes one shot an animatic again: only that shot is made anew
    script.write_text(
        SCRIPT.replace("close on MARA, continuous", "close on MARA, motion camera").replace(
            "It still turns.", "It still turns tonight."
        )
    )
    reporter = RecordingReporter()
    result = make(root, reporter=reporter, workers=2)
    assert _generated(reporter) == ["keyframe 1.2 seed 7"]
    rendered = reporter.of("rendered")
    assert any(label.startswith("segment 1.2") for label in rendered)
    assert not any(label.startswith("segment 1.1") for label in rendered)
    assert probe(result.master).fps == 16


def test_ctrl_c_interrupts_the_comfyui_prompt_and_keeps_the_store_clean(tmp_path: Path) -> None:
    import threading

    server = FakeComfyUI(tmp_path / "server")
    server.start()
    try:
        server.hold = True  # the prompt runs until someone interrupts it
        root = tmp_path / "film"
        (root / "workflows").mkdir(parents=True)
        shutil.copy(ROOT / "examples" / "comfyui" / "text-to-image.json", root / "workflows")
        (root / "script.fountain").write_text(SCRIPT)
        film_toml = FILM.format(server=server.url)
        film_toml = film_toml.replace('backend = "svd"', 'backend = "camera"')
        film_toml = film_toml[: film_toml.index("[finishing]")]
        (root / "film.toml").write_text(film_toml)
        cancel = threading.Event()
        threading.Thread(
            target=lambda: server.started.wait(60) and cancel.set(), daemon=True
        ).start()
        with pytest.raises(KeyboardInterrupt):
            make(root, reporter=RecordingReporter(), workers=2, cancel=cancel)
        assert server.interrupts == 1
        store = Store(root / ".cinecode")
        try:
            assert not [a for a in store.catalog.all() if a.step == "keyframe"]
            scratch = root / ".cinecode" / "tmp"
            assert scratch.is_dir() and not list(scratch.iterdir())  # no half-made job left
        finally:
            store.close()
    finally:
        server.stop()
