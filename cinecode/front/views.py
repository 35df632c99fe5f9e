"""How reports read on the console: the commands return data, the command line prints it.

Each `print_*` takes a command's report (the dict `--json` prints) and an injected rich
Console.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def print_plan(report: dict[str, Any], console: Console) -> None:
    from rich.table import Table

    for scene in report["scenes"]:
        table = Table(
            title=f"{scene['id']}  {scene['heading']}  (line {scene['line']})", title_justify="left"
        )
        priced = any(shot["estimated_cost"]["money"] for shot in scene["shots"])
        columns = ["shot", "kind", "size", "move", "seconds", "in frame", "line"]
        for column in [*columns, *(["est. cost"] if priced else [])]:
            table.add_column(column, justify="right" if column == "est. cost" else "left")
        for shot in scene["shots"]:
            seconds = f"{'~' if shot['duration_is_estimate'] else ''}{shot['duration']:.1f}"
            cost = [f"{shot['estimated_cost']['money']:.2f}"] if priced else []
            table.add_row(
                shot["id"],
                shot["kind"],
                shot["size"],
                shot["move"],
                seconds,
                ", ".join(shot["characters"]),
                str(shot["line"]),
                *cost,
            )
        console.print(table)
    lips = report.get("lipsync")
    if lips is not None:
        console.print(
            f"lip sync ({lips['backend']}): {len(lips['synced'])} shot(s) synced"
            + (f": {', '.join(lips['synced'])}" if lips["synced"] else ""),
            markup=False,
        )
        for shot, why in lips["not_synced"].items():
            console.print(f"  {shot} not synced: {why}", markup=False)
    for item in report.get("explain", []):
        console.print(f"  [bold]{item['job']}[/]: {item['why']}")
    jobs = report["jobs"]
    cost = report["estimated_cost"]
    console.print(
        f"{len(report['scenes'])} scenes, {report['shots']} shots, "
        f"about {report['duration'] / 60:.1f} min; "
        f"jobs: {jobs['pending']} pending, {jobs['cached']} cached; "
        f"estimated cost {cost['money']:.2f} {cost.get('currency', '')}, "
        f"{cost['gpu_seconds']:.0f} GPU-s"
    )
    for department, value in cost["departments"].items():
        if value["money"] or value["gpu_seconds"]:
            console.print(
                f"  {department}: {value['money']:.2f} {cost.get('currency', '')}, "
                f"{value['gpu_seconds']:.0f} GPU-s"
            )
    for warning in report.get("warnings", []):
        console.print(f"warning: {warning}", style="yellow", markup=False, soft_wrap=True)


def print_status(report: dict[str, Any], console: Console) -> None:

    state = "[green]up to date[/]" if report["up_to_date"] else "[yellow]needs a make[/]"
    console.print(f"{report['title']}: {state}")
    for name, output in report["outputs"].items():
        mark = "current" if output["current"] else ("stale" if output["exists"] else "not built")
        console.print(f"  {name:<7} {output['path']}  ({mark})")
    jobs = report["jobs"]
    console.print(f"  jobs: {jobs['pending']} pending, {jobs['cached']} cached")
    for department, count in report["pending"].items():
        console.print(f"    {department}: {count} to do")
    if report["stale_shots"]:
        shown = ", ".join(report["stale_shots"][:20])
        more = len(report["stale_shots"]) - 20
        console.print(f"  shots to (re)build: {shown}{f' … and {more} more' if more > 0 else ''}")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "  —   "
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def print_sheet(report: dict[str, Any], console: Console) -> None:
    """The sheet as text on the console."""

    loudness = report["loudness"]
    console.print(
        f"[bold]{report['title']}[/] — sound "
        f"(mix to {loudness['target']:g} LUFS, true peak ≤ {loudness['true_peak']:g} dBTP)"
    )
    for row in report["scenes"]:
        length = f"{row['duration']:.1f} s" if row["duration"] is not None else "not built"
        console.print(
            f"\n[bold]{row['scene']:>7}[/]  {_clock(row['start'])}  {length}  {row['heading']}"
        )
        score = row["score"]
        if score:
            detail = ", ".join(
                str(x)
                for x in (
                    score.get("key"),
                    f"{score['tempo']:.0f} bpm" if "tempo" in score else None,
                    f"{score['bars']} bars" if "bars" in score else None,
                )
                if x
            )
            ending = {
                "ring": f"rings {score['tail']:g} s into the next scene",
                "fade": "fades out",
                "cut": "stops dead on the cut",
            }[score["ending"]]
            source = f" ({score['source']})" if "source" in score else ""
            detail = f": {detail}" if detail else ""
            console.print(f"         score     {score['mood']}{source}{detail} · {ending}")
        else:
            console.print("         score     none")
        if row["ambience"]:
            bed = row["ambience"]
            console.print(f"         ambience  {bed['description']} ({bed['source']})")
        for effect in row["effects"]:
            at = f"+{effect['at']:5.1f} s" if effect["at"] is not None else "        "
            console.print(f"         sfx {at}  {effect['description']} ({effect['source']})")


def print_backends(report: dict[str, Any], console: Console) -> None:
    """The report as a table (stdout), fixes under it."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"backends of {escape(report['project'])}", title_justify="left")
    for column in ("name", "makes", "used by", "status", "detail"):
        table.add_column(column)
    colours = {"ready": "green", "missing package": "yellow", "missing model": "yellow"}
    for row in report["backends"]:
        name = row["name"] if row["name"] == row["backend"] else f"{row['name']} ({row['backend']})"
        state = row["status"]
        table.add_row(
            escape(name),
            row["modality"],
            escape(", ".join(row["used_by"]) or "unused"),
            f"[{colours.get(state, 'red')}]{state}[/]",
            escape(row["detail"]),
        )
    console.print(table)
    for row in report["backends"]:
        if row["status"] != "ready" and row["fix"]:
            console.print(f"{row['name']}: {row['fix']}", markup=False)


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover - the loop returns


