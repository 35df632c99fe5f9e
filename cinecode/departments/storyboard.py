"""Storyboard department: a shot becomes keyframe takes (images) from the image backend.

```
1. compose the frame (size, angle, who is where, setting, time of day, palette, caption)
2. write the prompt (for generative backends)
3. draw seeds: take n of a shot uses seed + n
4. generate with the configured backend (or the shot's own `backend`/`model` directive)
5. store the take
```
"""

from __future__ import annotations

import functools
import re
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from cinecode.backends.protocols import Composition, Figure, ImageRequest
from cinecode.departments import services
from cinecode.departments.engines import backend_kwargs
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.project.config import Project
from cinecode.script.model import Film, Scene, Shot

KEYFRAME = Step("keyframe", 1, "generate", "storyboard", "png")
SOURCE = Step("source", 1, "render", "storyboard", "bin")  # ext: the file's own suffix

PALETTES = {
    "day": ("#8fb3d9", "#d8cfb8", "#6d7f5a"),
    "morning": ("#a9c6e8", "#efe3c8", "#7d8f6a"),
    "dawn": ("#f2b8a0", "#f7d9a8", "#7b7fa6"),
    "dusk": ("#e07a5f", "#3d405b", "#f2cc8f"),
    "evening": ("#c56b5a", "#35385a", "#e6b980"),
    "night": ("#0f1a2b", "#25344f", "#d9d2b6"),
}
FIGURE_COLOURS = (
    "#b5443a",
    "#2b4c7e",
    "#d4a017",
    "#3f7f4f",
    "#7a4e8c",
    "#c06c2b",
    "#2f7f86",
    "#8c3d5a",
)
PROPS = (
    "door",
    "window",
    "car",
    "boat",
    "lamp",
    "lantern",
    "table",
    "radio",
    "book",
    "logbook",
    "phone",
    "glass",
    "knife",
    "gun",
    "letter",
    "candle",
    "bed",
    "chair",
    "tree",
    "fire",
    "lens",
    "crank",
    "beacon",
    "wheel",
    "cup",
    "kettle",
    "bag",
    "key",
    "photo",
    "map",
)
_PROPS = re.compile(rf"\b({'|'.join(PROPS)})s?\b")
WEATHER = (
    (r"\b(rain|storm|downpour|drizzle|squall)", "rain"),
    (r"\b(snow|blizzard|sleet)", "snow"),
    (r"\b(fog|mist|haze)", "fog"),
    (r"\b(wind|gale|gust)", "wind"),
)


def character_colour(film: Film, name: str) -> str:
    """A character's colour: from film.toml, else one of a fixed set by order of appearance."""
    character = film.characters.get(name)
    if character and character.color:
        return character.color
    order = _appearance(tuple((n, c.first_line) for n, c in film.characters.items()))
    index = order[name] if name in order else zlib.crc32(name.encode()) % len(FIGURE_COLOURS)
    return FIGURE_COLOURS[index % len(FIGURE_COLOURS)]


@functools.lru_cache(maxsize=8)
def _appearance(first_lines: tuple[tuple[str, int], ...]) -> dict[str, int]:
    """Each character's place in the order of appearance (a film's, computed once)."""
    ranked = sorted(first_lines, key=lambda item: item[1])
    return {name: index for index, (name, _) in enumerate(ranked)}


def _positions(count: int) -> list[float]:
    return {0: [], 1: [0.5], 2: [0.34, 0.66], 3: [0.25, 0.5, 0.75]}.get(
        count, [0.15 + 0.7 * i / max(1, count - 1) for i in range(count)]
    )


def _over_the_shoulder(
    shot: Shot, scene: Scene, film: Film, speaker: str, listener: str
) -> Composition:
    """The listener's shoulder in the foreground, the speaker facing us beyond it."""
    plain = compose(replace(shot, characters=(speaker,)), scene, film)
    figures = (
        Figure(
            name=listener,
            x=0.2,
            role="listener",
            facing="away",
            color=character_colour(film, listener),
            depth=0.0,
        ),
        Figure(
            name=speaker,
            x=0.62,
            role="speaker",
            facing="left",
            color=character_colour(film, speaker),
            depth=0.35,
        ),
    )
    return replace(plain, figures=figures)


