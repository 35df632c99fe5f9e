"""What `release`, `releases` and `diff` do: freeze the built cut as a manifest
(cinecode.project.releases), list the releases, and say what changed between two.

```
release   1. the version checked (a safe file name, not released yet)
          2. the current plan: its master and subtitles must be built (else "make first")
          3. the cut as the master was built from it (editorial.timeline.cells): each shot's
             start and frames, its segment, its take; each scene's reel
          4. what it cost: the ledger's total, and each generation of the film's
          5. written once: releases/<version>.toml
diff      shots added, removed, changed (why: script, take, backend, edit, timing, sound),
          moved (same segment, another place: --json only); the change in length and what
          the update cost (the generations the new release has and the old did not)
```
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinecode.errors import ReleaseError
from cinecode.graph.keys import canonical
from cinecode.project.releases import (
    Media,
    Release,
    ReleasedScene,
    ReleasedShot,
    check_version,
    load_releases,
    read_release,
    release_path,
    write_release,
)

if TYPE_CHECKING:
    from cinecode.editorial.timeline import Cell
    from cinecode.graph.catalog import Artifact
    from cinecode.graph.store import Store
    from cinecode.pipeline.plan import Plan
    from cinecode.pipeline.session import Session
    from cinecode.script.model import Shot

EDIT_PARAMS = ("move", "start", "strength", "span", "head", "tail", "jumps")


# release


def make_release(project_path: Path, version: str, *, notes: str = "") -> dict[str, Any]:
    """Freeze the current cut as release `version` (see the module doc); its report."""
    from cinecode.pipeline.session import Session

    check_version(version)
    with Session.open(project_path) as session:
        root = session.project.root
        path = release_path(root, version)
        if path.exists():
            raise ReleaseError(
                f"release {version!r} exists already ({path.relative_to(root)})",
                hint="a release never changes: choose a new version",
            )
        with session.locked(wait=True):  # no make or gc changes the store meanwhile
            release = freeze(session, version, notes=notes)
            write_release(root, release)
    return {**summary(release), "path": str(path.resolve())}


def freeze(session: Session, version: str, *, notes: str = "") -> Release:
    """The release of the session's current cut, which must be built."""
    from cinecode.editorial.timeline import cells
    from cinecode.graph.keys import file_digest

    store = session.require_store()
    plan = session.plan
    project = session.project
    fps = project.config.format.fps
    # 2. built and up to date: every object the release would name is in the store
    targets = [plan.targets["master"], plan.targets["srt"]]
    if store.available(targets) != set(targets):
        raise ReleaseError(
            "the film is not built for the current screenplay, picks and cut",
            hint=f"run `cinecode make {project.root}` first, then release it",
        )
    # 3. the cut the master was built from
    built = cells(plan, store)
    master = _artifact(store, plan.targets["master"])
    if sum(c.frames for c in built) != int(master.meta["frames"]):
        raise ReleaseError(
            "the master's length does not match its cut",
            hint=f"run `cinecode verify {project.root}`, then `cinecode make`",
        )
    shots = tuple(_shot(cell, plan, store, fps) for cell in built if cell.placed.shot is not None)
    scenes = _scenes(plan, store, built, fps)
    named = [master, *(_artifact(store, s.segment.key) for s in shots)]
    named += [_artifact(store, s.take.key) for s in shots if s.take is not None]
    named += [_artifact(store, s.reel.key) for s in scenes]
    whole = store.available(a.key for a in named)
    missing = [a for a in named if a.key not in whole]
    if missing:
        raise ReleaseError(
            f"the store lost {len(missing)} object(s) of the cut "
            f"({missing[0].label or missing[0].step}, …)",
            hint=f"run `cinecode make {project.root}` first, then release it",
        )
    # 4. what it cost
    needed = plan.graph.needed_for(targets)
    generations = store.catalog.get_many(j.key for j in needed if j.kind == "generate")
    return Release(
        version=version,
        notes=notes,
        created=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        title=plan.film.title,
        duration=sum(c.frames for c in built) / fps,
        cost=round(spent(store), 6),
        screenplay=file_digest(project.script_path),
        picks=_picks(session, plan),
        scenes=scenes,
        shots=shots,
        master=_media(master),
        subtitles=_media(_artifact(store, plan.targets["srt"])),
        credits=_credits(built, store),
        generations={k: round(a.cost_money, 6) for k, a in sorted(generations.items())},
    )


