"""What the player reads besides the media: the releases feed, what changed, chapters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cinecode.media.subtitles import Cue, to_vtt
from cinecode.project.releases import Release, ReleasedScene, ReleasedShot

#: The disclosure every published film carries (page, playlists, MP4 metadata); a release
#: whose credits say what was generated with AI says it after this (`disclosure_of`).
DISCLOSURE = "Made with generative AI (cinecode)"
FEED_SCHEMA = "cinecode.Releases.1"


#: a stretch of the master no scene of the release covers (its cards), shorter than this, is
#: a rounding of the manifest's times, not a card
GAP = 0.02


@dataclass(frozen=True)
class Part:
    """A stretch of the film the player can play on its own: a scene of the release, or a
    card the release names no scene for (the title before the first scene, the credits after
    the last), which is cut from the master."""

    id: str
    heading: str
    start: float
    duration: float
    scene: ReleasedScene | None  # None: a card
    shots: tuple[ReleasedShot, ...]


def disclosure_of(credits: Sequence[str]) -> str:
    """A release's AI disclosure, from its credits' own account of what was generated with
    AI and what by rule (departments.titles.disclosure): "Made with generative AI (cinecode).
    Voices in this film were generated with AI. Its pictures … without AI." """
    said = [line for line in credits if line.endswith((" with AI.", " without AI."))]
    if not said:
        return DISCLOSURE  # a release from before the credits said it
    if not any(line.endswith(" with AI.") for line in said):
        return f"Made with cinecode, without generative AI. {' '.join(said)}"
    return f"{DISCLOSURE}. {' '.join(said)}"


def parts(release: Release) -> list[Part]:
    """The release's scenes in order, with a card wherever the master runs without one."""
    by_scene: dict[str, list[ReleasedShot]] = {scene.id: [] for scene in release.scenes}
    for shot in release.shots:
        by_scene.setdefault(shot.scene, []).append(shot)
    out: list[Part] = []
    at = 0.0

    def card(start: float, end: float) -> None:
        if end - start <= GAP:
            return
        name = "title" if not out else "credits" if start >= last_end - GAP else f"card-{start:.0f}"
        out.append(Part(name, name.title(), start, end - start, None, ()))

    last_end = max((s.start + s.duration for s in release.scenes), default=0.0)
    for scene in release.scenes:
        card(at, scene.start)
        out.append(
            Part(
                scene.id,
                scene.heading,
                scene.start,
                scene.duration,
                scene,
                tuple(by_scene[scene.id]),
            )
        )
        at = scene.start + scene.duration
    card(at, release.duration)
    return out


def _scene_start(after: Release, scene: str, fallback: float) -> float:
    for item in after.scenes:
        if item.id == scene:
            return item.start
    return min(fallback, after.duration)


def _shot_entry(shot: ReleasedShot, kind: str, reasons: list[str]) -> dict[str, Any]:
    """A "what changed" entry that seeks to `shot` in the release it is in."""
    return {
        "shot": shot.id,
        "scene": shot.scene,
        "kind": kind,
        "reasons": reasons,
        "start": round(shot.start, 6),
        "duration": round(shot.duration, 6),
        "was": None,
        "line": shot.source_line,
    }


def changes(report: Mapping[str, Any] | None, after: Release) -> list[dict[str, Any]]:
    """The "what changed" entries of `after` from the diff with the release before it
    (`cinecode diff`'s report), in film order, each with where to seek in `after`: a
    changed or added shot's start, a removed shot's scene (or the film's end)."""
    if report is None:
        return []
    shots = {shot.id: shot for shot in after.shots}
    out: list[dict[str, Any]] = []
    for item in report.get("changed", ()):
        entry = _shot_entry(shots[item["shot"]], "changed", list(item["reasons"]))
        out.append({**entry, "was": item["from"]["start"]})
    for item in report.get("added", ()):
        out.append(_shot_entry(shots[item["shot"]], "added", ["added"]))
    for item in report.get("removed", ()):
        out.append(
            {
                "shot": item["shot"],
                "scene": item["scene"],
                "kind": "removed",
                "reasons": ["removed"],
                "start": round(_scene_start(after, item["scene"], item["start"]), 6),
                "duration": 0.0,
                "was": item["start"],
                "line": None,
            }
        )
    return sorted(out, key=lambda c: (c["start"], c["kind"] == "removed"))


def chapters_vtt(release: Release) -> str:
    """One WebVTT chapter per scene (the heading; the title and credits by name)."""
    cues = [Cue(p.start, p.start + p.duration, p.heading or p.id) for p in parts(release)]
    return to_vtt(cues)


def version_entry(
    release: Release,
    before: Release | None,
    *,
    bandwidth: int,
    diff: Mapping[str, Any] | None,
    credentials: str | None = None,
    poster: str | None = None,
) -> dict[str, Any]:
    """One version in releases.json (`credentials`: its credentials.json, `poster` its signed
    poster, when signed)."""
    version = release.version
    film = parts(release)
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
        "credentials": credentials,
        "poster": poster,
        "bandwidth": bandwidth,
        "credits": list(release.credits),
        "disclosure": disclosure_of(release.credits),
        "scenes": [
            {
                "id": part.id,
                "heading": part.heading,
                "start": round(part.start, 6),
                "duration": round(part.duration, 6),
                "card": part.scene is None,
                "playlist": f"{version}/scenes/{part.id}/master.m3u8",
            }
            for part in film
        ],
        "shots": [
            {
                "id": item.id,
                "scene": part.id,
                "start": round(item.start, 6),
                "duration": round(item.duration, 6),
            }
            for part in film
            for item in (part.shots or (part,))  # a card is one shot
        ],
        "changes": changes(diff, release),
    }


def feed(title: str, versions: Sequence[dict[str, Any]], credits: Sequence[str]) -> dict[str, Any]:
    """releases.json: every published version, the newest last; `story` stays None for a
    linear film (a branching film's story graph goes there, for the player's scene mode)."""
    return {
        "schema": FEED_SCHEMA,
        "title": title,
        "disclosure": disclosure_of(credits),
        "credits": list(credits),
        "latest": versions[-1]["version"] if versions else None,
        "story": None,
        "versions": list(versions),
    }