def print_usage(report: dict[str, Any], console: Console) -> None:
    """Store and build folder, by class and by department."""
    from rich.table import Table

    console.print(
        f"store {_bytes(report['store'])} in {report['objects']} objects; "
        f"build/ {_bytes(report['build']['bytes'])} more"
    )
    for title, rows in (("class", report["by_class"]), ("department", report["by_department"])):
        table = Table(title=f"by {title}", title_justify="left")
        table.add_column(title)
        table.add_column("bytes", justify="right")
        for name, size in rows.items():
            table.add_row(name, _bytes(size))
        console.print(table)
    if report["orphans"]["files"]:
        console.print(
            f"{report['orphans']['files']} object(s) no artifact names: "
            f"{_bytes(report['orphans']['bytes'])}"
        )
    released = report.get("released", {})
    if released.get("releases"):
        console.print(
            f"released: {released['releases']} release(s) name {_bytes(released['bytes'])}, "
            f"{_bytes(released['only_released'])} of it kept for them alone (gc never removes it)"
        )
    console.print(
        f"gc would free {_bytes(report['gc_frees'])} ({report['gc_removes']} old renders and "
        "masters; takes stay unless --keep-takes says)"
    )


def print_gc(report: dict[str, Any], console: Console) -> None:
    """What went (or would go), and what the takes among it cost."""
    verb = "would remove" if report["dry_run"] else "removed"
    for item in report["items"] if report["dry_run"] else []:
        cost = f", cost {item['money']:.2f}" if item["money"] else ""
        console.print(
            f"  {item['class']}: {item['label'] or item['step']} "
            f"({item['key']}, {_bytes(item['bytes'])}{cost})",
            markup=False,
        )
    paid = report["paid"]
    console.print(
        f"{verb} {report['removed']} artifact(s), {_bytes(report['freed'])}"
        + (
            f"; {paid['takes']} paid take(s) among them cost {paid['money']:.2f} and "
            f"{paid['gpu_seconds']:.0f} GPU-s"
            if paid["takes"]
            else ""
        ),
        markup=False,
    )


def print_verify(report: dict[str, Any], console: Console) -> None:
    """Problems first, then the count and what to do."""
    for state in ("missing", "corrupt"):
        for item in report[state]:
            cost = f", cost {item['money']:.2f}" if item["money"] else ""
            console.print(
                f"{state}: {item['label'] or item['step']} ({item['key']}{cost})", markup=False
            )
    for item in report.get("released_missing", []):
        console.print(
            f"release {item['release']} lost its {item['what']} ({item['key']}, {item['state']}): "
            "that release cannot be published or restored as it was; check out its screenplay, "
            "picks and cut and run `cinecode make` to render it again",
            markup=False,
        )
    if report["ok"]:
        verdict = "all whole"
    else:
        verdict = f"{len(report['missing'])} missing, {len(report['corrupt'])} corrupt"
        if report.get("released_missing"):
            verdict += f", {len(report['released_missing'])} object(s) of releases lost"
        if report["corrupt"]:
            verdict += (
                "; the corrupt files are deleted"
                if report["repaired"]
                else " (`cinecode verify --repair` deletes the corrupt files)"
            )
        verdict += (
            ": `cinecode make` makes renders and free takes again, and names the paid takes "
            "it would pay for twice"
        )
    orphans = report["orphans"]
    console.print(
        f"checked {report['objects']} objects ({_bytes(report['bytes'])}): {verdict}"
        + (f"; {orphans} object(s) no artifact names (gc removes them)" if orphans else ""),
        markup=False,
    )
