"""What the Fountain reader produces: a flat, ordered list of elements with source lines.

Every element keeps the 1-based line of the screenplay where it starts (`line`) and ends
(`end_line`), so every later message can point at the script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ElementKind = Literal[
    "heading",  # scene heading (slug), incl. forced `.HEADING`
    "action",  # action / description, incl. forced `!`
    "centered",  # > centered text <
    "dialogue",  # one character's speech block (cue + parentheticals + lines)
    "transition",  # CUT TO: / > forced
    "lyric",  # ~ lyric lines outside dialogue
    "section",  # # Act / ## Sequence
    "synopsis",  # = synopsis
    "note",  # a [[note]] that stands alone as a paragraph
    "page_break",  # ===
]

PartKind = Literal["speech", "parenthetical", "lyric"]


@dataclass(frozen=True)
class Note:
    """A `[[note]]`; `line` is where its `[[` is."""

    text: str
    line: int


@dataclass(frozen=True)
class DialoguePart:
    """One line of a dialogue block: what is said, how (parenthetical), or sung (lyric)."""

    kind: PartKind
    text: str  # plain text, emphasis markers removed; parentheticals keep no brackets
    line: int


@dataclass(frozen=True)
class Element:
    """One screenplay element.

    `text` is plain text: emphasis markers (`*`, `**`, `_`) and notes removed, lines joined
    with "\\n". `markup` keeps the emphasis as Fountain wrote it (for PDFs and subtitles).
    """

    kind: ElementKind
    text: str
    line: int
    end_line: int
    markup: str = ""
    notes: tuple[Note, ...] = ()  # inline notes inside this element
    forced: bool = False  # `.`, `!`, `@`, `>` forced forms
    # heading
    scene_number: str = ""
    # dialogue
    character: str = ""  # cue name: no `@`, extension, `^` or (CONT'D)
    extension: str = ""  # "V.O.", "O.S.", "O.C.", … ("" when none); CONT'D is dropped
    contd: bool = False  # the cue said (CONT'D)
    dual: bool = False  # second half of a dual-dialogue pair (its cue ended with `^`)
    parts: tuple[DialoguePart, ...] = ()
    # section
    level: int = 0

    @property
    def speech(self) -> str:
        """The spoken words of a dialogue block (parentheticals left out)."""
        return " ".join(p.text for p in self.parts if p.kind != "parenthetical").strip()


@dataclass(frozen=True)
class Script:
    """A parsed screenplay."""

    path: str
    title_page: dict[str, list[str]] = field(
        default_factory=dict
    )  # "Title": ["…"], keys capitalized
    elements: tuple[Element, ...] = ()
    boneyard_lines: tuple[tuple[int, int], ...] = ()  # (first, last) source lines of /* … */

    @property
    def headings(self) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if e.kind == "heading")

    @property
    def title(self) -> str:
        return " ".join(self.title_page.get("Title", [])).strip()
