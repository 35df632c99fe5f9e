"""Reading the words of a frame: which scenery, room, props, lights and unknown things the
action, the shot's prompt and the place's description name, in the artist's vocabulary.

`read(comp)` is all the drawing steps ask: a `Reading` of the composition. The action (and the
shot's prompt) names what the frame must show; the place's description dresses the set.
A word after "no" or "without" names nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cinecode.backends.protocols import Composition
from cinecode.backends.sketch.icons import find_icon, icon_words

#: scenery outdoors: tag → words that name it (a tag is something `scenery` can draw)
SCENERY: dict[str, tuple[str, ...]] = {
    "sea": ("sea", "ocean", "surf", "waves", "wave", "swell", "bay", "coast", "seascape",
            "breakers", "spray"),
    "beach": ("beach", "sand", "sands", "shore", "shoreline", "dune", "dunes", "seashore"),
    "jetty": ("jetty", "pier", "dock", "docks", "quay", "wharf", "harbour", "harbor",
              "marina", "slipway", "landing stage", "boardwalk", "moorings"),
    "lighthouse": ("lighthouse", "light tower", "lighthouse tower"),
    "boat": ("boat", "launch", "ship", "yacht", "trawler", "ferry", "dinghy", "canoe",
             "sailboat", "tugboat", "vessel", "rowboat", "fishing boat", "kayak", "raft"),
    "cliff": ("cliff", "cliffs", "headland", "bluff", "crag", "cliff edge", "precipice",
              "rocks", "rocky"),
    "island": ("island", "isle", "islet"),
    "road": ("road", "highway", "motorway", "freeway", "lane", "country road", "driveway",
             "dirt road", "path", "trail", "track", "footpath"),
    "street": ("street", "city", "town", "avenue", "alley", "alleyway", "downtown",
               "sidewalk", "pavement", "square", "plaza", "block", "buildings", "skyline",
               "village"),
    "forest": ("forest", "woods", "woodland", "jungle", "grove", "trees", "pines"),
    "field": ("field", "fields", "meadow", "farm", "pasture", "prairie", "countryside",
              "farmland", "grass", "wheat"),
    "mountains": ("mountain", "mountains", "peak", "peaks", "ridge", "summit", "alps"),
    "hills": ("hill", "hills", "moor", "moors", "heath", "valley", "hillside", "headland path"),
    "river": ("river", "stream", "creek", "canal", "riverbank"),
    "lake": ("lake", "pond", "lagoon", "reservoir", "loch"),
    "bridge": ("bridge", "viaduct", "footbridge"),
    "desert": ("desert", "canyon", "mesa", "badlands", "wasteland"),
    "garden": ("garden", "park", "yard", "orchard", "lawn", "backyard", "allotment"),
    "balcony": ("balcony", "gallery", "terrace", "veranda", "porch", "rail", "railing",
                "parapet"),
    "rooftop": ("roof", "rooftop", "rooftops"),
    "station": ("station", "platform", "railway", "railroad", "tracks"),
    "cemetery": ("cemetery", "graveyard", "churchyard", "graves"),
}  # fmt: skip

#: rooms indoors: kind → words that name it (first match in the location's name wins)
ROOMS: dict[str, tuple[str, ...]] = {
    "lamp-room": ("lamp room", "lantern room", "light room", "lighthouse top"),
    "kitchen": ("kitchen", "galley", "scullery"),
    "bedroom": ("bedroom", "bedchamber", "dormitory", "nursery", "guest room"),
    "bathroom": ("bathroom", "washroom", "restroom", "toilet", "shower"),
    "living-room": ("living room", "lounge", "sitting room", "parlour", "parlor", "den",
                    "front room", "drawing room"),
    "office": ("office", "study", "headquarters", "precinct", "newsroom", "cubicle"),
    "bar": ("bar", "pub", "saloon", "tavern", "club", "nightclub"),
    "restaurant": ("restaurant", "diner", "cafe", "café", "canteen", "cafeteria", "bistro"),
    "hallway": ("hall", "hallway", "corridor", "stairwell", "staircase", "landing", "lobby",
                "foyer", "entrance hall"),
    "church": ("church", "chapel", "cathedral", "temple", "mosque", "synagogue"),
    "classroom": ("classroom", "school", "lecture hall", "schoolroom"),
    "hospital": ("hospital", "ward", "clinic", "infirmary", "surgery"),
    "shop": ("shop", "store", "market", "boutique", "pharmacy", "bakery", "bookshop"),
    "workshop": ("workshop", "garage", "warehouse", "factory", "barn", "shed", "hangar",
                 "engine room", "studio"),
    "library": ("library", "archive", "reading room"),
    "cellar": ("cellar", "basement", "vault", "bunker", "crypt"),
    "attic": ("attic", "loft"),
    "cabin": ("cabin", "hut", "cottage", "shack", "lodge", "farmhouse", "caravan"),
    "wheelhouse": ("wheelhouse", "bridge", "cockpit", "cabin of the boat", "helm"),
    "car": ("car", "taxi", "cab", "truck", "van", "bus", "train carriage", "carriage"),
    "prison": ("cell", "prison", "jail", "interrogation room"),
}  # fmt: skip

#: lights the action names: tag → words
LIGHTS: dict[str, tuple[str, ...]] = {
    "beam": ("beam", "searchlight", "sweeps", "sweeping light"),
    "lightning": ("lightning", "thunderbolt"),
    "flame": ("flame", "flames", "blaze", "blooms", "match flares"),
    "dark": ("goes dark", "sits dark", "darkness", "pitch black", "blacks out", "goes out"),
    "lamplight": ("lamplight", "candlelight", "firelight", "lamp light"),
}  # fmt: skip


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: nouns that name no thing to draw (people, body, time, abstractions, sounds)
_NOT_THINGS = _words("""
    man woman boy girl child kid baby people person crowd men women children son daughter
    father mother dad mom mum grandfather grandmother grandpa grandma brother sister wife
    husband friend family keeper crew captain officer doctor nurse stranger everyone someone
    hand hands arm arms head face eyes eye mouth lips voice back shoulder shoulders knee knees
    feet foot finger fingers fist hair beard body legs leg chest heart breath tears smile
    sleeves sleeve sweater jumper coat jacket raincoat shirt dress hat cap boots shoes scarf
    gloves uniform clothes trousers jeans hood glasses spectacles
    way time moment minute minutes second seconds hour hours day days night nights week
    morning evening year years life end edge side top bottom middle front course job thing
    things work silence sound noise air light dark darkness shadow shadows weight steps step
    turn look glance beat pause word words name story plan rest world dream dreams kind
    letters line lines everything nothing anything something all other others one two three
    weather wind rain storm gale snow fog mist sky sun moon stars cloud clouds dawn dusk
    lightning thunder spray water surf
