"""The Fountain reader: screenplay text → `Script`, every element with its source lines.

Fountain (https://fountain.io/syntax) is read the way screenplain 0.12 reads it, so both agree
on what is a scene heading: the same boneyard removal, the same paragraphs, the same rules in
the same order (copied below). On top of that this reader keeps what screenplain drops —
notes with their lines, lyrics, synopses anywhere — and carries the 1-based source line of
every character through boneyard and note removal, so no line number ever shifts.

    script = read_script(Path("film.fountain"))
    for heading in script.headings:
        print(heading.line, heading.text)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cinecode.errors import ScriptError
from cinecode.script.elements import DialoguePart, Element, ElementKind, Note, PartKind, Script

__all__ = ["parse_fountain", "read_script"]

# Copied from screenplain.parsers.fountain (0.12.0): what each paragraph is.
# tests/test_fountain.py checks these are still screenplain's.
SLUG_REGEXES = (
    re.compile(r"^(INT|EXT|EST)[ .]"),
    re.compile(r"^(INT\.?/EXT\.?)[ .]"),
    re.compile(r"^I/E[ .]"),
)
BONEYARD_RE = re.compile(r"/\*.*?\*/", flags=re.DOTALL)
TITLE_PAGE_KEY_RE = re.compile(r"([^:]+):\s*(.*)")
TITLE_PAGE_VALUE_RE = re.compile(r"(?:\s{3,}|\t)(.+)")
CENTERED_RE = re.compile(r"\s*>\s*(.*?)\s*<\s*$")
DUAL_DIALOG_RE = re.compile(r"^(.+?)(\s*\^)$")
SLUG_RE = re.compile(r"(?:(\.)(?=[^.])\s*)?(\S.*?)\s*$")
SCENE_NUMBER_RE = re.compile(r"(.*?)\s*(?:#([\w\-.]+)#)\s*$")
SECTION_RE = re.compile(r"^(#{1,6})\s*([^#].*)$")
TRANSITION_RE = re.compile(r"(>?)\s*(.+?)(TO:)?$")
PAGE_BREAK_RE = re.compile(r"^={3,}$")
NOTE_RE = re.compile(r"\[\[.*?\]\]", re.DOTALL)

# Copied from screenplain.richstring (0.12.0): emphasis, parsed bold, then italic, then underline.
_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?[*_]*)(?<=\S)\*\*")
_ITALIC_RE = re.compile(r"\*([^\s].*?)\*(?!\*)")
_UNDERLINE_RE = re.compile(r"_(?=\S)([^_]+)(?<=\S)_")
_MAGIC_RE = re.compile("[\ue700-\ue705]")
_LITERAL_STAR, _LITERAL_UNDERSCORE = "\ue706", "\ue707"

_EXTENSION_RE = re.compile(r"\(([^()]*)\)")
_CONTD_RE = re.compile(r"^\s*cont(?:['’]?d|\.|inued|inuing)\s*$", re.IGNORECASE)
_UTF8_HINT = "save the screenplay as UTF-8 (in most editors: Save As… → Encoding: UTF-8)"


def read_script(path: Path) -> Script:
    """Read a Fountain file (UTF-8, BOM and CRLF/CR line endings accepted) into a `Script`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScriptError(
            f"cannot read the screenplay: {exc.strerror or exc}",
            file=str(path),
            hint="check the path to the .fountain file",
        ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[: exc.start]
        line = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
        column = exc.start - max(head.rfind(b"\n"), head.rfind(b"\r"))
        raise ScriptError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02X} at column {column} cannot be decoded",
            file=str(path),
            line=line,
            hint=_UTF8_HINT,
        ) from exc
    return parse_fountain(text, path=str(path))


