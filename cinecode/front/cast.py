"""`cinecode cast`: cast sheets and location plates, made, listed, picked and rejected."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinecode.front.shell import JsonOpt, ProjectArg, ProjectCommand, app, console, err, guard, out

if TYPE_CHECKING:
    from rich.console import Console

    from cinecode.departments.cast import SheetKind


@app.command(cls=ProjectCommand)
def cast(
    project: ProjectArg,
    name: Annotated[
        str | None,
        typer.Argument(help="A character (or with --locations, a location); default: all."),
    ] = None,
    takes: Annotated[
        int, typer.Option("--takes", min=0, help="Sheets per name: take n has its seed + n.")
    ] = 1,
    more: Annotated[
        int, typer.Option("--more", min=0, help="This many sheets beyond those there.")
    ] = 0,
    locations: Annotated[
        bool, typer.Option("--locations", help="Establishing plates of the locations.")
    ] = False,
    pick: Annotated[
        str | None, typer.Option("--pick", help="This sheet (number or id) becomes NAME's look.")
    ] = None,
    reject: Annotated[
        str | None, typer.Option("--reject", help="Hide this sheet (it stays in the store).")
    ] = None,
    unreject: Annotated[
        str | None, typer.Option("--unreject", help="Un-reject this sheet.")
    ] = None,
    listing: Annotated[bool, typer.Option("--list", help="List the sheets; make nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Reference sheets of the characters (front, three-quarter, profile) or plates of the
    locations, with the storyboard engine; --pick makes one the references of NAME's shots."""
    kind: SheetKind = "location" if locations else "character"
    flag = " --locations" if locations else ""

    def run() -> None:
        from cinecode.commands import cast as casting

        choices = [o for o in (pick, reject, unreject) if o is not None]
        if choices and not name:
            raise typer.BadParameter("give the NAME whose sheet it is", param_hint="NAME")
        if len(choices) > 1:
            raise typer.BadParameter("one of --pick, --reject, --unreject at a time")
        if pick is not None:
            assert name is not None
            from cinecode.graph.reporter import NullReporter

            picked = casting.pick(project, name, pick, kind=kind, reporter=NullReporter())
            for view, path in picked.views.items():
                err(f"  {view}: {path}")
            if picked.overridden:
                err(
                    f"{picked.name}: sheet {picked.id} picked (cast.toml), but film.toml names "
                    f"its own references for {picked.name}: those stay in use until you remove "
                    "them"
                )
            else:
                err(
                    f"{picked.name}: sheet {picked.id} is the look now (cast.toml): its shots "
                    f"are made again on `cinecode make {project}`"
                )
            said = {"name": picked.name, "id": picked.id, "views": picked.views}
            out(json.dumps({**said, "overridden": picked.overridden}) if as_json else picked.id)
            return
        if reject is not None or unreject is not None:
            assert name is not None
            which = reject if reject is not None else unreject
            assert which is not None
            done = casting.reject(project, name, which, kind=kind, rejected=reject is not None)
            err(f"{name}: sheet {done} {'rejected' if reject is not None else 'un-rejected'}")
            out(done)
            return
        from cinecode.graph.reporter import RichReporter

        reporter = RichReporter()
        try:
            result = casting.cast(
                project,
                name,
                kind=kind,
                takes=takes,
                more=more,
                make=not listing,
                reporter=reporter,
            )
        finally:
            reporter.close()
        if as_json:
            out(json.dumps(result.as_dict()))
            return
        print_sheets(result.as_dict(), console())
        if result.rows:
            err(f"pick one: cinecode cast {project} NAME{flag} --pick NUMBER")

    guard(run)


def print_sheets(report: dict[str, Any], console: Console) -> None:
    """The sheets by name: number, id, seed, engine, cost, picked or rejected, the file."""
    from rich.table import Table

    sheets = report["sheets"]
    if not sheets:
        console.print("no sheets yet", markup=False)
        return
    table = Table(title=f"{report['kind']} sheets", title_justify="left")
    for column in ("name", "#", "id", "seed", "backend", "cost", "", "sheet"):
        table.add_column(column)
    for row in sheets:
        mark = "★ picked" if row["picked"] else ("rejected" if row["rejected"] else "")
        if row["id"] in report["made"]:
            mark = (mark + " new").strip()
        table.add_row(
            row["name"],
            str(row["number"]),
            row["id"],
            str(row["seed"]),
            row["backend"],
            f"{row['cost']:.2f}",
            mark,
            os.path.relpath(row["path"]),
        )
    console.print(table)