""")

#: words a phrase can end on that name no thing ("a calm, shining sea": "a calm")
_ADJECTIVES = _words("""
    calm great big small little long short old new young huge tiny fierce gentle soft hard
    dark bright white black red blue green yellow grey gray brown pale warm cold wet dry
    single last first next whole empty full careful slow fast quiet loud deep high low
""")

_DETERMINERS = r"(?:a|an|the|his|her|their|its|our|my|your|this|that|these|those|some)"
_MATERIALS = _words("""
    glass paper leather brass iron steel wooden wood stone copper silver gold golden tin
    plastic rubber wool woollen knitted cotton silk velvet oak pine marble crystal metal
""")
_STOPS = _words("""
    of in on at to from by with into onto over under through across toward towards around
    behind beside above below and or but as is are was were be has have had will can could
    would should it he she they we you who which that then than while when where up down
    out off away back again so not very too just still
""")


@dataclass(frozen=True)
class Reading:
    """What the words of a frame name, in the artist's vocabulary."""

    scenery: tuple[str, ...] = ()  # outdoor scenery tags, in the order first named
    room: str = ""  # the kind of room indoors ("" for a plain room)
    props: tuple[str, ...] = ()  # icons the action or the prompt names: the frame shows them
    dressing: tuple[str, ...] = ()  # icons the place's description names: set dressing
    lights: tuple[str, ...] = ()  # beam | lightning | flame | dark | lamplight
    unknown: tuple[str, ...] = ()  # nouns the action names that no drawing stands for
    names: dict[str, str] | None = None  # icon → the word that named it ("launch" → boat)


def read(comp: Composition | None) -> Reading:
    """What the frame's words name: its scenery, room, props, lights and unknown things."""
    if comp is None:
        return Reading()
    return _read(comp.action, comp.place, comp.location, comp.setting, tuple(comp.props))


@lru_cache(maxsize=512)
def _read(action: str, place: str, location: str, setting: str, props: tuple[str, ...]) -> Reading:
    act, where = _chunks(action), _chunks(place)  # the place's name names a room, no prop
    outdoors = setting.lower().startswith("ext")
    scenery = _tags(SCENERY, f"{_flat(_chunks(location))} {_flat(act)} {_flat(_chunks(place))}")
    room = ""
    if not outdoors:
        room = _room(_flat(_chunks(location))) or _room(_flat(where))
    names: dict[str, str] = {}
    found = _icons(act, names)
    for prop in props if not action else ():  # old compositions name only these
        icon = find_icon(prop)
        if icon is not None and icon not in found:
            found.append(icon)
            names.setdefault(icon, prop)
    dressing = [icon for icon in _icons(where, names) if icon not in found]
    return Reading(
        scenery=tuple(scenery),
        room=room,
        props=tuple(found),
        dressing=tuple(dressing),
        lights=tuple(_tags(LIGHTS, _flat(act))),
        unknown=tuple(_unknown(act)),
        names=names,
    )