def compose(shot: Shot, scene: Scene, film: Film, *, story: bool = False) -> Composition:
    """The frame a shot calls for, as a structured layout; with `story`, also what the words
    say it shows (for an artist that reads them: `cinecode.departments.story`)."""
    if story:
        from cinecode.departments.story import with_story

        return with_story(compose(shot, scene, film), shot, scene, film, character_colour)
    people = list(shot.characters)
    if shot.size == "insert" or shot.kind == "establishing":
        people = (
            people if shot.kind == "establishing" and shot.size not in ("extreme-wide",) else []
        )
    if shot.kind == "dialogue" and shot.size == "medium-close" and len(people) == 2:
        return _over_the_shoulder(shot, scene, film, people[0], people[1])
    xs = _positions(len(people))
    figures = []
    for index, (name, x) in enumerate(zip(people, xs, strict=True)):
        facing: Literal["left", "right", "camera"] = "camera"
        if len(people) == 2:
            facing = "right" if index == 0 else "left"
        role: Literal["speaker", "listener", "present"] = (
            "speaker" if name == shot.speaker else ("listener" if shot.speaker else "present")
        )
        figures.append(
            Figure(name=name, x=x, role=role, facing=facing, color=character_colour(film, name))
        )
    location = film.location(scene)
    palette = (
        tuple(location.palette)
        if location and location.palette
        else PALETTES.get(scene.time_of_day, PALETTES["day"])
    )
    text = (
        f"{shot.action} {scene.action_text if shot.kind == 'establishing' else ''} {scene.ambience}"
    )
    weather = next((w for pattern, w in WEATHER if re.search(pattern, text.lower())), "")
    props = tuple(dict.fromkeys(m.group(1) for m in _PROPS.finditer(shot.action.lower())))
    if shot.lines:
        first = shot.lines[0]
        caption = f"{first.character}" + (
            f" ({first.parenthetical})" if first.parenthetical else ""
        )
        if len(shot.lines) > 1:
            caption += " / " + " / ".join(line.character for line in shot.lines[1:])
    else:
        caption = shot.action
    move = shot.move.replace("-", " ").upper()
    return Composition(
        size=shot.size,
        angle=shot.angle,
        setting=scene.setting,
        time_of_day=scene.time_of_day,
        location=scene.location,
        palette=palette,
        figures=tuple(figures),
        caption=" ".join(caption.split()),
        label=f"{shot.id} · {shot.size.replace('-', ' ').upper()} · {move}",
        weather=weather,
        props=props[:3],
    )


def compose_prompt(shot: Shot, scene: Scene, film: Film, *, override: str | None = None) -> str:
    """A text prompt for generative image backends (`override` replaces the directive's)."""
    location = film.location(scene)
    parts = [
        f"{shot.size.replace('-', ' ')} shot"
        + (f", {shot.angle} angle" if shot.angle != "eye" else ""),
        f"{'exterior' if scene.setting == 'ext' else 'interior'} {scene.location.lower()}, "
        f"{scene.time_of_day}",
    ]
    if location and location.description:
        parts.append(location.description)
    for name in shot.characters:
        character = film.characters.get(name)
        description = character.description if character and character.description else name.title()
        parts.append(description)
    if shot.action:
        parts.append(shot.action)
    extra = override if override is not None else (shot.directive.prompt if shot.directive else "")
    if extra:
        parts.append(extra)
    parts.append("cinematic film still, natural light, 35mm")
    return ". ".join(p.strip().rstrip(".") for p in parts if p.strip())


def base_seed(shot: Shot, project: Project) -> int:
    """The seed of a shot's first take: the directive's, else drawn from the film seed."""
    if shot.directive and shot.directive.seed is not None:
        return shot.directive.seed
    character = character_seed(shot, project)
    if character is not None:
        return character
    return zlib.crc32(f"{project.config.seed}:{shot.id}".encode()) % 1_000_000


