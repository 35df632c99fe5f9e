"""The shot list: one CSV row per shot of the cut, for a spreadsheet or a production board;
`start` is the shot's record timecode (from film.toml's `[export] start`, as in the timelines)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cinecode.graph.store import Store
    from cinecode.pipeline.plan import Plan
    from cinecode.project.config import Project

COLUMNS = (
    "order",
    "shot",
    "scene",
    "heading",
    "kind",
    "size",
    "angle",
    "move",
    "characters",
    "start",
    "frames",
    "seconds",
    "trim",
    "head",
    "tail",
    "take",
    "take_reason",
    "dialogue",
    "action",
    "script_line",
)


def write_shot_list(plan: Plan, store: Store, project: Project, out: Path) -> int:
    """Write the shot list as CSV (UTF-8, header row); returns the number of shots."""
    from cinecode.editorial.timeline import cells, record_start, timecode

    fps = project.config.format.fps
    start = record_start(project)
    rows = []
    for order, cell in enumerate(cells(plan, store), start=1):
        placed, shot = cell.placed, cell.placed.shot
        head = f"{placed.head.kind} {placed.head.total}" if placed.head else "cut"
        tail = f"{placed.tail.kind} {placed.tail.total}" if placed.tail else "cut"
        rows.append(
            {
                "order": order,
                "shot": placed.id,
                "scene": placed.scene.id if placed.scene else "",
                "heading": placed.scene.heading if placed.scene else placed.id.upper(),
                "kind": shot.kind if shot else "card",
                "size": shot.size if shot else "",
                "angle": shot.angle if shot else "",
                "move": shot.move if shot else "static",
                "characters": " ".join(shot.characters) if shot else "",
                "start": timecode(start + cell.start, fps),
                "frames": cell.frames,
                "seconds": round(cell.frames / fps, 3),
                "trim": int((cell.segment.params.get("span") or {}).get("first", 0)),
                "head": head,
                "tail": tail,
                "take": cell.segment.inputs[0][:12],
                "take_reason": plan.shots[shot.id].reason if shot else "",
                "dialogue": " / ".join(f"{ln.character}: {ln.text}" for ln in shot.lines)
                if shot
                else "",
                "action": shot.action if shot else "",
                "script_line": shot.line if shot else "",
            }
        )
    staged = out.with_name(f".{out.name}.part")
    with staged.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    staged.replace(out)
    return len(rows)
