"""Writing a cue: mood, length and seed in, a General MIDI score (pretty_midi) out. Pure.

```
1. style       the mood's profile: tempo, metre, mode, progressions, instruments, dynamics
2. fit         the number of bars nearest the tempo, then the tempo nudged so the bars fill
               the cue's body exactly (the cue ends on the scene's last frame)
3. key         the film's home key (from the theme seed), sometimes moved to a related key
4. harmony     a progression from the style, cycled; the last bars cadence to the tonic
               unless the cue is cut (SMASH CUT)
5. parts       pads voice-led from chord to chord, bass, accompaniment pattern, percussion
6. melody      the film's theme (a one-bar motif from the theme seed) in four-bar phrases:
               motif, sequence, variation, cadence; it rests while someone speaks
7. dynamics    the style's arc in velocities, pad swells (CC11) that dip under dialogue
8. ending      "ring": the tonic rings past the body into the tail; "fade": it dies away;
               "cut": the music runs to the last sample with no cadence
```
Every random choice comes from `(seed, mood)` or `(theme)`, so the same request gives the
same MIDI bytes; two cues of one film share the theme and the home key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from cinecode.media.dsp import Rng, generator


@dataclass(frozen=True)
class Style:
    """How a mood sounds."""

    tempo: tuple[float, float]
    beats: int  # per bar
    mode: str
    progressions: tuple[tuple[str, ...], ...]
    cadence: str  # the chord before the final tonic
    pads: tuple[int, ...]  # GM programs (0-based)
    bass: int
    bass_style: str  # held | root-fifth | pulse | eighths | walking | pedal
    lead: int
    lead_octave: int
    density: float  # how much of the time the melody plays, 0..1
    accomp: int | None
    accomp_style: str  # arpeggio | ostinato | pizzicato | pulse | none
    percussion: str  # none | timpani | heartbeat | taiko
    velocity: int
    arc: str  # steady | swell | build | fade
    reverb: float  # 0..1
    chord_bars: int = 1


STYLES: dict[str, Style] = {
    "calm": Style(
        (64, 76),
        4,
        "major",
        (("I", "V", "vi", "IV"), ("I", "IV", "I", "V"), ("I", "iii", "IV", "V")),
        "V",
        (89, 48),
        42,
        "held",
        73,
        5,
        0.6,
        46,
        "arpeggio",
        "none",
        68,
        "swell",
        0.6,
    ),
    "tender": Style(
        (60, 70),
        3,
        "major",
        (("I", "vi", "IV", "V"), ("I", "iii", "vi", "IV"), ("IV", "I", "V", "vi")),
        "V",
        (49,),
        42,
        "held",
        0,
        5,
        0.7,
        0,
        "arpeggio",
        "none",
        62,
        "swell",
        0.55,
    ),
    "hopeful": Style(
        (78, 92),
        4,
        "major",
        (("IV", "I", "V", "vi"), ("I", "V", "vi", "IV"), ("vi", "IV", "I", "V")),
        "V",
        (48, 52),
        43,
        "root-fifth",
        68,
        5,
        0.75,
        46,
        "arpeggio",
        "none",
        74,
        "build",
        0.6,
    ),
    "playful": Style(
        (104, 120),
        4,
        "major",
        (("I", "vi", "ii", "V"), ("I", "IV", "V", "I"), ("I", "ii", "V", "I")),
        "V",
        (48,),
        70,
        "walking",
        71,
        5,
        0.85,
        45,
        "pizzicato",
        "none",
        80,
        "steady",
        0.35,
    ),
    "romantic": Style(
        (60, 70),
        4,
        "major",
        (("I", "vi", "ii", "V"), ("IV", "iii", "vi", "ii"), ("I", "V", "vi", "iii")),
        "V",
        (49,),
        42,
        "held",
        40,
        5,
        0.8,
        0,
        "arpeggio",
        "none",
        70,
        "swell",
        0.65,
    ),
    "melancholy": Style(
        (56, 66),
        3,
        "minor",
        (("i", "VI", "III", "VII"), ("i", "iv", "VI", "V"), ("i", "VII", "VI", "VII")),
        "V",
        (49,),
        43,
        "held",
        68,
        5,
        0.65,
        0,
        "arpeggio",
        "none",
        62,
        "swell",
        0.65,
    ),
    "mysterious": Style(
        (60, 72),
        4,
        "lydian",
        (("I", "II", "I", "II"), ("I", "vii", "II", "I"), ("I", "II", "iii", "II")),
        "II",
        (94, 52),
        43,
        "pedal",
        8,
        5,
        0.4,
        46,
        "arpeggio",
        "none",
        60,
        "steady",
        0.8,
        2,
    ),
    "ominous": Style(
        (50, 60),
        4,
        "phrygian",
        (("i", "II", "i", "v"), ("i", "VI", "iv", "i"), ("i", "i", "II", "i")),
        "II",
        (49, 52),
        43,
        "pedal",
        60,
        3,
        0.35,
        None,
        "none",
        "heartbeat",
        74,
        "build",
        0.75,
        2,
    ),
    "tense": Style(
        (92, 108),
        4,
        "minor",
        (("i", "i", "VI", "V"), ("i", "VII", "VI", "V"), ("i", "iv", "i", "V")),
        "V",
        (44,),
        43,
        "eighths",
        60,
        4,
        0.4,
        48,
        "ostinato",
        "timpani",
        84,
        "build",
        0.5,
    ),
    "action": Style(
        (124, 140),
        4,
        "minor",
        (("i", "VII", "VI", "VII"), ("i", "VI", "III", "VII"), ("i", "iv", "VI", "V")),
        "V",
        (48, 61),
        43,
        "eighths",
        61,
        4,
        0.5,
        48,
        "ostinato",
        "taiko",
        94,
        "build",
        0.4,
    ),
    "triumphant": Style(
        (92, 106),
        4,
        "major",
        (("I", "V", "vi", "IV"), ("I", "IV", "V", "I"), ("IV", "V", "iii", "vi")),
        "V",
        (48, 52),
        43,
        "root-fifth",
        60,
        4,
        0.85,
        46,
        "arpeggio",
        "timpani",
        92,
        "build",
        0.55,
    ),
}

#: words that name a mood, for free text ("suspenseful", "grief") → a style
SYNONYMS: dict[str, tuple[str, ...]] = {
    "calm": ("calm", "peace", "serene", "tranquil", "quiet", "still", "gentle", "neutral"),
    "tender": ("tender", "warm", "intimate", "affection", "soft", "nostalg", "bittersweet"),
    "hopeful": ("hope", "uplift", "dawn", "optimis", "reconcil", "relief", "resolve", "bright"),
    "playful": ("playful", "comic", "funny", "whimsi", "light", "joy", "cheer", "happy", "fun"),
    "romantic": ("romanc", "romantic", "love", "longing", "passion"),
    "melancholy": ("melanchol", "sad", "grief", "sorrow", "mourn", "loss", "lonely", "regret"),
    "mysterious": ("myster", "eerie", "wonder", "strange", "dream", "magic", "uncanny"),
    "ominous": ("ominous", "dread", "dark", "menac", "foreboding", "threat", "sinister", "storm"),
    "tense": ("tense", "tension", "suspens", "anxious", "nervous", "urgent", "danger", "fear"),
    "action": ("action", "chase", "fight", "battle", "escape", "frantic", "race", "pursuit"),
    "triumphant": ("triumph", "victor", "heroic", "epic", "glory", "rescue", "soaring"),
}

MODES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}
QUALITIES = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "add9": (0, 4, 7, 14),
}
NOTE_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii")
_NUMERAL = re.compile(r"^(?P<acc>b|#)?(?P<roman>[ivIV]+)(?P<kind>°|dim|maj7|7|sus2|sus4|add9)?$")
#: rhythm cells of the theme, in beats, per metre
CELLS = {
    4: ((1, 1, 2), (1.5, 0.5, 2), (0.5, 0.5, 1, 2), (2, 1, 1), (1, 0.5, 0.5, 2), (1, 1, 1, 1)),
    3: ((1, 1, 1), (2, 1), (1.5, 0.5, 1), (0.5, 0.5, 2), (1, 2)),
}


def resolve_mood(mood: str) -> str:
    """The style for a mood word or phrase ("calm", "a slow-burning dread" → "ominous")."""
    text = mood.lower().strip()
    if text in STYLES:
        return text
    best, score = "calm", 0
    for name, words in SYNONYMS.items():
        hits = sum(1 for word in words if word in text)
        if hits > score:
            best, score = name, hits
    return best


@dataclass(frozen=True)
class Chord:
    root: int  # pitch class
    tones: tuple[int, ...]  # semitones above the root

    @property
    def classes(self) -> set[int]:
        return {(self.root + t) % 12 for t in self.tones}


def chord(numeral: str, tonic: int, mode: str) -> Chord:
    """A chord from a roman numeral in a key: case gives major/minor, `b`/`#` move the root."""
    match = _NUMERAL.match(numeral)
    if not match or match.group("roman").lower() not in ROMAN:
        raise ValueError(f"not a roman numeral: {numeral!r}")
    roman = match.group("roman")
    degree = ROMAN.index(roman.lower())
    root = tonic + MODES[mode][degree] + {"b": -1, "#": 1}.get(match.group("acc") or "", 0)
    kind = match.group("kind") or ""
    if kind in ("°", "dim"):
        quality = "dim"
    elif kind == "7":
        quality = "7" if roman.isupper() else "m7"
    elif kind:
        quality = kind
    else:
        quality = "maj" if roman.isupper() else "min"
    return Chord(root % 12, QUALITIES[quality])


def parse_key(key: str) -> tuple[int, str] | None:
    """ "D minor", "F# dorian", "Eb" → (pitch class, mode); None if not a key."""
    match = re.match(r"^\s*([A-Ga-g])([#b]?)\s*(\w*)", key)
    if not match:
        return None
    names = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
    pc = (names[match.group(1).lower()] + {"#": 1, "b": -1, "": 0}[match.group(2)]) % 12
    mode = match.group(3).lower()
    mode = {"maj": "major", "min": "minor", "m": "minor", "": ""}.get(mode, mode)
    return pc, mode if mode in MODES else ""


@dataclass(frozen=True)
class CueSpec:
    """What to write: the mood, the body's length (to the scene's last sample), the tail that
    rings on into the next scene, how it ends, and when people speak."""

    mood: str
    seconds: float
    seed: int
    theme: int = 1
    tail: float = 0.0
    ending: str = "ring"  # ring | fade | cut
    tempo: float | None = None
    key: str = ""
    quiet: tuple[tuple[float, float], ...] = ()
    hits: tuple[float, ...] = ()


@dataclass
class Score:
    """A written cue: the MIDI and the facts about it."""

    midi: Any  # pretty_midi.PrettyMIDI
    style: str
    tempo: float
    beats: int
    bars: int
    tonic: int
    mode: str
    chords: list[str]
    reverb: float
    programs: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"


class _Writer:
    """Accumulates notes per part, then builds the PrettyMIDI."""

    def __init__(self, tempo: float, quiet: tuple[tuple[float, float], ...]) -> None:
        self.tempo = tempo
        self.parts: dict[str, tuple[int, bool, list[tuple[float, float, int, int]]]] = {}
        self.controls: dict[str, list[tuple[float, int, int]]] = {}
        self.quiet = quiet

    def part(self, name: str, program: int, *, drum: bool = False) -> None:
        self.parts.setdefault(name, (program, drum, []))
        self.controls.setdefault(name, [])

    def note(self, part: str, start: float, end: float, pitch: int, velocity: float) -> None:
        if end - start < 0.02:
            return
        pitch = int(min(108, max(21, pitch)))
        self.parts[part][2].append((start, end, pitch, int(min(127, max(1, round(velocity))))))

    def control(self, part: str, time: float, number: int, value: float) -> None:
        self.controls[part].append((time, number, int(min(127, max(0, round(value))))))

    def in_quiet(self, start: float, end: float, before: float = 0.2, after: float = 0.3) -> bool:
        return any(start < e + after and end > s - before for s, e in self.quiet)

    def build(self) -> Any:
        import pretty_midi

        midi = pretty_midi.PrettyMIDI(initial_tempo=self.tempo)
        for name, (program, drum, notes) in self.parts.items():
            instrument = pretty_midi.Instrument(program=program, is_drum=drum, name=name)
            for start, end, pitch, velocity in sorted(notes):
                instrument.notes.append(pretty_midi.Note(velocity, pitch, start, end))
            for time, number, value in sorted(self.controls[name]):
                instrument.control_changes.append(pretty_midi.ControlChange(number, value, time))
            midi.instruments.append(instrument)
        return midi


def compose(spec: CueSpec) -> Score:
    """Write the cue `spec` asks for."""
    # 1. style
    name = resolve_mood(spec.mood)
    style = STYLES[name]
    rng = generator(spec.seed, "cue", name)
    theme = generator(spec.theme, "theme")
    body = max(0.25, spec.seconds)
    # 2. fit the bars to the body
    wanted = spec.tempo or float(rng.uniform(*style.tempo))
    bar = style.beats * 60.0 / wanted
    # the whole number of bars whose tempo is nearest (in ratio) to the wanted one
    fewer = max(1, math.floor(body / bar))
    bars = min((fewer, fewer + 1), key=lambda b: abs(math.log(b * bar / body)))
    tempo = bars * style.beats * 60.0 / body
    beat = 60.0 / tempo
    bar = beat * style.beats
    # 3. key
    home = int(theme.choice([0, 2, 3, 5, 7, 9, 10]))
    tonic = (home + int(rng.choice([0, 0, 0, 5, 7, -2]))) % 12
    mode = style.mode
    if spec.key and (parsed := parse_key(spec.key)):
        tonic, mode = parsed[0], parsed[1] or mode
    # 4. harmony: one numeral per bar
    progression = style.progressions[int(rng.integers(len(style.progressions)))]
    numerals = [progression[(b // style.chord_bars) % len(progression)] for b in range(bars)]
    final = "i" if mode in ("minor", "dorian", "phrygian") else "I"
    if spec.ending != "cut" and bars >= 2:
        numerals[-1] = final
        if bars >= 3:
            numerals[-2] = style.cadence
    elif spec.ending != "cut":
        numerals[-1] = final
    chords = [chord(n, tonic, mode) for n in numerals]
    writer = _Writer(tempo, spec.quiet)
    end_of_music = body + (spec.tail * 0.55 if spec.ending == "ring" else 0.0)

    def arc(t: float) -> float:
        x = min(1.0, max(0.0, t / body))
        return {
            "swell": 0.86 + 0.2 * math.sin(math.pi * x),
            "build": 0.8 + 0.28 * x,
            "fade": 1.0 - 0.3 * x,
        }.get(style.arc, 0.95) * (1.0 - 0.35 * x if spec.ending == "fade" else 1.0)

    # 5. parts
    _pads(writer, style, chords, bar, body, end_of_music, arc)
    _bass(writer, style, chords, bar, beat, body, end_of_music, arc, rng, tonic)
    _accompaniment(writer, style, chords, bar, beat, body, arc, rng, spec.ending)
    _percussion(writer, style, bars, bar, beat, body, arc, rng, tonic, spec)
    # 6. melody
    _melody(writer, style, chords, bar, beat, body, arc, rng, theme, tonic, mode, spec.ending)
    # 7. dynamics: pad swells that breathe with the phrases and dip under dialogue
    for part in [p for p in writer.parts if p.startswith("pad")]:
        t = 0.0
        while t <= end_of_music:
            phrase = (t % (bar * 4)) / (bar * 4)
            value = 92 + 22 * math.sin(math.pi * phrase)
            if writer.in_quiet(t, t + 0.25, before=0.4, after=0.5):
                value -= 18
            if spec.ending == "fade":
                value *= 1.0 - 0.6 * min(1.0, t / body) ** 2
            writer.control(part, t, 11, value)
            t += 0.25
    score = Score(
        midi=writer.build(),
        style=name,
        tempo=tempo,
        beats=style.beats,
        bars=bars,
        tonic=tonic,
        mode=mode,
        chords=numerals,
        reverb=style.reverb,
        programs={part: program for part, (program, _, _) in writer.parts.items()},
    )
    return score


# --- parts ----------------------------------------------------------------------------------


def voicing(c: Chord, previous: list[int] | None, low: int = 50, high: int = 74) -> list[int]:
    """The chord's tones placed in [low, high], as close as possible to the previous voicing."""
    classes = [(c.root + t) % 12 for t in c.tones[:4]]
    candidates: list[list[int]] = []
    for rotation in range(len(classes)):
        order = classes[rotation:] + classes[:rotation]
        for base in range(low, low + 12):
            if base % 12 != order[0]:
                continue
            notes = [base]
            for pc in order[1:]:
                nxt = notes[-1] + 1
                while nxt % 12 != pc:
                    nxt += 1
                notes.append(nxt)
            if notes[-1] <= high + 2:
                candidates.append(notes)
    if not candidates:
        return [low + (pc - low) % 12 for pc in classes]
    if previous is None:
        centre = (low + high) / 2
        return min(candidates, key=lambda v: abs(sum(v) / len(v) - centre))
    return min(
        candidates,
        key=lambda v: (
            sum(abs(a - b) for a, b in zip(sorted(v), sorted(previous), strict=False))
            + 3 * abs(len(v) - len(previous))
        ),
    )


