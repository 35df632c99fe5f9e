"""What the screenplay's words say a frame shows, beat by beat, for layout-aware artists (the
sketch): the action and the prompt to draw, the place's description, who acts in the shot,
what each character looks like and wears from the beat the action dresses them, and the
weather as the scene's words change it ("The rain has stopped" clears the rain from there on).

```
1. the words: the shot's action (an establishing shot: the scene's first action too), its prompt
2. the people: the shot's characters, and any the action names acting in it
3. the looks: film.toml's description; a garment the action puts on them, from that beat on
4. the weather: the scene's ambience and place, then each shot's action in order, with negation
```
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from cinecode.backends.protocols import Composition, Figure
from cinecode.backends.sketch.looks import GARMENTS
from cinecode.script.model import Film, Scene, Shot

#: weather words → what they bring (a storm brings rain and wind)
_WEATHER = (
    (r"\b(?:storm|stormy|tempest|hurricane)", ("rain", "wind")),
    (r"\b(?:rain|rains|raining|rainy|downpour|drizzle|squall|pouring)\b", ("rain",)),
    (r"\b(?:snow|snowing|snowfall|blizzard|sleet)", ("snow",)),
    (r"\b(?:fog|foggy|mist|misty|haze)", ("fog",)),
    (r"\b(?:wind|winds|windy|gale|gales|gust|gusts|gusting)\b", ("wind",)),
)
#: words that end weather: "the rain has stopped", "the wind dropped", "no longer raining"
_ENDS = (
    r"(?:has|have|had)?\s*(?:stopped|stops|eased|eases|passed|passes|cleared|clears|lifted|"
    r"lifts|dropped|drops|died|dies|faded|fades|gone|over|blown over|spent|let up|lets up)"
)
_ENDED = re.compile(rf"\w*\s+{_ENDS}\b")
_NEGATED = re.compile(r"\b(?:no longer|no more|not|without|no|stopped|end of the)\s+(?:\w+\s+)?$")
_CALMED = re.compile(r"\b(?:calm|still|clear|cloudless|sunny|dry|after the storm|morning after)\b")

#: garments the action can put a character in
_GARMENTS = (*GARMENTS, "hat", "cap", "scarf", "boots")  # and what goes on top or under
_WEARS = re.compile(
    r"\b(?:in|wearing|wears|puts on|pulls on|dressed in|changed into|changes into)\s+"
    r"((?:[\w'-]+\s+){0,4}?(?:" + "|".join(re.escape(g) for g in _GARMENTS) + r"))\b"
    r"([^.;!?]*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Beat:
    """What the words have said by one shot: the weather, what each character wears, and
    who the shot's action names."""

    weather: str
    wearing: dict[str, str]
    named: tuple[str, ...]


def with_story(
    comp: Composition, shot: Shot, scene: Scene, film: Film, colour: Callable[[Film, str], str]
) -> Composition:
    """`comp` with what the words say the frame shows: action, place, people (in their
    `colour`), looks, weather."""
    location = film.location(scene)
    beat = beats(film)[shot.id]
    # 1. the words
    action = shot.action
    first = scene.action_text.split("\n", 1)[0].strip()
    if shot.kind == "establishing" and first and first not in action:
        action = f"{first} {action}"
    prompt = shot.directive.prompt if shot.directive else ""
    if prompt:
        action = f"{action.rstrip('. ')}. {prompt}" if action else prompt
    # 2. the people, 3. their looks
    figures = list(comp.figures)
    present = {f.name for f in figures}
    acting = [n for n in beat.named if n not in present]
    if acting and shot.size != "insert":
        figures = _add(figures, acting, [colour(film, name) for name in acting])
    figures = [
        replace(
            f,
            look=_description(film, f.name),
            wearing=beat.wearing.get(f.name, ""),
            sheet=_sheet(film, f.name),
        )
        for f in figures
    ]
    # 4. the weather
    return replace(
        comp,
        action=" ".join(action.split()),
        place=location.description if location else "",
        figures=tuple(figures),
        weather=beat.weather,
    )


_read: tuple[Film, dict[str, Beat]] | None = None  # the last film read (a plan reads one)


