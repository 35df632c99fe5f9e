"""The props as drawings: each icon's real size, proportions, colour and shapes (in its own
0…1 box), the nouns that name it, and how a flat one lies on a table."""

from __future__ import annotations

import math
from functools import lru_cache

from cinecode.backends.sketch.icons_more import (
    HOUSE,
    KITCHEN,
    LIGHTS,
    MACHINES,
    NATURE,
    PAPERS,
    SEA,
    TOOLS,
    WORDS,
    Icon,
)
from cinecode.backends.sketch.style import Point

# name → (height in metres, width/height, colour, shapes); coordinates are in the prop's box.
ICONS: dict[str, Icon] = {
    "door": (2.1, 0.45, (138, 106, 74), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("poly", (0.15, 0.06, 0.85, 0.06, 0.85, 0.45, 0.15, 0.45), "light"),
        ("poly", (0.15, 0.52, 0.85, 0.52, 0.85, 0.94, 0.15, 0.94), "light"),
        ("ellipse", (0.74, 0.48, 0.86, 0.53), "metal"))),
    "window": (1.3, 1.0, (200, 190, 170), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "light"),
        ("poly", (0.08, 0.08, 0.46, 0.08, 0.46, 0.46, 0.08, 0.46), "glass"),
        ("poly", (0.54, 0.08, 0.92, 0.08, 0.92, 0.46, 0.54, 0.46), "glass"),
        ("poly", (0.08, 0.54, 0.46, 0.54, 0.46, 0.92, 0.08, 0.92), "glass"),
        ("poly", (0.54, 0.54, 0.92, 0.54, 0.92, 0.92, 0.54, 0.92), "glass"))),
    "car": (1.45, 2.8, (150, 60, 52), (
        ("poly", (0, 0.45, 0.05, 0.38, 0.27, 0.33, 0.37, 0.05, 0.72, 0.05, 0.85, 0.33,
                  0.98, 0.4, 1, 0.55, 1, 0.8, 0, 0.8), "main"),
        ("poly", (0.4, 0.11, 0.55, 0.11, 0.55, 0.33, 0.32, 0.33), "glass"),
        ("poly", (0.58, 0.11, 0.7, 0.11, 0.8, 0.33, 0.58, 0.33), "glass"),
        ("ellipse", (0.12, 0.62, 0.3, 1.0), "dark"), ("ellipse", (0.7, 0.62, 0.88, 1.0), "dark"),
        ("ellipse", (0.17, 0.72, 0.25, 0.9), "metal"),
        ("ellipse", (0.75, 0.72, 0.83, 0.9), "metal"),
        ("ellipse", (0.94, 0.44, 0.99, 0.52), "glow"))),
    "boat": (1.6, 2.4, (72, 98, 128), (
        ("line", (0.5, 0.0, 0.5, 0.32), "dark"),
        ("poly", (0.34, 0.3, 0.66, 0.3, 0.66, 0.56, 0.34, 0.56), "light"),
        ("poly", (0.41, 0.36, 0.59, 0.36, 0.59, 0.47, 0.41, 0.47), "glass"),
        ("poly", (0, 0.55, 1, 0.55, 0.86, 1, 0.12, 1), "main"))),
    "radio": (0.25, 1.5, (120, 92, 64), (
        ("line", (0.8, 0.16, 0.98, 0.0), "dark"),
        ("poly", (0, 0.15, 1, 0.15, 1, 1, 0, 1), "main"),
        ("ellipse", (0.08, 0.3, 0.48, 0.9), "dark"),
        ("ellipse", (0.62, 0.35, 0.86, 0.6), "paper"))),
    "fire": (0.6, 1.2, (96, 70, 50), (
        ("poly", (0.2, 0.88, 0.28, 0.35, 0.42, 0.6, 0.5, 0.0, 0.6, 0.55, 0.73, 0.3, 0.8, 0.88),
         "flame"),
        ("poly", (0.36, 0.88, 0.45, 0.5, 0.52, 0.62, 0.6, 0.45, 0.66, 0.88), "glow"),
        ("poly", (0, 0.82, 1, 0.72, 1, 0.86, 0, 0.96), "dark"),
        ("poly", (0, 0.72, 1, 0.84, 1, 0.98, 0, 0.86), "main"))),
    "flame": (0.3, 0.6, (240, 128, 48), (
        ("poly", (0.5, 0.0, 0.8, 0.45, 0.9, 0.75, 0.7, 1, 0.3, 1, 0.1, 0.75, 0.2, 0.45), "flame"),
        ("poly", (0.5, 0.4, 0.68, 0.7, 0.62, 0.96, 0.38, 0.96, 0.32, 0.7), "glow"))),
    "lens": (1.9, 0.6, (150, 180, 190), (
        ("poly", (0.3, 0.66, 0.7, 0.66, 0.86, 0.97, 0.14, 0.97), "dark"),
        ("poly", (0.05, 1, 0.95, 1, 0.92, 0.96, 0.08, 0.96), "dark"),
        ("poly", (0.18, 0.06, 0.82, 0.06, 0.97, 0.2, 1, 0.36, 0.97, 0.52, 0.82, 0.66, 0.18, 0.66,
                  0.03, 0.52, 0, 0.36, 0.03, 0.2), "main"),
        *(("line", (0.02 + 0.2 * abs(y - 0.36), y, 0.5, y + 0.012, 0.98 - 0.2 * abs(y - 0.36), y),
           "light") for y in (0.1, 0.16, 0.22, 0.28, 0.44, 0.5, 0.56, 0.62)),
        ("ellipse", (0.34, 0.27, 0.66, 0.45), "glow"),
        ("poly", (0.14, 0.0, 0.86, 0.0, 0.86, 0.06, 0.14, 0.06), "metal"),
        ("poly", (0.16, 0.66, 0.84, 0.66, 0.84, 0.7, 0.16, 0.7), "metal"))),
    "crank": (0.45, 1.0, (150, 150, 150), (
        ("poly", (0.3, 0.62, 0.7, 0.62, 0.8, 1, 0.2, 1), "dark"),
        ("poly", (0.45, 0.45, 0.92, 0.12, 0.98, 0.2, 0.55, 0.56), "metal"),
        ("ellipse", (0.34, 0.34, 0.66, 0.66), "metal"),
        ("ellipse", (0.86, 0.0, 1.0, 0.2), "dark"))),
    "beacon": (2.8, 0.34, (196, 56, 44), (
        ("poly", (0.46, 0.2, 0.54, 0.2, 0.56, 0.98, 0.44, 0.98), "metal"),
        ("poly", (0.2, 0.97, 0.8, 0.97, 0.8, 1, 0.2, 1), "dark"),
        ("poly", (0.5, 0.3, 1.0, 0.24, 1.0, 0.38, 0.5, 0.42), "dark"),
        ("poly", (0.56, 0.3, 0.96, 0.26, 0.96, 0.36, 0.56, 0.39), "glass"),
        ("poly", (0.3, 0.16, 0.7, 0.16, 0.66, 0.21, 0.34, 0.21), "metal"),
        ("poly", (0.32, 0.06, 0.68, 0.06, 0.7, 0.16, 0.3, 0.16), "main"),
        ("ellipse", (0.32, 0.0, 0.68, 0.1), "glow"))),
    "wheel": (0.9, 1.0, (120, 86, 56), (
        ("line", (0.5, 0.0, 0.5, 1.0), "dark"), ("line", (0.0, 0.5, 1.0, 0.5), "dark"),
        ("line", (0.15, 0.15, 0.85, 0.85), "dark"), ("line", (0.85, 0.15, 0.15, 0.85), "dark"),
        ("ellipse", (0.08, 0.08, 0.92, 0.92), "none"),
        ("ellipse", (0.16, 0.16, 0.84, 0.84), "none"),
        ("ellipse", (0.38, 0.38, 0.62, 0.62), "main"))),
    "kettle": (0.25, 1.3, (160, 166, 172), (
        ("line", (0.25, 0.3, 0.3, 0.05, 0.7, 0.05, 0.75, 0.3), "dark"),
        ("poly", (0.85, 0.58, 1.0, 0.3, 1.0, 0.4, 0.9, 0.72), "main"),
        ("poly", (0.15, 0.3, 0.85, 0.3, 0.95, 1, 0.05, 1), "main"),
        ("ellipse", (0.3, 0.2, 0.7, 0.36), "light"))),
    "table": (0.75, 2.0, (139, 107, 76), (
        ("poly", (0.06, 0.1, 0.1, 0.1, 0.1, 1, 0.06, 1), "dark"),
        ("poly", (0.9, 0.1, 0.94, 0.1, 0.94, 1, 0.9, 1), "dark"),
        ("poly", (0, 0, 1, 0, 0.98, 0.12, 0.02, 0.12), "main"))),
    "chair": (0.95, 0.55, (122, 91, 67), (
        ("poly", (0.1, 0, 0.9, 0, 0.9, 0.14, 0.1, 0.14), "main"),
        ("poly", (0.1, 0, 0.18, 0, 0.18, 0.55, 0.1, 0.55), "dark"),
        ("poly", (0.82, 0, 0.9, 0, 0.9, 0.55, 0.82, 0.55), "dark"),
        ("poly", (0.05, 0.5, 1, 0.5, 0.95, 0.6, 0, 0.6), "main"),
        ("poly", (0.05, 0.6, 0.12, 0.6, 0.12, 1, 0.05, 1), "dark"),
        ("poly", (0.86, 0.6, 0.93, 0.6, 0.93, 1, 0.86, 1), "dark"))),
    "bed": (0.8, 2.4, (111, 125, 150), (
        ("poly", (0, 0, 0.08, 0, 0.08, 1, 0, 1), "dark"),
        ("poly", (0.06, 0.35, 1, 0.35, 1, 0.8, 0.06, 0.8), "main"),
        ("ellipse", (0.1, 0.2, 0.32, 0.45), "paper"),
        ("poly", (0.06, 0.8, 0.1, 0.8, 0.1, 1, 0.06, 1), "dark"),
        ("poly", (0.95, 0.8, 1, 0.8, 1, 1, 0.95, 1), "dark"))),
    "candle": (0.3, 0.32, (239, 230, 207), (
        ("ellipse", (0.3, 0.0, 0.7, 0.27), "glow"),
        ("line", (0.5, 0.24, 0.5, 0.33), "dark"),
        ("poly", (0.22, 0.32, 0.78, 0.32, 0.78, 0.94, 0.22, 0.94), "main"),
        ("ellipse", (0.0, 0.9, 1.0, 1.0), "metal"))),
    "lamp": (1.6, 0.4, (216, 200, 160), (
        ("poly", (0.47, 0.25, 0.53, 0.25, 0.53, 0.95, 0.47, 0.95), "dark"),
        ("ellipse", (0.2, 0.92, 0.8, 1), "dark"),
        ("poly", (0.15, 0, 0.85, 0, 1, 0.25, 0, 0.25), "light"))),
    "phone": (0.15, 0.5, (43, 45, 51), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("poly", (0.08, 0.07, 0.92, 0.07, 0.92, 0.86, 0.08, 0.86), "glass"),
        ("ellipse", (0.4, 0.89, 0.6, 0.97), "metal"))),
    "letter": (0.2, 1.45, (244, 236, 220), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("line", (0.1, 0.2, 0.85, 0.2), "dark"), ("line", (0.1, 0.35, 0.9, 0.35), "dark"),
        ("line", (0.1, 0.5, 0.8, 0.5), "dark"), ("line", (0.1, 0.65, 0.88, 0.65), "dark"),
        ("line", (0.1, 0.8, 0.5, 0.8), "dark"))),
    "envelope": (0.16, 1.6, (236, 224, 196), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("line", (0, 0, 0.5, 0.55, 1, 0), "dark"))),
    "photo": (0.15, 1.3, (96, 120, 140), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "paper"),
        ("poly", (0.07, 0.07, 0.93, 0.07, 0.93, 0.8, 0.07, 0.8), "glass"),
        ("poly", (0.07, 0.8, 0.35, 0.4, 0.55, 0.65, 0.7, 0.5, 0.93, 0.8), "main"))),
    "book": (0.24, 0.75, (109, 59, 59), (
        ("poly", (0, 0, 1, 0, 1, 1, 0, 1), "main"),
        ("poly", (0, 0, 0.13, 0, 0.13, 1, 0, 1), "dark"),
        ("line", (0.3, 0.25, 0.85, 0.25), "dark"), ("line", (0.3, 0.33, 0.75, 0.33), "dark"))),
    "gun": (0.14, 1.6, (58, 60, 64), (
        ("poly", (0, 0.05, 1, 0.05, 1, 0.38, 0, 0.38), "main"),
        ("poly", (0.62, 0.36, 0.95, 0.36, 0.88, 1, 0.58, 1), "dark"),
        ("ellipse", (0.42, 0.34, 0.62, 0.66), "none"))),
    "knife": (0.06, 5.0, (168, 173, 179), (
        ("poly", (0, 0.55, 0.18, 0.08, 0.62, 0.08, 0.62, 0.92), "main"),
        ("poly", (0.62, 0.12, 1, 0.12, 1, 0.88, 0.62, 0.88), "dark"))),
    "cup": (0.1, 1.1, (201, 211, 220), (
        ("ellipse", (0.62, 0.3, 1.0, 0.75), "none"),
        ("poly", (0.05, 0.1, 0.75, 0.1, 0.7, 1, 0.1, 1), "main"),
        ("ellipse", (0.05, 0.0, 0.75, 0.2), "light"))),
    "glass": (0.15, 0.6, (190, 120, 90), (
        ("poly", (0, 0, 1, 0, 0.85, 1, 0.15, 1), "glass"),
        ("poly", (0.05, 0.4, 0.95, 0.4, 0.85, 1, 0.15, 1), "main"))),
    "bottle": (0.32, 0.3, (79, 122, 82), (
        ("poly", (0.35, 0, 0.65, 0, 0.65, 0.26, 0.35, 0.26), "main"),
        ("poly", (0, 0.4, 0.3, 0.25, 0.7, 0.25, 1, 0.4, 1, 1, 0, 1), "main"),
        ("poly", (0, 0.55, 1, 0.55, 1, 0.8, 0, 0.8), "paper"))),
    "key": (0.04, 2.5, (201, 166, 70), (
        ("ellipse", (0, 0, 0.38, 1), "main"),
        ("poly", (0.35, 0.4, 1, 0.4, 1, 0.6, 0.35, 0.6), "main"),
        ("poly", (0.75, 0.6, 0.82, 0.6, 0.82, 0.85, 0.75, 0.85), "main"),
        ("poly", (0.88, 0.6, 0.95, 0.6, 0.95, 0.8, 0.88, 0.8), "main"))),
    "bag": (0.45, 1.35, (107, 74, 53), (
        ("line", (0.35, 0.2, 0.38, 0, 0.62, 0, 0.65, 0.2), "dark"),
        ("poly", (0, 0.2, 1, 0.2, 1, 1, 0, 1), "main"),
        ("poly", (0.2, 0.3, 0.28, 0.3, 0.28, 0.4, 0.2, 0.4), "metal"),
        ("poly", (0.72, 0.3, 0.8, 0.3, 0.8, 0.4, 0.72, 0.4), "metal"))),
    "clock": (0.3, 1.0, (138, 106, 58), (
        ("ellipse", (0, 0, 1, 1), "main"),
        ("ellipse", (0.09, 0.09, 0.91, 0.91), "paper"),
        ("line", (0.5, 0.5, 0.5, 0.2), "dark"), ("line", (0.5, 0.5, 0.72, 0.56), "dark"))),
    "tree": (7.0, 0.7, (94, 74, 56), (
        ("poly", (0.44, 0.55, 0.56, 0.55, 0.6, 1, 0.4, 1), "dark"),
        ("ellipse", (0.05, 0.18, 0.6, 0.66), "foliage"),
        ("ellipse", (0.38, 0.12, 0.95, 0.6), "foliage"),
        ("ellipse", (0.2, 0.0, 0.78, 0.45), "foliage"))),
    "box": (0.4, 1.2, (176, 138, 90), (
        ("poly", (0, 0.25, 0.8, 0.25, 0.8, 1, 0, 1), "main"),
        ("poly", (0, 0.25, 0.2, 0, 1, 0, 0.8, 0.25), "light"),
        ("poly", (0.8, 0.25, 1, 0, 1, 0.75, 0.8, 1), "dark"))),
}  # fmt: skip

