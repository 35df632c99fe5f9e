"""`cinecode cast`: reference sheets of the film's characters (front, three-quarter, profile)
and establishing plates of its locations, made with the storyboard engine; picked, rejected
and listed like a shot's takes. The pick goes to cast.toml and its views become the
references of the shots that show the character (or are set at the place).
"""

from __future__ import annotations

import difflib
import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.departments.cast import (
    SHEET,
    VIEW,
    SheetKind,
    base_seed,
    names,
    plan_sheet,
    plan_views,
)
from cinecode.errors import CinecodeError, ProjectError
from cinecode.graph.catalog import Artifact
from cinecode.graph.executor import RunStats
from cinecode.graph.job import Graph
from cinecode.graph.reporter import Reporter
from cinecode.pipeline.session import Session, job_of
from cinecode.project.cast import Cast, Kind, cast_path, format_cast, read_cast
from cinecode.project.files import write_atomic
from cinecode.project.picks import TAKE_ID


@dataclass(frozen=True)
class SheetRow:
    """One sheet take as `cinecode cast` lists it."""

    name: str
    kind: SheetKind
    number: int
    id: str
    key: str
    seed: int | None
    backend: str
    model: str
    cost: float
    picked: bool
    rejected: bool
    path: str  # the sheet, in build/cast/
    created: float

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class Casting:
    """What `cinecode cast` made and what each name now has."""

    kind: SheetKind
    rows: list[SheetRow]
    made: list[str] = field(default_factory=list)  # ids of the takes made now
    stats: RunStats = field(default_factory=RunStats)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "made": self.made,
            "generated": self.stats.generated,
            "reused": self.stats.reused,
            "sheets": [row.as_dict() for row in self.rows],
        }


@dataclass(frozen=True)
class Picked:
    """A sheet picked as a name's look: its views, and whether film.toml's references win."""

    name: str
    id: str
    views: dict[str, str]  # view → image file (in the store)
    overridden: bool  # film.toml names references for it: those stay in use


def _table(kind: SheetKind) -> Kind:
    return "characters" if kind == "character" else "locations"


def _open(project: Path) -> Session:
    session = Session.open(project, write=True, cast=False)  # a lost pick is mended here
    session.write_ids()
    return session


def check_name(session: Session, name: str, kind: SheetKind) -> str:
    """The film's own spelling of `name`, or an error naming those it has, closest first."""
    known = names(session.film, kind)
    for candidate in known:
        if candidate.upper() == name.strip().upper():
            return candidate
    close = difflib.get_close_matches(name.upper(), known, n=len(known), cutoff=0.0)
    what = "character" if kind == "character" else "location"
    raise ProjectError(
        f"there is no {what} {name} in {Path(session.film.script_path).name}",
        file=str(session.film.script_path),
        hint=f"the {what}s are: {', '.join(close)}" if close else f"the script names no {what}",
    )


def sheets_of(session: Session, name: str, kind: SheetKind) -> list[Artifact]:
    """Every sheet take of a name, oldest first."""
    if session.store is None:
        return []
    found = [
        a
        for a in session.store.catalog.made_by(SHEET.name)
        if a.params.get("name") == name and a.params.get("sheet") == kind
    ]
    return sorted(found, key=lambda a: (a.seed is None, a.seed or 0, a.created))


def rows(session: Session, name: str, kind: SheetKind) -> list[SheetRow]:
    """The sheet takes of a name as listed (each placed in build/cast/ to look at)."""
    store = session.store
    chosen = read_cast(cast_path(session.project.root)).get(_table(kind), name)
    out = []
    for number, artifact in enumerate(sheets_of(session, name, kind), start=1):
        assert store is not None
        folder = session.project.build_dir / "cast" / _table(kind) / name.replace("/", "-")
        path = store.export(artifact, folder / f"{artifact.key[:TAKE_ID]}.png")
        out.append(
            SheetRow(
                name=name,
                kind=kind,
                number=number,
                id=artifact.key[:TAKE_ID],
                key=artifact.key,
                seed=artifact.seed,
                backend=artifact.backend,
                model=artifact.model,
                cost=artifact.cost_money,
                picked=bool(chosen.pick) and artifact.key.startswith(chosen.pick),
                rejected=chosen.rejects(artifact.key),
                path=str(path),
                created=artifact.created,
            )
        )
    return out


