"""Title and end credits: the film's opening card, and an end crawl set as a film's is.

```
1. plan      plan_credits: what the plan knows of the cut (its cast, the engines of its
             departments, the generations in it) becomes the card's job
2. compose   credit_sections: the crawl, section by section, from the job and the models
             that actually made its inputs (a pure function: tests read its lines)
3. render    run_card: one card when the crawl fits, else a roll the segment scrolls, from
             an empty frame until the AI line rests in the middle of the last
```

The crawl's order: the title; WRITTEN BY (the screenplay's title page: `Credit`, `Author`,
`Source`); DIRECTED BY (a `Director` on the title page); CAST, each character "voiced by"
a voice of a speech engine; DEPARTMENTS, each with its engine and model; MODELS USED, every
engine and model that made something in the cut; MADE WITH cinecode; and a line that says
what in the film was generated with AI and what was not (the version of cinecode is the
one that drew the card: it is not in the card's key). The crawl runs 0.7 s a line and 1.4 s
a section, plus 5 s (`crawl_seconds`): about 70 px a second on a 720p frame.

Pictures, clips and voices are the generations in the cut (their models as they ran); the
score, the effects and finishing are planned after this card, in the cut's sound and
finishing, always with their department's engine: the credits name that engine when the
cut uses it (music unless `[music] backend = "none"`, effects under every scene unless
`"none"`, finishing when `[finishing]` is on).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cinecode.backends.registry import BACKENDS, CAMERA_MOVES
from cinecode.departments import finishing
from cinecode.departments.engines import department_engine
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.project.config import Project
from cinecode.script.model import Film

CARD = Step("card", 1, "render", "edit", "png")

TITLE_SECONDS = 4.0
NOTICE_SECONDS = 4.0  # the opening notice ([provenance] notice = true)
CREDITS_SECONDS = 8.0

#: a generation's step → its department in the crawl
ROLES = {"keyframe": "Storyboard", "clip": "Motion", "voice": "Voices", "lipsync": "Lip sync"}
#: the departments planned after the card (by the cut's sound and finishing), in crawl order
LATER = {
    "music": "Music",
    "effects": "Sound effects",
    "upscale": "Upscaling",
    "interpolate": "Frame interpolation",
}
#: what each department makes, as the AI line names it
MAKES = {
    "Storyboard": "pictures",
    "Motion": "video clips",
    "Voices": "voices",
    "Lip sync": "lip movements",
    "Music": "music",
    "Sound effects": "sound effects",
    "Upscaling": "upscaled",
    "Frame interpolation": "interpolated",
}
#: engines that draw or synthesize by rule, with no learned model (everything else is AI):
#: the registry's procedural backends, and the camera moves over a keyframe
PROCEDURAL = frozenset(
    {name for name, entry in BACKENDS.items() if entry.procedural} | CAMERA_MOVES
)
#: title page keys, as the Fountain parser capitalizes them
AUTHORS = ("Author", "Authors")
DIRECTORS = ("Director", "Directors", "Directed by")

Sections = list[tuple[str, list[str]]]


@dataclass(frozen=True)
class Maker:
    """What made one input of the credits: its step, its backend and the model that ran."""

    step: str
    backend: str
    model: str = ""


# --- 1. plan ---------------------------------------------------------------------------------


def plan_title(film: Film, project: Project) -> Job:
    """The opening title card."""
    fmt = project.config.format
    params = {
        "kind": "title",
        "title": film.title,
        "lines": list(film.credit),
        "width": fmt.width,
        "height": fmt.height,
    }
    return CARD.job(params, label="title card", scene="title")


def plan_notice(credits: Job) -> Job:
    """The opening notice: the end credits' AI disclosure, on a card before the title (made
    from the same generations as the credits, so it judges them the same way)."""
    p = credits.params
    params = {
        "kind": "notice",
        "title": p["title"],
        "cast": [],
        "camera": p["camera"],
        "engines": p["engines"],
        "width": p["width"],
        "height": p["height"],
    }
    return CARD.job(params, credits.inputs, label="opening notice", scene="notice")


def notice_lines(sections: Sections) -> list[str]:
    """What the opening notice says: whether the film was made with generative AI, then the
    credits' disclosure (which parts were, which were not)."""
    said = sections[-1][1] if len(sections) > 1 and not sections[-1][0] else []
    ai = any("with AI" in line for line in said)
    head = "This film was made with generative AI." if ai else "This film was made without AI."
    return [head, *said]


def voice_name(character: str, job: Job, project: Project) -> str:
    """The voice that speaks for `character` in a voice job: the provider's voice id film.toml
    gives it, else the preset cinecode cast ("woman-warm")."""
    config = project.config.characters.get(character)
    if config is not None and config.voice_setting.voice_id:
        return config.voice_setting.voice_id
    voice: dict[str, Any] = job.params["voice"]
    return str(voice.get("params", {}).get("preset") or voice.get("name", ""))


