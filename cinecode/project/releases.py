"""Releases: frozen cuts of the film, one immutable manifest each in `releases/<version>.toml`.

A release names, by key and store object, everything the film was made of when it was frozen:
the master, its scene reels, every shot's segment and take, the subtitles; and what it was made
from (the screenplay's digest, the picks) and cost. Commit the manifests with the screenplay;
the store keeps every object a manifest names (`pinned_objects`), whatever `gc` is told.

```toml
schema = "cinecode.Release.1"
version = "v1.1"
notes = "Reshot the storm"
created = "2026-12-07T01:02:03Z"
title = "My Film"
duration = 94.5
cost = 1.25
screenplay = "<sha256 of the screenplay's bytes>"
credits = ["Written by …"]
master = { key = "…", object = "…", ext = "mp4" }

[picks]
"3.2" = "3f9a1c2b7d4e"

[generations]                                      # what made it: key -> USD
"<key>" = 0.04

[[scenes]]
id = "3"
heading = "EXT. HARBOUR - NIGHT"
start = 40.0
duration = 21.5
reel = { key = "…", object = "…", ext = "mp4" }

[[shots]]
id = "3.2"
scene = "3"
start = 42.0
duration = 3.5
segment = { key = "…", object = "…", ext = "mp4" }
take = { key = "…", object = "…", ext = "png" }   # absent for a user's source
backend = "sketch"
seed = 104233                                      # absent when the take has none
source_line = 57
text = "<digest of the shot's action and dialogue>"
edit = "<digest of its edit decisions>"
```
Written once: a version that exists is never written again.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.errors import ProjectError, ReleaseError
from cinecode.project.files import write_atomic

SCHEMA = "cinecode.Release.1"
FOLDER = "releases"
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Media:
    """One stored object: the job key (catalog), the object (sha256 of the bytes), its suffix."""

    key: str
    object: str
    ext: str


@dataclass(frozen=True)
class ReleasedShot:
    """A shot as it was released: where it sits in the master and what made it."""

    id: str
    scene: str
    start: float  # seconds from the film's start (in the master)
    duration: float
    segment: Media  # the shot's video segment (video only, H.264)
    take: Media | None  # the picked/used generation, None for a user's source
    backend: str
    seed: int | None
    source_line: int  # the screenplay line of the shot
    text: str  # digest of the shot's script content (action + dialogue)
    edit: str  # digest of the shot's edit decisions (trim, transition, duration params)


@dataclass(frozen=True)
class ReleasedScene:
    """A scene as it was released: its reel (segments + the scene's audio), an MP4."""

    id: str
    heading: str
    start: float
    duration: float
    reel: Media


@dataclass(frozen=True)
class Release:
    """One frozen cut of the film (see the module doc)."""

    version: str
    notes: str
    created: str  # ISO-8601 UTC
    title: str
    duration: float
    cost: float  # USD spent in the project up to it
    screenplay: str  # sha256 of the screenplay file's bytes
    picks: dict[str, str]  # shot id -> take id picked (or locked)
    scenes: tuple[ReleasedScene, ...]
    shots: tuple[ReleasedShot, ...]
    master: Media
    subtitles: Media | None
    credits: tuple[str, ...]
    # every generation the release's film is made of (keyframes, clips, voices, music,
    # effects): key -> its actual cost in USD, so that a diff can price an update
    generations: dict[str, float] = field(default_factory=dict)

    def media(self) -> list[Media]:
        """Every stored object the release names."""
        return [media for _, media in self.named_media()]

    def named_media(self) -> list[tuple[str, Media]]:
        """Every stored object the release names, with what it is ("segment 3.2")."""
        out = [("master", self.master)]
        out += [(f"reel {scene.id}", scene.reel) for scene in self.scenes]
        for shot in self.shots:
            out.append((f"segment {shot.id}", shot.segment))
            if shot.take is not None:
                out.append((f"take {shot.id}", shot.take))
        if self.subtitles is not None:
            out.append(("subtitles", self.subtitles))
        return out


def check_version(version: str) -> str:
    """The version if it is a safe file name, else ReleaseError saying what is allowed."""
    if not _VERSION.fullmatch(version):
        raise ReleaseError(
            f"{version!r} is not a release version cinecode can use as a file name",
            hint="use letters, digits, '.', '_' and '-' (up to 64, starting with a letter or "
            "digit), e.g. v1.1",
        )
    return version


def release_path(project: Path, version: str) -> Path:
    """`<project>/releases/<version>.toml` (the version checked first)."""
    return project / FOLDER / f"{check_version(version)}.toml"


def read_release(project: Path, version: str) -> Release:
    """The release `version` of the project at `project`; ReleaseError if there is none."""
    path = release_path(project, version)
    if not path.is_file():
        known = [r.version for r in load_releases(project)]
        raise ReleaseError(
            f"there is no release {version!r}",
            hint=f"releases: {', '.join(known)}"
            if known
            else f"make one with `cinecode release {project} {version}`",
        )
    return _parse(path)


def load_releases(project: Path) -> list[Release]:
    """Every release of the project, the oldest first (by creation, then version)."""
    folder = project / FOLDER
    if not folder.is_dir():
        return []
    found = [_parse(path) for path in folder.glob("*.toml") if _VERSION.fullmatch(path.stem)]
    return sorted(found, key=lambda r: (r.created, r.version))


def pinned_objects(project: Path) -> set[str]:
    """Every store object any release names (the clean-up never removes them)."""
    return {media.object for release in load_releases(project) for media in release.media()}


def write_release(project: Path, release: Release) -> Path:
    """Write a new release's manifest; ReleaseError if the version exists already."""
    path = release_path(project, release.version)
    if path.exists():
        raise ReleaseError(
            f"release {release.version!r} exists already ({path.relative_to(project)})",
            hint="a release never changes: choose a new version",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, format_release(release))
    return path


# the TOML text


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but DEL)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _f(value: float) -> str:
    return repr(float(value))


