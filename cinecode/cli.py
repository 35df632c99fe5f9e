"""The `cinecode` command. Thin: parse arguments, call the library, print results.

Progress and messages go to stderr; results to stdout, whose last line is the answer
(the master's path, or one JSON object with --json).
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, TypeVar

import typer

from cinecode.errors import CinecodeError

app = typer.Typer(
    name="cinecode",
    help="Build a film from a Fountain screenplay the way one builds software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ProjectArg = Annotated[Path, typer.Argument(help="The project folder (or its film.toml).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object as the last line.")]

T = TypeVar("T")


def _err(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(message, markup=False)


def _guard(fn: Callable[[], T]) -> T:
    """Run a command: CinecodeError → message + exit 1; Ctrl-C → exit 130. No tracebacks."""
    try:
        return fn()
    except CinecodeError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _err("interrupted: every finished job is kept; run the same command again to resume")
        raise typer.Exit(130) from None


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@app.command()
def new(
    folder: Annotated[Path, typer.Argument(help="Where to create the project.")],
    from_script: Annotated[
        Path | None, typer.Option("--from-script", help="Start from this Fountain screenplay.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="The film's title.")] = None,
) -> None:
    """Scaffold a project: film.toml, script.fountain and a README."""

    def run() -> None:
        from cinecode.scaffold import scaffold

        root = scaffold(folder, from_script=from_script, title=title)
        _err(f"created {root}: edit script.fountain, then run `cinecode make {folder}`")
        _out(str(root))

    _guard(run)


@app.command("plan")
def plan_cmd(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Scenes, shots and jobs (pending / cached) with the estimated cost. Changes nothing."""

    def run() -> None:
        from cinecode.report import plan_report, print_plan

        report = plan_report(project)
        if as_json:
            _out(json.dumps(report))
        else:
            print_plan(report)

    _guard(run)


@app.command()
def make(
    project: ProjectArg,
    as_json: JsonOpt = False,
    takes: Annotated[
        int, typer.Option(min=1, max=32, help="Takes for every shot with no pick.")
    ] = 1,
    budget: Annotated[
        float | None, typer.Option(help="Hard cap on money for this build (project currency).")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait for another build of this project.")
    ] = True,
    workers: Annotated[int | None, typer.Option(help="Jobs at once (default: CPU count).")] = None,
) -> None:
    """Build the film: generate what is missing, render, and print the master's path last."""

    def run() -> None:
        from cinecode.build import make as build
        from cinecode.graph.reporter import RichReporter

        reporter = RichReporter()
        _sigterm_as_interrupt()
        try:
            result = build(
                project, reporter=reporter, takes=takes, budget=budget, wait=wait, workers=workers
            )
        finally:
            reporter.close()
        stats = result.stats
        if stats.failures or stats.skipped:
            for label, error in stats.failures:
                _err(f"✗ {label}: {error}")
            if stats.over_budget:
                _err(
                    f"budget: {len(stats.over_budget)} job(s) not started, they would pass the cap "
                    f"(spent {stats.cost.money:.2f}); raise --budget or the project's [budget]"
                )
            summary = {
                "master": None,
                **stats.as_dict(),
                "failures": [f"{a}: {b}" for a, b in stats.failures],
            }
            if as_json:
                _out(json.dumps(summary))
            _err(
                "the film is not complete: fix the errors above and run make again "
                "(finished work is kept)"
            )
            raise typer.Exit(1)
        if stats.generated == 0 and stats.rendered == 0:
            _err("nothing to do: the film is up to date")
        else:
            _err(
                f"generated {stats.generated}, rendered {stats.rendered}, reused {stats.reused} "
                f"in {stats.seconds:.1f} s"
            )
        _err(f"subtitles: {result.subtitles}")
        _out(json.dumps(result.as_dict()) if as_json else str(result.master))

    _guard(run)


@app.command()
def status(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """What is built, what is stale, and where the outputs are."""

    def run() -> None:
        from cinecode.report import print_status, status_report

        report = status_report(project)
        if as_json:
            _out(json.dumps(report))
        else:
            print_status(report)

    _guard(run)


def _sigterm_as_interrupt() -> None:
    def handler(signum: int, frame: FrameType | None) -> Any:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread (tests)
        signal.signal(signal.SIGTERM, handler)


@app.command("backends")
def backends_cmd(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Every backend the project uses, what it makes, whether it is ready, and the fix.

    Exits 1 when a backend the film uses is not ready.
    """

    def run() -> None:
        from cinecode.inventory import backends_report, print_backends

        report = backends_report(project)
        if as_json:
            _out(json.dumps(report))
        else:
            print_backends(report)
        if not report["ready"]:
            raise typer.Exit(1)

    _guard(run)


def main() -> None:
    """Entry point of the `cinecode` script."""
    app()


if __name__ == "__main__":
    main()