def spent(store: Store) -> float:
    """The ledger's total: the actual money of every generation the store records, and of
    the billed attempts that made nothing (cinecode.commands.ledger)."""
    made = sum(a.cost_money for a in store.catalog.all() if a.kind == "generate")
    return made + sum(c.money for c in store.catalog.charges())


def _artifact(store: Store, key: str) -> Artifact:
    artifact = store.get(key)
    if artifact is None:
        raise ReleaseError(
            f"the store has no record of {key[:8]}",
            hint="run `cinecode make` first, then release it",
        )
    return artifact


def _media(artifact: Artifact) -> Media:
    return Media(key=artifact.key, object=artifact.object, ext=artifact.ext)


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()[:16]


def script_text(shot: Shot) -> str:
    """What the screenplay says in a shot: its action, then its lines (`NAME: words`)."""
    parts = [shot.action] if shot.action else []
    parts += [f"{line.character}: {line.text}" for line in shot.lines]
    return "\n".join(parts)


def _shot(cell: Cell, plan: Plan, store: Store, fps: int) -> ReleasedShot:
    shot = cell.placed.shot
    assert shot is not None
    chosen = plan.shots[shot.id]
    picture = _artifact(store, chosen.picture)
    params = cell.segment.params
    edit = {name: params[name] for name in EDIT_PARAMS if name in params}
    specs, index = params.get("shots", []), int(params.get("index", 0))
    edit["timing"] = specs[index] if 0 <= index < len(specs) else None
    return ReleasedShot(
        id=shot.id,
        scene=shot.scene,
        start=cell.start / fps,
        duration=cell.frames / fps,
        segment=_media(_artifact(store, cell.segment.key)),
        take=None if chosen.reason == "source" else _media(picture),
        backend=picture.backend or picture.step,
        seed=picture.seed,
        source_line=shot.line,
        text=script_text(shot),
        edit=_digest(edit),
    )


def _scenes(plan: Plan, store: Store, built: list[Cell], fps: int) -> tuple[ReleasedScene, ...]:
    reels = {plan.graph.jobs[key].scene: key for key in plan.reels}
    out: list[ReleasedScene] = []
    for scene in plan.film.scenes:
        mine = [c for c in built if c.placed.scene is not None and c.placed.scene.id == scene.id]
        if not mine or scene.id not in reels:
            continue  # a scene the cut leaves out
        out.append(
            ReleasedScene(
                id=scene.id,
                heading=scene.heading,
                start=mine[0].start / fps,
                duration=sum(c.frames for c in mine) / fps,
                reel=_media(_artifact(store, reels[scene.id])),
            )
        )
    return tuple(sorted(out, key=lambda s: s.start))


def _picks(session: Session, plan: Plan) -> dict[str, str]:
    """Shot id → the take id picked, or the one a lock holds."""
    from cinecode.project.picks import TAKE_ID

    out: dict[str, str] = {}
    for shot_id, choice in session.state.picks.items():
        if choice.pick:
            out[shot_id] = choice.pick
        elif choice.locked and shot_id in plan.shots:
            out[shot_id] = plan.shots[shot_id].picture[:TAKE_ID]
    return out


def _credits(built: list[Cell], store: Store) -> tuple[str, ...]:
    """The credits card's lines: `Heading: name, name` per section, a heading-less
    section's lines as they are."""
    card = next((c for c in built if c.placed.id == "credits"), None)
    artifact = store.get(card.segment.inputs[0]) if card and card.segment.inputs else None
    if artifact is None:
        return ()
    from cinecode.departments.titles import credit_lines

    return tuple(credit_lines(artifact.meta.get("credits", [])))