def parse_fountain(text: str, *, path: str = "<string>") -> Script:
    """Parse Fountain source into a `Script`; `path` only names the script (`Script.path`)."""
    # 1. normalise: drop a BOM, every line ending becomes "\n"
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # 2. remove the boneyard, keeping each remaining character's source line
    raw = text.split("\n")
    lines = [_Text(t, ((0, i + 1),)) for i, t in enumerate(raw)]
    boneyard: list[tuple[int, int]] = []
    if "/*" in text:
        spans = [m.span() for m in BONEYARD_RE.finditer(text)]
        if spans:
            line_starts = _starts(raw)
            for start, end in spans:
                first = bisect_right(line_starts, start)
                boneyard.append((first, bisect_right(line_starts, end - 1)))
            lines = _cut(lines, spans)
    # 3. tabs become 4 spaces, as screenplain has it (keeps indented action indented)
    lines = [_expand_tabs(t) if "\t" in t.text else t for t in lines]
    # 4. title page, then 5. the body, paragraph by paragraph
    title_page, body = _split_title_page(lines)
    return Script(
        path=path,
        title_page=title_page,
        elements=tuple(_Reader().read(body)),
        boneyard_lines=tuple(boneyard),
    )


# --- text that remembers where it came from ------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Text:
    """One line of (processed) text; `marks` are (column, source line), the first at column 0."""

    text: str
    marks: tuple[tuple[int, int], ...]

    def line_at(self, col: int) -> int:
        """The source line of the character at `col`."""
        if len(self.marks) == 1:
            return self.marks[0][1]
        i = bisect_right([c for c, _ in self.marks], col) - 1
        return self.marks[max(i, 0)][1]

    @property
    def first_line(self) -> int:
        """Source line of the first non-blank character (of column 0 when there is none)."""
        stripped = self.text.lstrip()
        return self.line_at(len(self.text) - len(stripped) if stripped else 0)

    @property
    def last_line(self) -> int:
        """Source line of the last non-blank character."""
        return self.line_at(max(len(self.text.rstrip()) - 1, 0))


def _starts(texts: Sequence[str]) -> list[int]:
    """Offsets where each text starts in `"\\n".join(texts)`."""
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    return starts


def _cut(lines: list[_Text], spans: list[tuple[int, int]]) -> list[_Text]:
    """Remove `spans` (offsets in the lines joined by "\\n") and re-split, keeping lines."""
    starts = _starts([t.text for t in lines])
    total = starts[-1] + len(lines[-1].text)
    keep, pos = [], 0
    for start, end in spans:
        keep.append((pos, start))
        pos = end
    keep.append((pos, total))

    out: list[_Text] = []
    parts: list[str] = []
    marks: list[tuple[int, int]] = [(0, lines[0].line_at(0))]
    length = 0
    for a, b in keep:
        k = bisect_right(starts, a) - 1
        p = a
        while p < b:
            s, src = starts[k], lines[k]
            e = s + len(src.text)
            if p < e:
                hi = min(b, e)
                c0, c1 = p - s, hi - s
                marks.append((length, src.line_at(c0)))
                marks.extend((length + c - c0, ln) for c, ln in src.marks if c0 < c < c1)
                parts.append(src.text[c0:c1])
                length += c1 - c0
                p = hi
            if p == e and p < b:  # the "\n" after line k is kept: a new line starts
                out.append(_Text("".join(parts), _tidy(marks)))
                k += 1
                parts, marks, length = [], [(0, lines[k].line_at(0))], 0
                p += 1
    out.append(_Text("".join(parts), _tidy(marks)))
    return out


