"""Scene headings: interior/exterior, location and time of day."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PREFIX = re.compile(
    r"^\s*(?P<prefix>INT\.?\s*/\s*EXT\.?|EXT\.?\s*/\s*INT\.?|I\s*/\s*E\.?|INT\.|EXT\.|EST\.|INT\b|EXT\b|EST\b)\s*",
    re.IGNORECASE,
)
_TIMES = {
    "DAY": "day",
    "MORNING": "morning",
    "AFTERNOON": "day",
    "NOON": "day",
    "EVENING": "evening",
    "NIGHT": "night",
    "MIDNIGHT": "night",
    "LATE NIGHT": "night",
    "DAWN": "dawn",
    "SUNRISE": "dawn",
    "DUSK": "dusk",
    "SUNSET": "dusk",
    "TWILIGHT": "dusk",
    "MAGIC HOUR": "dusk",
    "CONTINUOUS": "continuous",
    "LATER": "continuous",
    "MOMENTS LATER": "continuous",
    "SAME": "continuous",
    "SAME TIME": "continuous",
}


@dataclass(frozen=True)
class Heading:
    setting: str  # int | ext | int/ext
    location: str
    time_of_day: str  # day | night | … | continuous | "" (not said)


def parse_heading(text: str) -> Heading:
    """Split "EXT. LIGHTHOUSE - GALLERY - NIGHT" into ext, "LIGHTHOUSE - GALLERY", night."""
    rest = text.strip()
    setting = ""
    match = _PREFIX.match(rest)
    if match:
        prefix = re.sub(r"[\s.]", "", match.group("prefix").upper())
        setting = {"INT": "int", "EXT": "ext", "EST": "ext"}.get(prefix, "int/ext")
        rest = rest[match.end() :]
    parts = [p.strip() for p in re.split(r"\s+[-–—]+\s+|\s*--\s*", rest) if p.strip()]
    time = ""
    if len(parts) > 1:
        candidate = re.sub(r"[^A-Z ]", "", parts[-1].upper()).strip()
        if candidate in _TIMES:
            time = _TIMES[candidate]
            parts = parts[:-1]
        elif any(candidate.startswith(word) for word in _TIMES):
            time = next(_TIMES[word] for word in _TIMES if candidate.startswith(word))
            parts = parts[:-1]
    location = " - ".join(parts).strip(" .") or rest.strip()
    if not setting:
        setting = (
            "ext" if re.search(r"\b(STREET|BEACH|FIELD|ROAD|SKY|SEA)\b", rest.upper()) else "int"
        )
    return Heading(setting=setting, location=location.upper(), time_of_day=time)