def beats(film: Film) -> dict[str, Beat]:
    """Every shot's beat, read once a film, scene by scene in order: the scene's ambience
    and place set the weather, then each shot's action changes it sentence by sentence ("Rain
    slams" … "The rain has stopped"); a garment the action puts on a character stays on to
    the end of the scene ("Teo stumbles out in his grandfather's sweater")."""
    global _read
    if _read is not None and _read[0] is film:
        return _read[1]
    names = _names(film)
    out: dict[str, Beat] = {}
    for scene in film.scenes:
        location = film.location(scene)
        now: set[str] = set()
        for text in (scene.ambience, location.description if location else ""):
            _change(now, text)
        worn: dict[str, str] = {}
        for shot in scene.shots:
            _change(now, re.sub(r":[^\n]*", ".", shot.action))  # after a colon: written words
            _dress(worn, shot, film, names)
            named = tuple(dict.fromkeys(_name(m, film) for m in names.finditer(shot.action)))
            out[shot.id] = Beat(", ".join(sorted(now)), dict(worn), named)
    _read = (film, out)
    return out


def _names(film: Film) -> re.Pattern[str]:
    """One pattern for every character's cue name, longest first, any case."""
    alternatives = sorted(film.characters, key=len, reverse=True)
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, alternatives))})\b", re.IGNORECASE)


def _name(match: re.Match[str], film: Film) -> str:
    """The cue name a match of `_names` stands for."""
    word = match.group(0).upper()
    return next((name for name in film.characters if name.upper() == word), word)


def _sheet(film: Film, name: str) -> int:
    """The seed of the character's picked cast sheet, whose look the sketch keeps (0: none)."""
    character = film.characters.get(name)
    return character.sheet if character else 0


def _description(film: Film, name: str) -> str:
    character = film.characters.get(name)
    return character.description if character else ""


def _add(figures: list[Figure], names: list[str], colours: list[str]) -> list[Figure]:
    """The figures with the named characters added, everyone spread across the frame."""
    added = (Figure(name=n, x=0.5, color=c) for n, c in zip(names, colours, strict=True))
    everyone = [*figures, *added]
    count = len(everyone)
    xs = [0.5] if count == 1 else [0.2 + 0.6 * i / (count - 1) for i in range(count)]
    return [replace(f, x=x) for f, x in zip(everyone, xs, strict=True)]


def _change(now: set[str], text: str) -> None:
    """Change the weather `now` by what each sentence of `text` says."""
    for sentence in re.split(r"[.;!?\n]+", text.lower()):
        named = False  # whether the sentence names any weather
        for pattern, kinds in _WEATHER:
            for match in re.finditer(pattern, sentence):
                named = True
                after = sentence[match.end() :]
                before = sentence[: match.start()]
                if _ENDED.match(after) or _NEGATED.search(before):
                    now.difference_update(kinds)
                else:
                    now.update(kinds)
        if not named and _CALMED.search(sentence):
            now.difference_update(("rain", "wind", "snow"))


def _dress(worn: dict[str, str], shot: Shot, film: Film, names: re.Pattern[str]) -> None:
    """Put on whoever the shot's action dresses the garment it names."""
    for sentence in re.split(r"(?<=[.;!?])\s+", shot.action):
        match = _WEARS.search(sentence)
        if not match:
            continue
        who = names.search(sentence[: match.start()])
        name = _name(who, film) if who else (shot.characters[0] if shot.characters else "")
        if name:
            worn[name] = _garment(match.group(1) + match.group(2), name, film)


def _garment(phrase: str, name: str, film: Film) -> str:
    """The garment as written, with its colour from the description of whoever it belongs to
    when the phrase names none ("his grandfather's sweater" → "… (thick navy knitted sweater)")."""
    phrase = " ".join(phrase.split()).strip(" ,")
    garment = next((g for g in _GARMENTS if re.search(rf"\b{g}\b", phrase, re.I)), "")
    for other, character in film.characters.items():
        if other == name or not garment:
            continue
        match = re.search(rf"([\w-]+\s+){{0,3}}{garment}\b", character.description, re.I)
        if match:
            return f"{phrase} ({match.group(0)})"
    return phrase
