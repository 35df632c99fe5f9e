"""Stable scene and shot ids, the way a production locks scene numbers.

The first breakdown numbers scenes 1, 2, 3… and shots 1.1, 1.2… (or uses the script's own
scene numbers, `#12A#`). `shots.lock`, written beside the script, remembers which heading and
which shot each id belongs to. Later breakdowns align the new script with the lock, like a
diff: unchanged and edited scenes keep their ids, an inserted scene between 12 and 13 becomes
12A, an inserted shot after 3.2 becomes 3.2A, deleted ids are retired and never reused. So
editing or inserting a scene never renames another shot, and picks follow their shots.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from cinecode.errors import ProjectError, ScriptError
from cinecode.script.breakdown import renumber
from cinecode.script.model import Scene


@dataclass(frozen=True)
class LockedScene:
    id: str
    signature: str
    shots: tuple[tuple[str, str], ...]  # (shot id, signature)


@dataclass(frozen=True)
class IdLock:
    scenes: tuple[LockedScene, ...] = ()
    retired: frozenset[str] = field(default_factory=frozenset)


def read_lock(path: Path) -> IdLock:
    """Read shots.lock (an empty lock when there is none)."""
    if not path.is_file():
        return IdLock()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        scenes = tuple(
            LockedScene(
                id=str(item["id"]),
                signature=str(item["heading"]),
                shots=tuple((str(s[0]), str(s[1])) for s in item.get("shots", [])),
            )
            for item in data.get("scene", [])
        )
        return IdLock(scenes=scenes, retired=frozenset(map(str, data.get("retired", []))))
    except (tomllib.TOMLDecodeError, KeyError, IndexError, TypeError) as exc:
        raise ProjectError(
            f"shots.lock is damaged ({exc})",
            file=str(path),
            hint="restore it from version control, or delete it to renumber every shot",
        ) from None


def format_lock(lock: IdLock) -> str:
    """shots.lock as text: one table per scene, one row per shot (diff-friendly)."""
    out = [
        "# Written by cinecode: keeps scene and shot ids stable across script edits.",
        "# Commit it with the screenplay; do not edit it by hand.",
        "",
    ]
    if lock.retired:
        out.append(f"retired = {json.dumps(sorted(lock.retired, key=_sort_key))}")
        out.append("")
    for scene in lock.scenes:
        out.append("[[scene]]")
        out.append(f"id = {json.dumps(scene.id)}")
        out.append(f"heading = {json.dumps(scene.signature, ensure_ascii=False)}")
        out.append("shots = [")
        for shot_id, signature in scene.shots:
            out.append(f"  [{json.dumps(shot_id)}, {json.dumps(signature, ensure_ascii=False)}],")
        out.append("]")
        out.append("")
    return "\n".join(out)


def _sort_key(value: str) -> tuple[int, str]:
    match = re.match(r"\d+", value)
    return (int(match.group()) if match else 0, value)


def _after(previous: str, taken: set[str]) -> str:
    """The next free id after `previous` in production style: 12 → 12A → 12B …"""
    match = re.match(r"^(.*?\d+)([A-Z]*)$", previous)
    stem, suffix = (match.group(1), match.group(2)) if match else (previous, "")
    for letter in _letters():
        if (len(letter), letter) <= (len(suffix), suffix):
            continue
        if f"{stem}{letter}" not in taken:
            return f"{stem}{letter}"
    raise RuntimeError("ran out of ids")  # pragma: no cover


def _before(first: str, taken: set[str]) -> str:
    """An id for something inserted before `first`: A1, B1 … (shots: 3.0A, 3.0B …)."""
    for letter in _letters():
        if f"{letter}{first}" not in taken:
            return f"{letter}{first}"
    raise RuntimeError("ran out of ids")  # pragma: no cover


def _letters() -> list[str]:
    singles = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    return singles + [a + b for a in singles for b in singles]


def _align(old: list[str], new: list[str]) -> dict[int, int]:
    """new index → old index for entries that keep their id."""
    mapping: dict[int, int] = {}
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                mapping[j1 + k] = i1 + k
        elif tag == "replace":
            # edited in place: pair them up in order
            for k in range(min(i2 - i1, j2 - j1)):
                mapping[j1 + k] = i1 + k
    return mapping


def _next_integer(taken: set[str]) -> str:
    numbers = [int(m.group()) for t in taken if (m := re.match(r"^\d+", t))]
    return str(max(numbers, default=0) + 1)


def assign(
    scenes: tuple[Scene, ...], lock: IdLock, *, script: str
) -> tuple[tuple[Scene, ...], IdLock]:
    """Give scenes and shots their stable ids; return them with the updated lock."""
    numbered = [s.number for s in scenes if s.number]
    if numbered:
        seen: set[str] = set()
        for scene in scenes:
            if scene.number and scene.number in seen:
                raise ScriptError(
                    f"scene number #{scene.number}# is used twice",
                    file=script,
                    line=scene.line,
                    hint="give every scene its own number",
                )
            seen.add(scene.number)
    old_scenes = list(lock.scenes)
    mapping = _align([s.signature for s in old_scenes], [s.signature for s in scenes])
    taken: set[str] = set(lock.retired) | {s.id for s in old_scenes}
    taken |= {shot for s in old_scenes for shot, _ in s.shots}
    scene_ids: list[str] = []
    for index, scene in enumerate(scenes):
        if scene.number:
            scene_id = scene.number
        elif index in mapping:
            scene_id = old_scenes[mapping[index]].id
        elif not old_scenes:
            scene_id = str(index + 1)
        elif not any(j in mapping for j in range(index + 1, len(scenes))):
            scene_id = _next_integer(taken)
        elif scene_ids:
            scene_id = _after(scene_ids[-1], taken)
        else:
            scene_id = _before(old_scenes[0].id, taken)
        scene_ids.append(scene_id)
        taken.add(scene_id)

    result: list[Scene] = []
    locked: list[LockedScene] = []
    for index, (scene, scene_id) in enumerate(zip(scenes, scene_ids, strict=True)):
        old = old_scenes[mapping[index]] if index in mapping else None
        old_shots = list(old.shots) if old and old.id == scene_id else []
        shot_map = _align([sig for _, sig in old_shots], [shot.signature for shot in scene.shots])
        shot_ids: list[str] = []
        for k in range(len(scene.shots)):
            if k in shot_map:
                shot_id = old_shots[shot_map[k]][0]
            elif not old_shots:
                shot_id = f"{scene_id}.{k + 1}"
            elif not any(j in shot_map for j in range(k + 1, len(scene.shots))):
                shot_id = _next_shot(scene_id, taken)
            elif shot_ids:
                shot_id = _after(shot_ids[-1], taken)
            else:
                shot_id = _after(f"{scene_id}.0", taken)
            shot_ids.append(shot_id)
            taken.add(shot_id)
        result.append(renumber(scene, scene_id, shot_ids))
        signatures = tuple(zip(shot_ids, (shot.signature for shot in scene.shots), strict=True))
        locked.append(LockedScene(id=scene_id, signature=scene.signature, shots=signatures))
    live = set(scene_ids) | {sid for s in locked for sid, _ in s.shots}
    retired = (
        set(lock.retired) | {s.id for s in old_scenes} | {x for s in old_scenes for x, _ in s.shots}
    ) - live
    return tuple(result), IdLock(scenes=tuple(locked), retired=frozenset(retired))


def _next_shot(scene_id: str, taken: set[str]) -> str:
    numbers = [
        int(m.group(1)) for t in taken if (m := re.match(rf"^{re.escape(scene_id)}\.(\d+)", t))
    ]
    return f"{scene_id}.{max(numbers, default=0) + 1}"
