"""`cinecode breakdown`: a chat model proposes shot directives and visual prompts; the user
accepts them change by change.

```
1. show the model the shot list (with source lines) and the character/location bible
2. read its proposals: {"shots": [{"line": 23, "shot": "close on ELIAS, push in",
                                   "prompt": "storm light on a weathered face"}]}
3. turn each valid one into a change of script.fountain: a `[[shot: …]]` note written before
   the shot's first line (or replacing the note already there)
4. the caller shows each change as a diff hunk and applies those accepted; the result must
   parse with the same scenes, or nothing is written
```
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from cinecode.backends.protocols import Cost, TextBackend, TextRequest
from cinecode.errors import BadOutput, ScriptError
from cinecode.project.config import Project
from cinecode.script.directives import parse_shot
from cinecode.script.model import Film

SYSTEM = (
    "You are the first assistant director and storyboard artist of a short film. From the "
    "shot list and the bible you are given, propose shot directives only where they make "
    "the film better: a shot size (extreme wide, wide, full, medium, medium close, close, "
    "extreme close, insert), optionally `on NAME` (names exactly as written), a camera move "
    "(static, push in, pull out, pan left, pan right, tilt up, tilt down, handheld, drift), "
    "an angle (high, low, overhead, dutch) and a short visual prompt (light, composition, "
    "texture; never dialogue). Answer with JSON only: "
    '{"shots": [{"line": <the shot\'s line number>, "shot": "<size, on NAME, move, angle>", '
    '"prompt": "<visual prompt>"}]}'
)
_NOTE_LINE = re.compile(r"^\s*\[\[\s*shot\s*:.*\]\]\s*$", re.I)


@dataclass(frozen=True)
class Change:
    """One proposed edit of the screenplay: lines[start:end] become `new`."""

    start: int  # 0-based
    end: int
    new: tuple[str, ...]
    line: int  # the shot's first line (1-based), for messages
    shot: str  # the shot id it directs
    directive: str


def shot_list(film: Film, project: Project) -> str:
    """The screenplay as the model sees it: the bible, then every shot with its line."""
    out = ["BIBLE"]
    for name, character in project.config.characters.items():
        out.append(f"- {name}: {character.description or '(no description)'}")
    for name, location in project.config.locations.items():
        out.append(f"- {name}: {location.description or '(no description)'}")
    for scene in film.scenes:
        out.append(f"\nSCENE {scene.id}: {scene.heading}")
        for shot in scene.shots:
            said = " / ".join(f"{line.character}: {line.text}" for line in shot.lines)
            what = said or shot.action
            current = f"{shot.size}, {shot.move}" + (
                f", on {' and '.join(shot.characters)}" if shot.characters else ""
            )
            out.append(f"line {shot.line} · shot {shot.id} · {shot.kind} · now: {current}")
            out.append(f"    {' '.join(what.split())[:300]}")
    return "\n".join(out)


def propose(
    backend: TextBackend, film: Film, project: Project, *, model: str = "", seed: int = 0
) -> tuple[list[dict[str, Any]], Cost]:
    """Ask the chat model for proposals (raw dicts with line, shot, prompt), and what the
    question cost."""
    result = backend.complete(
        TextRequest(
            system=SYSTEM,
            prompt=shot_list(film, project),
            seed=seed,
            model=model,
            temperature=0.4,
            json=True,
        )
    )
    text = result.text.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except ValueError:
        raise BadOutput(
            "the model did not answer with JSON",
            backend=getattr(backend, "name", ""),
            hint="try again, or use a model that supports JSON output",
        ) from None
    shots = data.get("shots") if isinstance(data, dict) else data
    if not isinstance(shots, list):
        raise BadOutput(
            'the model\'s answer has no "shots" list',
            backend=getattr(backend, "name", ""),
            hint="try again, or use a stronger model",
        )
    return [s for s in shots if isinstance(s, dict)], result.cost


def changes_for(
    lines: list[str], proposals: list[dict[str, Any]], film: Film, *, file: str
) -> tuple[list[Change], list[str]]:
    """Valid proposals as changes of `lines`, and why the others were left out."""
    starts: dict[int, Any] = {}
    for shot in film.shots:
        if shot.kind not in ("establishing", "title", "credits"):  # a note can lead these
            starts.setdefault(shot.line, shot)
    known = set(film.characters)
    changes: list[Change] = []
    rejected: list[str] = []
    seen: set[int] = set()
    for proposal in proposals:
        line = proposal.get("line")
        body = " ".join(str(proposal.get("shot", "")).split()).strip(" ,")
        prompt = " ".join(str(proposal.get("prompt", "")).replace('"', "'").split())
        if not isinstance(line, int) or line not in starts or line in seen:
            rejected.append(f"line {line}: no shot starts there")
            continue
        directive = ", ".join(p for p in (body, f'prompt "{prompt}"' if prompt else "") if p)
        if not directive:
            continue
        try:
            parsed = parse_shot(directive, line, file=file)
        except ScriptError as exc:
            rejected.append(f"line {line}: {exc.message}")
            continue
        unknown = [name for name in parsed.subjects if name not in known]
        if unknown:
            rejected.append(f"line {line}: {', '.join(unknown)} is not in the screenplay")
            continue
        seen.add(line)
        changes.append(_change(lines, line, starts[line].id, directive))
    changes.sort(key=lambda c: c.start)
    return changes, rejected


def _change(lines: list[str], line: int, shot: str, directive: str) -> Change:
    note = f"[[shot: {directive}]]"
    index = line - 1
    above = index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above >= 0 and _NOTE_LINE.match(lines[above]):
        return Change(above, above + 1, (note,), line, shot, directive)  # replace the note
    return Change(index, index, (note, ""), line, shot, directive)


def apply(lines: list[str], changes: list[Change]) -> list[str]:
    """`lines` with the changes made (they must not overlap)."""
    out = list(lines)
    for change in sorted(changes, key=lambda c: c.start, reverse=True):
        out[change.start : change.end] = list(change.new)
    return out


def hunk(lines: list[str], change: Change, *, name: str) -> str:
    """The unified diff of one change."""
    diff = difflib.unified_diff(
        [f"{line}\n" for line in lines],
        [f"{line}\n" for line in apply(lines, [change])],
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
        n=2,
    )
    return "".join(diff)


def check_same_scenes(text: str, film: Film, project: Project) -> None:
    """Raise ScriptError unless `text` parses and breaks down into the same scenes."""
    from cinecode.script.film import build_film
    from cinecode.script.fountain import parse_fountain
    from cinecode.script.ids import read_lock

    script = parse_fountain(text, path=str(project.script_path))
    new, _ = build_film(script, project, read_lock(project.ids_path))
    before = [(s.id, s.heading) for s in film.scenes]
    after = [(s.id, s.heading) for s in new.scenes]
    if before != after:
        raise ScriptError(
            "the changed screenplay breaks down into other scenes",
            file=str(project.script_path),
            hint="nothing was written; please report this",
        )


__all__ = ["Change", "apply", "changes_for", "check_same_scenes", "hunk", "propose", "shot_list"]
