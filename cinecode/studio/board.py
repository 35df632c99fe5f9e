"""What the Studio's pages show, as plain data from one project Session.

A board is made once per plan (the plan is kept until a file or the store changes), so a
feature's 1,500 shots cost one planning, not one per request. The last board is also kept in
`build/studio/board.json` with the fingerprint of what it was made from: a Studio opened again
on an unchanged project shows it at once, while the film is planned in the background.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from cinecode.commands.report import durations
from cinecode.graph.catalog import Artifact, Catalog
from cinecode.graph.store import Store
from cinecode.pipeline.session import Session
from cinecode.project.cast import cast_path
from cinecode.project.config import Project
from cinecode.project.files import write_atomic
from cinecode.project.picks import TAKE_ID, read_picks

BOARD_SCHEMA = "cinecode.Board.1"  # bump when board() changes what it returns


def board(session: Session, generating: dict[str, float]) -> dict[str, Any]:
    """Every scene as a row of shot cards (see the module doc); `generating`: shot → progress."""
    plan, store = session.plan, session.store
    needed = plan.graph.needed_for(plan.build_targets)
    built = store.available(job.key for job in needed) if store else set()
    pending: dict[str, list[str]] = defaultdict(list)
    failures = _failures(store, {job.key for job in needed if job.key not in built})
    failed_of: dict[str, list[str]] = defaultdict(list)  # shot → errors, grouped once
    for job in needed:
        if job.key not in built and job.shot:
            pending[job.shot].append(job.step)
            failed_of[job.shot].extend(failures.get(job.key, []))
    takes = _takes(store)
    picks = read_picks(session.project.picks_path)
    lengths = {shot_id: seconds for shot_id, (seconds, _) in durations(plan, store).items()}
    scenes = []
    for scene in plan.film.scenes:
        shots = []
        for shot in scene.shots:
            sp = plan.shots[shot.id]
            choice = picks.get(shot.id)
            of_shot = takes.get(shot.id, [])
            failed = failed_of.get(shot.id, [])
            todo = sorted(set(pending.get(shot.id, [])))
            shots.append(
                {
                    "id": shot.id,
                    "size": shot.size,
                    "move": shot.move,
                    "kind": shot.kind,
                    "characters": list(shot.characters),
                    "line": shot.line,
                    "seconds": lengths.get(shot.id, shot.estimated_duration),
                    "picture": sp.picture,
                    "thumb": sp.picture if sp.picture in built else "",
                    "reason": sp.reason,
                    "built": not todo,
                    "stale": f"to make: {', '.join(todo)}" if todo else "",
                    "failed": failed[-1] if failed else "",
                    "locked": choice.locked,
                    "picked": bool(choice.pick),
                    "takes": len(of_shot),
                    "cost": round(sum(a.cost_money for a in of_shot), 4),
                    "generating": generating.get(shot.id),
                }
            )
        scenes.append(
            {
                "id": scene.id,
                "heading": scene.heading,
                "mood": scene.mood,
                "seconds": round(
                    sum(lengths.get(s.id, s.estimated_duration) for s in scene.shots), 1
                ),
                "shots": shots,
            }
        )
    return {
        "title": plan.film.title,
        "scenes": scenes,
        "characters": sorted(plan.film.characters),
        "shots": len(plan.shots),
    }


def fingerprint(project: Project) -> str:
    """What a board is made from, in brief: the project's files (size, modification time)
    and the catalog's revision. Take it before the project is read: a change made while
    the board is planned then shows as a change."""
    cast = cast_path(project.root)  # the picked sheets: references of the shots
    files = (project.file, project.script_path, project.picks_path, project.cut_path, cast)
    marks: list[Any] = [BOARD_SCHEMA]
    for path in (*files, project.ids_path):
        try:
            st = path.stat()
            marks.append([path.name, st.st_size, st.st_mtime_ns])
        except OSError:
            marks.append([path.name, None])
    if (project.store_dir / "catalog.sqlite").is_file():
        catalog = Catalog(project.store_dir / "catalog.sqlite")
        try:
            marks.append(list(catalog.revision()))
        finally:
            catalog.close()
    return hashlib.sha256(json.dumps(marks).encode()).hexdigest()


def _saved_path(project: Project) -> Path:
    return project.build_dir / "studio" / "board.json"


def save_board(project: Project, made: dict[str, Any], mark: str) -> None:
    """Keep `made` (a board) with the fingerprint taken before it was planned."""
    path = _saved_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"fingerprint": mark, "board": made}))


def saved_board(project: Project) -> dict[str, Any] | None:
    """The board kept by the last Studio, if nothing it was made from has changed since."""
    try:
        kept = json.loads(_saved_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("fingerprint") != fingerprint(project):
        return None
    board = kept.get("board")
    return board if isinstance(board, dict) else None


def _takes(store: Store | None) -> dict[str, list[Artifact]]:
    out: dict[str, list[Artifact]] = defaultdict(list)
    for artifact in store.catalog.takes() if store else []:
        out[artifact.shot].append(artifact)
    return out


def _failures(store: Store | None, keys: set[str]) -> dict[str, list[str]]:
    if store is None or not keys:
        return {}
    out: dict[str, list[str]] = defaultdict(list)
    for key, error in store.catalog.failures():
        if key in keys:
            out[key].append(error)
    return out


def shot_page(session: Session, shot_id: str) -> dict[str, Any]:
    """One shot: its screenplay lines and every take (newest last) with how it was made."""
    from cinecode.commands.takes import list_rows

    plan = session.plan
    sp = plan.shots[shot_id]
    shot = sp.shot
    script = session.project.script_path.read_text(encoding="utf-8").splitlines()
    first = max(0, shot.line - 1)
    last = min(len(script), first + max(1, len(shot.lines) * 3 + 2))
    order = list(plan.shots)
    index = order.index(shot_id)
    rows = list_rows(session, shot, show_rejected=True, thumbnails=False)
    return {
        "id": shot_id,
        "scene": plan.film.scene_of(shot_id).heading,
        "size": shot.size,
        "move": shot.move,
        "line": shot.line,
        "script": script[first:last],
        "previous": order[index - 1] if index > 0 else None,
        "next": order[index + 1] if index + 1 < len(order) else None,
        "picture": sp.picture,
        "reason": sp.reason,
        "locked": read_picks(session.project.picks_path).get(shot_id).locked,
        "takes": [
            {
                **{k: v for k, v in row.as_dict().items() if k != "thumbnail"},
                "short": row.key[:TAKE_ID],
                "video": row.video,
                "drew": row.drew,
                "consistency": row.consistency,  # "0.81 clip": likeness, and what measured it
            }
            for row in rows
        ],
    }


def timeline(session: Session) -> list[dict[str, Any]]:
    """Where each shot (and card) starts in the master, in seconds, in cut order."""
    plan, store = session.plan, session.store
    if store is None:
        return []
    out: list[dict[str, Any]] = []
    clock = 0.0
    for reel in plan.reels:
        job = plan.graph.jobs.get(reel)
        if job is None:
            continue
        for key in job.inputs:
            segment = plan.graph.jobs.get(key)
            if segment is None or segment.step not in ("segment", "finish"):
                continue
            artifact = store.get(key)
            if artifact is None:
                return out
            seconds = float(artifact.meta.get("duration", 0.0))
            shot = segment.shot or segment.label.split(" ", 1)[-1]
            if not out or out[-1]["id"] != shot:
                picture = plan.shots[shot].picture if shot in plan.shots else ""
                out.append({"id": shot, "start": round(clock, 3), "picture": picture})
            clock += seconds
    return out


__all__ = ["board", "fingerprint", "save_board", "saved_board", "shot_page", "timeline"]
