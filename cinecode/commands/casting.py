"""Casting a screenplay for a new project's film.toml: every speaking character with a
distinct voice and figure colour (and the words the script introduces them with), every
location with a distinct palette, ready to edit (used by `cinecode new`).
"""

from __future__ import annotations

import colorsys
import json
import re
from collections import Counter
from dataclasses import dataclass

from cinecode.project.config import TEMPLATE_TOML
from cinecode.script.elements import Script
from cinecode.script.heading import parse_heading


def voice_presets() -> list[str]:
    """The preset voices of the template's speech backend (none: characters get no voice)."""
    import tomllib

    from cinecode.backends.registry import voice_presets as presets_of

    backend = tomllib.loads(TEMPLATE_TOML.format(title=""))["voice"]["backend"]
    try:
        return list(presets_of(backend))
    except Exception:  # a backend that is not installed: the writer picks voices
        return []


# ── Who speaks: the characters, as the screenplay presents them ─────────────────────────────


@dataclass(frozen=True)
class Part:
    """A speaking character: lines spoken, where first heard, what the script says of them."""

    name: str  # the cue name, the key in film.toml
    lines: int
    first_line: int
    description: str = ""  # the words that introduce them ("Edward Bloom, 40's and handsome")
    age: str = ""  # child | elder | "" (the script does not say)
    gender: str = ""  # woman | man | "" (the script does not say)
    because: str = ""  # the words that said so ("age 10", "his father")


