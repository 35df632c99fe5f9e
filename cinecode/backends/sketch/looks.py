"""A character's look: what stays the same about them from shot to shot. It is read from their
description in film.toml ("Teo, 10, messy brown hair, bright yellow raincoat …") and what the
action has them wear; what the words leave open is drawn from dice seeded by the name."""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass, replace
from functools import lru_cache

from cinecode.backends.sketch.style import RGB, mix


@dataclass(frozen=True)
class Look:
    """What stays the same about a character from shot to shot. The first six are drawn from
    the name; the rest are read from the words (their defaults: nothing described)."""

    height: float  # × an adult's 1.75 m
    build: float
    hair: str  # short | long | bun | curly | bald | messy | tied | braids
    hair_color: RGB
    skin: RGB
    outfit: str  # trousers | coat (to the knees)
    age: int | None = None
    head: float = 1.0  # the head's size for the body: > 1 for a child
    width: float = 1.0  # the body's width, × an adult's of the same build
    hair_word: str = ""  # the colour the words gave the hair
    beard: str = ""  # "" | beard | moustache | stubble
    beard_color: RGB | None = None  # None: the hair's
    headwear: str = ""  # "" | cap | hat | hood
    headwear_color: RGB = (70, 72, 82)  # a hood is the garment's colour
    glasses: bool = False
    garment: str = ""  # the main garment the words name (jacket, raincoat, sweater …)
    garment_color: RGB | None = None  # None: the character's own colour
    garment_word: str = ""
    oversized: bool = False  # too big: longer sleeves and hem

    @property
    def child(self) -> bool:
        return self.age is not None and self.age < 13

    def summary(self) -> dict[str, object]:
        """The look in words, for the take's meta."""
        return {
            "age": self.age,
            "child": self.child,
            "height": round(self.height, 3),
            "hair": self.hair,
            "hair_colour": self.hair_word or _nearest(self.hair_color, _HAIR_COLOURS),
            "beard": self.beard,
            "headwear": self.headwear,
            "glasses": self.glasses,
            "garment": self.garment,
            "garment_colour": self.garment_word,
        }


_SKINS: tuple[RGB, ...] = (
    (238, 208, 184), (226, 188, 156), (204, 160, 122), (170, 122, 88), (124, 88, 64),
)  # fmt: skip
_HAIRS: tuple[RGB, ...] = (
    (40, 34, 32), (74, 52, 38), (120, 86, 54), (176, 140, 92), (150, 150, 150), (96, 40, 30),
)  # fmt: skip


@lru_cache(maxsize=1024)
def look_of(name: str, look: str = "", wearing: str = "", sheet: int = 0) -> Look:
    """`name`'s look: the seeded one, with what `look` (a description) and `wearing` say;
    `sheet`: the seed of a cast sheet, whose own draw of what the words leave open it is."""
    seeded = _seeded(f"{name}#{sheet}" if sheet else name)
    if not look.strip() and not wearing.strip():
        return seeded
    return _described(seeded, look.lower(), wearing.lower())


def _seeded(name: str) -> Look:
    rnd = random.Random(zlib.crc32(name.strip().upper().encode("utf-8")))
    return Look(
        height=rnd.uniform(0.93, 1.05),
        build=rnd.uniform(0.9, 1.12),
        hair=rnd.choice(("short", "short", "long", "bun", "curly", "bald")),
        hair_color=rnd.choice(_HAIRS),
        skin=rnd.choice(_SKINS),
        outfit=rnd.choice(("trousers", "trousers", "coat")),
    )


# --- the words -------------------------------------------------------------------------------

#: colours a description names, for hair …
_HAIR_COLOURS: dict[str, RGB] = {
    "white": (228, 226, 218), "grey": (150, 150, 150), "gray": (150, 150, 150),
    "silver": (190, 190, 194), "black": (34, 30, 30), "dark": (58, 44, 36),
    "brown": (112, 74, 44), "chestnut": (126, 62, 34), "blond": (222, 188, 116),
    "blonde": (222, 188, 116), "fair": (214, 184, 124), "red": (170, 66, 34),
    "ginger": (184, 88, 40), "auburn": (136, 56, 36), "sandy": (176, 140, 92),
}  # fmt: skip
#: … and for clothes
_COLOURS: dict[str, RGB] = {
    "red": (196, 40, 36), "orange": (232, 118, 30), "yellow": (238, 196, 30),
    "green": (58, 132, 62), "olive": (110, 112, 52), "blue": (46, 92, 176),
    "navy": (34, 46, 86), "teal": (30, 122, 124), "turquoise": (48, 170, 168),
    "purple": (110, 56, 140), "violet": (128, 80, 170), "pink": (226, 120, 152),
    "brown": (112, 72, 44), "tan": (190, 150, 104), "beige": (214, 196, 160),
    "khaki": (178, 164, 112), "grey": (130, 132, 136), "gray": (130, 132, 136),
    "white": (238, 236, 230), "black": (34, 34, 38), "cream": (240, 230, 200),
    "maroon": (112, 30, 40), "burgundy": (118, 28, 50), "mustard": (206, 164, 40),
    "charcoal": (62, 64, 70), "denim": (72, 98, 140), "crimson": (176, 24, 48),
    "scarlet": (216, 36, 28), "gold": (212, 170, 50), "silver": (186, 188, 192),
}  # fmt: skip
_SHADES = {"bright": 1.15, "light": 1.35, "pale": 1.5, "dark": 0.6, "deep": 0.7, "faded": 1.25}

