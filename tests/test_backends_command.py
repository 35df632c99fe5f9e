"""`cinecode backends --json` tells each engine's status truthfully, with the fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from comfyui_server import FakeComfyUI

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """Title: Checks

EXT. JETTY - DAY

[[shot: wide on MARA, 2s, backend far]]
Mara walks along the jetty.

[[shot: close on MARA, 2s, motion ghost]]
She stops.
"""
FILM = """title = "Checks"

[storyboard]
backend = "flux"

[motion]
backend = "wan"

[backends.flux]
backend = "comfyui"
server = "{server}"
workflow = "workflows/text-to-image.json"
[backends.flux.inputs]
prompt = "6.text"

[backends.far]
backend = "comfyui"
server = "http://127.0.0.1:9"
workflow = "workflows/text-to-image.json"

[backends.wan]
backend = "diffusers"
model = "cinecode-tests/not-downloaded"

[backends.ghost]
backend = "teleporter"

[finishing]
upscale = "256x144"
upscaler = "lanczos"

[characters.MARA]
description = "Mara"
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    server = FakeComfyUI(tmp_path / "server")
    server.start()
    root = tmp_path / "film"
    (root / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "comfyui" / "text-to-image.json", root / "workflows")
    (root / "script.fountain").write_text(SCRIPT)
    (root / "film.toml").write_text(FILM.format(server=server.url))
    yield root
    server.stop()


def _run(root: Path, *, prelude: str = "") -> tuple[int, dict[str, Any]]:
    argv = ["cinecode", "backends", str(root), "--json"]
    code = f"{prelude}import sys; from cinecode.cli import main; sys.argv = {argv!r}; main()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def test_backends_json_reports_every_engine_truthfully(project: Path) -> None:
    code, report = _run(project)
    rows = {row["name"]: row for row in report["backends"]}
    assert code == 1 and report["ready"] is False
    assert rows["flux"]["status"] == "ready" and rows["flux"]["used_by"] == ["[storyboard]"]
    assert rows["far"]["status"] == "unreachable" and rows["far"]["used_by"] == ["shot 1.1"]
    assert "start ComfyUI" in rows["far"]["fix"]
    assert rows["wan"]["status"] == "missing model"
    assert (
        rows["wan"]["fix"]
        == "hf download cinecode-tests/not-downloaded   (or set model to a local folder)"
    )
    assert rows["ghost"]["status"] == "misconfigured" and "teleporter" in rows["ghost"]["detail"]
    assert rows["lanczos"]["status"] == "ready" and rows["lanczos"]["modality"] == "upscale"
    assert rows["piper"]["status"] == "ready"
    assert rows["flux"]["modalities"] == ["image", "video", "upscale", "interpolate", "lipsync"]
    assert rows["foley"]["modality"] == "effects" and rows["foley"]["used_by"] == ["[effects]"]
    assert rows["foley"]["status"] == "ready"


def test_a_missing_package_names_the_extra(project: Path) -> None:
    # a Python in which websocket-client is not importable, as after `pip install cinecode`
    _, report = _run(project, prelude="import sys; sys.modules['websocket'] = None; ")
    rows = {row["name"]: row for row in report["backends"]}
    assert rows["flux"]["status"] == "missing package"
    assert rows["flux"]["fix"] == "pip install 'cinecode[comfyui]'"


HOSTED_FILM = """title = "Checks"

[storyboard]
backend = "openai"
model = "gpt-image-1"

[services.openai]
base_url = "{base_url}"
{key_line}

[characters.MARA]
description = "Mara"
"""


def _hosted_project(tmp_path: Path, base_url: str, key_line: str = "") -> Path:
    root = tmp_path / "hosted"
    root.mkdir()
    (root / "script.fountain").write_text(
        SCRIPT.replace(", backend far", "").replace(", motion ghost", "")
    )
    (root / "film.toml").write_text(HOSTED_FILM.format(base_url=base_url, key_line=key_line))
    return root


def test_backends_checks_the_configured_service_with_its_key(tmp_path: Path) -> None:
    from loopback import FakeOpenAI, Loopback

    with Loopback(FakeOpenAI("sk-canary-7")) as server:
        root = _hosted_project(tmp_path, f"{server.url}/v1", 'api_key_env = "CINECODE_T_KEY"')
        _, report = _run(root, prelude="import os; os.environ['CINECODE_T_KEY'] = 'sk-canary-7'; ")
        asked = server.provider.of("GET", "/v1/models")
    rows = {row["name"]: row for row in report["backends"]}
    assert rows["openai"]["status"] == "ready", rows["openai"]
    assert server.url in rows["openai"]["detail"]
    # the configured server was asked, with the configured variable's key
    assert asked and asked[0].headers["authorization"] == "Bearer sk-canary-7"


def test_backends_needs_no_key_for_your_own_server(tmp_path: Path) -> None:
    from loopback import FakeOpenAI, Loopback

    class Local(FakeOpenAI):
        def authorised(self, seen: Any) -> bool:
            return True

    with Loopback(Local("")) as server:
        root = _hosted_project(tmp_path, f"{server.url}/v1")
        _, report = _run(root, prelude="import os; os.environ.pop('OPENAI_API_KEY', None); ")
    rows = {row["name"]: row for row in report["backends"]}
    assert rows["openai"]["status"] == "ready", rows["openai"]
    assert "OPENAI_API_KEY" not in rows["openai"]["detail"]


def test_a_department_switched_off_lists_no_engine(tmp_path: Path) -> None:
    root = tmp_path / "quiet"
    root.mkdir()
    (root / "script.fountain").write_text(
        SCRIPT.replace(", backend far", "").replace(", motion ghost", "")
    )
    (root / "film.toml").write_text(
        'title = "Quiet"\n\n[effects]\nbackend = "none"\n\n'
        '[characters.MARA]\ndescription = "Mara"\n'
    )
    _, report = _run(root)
    names = [row["name"] for row in report["backends"]]
    assert "none" not in names and "foley" not in names
    assert {"sketch", "composer", "piper"} <= set(names)