def character_seed(shot: Shot, project: Project) -> int | None:
    """The fixed seed of the shot's subject, when a generative engine draws it (consistency:
    the same seed with the same description keeps a face from shot to shot)."""
    from cinecode.departments.engines import generative

    if not shot.characters:
        return None
    config = project.config.characters.get(shot.characters[0])
    if config is None or config.seed is None:
        return None
    name = shot.directive.backend if shot.directive and shot.directive.backend else ""
    return config.seed if generative(project, name or project.config.storyboard.backend) else None


def shot_reference_roles(shot: Shot, scene: Scene, film: Film) -> dict[str, tuple[str, str]]:
    """The reference images of who and where the shot shows, in order: path → (role, name),
    role "character" or "location" (a file listed twice keeps its first owner)."""
    owned: dict[str, tuple[str, str]] = {}
    for name in shot.characters:
        character = film.characters.get(name)
        if character:
            for path in character.references:
                owned.setdefault(path, ("character", name))
    location = film.location(scene)
    if location:
        for path in location.references:
            owned.setdefault(path, ("location", location.name))
    return owned


def shot_references(shot: Shot, scene: Scene, film: Film) -> list[str]:
    """Paths of the reference images of who and where the shot shows."""
    return list(shot_reference_roles(shot, scene, film))


def character_references(shot: Shot, film: Film) -> list[str]:
    """Paths of the reference images of the characters the shot shows (scoring)."""
    paths = [
        p for name in shot.characters if (c := film.characters.get(name)) for p in c.references
    ]
    return list(dict.fromkeys(paths))


def shot_palette(scene: Scene, film: Film) -> list[str]:
    """The location's palette, if film.toml gives one."""
    location = film.location(scene)
    return list(location.palette) if location else []


def references(shot: Shot, scene: Scene, film: Film, digests: dict[str, str]) -> list[str]:
    """The digests of the reference images of who and where the shot shows (for the key:
    what they are, never where they lie; `reference_paths` for the run)."""
    return [digests[p] for p in shot_references(shot, scene, film) if p in digests]


def reference_paths(shot: Shot, scene: Scene, film: Film, digests: dict[str, str]) -> list[str]:
    """The files of `references`, in the same order (job settings, not keys)."""
    return [p for p in shot_references(shot, scene, film) if p in digests]


def reference_roles(
    shot: Shot, scene: Scene, film: Film, digests: dict[str, str]
) -> list[list[str]]:
    """[role, name] of each of `reference_paths`, in the same order (job settings, not keys:
    which node or tag a reference reaches, never what it is)."""
    owned = shot_reference_roles(shot, scene, film)
    return [list(owned[p]) for p in owned if p in digests]