def cast(
    project: Path,
    name: str | None = None,
    *,
    kind: SheetKind = "character",
    takes: int = 1,
    more: int = 0,
    make: bool = True,
    reporter: Reporter,
    cancel: threading.Event | None = None,
) -> Casting:
    """Make `takes` sheets of `name` (of every character or location without one): take n
    has the name's seed + n, so asking again makes nothing new. `more`: that many sheets
    beyond those there (the next seeds no sheet has). `make=False` only lists."""
    with _open(project) as session:
        chosen = [check_name(session, name, kind)] if name else names(session.film, kind)
        stats = RunStats()
        made: list[str] = []
        if make and chosen and (takes > 0 or more > 0):
            graph = Graph()
            digests = session.state.digests
            picks = read_cast(cast_path(session.project.root)).of(_table(kind))
            for who in chosen:
                start = base_seed(who, kind, session.project)
                seeds = [start + n for n in range(takes)]
                if more > 0:
                    have = {a.seed for a in sheets_of(session, who, kind)}
                    free = (s for s in itertools.count(start) if s not in have)
                    seeds = list(itertools.islice(free, more))
                picked = picks.get(who)
                if picked is not None and picked.pick and picked.seed is not None:
                    seeds.append(picked.seed)  # the picked sheet, should the store lose it
                for seed in dict.fromkeys(seeds):
                    graph.add(
                        plan_sheet(
                            session.film,
                            session.project,
                            who,
                            kind=kind,
                            seed=seed,
                            digests=digests,
                        )
                    )
            store = session.require_store()
            fresh = [job.key for job in graph if store.get(job.key) is None]
            with session.locked(on_wait=reporter.info, cancel=cancel):
                stats = session.run(graph, list(graph.jobs), reporter=reporter, cancel=cancel)
                _mend_views(session, kind)
            if stats.interrupted:
                raise KeyboardInterrupt
            made = [key[:TAKE_ID] for key in fresh if store.get(key) is not None]
        listed = [row for who in chosen for row in rows(session, who, kind)]
        return Casting(kind=kind, rows=listed, made=made, stats=stats)


def _mend_views(session: Session, kind: SheetKind) -> None:
    """Cut a picked sheet's views again when the store lost them (the sheet is there, or was
    made again); a sheet that came out other than it was (a generative engine) gives other
    views, written to cast.toml: its shots are made again."""
    table = _table(kind)
    path = cast_path(session.project.root)
    chosen = read_cast(path)
    for who, sheet in chosen.of(table).items():
        if not sheet.pick:
            continue
        taken = [a for a in sheets_of(session, who, kind) if a.key.startswith(sheet.pick)]
        if not taken:
            continue
        views = {v: a.object for v, a in _cut(session, taken[0], reporter=None).items()}
        if views != dict(sheet.views):
            chosen = chosen.pick(table, who, taken[0].key, seed=taken[0].seed, views=views)
            write_atomic(path, format_cast(chosen))


def _cut(session: Session, sheet: Artifact, reporter: Reporter | None) -> dict[str, Artifact]:
    """The sheet's views in the store (cut now if they are not), by view."""
    from cinecode.graph.reporter import NullReporter

    store = session.require_store()
    graph = Graph()
    graph.add(job_of(sheet))
    views = plan_views(sheet)
    for job in views:
        graph.add(job)
    stats = session.run(graph, [j.key for j in views], reporter=reporter or NullReporter())
    if stats.failures:
        label, error = stats.failures[0]
        raise CinecodeError(f"cannot cut the sheet into its views: {label}: {error}")
    out: dict[str, Artifact] = {}
    for job in views:
        artifact = store.get(job.key)
        assert artifact is not None
        out[str(job.params["view"])] = artifact
    return out


