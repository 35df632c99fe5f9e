"""`cinecode release`, `releases` and `diff`: freeze the built cut, list the releases, say
what changed between two (cinecode.commands.releases does the work; this prints it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinecode.front.shell import JsonOpt, ProjectArg, ProjectCommand, app, guard, out, report

if TYPE_CHECKING:
    from rich.console import Console


@app.command(cls=ProjectCommand)
def release(
    project: ProjectArg,
    version: Annotated[str, typer.Argument(help="The release's name, e.g. v1.1.")],
    notes: Annotated[str, typer.Option("--notes", help="What this release changes.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Freeze the built film as releases/VERSION.toml (commit it): every shot's segment and
    take, the reels, the master, what it cost. Its objects are kept by gc."""
    from cinecode.commands.releases import make_release

    guard(
        lambda: report(make_release(project, version, notes=notes), print_release, as_json=as_json)
    )


@app.command(cls=ProjectCommand)
def releases(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """List the releases, the oldest first."""
    from cinecode.commands.releases import list_releases

    guard(lambda: report(list_releases(project), print_releases, as_json=as_json))


@app.command(cls=ProjectCommand)
def diff(
    project: ProjectArg,
    old: Annotated[str, typer.Argument(help="The earlier release, e.g. v1.0.")],
    new: Annotated[str, typer.Argument(help="The later release, e.g. v1.1.")],
    as_json: JsonOpt = False,
    page: Annotated[
        Path | None,
        typer.Option("--html", help="Also write a page of before | after frames to this file."),
    ] = None,
) -> None:
    """What changed between two releases: shots added, removed and changed (and why), with
    their timecodes in both, the change in length and what the update cost."""

    def run() -> None:
        from cinecode.commands.releases import diff_page, diff_releases

        found = diff_releases(project, old, new)
        if page is not None:
            found["html"] = str(diff_page(project, found, page).resolve())
        report(found, print_diff, as_json=as_json)

    guard(run)


def print_release(found: dict[str, Any], console: Console) -> None:
    console.print(
        f"released {found['version']}: {found['shots']} shots in {found['scenes']} scenes, "
        f"{found['duration']:.2f} s, {found['objects']} objects kept; "
        f"spent so far {found['cost']:.2f} USD",
        markup=False,
    )
    out(found["path"])


def print_releases(found: dict[str, Any], console: Console) -> None:
    from rich.table import Table

    if not found["releases"]:
        console.print("no release yet: `cinecode release myfilm v1.0` makes one", markup=False)
        return
    table = Table(title="releases", title_justify="left")
    for column in ("version", "created", "shots", "seconds", "spent", "notes"):
        table.add_column(
            column, justify="right" if column in ("shots", "seconds", "spent") else "left"
        )
    for r in found["releases"]:
        table.add_row(
            r["version"],
            r["created"],
            str(r["shots"]),
            f"{r['duration']:.2f}",
            f"{r['cost']:.2f}",
            r["notes"],
        )
    console.print(table)


def print_diff(found: dict[str, Any], console: Console) -> None:
    from rich.table import Table

    table = Table(title=f"{found['title']}: {found['from']} → {found['to']}", title_justify="left")
    for column in ("shot", "what", "why", found["from"], found["to"], "length"):
        table.add_column(column)
    for item in found["changed"]:
        before, after = item["from"], item["to"]
        why = ", ".join(item["reasons"])
        if "script" in item:
            why += f" (line {item['script']['line']}: {item['script']['to']!r})"
        table.add_row(
            item["shot"],
            "changed",
            why,
            before["timecode"],
            after["timecode"],
            f"{before['duration']:.2f} → {after['duration']:.2f} s",
        )
    for kind in ("added", "removed"):
        for item in found[kind]:
            here = (item["timecode"], "") if kind == "removed" else ("", item["timecode"])
            table.add_row(item["shot"], kind, "", *here, f"{item['duration']:.2f} s")
    if table.row_count:
        console.print(table)
    else:
        console.print("no shot changed", markup=False)
    length, cost = found["duration"], found["cost"]
    console.print(
        f"length {length['from_timecode']} → {length['to_timecode']} ({length['change']:+.2f} s); "
        f"{len(found['moved'])} shot(s) moved, {found['unchanged']} unchanged; "
        f"the update cost {cost['update']:.2f} USD ({cost['generations']} new generations)",
        markup=False,
    )
    if "html" in found:
        console.print(f"page: {found['html']}", markup=False)