def _tidy(marks: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Drop marks that a later mark at the same column overrides, and repeated lines."""
    out: list[tuple[int, int]] = []
    for col, line in marks:
        if out and out[-1][0] == col:
            out.pop()
        if not out or out[-1][1] != line:
            out.append((col, line))
    return tuple(out)


def _expand_tabs(t: _Text) -> _Text:
    """Expand tabs to 4 columns, moving the marks along."""
    if len(t.marks) == 1:
        return _Text(t.text.expandtabs(4), t.marks)
    marks = tuple((len(t.text[:c].expandtabs(4)), ln) for c, ln in t.marks)
    return _Text(t.text.expandtabs(4), marks)


# --- title page ------------------------------------------------------------------------------


def _note_spans(text: str) -> list[tuple[int, int]]:
    """Where NOTE_RE matches, found in linear time (the regex retries every `[[` to the end
    when no `]]` follows: seconds for a line of brackets)."""
    spans = []
    start = text.find("[[")
    while start >= 0:
        end = text.find("]]", start + 2)
        if end < 0:
            break
        spans.append((start, end + 2))
        start = text.find("[[", end + 2)
    return spans


def _without_notes(text: str) -> str:
    """`NOTE_RE.sub("", text)`."""
    kept, at = [], 0
    for start, end in _note_spans(text):
        kept.append(text[at:start])
        at = end
    return "".join(kept) + text[at:]


def _split_title_page(lines: list[_Text]) -> tuple[dict[str, list[str]], list[_Text]]:
    """Take the title page off the top: (title page, body lines).

    As screenplain: the lines up to the first empty one, when they are `Key: value` pairs. As the
    spec (not screenplain): blank lines and notes standing alone above it do not hide it.
    """
    start = 0
    while start < len(lines):
        if _is_blank(lines[start].text):
            start += 1
            continue
        end = start
        while end < len(lines) and not _is_blank(lines[end].text):
            end += 1
        if _without_notes("\n".join(t.text for t in lines[start:end])).strip():
            break
        start = end
    end = start
    while end < len(lines) and lines[end].text != "":
        end += 1
    head = [t.text for t in lines[start:end]]
    title_page = _parse_title_page(head)
    if not title_page or (start and len(head) == 1 and _slug(head[0]) is not None):
        return {}, lines  # (screenplain would see that one line as a scene heading)
    return title_page, lines[:start] + lines[end:]


def _parse_title_page(lines: list[str]) -> dict[str, list[str]]:
    """`Key: value` lines (values may continue on indented lines); {} when not a title page."""
    # Copied from screenplain.parsers.fountain.parse_title_page (0.12.0), values made plain.
    result: dict[str, list[str]] = {}
    i = 0
    while i < len(lines):
        key_match = TITLE_PAGE_KEY_RE.match(lines[i])
        if not key_match:
            return {}
        key, value = key_match.groups()
        key = key.capitalize()
        i += 1
        if value:
            result.setdefault(key, []).append(_plain(_without_notes(value)).strip())
            continue
        while i < len(lines) and (value_match := TITLE_PAGE_VALUE_RE.match(lines[i])):
            result.setdefault(key, []).append(_plain(_without_notes(value_match[1])).strip())
            i += 1
    return result


# --- body ------------------------------------------------------------------------------------


def _is_blank(line: str) -> bool:
    return line in ("", " ")


def _plain(text: str) -> str:
    """Text without emphasis markers; `\\*` and `\\_` are literal (screenplain's parse_emphasis)."""
    if "*" not in text and "_" not in text:
        return text
    text = text.replace("\\*", _LITERAL_STAR).replace("\\_", _LITERAL_UNDERSCORE)
    text = _BOLD_RE.sub("\ue702\\1\ue703", text)
    text = _ITALIC_RE.sub("\ue700\\1\ue701", text)
    text = _UNDERLINE_RE.sub("\ue704\\1\ue705", text)
    text = _MAGIC_RE.sub("", text)
    return text.replace(_LITERAL_STAR, "*").replace(_LITERAL_UNDERSCORE, "_")


def _slug(line: str) -> tuple[str, str, bool] | None:
    """(heading, scene number, forced) when screenplain takes this line for a scene heading."""
    match = SLUG_RE.match(line)
    if not match:
        return None
    period, text = match.groups()
    text = text.upper()
    if not period and not any(regex.match(text) for regex in SLUG_REGEXES):
        return None
    number = SCENE_NUMBER_RE.match(text)
    if number:
        return number[1], number[2], bool(period)
    return text, "", bool(period)


def _kind(lines: list[str], last: str) -> str:
    """What screenplain makes of a paragraph (InputParagraph.update_list, in its order).

    `last` is what screenplain made of the paragraph before: "slug", "section", "dialog",
    "dual" or "other".
    """
    first = lines[0]
    if first.startswith("!"):
        return "forced_action"
    if len(lines) == 1 and PAGE_BREAK_RE.match(first):
        return "page_break"
    if len(lines) == 1 and first.startswith("=") and last in ("slug", "section"):
        return "synopsis"
    if first.startswith("#") and all(SECTION_RE.match(s) or s.startswith("=") for s in lines):
        return "sections"
    if len(lines) == 1 and _slug(first) is not None:
        return "slug"
    if ">" in first and all(CENTERED_RE.match(s) for s in lines):
        return "centered"
    if len(lines) >= 2 and not first.endswith("  "):
        if first.startswith("@") and len(first) >= 2:
            cue = first[1:]
        elif first.split("(", 1)[0].isupper():
            cue = first
        else:
            cue = ""
        if cue:
            return "dual" if last == "dialog" and DUAL_DIALOG_RE.match(cue) else "dialog"
    if len(lines) == 1:
        match = TRANSITION_RE.match(first)
        if match and (match[1] or (match[2].isupper() and match[3])):
            return "transition"
    return "action"


def _on(t: _Text, notes: tuple[Note, ...]) -> tuple[Note, ...]:
    """The notes that start on this line (for paragraphs that make one element per line)."""
    lines = {line for _, line in t.marks}
    return tuple(n for n in notes if n.line in lines)


# screenplain's paragraph kinds → what the next paragraph sees as `last`
_AFTER = {"slug": "slug", "sections": "section", "dialog": "dialog", "dual": "dual"}


class _Reader:
    """Turns body lines into elements, one paragraph at a time."""

    def __init__(self) -> None:
        self.elements: list[Element] = []
        self.last = "other"

    def read(self, lines: list[_Text]) -> list[Element]:
        """All elements of the body, in order."""
        i, n = 0, len(lines)
        while i < n:
            if _is_blank(lines[i].text):
                i += 1
                continue
            j = i + 1
            while j < n and not _is_blank(lines[j].text):
                j += 1
            self.paragraph(lines[i:j])
            i = j
        return self.elements

    def paragraph(self, para: list[_Text]) -> None:
        """Classify one paragraph (blank-line separated) and append its elements."""
        # 1. notes out, with their lines
        notes: list[tuple[Note, int]] = []
        joined = "\n".join(t.text for t in para)
        if "[[" in joined:
            spans = []
            starts = _starts([t.text for t in para])
            for a, b in _note_spans(joined):
                ka, kb = bisect_right(starts, a) - 1, bisect_right(starts, b - 1) - 1
                note = Note(joined[a + 2 : b - 2].strip(), para[ka].line_at(a - starts[ka]))
                notes.append((note, para[kb].line_at(b - 1 - starts[kb])))
                if a and joined[a - 1] == " " and joined[b : b + 1] in ("", " ", "\n"):
                    a -= 1  # "word [[note]] word" reads "word word", not "word  word"
                spans.append((a, b))
            if spans:
                para = _cut(para, spans)
                joined = "\n".join(t.text for t in para)
        if not joined.strip():
            for note, end_line in notes:
                self.elements.append(Element("note", note.text, note.line, end_line, note.text))
            if not _is_blank(joined):
                self.last = "other"  # screenplain keeps an empty action here
            return
        # 2. what screenplain makes of it, 3. what we make of it
        texts = [t.text for t in para]
        kind = _kind(texts, self.last)
        self.last = _AFTER.get(kind, self.last if kind == "synopsis" else "other")
        inline = tuple(note for note, _ in notes)
        if kind in ("action", "dialog", "dual", "transition") and texts[0].startswith("~"):
            self.lyric(para, inline)
        elif kind in ("action", "dialog", "dual", "transition") and all(
            s.startswith("=") and not PAGE_BREAK_RE.match(s) for s in texts
        ):
            for t in para:
                self.line_element("synopsis", t, t.text[1:].strip(), _on(t, inline))
        elif kind == "sections":
            for t in para:
                section = SECTION_RE.match(t.text)
                if section:
                    text, level = section[2].strip(), len(section[1])
                    self.line_element("section", t, text, _on(t, inline), level=level)
                else:
                    self.line_element("synopsis", t, t.text[1:].strip(), _on(t, inline))
        elif kind == "synopsis":
            self.line_element("synopsis", para[0], texts[0][1:].strip(), inline)
        elif kind == "slug":
            self.heading(para[0], inline)
        elif kind == "page_break":
            t = para[0]
            self.elements.append(Element("page_break", "", t.first_line, t.last_line, notes=inline))
        elif kind == "centered":
            centered = [CENTERED_RE.match(s) for s in texts]
            self.block("centered", para, [m[1] if m else "" for m in centered], inline)
        elif kind in ("dialog", "dual"):
            self.dialogue(para, inline, dual=kind == "dual")
        elif kind == "transition":
            self.transition(para[0], inline)
        else:
            strip = [s[1:].rstrip() if s.startswith("!") else s.rstrip() for s in texts]
            self.block("action", para, strip, inline, forced=kind == "forced_action")

    def line_element(
        self, kind: ElementKind, t: _Text, text: str, notes: tuple[Note, ...], *, level: int = 0
    ) -> None:
        """One element from one line (synopsis, section); none when the line says nothing."""
        if text:
            self.elements.append(
                Element(
                    kind, _plain(text), t.first_line, t.last_line, text, notes=notes, level=level
                )
            )

    def block(
        self,
        kind: ElementKind,
        para: list[_Text],
        texts: list[str],
        notes: tuple[Note, ...],
        *,
        forced: bool = False,
    ) -> None:
        """One element from lines (action, centered, lyric); blank lines around it dropped."""
        used = [i for i, s in enumerate(texts) if s.strip()]
        if not used:
            return
        first, last = used[0], used[-1]
        markup = "\n".join(texts[first : last + 1])
        text = "\n".join(_plain(s) for s in texts[first : last + 1])
        line, end_line = para[first].first_line, para[last].last_line
        self.elements.append(Element(kind, text, line, end_line, markup, notes, forced=forced))

    def lyric(self, para: list[_Text], notes: tuple[Note, ...]) -> None:
        """`~` lines outside dialogue."""
        texts = [t.text[1:].strip() if t.text.startswith("~") else t.text.strip() for t in para]
        self.block("lyric", para, texts, notes)

    def heading(self, t: _Text, notes: tuple[Note, ...]) -> None:
        """A scene heading (screenplain upper-cases it)."""
        slug = _slug(t.text)
        assert slug is not None  # _kind said so
        text, number, forced = slug
        self.elements.append(
            Element(
                "heading",
                _plain(text),
                t.first_line,
                t.last_line,
                text,
                notes,
                forced=forced,
                scene_number=number,
            )
        )

    def transition(self, t: _Text, notes: tuple[Note, ...]) -> None:
        """CUT TO: and `>` forced transitions."""
        match = TRANSITION_RE.match(t.text)
        assert match is not None  # _kind said so
        forced, text, to = match.groups()
        text = ((text.upper() if forced else text) + (to or "")).strip()
        self.elements.append(
            Element(
                "transition", _plain(text), t.first_line, t.last_line, text, notes, bool(forced)
            )
        )

    def dialogue(self, para: list[_Text], notes: tuple[Note, ...], *, dual: bool) -> None:
        """A character cue and its parentheticals, speech and lyrics."""
        cue = para[0].text.strip()
        forced = cue.startswith("@")
        if forced:
            cue = cue[1:]
        match = DUAL_DIALOG_RE.match(cue)
        if match:
            cue = match[1]
        name, _, rest = cue.partition("(")
        extensions = _EXTENSION_RE.findall("(" + rest) if rest else []
        contd = any(_CONTD_RE.match(x) for x in extensions)
        extension = " ".join(x.strip() for x in extensions if not _CONTD_RE.match(x)).strip()

        # parentheticals as screenplain's Dialog._parse: from "(" to ")", maybe over lines
        parts: list[DialoguePart] = []
        body: list[str] = []  # markup lines: parentheticals with brackets, lyrics without `~`
        inside = False
        for t in para[1:]:
            s = t.text.strip()
            if not s:
                continue
            if s.startswith("("):
                inside = True
            kind: PartKind = "parenthetical" if inside else "speech"
            if s.endswith(")"):
                inside = False
            if kind == "speech" and s.startswith("~"):
                kind, s = "lyric", s[1:].strip()
            body.append(s)
            said = s.removeprefix("(").removesuffix(")").strip() if kind == "parenthetical" else s
            if said:
                parts.append(DialoguePart(kind, _plain(said), t.first_line))
        element = Element(
            "dialogue",
            "\n".join(_plain(s) for s in body),
            para[0].first_line,
            max(t.last_line for t in para if t.text.strip()),
            "\n".join(body),
            notes,
            forced=forced,
            character=_plain(name).strip(),
            extension=_plain(extension),
            contd=contd,
            dual=dual,
            parts=tuple(parts),
        )
        self.elements.append(element)
