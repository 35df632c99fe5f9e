"""`cinecode story`: a branching film's story graph on the console, as JSON, and as an SVG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinecode.front.shell import JsonOpt, ProjectArg, ProjectCommand, app, console, err, guard, out

if TYPE_CHECKING:
    from rich.console import Console


@app.command(cls=ProjectCommand)
def story(
    project: ProjectArg,
    as_json: JsonOpt = False,
    svg: Annotated[
        Path | None, typer.Option(help="Where to draw the graph (default: build/story.svg).")
    ] = None,
) -> None:
    """A branching film's story: scenes, choices, conditions, sets and endings."""

    def run() -> None:
        from cinecode.commands.story import story_report

        report = story_report(project, svg=svg)
        if as_json:
            out(json.dumps(report["story"]))
        else:
            print_story(report, console())
        err(f"story graph drawn: {report['svg']}")

    guard(run)


def print_story(report: dict[str, Any], console: Console) -> None:
    """Scene by scene: what it sets, when it plays, where it leads; then the default path."""
    story = report["story"]
    scenes = story["scenes"]
    choices = sum(1 for s in scenes if s["choice"])
    endings = [s["ending"] for s in scenes if s["ending"]]
    labels = {s["id"]: f"{s['id']} {s['label']}" for s in scenes}
    start = ", ".join(f"{k} = {v}" for k, v in story["variables"].items())
    lines = [
        f"{report['title']}: {len(scenes)} scenes, {choices} choices, {len(endings)} endings"
        + (f"; variables start at {start}" if start else ""),
        "",
    ]
    for s in scenes:
        lines.append(f"{labels[s['id']]}  ({s['heading']})")
        if s["when"]:
            after = labels.get(s["next"], "the end") if s["next"] else "the end"
            lines.append(f"  │ plays only if {s['when']}; otherwise on to {after}")
        if s["sets"]:
            lines.append("  │ set " + ", ".join(f"{v} {op} {n}" for v, op, n in s["sets"]))
        if s["choice"]:
            choice = s["choice"]
            lines.append(f"  ├ choice ({choice['seconds']:g} s, default {choice['default'] + 1}):")
            for n, option in enumerate(choice["options"], start=1):
                lines.append(f"  │   {n}. “{option['text']}” → {labels[option['target']]}")
        elif s["ending"]:
            lines.append(f"  ■ ending “{s['ending']}”")
        elif s["next"]:
            lines.append(f"  └ → {labels[s['next']]}")
    default = report["default"]
    lines += [
        "",
        "default path: "
        + " → ".join(labels[i] for i in default["scenes"])
        + f" (“{default['ending']}”)",
    ]
    console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
