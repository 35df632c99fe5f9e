"""The `cinecode` command. Thin: parse arguments, call the library, print results.

Progress and messages go to stderr; results to stdout, whose last line is the answer
(the master's path, or one JSON object with --json).
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinecode.errors import CinecodeError
from cinecode.front import cast as _cast  # noqa: F401  (registers `cinecode cast`)
from cinecode.front import farm as _farm  # noqa: F401  (registers `cinecode farm`)
from cinecode.front import publishing as _publishing  # noqa: F401  (registers `publish`)
from cinecode.front import releases as _releases  # noqa: F401  (registers its commands)
from cinecode.front import story as _story  # noqa: F401  (registers `cinecode story`)
from cinecode.front.provenance import verify_file  # also registers `provenance`
from cinecode.front.shell import JsonOpt, ProjectArg, ProjectCommand
from cinecode.front.shell import answer as _answer
from cinecode.front.shell import app as app  # the commands are defined on it: `cli.app` runs
from cinecode.front.shell import console as _console
from cinecode.front.shell import err as _err
from cinecode.front.shell import guard as _guard
from cinecode.front.shell import out as _out
from cinecode.front.shell import report as _report
from cinecode.front.views import (
    print_backends,
    print_gc,
    print_plan,
    print_sheet,
    print_status,
    print_usage,
    print_verify,
)

if TYPE_CHECKING:
    from cinecode.graph.reporter import RichReporter


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
        from cinecode.commands.scaffold import scaffold

        root = scaffold(folder, from_script=from_script, title=title)
        _err(f"created {root}: edit script.fountain, then run `cinecode make {folder}`")
        _out(str(root))

    _guard(run)


ExplainOpt = Annotated[
    bool, typer.Option("--explain", help="Say why each job that must run has to run.")
]


@app.command("plan", cls=ProjectCommand)
def plan_cmd(project: ProjectArg, as_json: JsonOpt = False, explain: ExplainOpt = False) -> None:
    """Scenes, shots and jobs (pending / cached) with the estimated cost. Changes nothing."""

    from cinecode.commands import report

    _guard(
        lambda: _report(report.plan_report(project, explain=explain), print_plan, as_json=as_json)
    )


@app.command(cls=ProjectCommand)
def make(
    project: ProjectArg,
    as_json: JsonOpt = False,
    takes: Annotated[
        int, typer.Option(min=1, max=32, help="Takes for every shot with no pick.")  # MAX_TAKES
    ] = 1,
    budget: Annotated[
        float | None, typer.Option(help="Hard cap on money for this build (project currency).")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait for another build of this project.")
    ] = True,
    workers: Annotated[int | None, typer.Option(help="Jobs at once (default: CPU count).")] = None,
    explain: ExplainOpt = False,
    remake_lost: Annotated[
        bool,
        typer.Option("--remake-lost", help="Pay again for paid takes whose files the store lost."),
    ] = False,
    path: Annotated[
        str | None,
        typer.Option(help='A branching film\'s options to take: "Climb to the lamp,Stay" or 1,2.'),
    ] = None,
    farm: Annotated[
        str | None,
        typer.Option(
            help='Run the jobs on a Ray cluster: "auto", "host:6379" or "ray://host:10001" '
            "(default: film.toml's [farm] address; docs/farm.md).",
        ),
    ] = None,
) -> None:
    """Build the film: generate what is missing, render, and print the master's path last."""

    def run() -> None:
        from cinecode.pipeline.build import make as build

        if explain:
            from cinecode.commands.report import plan_report

            for item in plan_report(project, explain=True)["explain"]:
                _err(f"{item['job']}: {item['why']}")
        with _progress() as reporter:
            result = build(
                project,
                reporter=reporter,
                takes=takes,
                budget=budget,
                wait=wait,
                workers=workers,
                remake_lost=remake_lost,
                choices=tuple(path.split(",")) if path else None,
                farm=farm,
            )
        stats = result.stats
        if stats.failures or stats.skipped:
            for label, error in stats.failures:
                _err(f"✗ {label}: {error}")
            if stats.over_budget:
                _err(
                    f"{stats.budget_summary()}; raise --budget or the project's [budget] limit, "
                    "then run make again (finished work is kept)"
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
        if stats.generated == 0 and stats.rendered == 0 and result.placed:
            names = ", ".join(str(path) for path in result.placed)
            _err(f"no job to run; brought up to date from the store: {names}")
        elif stats.generated == 0 and stats.rendered == 0:
            _err("nothing to do: the film is up to date")
        else:
            _err(
                f"generated {stats.generated}, rendered {stats.rendered}, reused {stats.reused}"
                + (f" ({stats.fetched} from the shared store)" if stats.fetched else "")
                + f" in {stats.seconds:.1f} s"
            )
        _err(f"subtitles: {result.subtitles}")
        _out(json.dumps(result.as_dict()) if as_json else str(result.master))

    _guard(run)


@app.command(cls=ProjectCommand)
def status(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """What is built, what is stale, and where the outputs are."""

    from cinecode.commands import report

    _guard(lambda: _report(report.status_report(project), print_status, as_json=as_json))


ShotArg = Annotated[str, typer.Argument(help="A shot id, e.g. 3.2 (see `cinecode plan`).")]
TakeArg = Annotated[str, typer.Argument(help="A take: its number in `cinecode takes`, or its id.")]


@app.command(cls=ProjectCommand)
def regen(
    project: ProjectArg,
    shot: ShotArg,
    takes: Annotated[int, typer.Option(min=1, max=32, help="How many new takes.")] = 1,
    prompt: Annotated[str | None, typer.Option(help="Make them with this prompt instead.")] = None,
    seed: Annotated[
        int | None, typer.Option(help="Start from this seed (else fresh seeds).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """New takes for one shot; the director picks among them."""

    def run() -> None:
        from cinecode.commands.takes import regen as make_takes

        with _progress() as reporter:
            made, stats = make_takes(
                project, shot, takes=takes, prompt=prompt, seed=seed, reporter=reporter
            )
        for label, error in stats.failures:
            _err(f"✗ {label}: {error}")
        listed = ", ".join(f"#{number} {take}" for number, take in made)
        _err(f"{len(made)} new take(s) of {shot}: {listed}; see `cinecode takes {project} {shot}`")
        ids = [take for _, take in made]
        numbers = [number for number, _ in made]
        _out(
            json.dumps({"takes": ids, "numbers": numbers, **stats.as_dict()})
            if as_json
            else " ".join(ids)
        )
        if stats.failed or stats.skipped:
            raise typer.Exit(1)

    _guard(run)


@app.command("takes", cls=ProjectCommand)
def takes_cmd(
    project: ProjectArg,
    shot: ShotArg,
    as_json: JsonOpt = False,
    rejected: Annotated[bool, typer.Option("--rejected", help="List rejected takes too.")] = False,
) -> None:
    """Every take of a shot: id, seed, backend, prompt, cost, score (and its consistency with
    the references, by CLIP or colour), picked, thumbnail, and what a drawn take shows."""

    def run() -> None:
        from cinecode.commands.takes import list_takes

        rows = list_takes(project, shot, show_rejected=rejected)
        if as_json:
            _out(json.dumps([row.as_dict() for row in rows]))
            return
        from rich.table import Table

        table = Table(title=f"takes of {shot}", title_justify="left")
        drew = any(row.drew for row in rows)
        columns = ("#", "id", "seed", "backend", "score", "consistency", "cost", "", "thumbnail")
        for column in (*columns, "drew") if drew else columns:
            table.add_column(column)
        for row in rows:
            mark = "★ in the cut" if row.in_cut else ""
            mark += " (picked)" if row.picked else ""
            mark += " suggested" if row.suggested and not row.in_cut else ""
            mark += " older version" if not row.current else ""
            mark += " rejected" if row.rejected else ""
            score = f"{row.score:.2f}" if row.score is not None else "–"
            table.add_row(
                str(row.number),
                row.id,
                str(row.seed),
                row.backend,
                score,
                row.consistency or "–",
                f"{row.cost:.2f}",
                mark.strip(),
                row.thumbnail,
                *((row.drew,) if drew else ()),
            )
        _console().print(table)

    _guard(run)


@app.command(cls=ProjectCommand)
def pick(project: ProjectArg, shot: ShotArg, take: TakeArg) -> None:
    """This take goes in the cut (recorded in picks.toml)."""
    from cinecode.commands import takes

    def run() -> None:
        chosen = takes.pick(project, shot, take)
        if chosen.unrejected:
            _err(f"{shot}: take {chosen.id} was rejected; picking it un-rejects it")
        said = f"{shot}: take {{}} is in the cut; `cinecode make {project}` to see it"
        _answer(chosen.id, said)

    _guard(run)


@app.command(cls=ProjectCommand)
def reject(
    project: ProjectArg,
    shot: ShotArg,
    take: TakeArg,
    off: Annotated[bool, typer.Option("--off", help="Un-reject the take.")] = False,
) -> None:
    """Hide a take from lists and from the cut; it stays in the store (--off to un-reject)."""
    from cinecode.commands import takes

    done = "is no longer rejected" if off else "rejected (kept in the store)"
    said = f"{shot}: take {{}} {done}"
    _guard(lambda: _answer(takes.reject(project, shot, take, rejected=not off), said))


@app.command(cls=ProjectCommand)
def lock(
    project: ProjectArg,
    shot: ShotArg,
    off: Annotated[bool, typer.Option("--off", help="Unlock the shot.")] = False,
) -> None:
    """Never regenerate this shot, whatever changes upstream (--off to unlock)."""

    def run() -> None:
        from cinecode.commands.takes import lock as hold

        hold(project, shot, locked=not off)
        _err(f"{shot} {'unlocked' if off else 'locked: it keeps its take'}")
        _out(shot)

    _guard(run)


@app.command(cls=ProjectCommand)
def contact(project: ProjectArg, shot: ShotArg) -> None:
    """A contact sheet image of all takes of a shot; prints its path."""

    def run() -> None:
        from cinecode.commands.takes import contact_sheet

        _out(str(contact_sheet(project, shot)))

    _guard(run)


@app.command(cls=ProjectCommand)
def export(
    project: ProjectArg,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT",
            help="otio, otioz, fcp7xml, fcpxml, edl, kdenlive, srt, vtt, pdf (storyboard) "
            "or csv (shot list).",
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write it (default: build/).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the cut for an editing system, a reader or a player; prints its path last."""

    def run() -> None:
        from cinecode.editorial.export import export as write

        with _progress() as reporter:
            done = write(project, kind.lower(), output, reporter=reporter)
        if done.media is not None:
            _err(f"media: {done.media}")
        summary = {
            "path": str(done.path),
            "media": str(done.media) if done.media else None,
            "clips": done.clips,
            "frames": done.frames,
        }
        _out(json.dumps(summary) if as_json else str(done.path))

    _guard(run)


@app.command(cls=ProjectCommand)
def conform(
    project: ProjectArg,
    edited: Annotated[
        Path, typer.Argument(help="The editor's timeline: .otio, .otioz, .xml, .fcpxml or .edl.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Take an editor's timeline back as the film's cut (cut.toml); `make` then masters it."""

    def run() -> None:
        from cinecode.editorial.conform import conform as take_back

        result = take_back(project, edited)
        for note in result.notes:
            _err(f"note: {note}")
        _err(
            f"cut: {result.shots} shots, {result.removed} removed, {result.trimmed} trimmed, "
            f"{result.transitions} transitions; run `cinecode make {project}` to master it"
        )
        _out(json.dumps(result.as_dict()) if as_json else str(result.path))

    _guard(run)


@app.command(cls=ProjectCommand)
def ledger(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Money and GPU time per department and backend, takes generated vs used, estimate vs
    actual, and a chart of spend by department (build/ledger.png)."""

    def run() -> None:
        from cinecode.commands.ledger import ledger_report

        report = ledger_report(project)
        if as_json:
            _out(json.dumps(report))
            return
        from rich.table import Table

        console = _console()
        currency = report["currency"]
        for title, rows in (("department", report["departments"]), ("backend", report["backends"])):
            table = Table(title=f"spend by {title}", title_justify="left")
            for column in (title, "spent", "estimated", "GPU-s", "generated", "used", "ratio"):
                table.add_column(column, justify="left" if column == title else "right")
            for name, v in rows.items():
                ratio = v["shooting_ratio"]
                table.add_row(
                    name,
                    f"{v['money']:.2f}",
                    f"{v['estimated']:.2f}",
                    f"{v['gpu_seconds']:.0f}",
                    str(v["generated"]),
                    str(v["used"]),
                    f"{ratio:.1f}:1" if ratio else "-",
                )
            console.print(table)
        total, takes = report["total"], report["takes"]
        console.print(
            f"spent {total['money']:.2f} {currency} (estimated {total['estimated']:.2f}), "
            f"{total['gpu_seconds']:.0f} GPU-s; takes {takes['generated']} generated, "
            f"{takes['used']} in the cut; to finish: about "
            f"{report['to_finish']['money']:.2f} {currency}"
        )
        rejected = report["rejected"]
        if rejected["count"]:
            console.print(
                f"  of which {rejected['money']:.2f} {currency} for {rejected['count']} billed "
                "attempt(s) that were rejected and asked for again:"
            )
            for item in rejected["attempts"]:
                console.print(
                    f"    {item['job']} ({item['backend']}, {item['money']:.2f}): {item['why']}",
                    markup=False,
                )
        for job in report["in_flight"]:
            console.print(f"  in flight: {job['backend']} job {job['provider_job']}")
        _out(report["chart"])

    _guard(run)


@app.command(cls=ProjectCommand)
def breakdown(
    project: ProjectArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Accept every proposal.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the proposals as a diff; write nothing.")
    ] = False,
) -> None:
    """A chat model proposes shot directives and visual prompts; you accept them hunk by hunk
    into script.fountain."""

    def run() -> None:
        from cinecode.commands.directing import propose_changes, write_changes
        from cinecode.script.suggest import hunk

        proposals = propose_changes(project)
        for reason in proposals.rejected:
            _err(f"left out: {reason}")
        if not proposals.changes:
            _err("no proposals to apply")
            return
        accepted = []
        take_all = yes
        for change in proposals.changes:
            sys.stdout.write(hunk(proposals.lines, change, name=proposals.name))
            sys.stdout.flush()
            if dry_run:
                continue
            if not take_all:
                answer = (
                    typer.prompt(
                        f"apply to shot {change.shot}? [y]es [n]o [a]ll [q]uit", default="n"
                    )
                    .strip()
                    .lower()
                )
                if answer.startswith("q"):
                    break
                if answer.startswith("a"):
                    take_all = True
                elif not answer.startswith("y"):
                    continue
            accepted.append(change)
        spent = f" (the model cost {proposals.cost.money:.4f})" if proposals.cost.money else ""
        if dry_run or not accepted:
            _err(f"{len(proposals.changes)} proposals, nothing written{spent}")
            return
        path = write_changes(proposals, accepted)
        _err(f"wrote {len(accepted)} of {len(proposals.changes)} proposals into {path}{spent}")
        _out(str(path))

    _guard(run)


@app.command(cls=ProjectCommand)
def sound(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """The sound sheet: each scene's score, ambience and effects, and when they play."""

    from cinecode.commands import soundsheet

    _guard(lambda: _report(soundsheet.sound_sheet(project), print_sheet, as_json=as_json))


@app.command(cls=ProjectCommand)
def studio(
    project: ProjectArg,
    port: Annotated[int, typer.Option(help="The port (another one if it is taken).")] = 8470,
    host: Annotated[str, typer.Option(help="Where to listen (this machine only by default).")] = (
        "127.0.0.1"
    ),
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open the browser.")] = False,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a --host other than this machine.")
    ] = False,
) -> None:
    """The Studio: a local web app to curate the film (board, takes, player, script, build).

    Prints its address (with the session token) and serves until Ctrl-C.
    """
    from cinecode.studio.server import serve

    def run() -> None:
        serve(
            project,
            host=host,
            port=port,
            open_browser=not no_open,
            allow_remote=allow_remote,
            say=_out,
        )

    _guard(run)


@contextlib.contextmanager
def _progress() -> Iterator[RichReporter]:
    """The progress bars of a long command (on stderr); a SIGTERM stops it like Ctrl-C."""
    from cinecode.graph.reporter import RichReporter

    reporter = RichReporter()
    _sigterm_as_interrupt()
    try:
        yield reporter
    finally:
        reporter.close()


def _sigterm_as_interrupt() -> None:
    def handler(signum: int, frame: FrameType | None) -> Any:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread (tests)
        signal.signal(signal.SIGTERM, handler)


@app.command("backends", cls=ProjectCommand)
def backends_cmd(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Every backend the project uses, what it makes, whether it is ready, and the fix.

    Exits 1 when a backend the film uses is not ready.
    """

    def run() -> None:
        from cinecode.commands.inventory import backends_report

        report = backends_report(project)
        if as_json:
            _out(json.dumps(report))
        else:
            print_backends(report, _console())
        if not report["ready"]:
            raise typer.Exit(1)

    _guard(run)


@app.command(cls=ProjectCommand)
def du(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Disk used by the project: its store by class (in the cut, picked and paid takes, old
    takes, old masters, old renders), by department and by step; build/; what gc would free."""
    from cinecode.commands.disk import usage_report

    _guard(lambda: _report(usage_report(project), print_usage, as_json=as_json))


@app.command(cls=ProjectCommand)
def gc(
    project: ProjectArg,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would go, and free nothing.")
    ] = False,
    keep_masters: Annotated[
        int, typer.Option(min=0, help="Masters to keep, the newest first (the cut's counts).")
    ] = 3,
    keep_takes: Annotated[
        str,
        typer.Option(
            help="all: keep every take; picked: the cut's and the picked ones (paid takes go "
            "too: try --dry-run first); none: only the cut's."
        ),
    ] = "all",
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait for a build of this project.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Give disk space back: old renders and masters (cheap to make again), takes only when
    told. What the cut needs, picked takes and paid takes stay unless --keep-takes says."""

    def run() -> None:
        from cinecode.commands.disk import collect

        if keep_takes not in ("all", "picked", "none"):
            raise typer.BadParameter("all, picked or none", param_hint="--keep-takes")
        report = collect(
            project,
            dry_run=dry_run,
            keep_takes=keep_takes,  # type: ignore[arg-type]
            keep_masters=keep_masters,
            wait=wait,
            on_wait=_err,
        )
        _report(report, print_gc, as_json=as_json)

    _guard(run)


@app.command(cls=ProjectCommand)
def verify(
    project: Annotated[
        Path,
        typer.Argument(
            help="The project folder (default: the one you are in, or above), or a media file "
            "(.mp4, .mov, .jpg, .png, .wav…) whose content credentials to check.",
            show_default=False,
        ),
    ],
    repair: Annotated[
        bool,
        typer.Option(
            "--repair", help="Delete corrupt objects: make then makes them again (paid: asks)."
        ),
    ] = False,
    fragment: Annotated[
        Path | None,
        typer.Option(
            "--fragment",
            help="A published segment (.m4s) whose init segment is the FILE: both are read as "
            "the one MP4 a player makes of them.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-hash every object in the store and check the catalog against them; or, given a
    media file (ours or another tool's), read and validate its C2PA content credentials
    (a published segment: its init with --fragment SEGMENT).

    Exits 1 when an artifact's object is missing or corrupt, or the file's credentials are
    missing or do not validate."""
    from cinecode.provenance.credentials import media_type

    if media_type(project) is not None and project.name != "film.toml":
        verify_file(project, as_json=as_json, fragment=fragment)
        return

    def run() -> None:
        from cinecode.commands.disk import verify_report

        if fragment is not None:
            raise CinecodeError(
                f"--fragment goes with a published init segment, and {project} is not one",
                hint="cinecode verify site/media/c/<init>.mp4 --fragment site/media/v/<sha>.m4s",
            )
        report = verify_report(project, repair=repair)
        _report(report, print_verify, as_json=as_json)
        if not report["ok"]:
            raise typer.Exit(1)

    _guard(run)


def main() -> None:
    """Run the command line (see also cinecode.entry, the console script)."""
    app()


if __name__ == "__main__":
    main()