def _pads(
    writer: _Writer,
    style: Style,
    chords: list[Chord],
    bar: float,
    body: float,
    end_of_music: float,
    arc: Any,
) -> None:
    previous: list[int] | None = None
    for index, program in enumerate(style.pads):
        writer.part(f"pad{index}", program)
        writer.control(f"pad{index}", 0.0, 10, 44 if index == 0 else 84)
        writer.control(f"pad{index}", 0.0, 7, 100 if index == 0 else 78)
    for b, c in enumerate(chords):
        start = b * bar
        last = b == len(chords) - 1
        end = end_of_music if last else (b + 1) * bar + 0.06
        if b > 0 and chords[b - 1] == c:
            continue  # held over from the previous bar
        span_end = end
        for later in range(b + 1, len(chords)):
            if chords[later] != c:
                break
            span_end = end_of_music if later == len(chords) - 1 else (later + 1) * bar + 0.06
        notes = voicing(c, previous)
        previous = notes
        for index, _ in enumerate(style.pads):
            shift = 0 if index == 0 else (-12 if style.pads[index] in (52, 53, 91) else 12)
            for pitch in notes:
                writer.note(f"pad{index}", start, span_end, pitch + shift, 70 * arc(start))


def _bass(
    writer: _Writer,
    style: Style,
    chords: list[Chord],
    bar: float,
    beat: float,
    body: float,
    end_of_music: float,
    arc: Any,
    rng: Rng,
    tonic: int,
) -> None:
    writer.part("bass", style.bass)
    writer.control("bass", 0.0, 10, 60)
    writer.control("bass", 0.0, 7, 96)

    def low(pc: int) -> int:
        return 36 + (pc - 36) % 12

    for b, c in enumerate(chords):
        start = b * bar
        last = b == len(chords) - 1
        end = end_of_music if last else (b + 1) * bar
        root = low(c.root)
        fifth = root + 7 if root + 7 <= 50 else root - 5
        v = 74 * arc(start)
        kind = style.bass_style
        if kind == "pedal":
            writer.note("bass", start, end + 0.05, low(tonic), v)
        elif kind == "held" or last:
            writer.note("bass", start, end + 0.05, root, v)
        elif kind == "root-fifth":
            half = style.beats // 2 or 1
            writer.note("bass", start, start + half * beat, root, v)
            writer.note("bass", start + half * beat, end, fifth, v * 0.9)
        elif kind in ("pulse", "eighths"):
            step = beat / 2 if kind == "eighths" else beat
            t = start
            while t < end - 1e-6:
                accent = 1.0 if abs((t - start) % beat) < 1e-6 else 0.8
                quiet = 0.75 if writer.in_quiet(t, t + step) else 1.0
                writer.note("bass", t, t + step * 0.8, root, v * accent * quiet)
                t += step
        elif kind == "walking":
            tones = [root, root + c.tones[1], fifth, root + (c.tones[1] + 2)]
            for i in range(style.beats):
                t = start + i * beat
                writer.note(
                    "bass", t, t + beat * 0.7, tones[i % len(tones)], v * (1.0 - 0.1 * (i % 2))
                )


