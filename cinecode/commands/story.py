"""The story graph of a branching film — `cinecode story`: its scenes, choices, conditions,
sets and endings as data, and drawn as an SVG (a layered drawing: no Graphviz needed).

Reading only: the project is loaded and checked, no store is opened; the SVG is written to
build/story.svg (or where asked).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from cinecode.errors import CinecodeError
from cinecode.pipeline.session import load
from cinecode.project.files import write_atomic
from cinecode.script.branching import Story, story_of, walk


def story_report(project_path: Path, *, svg: Path | None = None) -> dict[str, Any]:
    """The film's story (Story.as_json()), its default path, and where its SVG was written."""
    loaded = load(project_path)
    story = story_of(loaded.film)
    if story is None:
        raise CinecodeError(
            f"{loaded.film.title} is a linear film: its screenplay has no [[choice: …]], "
            "[[if: …]] or [[ending: …]]",
            hint="see README “Branching films” for the notes that make a film branch",
        )
    target = svg if svg is not None else loaded.project.build_dir / "story.svg"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, draw(story, title=loaded.film.title))
    default = walk(story)
    return {
        "title": loaded.film.title,
        "story": story.as_json(),
        "default": {
            "scenes": list(default.scenes),
            "choices": [p + 1 for p in default.picks],
            "ending": default.ending,
        },
        "svg": str(target.resolve()),
    }


# the drawing: one row of boxes per step from the start, arrows labelled with the options

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 220, 74, 90, 70, 30


def layers(story: Story) -> dict[str, int]:
    """Each scene's row: its fewest steps from the start (skips and jumps count as steps)."""
    depth = {story.start: 0}
    todo = [story.start]
    while todo:
        scene = story.scene(todo.pop(0))
        for target, _, _ in arrows(story, scene.id):
            if target not in depth:
                depth[target] = depth[scene.id] + 1
                todo.append(target)
    return depth


def arrows(story: Story, scene_id: str) -> list[tuple[str, str, str]]:
    """(target, label, style) of every way out of a scene: "choice", "next" or "skip"."""
    scene = story.scene(scene_id)
    out: list[tuple[str, str, str]] = []
    if scene.choice is not None:
        out += [(o.target, o.text, "choice") for o in scene.choice.options]
    elif scene.ending is None and scene.next is not None:
        out.append((scene.next, "", "next"))
    if scene.when is not None and scene.next is not None:
        out.append((scene.next, f"not {scene.when}", "skip"))
    return out


def draw(story: Story, *, title: str) -> str:
    """The story graph as a standalone SVG document."""
    depth = layers(story)
    rows: dict[int, list[str]] = {}
    for scene in story.scenes:
        rows.setdefault(depth.get(scene.id, max(depth.values()) + 1), []).append(scene.id)
    widest = max(len(r) for r in rows.values())
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X
    height = MARGIN * 2 + 30 + len(rows) * (BOX_H + GAP_Y)
    place: dict[str, tuple[float, float]] = {}
    for row, ids in sorted(rows.items()):
        span = len(ids) * BOX_W + (len(ids) - 1) * GAP_X
        left = (width - span) / 2
        for n, scene_id in enumerate(ids):
            place[scene_id] = (left + n * (BOX_W + GAP_X), MARGIN + 30 + row * (BOX_H + GAP_Y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="12">',
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7' "
        "markerHeight='7' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' "
        "fill='#555'/></marker></defs>",
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
        f'<text x="{MARGIN}" y="{MARGIN + 4}" font-size="16" font-weight="bold">'
        f"{escape(title)}: the story</text>",
    ]
    for scene in story.scenes:
        for n, (target, label, style) in enumerate(arrows(story, scene.id)):
            parts.append(_arrow(place[scene.id], place[target], label, style, n))
    for scene in story.scenes:
        parts.append(_box(scene, place[scene.id]))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _arrow(
    start: tuple[float, float], end: tuple[float, float], label: str, style: str, n: int
) -> str:
    x1, y1 = start[0] + BOX_W / 2 + (n - 1) * 24, start[1] + BOX_H
    x2, y2 = end[0] + BOX_W / 2, end[1]
    dash = ' stroke-dasharray="5,4"' if style == "skip" else ""
    if y2 > y1:  # downward: a gentle curve
        mid = (y1 + y2) / 2
        path = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2:.0f}"
        lx, ly = (x1 + x2) / 2, mid - 4
    elif end[1] == start[1] and end[0] != start[0]:  # the same row: side to side
        right = end[0] > start[0]
        x1 = start[0] + (BOX_W if right else 0)
        x2 = end[0] + (0 if right else BOX_W)
        y1 = y2 = start[1] + BOX_H / 2
        path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
        lx, ly = (x1 + x2) / 2, y1 - 6
    else:  # back up (a loop): round the right-hand side
        side = max(start[0], end[0]) + BOX_W + 30 + n * 12
        y2 = end[1] + BOX_H / 2
        x2 = end[0] + BOX_W
        path = f"M{x1:.0f},{y1:.0f} C{side:.0f},{y1 + 40:.0f} {side:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        lx, ly = side - 10, (y1 + y2) / 2
    text = (
        f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle" fill="#333" font-size="11" '
        f'paint-order="stroke" stroke="#fff" stroke-width="3">{escape(label)}</text>'
        if label
        else ""
    )
    return (
        f'<path d="{path}" fill="none" stroke="#555" stroke-width="1.4"{dash} '
        f'marker-end="url(#arrow)"/>{text}'
    )


def _box(scene: Any, at: tuple[float, float]) -> str:
    x, y = at
    ending = scene.ending is not None
    fill, stroke = ("#fde8a8", "#b8860b") if ending else ("#eef3f8", "#4a6785")
    lines = [f"{scene.id}  {scene.label}"]
    if scene.when:
        lines.append(f"only if {scene.when}")
    if scene.sets:
        lines.append("set " + ", ".join(f"{v} {op} {n}" for v, op, n in scene.sets))
    if ending:
        lines.append(f"ENDING: {scene.ending}")
    elif scene.choice is not None:
        lines.append(f"choice: {scene.choice.seconds:g} s, default {scene.choice.default + 1}")
    bold = ' font-weight="bold"'
    texts = "".join(
        f'<text x="{x + 10:.0f}" y="{y + 20 + i * 16:.0f}"{bold if i == 0 else ""}>'
        f"{escape(line[:34])}</text>"
        for i, line in enumerate(lines[:4])
    )
    width = 3 if ending else 1.5
    return (
        f'<g><title>{escape(scene.heading)}</title><rect x="{x:.0f}" y="{y:.0f}" '
        f'width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{width}"/>{texts}</g>'
    )
