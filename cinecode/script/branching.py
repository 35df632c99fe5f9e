"""Branching films: the spectator chooses. The story graph of a screenplay's choice notes.

The screenplay stays valid Fountain: the story is written in notes.
```
[[choice: "Climb to the lamp" -> LAMP ROOM | "Stay with Teo" -> COTTAGE; 8s; default 1]]
[[set: courage + 1]]      [[set: courage = 0]]      [[set: courage - 1]]
[[if: courage >= 2]]  …whole scenes…  [[end if]]
[[ending: "Dawn"]]        [[go to: SHORE]]           [[label: LAMP ROOM AGAIN]]
```
- A `choice` is the last thing in its scene: the spectator picks an option (`8s` of countdown,
  10 if left out; then the `default`, 1-based, 1 if left out). Two options at least.
- Targets are scene labels: the heading's location ("LAMP ROOM" in "INT. LAMP ROOM - NIGHT"),
  any case, or the scene's number (`#12#` after the heading, or its id); `[[label: NAME]]`
  gives a scene another label (it replaces the location's).
- A scene with no choice and no ending goes on to its `next`: the scene after it in the
  screenplay, or the one `[[go to: LABEL]]` names.
- `[[set: …]]` applies on entering its scene; a `set` before the first scene heading (or in
  the first scene) gives a variable its first value. A variable is used (`+`, `-`, `if`) only
  after a `set: x = N` on every path to it.
- `[[if: COND]]` stands right before a scene heading and `[[end if]]` after a scene's last
  line: they wrap whole scenes, which play only when COND holds (`var OP number`, OP one of
  `== != < <= > >=`, joined by `and` / `or`; `and` binds first). A gated scene whose
  condition does not hold is skipped: play goes on at its `next` (the scene after it).

`story_of(film)` reads and checks the story (every problem at once, each at its file:line, as
one ProjectErrors) and returns the graph players read, or None for a linear film.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cinecode.errors import CinecodeError, ProjectError, ProjectErrors
from cinecode.script.elements import Script
from cinecode.script.model import Film, Scene, StoryNote

COUNTDOWN = 10.0  # seconds, when a choice gives none
MAX_COUNTDOWN = 300.0
CONTENT = ("action", "centered", "dialogue", "lyric")
_KIND = re.compile(
    r"^\s*(?P<kind>choice|set|if|end\s*if|ending|label|go\s*to|goto)\s*(?::(?P<body>.*))?$",
    re.I | re.S,
)
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TERM = re.compile(rf"^\s*({_NAME})\s*(==|!=|<=|>=|<|>)\s*(-?\d+)\s*$")
_SET = re.compile(rf"^\s*({_NAME})\s*(\+=|-=|=|\+|-)\s*(-?\d+)\s*$")
_OPTION = re.compile(r'^\s*(?:"(?P<quoted>[^"]*)"|(?P<plain>[^"]+?))\s*->\s*(?P<target>.+?)\s*$')
OPS = ("==", "!=", "<=", ">=", "<", ">")


@dataclass(frozen=True)
class Option:
    text: str
    target: str  # a scene id


@dataclass(frozen=True)
class Choice:
    options: tuple[Option, ...]
    seconds: float
    default: int  # 0-based index
    line: int


@dataclass(frozen=True)
class StoryScene:
    id: str  # the film's scene id
    label: str  # what a writer targets ("LAMP ROOM")
    heading: str
    when: str | None  # the condition gating the scene, None: always
    sets: tuple[tuple[str, str, int], ...]  # (variable, "=" | "+" | "-", value), on entry
    next: str | None  # where play goes with no choice, or when the scene is skipped
    choice: Choice | None
    ending: str | None  # the ending's title


@dataclass(frozen=True)
class Story:
    start: str
    scenes: tuple[StoryScene, ...]
    variables: dict[str, int] = field(default_factory=dict)  # initial values

    def scene(self, scene_id: str) -> StoryScene:
        return next(s for s in self.scenes if s.id == scene_id)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON for players (schema cinecode.Story.1)."""
        return {
            "schema": "cinecode.Story.1",
            "start": self.start,
            "variables": dict(self.variables),
            "scenes": [
                {
                    "id": s.id,
                    "label": s.label,
                    "heading": s.heading,
                    "when": s.when,
                    "sets": [list(item) for item in s.sets],
                    "next": s.next,
                    "choice": None
                    if s.choice is None
                    else {
                        "options": [{"text": o.text, "target": o.target} for o in s.choice.options],
                        "seconds": s.choice.seconds,
                        "default": s.choice.default,
                        "line": s.choice.line,
                    },
                    "ending": s.ending,
                }
                for s in self.scenes
            ],
        }