def _accompaniment(
    writer: _Writer,
    style: Style,
    chords: list[Chord],
    bar: float,
    beat: float,
    body: float,
    arc: Any,
    rng: Rng,
    ending: str,
) -> None:
    if style.accomp is None or style.accomp_style == "none":
        return
    writer.part("accomp", style.accomp)
    writer.control("accomp", 0.0, 10, 40)
    writer.control("accomp", 0.0, 7, 88)
    previous: list[int] | None = None
    for b, c in enumerate(chords):
        start = b * bar
        last = b == len(chords) - 1
        notes = voicing(c, previous, 55, 79)
        previous = notes
        kind = style.accomp_style
        if last and ending != "cut":
            for p in notes:
                writer.note("accomp", start, start + beat * 2, p, 60 * arc(start))
            continue
        if kind == "arpeggio":
            step = beat / 2
            pattern = [*notes, notes[-1] + 12 - 12 * (len(notes) > 3), *reversed(notes[1:-1])]
            t, i = start, 0
            while t < start + bar - 1e-6:
                quiet = 0.7 if writer.in_quiet(t, t + step) else 1.0
                writer.note(
                    "accomp", t, t + step * 1.8, pattern[i % len(pattern)], 58 * arc(t) * quiet
                )
                t += step
                i += 1
        elif kind == "ostinato":
            step = beat / 2
            figure = [notes[0] - 12, notes[0] - 12, notes[1] - 12, notes[0] - 12]
            t, i = start, 0
            while t < start + bar - 1e-6:
                quiet = 0.7 if writer.in_quiet(t, t + step) else 1.0
                accent = 1.15 if i % 4 == 0 else 0.9
                writer.note(
                    "accomp", t, t + step * 0.55, figure[i % 4], 66 * arc(t) * accent * quiet
                )
                t += step
                i += 1
        elif kind == "pizzicato":
            for i in range(style.beats):
                if i % 2 == 1 or rng.random() < 0.3:
                    t = start + i * beat + (beat / 2 if rng.random() < 0.3 else 0)
                    quiet = 0.7 if writer.in_quiet(t, t + beat) else 1.0
                    for p in notes[:3]:
                        writer.note("accomp", t, t + beat * 0.4, p, 64 * arc(t) * quiet)
        elif kind == "pulse":
            for i in range(style.beats):
                t = start + i * beat
                for p in notes:
                    writer.note("accomp", t, t + beat * 0.9, p, 52 * arc(t))


