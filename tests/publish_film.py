"""The tiny film released twice (v1.0, then v1.1 after a one-line change, by `cinecode
release`'s own function), shared by the publishing tests: built once per test session under
the session's temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from cinecode.commands.releases import diff_releases, make_release
from cinecode.graph.reporter import RecordingReporter
from cinecode.graph.store import Store
from cinecode.pipeline.build import make
from cinecode.project.releases import Media, Release, read_release

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
    make_release(root, "v1.0", notes="First cut")
    v10 = read_release(root, "v1.0")
    script = root / "script.fountain"
    text = script.read_text(encoding="utf-8")
    assert text.count(OLD_LINE) == 1
    script.write_text(text.replace(OLD_LINE, NEW_LINE), encoding="utf-8")
    assert make(root, reporter=RecordingReporter()).stats.failed == 0
    make_release(root, "v1.1", notes="Anna says more")
    v11 = read_release(root, "v1.1")
    _BUILT["film"] = Film(root, v10, v11)
    return _BUILT["film"]


def resolver(root: Path) -> Callable[[Media], Path]:
    """A released object's file in the project's store."""
    store = Store(root / ".cinecode")

    def resolve(media: Media) -> Path:
        artifact = store.get(media.key)
        assert artifact is not None and artifact.object == media.object
        return store.path(artifact)

    return resolve


def differ(root: Path) -> Callable[[str, str], Mapping[str, Any]]:
    """`cinecode diff`'s report between two releases of the project."""
    return lambda old, new: diff_releases(root, old, new)
