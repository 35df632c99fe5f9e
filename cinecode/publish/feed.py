"""What the player reads besides the media: the releases feed, what changed, chapters.

Publishing reads releases through the fields below only (the manifest of
`cinecode.project.releases`: Release ▸ ReleasedScene, ReleasedShot ▸ Media), so any object
with them publishes, and nothing here depends on how releases are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from cinecode.media.subtitles import Cue, to_vtt

#: The disclosure every published film carries (page, playlists, MP4 metadata).
DISCLOSURE = "Made with generative AI (cinecode); AI-generated images, voices and music"
FEED_SCHEMA = "cinecode.Releases.1"


class MediaLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def object(self) -> str: ...
    @property
    def ext(self) -> str: ...


class ShotLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def scene(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def duration(self) -> float: ...
    @property
    def segment(self) -> MediaLike: ...
    @property
    def take(self) -> MediaLike | None: ...
    @property
    def backend(self) -> str: ...
    @property
    def source_line(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def edit(self) -> str: ...


class SceneLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def heading(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def duration(self) -> float: ...
    @property
    def reel(self) -> MediaLike: ...


class ReleaseLike(Protocol):
    @property
    def version(self) -> str: ...
    @property
    def notes(self) -> str: ...
    @property
    def created(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def duration(self) -> float: ...
    @property
    def scenes(self) -> Sequence[SceneLike]: ...
    @property
    def shots(self) -> Sequence[ShotLike]: ...
    @property
    def subtitles(self) -> MediaLike | None: ...
    @property
    def credits(self) -> Sequence[str]: ...


def _take(shot: ShotLike) -> str | None:
    return shot.take.object if shot.take is not None else None


def reasons(old: ShotLike, new: ShotLike) -> list[str]:
    """Why a shot differs between two releases (empty: it did not change)."""
    why = []
    if old.text != new.text:
        why.append("script")
    if _take(old) != _take(new):
        why.append("take")
    if old.backend != new.backend:
        why.append("backend")
    if old.edit != new.edit:
        why.append("edit")
    if not why and old.segment.object != new.segment.object:
        why.append("timing")  # the same words and take, another length (a scene's padding)
    return why


def changes(before: ReleaseLike | None, after: ReleaseLike) -> list[dict[str, Any]]:
    """The shots of `after` that `before` did not have as they are, in film order, each with
    where it starts in `after` (a removed shot: where its scene, or the film, continues)."""
    if before is None:
        return []
    old = {shot.id: shot for shot in before.shots}
    new_ids = {shot.id for shot in after.shots}
    out: list[dict[str, Any]] = []
    for shot in after.shots:
        was = old.get(shot.id)
        why = ["added"] if was is None else reasons(was, shot)
        if why:
            out.append(
                {
                    "shot": shot.id,
                    "scene": shot.scene,
                    "kind": "added" if was is None else "changed",
                    "reasons": why,
                    "start": round(shot.start, 6),
                    "duration": round(shot.duration, 6),
                    "was": None if was is None else round(was.start, 6),
                    "line": shot.source_line,
                }
            )
    scenes = {scene.id: scene.start for scene in after.scenes}
    for shot in before.shots:
        if shot.id not in new_ids:
            out.append(
                {
                    "shot": shot.id,
                    "scene": shot.scene,
                    "kind": "removed",
                    "reasons": ["removed"],
                    "start": round(scenes.get(shot.scene, min(shot.start, after.duration)), 6),
                    "duration": 0.0,
                    "was": round(shot.start, 6),
                    "line": shot.source_line,
                }
            )
    return sorted(out, key=lambda c: (c["start"], c["kind"] == "removed"))


def chapters_vtt(release: ReleaseLike) -> str:
    """One WebVTT chapter per scene (the heading; the title and credits by name)."""
    cues = [
        Cue(scene.start, scene.start + scene.duration, scene.heading or scene.id.title())
        for scene in release.scenes
    ]
    return to_vtt(cues)


def version_entry(
    release: ReleaseLike, before: ReleaseLike | None, *, bandwidth: int
) -> dict[str, Any]:
    """One version in releases.json."""
    version = release.version
    return {
        "version": version,
        "notes": release.notes,
        "created": release.created,
        "title": release.title,
        "duration": round(release.duration, 6),
        "previous": before.version if before is not None else None,
        "master": f"{version}/master.m3u8",
        "subtitles": f"{version}/subtitles.vtt" if release.subtitles is not None else None,
        "chapters": f"{version}/chapters.vtt",
        "bandwidth": bandwidth,
        "credits": list(release.credits),
        "scenes": [
            {
                "id": scene.id,
                "heading": scene.heading,
                "start": round(scene.start, 6),
                "duration": round(scene.duration, 6),
                "playlist": f"{version}/scenes/{scene.id}/master.m3u8",
            }
            for scene in release.scenes
        ],
        "shots": [
            {
                "id": shot.id,
                "scene": shot.scene,
                "start": round(shot.start, 6),
                "duration": round(shot.duration, 6),
            }
            for shot in release.shots
        ],
        "changes": changes(before, release),
    }


def feed(title: str, versions: Sequence[dict[str, Any]], credits: Sequence[str]) -> dict[str, Any]:
    """releases.json: every published version, the newest last; `story` stays None for a
    linear film (a branching film's story graph goes there, for the player's scene mode)."""
    return {
        "schema": FEED_SCHEMA,
        "title": title,
        "disclosure": DISCLOSURE,
        "credits": list(credits),
        "latest": versions[-1]["version"] if versions else None,
        "story": None,
        "versions": list(versions),
    }
