"""Effects department: each scene's ambience bed, and spot effects on the action's beats.

**Ambience** — `[[ambience: …]]` when the scene has one; otherwise read from the location's
description in film.toml, the heading and the action: exteriors get wind and, by place and
hour, surf and gulls, traffic, trees and birds, or night insects; interiors room tone (plus a
clock, a fire, a murmur… when the words say so); rain, storm and wind in the action are heard.
A bed is generated once as a seamless loop (`BED_SECONDS`), so its job does not depend on the
scene's length: the mix repeats it under the scene. A location keeps one bed in every scene.

**Spot effects** — every `[[sfx: …]]`, plus the sound words of the action (a door slams,
footsteps, thunder, glass, a car, a match…): each is placed in its shot at the point of the
sentence where the word is (the picture holds an action beat for its reading time, so the
word's position in the text is its time in the shot). A written `[[sfx:]]` wins over a word
that names the same sound in the same shot.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

from cinecode.backends.protocols import EffectsRequest
from cinecode.departments.engines import backend_kwargs, department_engine
from cinecode.errors import BadOutput
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.media.audio import read_audio
from cinecode.project.config import Project
from cinecode.script.model import Film, Scene

AMBIENCE = Step("ambience", 1, "generate", "effects", "wav")
SPOT = Step("spot-effect", 1, "generate", "effects", "wav")

BED_SECONDS = 30.0
BED_LEVEL = -33.0  # LUFS of a normal bed before the mix's bus level
SPOT_LEVEL = -22.0  # loudest 400 ms of a normal spot effect


@dataclass(frozen=True)
class Bed:
    description: str
    level: float  # LUFS the mix brings the bed to
    source: str  # directive | inferred


@dataclass(frozen=True)
class Spot:
    shot: int  # index of the shot in its scene
    at: float  # where in the shot, as a fraction of its length
    kind: str
    description: str
    seconds: float
    level: float  # loudest 400 ms, LUFS
    source: str  # directive | action


#: sound words in action lines → (kind, description, seconds, level); a door's description
#: gets the verb found. Checked in order; one effect per kind per shot.
SOUND_WORDS: tuple[tuple[str, str, str, float, float], ...] = (
    (r"\b(thunder|lightning)\b", "thunder", "thunder cracks overhead", 7.0, -15.0),
    (r"\bknock(s|ing|ed)?\b", "knock", "knocking on a wooden door", 1.6, -22.0),
    (
        r"\bdoors?\b[^.]{0,30}?\b(slams?|bangs?|opens?|closes?|shuts?|creaks?|swings?)\b",
        "door",
        "a door",
        2.2,
        -20.0,
    ),
    (
        r"\b(slams?|bangs?|opens?|closes?|shuts?|kicks?)\b[^.]{0,20}?\bdoor\b",
        "door",
        "a door",
        2.2,
        -20.0,
    ),
    (
        r"\b(glass|window|bottle|mirror|plate)\w*\b[^.]{0,25}?\b(break|shatter|smash)\w*|"
        r"\bshatter\w*",
        "glass",
        "glass shatters",
        2.5,
        -16.0,
    ),
    (r"\bclinks?\b|\btoasts?\b", "clink", "glasses clink", 1.2, -28.0),
    (
        r"\b(strikes?|lights?|scratches?) a match\b|\bmatch flares\b",
        "match",
        "a match strikes and flares",
        2.5,
        -24.0,
    ),
    (
        r"\b(flame|fire|lamp)\b[^.]{0,25}?\b(blooms?|roars?|flares?|bursts?|catch(es)?|ignites?)\b|"
        r"\bignit\w+|\bbursts? into flames?",
        "ignite",
        "a flame ignites with a whoosh",
        2.5,
        -22.0,
    ),
    (
        r"\bradio\b[^.]{0,40}?\b(hiss\w*|crackl\w*|static|burst\w*|squawk\w*|into life)|"
        r"\bstatic\b",
        "radio",
        "radio static crackles",
        2.0,
        -26.0,
    ),
    (
        r"\b(crank|gears?|clockwork|mechanism|winch|ratchet)\w*\b",
        "clockwork",
        "clockwork ratchets and groans",
        4.0,
        -24.0,
    ),
    (
        r"\b(gunshot|shoots?|gunfire)\b|\bfires? (a|the|his|her) (gun|pistol|rifle)",
        "gunshot",
        "a gunshot",
        3.0,
        -12.0,
    ),
    (r"\bexplo(des?|sion)\b|\bblast\b", "explosion", "an explosion", 5.0, -12.0),
    (
        r"\b(launch|boat|ship|ferry)\b[^.]{0,30}?\b(pulls? away|departs?|leaves|speeds? off|"
        r"moves? off|casts? off)\b",
        "away",
        "a boat engine pulls away",
        6.0,
        -24.0,
    ),
    (
        r"\b(car|truck|van|taxi)\b[^.]{0,30}?\b(pulls? away|drives? off|speeds? off|leaves)\b",
        "away",
        "a car drives off",
        5.0,
        -24.0,
    ),
    (
        r"\b(car|truck|van|taxi|bus)\b[^.]{0,40}?\b(pass\w*|drives? (by|past)|roars?)\b",
        "car",
        "a car passes",
        5.0,
        -22.0,
    ),
    (
        r"\b(tyres?|tires?|brakes?)\b[^.]{0,20}?\b(screech\w*|squeal\w*)",
        "car",
        "tyres screech",
        2.0,
        -18.0,
    ),
    (
        r"\bwaves?\b[^.]{0,15}?\b(crash\w*|break\w*|smash\w*|pound\w*)",
        "wave",
        "a wave crashes",
        3.5,
        -20.0,
    ),
    (r"\b(splash\w*|plunges?|dives? into)\b", "splash", "a splash", 2.0, -20.0),
    (r"\bbumps?\b|\bthuds?\b|\bcollides?\b|\bslams? into\b", "bump", "a heavy thud", 1.6, -22.0),
    (r"\b(leaps?|jumps?)\b", "land", "feet land with a thud", 1.2, -26.0),
    (
        r"\b(drops?|dropped|falls? to|collapses?|slumps?|throws? down)\b",
        "drop",
        "something drops with a thud",
        1.6,
        -22.0,
    ),
    (
        r"\b(sets?|puts?|places?|lays?)\b[^.]{0,30}?\bdown\b",
        "set-down",
        "sets it down with a clunk",
        1.2,
        -28.0,
    ),
    (
        r"\b(pages?|leafs? through|flips? through|unfolds?|newspaper)\b",
        "paper",
        "pages turn",
        2.5,
        -30.0,
    ),
    (
        r"\b(writes?|writing|scribbles?|signs? the)\b",
        "writing",
        "pen scratches on paper",
        3.0,
        -32.0,
    ),
    (
        r"\b(pours?|sips?)\b|\b(share|drink|holds?) (tea|coffee)|\bmugs? of tea|\bteacups?\b",
        "cup",
        "tea cups clink softly",
        1.5,
        -30.0,
    ),
    (
        r"\bbells?\b[^.]{0,10}?\b(ring|toll|chime)\w*|\bdoorbell\b",
        "bell",
        "a bell rings",
        3.0,
        -22.0,
    ),
    (
        r"\bphone\b[^.]{0,10}?\b(rings?|buzz\w*)|\bringing phone",
        "phone",
        "a phone rings",
        4.0,
        -22.0,
    ),
    (r"\bheart (pounds?|beats?|races?)|\bheartbeat", "heartbeat", "a heartbeat", 4.0, -24.0),
    (r"\bcreak\w*|\bgroans?\b", "creak", "wood creaks", 2.0, -28.0),
    (r"\bgusts?\b|\bwind (howls?|roars?|picks up|rises?)", "gust", "a gust of wind", 3.0, -22.0),
    (
        r"\b(swings? out|sweeps?|whips?|swoops?|rushes? past|hurtles?)\b",
        "whoosh",
        "a soft whoosh",
        1.5,
        -30.0,
    ),
    (
        r"\b(punch\w*|slaps?|hits? (him|her|them)|strikes? (him|her))\b",
        "impact",
        "a punch lands",
        1.2,
        -18.0,
    ),
    (
        r"\b(walks?|walking|strides?|paces|runs|running|ran|stumbles?|hurries|rushes|"
        r"marches|tiptoes?|footsteps|climbs? (up|down|the (stairs|steps|ladder))|"
        r"steps (in|out|forward|back|inside|outside|into|onto|off))\b",
        "steps",
        "footsteps",
        3.0,
        -28.0,
    ),
)

#: SOUND_WORDS' patterns, compiled once (a feature's action is searched ~60,000 times a plan)
_SOUND_RES = tuple(re.compile(pattern, re.IGNORECASE) for pattern, *_ in SOUND_WORDS)
#: any of them: most action has no sound word, and one search says so
_ANY_SOUND = re.compile("|".join(f"(?:{pattern})" for pattern, *_ in SOUND_WORDS), re.IGNORECASE)

#: location words → ambience layers for an exterior (checked in the location's description,
#: the heading and the action)
EXTERIOR_PLACES: tuple[tuple[str, str], ...] = (
    (
        r"\bsea\b|ocean|coast|beach|shore|jetty|harbou?r|pier|island|cliff|lighthouse|bay\b|"
        r"dock|boat|launch|ship",
        "surf",
    ),
    (r"city|street|road|town|traffic|avenue|highway|downtown|square|parking", "city traffic"),
    (r"forest|woods?\b|park\b|garden|trees|orchard|meadow|field|farm|countryside", "leaves"),
    (r"river|stream|brook|canal|lake", "a stream"),
)
INTERIOR_THINGS: tuple[tuple[str, str], ...] = (
    (r"\bclock\b", "clock ticking"),
    (r"fire(place)?\b|hearth|stove\b|candles?\b", "fire crackling"),
    (r"caf[eé]|bar\b|restaurant|pub\b|canteen|station|lobby|party|crowd", "crowd murmur"),
    (r"office|hospital|lab\b|server|corridor|hallway|fridge|refrigerator", "air conditioning hum"),
    (r"\bcar\b|taxi|truck|bus\b|van\b|cab\b", "engine idling"),
    (r"kettle|stove|cooking|simmer", "kettle simmering"),
    (r"radio\b[^.]{0,40}?\b(hiss|crackl|static|into life)", "radio hissing"),
)
#: weather in the action counts when it does something ("Rain slams sideways"), not when a
#: word is only written ("In big letters: Storm.")
WEATHER_VERBS = (
    r"\b(rain|storm|wind|gale|snow|sleet|hail)s?\b\s+(\w+\s+)?(falls?|pours?|slams?|lash\w*|"
    r"beats?|rag\w*|howls?|drives?|batter\w*|hammers?|blows?|whips?|roars?|streams?|pelts?)"
)
VIOLENT = r"slam|lash|hammer|batter|pelt|driv|pour|rag|howl|roar|whip|torrent|heavy|gale|fierce"
WEATHER: tuple[tuple[str, str], ...] = (
    (r"\bstorm|gale|tempest|hurricane", "storm"),
    (r"\brain(s|ing|y)?\b|downpour|drizzle", "rain"),
    (r"\bwind(s|y)?\b|gust", "wind"),
    (r"\bsnow|blizzard", "wind"),
)
LOUD = (
    r"\bheavy|strong|booming|howling|fierce|violent|driving|battering|roaring|loud|"
    r"crashing|straining|raging|hammering|storm|gale|downpour"
)
SOFT = r"\bgentle|soft|light|calm|faint|distant|quiet|single|lone|dropped|nothing|still|room tone"


def bed_level(description: str) -> float:
    """How loud a bed sits (LUFS) from its words: a gale louder than soft surf."""
    low = description.lower()
    strong = len(re.findall(LOUD, low))
    soft = len(re.findall(SOFT, low))
    level = BED_LEVEL + 3.0 * min(strong, 3) - 2.5 * min(soft, 3)
    if re.fullmatch(r"\s*(quiet )?room tone\s*", low):
        level = -42.0
    return float(max(-44.0, min(-22.0, level)))


def scene_bed(scene: Scene, film: Film) -> Bed:
    """The scene's ambience: `[[ambience: …]]`, else inferred (see the module doc)."""
    if scene.ambience:
        return Bed(scene.ambience, bed_level(scene.ambience), "directive")
    location = film.location(scene)
    place = f"{scene.location} {location.description if location else ''}".lower()
    action = scene.action_text.lower()
    night = scene.time_of_day in ("night", "dusk", "evening")
    layers: list[str] = []
    happening = " ".join(m.group(0) for m in re.finditer(WEATHER_VERBS, action))
    weather = [name for pattern, name in WEATHER if re.search(pattern, f"{place} {happening}")]
    violent = bool(re.search(VIOLENT, f"{place} {happening}"))
    if scene.setting in ("ext", "int/ext"):
        for pattern, layer in EXTERIOR_PLACES:
            if re.search(pattern, place):
                layers.append(layer)
                break
        if "surf" in layers and not night and "storm" not in weather:
            layers.append("gulls")
        if "leaves" in layers and not night:
            layers.append("birds")
        if night and not weather and "city traffic" not in layers:
            layers.append("night insects")
        if not layers and not night:
            layers.append("distant birds")
        layers.extend(_weather(weather, outside=True, violent=violent) or ["light wind"])
    else:
        layers.append("room tone")
        for pattern, layer in INTERIOR_THINGS:
            if re.search(pattern, place) or re.search(pattern, action):
                layers.append(layer)
        layers.extend(_weather(weather, outside=False, violent=violent))
    description = ", ".join(dict.fromkeys(layers))
    return Bed(description, bed_level(description), "inferred")


