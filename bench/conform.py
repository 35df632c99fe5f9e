"""What an editor's cut costs to master: a conform that touches three shots, against a full build.

    python bench/conform.py            # the bundled example (about 2 minutes)

The example is copied to a temporary folder and built with the real `cinecode` command; its
cut is exported as OTIO and edited the way an editor would (one shot trimmed by half a
second at its tail, one shot removed, two neighbouring shots swapped, each in a different
scene), conformed back, and made again. Prints a Markdown table: the seconds, generations
and renders of both makes and their ratio (the ratio is measured in one run: compare it,
not the seconds, across machines).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import opentimelineio as otio
from run import CLI, copy_example, timed


def cinecode(*args: str) -> tuple[float, dict[str, object]]:
    """Run a command with --json: its seconds and its JSON answer."""
    return timed([*CLI, *args, "--json"])


def edit(timeline: otio.schema.Timeline) -> list[str]:
    """Trim one shot, remove one and swap two, in three different scenes; the shots touched."""
    track = timeline.video_tracks()[0]
    clips = [c for c in track if isinstance(c, otio.schema.Clip) and "." in c.name]
    scenes: dict[str, list[otio.schema.Clip]] = {}
    for clip in clips:
        scenes.setdefault(clip.name.split(".")[0], []).append(clip)
    big = [shots for shots in scenes.values() if len(shots) >= 3]
    trimmed, removed, swapped = big[1][1], big[2][1], big[3][1:3]
    # 1. trim: half a second off the tail
    r = trimmed.source_range
    half = otio.opentime.RationalTime(round(r.duration.rate / 2), r.duration.rate)
    trimmed.source_range = otio.opentime.TimeRange(r.start_time, r.duration - half)
    # 2. remove
    track.remove(removed)
    # 3. swap two neighbours (nothing between them: a straight cut)
    first, second = swapped
    at = track.index(first)
    if track.index(second) == at + 1:
        track.remove(second)
        track.insert(at, second)
    return [trimmed.name, removed.name, first.name, second.name]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="cinecode-conform-"))
    try:
        root = copy_example(work / "film")
        full_s, full = cinecode("make", str(root))
        cinecode("export", str(root), "otio", "-o", str(work / "cut.otio"))
        timeline = otio.adapters.read_from_file(str(work / "cut.otio"))
        touched = edit(timeline)
        otio.adapters.write_to_file(timeline, str(work / "edited.otio"))
        cinecode("conform", str(root), str(work / "edited.otio"))
        after_s, after = cinecode("make", str(root))
        print(f"conform touching shots {', '.join(touched)} (the bundled example)\n")
        print("| make | seconds | generated | rendered |")
        print("|---|---|---|---|")
        print(f"| full build | {full_s:.1f} | {full['generated']} | {full['rendered']} |")
        print(f"| after the conform | {after_s:.1f} | {after['generated']} | {after['rendered']} |")
        print(f"\nafter the conform / full build: {after_s / full_s:.1%}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
