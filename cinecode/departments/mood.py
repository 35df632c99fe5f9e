"""A scene's mood, for its music cue: written in the screenplay, or read from it.

In order of authority:
1. `[[mood: …]]` in the scene: a mood word or a phrase ("tense", "slow dread, like a
   heartbeat"), with optional clauses `seed N`, `tempo N`, `key D minor`; `none` (or
   `silence`, `no music`) means the scene has no score.
2. Mood words in the scene's synopsis (`= …`) and section (`# …`).
3. Inferred: the action's words (storm, runs, laughs, alone…), the parentheticals' styles
   (shouting, softly…) and the heading (night, dawn, interior…) vote for a mood.

The result names one of `MOODS` (the composer's styles) and keeps the words as written, which
hosted music generators get as their prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cinecode.script.model import Scene

MOODS = (
    "calm",
    "tender",
    "hopeful",
    "playful",
    "romantic",
    "melancholy",
    "mysterious",
    "ominous",
    "tense",
    "action",
    "triumphant",
)
SILENT = ("none", "silence", "silent", "no music", "no score", "dry")

#: words (regex stems) that vote for a mood, in synopses, sections and action
WORDS: dict[str, str] = {
    "calm": r"calm|peace|quiet|still|gentle|sunny|breeze|arriv|tea\b|sits?\b|rests?\b|slow",
    "tender": r"tender|warm|hug|embrac|smil|softly|gently|together|family|"
    r"grand(father|mother|pa|ma)|son\b|daughter|child|care|comfort|lamplight|logbook|memor",
    "hopeful": r"hope|dawn|sunrise|morning after|new day|promis|future|shining|keeps?\b|"
    r"reconcil|forgiv|home\b|both lights|way to",
    "playful": r"laugh|giggl|play(s|ing)?\b|game|joke|silly|grin|teas(e|ing)|danc|"
    r"chas(es|ing) each",
    "romantic": r"kiss|love|lovers|romanc|candle|gaze|heart\b|wedding|date\b",
    "melancholy": r"alone|grave|funeral|tears|cry|cries|sad|empty|loss|lost|goodbye|farewell|"
    r"switched off|last\b|lose|leav(e|es|ing)\b|old\b|photograph|regret",
    "mysterious": r"strange|shadow|secret|fog|mist|unknown|glow|ancient|ajar|whisper|dream|"
    r"wonder|myster",
    "ominous": r"storm|dark|thunder|lightning|blood|black|cold\b|dead|vanish|threat|fails?|"
    r"gale|machine goes|goes dark|wordless|rocks\b|warning|flood",
    "tense": r"tense|wait(s|ing)?\b|clock|hid(e|es|ing)|breath|careful|shak(e|es|ing)|sweat|"
    r"alarm|danger|can't|too big|turn back|hold your course|shout|fight(s|ing)? the",
    "action": r"\bruns?\b|running|chase|fight|crash|explo|jumps?|races?|struggl|punch|escape|"
    r"flee|pursu|smash",
    "triumphant": r"triumph|win(s|ning)?\b|cheer|victor|succeed|it's working|saved|rescue|"
    r"sees? the light|beam|blooms|i see it|glory|made it",
}
#: parenthetical styles (from the voices' deliveries) that lean a scene one way
STYLE_VOTES = {
    "shout": ("tense", 0.6),
    "angry": ("tense", 0.5),
    "whisper": ("mysterious", 0.3),
    "soft": ("tender", 0.4),
    "sad": ("melancholy", 0.6),
    "laugh": ("playful", 0.4),
    "excited": ("hopeful", 0.3),
}
#: the heading's time of day and setting
TIME_VOTES = {
    "night": (("ominous", 0.6), ("mysterious", 0.5)),
    "dawn": (("hopeful", 1.2),),
    "morning": (("calm", 0.8), ("hopeful", 0.4)),
    "day": (("calm", 0.8),),
    "dusk": (("tender", 0.6), ("melancholy", 0.4)),
    "evening": (("tender", 0.6),),
}


@dataclass(frozen=True)
class Mood:
    """A scene's mood: one of MOODS (or "none"), its words, and where it came from."""

    mood: str
    words: str
    source: str  # directive | synopsis | inferred
    seed: int | None = None
    tempo: float | None = None
    key: str = ""

    @property
    def silent(self) -> bool:
        return self.mood == "none"


