"""`cinecode farm`: the cluster a project's make runs on, on the console or as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinecode.front.shell import JsonOpt, ProjectArg, ProjectCommand, app, guard, report

if TYPE_CHECKING:
    from rich.console import Console


@app.command("farm", cls=ProjectCommand)
def farm_cmd(
    project: ProjectArg,
    as_json: JsonOpt = False,
    farm: Annotated[
        str | None,
        typer.Option(help="The cluster's address (default: film.toml's [farm] address)."),
    ] = None,
) -> None:
    """The render farm: its nodes, CPUs and GPUs, the jobs running on it and the queue."""

    def run() -> None:
        from cinecode.commands.farm import farm_report

        report(farm_report(project, address=farm), print_farm, as_json=as_json)

    guard(run)


def print_farm(report: dict[str, Any], console: Console) -> None:
    """One line for the cluster, one a node, then what runs and how many wait."""
    alive = [node for node in report["nodes"] if node["alive"]]
    lines = [
        f"farm {report['address']}: {len(alive)} node(s), "
        f"{report['cpus']:g} CPUs ({report['cpus_free']:g} free), "
        f"{report['gpus']:g} GPUs ({report['gpus_free']:g} free)"
    ]
    for node in report["nodes"]:
        extra = ", ".join(
            f"{name} {amount:g}"
            for name, amount in node["resources"].items()
            if name not in ("CPU", "GPU")
        )
        state = "" if node["alive"] else "  (dead)"
        lines.append(
            f"  {node['address']}  {node['cpus']:g} CPU  {node['gpus']:g} GPU"
            + (f"  {extra}" if extra else "")
            + state
        )
    if report["running"] or report["queued"]:
        lines.append(f"running {len(report['running'])}, queued {report['queued']}")
        lines.extend(f"  {label}" for label in report["running"])
    else:
        lines.append("no make is running on it")
    console.print("\n".join(lines), markup=False)