#: what a character can wear on the body (the first one a description names is the main one)
GARMENTS = (
    "dressing gown", "raincoat", "overcoat", "coat", "jacket", "anorak", "parka", "oilskins",
    "oilskin", "sweater", "jumper", "cardigan", "fleece", "hoodie", "sweatshirt", "t-shirt",
    "shirt", "blouse", "dress", "gown", "robe", "suit", "uniform", "overalls", "poncho",
    "cloak", "cape", "vest", "waistcoat", "apron", "smock", "tunic", "pyjamas", "pajamas",
)  # fmt: skip
#: the garments that reach the knees
_LONG = {"dressing gown", "raincoat", "overcoat", "coat", "parka", "oilskins", "oilskin",
         "dress", "gown", "robe", "poncho", "cloak", "cape", "smock"}  # fmt: skip

_WORDS_AGE = (
    (r"baby|toddler", 3), (r"child|boy|girl|kid", 8), (r"teen|teenage|teenager", 15),
    (r"elderly|old|aged|ancient", 72), (r"young", 25),
)  # fmt: skip
_SHORT = r"\b(?:small|short|tiny|petite)\b(?! (?:\w+ )?(?:hair|beard|coat|sleeves))"
_OVERSIZED = re.compile(
    r"too (?:big|large|long)|oversized|baggy|swamp|sleeves (?:to|past|over|down to)"
)
_HEADWEAR = (
    ("hood", r"hood|hooded"), ("cap", r"beanie|woolly hat|wool hat|knitted hat|bobble hat|cap"),
    ("hat", r"fedora|sou'?wester|bowler|trilby|hat"),
)  # fmt: skip
_HAIR_WORDS = r"\bhair|\bhaired\b|\bbraid|\bplait|\bponytail|\bcurls\b|\bbun\b"
_STYLES = (
    ("bald", r"bald|balding|shaved head|shaven head"), ("braids", r"braids|braided|plaits"),
    ("tied", r"tied back|ponytail|pony tail|pulled back"), ("bun", r"\bbun\b"),
    ("messy", r"messy|tousled|unruly|shaggy|wild|untidy|scruffy"),
    ("curly", r"curly|curls|wavy"), ("long", r"long"), ("short", r"short|cropped|crew cut"),
)  # fmt: skip


def _described(seeded: Look, look: str, wearing: str) -> Look:
    """The seeded look with what the words say; what they wear now wins over the description."""
    described = _sized(seeded, look)
    described = _haired(described, look)
    described = _dressed(described, wearing if _garment(wearing)[0] else look)
    described = _hatted(described, wearing, look)
    glasses = re.search(r"\b(?:glasses|spectacles|specs|bifocals)\b", f"{look}; {wearing}")
    return replace(described, glasses=bool(glasses))


def _age(look: str) -> int | None:
    """A number after the name ("Teo, 10,"), "74-year-old", "aged 12", or a word for it."""
    for pattern in (r"^[^,;(]*[,(]\s*(\d{1,3})\b", r"\b(\d{1,3})[- ]years?[- ]old\b",
                    r"\baged (\d{1,3})\b"):  # fmt: skip
        found = re.search(pattern, look)
        if found:
            return int(found.group(1))
    decade = re.search(r"\bin (?:his|her|their) (\d)0s\b", look)
    if decade:
        return int(decade.group(1)) * 10 + 5
    for words, years in _WORDS_AGE:
        if re.search(rf"\b(?:{words})\b", look):
            return years
    return None


def _sized(look: Look, words: str) -> Look:
    """The age; height, head and width by age; tall, small or short; thin or broad."""
    age = _age(words)
    height, head, width, build = look.height, 1.0, 1.0, look.build
    if age is not None and age < 13:  # 0.55 … 0.75 of an adult, a bigger head for the body
        height = 0.55 + 0.2 * (max(1, age) - 1) / 11
        head, width = 1.62 - 0.028 * age, 0.5 + 0.022 * age
    elif age is not None and age < 18:
        height, head, width = 0.84 + 0.025 * (age - 13), 1.08, 0.82 + 0.03 * (age - 13)
    if re.search(r"\btall\b", words):
        height = max(height * 1.06, 1.04) if head == 1.0 else height * 1.05
    elif re.search(_SHORT, words):
        height = min(height * 0.95, 0.95) if head == 1.0 else height * 0.95
    if re.search(r"\b(?:thin|wiry|slim|slender|skinny|lean|slight|gaunt)\b", words):
        build = min(build, 0.92)
    elif re.search(r"\b(?:broad|burly|stocky|stout|heavy|heavyset|plump|portly|fat)\b", words):
        build = max(build, 1.14)
    return replace(look, age=age, height=height, head=head, width=width, build=build)


