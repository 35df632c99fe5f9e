"""From a dialogue block to a delivery: the words, the pauses, and how they are said."""

from __future__ import annotations

import re

from cinecode.backends.protocols import SpeechSegment
from cinecode.script.elements import Element

PAUSES = {
    "beat": 0.6,
    "a beat": 0.6,
    "short beat": 0.4,
    "long beat": 1.2,
    "pause": 1.0,
    "a pause": 1.0,
    "long pause": 2.0,
    "a long pause": 2.0,
    "silence": 1.5,
}
STYLES = (
    (r"whisper", "whisper"),
    (r"under (his|her|their) breath|murmur|mutter|hushed", "whisper"),
    (r"shout|yell|scream|bellow|calling out|call(s|ing)? out", "shout"),
    (r"soft|quiet|gentl|tender|low voice", "soft"),
    (r"sad|tearful|crying|through tears|choked|grief", "sad"),
    (r"angr|furious|snap|bitter|cold", "angry"),
    (r"laugh|chuckl|giggl|amused", "laugh"),
    (r"excit|eager|thrilled|delighted|breathless", "excited"),
)


def style_of(parenthetical: str) -> str:
    """The delivery style a parenthetical asks for ("" when it asks for none we know)."""
    text = parenthetical.lower()
    for pattern, style in STYLES:
        if re.search(pattern, text):
            return style
    return ""


def pause_of(parenthetical: str) -> float:
    """Seconds of silence a parenthetical asks for (0 when it is not a pause)."""
    text = re.sub(r"[^a-z ]", "", parenthetical.lower()).strip()
    return PAUSES.get(text, 0.0)


def speakable(text: str) -> str:
    """Text as a voice should read it: dashes and ellipses become pauses in punctuation."""
    text = text.replace("—", ", ").replace("--", ", ").replace("…", "...")
    text = re.sub(r"\s*\.\.\.\s*", "... ", text)
    text = re.sub(r"[*_]", "", text)
    return " ".join(text.split())


def delivery(block: Element) -> tuple[SpeechSegment, ...]:
    """The speech segments of a dialogue block, in order."""
    segments: list[SpeechSegment] = []
    style = ""
    for part in block.parts:
        if part.kind == "parenthetical":
            pause = pause_of(part.text)
            if pause:
                segments.append(SpeechSegment(pause=pause))
            else:
                style = style_of(part.text) or style
            continue
        text = speakable(part.text)
        if not text:
            continue
        if segments and segments[-1].text and segments[-1].style == style:
            last = segments[-1]
            segments[-1] = SpeechSegment(text=f"{last.text} {text}", style=style)
        else:
            segments.append(SpeechSegment(text=text, style=style))
    return tuple(segments)