def _percussion(
    writer: _Writer,
    style: Style,
    bars: int,
    bar: float,
    beat: float,
    body: float,
    arc: Any,
    rng: Rng,
    tonic: int,
    spec: CueSpec,
) -> None:
    timpani_pitch = 40 + (tonic - 40) % 12  # the tonic between E2 and D#3
    if style.percussion in ("timpani", "heartbeat", "taiko") or spec.hits:
        writer.part("timpani", 47)
        writer.control("timpani", 0.0, 10, 70)
        writer.control("timpani", 0.0, 7, 100)
    if style.percussion == "heartbeat":
        for b in range(bars):
            t = b * bar
            if writer.in_quiet(t, t + 0.6):
                continue
            writer.note("timpani", t, t + 0.5, timpani_pitch, 70 * arc(t))
            writer.note("timpani", t + beat * 0.4, t + beat * 0.4 + 0.5, timpani_pitch, 52 * arc(t))
    elif style.percussion == "timpani":
        for b in range(0, bars, 4):
            t = b * bar
            if b > 0 and not writer.in_quiet(t - beat, t):
                roll = t - beat
                while roll < t - 1e-6:
                    frac = 1 - (t - roll) / beat
                    writer.note("timpani", roll, roll + 0.08, timpani_pitch, 40 + 50 * frac)
                    roll += beat / 8
            if not writer.in_quiet(t, t + 0.5):
                writer.note("timpani", t, t + 0.8, timpani_pitch, 92 * arc(t))
    elif style.percussion == "taiko":
        writer.part("taiko", 116)
        writer.control("taiko", 0.0, 7, 100)
        for b in range(bars):
            for hit, vel in ((0.0, 100), (1.5, 70), (2.0, 85), (3.0, 75)):
                t = b * bar + hit * beat
                if t < body and not writer.in_quiet(t, t + 0.3):
                    writer.note("taiko", t, t + 0.4, 45, vel * arc(t))
    if spec.ending != "cut" and style.percussion in ("timpani", "taiko") and bars >= 2:
        t = (bars - 1) * bar
        writer.note("timpani", t, t + 1.5, timpani_pitch, 100)
    for hit in spec.hits:
        if 0 <= hit < body:
            at = round(hit / beat * 2) * beat / 2
            at = at if abs(at - hit) < 0.12 else hit
            writer.note("timpani", at, at + 1.2, timpani_pitch, 100)
            writer.part("hit", 48)
            writer.note("hit", at, at + beat * 1.5, timpani_pitch + 12, 96)
            writer.note("hit", at, at + beat * 1.5, timpani_pitch, 96)


