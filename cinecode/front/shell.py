"""The command line's shared parts: the Typer app, the project argument (found when left
out), the console, and how a command's errors, answers and reports are printed.

`cli` defines the commands on `app`; a topic with many commands has its own module in this
folder that imports from here and is imported by `cli`.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand

from cinecode.errors import CinecodeError, ProjectErrors

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    name="cinecode",
    help="Build a film from a Fountain screenplay the way one builds software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(shown: bool) -> None:
    if shown:
        from cinecode import __version__

        out(f"cinecode {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Build a film from a Fountain screenplay the way one builds software."""


ProjectArg = Annotated[
    Path,
    typer.Argument(
        help="The project folder (or its film.toml); default: the one you are in, or above.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object as the last line.")]

T = TypeVar("T")


def console() -> Console:
    """Where results are printed (stdout): the one console the reports are rendered to."""
    from rich.console import Console

    return Console(highlight=False)


def err(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)


def guard(fn: Callable[[], T]) -> T:
    """Run a command: CinecodeError → message + exit 1; Ctrl-C → exit 130. No tracebacks."""
    try:
        return fn()
    except CinecodeError as exc:
        for problem in exc.problems if isinstance(exc, ProjectErrors) else (exc,):
            err(f"error: {problem}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err("interrupted: every finished job is kept; run the same command again to resume")
        raise typer.Exit(130) from None


def out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def report(
    report: dict[str, Any], show: Callable[[dict[str, Any], Console], None], *, as_json: bool
) -> None:
    """A command's report: one JSON line, or rendered on the console."""
    if as_json:
        out(json.dumps(report))
    else:
        show(report, console())


def answer(answer: str, message: str) -> None:
    """`message` (with the answer in its `{}`) on stderr, the answer alone on stdout."""
    err(message.format(answer))
    out(answer)


class ProjectCommand(TyperCommand):
    """A command whose first argument is the project, which may be left out: it is then the
    nearest folder with a film.toml, this one or one above it (as git finds its repository).

    Given fewer arguments than it takes, and a first one that is no project, the command puts
    the project found in front: `cinecode pick 3.2 2` inside myfilm/ (or myfilm/build/) is
    `cinecode pick myfilm 3.2 2`, which works as before.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.param_type_name == "argument" and param.name == "project":
                param.required = False  # shown as optional: "[project]"

    # ctx: click's Context (newer Typers carry their own copy of click, so no type is named)
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if self._project_left_out(ctx, args):
            args = [self._nearest(ctx, args), *args]
        rest: list[str] = super().parse_args(ctx, args)
        if "project" in ctx.params and ctx.params["project"] is None:
            ctx.params["project"] = Path(self._nearest(ctx, args))
        return rest

    @staticmethod
    def _nearest(ctx: Any, args: list[str]) -> str:
        usage = shlex.join(["cinecode", ctx.info_name or "plan", "myfilm", *args])
        return os.path.relpath(guard(lambda: nearest_project(Path.cwd(), usage=usage)))

    def _project_left_out(self, ctx: Any, args: list[str]) -> bool:
        wanted = [p for p in self.get_params(ctx) if p.param_type_name == "argument"]
        if ctx.resilient_parsing or not wanted or wanted[0].name != "project":
            return False
        if any(name in args for name in ctx.help_option_names):
            return False
        try:
            values, extra, _ = self.make_parser(ctx).parse_args(args=list(args))
        except Exception:  # a usage error: the real parse says what is wrong
            return False
        given = [values[p.name] for p in wanted if p.name and isinstance(values.get(p.name), str)]
        given += extra
        return len(given) < len(wanted) and not (given and _is_project(Path(given[0])))


def nearest_project(start: Path, *, usage: str = "cinecode plan myfilm") -> Path:
    """The nearest folder at or above `start` that holds a film.toml; if none, a ProjectError
    whose hint shows `usage`, the command with the project named."""
    from cinecode.errors import ProjectError
    from cinecode.graph import fastpath
    from cinecode.project.config import PROJECT_FILE

    here = start.resolve()
    if (found := fastpath.nearest_project(str(here))) is not None:
        return Path(found)
    raise ProjectError(
        f"no {PROJECT_FILE} in this folder or any folder above it",
        file=str(here),
        hint=f"run it inside a project folder, or name one: `{usage}`; "
        "`cinecode new myfilm` starts a project",
    )


def _is_project(path: Path) -> bool:
    """A project folder, or its film.toml."""
    from cinecode.project.config import PROJECT_FILE

    path = path.expanduser()
    return (path.name == PROJECT_FILE and path.is_file()) or (path / PROJECT_FILE).is_file()
