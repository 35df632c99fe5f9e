"""Keys hold what makes an output, never where the project, its files or its servers are: a
copied or moved project, a grown server pool, another timeout plan nothing new; and a build
killed while ComfyUI runs its prompt reattaches to that prompt."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from comfyui_server import FakeComfyUI
from PIL import Image

from cinecode.commands.report import planned
from cinecode.graph.reporter import RecordingReporter
from cinecode.graph.store import Store
from cinecode.pipeline.build import make
from cinecode.pipeline.session import Session

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """Title: Moves

INT. LAMP ROOM - NIGHT

[[shot: wide on MARA, 2s]]
Mara climbs the last steps into the lamp room.
"""
COMFY = """title = "Moves"
seed = 3

[format]
width = 128
height = 72
fps = 8

[storyboard]
backend = "flux"

[backends.flux]
backend = "comfyui"
servers = {servers}
timeout = {timeout}
workflow = "workflows/text-to-image.json"
output = "9"

[backends.flux.inputs]
prompt = "Positive.text"
negative_prompt = "Negative.text"
seed = "3.seed"
width = "5.width"
height = "5.height"

[characters.MARA]
description = "Mara"
seed = 7
"""


def comfy_project(root: Path, servers: list[str], timeout: int = 3600) -> Path:
    (root / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "comfyui" / "text-to-image.json", root / "workflows")
    (root / "script.fountain").write_text(SCRIPT)
    (root / "film.toml").write_text(
        COMFY.format(servers=str(servers).replace("'", '"'), timeout=timeout)
    )
    return root


def pending(root: Path) -> int:
    _, plan, cached, store = planned(root)
    try:
        return len(
            [j for j in plan.graph.needed_for(list(plan.targets.values())) if j.key not in cached]
        )
    finally:
        if store:
            store.close()


@pytest.mark.slow
@pytest.mark.xdist_group("comfyui")
def test_a_copied_comfyui_project_with_a_grown_pool_plans_nothing_new(tmp_path: Path) -> None:
    server = FakeComfyUI(tmp_path / "server")
    server.start()
    try:
        root = comfy_project(tmp_path / "film", [server.url])
        assert not make(root, reporter=RecordingReporter()).stats.failed
        assert pending(root) == 0
        # copied elsewhere, a second server in the pool, another timeout
        copy = tmp_path / "elsewhere" / "film-copy"
        shutil.copytree(root, copy)
        (copy / "film.toml").write_text(
            COMFY.format(servers=f'["{server.url}", "http://127.0.0.1:9"]', timeout=60)
        )
        assert pending(copy) == 0
        again = make(copy, reporter=RecordingReporter())
        assert again.stats.generated == 0 and again.stats.rendered == 0
        assert len(server.prompts) == 1  # the GPU made the keyframe once
    finally:
        server.stop()


def keys_and_settings(root: Path) -> tuple[set[str], list[dict[str, object]]]:
    with Session.open(root) as session:
        graph = session.plan.graph
        return {job.key for job in graph}, [job.settings for job in graph if job.settings]


def test_no_backend_family_keys_where_the_project_lies(tmp_path: Path) -> None:
    """Reference images, your own footage, a local diffusers model folder, a ComfyUI
    workflow, a hosted service's settings: all of them, moved, keep every key."""
    root = tmp_path / "a" / "film"
    (root / "refs").mkdir(parents=True)
    (root / "footage").mkdir()
    (root / "workflows").mkdir()
    (root / "models" / "tiny").mkdir(parents=True)
    Image.new("RGB", (32, 32), (200, 40, 40)).save(root / "refs" / "mara.png")
    Image.new("RGB", (64, 36), (20, 40, 200)).save(root / "footage" / "pier.png")
    shutil.copy(ROOT / "examples" / "comfyui" / "text-to-image.json", root / "workflows")
    (root / "script.fountain").write_text(
        SCRIPT
        + "\n[[shot: source footage/pier.png]]\nThe pier at night.\n"
        + "\n[[shot: close on MARA, backend flux]]\nShe looks up.\n"
    )
    film = """title = "Moves"

[format]
width = 128
height = 72
fps = 8

[storyboard]
backend = "replicate"
model = "black-forest-labs/flux-schnell"

[motion]
backend = "wan"

[backends.wan]
backend = "diffusers"
model = "./models/tiny"
fps = 8

[backends.flux]
backend = "comfyui"
server = "{server}"
timeout = {timeout}
workflow = "workflows/text-to-image.json"

[services.replicate]
base_url = "{base}"
concurrency = {concurrency}

[characters.MARA]
description = "Mara"
references = ["refs/mara.png"]
"""
    (root / "film.toml").write_text(
        film.format(server="http://127.0.0.1:8188", timeout=600, base="http://a/v1", concurrency=2)
    )
    keys, settings = keys_and_settings(root)
    moved = tmp_path / "b" / "deeper" / "film"
    shutil.copytree(root, moved)
    (moved / "film.toml").write_text(
        film.format(server="http://gpu-2:8188", timeout=60, base="http://b/v1", concurrency=9)
    )
    moved_keys, moved_settings = keys_and_settings(moved)
    assert moved_keys == keys
    # …while each run still finds its files where the project is now
    text = repr(moved_settings)
    assert str(moved / "refs" / "mara.png") in text
    assert str(moved / "footage" / "pier.png") in text
    assert str(moved / "models" / "tiny") in text
    assert str(moved / "workflows" / "text-to-image.json") in text
    assert str(root) not in text
    assert str(root / "refs" / "mara.png") in repr(settings)