def roles_of(settings: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """A job's reference roles back from its settings (none for jobs planned before)."""
    return tuple((str(r[0]), str(r[1])) for r in settings.get("reference_roles", []))


#: fields a composition leaves out of its params while empty (keys planned before they existed)
_LATER = ("action", "place", "look", "wearing", "sheet")


def composition_params(comp: Composition) -> dict[str, Any]:
    """A composition as plain JSON (fast: called for every shot of every plan)."""
    values = {k: v for k, v in vars(comp).items() if v or k not in _LATER}
    values["figures"] = [
        {k: v for k, v in vars(f).items() if v or k not in _LATER} for f in comp.figures
    ]
    values["palette"] = list(comp.palette)
    values["props"] = list(comp.props)
    return values


def composition_of(params: dict[str, Any]) -> Composition:
    """A composition back from its params (`composition_params`)."""
    return Composition(
        **{
            **params,
            "palette": tuple(params["palette"]),
            "props": tuple(params["props"]),
            "figures": tuple(Figure(**f) for f in params["figures"]),
        }
    )


def plan_take(
    shot: Shot,
    scene: Scene,
    film: Film,
    project: Project,
    *,
    seed: int,
    digests: dict[str, str],
    prompt: str | None = None,
    take: bool = True,
) -> Job:
    """The job that draws one keyframe take of a shot."""
    from cinecode.departments.engines import keyframe_engine, resolve

    department = project.config.storyboard
    engine = keyframe_engine(project, shot, digests=digests)  # named [backends] entries too
    motion = _video_only(engine.backend)  # `[[shot: backend runway]]` animates the shot
    if motion:
        engine = resolve(project, department.backend, department="storyboard", digests=digests)
    backend, backend_params = engine.backend, engine.params
    model = (
        shot.directive.model if shot.directive and shot.directive.model and not motion else ""
    ) or str(backend_params.get("model", ""))
    fmt = project.config.format
    params: dict[str, Any] = {
        "backend": backend,
        "backend_version": engine.version,
        "backend_params": backend_params,
        "model": model,
        "prompt": compose_prompt(shot, scene, film, override=prompt),
        "negative_prompt": str(backend_params.get("negative_prompt", "")),
        "width": fmt.width,
        "height": fmt.height,
        "seed": seed,
        "composition": composition_params(compose(shot, scene, film, story=_reads(backend))),
        "references": references(shot, scene, film, digests),
    }
    return KEYFRAME.job(
        params,
        label=f"keyframe {shot.id} seed {seed}",
        shot=shot.id,
        scene=scene.id,
        backend=backend,
        take=take,
        seed=seed,
        estimate=project.prices.prices(backend).image(model, width=fmt.width, height=fmt.height),
        settings={
            "backend": engine.settings,
            "references": reference_paths(shot, scene, film, digests),
            "reference_roles": reference_roles(shot, scene, film, digests),
        },
    )


def _reads(backend: str) -> bool:
    """Whether the backend draws from what the words say (the sketch), not from a prompt."""
    return backend == "sketch"


def _video_only(backend: str) -> bool:
    from cinecode.backends.registry import BACKENDS

    entry = BACKENDS.get(backend)
    return entry is not None and entry.modalities[:1] == ("video",)  # as clip.video_only


def plan_source(shot: Shot, scene: Scene, project: Project, digests: dict[str, str]) -> Job:
    """The job that brings the user's own photo or clip into the store as the shot's take."""
    assert shot.directive is not None
    source = shot.directive.source
    path = str(project.resolve(source))
    return SOURCE.job(
        {"digest": digests[path], "suffix": Path(source).suffix.lower()},
        label=f"source {shot.id} {Path(source).name}",
        settings={"path": path},
        shot=shot.id,
        scene=scene.id,
        take=True,
        ext=Path(source).suffix.lower().lstrip(".") or "bin",
    )


def run_keyframe(job: Job, ctx: Context) -> Output:
    """Draw one keyframe with the job's backend."""
    p = job.params
    comp = composition_of(p["composition"])
    request = ImageRequest(
        prompt=p["prompt"],
        width=p["width"],
        height=p["height"],
        seed=p["seed"],
        negative_prompt=p["negative_prompt"],
        model=p["model"],
        references=tuple(Path(path) for path in job.settings.get("references", [])),
        reference_roles=roles_of(job.settings),
        composition=comp,
    )
    backend = ctx.backend("image", p["backend"], backend_kwargs(job))
    result = backend.generate(
        request, ctx.workdir, ctx.progress, **services.hosted_kwargs(ctx, p["backend"])
    )
    return Output(result.path, {**result.meta, "seed": p["seed"]}, result.cost, result.model)


def run_source(job: Job, ctx: Context) -> Output:
    """Copy the user's file into the store (checked against the digest it was planned with)."""
    from cinecode.errors import ProjectError
    from cinecode.graph.keys import file_digest

    path = Path(job.settings["path"])
    if not path.is_file() or file_digest(path) != job.params["digest"]:
        raise ProjectError(
            "the source file changed or vanished during the build",
            file=str(path),
            hint="run make again",
        )
    target = ctx.workdir / f"source{job.params['suffix']}"
    target.write_bytes(path.read_bytes())
    kind = (
        "image"
        if job.params["suffix"] in (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")
        else "video"
    )
    return Output(target, {"kind": kind, "name": path.name})