def _weather(found: list[str], *, outside: bool, violent: bool) -> list[str]:
    if "storm" in found:
        return (
            ["storm", "heavy rain"] if outside else ["distant storm outside", "rain on the windows"]
        )
    out = []
    if "rain" in found:
        out.append(("heavy rain" if violent else "rain") if outside else "rain on the windows")
    if "wind" in found:
        out.append(("gale wind" if violent else "wind") if outside else "distant wind outside")
    return out


def scene_spots(scene: Scene) -> list[Spot]:
    """The scene's spot effects: its [[sfx:]] notes and the sound words of its action."""
    spots: list[Spot] = []
    taken: set[tuple[int, str]] = set()
    for shot_id, description, line in scene.effects:
        index = _shot_at(scene, shot_id, line)
        kind, seconds, level = _classify(description)
        spots.append(Spot(index, 0.0, kind, description, seconds, level, "directive"))
        taken.add((index, kind))
    for index, shot in enumerate(scene.shots):
        text = shot.action
        if not text or shot.lines or not _ANY_SOUND.search(text):
            continue
        for compiled, (_, kind, template, seconds, level) in zip(
            _SOUND_RES, SOUND_WORDS, strict=True
        ):
            if (index, kind) in taken:
                continue
            match = compiled.search(text)
            if not match:
                continue
            taken.add((index, kind))
            description = template
            if kind == "steps":
                description = _footsteps(match.group(0).lower(), scene)
            if kind == "door":
                verb = next(g for g in match.groups() if g).lower()
                description = f"a door {_DOOR.get(verb.rstrip('s'), 'slams')}"
            at = match.start() / max(1, len(text))
            spots.append(Spot(index, round(at, 3), kind, description, seconds, level, "action"))
    return sorted(spots, key=lambda s: (s.shot, s.at))