@pytest.mark.slow
@pytest.mark.xdist_group("comfyui")
def test_a_build_killed_while_comfyui_runs_reattaches_to_its_prompt(tmp_path: Path) -> None:
    server = FakeComfyUI(tmp_path / "server")
    server.start()
    try:
        server.pause = True  # the prompt runs on while the build is killed
        root = comfy_project(tmp_path / "film", [server.url])
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        build = subprocess.Popen(
            [sys.executable, "-m", "cinecode", "make", str(root)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert server.started.wait(120), "the prompt never started"
        finally:
            build.send_signal(signal.SIGKILL)
            build.wait(30)
        assert len(server.prompts) == 1 and server.interrupts == 0
        threading.Timer(0.5, server.release.set).start()
        result = make(root, reporter=RecordingReporter())
        assert not result.stats.failed
        assert len(server.prompts) == 1  # reattached: the GPU time already spent is kept
        store = Store(root / ".cinecode")
        try:
            [keyframe] = [a for a in store.catalog.all() if a.step == "keyframe"]
            assert keyframe.meta["reattached"] is True
            assert keyframe.meta["prompt_id"] in server.history
        finally:
            store.close()
    finally:
        server.stop()


def test_a_take_made_before_job_settings_is_kept(tmp_path: Path) -> None:
    """A catalog written by an earlier cinecode keyed a take with its reference image's
    path; planning today keeps that take (nothing paid is made again)."""
    import json
    import sqlite3

    from cinecode.graph.keys import job_key

    root = tmp_path / "film"
    (root / "refs").mkdir(parents=True)
    Image.new("RGB", (32, 32), (200, 40, 40)).save(root / "refs" / "mara.png")
    (root / "script.fountain").write_text(SCRIPT)
    (root / "film.toml").write_text(
        'title = "Moves"\n[format]\nwidth = 128\nheight = 72\nfps = 8\n\n'
        '[characters.MARA]\ndescription = "Mara"\nreferences = ["refs/mara.png"]\n'
    )
    with Session.open(root, write=True) as session:
        store = session.require_store()
        keyframes = [j for j in session.plan.graph if j.step == "keyframe" and j.take]
        assert len(keyframes) == 1 and keyframes[0].params["references"]
        assert session.run(
            session.plan.graph, [keyframes[0].key], reporter=RecordingReporter()
        ).generated
    new = keyframes[0]
    # 1. rewrite it as the earlier cinecode recorded it: [path, digest], another key
    legacy = dict(new.params)
    legacy["references"] = [[str(root / "refs" / "mara.png"), d] for d in new.params["references"]]
    old_key = job_key(new.step, 1, legacy, new.inputs)
    db = sqlite3.connect(root / ".cinecode" / "catalog.sqlite")
    db.execute(
        "UPDATE artifacts SET key = ?, params = ? WHERE key = ?",
        (old_key, json.dumps(legacy, sort_keys=True), new.key),
    )
    db.commit()
    db.close()
    # 2. today's plan uses the old take: no new keyframe to make
    with Session.open(root) as session:
        picture = session.plan.shots[new.shot].picture
        assert picture == old_key and session.plan.shots[new.shot].reason == "first take"
        store = session.require_store()
        todo = [
            j
            for j in session.plan.graph.needed_for(session.plan.build_targets)
            if j.step == "keyframe" and j.key not in store.available([j.key])
        ]
        assert todo == []