def plan_credits(
    film: Film,
    project: Project,
    *,
    cast: Sequence[tuple[str, str, str]],
    made_with: list[str],
    camera: bool = False,
    scenes: bool = True,
    digests: Mapping[str, str] | None = None,
) -> Job:
    """The end credits. `cast`: (character, voice, key of the generation that voiced them)
    in order of appearance; `made_with`: one key per (step, backend, model) of the
    generations in the cut; `camera`: some shot is a camera move over its keyframe;
    `scenes`: the cut holds a scene (it has effects under it)."""
    fmt = project.config.format
    page = film.title_page
    params: dict[str, Any] = {
        "kind": "credits",
        "title": film.title,
        "written": {
            "credit": " ".join(page.get("Credit", ())) or "Written by",
            "names": [name for key in AUTHORS for name in page.get(key, ())],
            "source": list(page.get("Source", ())),
        },
        "directed": [name for key in DIRECTORS for name in page.get(key, ())],
        "cast": [list(c) for c in cast],
        "camera": camera,
        "engines": later_engines(project, scenes=scenes, digests=digests),
        "width": fmt.width,
        "height": fmt.height,
    }
    return CARD.job(params, tuple(made_with), label="end credits", scene="credits")


def later_engines(
    project: Project, *, scenes: bool = True, digests: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """[backend, model] of the departments the cut plans after the credits card, those it uses."""
    config = project.config
    engines: dict[str, list[str]] = {}
    if config.music.backend != "none":  # every card has a cue, so a scored film uses it
        engine = department_engine(project, "music", digests=digests)
        engines["music"] = [engine.backend, engine.model]
    if scenes and config.effects.backend != "none":  # every scene has its ambience
        engine = department_engine(project, "effects", digests=digests)
        engines["effects"] = [engine.backend, engine.model]
    if config.finishing.enabled:  # as finishing plans every segment of the cut
        job = finishing.plan_finish(
            "", project=project, label="credits", shot="", scene="", digests=digests
        )
        for role in ("upscale", "interpolate"):
            if role in job.params:
                made = job.params[role]
                engines[role] = [made["backend"], str(made["params"].get("model", ""))]
    return engines


def credits_seconds(lines: int, sections: int = 0) -> float:
    """How long the end credits run: long enough to read every line (0.7 s a line, 1.4 s a
    section's heading and the space above it, 5 s to roll in and out)."""
    return max(CREDITS_SECONDS, 5.0 + 0.7 * lines + 1.4 * sections)


def crawl_seconds(sections: Sections) -> float:
    """How long a crawl of these sections runs (`credits_seconds` of its lines)."""
    return credits_seconds(sum(len(lines) for _, lines in sections), len(sections))


# --- 2. compose ------------------------------------------------------------------------------


def engine_name(backend: str, model: str = "") -> str:
    """ "piper en_US-joe-medium" for a backend and the model it ran (a model that repeats the
    backend's name, as "piper:en_US-joe-medium", is named once)."""
    model = model.removeprefix(f"{backend}:").strip()
    return f"{backend} {model}" if model and model != backend else backend


def credit_sections(
    params: Mapping[str, Any], made: Mapping[str, Maker], *, version: str = ""
) -> Sections:
    """The crawl, in a film's order: [(heading, lines)], a "NAME — note" line set as a pair
    on the centre gutter. `made`: what made each input of the card, by key."""
    # 1. each department's engines: the generations in the cut, with the models that ran,
    #    then the departments the cut plans after this card
    engines: dict[str, list[str]] = {}  # department → "backend model", in the cut's order
    backends: dict[str, set[str]] = {}  # department → backends (what the AI line judges)
    found = [
        (ROLES.get(m.step, m.step.replace("-", " ").capitalize()), m.backend, m.model)
        for m in made.values()
    ]
    found += [(LATER[key], *made_by) for key, made_by in params.get("engines", {}).items()]
    for role, backend, model in found:
        name = engine_name(backend, model)
        if name not in engines.setdefault(role, []):
            engines[role].append(name)
        backends.setdefault(role, set()).add(backend)
    roles = sorted(engines, key=_crawl_rank)
    models = list(dict.fromkeys(name for role in roles for name in engines[role]))
    if params.get("camera"):  # stills moved by the camera: no engine, no model
        engines.setdefault("Motion", []).append("camera moves over the keyframes")
        roles = sorted(engines, key=_crawl_rank)
    # 2. the sections, top to bottom
    sections: Sections = [("", [str(params["title"]).upper()])]
    written = params.get("written", {})
    if written.get("names"):
        sections.append((written["credit"], [*written["names"], *written.get("source", [])]))
    if params.get("directed"):
        sections.append(("Directed by", list(params["directed"])))
    if params["cast"]:
        sections.append(("Cast", [cast_line(entry, made) for entry in params["cast"]]))
    departments = [
        f"{role if n == 0 else ''} — {name}"
        for role in roles
        for n, name in enumerate(engines[role])
    ]
    if departments:
        sections.append(("Departments", departments))
    if models:
        sections.append(("Models used", models))
    sections.append(("Made with", [f"cinecode {version}".strip()]))
    if said := disclosure(backends):
        sections.append(("", said))
    return sections


def _crawl_rank(role: str) -> int:
    """A department's place in the crawl: ROLES', then LATER's; any other comes last."""
    order = (*ROLES.values(), *LATER.values())
    return order.index(role) if role in order else len(order)


def cast_line(entry: Sequence[str], made: Mapping[str, Maker]) -> str:
    """ "MARA — voiced by woman-warm · piper en_US-joe-medium" for [character, voice, key]."""
    name, voice, *key = entry
    maker = made.get(key[0]) if key else None
    engine = f" · {engine_name(maker.backend, maker.model)}" if maker else ""
    return f"{name} — voiced by {voice}{engine}" if voice else name


def disclosure(backends: Mapping[str, set[str]]) -> list[str]:
    """What in the film was generated with AI and what was made by rule, in plain words:
    "Voices in this film were generated with AI." then "Its pictures … without AI."."""
    ai: list[str] = []
    ruled: list[str] = []
    finished: list[str] = []
    for role, noun in MAKES.items():  # in the crawl's order
        used = backends.get(role, set())
        learned = bool(used - PROCEDURAL)
        if role in ("Upscaling", "Frame interpolation"):
            finished += [noun] if learned else []
        elif learned and used & PROCEDURAL:  # some by a model, the others by rule
            ai.append(f"some of the {noun}")
            ruled.append(f"the other {noun}")
        elif used:
            (ai if learned else ruled).append(noun)
    lines = []
    if ai:
        lines.append(f"{_upper(_listed(ai))} in this film were generated with AI.")
    if finished:
        lines.append(f"Its frames were {_listed(finished)} with AI.")
    if ruled:
        subject = (
            _listed(ruled) if not ai or ruled[0].startswith("the ") else f"its {_listed(ruled)}"
        )
        lines.append(f"{_upper(subject)} were made by procedural engines, without AI.")
    return lines


def credit_lines(sections: Iterable[Sequence[Any]]) -> list[str]:
    """A credits card's sections (its meta) as lines: `Heading: name, name` per section, a
    heading-less section's lines as they are (the AI disclosure among them)."""
    out: list[str] = []
    for heading, lines in sections:
        if heading:
            out.append(f"{heading}: {', '.join(str(line) for line in lines)}")
        else:
            out.extend(str(line) for line in lines)
    return out


def _listed(words: list[str]) -> str:
    """ "pictures, voices and music" """
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _upper(text: str) -> str:
    """The text with its first letter a capital (the rest as written)."""
    return text[:1].upper() + text[1:]


# --- 3. render -------------------------------------------------------------------------------


def run_card(job: Job, ctx: Context) -> Output:
    """Draw a title card or the credits (one card, or a roll when they do not fit one)."""
    from cinecode import __version__
    from cinecode.media.cards import credits_card, credits_crawl, credits_fit, title_card

    p = job.params
    width, height = p["width"], p["height"]
    scroll = False
    meta: dict[str, Any] = {"kind": "image"}
    if p["kind"] == "title":
        image = title_card(p["title"], subtitle_lines=p["lines"], width=width, height=height)
    elif p["kind"] == "notice":
        made = {i.key: Maker(i.step, i.backend, i.model) for i in ctx.inputs}
        lines = notice_lines(credit_sections(p, made))
        meta["notice"] = lines
        image = credits_card([("", lines[:1]), ("", lines[1:])], width=width, height=height)
    else:
        made = {i.key: Maker(i.step, i.backend, i.model) for i in ctx.inputs}
        sections = credit_sections(p, made, version=__version__)
        meta["credits"] = [[heading, lines] for heading, lines in sections]
        if credits_fit(sections, width=width, height=height):
            image = credits_card(sections, width=width, height=height)
        else:  # a roll from an empty frame that comes to rest on the AI line (if it has one)
            rest = "last" if len(sections) > 1 and not sections[-1][0] else "empty"
            image = credits_crawl(sections, width=width, height=height, rest=rest)
            scroll = True
    out = ctx.workdir / "card.png"
    image.save(out, format="PNG", optimize=False)
    return Output(out, {**meta, "scroll": scroll})