def _haired(look: Look, words: str) -> Look:
    """1. the hair's style  2. its colour (grey or white with age when the words say none)
    3. a beard, moustache or stubble."""
    clauses = _clauses(words)
    hair = next((c for c in clauses if re.search(_HAIR_WORDS, c)), "")
    facial = next((c for c in clauses if re.search(r"beard|moustache|mustache|stubble", c)), "")
    # 1. the style ("long", "short" … only where the hair is spoken of)
    styles = _STYLES if hair else _STYLES[:4]
    style = next((s for s, w in styles if re.search(rf"\b(?:{w})", hair or words)), "")
    # 2. the colour
    word = _colour_word(hair, _HAIR_COLOURS) or _colour_word(facial, _HAIR_COLOURS)
    age = look.age
    if not word and age is not None and age >= 65:
        word = "white" if age >= 80 else "grey"
    if word and not style and look.hair == "bald":  # hair with a colour is hair
        style = "short"
    colour = _HAIR_COLOURS[word] if word else look.hair_color
    look = replace(look, hair=style or look.hair, hair_color=colour, hair_word=word)
    # 3. the face
    for kind, pattern in (("beard", r"beard|bearded"), ("moustache", r"moustache|mustache"),
                          ("stubble", r"stubble|unshaven")):  # fmt: skip
        if re.search(rf"\b(?:{pattern})\b", facial):
            shade = _colour_word(facial, _HAIR_COLOURS)
            return replace(look, beard=kind, beard_color=_HAIR_COLOURS.get(shade))
    return look


def _hatted(look: Look, *texts: str) -> Look:
    """The first cap, hat or hood the texts name, with its colour (a hood: the garment's)."""
    for clause in (c for text in texts for c in _clauses(text)):
        for kind, words in _HEADWEAR:
            if re.search(rf"\b(?:{words})\b", clause):
                colour = _colour(clause)[1]
                if kind == "hood":
                    colour = colour or look.garment_color
                return replace(look, headwear=kind, headwear_color=colour or look.headwear_color)
    return look


def _garment(text: str) -> tuple[str, int]:
    """The main garment `text` names (the first), and where it is."""
    found = []
    for garment in GARMENTS:
        match = re.search(rf"\b{garment}\b", text)
        if match:
            found.append((match.start(), garment))
    if not found:
        return "", -1
    at, garment = min(found)
    return garment, at


def _dressed(look: Look, text: str) -> Look:
    """The main garment, its colour (the words just before it, else any the text names), its
    length and whether it is too big."""
    garment, at = _garment(text)
    if not garment:
        return look
    word, colour = _colour(re.split(r"[;,(]", text[:at])[-1])
    if colour is None:
        word, colour = _colour(text[at:])
    return replace(
        look,
        garment=garment,
        garment_color=colour,
        garment_word=word,
        outfit="coat" if garment in _LONG else "trousers",
        oversized=bool(_OVERSIZED.search(text)),
    )


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[;,.()]| and | with ", text) if c.strip()]


def _colour_word(text: str, table: dict[str, RGB]) -> str:
    """The colour in `table` that `text` names nearest before its noun ("dark red hair": red;
    "" when none)."""
    words = re.findall(r"[a-z]+", text)
    nouns = [i for i, w in enumerate(words) if w in ("hair", "haired", "beard", "moustache")]
    before = words[: nouns[0]] if nouns else words
    return next((w for w in reversed(before) if w in table), "")


def _colour(text: str) -> tuple[str, RGB | None]:
    """The last colour `text` names, as its words and RGB: "navy", "red-orange" (a mix),
    "bright yellow" (a shade)."""
    tokens = re.findall(r"[a-z]+(?:-[a-z]+)*", text)
    for i in range(len(tokens) - 1, -1, -1):
        parts = tokens[i].split("-")
        if not all(p in _COLOURS for p in parts):
            continue
        colour = _COLOURS[parts[0]]
        for n, part in enumerate(parts[1:], start=2):
            colour = mix(colour, _COLOURS[part], 1 / n)
        shade = tokens[i - 1] if i > 0 and tokens[i - 1] in _SHADES else ""
        if shade:
            colour = _shaded(colour, _SHADES[shade])
        return " ".join(filter(None, (shade, tokens[i]))), colour
    return "", None


def _shaded(colour: RGB, amount: float) -> RGB:
    """Darker (< 1), brighter (just over 1: more saturated) or paler (more) than `colour`."""
    if amount < 1:
        return mix((0, 0, 0), colour, amount)
    if amount < 1.2:
        grey = sum(colour) / 3
        r, g, b = (max(0, min(255, round(c + (c - grey) * 0.4))) for c in colour)
        return (r, g, b)
    return mix(colour, (255, 255, 255), amount - 1)


def _nearest(colour: RGB, table: dict[str, RGB]) -> str:
    """The name in `table` nearest to `colour`."""
    return min(
        table, key=lambda w: sum((a - b) ** 2 for a, b in zip(table[w], colour, strict=True))
    )