def _footsteps(verb: str, scene: Scene) -> str:
    """Footsteps with their gait and the ground they fall on."""
    gait = ""
    if re.search(r"\b(run|ran|runs|running|hurries|rushes|races)", verb):
        gait = "running "
    elif re.search(r"stumbl|stagger", verb):
        gait = "stumbling "
    place = f"{scene.location} {scene.action_text}".lower()
    ground = "on a wooden floor" if scene.setting == "int" else "on stone"
    if re.search(r"stair|ladder|gallery|iron|metal|steel|deck|gantry|tower", place):
        ground = "on metal stairs" if re.search(r"stair|ladder", place) else "on metal"
    elif scene.setting != "int" and re.search(
        r"path|beach|sand|gravel|mud|field|forest|garden|road", place
    ):
        ground = "on gravel"
    return f"{gait}footsteps {ground}"


_DOOR = {
    "open": "opens",
    "creak": "creaks open",
    "swing": "swings open",
    "close": "closes",
    "shut": "shuts",
    "slam": "slams",
    "bang": "bangs shut",
    "kick": "is kicked open",
}


def _shot_at(scene: Scene, shot_id: str, line: int) -> int:
    """The shot an [[sfx:]] note sounds in. The breakdown files a note written inside an
    element under the shot before it; when the next shot starts on the note's line or the
    one after (the note opens or ends that paragraph), the note belongs to that shot."""
    ids = [shot.id for shot in scene.shots]
    index = ids.index(shot_id) if shot_id in ids else 0
    if index + 1 < len(scene.shots) and scene.shots[index + 1].line <= line + 1:
        return index + 1
    return index