# 1. the notes, where they stand


def story_notes(script: Script) -> tuple[StoryNote, ...]:
    """Every branching note of the screenplay, with its scene and whether it is last in it."""
    found: list[tuple[str, str, int, int, int]] = []  # kind, body, line, scene, position
    last_content: dict[int, int] = {}
    scene = -1
    for position, element in enumerate(script.elements):
        if element.kind == "heading":
            scene += 1
        if element.kind in CONTENT:
            last_content[scene] = position
        notes = [(element.text, element.line)] if element.kind == "note" else []
        notes += [(note.text, note.line) for note in element.notes]
        for text, line in notes:
            match = _KIND.match(text)
            if match is None:
                continue
            kind = " ".join(match["kind"].lower().split()).replace("goto", "go to")
            found.append((kind, (match["body"] or "").strip(), line, scene, position))
    return tuple(
        StoryNote(kind, body, line, scene, position >= last_content.get(scene, -1))
        for kind, body, line, scene, position in found
    )


# 2. conditions and sets


def parse_condition(text: str) -> tuple[tuple[tuple[str, str, int], ...], ...]:
    """`a >= 2 and b == 0 or c < 1` → or-groups of and-terms; ValueError if malformed."""
    groups = []
    for group in re.split(r"\s+or\s+", text.strip(), flags=re.I):
        terms = []
        for term in re.split(r"\s+and\s+", group, flags=re.I):
            match = _TERM.match(term)
            if match is None:
                raise ValueError(term.strip())
            terms.append((match[1], match[2], int(match[3])))
        groups.append(tuple(terms))
    return tuple(groups)


def _compare(value: int, op: str, number: int) -> bool:
    return {
        "==": value == number,
        "!=": value != number,
        "<": value < number,
        "<=": value <= number,
        ">": value > number,
        ">=": value >= number,
    }[op]


def holds(condition: str, variables: Mapping[str, int]) -> bool:
    """Whether a (well-formed) condition holds for these values (an unset variable is 0)."""
    return any(
        all(_compare(variables.get(name, 0), op, number) for name, op, number in group)
        for group in parse_condition(condition)
    )


def apply(sets: Sequence[tuple[str, str, int]], variables: dict[str, int]) -> None:
    """The scene's sets, applied to the values in order."""
    for name, op, value in sets:
        old = variables.get(name, 0)
        variables[name] = value if op == "=" else old + value if op == "+" else old - value


# 3. the story of a film


@dataclass
class _Draft:
    scene: Scene
    label: str
    when: str | None = None
    when_line: int = 0
    sets: list[tuple[str, str, int, int]] = field(default_factory=list)  # + line
    choice: tuple[list[tuple[str, str, int]], float, int, int] | None = None  # raw targets
    ending: str | None = None
    go_to: tuple[str, int] | None = None
    labelled: bool = False


