"""cinecode directives: Fountain notes that steer the breakdown.

```
[[shot: close on MARA, push in, 3s]]          the shot starting here
[[shot: wide on MARA and ELI, low angle, seed 42, prompt "storm light"]]
[[shot: source footage/pier.mp4]]              the user's own clip (or photo) is the picture
[[shot: motion wan, continuous]]               a generated clip, from the last shot's last frame
[[shot: close on MARA, no lipsync]]            the clip keeps its own mouth ([lipsync] skips it)
[[mood: tense]]                                the score's mood for this scene
[[sfx: door slams]]                            a spot effect at this point
[[ambience: wind and surf]]                    the scene's background sound
```
Any other note is an ordinary note. A bad directive is a ScriptError at its line: a mood,
ambience or effect that names nothing cinecode knows too (`[[mood: melancohly]]` → "did you
mean melancholy?"), never a silent guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from cinecode.errors import ScriptError
from cinecode.script.model import Directive
from cinecode.script.moods import MOOD_WORDS, MOODS, mood_named, parse_mood
from cinecode.script.sounds import (
    AMBIENCE_EXAMPLES,
    SFX_EXAMPLES,
    SOUND_NAMES,
    is_sound,
    names_a_sound,
    words_of,
)

KEYWORDS = ("shot", "mood", "sfx", "ambience")
_NOTE = re.compile(r"^\s*(?P<kind>shot|mood|sfx|ambience)\s*:\s*(?P<body>.*)$", re.I | re.S)

SIZE_WORDS = {
    "extreme wide": "extreme-wide",
    "ews": "extreme-wide",
    "ews shot": "extreme-wide",
    "establishing": "extreme-wide",
    "wide": "wide",
    "ws": "wide",
    "long": "wide",
    "full": "full",
    "fs": "full",
    "medium": "medium",
    "ms": "medium",
    "mid": "medium",
    "medium close": "medium-close",
    "mcu": "medium-close",
    "close": "close",
    "close up": "close",
    "closeup": "close",
    "cu": "close",
    "extreme close": "extreme-close",
    "extreme close up": "extreme-close",
    "ecu": "extreme-close",
    "insert": "insert",
    "two shot": "medium",
    "two-shot": "medium",
    "over the shoulder": "medium-close",
    "ots": "medium-close",
}
MOVE_WORDS = {
    "static": "static",
    "locked off": "static",
    "push in": "push-in",
    "push-in": "push-in",
    "dolly in": "push-in",
    "zoom in": "push-in",
    "pull out": "pull-out",
    "pull-out": "pull-out",
    "dolly out": "pull-out",
    "zoom out": "pull-out",
    "pan left": "pan-left",
    "pan right": "pan-right",
    "tilt up": "tilt-up",
    "tilt down": "tilt-down",
    "handheld": "handheld",
    "hand held": "handheld",
    "drift": "drift",
    "float": "drift",
}
ANGLE_WORDS = {
    "high angle": "high",
    "high": "high",
    "low angle": "low",
    "low": "low",
    "overhead": "overhead",
    "top down": "overhead",
    "birds eye": "overhead",
    "dutch": "dutch",
    "dutch angle": "dutch",
    "eye level": "eye",
}


@dataclass(frozen=True)
class Note:
    """A parsed directive note: `kind` is one of KEYWORDS."""

    kind: str
    value: str
    line: int
    shot: Directive | None = None


def parse_note(text: str, line: int, *, file: str) -> Note | None:
    """A directive if the note is one, else None (an ordinary note)."""
    match = _NOTE.match(text.strip())
    if not match:
        return None
    kind = match.group("kind").lower()
    body = " ".join(match.group("body").split())
    if kind == "shot":
        return Note(kind, body, line, parse_shot(body, line, file=file))
    if not body:
        raise ScriptError(
            f"[[{kind}: …]] says nothing",
            file=file,
            line=line,
            hint=f"e.g. [[{kind}: {_EXAMPLE[kind]}]]",
        )
    _check_words(kind, body, line, file)
    return Note(kind, body, line)


_EXAMPLE = {"mood": "tense", "sfx": "door slams", "ambience": "wind and surf"}
_KNOWN = {
    "mood": f"use a mood ({', '.join(MOODS)}), a word such as grief or dread, or `none` for "
    "no music",
    "ambience": f"name what is heard, e.g. {AMBIENCE_EXAMPLES}",
    "sfx": f"name the sound, e.g. {SFX_EXAMPLES}",
}


def _check_words(kind: str, body: str, line: int, file: str) -> None:
    """A mood, ambience or effect whose words name nothing cinecode knows is an error."""
    if kind == "mood":
        words = parse_mood(body).words  # without `seed N`, `tempo N`, `key …`
        if mood_named(words):
            return
        unknown, known, what = words_of(words), MOOD_WORDS, "mood"
    else:
        if names_a_sound(body):
            return
        unknown = [w for w in words_of(body) if not is_sound(w)]
        known, what = SOUND_NAMES, "sound"
    close = _closest(unknown, known)
    raise ScriptError(
        f"[[{kind}: {body}]] names no {what} cinecode knows",
        file=file,
        line=line,
        hint=f"did you mean {' or '.join(close)}?" if close else _KNOWN[kind],
    )


#: words of a description that are no typo of a sound or a mood
_PLAIN_WORDS = (
    "a an the and or of on in at to by with from over under into onto through outside inside "
    "like as its his her their our my very some more much far near distant soft gentle loud "
    "heavy light low high big small little slow fast long short"
)
_PLAIN = frozenset(_PLAIN_WORDS.split())


def _closest(words: list[str], known: tuple[str, ...], n: int = 2) -> list[str]:
    """The known words nearest to any of `words` (a swapped pair of letters is near), nearest
    first."""
    scored: dict[str, float] = {}
    for word in (w for w in words if len(w) >= 3 and w not in _PLAIN):
        near = {m: difflib.SequenceMatcher(None, word, m).ratio() for m in known}
        near.update({m: 0.9 for m in known if len(m) == len(word) and sorted(m) == sorted(word)})
        for match, ratio in near.items():
            if ratio >= 0.75:
                scored[match] = max(scored.get(match, 0.0), ratio)
    return sorted(scored, key=lambda w: (-scored[w], w))[:n]


def _clauses(body: str) -> list[str]:
    """Split on commas outside quotes."""
    out, current, quoted = [], "", False
    for char in body:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            out.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        out.append(current.strip())
    return out


def parse_shot(body: str, line: int, *, file: str) -> Directive:
    """Parse the clauses of a `[[shot: …]]` note."""
    fields: dict[str, object] = {"line": line}
    for clause in _clauses(body):
        low = clause.lower().strip()
        words = re.sub(r"[^a-z0-9 \-]", " ", low)
        words = " ".join(words.replace("-", " ").split())
        if low.startswith("prompt"):
            fields["prompt"] = clause[len("prompt") :].strip(" :=").strip().strip('"')
            continue
        if low.startswith("source"):
            fields["source"] = clause[len("source") :].strip(" :=").strip().strip('"')
            continue
        subject = re.match(r"^(?:(.*?)\s+)?on\s+(.+)$", clause, re.I)
        if subject and (
            not subject.group(1) or _size(subject.group(1)) or _size(subject.group(1)) == ""
        ):
            head = (subject.group(1) or "").strip()
            if head:
                size = _size(head)
                if size is None:
                    raise _bad(clause, line, file)
                fields["size"] = size
            names = re.split(r"\s*(?:\band\b|&|\+)\s*", subject.group(2).strip())
            fields["subjects"] = tuple(n.strip().upper() for n in names if n.strip())
            continue
        size = _size(words)
        if size:
            fields["size"] = size
            continue
        if words in MOVE_WORDS:
            fields["move"] = MOVE_WORDS[words]
            continue
        if words in ANGLE_WORDS:
            fields["angle"] = ANGLE_WORDS[words]
            continue
        if words in ("continuous", "continue", "continuous action"):
            fields["continuous"] = True
            continue
        if words in ("no lipsync", "no lip sync", "no lip-sync"):
            fields["lipsync"] = False
            continue
        number = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds)", low)
        if number:
            fields["duration"] = float(number.group(1))
            continue
        keyed = re.fullmatch(
            r"(seed|takes|backend|model|motion)\s*[:=]?\s*(\S+)", clause.strip(), re.I
        )
        if keyed:
            key, value = keyed.group(1).lower(), keyed.group(2).strip('"')
            if key in ("seed", "takes"):
                if not value.isascii() or not value.isdigit():
                    raise _bad(clause, line, file, f"{key} takes a whole number, e.g. `{key} 3`")
                fields[key] = _number(key, int(value), clause, line, file)
            else:
                fields[key] = value
            continue
        raise _bad(clause, line, file)
    duration = fields.get("duration")
    if isinstance(duration, float) and not 0.2 <= duration <= 600:
        raise _bad(f"{duration}s", line, file, "a shot lasts between 0.2 s and 10 minutes")
    return Directive(**fields)  # type: ignore[arg-type]


#: the most takes a shot may ask for: the same cap as `cinecode make --takes`
MAX_TAKES = 32
MAX_SEED = 2**32 - 1


def _number(key: str, value: int, clause: str, line: int, file: str) -> int:
    """`takes` is 1 to MAX_TAKES, `seed` 0 to MAX_SEED."""
    low, top = (1, MAX_TAKES) if key == "takes" else (0, MAX_SEED)
    if not low <= value <= top:
        hint = (
            f"ask for {MAX_TAKES} at most, as `cinecode make --takes`; more come one batch at "
            "a time with `cinecode regen PROJECT SHOT --takes N`"
            if key == "takes"
            else f"a seed is a whole number from 0 to {MAX_SEED}"
        )
        raise ScriptError(
            f"[[shot: {clause}]]: {key} must be {low} to {top}", file=file, line=line, hint=hint
        )
    return value


def _size(words: str) -> str | None:
    words = " ".join(words.lower().replace("-", " ").split())
    words = re.sub(r"\s+(shot|up)$", "", words) if words not in SIZE_WORDS else words
    return SIZE_WORDS.get(words)


def _bad(clause: str, line: int, file: str, hint: str = "") -> ScriptError:
    return ScriptError(
        f"[[shot: …]] does not understand `{clause}`",
        file=file,
        line=line,
        hint=hint
        or "use a size (wide, medium, close…), `on NAME`, a move (push in, pan left…), an angle, "
        "`4s`, `seed N`, `takes N`, `backend NAME`, `motion NAME`, `continuous`, `no lipsync`, "
        "`model NAME`, "
        '`prompt "…"` or `source PATH`',
    )