_WORDS: dict[str, tuple[str, ...]] = {
    "door": ("door", "gate", "doorway", "entrance", "hatch", "trapdoor"),
    "window": ("window", "porthole", "skylight", "windowpane"),
    "car": (
        "car",
        "taxi",
        "cab",
        "truck",
        "van",
        "jeep",
        "sedan",
        "vehicle",
        "bus",
        "lorry",
        "tractor",
    ),
    "table": ("table", "counter", "bar", "workbench", "worktop", "kitchen table"),
    "chair": ("chair", "seat", "bench", "throne", "rocking chair", "wheelchair"),
    "bed": ("bed", "bunk", "cot", "mattress", "hammock", "cradle"),
    "candle": ("candle", "candlestick", "candelabra"),
    "lamp": ("lamp", "lamplight", "lampshade", "floor lamp", "table lamp", "standard lamp"),
    "phone": ("phone", "mobile", "cellphone", "smartphone", "cell", "tablet", "iphone"),
    "envelope": ("envelope", "mail"),
    "letter": (
        "letter",
        "note",
        "paper",
        "document",
        "file",
        "script",
        "card",
        "postcard",
        "telegram",
        "memo",
    ),
    "photo": ("photo", "photograph", "picture", "portrait", "painting", "frame", "snapshot"),
    "book": (
        "book",
        "diary",
        "journal",
        "notebook",
        "album",
        "bible",
        "novel",
        "paperback",
        "page",
    ),
    "gun": ("gun", "handgun", "pistol", "revolver", "weapon", "firearm"),
    "knife": ("knife", "blade", "dagger", "razor", "scissors"),
    "cup": ("cup", "mug", "coffee", "tea", "bowl", "teacup"),
    "glass": (
        "glass",
        "wine",
        "whisky",
        "whiskey",
        "drink",
        "beer",
        "tumbler",
        "wineglass",
        "goblet",
    ),
    "bottle": ("bottle", "flask", "jar", "vial", "pill", "thermos"),
    "key": ("key", "keyring"),
    "boat": ("boat", "ship", "yacht", "canoe", "dinghy", "ferry", "trawler", "raft"),
    "radio": ("radio", "transmitter", "walkie", "walkie-talkie", "wireless", "radio set"),
    "fire": ("fire", "campfire", "bonfire", "brazier"),
    "flame": ("flame", "blaze", "flames"),
    "lens": ("lens", "fresnel", "lighthouse lens"),
    "crank": ("crank", "winch", "windlass", "clockwork"),
    "beacon": ("beacon", "solar beacon", "navigation light", "flare"),
    "wheel": ("wheel", "helm", "tyre", "steering wheel"),
    "kettle": ("kettle", "samovar"),
    "bag": ("bag", "purse", "backpack", "rucksack", "satchel", "handbag", "sack", "holdall"),
    "clock": (
        "clock",
        "wristwatch",
        "stopwatch",
        "pocket watch",
        "timer",
        "alarm clock",
        "hourglass",
    ),
    "tree": ("tree", "bush", "sapling", "hedge"),
    "box": ("box", "parcel", "package", "carton"),
}