class _Reader:
    """Reads the notes into drafts, collecting every problem."""

    def __init__(self, film: Film) -> None:
        self.file = film.script_path
        self.film = film
        self.problems: list[ProjectError] = []
        self.drafts = [_Draft(scene, scene.location.upper()) for scene in film.scenes]
        self.variables: dict[str, int] = {}
        self.variable_lines: dict[str, int] = {}
        self.shaky = False  # the graph is not what the writer meant: its checks would mislead

    def bad(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(ProjectError(message, file=self.file, line=line, hint=hint))

    def broken(self, line: int, message: str, hint: str = "") -> None:
        """A problem that changes the graph (a target, an if, an option, a set)."""
        self.shaky = True
        self.bad(line, message, hint)

    def read(self, notes: Sequence[StoryNote]) -> None:
        opened: tuple[int, str, int] | None = None  # first gated scene, condition, line
        for note in notes:
            draft = self.drafts[note.scene] if note.scene >= 0 else None
            if note.kind == "if":
                opened = self._if(note, opened)
            elif note.kind == "end if":
                if opened is None:
                    self.broken(note.line, "[[end if]] has no [[if: …]] before it")
                elif not note.last or note.scene < opened[0]:
                    self.broken(
                        note.line,
                        "[[end if]] must come after the last line of a scene: an [[if]] "
                        "wraps whole scenes",
                        "put it below the last action or dialogue of the last scene it gates",
                    )
                    opened = None
                else:
                    for gated in self.drafts[opened[0] : note.scene + 1]:
                        gated.when, gated.when_line = opened[1], opened[2]
                    opened = None
            elif draft is None and note.kind != "set":
                self.broken(
                    note.line,
                    f"[[{note.kind}: …]] stands before the first scene",
                    "put it inside a scene (below its heading)",
                )
            elif note.kind == "set":
                self._set(note, draft)
            elif draft is not None:
                self._scene_note(note, draft)
        if opened is not None:
            self.broken(opened[2], "[[if: …]] has no [[end if]]", "close it after its last scene")

    def _if(self, note: StoryNote, opened: tuple[int, str, int] | None) -> tuple[int, str, int]:
        if opened is not None:
            self.broken(
                note.line,
                "[[if: …]] inside another [[if: …]]",
                f"close the one at line {opened[2]} first, or join the conditions with `and`",
            )
        if not note.last:
            self.broken(
                note.line,
                "[[if: …]] must stand right before a scene heading: it gates whole scenes, "
                "not part of one",
                "move it above the heading of the first scene it gates",
            )
        elif note.scene + 1 >= len(self.drafts):
            self.broken(note.line, "[[if: …]] gates no scene: none follows it")
        condition = self._condition(note)
        return (note.scene + 1, condition, note.line)

    def _condition(self, note: StoryNote) -> str:
        try:
            groups = parse_condition(note.body)
        except ValueError as exc:
            self.broken(
                note.line,
                f"[[if: {note.body}]]: cannot read `{exc}`",
                "write `variable OP number` (OP one of == != < <= > >=), joined by and / or, "
                "e.g. [[if: courage >= 2]]",
            )
            return note.body
        return " or ".join(" and ".join(f"{n} {op} {v}" for n, op, v in g) for g in groups)

    def _set(self, note: StoryNote, draft: _Draft | None) -> None:
        match = _SET.match(note.body)
        if match is None or (match[2] in "+-" and int(match[3]) < 0):
            self.broken(
                note.line,
                f"[[set: {note.body}]]: cannot read it",
                "write `[[set: courage = 0]]`, `[[set: courage + 1]]` or `[[set: courage - 1]]`",
            )
            return
        name, op, value = match[1], match[2][0], int(match[3])
        if draft is not None:
            draft.sets.append((name, op, value, note.line))
        elif op != "=":
            self.bad(
                note.line,
                f"[[set: {note.body}]] before the first scene can only give a first value",
                f"write [[set: {name} = {value}]]",
            )
        else:
            self.variables[name] = value
            self.variable_lines.setdefault(name, note.line)

    def _scene_note(self, note: StoryNote, draft: _Draft) -> None:
        if note.kind == "choice":
            if draft.choice is not None:
                self.broken(note.line, "a scene offers one [[choice: …]]; this is its second")
            elif not note.last:
                self.bad(
                    note.line,
                    "[[choice: …]] must be the last thing in its scene",
                    "move the action or dialogue below it above it, or into the next scene",
                )
            draft.choice = self._choice(note)
        elif note.kind == "ending":
            title = note.body.strip().strip('"').strip()
            if not title:
                self.bad(note.line, "[[ending: …]] has no title", 'e.g. [[ending: "Dawn"]]')
            draft.ending = title or "The End"
        elif note.kind == "label":
            name = " ".join(note.body.strip().strip('"').split()).upper()
            if not name:
                self.bad(note.line, "[[label: …]] names nothing", "e.g. [[label: LAMP ROOM 2]]")
            elif draft.labelled:
                self.bad(note.line, "a scene has one [[label: …]]; this is its second")
            draft.label, draft.labelled = name or draft.label, True
        elif note.kind == "go to":
            if not note.body.strip():
                self.broken(note.line, "[[go to: …]] names no scene", "e.g. [[go to: SHORE]]")
            draft.go_to = (note.body.strip(), note.line)

    def _choice(self, note: StoryNote) -> tuple[list[tuple[str, str, int]], float, int, int]:
        parts = [p.strip() for p in note.body.split(";")]
        options: list[tuple[str, str, int]] = []
        for text in (t for t in _split_options(parts[0]) if t.strip()):
            match = _OPTION.match(text)
            if match is None:
                self.broken(
                    note.line,
                    f"[[choice: …]]: cannot read the option `{text.strip()}`",
                    'write each option as "what the spectator picks" -> TARGET, separated by |',
                )
                continue
            label = (match["quoted"] if match["quoted"] is not None else match["plain"]).strip()
            options.append((label, match["target"].strip(), note.line))
        seconds, default = COUNTDOWN, 1
        for clause in (p for p in parts[1:] if p):
            timed = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds)", clause, re.I)
            chosen = re.fullmatch(r"default\s*[:=]?\s*(\S+)", clause, re.I)
            if timed and 1 <= float(timed[1]) <= MAX_COUNTDOWN:
                seconds = float(timed[1])
            elif timed:
                self.bad(note.line, f"[[choice: …]]: a countdown of {clause}", "give 1 to 300 s")
            elif chosen and chosen[1].isdigit() and 1 <= int(chosen[1]) <= max(1, len(options)):
                default = int(chosen[1])
            elif chosen:
                self.bad(
                    note.line,
                    f"[[choice: …]]: `{clause}` names no option",
                    f"the default is an option's number, 1 to {len(options)}",
                )
            else:
                self.bad(
                    note.line,
                    f"[[choice: …]] does not understand `{clause}`",
                    "after the options: a countdown (`8s`) and `default N`, separated by ;",
                )
        if len(options) < 2:
            self.broken(
                note.line,
                f"[[choice: …]] offers {'no option' if not options else 'one option only'}",
                'give two options or more: "A" -> SCENE | "B" -> SCENE; a jump with no '
                "question is [[go to: SCENE]]",
            )
        return options, seconds, default - 1, note.line


