"""Branching films in the plan: every scene's reel is made once, path-independent (no sound
crosses its edges, which fade from and to silence), and a master is one path's reels.

A path's master is keyed by its reels: another path is another master, the same path again
is the same key (nothing to do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from cinecode.departments.edit import Arrangement
from cinecode.errors import CinecodeError
from cinecode.script.branching import Story, Walk, walk

#: a branching reel's sound fades in and out over its ends (10 ms at 48 kHz): any two join
EDGE_SECONDS = 0.01


def walk_of(story: Story | None, path: Sequence[str] | None, *, edited: bool) -> Walk | None:
    """The path to master (`path`: the options to take; None or empty: every default)."""
    if story is None:
        if path:
            raise CinecodeError(
                "--path is for branching films: this screenplay has no [[choice: …]]",
                hint="see README “Branching films”",
            )
        return None
    if edited:
        raise CinecodeError(
            "an editor's cut (cut.toml) of a branching film is not supported yet",
            hint="move cut.toml aside to build the screenplay's cut of every scene",
        )
    return walk(story, path or ())


def edge_samples(rate: int) -> int:
    return round(EDGE_SECONDS * rate)


def on_path(
    walked: Walk, reel_ids: Sequence[str], subtitles: Sequence[dict[str, Any]], voices: list[str]
) -> tuple[list[int], list[dict[str, Any]], list[str]]:
    """The reels a path plays (title, its scenes, credits) by index, with their subtitle
    entries and voices (`subtitles` and `voices` are every reel's, in reel order)."""
    spans: list[list[str]] = []
    at = 0
    for entry in subtitles:
        count = sum(int(s["n"]) for s in entry.get("shots", ()))
        spans.append(voices[at : at + count])
        at += count
    index = {reel: i for i, reel in enumerate(reel_ids)}
    chosen = [index[r] for r in ("notice", "title", *walked.scenes, "credits") if r in index]
    return (
        chosen,
        [subtitles[i] for i in chosen],
        [v for i in chosen for v in spans[i]],
    )


def path_arrangement(arrangement: Arrangement, walked: Walk) -> Arrangement:
    """The cut of a path's master (title, its scenes in the order played, credits): what the
    editorial views (timeline, exports, shot list, release) read, so they agree with it."""
    by_id = {reel.id: reel for reel in arrangement.reels}
    reels = tuple(by_id[r] for r in ("notice", "title", *walked.scenes, "credits") if r in by_id)
    shots = {placed.id for reel in reels for placed in reel.shots}
    transitions = tuple(
        t
        for t in arrangement.transitions
        if (not t.after or t.after in shots) and (not t.before or t.before in shots)
    )
    return replace(arrangement, reels=reels, transitions=transitions)
