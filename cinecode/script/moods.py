"""The words of a mood: what `[[mood: …]]`, a synopsis or a section says about the score.

`parse_mood("hopeful, seed 3, tempo 84")` reads a directive; `mood_named(words)` is the one of
`MOODS` the words name ("none": no music; "": nothing cinecode knows, which the directive
reader turns into a ScriptError). `name_mood` and `vote` also read synopses and action, for
the mood department's inference (cinecode.departments.mood).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

#: synonyms a mood word is read as when it names no mood directly
SYNONYMS = {
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

#: more words a `[[mood:]]` may use, read only when the words above find nothing (so no mood
#: that was read before changes); each also matches its longer forms (relax → relaxed)
MORE: dict[str, str] = {
    "calm": "ambient neutral minimal sparse relax mellow chill meditative meditation sleepy "
    "lullaby idyllic pastoral reflective contemplative pensive introspective weary "
    "tired soothing placid hushed reverent sacred hymn spiritual serenity bliss lazy",
    "tender": "sentimental loving sweet cute cozy cosy poignant touching moving emotional "
    "innocent heartfelt affection fond kind",
    "hopeful": "inspiring inspirational bright relieved determined resolute confident proud "
    "upbeat encouraging aspiring redemption renewal",
    "playful": "fun goofy quirky comedic comedy mischievous cheeky cartoon bouncy jaunty "
    "jazzy festive light carefree sneaky joy surprise zany amusing humorous",
    "romantic": "yearning sensual adoring amorous infatuated desire flirt",
    "melancholy": "melancholic melancholia somber sombre gloom bleak tragic tragedy desolate "
    "hollow heartbroken heartbreak elegiac elegy wistful resigned defeated numb "
    "despair grieving weep blue forlorn solemn dirge requiem lament downbeat "
    "depressed depressing unhappy miserable",
    "mysterious": "curious investigative noir ethereal otherworldly haunting awe enigmatic "
    "cryptic surreal hypnotic celestial spooky puzzling intriguing mystical "
    "fantasy fairy enchanted suspicious ghostly weird",
    "ominous": "creepy horror scary frightening terrifying brooding grim evil doom "
    "apocalyptic unsettling malevolent nightmare villain gothic chilling haunted "
    "macabre deadly",
    "tense": "thriller thrilling uneasy unease panic desperate stealthy dramatic paranoid "
    "restless edgy agitated ticking pressure jittery scared afraid shock standoff "
    "showdown suspicion",
    "action": "energetic exciting excitement chaotic chaos frenzy frenzied manic wild "
    "aggressive angry anger furious fury rage fierce powerful warfare military "
    "march adrenaline climactic climax crazy heist combat riot violent driving",
    "triumphant": "celebratory celebration jubilant majestic majesty grand finale anthem "
    "regal fanfare euphoric elated victory winning success glorious",
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
    return Mood(mood_named(phrase) or "calm", phrase, "directive", seed, tempo, key)


def mood_named(words: str) -> str:
    """The mood a directive's words name: one of MOODS, "none" (no music), or "" (none known)."""
    if words.lower().strip() in SILENT:
        return "none"
    return name_mood(words) or vote(words) or _more(words)


def name_mood(text: str) -> str:
    """The mood a word or phrase names directly ("grief" → melancholy), or ""."""
    low = text.lower()
    for mood in MOODS:
        if re.search(rf"\b{mood}", low):
            return mood
    for mood, pattern in SYNONYMS.items():
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


def _more(text: str) -> str:
    """The mood of the first word that MORE knows (by its longest entry), or ""."""
    for word in re.findall(r"[a-z]+", text.lower()):
        found = [
            (len(entry), mood)
            for mood, entries in MORE.items()
            for entry in entries.split()
            if word.startswith(entry)
        ]
        if found:
            return max(found)[1]
    return ""


#: every word a `[[mood:]]` may be written with, for "did you mean …?"
MOOD_WORDS: tuple[str, ...] = (*MOODS, "none", *(w for ws in MORE.values() for w in ws.split()))