def _chunks(text: str) -> list[list[str]]:
    """The words of `text`, lower case, in runs between punctuation; negated nouns dropped
    ("no boats", "without a coat")."""
    text = re.sub(r"[*_]", "", text.lower())
    text = re.sub(r"\b(?:no|without|not a|never a)\s+(?:[a-z]+\s+){0,2}?[a-z]+", ",", text)
    runs = re.split(r"[.,;:!?()\[\]\"—–-]+", text)
    return [words for run in runs if (words := re.findall(r"[a-z']+", run))]


def _flat(chunks: list[list[str]]) -> str:
    return " ".join(" ".join(words) for words in chunks)


def _room(text: str) -> str:
    """The room a text names: the last one named ("cottage kitchen" → kitchen)."""
    padded = f" {text} "
    last: dict[str, int] = {}
    for kind, words in ROOMS.items():
        spots = [padded.rfind(f" {w} ") for w in words] + [padded.rfind(f" {w}s ") for w in words]
        if max(spots) >= 0:
            last[kind] = max(spots)
    return max(last, key=lambda kind: last[kind]) if last else ""


def _tags(table: dict[str, tuple[str, ...]], text: str) -> list[str]:
    """The tags whose words appear in `text`, in the order they first appear."""
    padded = f" {text} "
    first: dict[str, int] = {}
    for tag, words in table.items():
        spots = [padded.find(f" {w} ") for w in words]
        spots += [padded.find(f" {w}s ") for w in words]
        hits = [s for s in spots if s >= 0]
        if hits:
            first[tag] = min(hits)
    return sorted(first, key=lambda tag: first[tag])


def _icon_of(word: str) -> str | None:
    """The icon a word (or two) names; multi-word phrases only as a whole."""
    if " " in word:
        return _pairs().get(word)
    return find_icon(word)


@lru_cache(maxsize=1)
def _pairs() -> dict[str, str]:
    """Icon names of two words or more ("fountain pen" → pen)."""
    return {w: icon for icon, words in icon_words().items() for w in words if " " in w}


def _icons(chunks: list[list[str]], names: dict[str, str]) -> list[str]:
    """The icons named in `chunks`, nouns only: a word that qualifies the next ("glass lens",
    "ship's radio", "boat light") names nothing; what the scenery draws (a boat, a
    lighthouse) is not a prop."""
    scenery = {w for words in SCENERY.values() for w in words}
    found: list[str] = []
    for words in chunks:
        i = 0
        while i < len(words):
            word = words[i]
            after = words[i + 1] if i + 1 < len(words) else ""
            pair = f"{word} {after}"
            icon = _icon_of(pair) if after else None
            if icon is not None:
                word, i = pair, i + 1
            elif word.endswith("'s") or (after and after not in _STOPS and (
                    word in _MATERIALS or find_icon(after) is not None)):  # fmt: skip
                i += 1
                continue
            else:
                icon = _icon_of(word)
            i += 1
            if icon is None or icon in found or word in scenery:
                continue
            found.append(icon)
            names.setdefault(icon, word)
    return found


def _unknown(chunks: list[list[str]]) -> list[str]:
    """Nouns the action names after a determiner that no drawing, place or person stands
    for: the head of a noun phrase ("a rusty anchor bumps" → anchor)."""
    known = {w for words in SCENERY.values() for w in words}
    known |= {w for words in ROOMS.values() for w in words}
    known |= {w for words in LIGHTS.values() for w in words} | _ADJECTIVES
    found: list[str] = []
    text = " , ".join(" ".join(words) for words in chunks)
    for match in re.finditer(rf"\b{_DETERMINERS}((?:\s+[a-z']+){{1,4}})", text):
        phrase: list[str] = []
        for word in match.group(1).split():
            if word in _STOPS or (phrase and word.endswith("s") and not word.endswith("ss")):
                break  # a preposition, or a verb after the noun ("the launch bumps")
            phrase.append(word)
            if word in _NOT_THINGS or word.rstrip("s") in _NOT_THINGS:
                break  # "his hands shake": the hands are the noun
        if not phrase:
            continue
        noun = phrase[-1]
        if noun.endswith("'s") or len(noun) < 3 or noun in _NOT_THINGS or noun in known:
            continue
        if noun.rstrip("s") in _NOT_THINGS or noun.endswith(("ly", "ing", "ed")):
            continue
        if _icon_of(noun) is None and noun not in found:
            found.append(noun)
    return found[:2]
