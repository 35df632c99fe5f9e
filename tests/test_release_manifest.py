"""The release manifest (project/releases): written once, read back whole, objects pinned."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cinecode.errors import ProjectError, ReleaseError
from cinecode.project.releases import (
    Media,
    Release,
    ReleasedScene,
    ReleasedShot,
    check_version,
    load_releases,
    pinned_objects,
    read_release,
    write_release,
)


def _media(n: int, ext: str = "mp4") -> Media:
    return Media(key=f"{n:064x}", object=f"{n + 1000:064x}", ext=ext)


def _release(version: str, created: str, *, take: Media | None = None) -> Release:
    shot = ReleasedShot(
        id="1.1",
        scene="1",
        start=0.0,
        duration=2.5,
        segment=_media(1),
        take=take,
        backend="sketch",
        seed=None if take is None else 42,
        source_line=7,
        text="abc",
        edit="def",
    )
    scene = ReleasedScene(
        id="1", heading='INT. "ROOM" \\ — DAY', start=0.0, duration=2.5, reel=_media(2)
    )
    return Release(
        version=version,
        notes="Reshot the storm\nand the rain",
        created=created,
        title="Tiny",
        duration=2.5,
        cost=0.125,
        screenplay="f" * 64,
        picks={"1.1": "abcdef012345"},
        scenes=(scene,),
        shots=(shot,),
        master=_media(3),
        subtitles=_media(4, "srt"),
        credits=("Written by Someone",),
        generations={"a" * 64: 0.0, "b" * 64: 0.04},
    )


def test_a_release_reads_back_as_written(tmp_path: Path) -> None:
    release = _release("v1.0", "2026-01-01T00:00:00Z", take=_media(5, "png"))
    path = write_release(tmp_path, release)
    assert path == tmp_path / "releases" / "v1.0.toml"
    assert tomllib.loads(path.read_text(encoding="utf-8"))["version"] == "v1.0"
    assert read_release(tmp_path, "v1.0") == release
    bare = _release("v0.9", "2025-01-01T00:00:00Z")
    write_release(tmp_path, bare)
    assert read_release(tmp_path, "v0.9").shots[0].take is None
    assert [r.version for r in load_releases(tmp_path)] == ["v0.9", "v1.0"]
    assert pinned_objects(tmp_path) == {_media(n).object for n in (1, 2, 3, 4, 5)}


def test_a_release_is_never_written_twice(tmp_path: Path) -> None:
    write_release(tmp_path, _release("v1.0", "2026-01-01T00:00:00Z"))
    with pytest.raises(ReleaseError, match="exists already"):
        write_release(tmp_path, _release("v1.0", "2026-02-01T00:00:00Z"))
    assert read_release(tmp_path, "v1.0").created == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize("version", ["", "../x", "v 1", "v1/2", ".hidden", "v1?"])
def test_a_version_must_be_a_safe_file_name(version: str) -> None:
    with pytest.raises(ReleaseError, match="letters, digits"):
        check_version(version)


def test_missing_and_damaged_releases_are_named(tmp_path: Path) -> None:
    assert load_releases(tmp_path) == [] and pinned_objects(tmp_path) == set()
    with pytest.raises(ReleaseError, match="no release 'v2'"):
        read_release(tmp_path, "v2")
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "v2.toml").write_text("version = ", encoding="utf-8")
    with pytest.raises(ProjectError, match=r"v2\.toml"):
        read_release(tmp_path, "v2")