ICONS.update(HOUSE | KITCHEN | LIGHTS | TOOLS | SEA | PAPERS | MACHINES | NATURE)
_ICON_WORDS = _WORDS | WORDS

LYING = frozenset({"letter", "envelope", "photo", "book", "phone", "key", "knife", "gun", "map",
                   "logbook", "newspaper", "pen", "flashlight", "rifle", "plate"})  # fmt: skip
FLAT = frozenset({"letter", "envelope", "photo", "book", "phone", "map", "logbook", "newspaper"})
#: what hangs on a wall, and how high its foot is (metres); the rest stand on the floor
HANGING = {"window": 0.95, "clock": 1.7, "photo": 1.45, "mirror": 1.1, "shelf": 1.3,
           "map": 1.3, "lifebuoy": 1.0, "pan": 1.6, "net": 1.2}  # fmt: skip
#: icons that others already show ("the beacon on its steel pole", "a flame in the lens")
PART_OF = {
    "pole": ("beacon",),
    "book": ("logbook",),
    "flame": ("lens", "candle", "match", "oil-lamp", "lantern", "fireplace", "fire"),
}


def icon_words() -> dict[str, tuple[str, ...]]:
    """Each icon and the nouns that name it."""
    return _ICON_WORDS


@lru_cache(maxsize=1)
def _lookup() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Whole words (and their plurals) → icon, the first icon naming them winning; and the
    words long enough to end a compound ("logbook" ends in "book")."""
    whole: dict[str, str] = {}
    for icon, keys in _ICON_WORDS.items():
        for key in keys:
            for word in (key + "s", key + "es"):
                whole.setdefault(word, icon)
    exact: dict[str, str] = {}
    for icon, keys in _ICON_WORDS.items():
        for key in keys:
            exact.setdefault(key, icon)
    ends = [(k, icon) for icon, keys in _ICON_WORDS.items() for k in keys if len(k) > 3]
    return whole | exact, ends


@lru_cache(maxsize=2048)
def find_icon(name: str) -> str | None:
    """Which drawing stands for a prop noun ("the old letters" → letter), or None: its last
    word (or last two) that names one, whole or as the end of a compound ("logbook")."""
    words = [w.strip(".,;:!?'\"()") for w in name.lower().split()]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    whole, ends = _lookup()
    for i in reversed(range(len(words))):
        word = words[i]
        icon = (whole.get(f"{words[i - 1]} {word}") if i else None) or whole.get(word)
        if icon is None:  # a compound: at least three letters in front of the known word
            icon = next((ic for k, ic in ends if word.endswith(k) and len(word) >= len(k) + 3),
                        None)  # fmt: skip
        if icon is not None:
            return icon
    return None


def icon_for(name: str) -> str:
    """Which drawing stands for a prop noun; a box when none does."""
    return find_icon(name) or "box"


def table_quad(cx: float, cy: float, w: float, h: float, tilt: float) -> list[Point]:
    """Corners (tl, tr, br, bl) of a w × h rectangle lying on a table, turned by `tilt`°,
    foreshortened and narrower at the far edge."""
    a = math.radians(tilt)
    corners = [(-w / 2 * 0.86, -h / 2), (w / 2 * 0.86, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return [
        (cx + x * math.cos(a) - y * 0.72 * math.sin(a), cy + x * math.sin(a) * 0.72 + y * 0.72)
        for x, y in corners
    ]
