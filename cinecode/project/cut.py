"""The editor's decisions: `cut.toml`, a plain file in the project folder.

`cinecode conform` writes it from a timeline an editor changed; `plan` reads it, so the next
`make` masters the editor's cut. It is keyed by stable shot ids (`shots.lock`), so later
script changes keep every decision whose shot still exists:

```toml
source = "edited.xml"      # where the cut came from (informational)
removed = ["1.3"]          # shots the editor took out

[[shot]]                   # in cut order
id = "1.1"
trim = 12                  # frames cut from the head of the shot's picture
frames = 83                # how long it holds, in frames (the editor's length: never padded)
source = 95                # frames of the shot's picture the editor cut from
fingerprint = "9c0f…"      # what the shot was (its timing and voices) when it was cut
written = "77ab…"          # the editor left it as the screenplay times it (frames says how
                           # long that is; this, what that length depended on): its render
                           # is kept, nothing is made anew

[[transition]]
kind = "dissolve"          # dissolve | fade-in | fade-out | cut
after = "2.14"             # the outgoing shot ("" for a fade-in)
before = "3.1"             # the incoming shot ("" for a fade-out)
frames = 24
```
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cinecode.errors import ProjectError

TransitionKind = Literal["cut", "dissolve", "fade-in", "fade-out"]
TRANSITION_KINDS: tuple[TransitionKind, ...] = ("cut", "dissolve", "fade-in", "fade-out")
CARDS = ("notice", "title", "credits")


def film_cards(*, notice: bool) -> frozenset[str]:
    """The cards a film's cut holds: the title and the credits, and the opening notice when
    `[provenance] notice` is on."""
    return frozenset(CARDS if notice else (card for card in CARDS if card != "notice"))


@dataclass(frozen=True)
class Event:
    """One shot in the editor's cut."""

    shot: str
    trim: int = 0  # frames cut from the head of its picture (negative: into the head handle)
    frames: int | None = None  # its length in the cut; None: natural timing
    source: int | None = None  # frames of the picture the editor cut from
    fingerprint: str = ""  # the shot's timing and voices when it was cut
    written: str = ""  # untouched, at its screenplay length: what that length depended on


@dataclass(frozen=True)
class Transition:
    """A transition at a shot's edge: a dissolve between two shots, or a fade to/from black."""

    kind: TransitionKind
    frames: int
    after: str = ""  # outgoing shot
    before: str = ""  # incoming shot


@dataclass(frozen=True)
class Cut:
    """The editor's cut: shots in order with their timing, removed shots, transitions."""

    events: tuple[Event, ...] = ()
    removed: frozenset[str] = field(default_factory=frozenset)
    transitions: tuple[Transition, ...] = ()
    source: str = ""

    def event(self, shot: str) -> Event | None:
        """The decision about `shot`, if the editor's cut has it."""
        for event in self.events:
            if event.shot == shot:
                return event
        return None


def read_cut(path: Path) -> Cut | None:
    """Read cut.toml (None when there is none: the screenplay's cut)."""
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        events = tuple(
            Event(
                shot=str(item["id"]),
                trim=int(item.get("trim", 0)),
                frames=int(item["frames"]) if "frames" in item else None,
                source=int(item["source"]) if "source" in item else None,
                fingerprint=str(item.get("fingerprint", "")),
                written=str(item.get("written", "")),
            )
            for item in data.get("shot", [])
        )
        transitions = tuple(
            Transition(
                kind=_kind(str(item["kind"])),
                frames=int(item["frames"]),
                after=str(item.get("after", "")),
                before=str(item.get("before", "")),
            )
            for item in data.get("transition", [])
        )
        removed = frozenset(str(shot) for shot in data.get("removed", []))
        for event in events:
            if event.frames is not None and event.frames < 1:
                raise ValueError(f"shot {event.shot} has {event.frames} frames")
        return Cut(events, removed, transitions, str(data.get("source", "")))
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ProjectError(
            f"cut.toml is damaged ({exc})",
            file=str(path),
            hint="fix it, conform the editor's timeline again, or delete it to go back to "
            "the screenplay's cut",
        ) from None


def _kind(value: str) -> TransitionKind:
    for kind in TRANSITION_KINDS:
        if kind == value:
            return kind
    raise ValueError(f"unknown transition {value!r} (use {', '.join(TRANSITION_KINDS)})")


def format_cut(cut: Cut, *, fps: int) -> str:
    """cut.toml as text: one table per shot, in cut order (diff-friendly)."""
    out = [
        "# The editor's cut, written by `cinecode conform`; `cinecode make` masters it.",
        f"# Frames are at {fps} fps. Delete this file to go back to the screenplay's cut.",
        "",
    ]
    if cut.source:
        out.append(f"source = {json.dumps(cut.source, ensure_ascii=False)}")
    out.append(f"removed = {json.dumps(sorted(cut.removed))}")
    out.append("")
    for event in cut.events:
        out.append("[[shot]]")
        out.append(f"id = {json.dumps(event.shot)}")
        if event.trim:
            out.append(f"trim = {event.trim}")
        if event.frames is not None:
            out.append(f"frames = {event.frames}")
        if event.source is not None:
            out.append(f"source = {event.source}")
        if event.fingerprint:
            out.append(f"fingerprint = {json.dumps(event.fingerprint)}")
        if event.written:
            out.append(f"written = {json.dumps(event.written)}")
        out.append("")
    for transition in cut.transitions:
        out.append("[[transition]]")
        out.append(f"kind = {json.dumps(transition.kind)}")
        if transition.after:
            out.append(f"after = {json.dumps(transition.after)}")
        if transition.before:
            out.append(f"before = {json.dumps(transition.before)}")
        out.append(f"frames = {transition.frames}")
        out.append("")
    return "\n".join(out)
