"""`cinecode farm`: the Ray cluster a project's make runs on (its nodes, CPUs and GPUs) and,
while a make runs on it, the jobs running there and how many wait.

Reading only: the project is loaded, the cluster asked, nothing written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cinecode.errors import FarmError
from cinecode.graph.farm import cluster
from cinecode.pipeline.farm import address_of
from cinecode.project.config import load_project


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's make
        return True
    return True


def farm_report(project_path: Path, *, address: str | None = None) -> dict[str, Any]:
    """The cluster (`cluster`), plus the running make's jobs: `running` (labels), `queued`."""
    project = load_project(project_path)
    where = address_of(project, address)
    if not where:
        raise FarmError(
            f"{project.file}: no [farm] address, and no --farm given",
            hint='add `[farm]` with `address = "auto"` (or "host:6379") to film.toml, or give '
            "--farm; docs/farm.md says how to start a cluster",
        )
    report = cluster(where)
    status = project.store_dir / "farm.json"
    running: list[str] = []
    queued = 0
    try:
        data = json.loads(status.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if isinstance(data, dict) and _alive(int(data.get("pid", 0)) or -1):
        running, queued = list(data.get("running", [])), int(data.get("queued", 0))
    return {**report, "running": running, "queued": queued}