WOMAN = (
    r"woman|women|girls?|lady|ladies|female|mother|mom|mum|wife|bride|daughter|sister|"
    r"grandmother|grandma|granny|aunt|niece|actress|waitress|queen|princess|widow|girlfriend"
)
MAN = (
    r"man|men|boys?|guy|fellow|gentleman|male|father|dad|husband|groom|son|brother|"
    r"grandfather|grandpa|uncle|nephew|actor|waiter|king|prince|widower|boyfriend"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_YEARS = re.compile(
    r"(?i)^(?:(?:age[ds]?|now|also|about|around|maybe|early|mid|late)[\s-]+)?(\d{1,2})(?:'?s)?\b"
)
_YEARS_OLD = re.compile(r"(?i)\b(\d{1,2})[- ]years?[- ]old\b")


def speaking_parts(script: Script) -> list[Part]:
    """Every character who speaks, in order of first appearance."""
    cues = [e for e in script.elements if e.kind == "dialogue" and e.character]
    lines = Counter(e.character for e in cues)
    first: dict[str, int] = {}
    for element in cues:
        first.setdefault(element.character, element.line)
    action = [" ".join(e.text.split()) for e in script.elements if e.kind == "action"]
    return [
        Part(
            name, lines[name], first[name], *introduction(name, action, others=set(first) - {name})
        )
        for name in first
    ]


def introduction(name: str, action: list[str], *, others: set[str]) -> tuple[str, str, str, str]:
    """What the action says of a character where it names them in capitals: a description
    (the first words in apposition: "EDWARD BLOOM, 40's and handsome,"), and only where the
    script says so, an age (child, elder: every age it gives) and a gender (a noun: "his
    father EDWARD", "NAK, a fellow", "ART GIRL"; or "She …" / "He …" opening the next
    sentence when no one else is named). Names never decide anything."""
    pattern = re.compile(
        rf"(?<![\w'’]){re.escape(name)}(?!\w)(?P<rest>(?:\s+[A-Z][A-Z'’.-]+\b)*)"
        r"(?:\s*\((?P<paren>[^()]{1,24})\))?"
        r"(?:,\s*(?P<phrase>[^,.;:!?]{1,200})(?P<stop>[,.;:!?]|$))?"
        r"(?:\s+is\s+(?P<is>\d{1,2})\b)?"
    )
    description = ""
    years: list[int] = []
    gender, because = _gender(name)  # a role for a name: "ART GIRL", "HANDSOME MAN"
    age = "elder" if re.search(r"\bOLD\b", name) else ""
    for text in action:
        sentences = _SENTENCE.split(text)
        for index, sentence in enumerate(sentences):
            for match in pattern.finditer(sentence):
                phrase = match.group("phrase") or ""
                if match.group("stop") != "," and not re.match(r"(?i)(a|an|the|\d)\b", phrase):
                    phrase = ""  # "KATE, looks in on them." goes on; "NAK, a fellow …" says
                said = [x for x in (match.group("paren"), phrase, match.group("is")) if x]
                if said and not description:
                    description = ", ".join([_words(f"{name}{match.group('rest')}"), *said])
                before = sentence[: match.start()].rstrip(" ,").split()
                stated = [_YEARS.match(x.strip()) for x in said]
                stated.append(_YEARS_OLD.search(" ".join(before[-3:])))
                years += [int(m.group(1)) for m in stated if m]
                if gender:
                    continue
                gender, because = _gender(" ".join(said))
                if not gender and before:
                    gender, because = _gender(before[-1])  # "his father EDWARD"
                    because = " ".join([*before[-2:], name]) if gender else ""
                alone = not any(re.search(rf"\b{re.escape(o)}\b", sentence) for o in others)
                following = sentences[index + 1] if index + 1 < len(sentences) else ""
                opening = re.match(r"(She|He)\b", following)
                if not gender and alone and opening:
                    gender, because = _gender(opening.group(1))
    if years and max(years) < 13:
        age, told = "child", f"age {min(years)}"
    elif years and min(years) >= 65:
        age, told = "elder", f"age {min(years)}"
    else:
        told = "OLD" if age else ""
    return description, age, gender, "; ".join(x for x in (told, because) if x)


def _gender(words: str) -> tuple[str, str]:
    """woman / man when the words say so with a noun (or she / he), and the word."""
    woman = re.search(rf"(?i)\b({WOMAN}|she)\b", words)
    man = re.search(rf"(?i)\b({MAN}|he)\b", words)
    if woman and not man:
        return "woman", woman.group(0)
    if man and not woman:
        return "man", man.group(0)
    return "", ""


def _words(name: str) -> str:
    """A name as words ("EDWARD BLOOM" → "Edward Bloom"; "McCABE" stays)."""
    return " ".join(w.title() if w.isupper() else w for w in name.split())


# ── Voices: distinct for everyone, by what the script says ──────────────────────────────────

#: adjustments that make a second (third…) character out of a preset already cast
VARIANTS: tuple[dict[str, float], ...] = (
    {},
    {"pitch": 1.0, "formant": 0.5, "brightness": 0.25},
    {"pitch": -1.0, "formant": -0.5, "brightness": -0.25},
    {"rate": 1.08, "brightness": 0.4},
    {"rate": 0.92, "brightness": -0.4},
    {"pitch": 1.5, "formant": -0.5, "rate": 0.95},
    {"pitch": -1.5, "formant": 0.5, "rate": 1.05},
)


#: the presets each kind of part is cast from, in order; an age or gender the script does not
#: give is never assumed (then men's and women's voices alternate, for contrast)
POOLS = {
    "child": ("child",),
    "elder": ("elder", "man-deep"),
    "elder-woman": ("woman-low", "elder"),
    "woman": ("woman-warm", "woman-bright", "woman-low"),
    "man": ("man-warm", "man-deep", "man-young", "narrator"),
    "": (
        "man-warm",
        "woman-warm",
        "man-deep",
        "woman-bright",
        "man-young",
        "woman-low",
        "narrator",
    ),
}


def cast_voices(parts: list[Part], presets: list[str]) -> dict[str, tuple[str, int]]:
    """A distinct (preset, variant) for every part; leads (most lines) choose first: a preset
    of their pool, else a variant of one, else any voice still free."""
    taken: set[tuple[str, int]] = set()
    voices: dict[str, tuple[str, int]] = {}
    for part in sorted(parts, key=lambda p: (-p.lines, p.first_line)):
        kind = "elder-woman" if (part.age, part.gender) == ("elder", "woman") else ""
        pool = [p for p in POOLS[kind or part.age or part.gender] if p in presets]
        choices = [
            (preset, variant)
            for group in (pool, presets)
            for variant in range(len(VARIANTS))
            for preset in group
        ]
        voice = next((c for c in choices if c not in taken), choices[0] if choices else None)
        if voice is not None:
            taken.add(voice)
            voices[part.name] = voice
    return voices


def _voice_toml(preset: str, variant: int) -> str:
    if not VARIANTS[variant]:
        return toml_string(preset)
    changes = ", ".join(f"{key} = {value}" for key, value in VARIANTS[variant].items())
    return f"{{ preset = {toml_string(preset)}, {changes} }}"


# ── Where: the locations of the scene headings, each in its own colours ─────────────────────


@dataclass(frozen=True)
class Place:
    name: str  # as the headings write it: the key in film.toml
    scenes: int
    first_line: int
    night: bool  # every scene there is at night (a darker palette)


def places(script: Script) -> list[Place]:
    """Every location of the scene headings, in order of first appearance."""
    seen: dict[str, list[tuple[int, str]]] = {}
    for element in script.headings:
        heading = parse_heading(element.text)
        if heading.location:
            seen.setdefault(heading.location, []).append((element.line, heading.time_of_day))
    return [
        Place(name, len(at), at[0][0], all(time in ("night", "evening") for _, time in at))
        for name, at in seen.items()
    ]


#: a starting hue for places whose name says what they are (the rest: spread round the wheel)
HUES = (
    (r"SEA|OCEAN|BEACH|LAKE|RIVER|HARBOU?R|POOL|BAY|SHORE|BOAT|SHIP|DOCK|JETTY", 0.56),
    (r"FOREST|WOODS?|PARK|GARDEN|FIELD|FARM|MEADOW|JUNGLE|YARD|LAWN|HILL|HILLTOP", 0.27),
    (r"DESERT|SAND|CANYON|BARN|STABLE|ATTIC", 0.11),
    (r"KITCHEN|DINER|RESTAURANT|BAR|PUB|CAFE|CAFÉ|BAKERY|CAMPFIRE|FIREPLACE", 0.05),
    (r"HOSPITAL|OFFICE|LAB|LABORATORY|CLINIC|CORRIDOR|HALLWAY|LOBBY|STATION|AIRPORT", 0.48),
    (r"STREET|ROAD|ALLEY|GARAGE|PARKING|HIGHWAY|BRIDGE|CAR|TRUCK|TAXI|BUS|TRAIN", 0.62),
    (r"BEDROOM|LIVING ROOM|APARTMENT|HOUSE|HOME|CABIN|COTTAGE|TRAILER", 0.08),
    (r"CHURCH|CHAPEL|THEATRE|THEATER|CIRCUS|CLUB", 0.97),
    (r"SNOW|ICE|MOUNTAIN|SKY", 0.58),
)
_GOLDEN = 0.618033988749895


def palettes(found: list[Place]) -> dict[str, list[str]]:
    """A distinct three-colour palette for every place (walls or sky, floor or ground, an
    accent): a hue its name suggests, else one round the wheel, as far from the others' as
    their number allows."""
    gap = min(0.08, 0.6 / max(1, len(found)))
    hues: list[float] = []
    out: dict[str, list[str]] = {}
    for index, place in enumerate(found):
        base = next(
            (hue for words, hue in HUES if re.search(rf"\b({words})\b", place.name)),
            (0.13 + index * _GOLDEN) % 1.0,
        )
        around = [base + k // 2 * gap * (1 if k % 2 else -1) for k in range(1, int(2 / gap) + 2)]
        hue = next((h for h in around if all(_apart(h, u) >= gap * 0.99 for u in hues)), base)
        hues.append(hue % 1.0)
        palette = _palette(hue, dark=place.night)
        for lighter in range(1, 64):  # the same colours as another place: a shade lighter
            if palette not in out.values():
                break
            palette = _palette(hue, dark=place.night, lift=0.01 * lighter)
        out[place.name] = palette
    return out


def _apart(a: float, b: float) -> float:
    """How far two hues are on the colour wheel (0 … 0.5)."""
    d = abs(a - b) % 1.0
    return min(d, 1.0 - d)


def _palette(hue: float, *, dark: bool, lift: float = 0.0) -> list[str]:
    light = 0.6 if dark else 1.0
    return [
        _hex(hue, 0.62 * light + lift, 0.32),
        _hex(hue + 0.04, 0.42 * light + lift, 0.36),
        _hex(hue + 0.47, 0.55 * light + lift, 0.5),
    ]


def _hex(hue: float, lightness: float, saturation: float) -> str:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def figure_colours(count: int) -> list[str]:
    """Distinct figure colours: the storyboard's own set first, then more round the wheel."""
    from cinecode.departments.storyboard import FIGURE_COLOURS

    more = (_hex(0.05 + i * _GOLDEN, 0.45, 0.5) for i in range(count))
    colours = list(dict.fromkeys([*FIGURE_COLOURS, *more]))
    return colours[:count]


# ── film.toml ────────────────────────────────────────────────────────────────────────────────


def cast_toml(script: Script, *, presets: list[str]) -> str:
    """The [characters] and [locations] of film.toml for a screenplay ("" if it has neither)."""
    parts = speaking_parts(script)
    found = places(script)
    if not parts and not found:
        return ""
    voices = cast_voices(parts, presets)
    colours = figure_colours(len(parts))
    out: list[str] = []
    if parts:
        out += [
            "# ── Characters: every speaking part, in order of appearance (keys: the cue names) ──",
            "# description: looks, age, wardrobe (what frames show); the script's words to start",
            f"# voice: {', '.join(presets) or 'the voice backend names them'};",
            '#   or { preset = "…", pitch = 1.0, formant = 0.5, rate = 0.95, brightness = 0.2 }',
            "# color: the character's colour in storyboard frames",
            "",
        ]
    for part, colour in zip(parts, colours, strict=True):
        said = f"{part.lines} line{'s' if part.lines != 1 else ''}, first at line {part.first_line}"
        out.append(f"[characters.{_key(part.name)}]  # {said}")
        out.append(f"description = {toml_string(part.description)}")
        if part.name in voices:
            why = f"  # the script says: {part.because}" if part.because else ""
            out.append(f"voice = {_voice_toml(*voices[part.name])}{why}")
        out += [f"color = {toml_string(colour)}", ""]
    if found:
        out += [
            "# ── Locations: keys match the location part of the scene headings ──",
            "# description: what the place looks like; palette: walls or sky, ground, an accent",
            "",
        ]
    for place, palette in palettes(found).items():
        at = next(p for p in found if p.name == place)
        said = f"{at.scenes} scene{'s' if at.scenes != 1 else ''}, first at line {at.first_line}"
        out.append(f"[locations.{_key(place)}]  # {said}")
        out.append('description = ""')
        out += [f"palette = [{', '.join(toml_string(c) for c in palette)}]", ""]
    return "\n".join(out)


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else toml_string(name)
