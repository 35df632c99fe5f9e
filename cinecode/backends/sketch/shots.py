"""The shot vocabulary: shot sizes and their framings, times of day and their skies, the kinds
of scenery a location names."""

from __future__ import annotations

from dataclasses import dataclass

from cinecode.backends.sketch.style import RGB


@dataclass(frozen=True)
class Framing:
    """How big a person is in a shot size, and the lens that frames them."""

    scale: float  # a standing person's height / frame height, on the focal plane
    head_top: float  # where the top of their head sits, fraction of frame height
    lens: float  # focal length in frame heights (longer for closer shots)
    blur: float  # background blur at 720p (shallow depth of field)
    reach: float  # how far behind the focal plane depth 1 puts a figure, in focal distances


FRAMINGS: dict[str, Framing] = {
    "extreme-wide": Framing(0.12, 0.50, 0.9, 0.0, 2.5),
    "wide": Framing(0.30, 0.40, 1.0, 0.0, 1.6),
    "full": Framing(0.70, 0.07, 1.1, 0.8, 1.2),
    "medium": Framing(2.0, 0.10, 1.3, 2.2, 1.0),
    "medium-close": Framing(2.8, 0.09, 1.5, 3.0, 1.0),
    "close": Framing(3.9, 0.07, 1.8, 4.0, 0.9),
    "extreme-close": Framing(8.0, -0.16, 2.2, 6.0, 0.8),
    "insert": Framing(3.0, 0.10, 1.8, 4.5, 1.0),
}

_SIZE_ALIASES = {
    "ews": "extreme-wide", "xws": "extreme-wide", "establishing": "extreme-wide",
    "ws": "wide", "long": "wide", "fs": "full", "full-shot": "full", "ms": "medium",
    "two-shot": "medium", "mcu": "medium-close", "ots": "medium-close", "cu": "close",
    "close-up": "close", "ecu": "extreme-close", "xcu": "extreme-close",
    "extreme-close-up": "extreme-close", "detail": "insert", "cutaway": "insert",
}  # fmt: skip

_TIMES = {
    "day": "day", "afternoon": "day", "noon": "day", "continuous": "day", "later": "day",
    "morning": "morning", "dawn": "dawn", "sunrise": "dawn", "dusk": "dusk", "sunset": "dusk",
    "evening": "evening", "twilight": "dusk", "night": "night", "midnight": "night",
}  # fmt: skip

# Sky (top, horizon), how much light falls on things, and its tint.
SKIES: dict[str, tuple[RGB, RGB, float, RGB]] = {
    "day": ((98, 150, 214), (205, 225, 240), 1.0, (255, 255, 255)),
    "morning": ((120, 165, 218), (244, 228, 200), 0.97, (255, 248, 236)),
    "dawn": ((112, 118, 172), (247, 196, 160), 0.82, (255, 226, 214)),
    "dusk": ((52, 56, 112), (244, 150, 88), 0.72, (255, 205, 170)),
    "evening": ((70, 86, 140), (230, 180, 132), 0.76, (250, 214, 186)),
    "night": ((10, 14, 34), (38, 48, 80), 0.40, (150, 170, 220)),
}

_SCENERY_WORDS: dict[str, tuple[str, ...]] = {
    "water": ("beach", "sea", "ocean", "harbour", "harbor", "lake", "river", "shore", "pier",
              "dock", "coast", "bay", "port", "boat", "quay", "marina"),
    "city": ("street", "city", "town", "alley", "road", "avenue", "downtown", "building",
             "roof", "parking", "station", "square", "plaza", "market", "highway", "bridge",
             "corner", "sidewalk", "block", "lot"),
    "trees": ("forest", "wood", "park", "garden", "field", "farm", "meadow", "jungle",
              "orchard", "yard", "countryside", "trail", "grove", "cemetery", "graveyard"),
    "ridge": ("mountain", "hill", "desert", "canyon", "valley", "cliff", "peak", "ridge",
              "dune", "pass"),
}  # fmt: skip


def norm_size(size: str) -> str:
    key = size.strip().lower().replace(" ", "-").replace("_", "-")
    key = _SIZE_ALIASES.get(key, key)
    return key if key in FRAMINGS else "wide"


def norm_time(time_of_day: str) -> str:
    return _TIMES.get(time_of_day.strip().lower(), "day")


def norm_angle(angle: str) -> str:
    key = angle.strip().lower()
    for name in ("overhead", "dutch", "high", "low"):
        if name in key or (name == "overhead" and ("bird" in key or "top" in key)):
            return name
    return "eye"


def norm_setting(setting: str) -> str:
    key = setting.strip().lower().replace(".", "").replace(" ", "")
    if key in ("int/ext", "ext/int", "i/e"):
        return "int/ext"
    return "ext" if key.startswith("ext") else "int"


def scenery_kind(location: str) -> str:
    words = location.lower()
    for kind, keys in _SCENERY_WORDS.items():
        if any(key in words for key in keys):
            return kind
    return "hills"
