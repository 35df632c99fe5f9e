"""The Studio's cast page: every character and location with its sheets (the takes made so
far), the one picked, whether film.toml's own references win over it, and how many of its
shots are still to make. Picks, rejects and new sheets go through `cinecode cast`'s code
(commands/cast.py): one logic, two faces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.commands import cast as casting
from cinecode.departments.cast import SheetKind, names
from cinecode.graph.reporter import NullReporter
from cinecode.pipeline.session import Session
from cinecode.project.cast import Kind, cast_path, read_cast
from cinecode.script.model import Film

KINDS: dict[str, SheetKind] = {"character": "character", "location": "location"}
TABLES: tuple[tuple[SheetKind, Kind], ...] = (
    ("character", "characters"),
    ("location", "locations"),
)


def kind_of(value: object) -> SheetKind:
    """A request's kind ("character" or "location"), or a CinecodeError."""
    from cinecode.errors import CinecodeError

    kind = KINDS.get(str(value or "character"))
    if kind is None:
        raise CinecodeError(f"no kind {value!r}", hint="send kind: character or location")
    return kind


def shots_of(film: Film, name: str, kind: SheetKind) -> list[str]:
    """The shots a name's sheet is the reference of: those the character is in, or every
    shot of the scenes set at the location."""
    if kind == "character":
        return [shot.id for shot in film.shots if name in shot.characters]
    out = []
    for scene in film.scenes:
        located = film.location(scene)
        if (located is not None and located.name == name) or scene.location.upper() == name:
            out += [shot.id for shot in scene.shots]
    return out


def cast_page(session: Session, board: dict[str, Any] | None) -> dict[str, Any]:
    """Every character, then every location: its sheets, its pick, film.toml's references
    (which win over the pick), its shots and those of them still to make (from `board`)."""
    stale = (
        {
            shot["id"]
            for scene in board.get("scenes", [])
            for shot in scene["shots"]
            if shot["stale"]
        }
        if board
        else set()
    )
    chosen = read_cast(cast_path(session.project.root))
    out: dict[str, Any] = {"title": session.film.title}
    for kind, table in TABLES:
        entries = []
        for name in names(session.film, kind):
            config = getattr(session.project.config, table).get(name)
            references = list(config.references) if config is not None else []
            described = config.description if config is not None else ""
            if not described and kind == "character" and name in session.film.characters:
                described = session.film.characters[name].description or ""
            shots = shots_of(session.film, name, kind)
            rows = casting.rows(session, name, kind)
            entries.append(
                {
                    "name": name,
                    "kind": kind,
                    "description": described,
                    "references": references,
                    "overridden": bool(references),
                    "pick": chosen.get(table, name).pick,
                    "shots": shots,
                    "stale": [shot for shot in shots if shot in stale],
                    "sheets": [
                        {
                            "number": row.number,
                            "id": row.id,
                            "key": row.key,
                            "seed": row.seed,
                            "backend": row.backend,
                            "model": row.model,
                            "cost": row.cost,
                            "picked": row.picked,
                            "rejected": row.rejected,
                        }
                        for row in rows
                    ],
                }
            )
        out[table] = entries
    return out


def pick(root: Path, name: str, take: str, kind: SheetKind) -> dict[str, Any]:
    """Pick a sheet as `cinecode cast NAME --pick` does (cast.toml), and say which shots the
    change makes stale: those whose planned jobs differ from the plan before it."""
    with Session.open(root) as session:
        before = casting.shot_keys(session)
    picked = casting.pick(root, name, take, kind=kind, reporter=NullReporter())
    with Session.open(root) as session:
        stale = casting.restaled(before, casting.shot_keys(session))
    return {
        "name": picked.name,
        "picked": picked.id,
        "overridden": picked.overridden,
        "stale": stale,
    }


__all__ = ["cast_page", "kind_of", "pick", "shots_of"]