def _split_options(text: str) -> list[str]:
    """Split on `|` outside quotes."""
    out, current, quoted = [], "", False
    for char in text:
        quoted = not quoted if char == '"' else quoted
        if char == "|" and not quoted:
            out.append(current)
            current = ""
        else:
            current += char
    return [*out, current]


def story_of(film: Film) -> Story | None:
    """The story graph of a branching film (None for a linear one); every problem of its
    notes is raised at once, as ProjectErrors."""
    if not film.story:
        return None
    reader = _Reader(film)
    reader.read(film.story)
    graph = _Graph(reader)
    graph.check()
    if reader.problems:
        raise ProjectErrors(sorted(reader.problems, key=lambda p: p.line or 0))
    return graph.story()


class _Graph:
    """Targets resolved, then the whole-story checks: reach, ends, loops, variables."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.drafts = reader.drafts
        self.index = {d.scene.id: i for i, d in enumerate(self.drafts)}
        self.targets: dict[int, list[int]] = {}  # scene → its choice's targets
        self.go_to: dict[int, int] = {}
        for i, draft in enumerate(self.drafts):
            if draft.choice is not None:
                found = [self._resolve(t, line) for _, t, line in draft.choice[0]]
                self.targets[i] = [t for t in found if t is not None]
            if draft.go_to is not None:
                target = self._resolve(*draft.go_to)
                problem = self._go_to_problem(draft)
                if problem:
                    reader.broken(draft.go_to[1], problem)
                elif target is not None:
                    self.go_to[i] = target

    @staticmethod
    def _go_to_problem(draft: _Draft) -> str:
        if draft.choice is not None or draft.ending is not None:
            return "[[go to: …]] in a scene that ends in a choice or an ending"
        if draft.when is not None:
            return "[[go to: …]] in a gated scene: when it is skipped, play goes on below it"
        return ""

    def _resolve(self, target: str, line: int) -> int | None:
        text = " ".join(target.strip().strip("#").split())
        by_number = [
            i for i, d in enumerate(self.drafts) if text in (d.scene.id, d.scene.number) and text
        ]
        if len(by_number) == 1:
            return by_number[0]
        named = [i for i, d in enumerate(self.drafts) if d.label == text.upper()]
        if len(named) == 1:
            return named[0]
        if named:
            which = ", ".join(
                f"scene {self.drafts[i].scene.id} (line {self.drafts[i].scene.line}: "
                f"{self.drafts[i].scene.heading})"
                for i in named
            )
            self.reader.broken(
                line,
                f"`{target}` names {len(named)} scenes: {which}",
                "name the scene you mean by its number (`#12#` after its heading, then "
                "-> 12) or give it a label ([[label: NAME]] in it)",
            )
            return None
        labels = sorted({d.label for d in self.drafts})
        close = difflib.get_close_matches(text.upper(), labels, n=2, cutoff=0.6)
        self.reader.broken(
            line,
            f"`{target}` names no scene",
            f"did you mean {' or '.join(close)}?"
            if close
            else f"a target is a scene's location or number: {', '.join(labels[:8])}",
        )
        return None

    def next_of(self, i: int) -> int | None:
        """Where play goes with no choice, or when the scene is skipped."""
        draft = self.drafts[i]
        if i in self.go_to:
            return self.go_to[i]
        if draft.when is None and (draft.choice is not None or draft.ending is not None):
            return None
        return i + 1 if i + 1 < len(self.drafts) else None

    def played(self, i: int) -> list[int]:
        """Where play may go after the scene plays."""
        draft = self.drafts[i]
        if draft.choice is not None:
            return self.targets.get(i, [])
        if draft.ending is not None:
            return []
        after = self.next_of(i)
        return [after] if after is not None else []

    def edges(self, i: int) -> list[int]:
        skipped = self.next_of(i) if self.drafts[i].when is not None else None
        return list(dict.fromkeys([*self.played(i), *([skipped] if skipped is not None else [])]))

    def reach(self, start: int) -> list[int]:
        seen, todo = {start}, [start]
        while todo:
            for j in self.edges(todo.pop()):
                if j not in seen:
                    seen.add(j)
                    todo.append(j)
        return sorted(seen)

    def check(self) -> None:
        if self.reader.shaky:  # the graph is not the one meant: its checks would be noise
            return
        bad = self.reader.bad
        reached = self.reach(0)
        for i, draft in enumerate(self.drafts):
            scene = draft.scene
            if i not in reached:
                bad(
                    scene.line,
                    f"scene {scene.id} ({draft.label}) is never reached",
                    "no choice or [[go to]] leads to it and the scene above it ends in a "
                    "choice or an ending: target it from a choice, or remove it",
                )
        ends = set()
        for i in reached:
            draft = self.drafts[i]
            if draft.ending is not None:
                ends.add(i)
            elif draft.choice is None and self.next_of(i) is None:
                ends.add(i)
                bad(
                    draft.scene.line,
                    f"the story stops after scene {draft.scene.id} ({draft.label}) without an "
                    "ending",
                    'end it with [[ending: "Title"]], or a [[choice]] or [[go to]]',
                )
            elif draft.when is not None and self.next_of(i) is None:
                ends.add(i)
                bad(
                    draft.when_line,
                    f"when `{draft.when}` does not hold, the story stops at scene "
                    f"{draft.scene.id} without an ending",
                    "add a scene after it (with an ending) for the other case",
                )
        self._loops(reached, ends)
        self._variables(reached)

    def _loops(self, reached: list[int], ends: set[int]) -> None:
        finishing = set(ends)
        changed = True
        while changed:
            changed = False
            for i in reached:
                if i not in finishing and any(j in finishing for j in self.edges(i)):
                    finishing.add(i)
                    changed = True
        stuck = [i for i in reached if i not in finishing]
        forward = {i: set(self.reach(i)) for i in stuck}
        reported: set[int] = set()
        for i in stuck:
            loop = sorted(j for j in forward[i] if i in forward[j])
            if i in reported or not all(forward[j] <= set(loop) for j in loop):
                continue  # not a loop with no way out, or one reported already
            reported.update(loop)
            names = " → ".join(f"{self.drafts[j].scene.id} {self.drafts[j].label}" for j in loop)
            self.reader.bad(
                self.drafts[loop[0]].scene.line,
                f"these scenes loop with no way out to an ending: {names}",
                "give one of their choices an option that leads out (to an ending)",
            )

    def _variables(self, reached: list[int]) -> None:
        """Every use of a variable comes after a `set: x = N` on every path to it."""
        arriving: dict[int, set[str] | None] = {i: None for i in reached}
        arriving[0] = set(self.reader.variables)
        todo = [0]
        while todo:
            i = todo.pop()
            known = arriving[i]
            assert known is not None
            after = known | {name for name, *_ in self.drafts[i].sets}
            skipped = self.next_of(i) if self.drafts[i].when is not None else None
            for j, values in [(j, after) for j in self.played(i)] + (
                [(skipped, known)] if skipped is not None else []
            ):
                current = arriving[j]
                merged = set(values) if current is None else current & values
                if merged != current:
                    arriving[j] = merged
                    todo.append(j)
        for i in reached:
            draft, known = self.drafts[i], set(arriving[i] or ())
            if draft.when is not None:
                for name in _names(draft.when) - known:
                    self._unset(draft.when_line, name)
            for name, op, _, line in draft.sets:
                if op != "=" and name not in known:
                    self._unset(line, name)
                known.add(name)

    def _unset(self, line: int, name: str) -> None:
        self.reader.bad(
            line,
            f"`{name}` may be used before it is set: on some path here no [[set: {name} = …]] "
            "comes first",
            f"give it a first value before the first scene or in it: [[set: {name} = 0]]",
        )

    def story(self) -> Story:
        scenes = []
        for i, draft in enumerate(self.drafts):
            choice = None
            if draft.choice is not None:
                raw, seconds, default, line = draft.choice
                options = tuple(
                    Option(text, self.drafts[target].scene.id)
                    for (text, _, _), target in zip(raw, self.targets[i], strict=True)
                )
                choice = Choice(options, seconds, default, line)
            after = self.next_of(i)
            scenes.append(
                StoryScene(
                    id=draft.scene.id,
                    label=draft.label,
                    heading=draft.scene.heading,
                    when=draft.when,
                    sets=tuple((name, op, value) for name, op, value, _ in draft.sets),
                    next=self.drafts[after].scene.id if after is not None else None,
                    choice=choice,
                    ending=draft.ending,
                )
            )
        return Story(scenes[0].id, tuple(scenes), dict(self.reader.variables))


def _names(condition: str) -> set[str]:
    return {name for group in parse_condition(condition) for name, _, _ in group}


# 4. one path through the story


@dataclass(frozen=True)
class Walk:
    """One linear version: the scenes played, and the option taken at each choice."""

    scenes: tuple[str, ...]
    picks: tuple[int, ...]  # 0-based, one per choice met
    ending: str

    @property
    def name(self) -> str:
        """`1-2-1`: the options taken, 1-based."""
        return "-".join(str(p + 1) for p in self.picks) or "0"


def walk(story: Story, path: Sequence[str] = ()) -> Walk:
    """Play the story, taking `path`'s options (text, a prefix of it, or a 1-based number)
    at the choices, then each choice's default; CinecodeError on an option that is not there."""
    variables = dict(story.variables)
    played: list[str] = []
    picks: list[int] = []
    wanted = [p.strip() for p in path if p.strip()]
    at: str | None = story.start
    for _ in range(100 * len(story.scenes) + 100):
        if at is None:
            break
        scene = story.scene(at)
        if scene.when is not None and not holds(scene.when, variables):
            at = scene.next
            continue
        apply(scene.sets, variables)
        played.append(scene.id)
        if scene.ending is not None:
            if len(picks) < len(wanted):
                raise CinecodeError(
                    f"the path reaches the ending “{scene.ending}” after {len(picks)} "
                    f"choice(s); `{', '.join(wanted[len(picks) :])}` is left over",
                    hint="give one option per choice met on the way",
                )
            return Walk(tuple(played), tuple(picks), scene.ending)
        if scene.choice is None:
            at = scene.next
            continue
        index = (
            _pick(scene, wanted[len(picks)], len(picks) + 1)
            if len(picks) < len(wanted)
            else scene.choice.default
        )
        picks.append(index)
        at = scene.choice.options[index].target
    raise CinecodeError(
        "this path never reaches an ending (it goes round a loop)",
        hint="give the options to take with --path",
    )


def _pick(scene: StoryScene, wanted: str, number: int) -> int:
    assert scene.choice is not None
    options = scene.choice.options
    texts = [o.text.lower() for o in options]
    low = wanted.lower()
    if low.isdigit() and 1 <= int(low) <= len(options):
        return int(low) - 1
    if low in texts:
        return texts.index(low)
    prefixed = [i for i, text in enumerate(texts) if text.startswith(low)]
    if len(prefixed) == 1:
        return prefixed[0]
    listed = "; ".join(f'{i}. "{o.text}"' for i, o in enumerate(options, start=1))
    raise CinecodeError(
        f"choice {number} (scene {scene.id}, {scene.label}) has no option `{wanted}`",
        hint=f"its options: {listed} (give the text or the number)",
    )