def summary(release: Release) -> dict[str, Any]:
    """A release as `releases --json` lists it."""
    return {
        "version": release.version,
        "notes": release.notes,
        "created": release.created,
        "title": release.title,
        "duration": round(release.duration, 3),
        "cost": release.cost,
        "shots": len(release.shots),
        "scenes": len(release.scenes),
        "master": release.master.key,
        "objects": len({m.object for m in release.media()}),
    }


# releases


def list_releases(project_path: Path) -> dict[str, Any]:
    """Every release of the project, the oldest first."""
    from cinecode.project.config import load_project

    root = load_project(project_path).root
    return {"releases": [summary(r) for r in load_releases(root)]}


# diff


def timecode(seconds: float, fps: int) -> str:
    """HH:MM:SS.ff of a time in the film, in frames of `fps`."""
    frames = round(seconds * fps)
    rest, ff = divmod(frames, fps)
    rest, ss = divmod(rest, 60)
    hh, mm = divmod(rest, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}.{ff:02d}"


def reasons(old: ReleasedShot, new: ReleasedShot) -> list[str]:
    """Why a shot's segment changed: script, take, backend, edit; else timing (its length
    follows another line of its scene) or sound (the voices it is timed by)."""
    out = []
    if old.text != new.text:
        out.append("script")
    if _key(old.take) != _key(new.take) or old.seed != new.seed:
        out.append("take")
    if old.backend != new.backend:
        out.append("backend")
    if old.edit != new.edit:
        out.append("edit")
    if not out:
        out.append("timing" if abs(old.duration - new.duration) > 1e-9 else "sound")
    return out


def _key(media: Media | None) -> str:
    return media.key if media else ""


def _side(shot: ReleasedShot, fps: int) -> dict[str, Any]:
    return {
        "start": round(shot.start, 6),
        "timecode": timecode(shot.start, fps),
        "duration": round(shot.duration, 6),
        "segment": asdict(shot.segment),
        "take": asdict(shot.take) if shot.take else None,
        "backend": shot.backend,
        "seed": shot.seed,
        "line": shot.source_line,
        "text": shot.text,
    }


def diff_releases(project_path: Path, old: str, new: str) -> dict[str, Any]:
    """What changed from release `old` to release `new` (see the module doc)."""
    from cinecode.project.config import load_project

    project = load_project(project_path)
    fps = project.config.format.fps
    a, b = read_release(project.root, old), read_release(project.root, new)
    before = {s.id: s for s in a.shots}
    after = {s.id: s for s in b.shots}
    changed: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    unchanged = 0
    for shot_id, shot in after.items():
        earlier = before.get(shot_id)
        if earlier is None:
            continue
        same = earlier.segment.key == shot.segment.key
        same = same or earlier.segment.object == shot.segment.object  # the same picture
        if same:
            if abs(earlier.start - shot.start) > 1e-9:
                moved.append({"shot": shot_id, "from": _side(earlier, fps), "to": _side(shot, fps)})
            else:
                unchanged += 1
            continue
        why = reasons(earlier, shot)
        entry: dict[str, Any] = {
            "shot": shot_id,
            "scene": shot.scene,
            "reason": why[0],
            "reasons": why,
            "from": _side(earlier, fps),
            "to": _side(shot, fps),
            "duration_change": round(shot.duration - earlier.duration, 6),
        }
        if "script" in why:
            entry["script"] = {"line": shot.source_line, "from": earlier.text, "to": shot.text}
        changed.append(entry)
    new_generations = {k: v for k, v in b.generations.items() if k not in a.generations}
    return {
        "from": old,
        "to": new,
        "title": b.title,
        "fps": fps,
        "added": [
            {"shot": s.id, "scene": s.scene, **_side(s, fps)} for s in b.shots if s.id not in before
        ],
        "removed": [
            {"shot": s.id, "scene": s.scene, **_side(s, fps)} for s in a.shots if s.id not in after
        ],
        "changed": changed,
        "moved": moved,
        "unchanged": unchanged,
        "duration": {
            "from": round(a.duration, 6),
            "to": round(b.duration, 6),
            "change": round(b.duration - a.duration, 6),
            "from_timecode": timecode(a.duration, fps),
            "to_timecode": timecode(b.duration, fps),
        },
        "cost": {
            "update": round(sum(new_generations.values()), 6),
            "generations": len(new_generations),
            "from": a.cost,
            "to": b.cost,
        },
    }


