"""A scene's mood, for its music cue: written in the screenplay, or read from it.

In order of authority:
1. `[[mood: …]]` in the scene: a mood word or a phrase ("tense", "slow dread, like a
   heartbeat"), with optional clauses `seed N`, `tempo N`, `key D minor`; `none` (or
   `silence`, `no music`) means the scene has no score. The words are read by
   `cinecode.script.moods`; words it does not know stop the build at their line.
2. Mood words in the scene's synopsis (`= …`) and section (`# …`).
3. Inferred: the action's words (storm, runs, laughs, alone…), the parentheticals' styles
   (shouting, softly…) and the heading (night, dawn, interior…) vote for a mood.

The result names one of `MOODS` (the composer's styles) and keeps the words as written, which
hosted music generators get as their prompt.
"""

from __future__ import annotations

from cinecode.script.model import Scene
from cinecode.script.moods import MOODS, SILENT, WORDS, Mood, name_mood, parse_mood, vote

__all__ = [
    "MOODS",
    "SILENT",
    "STYLE_VOTES",
    "TIME_VOTES",
    "WORDS",
    "Mood",
    "name_mood",
    "parse_mood",
    "scene_mood",
    "vote",
]

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