def _classify(description: str) -> tuple[str, float, float]:
    for compiled, (_, kind, _template, seconds, level) in zip(_SOUND_RES, SOUND_WORDS, strict=True):
        if compiled.search(description):
            return kind, seconds, level
    return "other", 3.0, SPOT_LEVEL


def effect_seed(project: Project, *salt: str) -> int:
    """A seed for an effect, fixed by the project seed and what it is."""
    return (project.config.seed * 104729 + zlib.crc32(":".join(salt).encode())) % 2**31


def plan_bed(bed: Bed, *, location: str, project: Project, scene: str) -> Job:
    """The loop of a scene's ambience (one per location and description)."""
    seed = effect_seed(project, "bed", location.upper(), bed.description.lower())
    return _effect(
        AMBIENCE,
        "ambience",
        bed.description,
        seconds=BED_SECONDS,
        seed=seed,
        space="",
        project=project,
        scene=scene,
        label=f"ambience {location or scene}: {bed.description}",
    )


def plan_spot(spot: Spot, *, space: str, project: Project, scene: str) -> Job:
    """One spot effect (its place in the scene is the mix's business, not this job's)."""
    seed = effect_seed(project, "spot", scene, spot.description.lower())
    return _effect(
        SPOT,
        "spot",
        spot.description,
        seconds=spot.seconds,
        seed=seed,
        space=space,
        project=project,
        scene=scene,
        label=f"sfx {scene}: {spot.description}",
    )