# diff --html


def diff_page(project_path: Path, report: dict[str, Any], path: Path) -> Path:
    """A self-contained page of the diff: each added, removed or changed shot's mid-shot
    frame before | after, embedded as data: URIs."""
    from cinecode.pipeline.session import Session
    from cinecode.project.files import write_atomic

    with Session.open(project_path) as session:
        store = session.require_store()
        rows = [
            _row("changed", item["shot"], item["from"], item["to"], item["reasons"], store)
            for item in report["changed"]
        ]
        rows += [_row("added", i["shot"], None, i, ["added"], store) for i in report["added"]]
        rows += [_row("removed", i["shot"], i, None, ["removed"], store) for i in report["removed"]]
    title = f"{report['title']}: {report['from']} → {report['to']}"
    change = report["duration"]["change"]
    text = _PAGE.format(
        title=html.escape(title),
        summary=html.escape(
            f"{len(report['changed'])} changed, {len(report['added'])} added, "
            f"{len(report['removed'])} removed; length {report['duration']['from_timecode']} → "
            f"{report['duration']['to_timecode']} ({change:+.2f} s); "
            f"the update cost {report['cost']['update']:.2f} USD"
        ),
        rows="\n".join(rows) or "<p>No shot changed.</p>",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return path


def _row(
    kind: str,
    shot: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    why: list[str],
    store: Store,
) -> str:
    cells = []
    for side, label in ((before, "before"), (after, "after")):
        if side is None:
            cells.append(f'<div class="side empty">{label}: —</div>')
            continue
        caption = html.escape(f"{side['timecode']} · {side['duration']:.2f} s · {side['text']}")
        cells.append(
            f'<figure class="side"><img alt="{shot} {label}" '
            f'src="{_thumbnail(store, side["segment"]["key"], side["duration"])}">'
            f"<figcaption>{label}: {caption}</figcaption></figure>"
        )
    return (
        f'<section class="{kind}"><h2>{html.escape(shot)} — {html.escape(", ".join(why))}</h2>'
        f'<div class="pair">{"".join(cells)}</div></section>'
    )


def _thumbnail(store: Store, key: str, seconds: float) -> str:
    """A data: URI of the segment's middle frame (a grey tile when the store lost it)."""
    from PIL import Image

    from cinecode.commands.takes import still

    artifact = store.get(key)
    try:
        image = still(store.path(artifact)) if artifact else None
    except Exception:  # a lost or damaged object still gets a tile: the page is a report
        image = None
    if image is None:
        image = Image.new("RGB", (160, 90), (96, 96, 96))
    image.thumbnail((480, 480))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 2em; background: #111; color: #eee; }}
.pair {{ display: flex; gap: 1em; }}
.side {{ flex: 1; margin: 0; }}
.side img {{ width: 100%; display: block; }}
.empty {{ display: flex; align-items: center; justify-content: center; background: #222; }}
figcaption {{ white-space: pre-line; color: #bbb; font-size: 13px; }}
section {{ margin-bottom: 2em; }}
</style></head>
<body><h1>{title}</h1><p>{summary}</p>
{rows}
</body></html>
"""


__all__ = [
    "diff_page",
    "diff_releases",
    "freeze",
    "list_releases",
    "make_release",
    "reasons",
    "script_text",
    "spent",
    "summary",
    "timecode",
]
