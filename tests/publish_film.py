"""The tiny film released twice (v1.0, then v1.1 after a one-line change), shared by the
publishing tests: built once per test session under the session's temporary folder."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES
from release_standin import Release, release_of

from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.build import make

OLD_LINE = "There it is."
NEW_LINE = "There it is, the old lighthouse, at last."
CHANGED_SHOT = "1.2"  # the shot that speaks the line


@dataclass(frozen=True)
class Film:
    root: Path
    v10: Release
    v11: Release


_BUILT: dict[str, Film] = {}


def released_film(tmp_path_factory: pytest.TempPathFactory) -> Film:
    """The tiny project, made and released as v1.0, changed by one line, made, released as
    v1.1 (the stand-in manifests; the store keeps both builds' objects)."""
    if "film" in _BUILT:
        return _BUILT["film"]
    root = tmp_path_factory.mktemp("publish") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    assert make(root, reporter=RecordingReporter()).stats.failed == 0
    v10 = release_of(root, "v1.0", "First cut", "2026-12-01T10:00:00Z")
    script = root / "script.fountain"
    text = script.read_text(encoding="utf-8")
    assert text.count(OLD_LINE) == 1
    script.write_text(text.replace(OLD_LINE, NEW_LINE), encoding="utf-8")
    assert make(root, reporter=RecordingReporter()).stats.failed == 0
    v11 = release_of(root, "v1.1", "Anna says more", "2026-12-02T10:00:00Z")
    _BUILT["film"] = Film(root, v10, v11)
    return _BUILT["film"]