def parse_mood(text: str) -> Mood:
    """A `[[mood: …]]` body: the mood words and optional `seed N`, `tempo N`, `key …`."""
    seed: int | None = None
    tempo: float | None = None
    key = ""
    words: list[str] = []
    for clause in (c.strip() for c in text.split(",")):
        if match := re.fullmatch(r"seed\s*[:=]?\s*(\d+)", clause, re.I):
            seed = int(match.group(1))
        elif match := re.fullmatch(r"tempo\s*[:=]?\s*(\d+(?:\.\d+)?)\s*(bpm)?", clause, re.I):
            tempo = float(match.group(1))
        elif match := re.fullmatch(r"key\s*[:=]?\s*(.+)", clause, re.I):
            key = match.group(1).strip()
        elif clause:
            words.append(clause)
    phrase = ", ".join(words)
    if phrase.lower().strip() in SILENT:
        return Mood("none", phrase, "directive", seed, tempo, key)
    return Mood(name_mood(phrase) or vote(phrase) or "calm", phrase, "directive", seed, tempo, key)


def name_mood(text: str) -> str:
    """The mood a word or phrase names directly ("grief" → melancholy), or ""."""
    low = text.lower()
    for mood in MOODS:
        if re.search(rf"\b{mood}", low):
            return mood
    synonyms = {
        "calm": r"peaceful|serene|tranquil",
        "tender": r"tender|warm|intimate|nostalgi|bittersweet",
        "hopeful": r"hope|uplift|optimis|relief",
        "playful": r"comic|funny|whimsi|joyful|cheerful|light-hearted|happy",
        "romantic": r"love|longing|passion",
        "melancholy": r"sad|grief|sorrow|mourn|lonely|regret",
        "mysterious": r"eerie|uncanny|dreamy|magical|wonder",
        "ominous": r"dread|menac|forebod|sinister|threat|dark",
        "tense": r"suspens|anxious|nervous|urgent|fear|tension",
        "action": r"chase|fight|battle|frantic|pursuit",
        "triumphant": r"victor|heroic|epic|glori|soaring|rescue",
    }
    for mood, pattern in synonyms.items():
        if re.search(pattern, low):
            return mood
    return ""


def vote(text: str, weight: float = 1.0, votes: dict[str, float] | None = None) -> str:
    """The mood whose words `text` uses most ("" if none); adds to `votes` if given."""
    tally = votes if votes is not None else {}
    low = text.lower()
    for mood, pattern in WORDS.items():
        hits = len(re.findall(pattern, low))
        if hits:
            tally[mood] = tally.get(mood, 0.0) + weight * hits
    if not tally:
        return ""
    return max(tally, key=lambda m: (tally[m], -MOODS.index(m)))


def scene_mood(scene: Scene) -> Mood:
    """The mood of a scene's score (see the module doc for the order of authority)."""
    if scene.mood:
        return parse_mood(scene.mood)
    named = name_mood(scene.synopsis) or name_mood(scene.section)
    if named:
        return Mood(named, scene.synopsis or scene.section, "synopsis")
    votes: dict[str, float] = {}
    vote(scene.synopsis, 2.0, votes)
    vote(scene.section, 1.0, votes)
    vote(scene.action_text, 1.0, votes)
    for shot in scene.shots:
        for line in shot.lines:
            for segment in line.delivery:
                if segment.style in STYLE_VOTES:
                    mood, weight = STYLE_VOTES[segment.style]
                    votes[mood] = votes.get(mood, 0.0) + weight
    for mood, weight in TIME_VOTES.get(scene.time_of_day, ()):
        votes[mood] = votes.get(mood, 0.0) + weight
    if scene.setting == "int" and scene.time_of_day in ("day", "morning", "evening", "dusk"):
        votes["tender"] = votes.get("tender", 0.0) + 0.3
    best = max(votes, key=lambda m: (votes[m], -MOODS.index(m))) if votes else "calm"
    words = " ".join(p for p in (scene.synopsis, scene.heading) if p)
    return Mood(best, words, "inferred")
