"""Where each key of a TOML file is written, so validation errors can say file:line.

tomllib gives values but not positions; this scans the text for table headers and key
assignments (dotted and quoted keys, arrays of tables, inline tables count as their line).
A table only implied by a header (`[characters]` by `[characters.MARA]`) is at that header.
`too_deep` finds the line where arrays and inline tables nest deeper than tomllib can read.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*="""
)
_PART = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*(?:\.|$)""")

KeyPath = tuple[str | int, ...]


def _split(dotted: str) -> tuple[str, ...]:
    parts = [m.group(1) for m in _PART.finditer(dotted)]
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map every key path (tables, array-of-table items, keys) to its 1-based line."""
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    counts: dict[tuple[str, ...], int] = {}
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if in_multiline in raw:
                in_multiline = None
            continue
        header = _HEADER.match(raw)
        if header and not _KEY.match(raw):
            names = _split(header.group(2))
            if header.group(1) == "[[":
                index = counts.get(names, 0)
                counts[names] = index + 1
                table = (*names, index)
                lines.setdefault(names, number)  # the array itself: its first item
            else:
                table = names
            _set_with_parents(lines, table, number)
            continue
        key = _KEY.match(raw)
        if key:
            _set_with_parents(lines, (*table, *_split(key.group(1))), number)
            rest = raw[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
    return lines


def _set_with_parents(lines: dict[KeyPath, int], path: KeyPath, number: int) -> None:
    """`path` and every parent it implies are written at `number`, unless written before."""
    for end in range(1, len(path) + 1):
        lines.setdefault(path[:end], number)


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of `path`, or of its nearest written parent."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


#: arrays and inline tables nested deeper than this are refused (tomllib recurses per level)
MAX_NESTING = 64
_OPEN, _CLOSE = "[{", "]}"


def too_deep(text: str, limit: int = MAX_NESTING) -> int | None:
    """The 1-based line where `[` and `{` (outside strings and comments) first nest deeper
    than `limit`, or None."""
    depth, line, index, size = 0, 1, 0, len(text)
    while index < size:
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", index)
            index = size if end < 0 else end
            continue
        elif char in "\"'":
            index, line = _skip_string(text, index, line)
            continue
        elif char in _OPEN:
            depth += 1
            if depth > limit:
                return line
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        index += 1
    return None


def _skip_string(text: str, index: int, line: int) -> tuple[int, int]:
    """(index after the string starting at `index`, its last line); a string left open ends
    at its line's end (or the text's, for a multi-line one)."""
    quote = text[index]
    triple = text.startswith(quote * 3, index)
    delimiter = quote * 3 if triple else quote
    index += len(delimiter)
    while index < len(text):
        char = text[index]
        if char == "\\" and quote == '"':
            line += text[index + 1 : index + 2] == "\n"
            index += 2
            continue
        if char == "\n":
            if not triple:
                return index, line
            line += 1
        elif text.startswith(delimiter, index):
            return index + len(delimiter), line
        index += 1
    return index, line