def _effect(
    step: Step,
    kind: str,
    description: str,
    *,
    seconds: float,
    seed: int,
    space: str,
    project: Project,
    scene: str,
    label: str,
) -> Job:
    """A job of the effects engine: a bed or a spot."""
    engine = department_engine(project, "effects")
    params: dict[str, Any] = {
        "backend": engine.backend,
        "backend_version": engine.version,
        "backend_params": engine.params,
        "model": engine.model,
        "kind": kind,
        "description": description,
        "seconds": seconds,
        "seed": seed,
        "rate": project.config.format.sample_rate,
        "space": space,
    }
    return step.job(
        params,
        label=label,
        scene=scene,
        backend=engine.backend,
        seed=seed,
        settings={"backend": engine.settings},
    )


def run_effect(job: Job, ctx: Context) -> Output:
    """Generate one bed or spot effect with the effects backend."""
    p = job.params
    request = EffectsRequest(
        description=p["description"],
        duration=p["seconds"],
        seed=p["seed"],
        kind=p["kind"],
        sample_rate=p["rate"],
        model=p["model"],
        params={"space": p["space"]} if p["space"] else {},
    )
    backend = ctx.backend("effects", p["backend"], backend_kwargs(job))
    result = backend.generate(request, ctx.workdir, ctx.progress)
    audio = read_audio(result.path)
    if audio.shape[1] < p["rate"] * 0.05:
        raise BadOutput(
            f"the effect {p['description']!r} came back empty",
            backend=p["backend"],
            hint="try another description or seed",
        )
    return Output(
        result.path,
        {**result.meta, "duration": audio.shape[1] / p["rate"]},
        result.cost,
        result.model,
    )
