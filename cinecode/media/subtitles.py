"""Subtitles: cues from the voices' phrase timings, written as SRT or WebVTT."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

MAX_CHARS = 42
MAX_LINES = 2
MIN_CUE = 0.8


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    speaker: str = ""


def wrap(text: str) -> list[str]:
    """Pieces of text that each fit a cue of two lines of 42 characters."""
    lines = textwrap.wrap(" ".join(text.split()), MAX_CHARS) or [""]
    return ["\n".join(lines[i : i + MAX_LINES]) for i in range(0, len(lines), MAX_LINES)]


def cues_for(
    start: float, phrases: Sequence[Sequence[object]], text: str, speaker: str = ""
) -> list[Cue]:
    """Cues for one voice placed at `start` seconds, from its phrase timings."""
    out: list[Cue] = []
    spans = [(float(str(p[0])), float(str(p[1])), str(p[2])) for p in phrases] or [(0.0, 0.0, text)]
    for begin, end, words in spans:
        pieces = wrap(words)
        total = sum(len(p) for p in pieces) or 1
        cursor = begin
        for piece in pieces:
            share = (end - begin) * len(piece) / total
            out.append(Cue(start + cursor, start + cursor + share, piece, speaker))
            cursor += share
    # every cue readable for a moment, never overlapping the next from the same voice
    fixed: list[Cue] = []
    for index, cue in enumerate(out):
        end = max(cue.end, cue.start + MIN_CUE)
        if index + 1 < len(out):
            end = min(end, out[index + 1].start)
        fixed.append(Cue(cue.start, max(end, cue.start + 0.05), cue.text, cue.speaker))
    return fixed


def _stamp(seconds: float, sep: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def to_srt(cues: Sequence[Cue]) -> str:
    """SubRip text."""
    blocks = [
        f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.text}\n"
        for i, c in enumerate(sorted(cues, key=lambda c: (c.start, c.end)), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(cues: Sequence[Cue]) -> str:
    """WebVTT text (speakers as voice spans)."""
    out = ["WEBVTT", ""]
    for cue in sorted(cues, key=lambda c: (c.start, c.end)):
        text = f"<v {cue.speaker}>{cue.text}" if cue.speaker else cue.text
        out.append(f"{_stamp(cue.start, '.')} --> {_stamp(cue.end, '.')}\n{text}\n")
    return "\n".join(out)


def parse_srt(text: str) -> list[Cue]:
    """Read SubRip text back (for tests and conform)."""
    cues: list[Cue] = []
    for block in text.strip().split("\n\n"):
        lines = block.strip().splitlines()
        if len(lines) < 2 or "-->" not in lines[1]:
            continue
        begin, _, end = lines[1].partition("-->")
        cues.append(Cue(_seconds(begin), _seconds(end), "\n".join(lines[2:])))
    return cues


def _seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.strip().replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)