def _degree_pitch(degree: int, base: int, scale: tuple[int, ...]) -> int:
    return base + 12 * (degree // 7) + scale[degree % 7]


def _nearest_degree(pitch: int, base: int, scale: tuple[int, ...], classes: set[int] | None) -> int:
    best, distance = 0, 1 << 30
    for d in range(-14, 22):
        p = _degree_pitch(d, base, scale)
        if classes is not None and p % 12 not in classes:
            continue
        if abs(p - pitch) < distance:
            best, distance = d, abs(p - pitch)
    return best


def theme_motif(theme: Rng, beats: int) -> tuple[list[float], list[int]]:
    """The film's theme: a one-bar rhythm cell and its contour in scale steps (a leap, then
    steps back the other way, as tunes do)."""
    cells = CELLS.get(beats, CELLS[4])
    cell = list(cells[int(theme.integers(len(cells)))])
    leap = int(theme.choice([2, 3, 4, -2]))
    contour = [0]
    for index in range(1, len(cell)):
        if index == 1:
            contour.append(leap)
        else:
            back = -1 if leap > 0 else 1
            contour.append(int(theme.choice([back, back, back * 2, -back])))
    return [float(c) for c in cell], contour


def _melody(
    writer: _Writer,
    style: Style,
    chords: list[Chord],
    bar: float,
    beat: float,
    body: float,
    arc: Any,
    rng: Rng,
    theme: Rng,
    tonic: int,
    mode: str,
    ending: str,
) -> None:
    writer.part("lead", style.lead)
    writer.control("lead", 0.0, 10, 70)
    writer.control("lead", 0.0, 7, 104)
    scale = MODES[mode]
    base = 12 * (style.lead_octave + 1) + tonic - (12 if tonic > 6 else 0)
    low, high = base - 5, base + 14
    cell, steps = theme_motif(theme, style.beats)
    bars = len(chords)
    degree = 2  # start on the third
    intro = 1 if bars >= 4 else 0
    for b in range(intro, bars):
        start = b * bar
        role = (b - intro) % 4
        last = b == bars - 1
        c = chords[b]
        if not last and rng.random() > style.density + (0.25 if role == 0 else 0.0):
            continue
        degree = _nearest_degree(_degree_pitch(degree, base, scale), base, scale, c.classes)
        if last and ending != "cut":
            home = {tonic % 12, (tonic + scale[2]) % 12}
            target = _nearest_degree(_degree_pitch(degree, base, scale), base, scale, home)
            end = start + bar * 0.98
            if not writer.in_quiet(start, end):
                writer.note(
                    "lead", start, end + 0.3, _degree_pitch(target, base, scale), 78 * arc(start)
                )
            degree = target
            continue
        rhythm, contour = list(cell), list(steps)
        if role == 1:  # the motif again, a step higher or lower (a sequence)
            degree += int(rng.choice([-1, 1]))
        elif role == 2:  # a variation: the longest note split, the contour maybe turned over
            longest = max(range(len(rhythm)), key=lambda i: rhythm[i])
            half = rhythm[longest] / 2
            rhythm[longest : longest + 1] = [half, half]
            contour.insert(longest + 1, int(rng.choice([-1, 1])))
            if rng.random() < 0.5:
                contour = [contour[0]] + [-step for step in contour[1:]]
        elif role == 3:  # the phrase's end: one long note
            rhythm, contour = [float(style.beats)], [0]
        t = start
        for length, step in zip(rhythm, contour, strict=False):
            candidate = degree + step
            if not low <= _degree_pitch(candidate, base, scale) <= high:
                candidate = degree - step
            degree = candidate
            pitch = _degree_pitch(degree, base, scale)
            if (t == start or length >= 2) and pitch % 12 not in c.classes:
                degree = _nearest_degree(pitch, base, scale, c.classes)
                pitch = _degree_pitch(degree, base, scale)
            note_start = t + (float(rng.normal(0, 0.008)) if t > start else 0.0)
            note_end = t + length * beat * 0.95
            if not writer.in_quiet(note_start, note_end) and note_end <= body + 0.01:
                accent = 1.08 if t == start else 1.0
                velocity = (72 + float(rng.normal(0, 4))) * arc(t) * accent
                writer.note("lead", max(0.0, note_start), note_end, pitch, velocity)
            t += length * beat