def _inline(media: Media) -> str:
    return f"{{ key = {_s(media.key)}, object = {_s(media.object)}, ext = {_s(media.ext)} }}"


def format_release(release: Release) -> str:
    """The manifest's text (see the module doc)."""
    out = [
        "# Written by `cinecode release`: a frozen cut of the film. Commit it; never edit it.",
        f"schema = {_s(SCHEMA)}",
        f"version = {_s(release.version)}",
        f"notes = {_s(release.notes)}",
        f"created = {_s(release.created)}",
        f"title = {_s(release.title)}",
        f"duration = {_f(release.duration)}",
        f"cost = {_f(release.cost)}",
        f"screenplay = {_s(release.screenplay)}",
        f"credits = [{', '.join(_s(c) for c in release.credits)}]",
        f"master = {_inline(release.master)}",
    ]
    if release.subtitles is not None:
        out.append(f"subtitles = {_inline(release.subtitles)}")
    out += ["", "[picks]"]
    out += [f"{_s(shot)} = {_s(take)}" for shot, take in release.picks.items()]
    out += ["", "[generations]"]
    out += [f"{_s(key)} = {_f(cost)}" for key, cost in release.generations.items()]
    for scene in release.scenes:
        out += [
            "",
            "[[scenes]]",
            f"id = {_s(scene.id)}",
            f"heading = {_s(scene.heading)}",
            f"start = {_f(scene.start)}",
            f"duration = {_f(scene.duration)}",
            f"reel = {_inline(scene.reel)}",
        ]
    for shot in release.shots:
        out += [
            "",
            "[[shots]]",
            f"id = {_s(shot.id)}",
            f"scene = {_s(shot.scene)}",
            f"start = {_f(shot.start)}",
            f"duration = {_f(shot.duration)}",
            f"segment = {_inline(shot.segment)}",
        ]
        if shot.take is not None:
            out.append(f"take = {_inline(shot.take)}")
        out.append(f"backend = {_s(shot.backend)}")
        if shot.seed is not None:
            out.append(f"seed = {shot.seed}")
        out += [
            f"source_line = {shot.source_line}",
            f"text = {_s(shot.text)}",
            f"edit = {_s(shot.edit)}",
        ]
    return "\n".join(out) + "\n"


def _parse(path: Path) -> Release:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _release(data)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problem = str(exc)
    except (KeyError, TypeError, ValueError) as exc:
        problem = f"missing or wrong field {exc}"
    raise ProjectError(
        f"the release manifest cannot be read ({problem})",
        file=str(path),
        hint="restore it from version control; cinecode writes it, do not edit it by hand",
    )


def _media(table: Mapping[str, Any] | None) -> Media | None:
    if table is None:
        return None
    return Media(key=str(table["key"]), object=str(table["object"]), ext=str(table["ext"]))


def _need(table: Mapping[str, Any] | None) -> Media:
    media = _media(table)
    if media is None:
        raise KeyError("media")
    return media


def _release(data: Mapping[str, Any]) -> Release:
    if data.get("schema") != SCHEMA:
        raise ValueError(f"schema {data.get('schema')!r}, not {SCHEMA!r}")
    return Release(
        version=str(data["version"]),
        notes=str(data.get("notes", "")),
        created=str(data["created"]),
        title=str(data["title"]),
        duration=float(data["duration"]),
        cost=float(data.get("cost", 0.0)),
        screenplay=str(data["screenplay"]),
        picks={str(k): str(v) for k, v in dict(data.get("picks", {})).items()},
        scenes=tuple(_scene(t) for t in _tables(data.get("scenes", []))),
        shots=tuple(_shot(t) for t in _tables(data.get("shots", []))),
        master=_need(data["master"]),
        subtitles=_media(data.get("subtitles")),
        credits=tuple(str(c) for c in data.get("credits", [])),
        generations={str(k): float(v) for k, v in dict(data.get("generations", {})).items()},
    )


def _tables(items: Iterable[Any]) -> list[Mapping[str, Any]]:
    out = list(items)
    if not all(isinstance(t, dict) for t in out):
        raise TypeError("a [[scenes]] or [[shots]] entry that is not a table")
    return out


def _scene(t: Mapping[str, Any]) -> ReleasedScene:
    return ReleasedScene(
        id=str(t["id"]),
        heading=str(t.get("heading", "")),
        start=float(t["start"]),
        duration=float(t["duration"]),
        reel=_need(t["reel"]),
    )


def _shot(t: Mapping[str, Any]) -> ReleasedShot:
    seed = t.get("seed")
    return ReleasedShot(
        id=str(t["id"]),
        scene=str(t["scene"]),
        start=float(t["start"]),
        duration=float(t["duration"]),
        segment=_need(t["segment"]),
        take=_media(t.get("take")),
        backend=str(t.get("backend", "")),
        seed=int(seed) if isinstance(seed, int) else None,
        source_line=int(t.get("source_line", 0)),
        text=str(t.get("text", "")),
        edit=str(t.get("edit", "")),
    )


__all__ = [
    "Media",
    "Release",
    "ReleaseError",
    "ReleasedScene",
    "ReleasedShot",
    "check_version",
    "format_release",
    "load_releases",
    "pinned_objects",
    "read_release",
    "release_path",
    "write_release",
]
