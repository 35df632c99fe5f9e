"""`cinecode publish`: the releases as a static site (the logic is commands.publishing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cinecode.front.shell import JsonOpt, ProjectArg, ProjectCommand, app, guard, report


def _show(result: dict[str, Any], console: Any) -> None:
    if result.get("story"):
        console.print(
            f"published the branching film ({result['scenes']} scenes) to {result['out']}"
        )
        console.print(
            f"  added {result['files_added']} files, {result['bytes_added'] / 1e6:.2f} MB "
            f"(the site: {result['total_bytes'] / 1e6:.2f} MB)"
        )
        _show_credentials(result, console, "scene file(s)")
        console.print(f"  open {result['index']} through any web server")
        return
    new = ", ".join(result["new"]) or "none (every release was already there)"
    console.print(f"published {len(result['versions'])} release(s) to {result['out']}")
    console.print(f"  new: {new}")
    console.print(
        f"  added {result['files_added']} files, {result['bytes_added'] / 1e6:.2f} MB "
        f"(the site: {result['total_bytes'] / 1e6:.2f} MB)"
    )
    _show_credentials(result, console, "segment init(s)")
    console.print(f"  open {result['index']} through any web server")


def _show_credentials(result: dict[str, Any], console: Any, what: str) -> None:
    if not result.get("signer"):
        console.print(
            "  no content credentials ([provenance] sign = false, or no c2pa-python installed)"
        )
    elif not result["signed"]:
        console.print("  content credentials (C2PA): nothing new to sign")
    else:
        who = (
            "the development identity (not trusted; set CINECODE_C2PA_CERT and "
            "CINECODE_C2PA_KEY to sign as yourself)"
            if result.get("development")
            else result["signer"]
        )
        console.print(f"  content credentials (C2PA): {result['signed']} {what} signed by {who}")


@app.command(cls=ProjectCommand)
def publish(
    project: ProjectArg,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The site's folder (default: build/site in the project)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish every release as HLS with a player page: a static folder for any web host.
    Segments are shared between releases, so publishing again adds only what changed. A
    branching film is published as its story: every scene, and a player that lets one choose."""
    from cinecode.commands.publishing import publish as run

    guard(lambda: report(run(project, out), _show, as_json=as_json))