def kept(session: Session) -> tuple[tuple[str, ...], set[str]]:
    """What the cast holds in the store (for `du` and `gc`): the ids of the picked sheets,
    and the keys of the views cut from them (the references of the shots)."""
    if session.store is None:
        return (), set()
    chosen = read_cast(cast_path(session.project.root))
    objects = {d for kind in ("characters", "locations") for sheet in chosen.of(kind).values()
               for d in sheet.views.values()}  # fmt: skip
    ids = tuple(s.pick for kind in ("characters", "locations") for s in chosen.of(kind).values()
                if s.pick)  # fmt: skip
    views = {a.key for a in session.store.catalog.made_by(VIEW.name) if a.object in objects}
    return ids, views


def shot_keys(session: Session) -> dict[str, frozenset[str]]:
    """Each shot's planned job keys, in the film's order: a pick changes a shot exactly when
    they change (see `restaled`)."""
    keys: dict[str, set[str]] = {shot.id: set() for shot in session.film.shots}
    for job in session.plan.graph:
        if job.shot in keys:
            keys[job.shot].add(job.key)
    return {shot: frozenset(found) for shot, found in keys.items()}


def restaled(before: dict[str, frozenset[str]], after: dict[str, frozenset[str]]) -> list[str]:
    """The shots made again because of a change between two plans (`shot_keys` of each)."""
    return [shot for shot, keys in after.items() if before.get(shot) != keys]


def resolve_sheet(session: Session, name: str, kind: SheetKind, reference: str) -> Artifact:
    """The sheet `reference` names (its number in the list, or its id)."""
    sheets = sheets_of(session, name, kind)
    reference = reference.strip().lstrip("#")
    if reference.isdigit() and len(reference) < 4 and 1 <= int(reference) <= len(sheets):
        return sheets[int(reference) - 1]
    matches = [s for s in sheets if len(reference) >= 4 and s.key.startswith(reference.lower())]
    if len(matches) == 1:
        return matches[0]
    flag = " --locations" if kind == "location" else ""
    raise CinecodeError(
        f"{name} has no sheet {reference!r}" if not matches else f"{reference!r} is ambiguous",
        hint=f"see `cinecode cast {session.project.root} {name}{flag} --list`: "
        "give a sheet's number or its id",
    )


def pick(
    project: Path, name: str, take: str, *, kind: SheetKind = "character", reporter: Reporter
) -> Picked:
    """This sheet becomes `name`'s look: cut into its views, recorded in cast.toml."""
    with _open(project) as session:
        who = check_name(session, name, kind)
        sheet = resolve_sheet(session, who, kind, take)
        with session.locked(on_wait=reporter.info):
            views = _cut(session, sheet, reporter)
        store = session.require_store()
        table = _table(kind)
        path = cast_path(session.project.root)
        chosen: Cast = read_cast(path).pick(
            table, who, sheet.key, seed=sheet.seed, views={v: a.object for v, a in views.items()}
        )
        write_atomic(path, format_cast(chosen))
        config = getattr(session.project.config, table).get(who)
        return Picked(
            name=who,
            id=sheet.key[:TAKE_ID],
            views={v: str(store.path(a)) for v, a in views.items()},
            overridden=bool(config and config.references),
        )


def reject(
    project: Path, name: str, take: str, *, kind: SheetKind = "character", rejected: bool = True
) -> str:
    """Hide a sheet from the list (and from the cast when it was picked); returns its id."""
    with _open(project) as session:
        who = check_name(session, name, kind)
        sheet = resolve_sheet(session, who, kind, take)
        path = cast_path(session.project.root)
        chosen = read_cast(path)
        table = _table(kind)
        if rejected:
            chosen = chosen.reject(table, who, sheet.key)
        else:
            current = chosen.get(table, who)
            if not current.rejects(sheet.key):
                raise CinecodeError(f"sheet {sheet.key[:TAKE_ID]} of {who} is not rejected")
            kept = tuple(r for r in current.rejected if not sheet.key.startswith(r))
            from dataclasses import replace

            chosen = chosen.with_sheet(table, who, replace(current, rejected=kept))
        write_atomic(path, format_cast(chosen))
        return sheet.key[:TAKE_ID]


__all__ = [
    "Casting",
    "Picked",
    "SheetRow",
    "cast",
    "check_name",
    "kept",
    "pick",
    "reject",
    "restaled",
    "rows",
    "shot_keys",
]
