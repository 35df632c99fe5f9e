"""Cast and location sheets: a character's reference sheet (front, three-quarter, profile) and
a location's establishing plate, made by the storyboard engine; the picked one cut into its
views, which become the references of the shots that show them.

```
1. seed     take n of a sheet uses the character's seed (film.toml) + n
2. compose  the prompt (generative engines) or the sheet request (the sketch draws a real one)
3. generate with the [storyboard] engine: a `sheet` job, keyed like a keyframe
4. cut      the picked sheet into its views: one `cast-view` job per view (store objects)
```
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any, Literal

from cinecode.backends.protocols import Composition, ImageRequest
from cinecode.departments import services
from cinecode.departments.engines import backend_kwargs, resolve
from cinecode.departments.storyboard import (
    PALETTES,
    character_colour,
    composition_of,
    composition_params,
)
from cinecode.graph.catalog import Artifact
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.project.config import Project
from cinecode.script.model import Film, Scene

SHEET = Step("sheet", 1, "generate", "storyboard", "png")
VIEW = Step("cast-view", 1, "render", "storyboard", "png")

SheetKind = Literal["character", "location"]
#: the views a character's sheet is cut into, left to right (a location's plate is one)
CHARACTER_VIEWS = ("front", "three-quarter", "profile")
LOCATION_VIEWS = ("plate",)


def names(film: Film, kind: SheetKind) -> list[str]:
    """Who (or where) can have a sheet: the film's characters, or its locations (film.toml's
    and every other place a scene heading names)."""
    if kind == "character":
        return list(film.characters)
    places = list(film.locations)
    for scene in film.scenes:
        if film.location(scene) is None and scene.location:
            places.append(scene.location.upper())
    return list(dict.fromkeys(places))


def base_seed(name: str, kind: SheetKind, project: Project) -> int:
    """The seed of a sheet's first take: the character's seed in film.toml, else drawn from
    the film's seed and the name."""
    if kind == "character":
        config = project.config.characters.get(name)
        if config is not None and config.seed is not None:
            return config.seed
    return zlib.crc32(f"{project.config.seed}:{kind}:{name}".encode()) % 1_000_000


def _scene_of(film: Film, name: str) -> Scene | None:
    """The first scene set at a location."""
    for scene in film.scenes:
        located = film.location(scene)
        if (located is not None and located.name == name) or scene.location.upper() == name:
            return scene
    return None


def sheet_prompt(film: Film, name: str, kind: SheetKind) -> str:
    """What a generative engine is asked for: a turnaround sheet, or an empty establishing
    view of the place."""
    if kind == "character":
        character = film.characters.get(name)
        who = character.description if character and character.description else name.title()
        return (
            f"character reference sheet of {who.rstrip('.')}: the same person three times side "
            "by side, full body, front view, three-quarter view, profile view, same costume, "
            "plain light background, even studio light"
        )
    location = film.locations.get(name)
    scene = _scene_of(film, name)
    where = (
        f"{'exterior' if scene.setting == 'ext' else 'interior'} {name.lower()}, "
        f"{scene.time_of_day}"
        if scene
        else name.lower()
    )
    parts = ["establishing shot", where]
    if location and location.description:
        parts.append(location.description.rstrip("."))
    parts.append("no people, wide, cinematic film still, natural light, 35mm")
    return ", ".join(parts)


def plate_composition(film: Film, name: str) -> Composition:
    """An establishing plate's frame for layout-drawing engines: the place, nobody in it."""
    location = film.locations.get(name)
    scene = _scene_of(film, name)
    time = scene.time_of_day if scene else "day"
    palette = (
        tuple(location.palette)
        if location and location.palette
        else PALETTES.get(time, PALETTES["day"])
    )
    return Composition(
        size="extreme-wide",
        setting=scene.setting if scene else "ext",
        time_of_day=time,
        location=scene.location if scene else name,
        palette=palette,
        caption=name,
        label=f"{name} · ESTABLISHING PLATE",
        place=location.description if location else "",
    )


def plan_sheet(
    film: Film,
    project: Project,
    name: str,
    *,
    kind: SheetKind,
    seed: int,
    digests: Mapping[str, str],
) -> Job:
    """The job that makes one sheet take with the [storyboard] engine."""
    department = project.config.storyboard
    engine = resolve(project, department.backend, department="storyboard", digests=digests)
    backend, backend_params = engine.backend, engine.params
    fmt = project.config.format
    params: dict[str, Any] = {
        "backend": backend,
        "backend_version": engine.version,
        "backend_params": backend_params,
        "model": str(backend_params.get("model", "")),
        "prompt": sheet_prompt(film, name, kind),
        "negative_prompt": str(backend_params.get("negative_prompt", "")),
        "width": fmt.width,
        "height": fmt.height,
        "seed": seed,
        "sheet": kind,
        "name": name,
    }
    if kind == "character":
        character = film.characters.get(name)
        params["look"] = character.description if character else ""
        params["color"] = character_colour(film, name)
    else:
        params["composition"] = composition_params(plate_composition(film, name))
    return SHEET.job(
        params,
        label=f"{kind} sheet {name} seed {seed}",
        backend=backend,
        seed=seed,
        estimate=project.prices.prices(backend).image(
            params["model"], width=fmt.width, height=fmt.height
        ),
        settings={"backend": engine.settings},
    )


def run_sheet(job: Job, ctx: Context) -> Output:
    """Make one sheet with the job's engine (the sketch draws a character's sheet itself)."""
    p = job.params
    drawn_by_sketch = p["backend"] == "sketch" and p["sheet"] == "character"
    request = ImageRequest(
        prompt=p["prompt"],
        width=p["width"],
        height=p["height"],
        seed=p["seed"],
        negative_prompt=p["negative_prompt"],
        model=p["model"],
        composition=composition_of(p["composition"]) if "composition" in p else None,
        params={"sheet": "character", "name": p["name"], "color": p["color"], "look": p["look"]}
        if drawn_by_sketch
        else {},
    )
    backend = ctx.backend("image", p["backend"], backend_kwargs(job))
    result = backend.generate(
        request, ctx.workdir, ctx.progress, **services.hosted_kwargs(ctx, p["backend"])
    )
    meta = {**result.meta, "seed": p["seed"], "name": p["name"], "sheet": p["sheet"]}
    return Output(result.path, meta, result.cost, result.model)


def view_boxes(sheet: Artifact) -> dict[str, list[int]]:
    """Where each view is in a sheet: as the engine drew them (the sketch says), else the
    sheet's thirds (a character) or the whole plate (a location)."""
    drawn = sheet.meta.get("views")
    if isinstance(drawn, dict) and drawn:
        order = {view: i for i, view in enumerate(CHARACTER_VIEWS)}
        ranked = sorted(drawn.items(), key=lambda item: order.get(str(item[0]), len(order)))
        return {str(k): [int(v) for v in box] for k, box in ranked}
    width = int(sheet.meta.get("width") or sheet.params.get("width", 0))
    height = int(sheet.meta.get("height") or sheet.params.get("height", 0))
    if sheet.params.get("sheet") == "location":
        return {"plate": [0, 0, width, height]}
    third = width / len(CHARACTER_VIEWS)
    return {
        view: [round(i * third), 0, round((i + 1) * third), height]
        for i, view in enumerate(CHARACTER_VIEWS)
    }


def plan_views(sheet: Artifact) -> list[Job]:
    """The jobs that cut a sheet into its views (each a reference image in the store)."""
    name = sheet.params.get("name", "")
    return [
        VIEW.job(
            {"view": view, "box": box},
            (sheet.key,),
            label=f"{name} {view}",
        )
        for view, box in view_boxes(sheet).items()
    ]


def run_view(job: Job, ctx: Context) -> Output:
    """Cut one view out of its sheet (the image's own size bounds the box)."""
    from PIL import Image

    with Image.open(ctx.inputs[0].path) as image:
        left, top, right, bottom = job.params["box"]
        box = (
            max(0, left),
            max(0, top),
            min(image.width, right),
            min(image.height, bottom),
        )
        view = image.convert("RGB").crop(box)
    path = ctx.workdir / f"{job.params['view']}.png"
    view.save(path, format="PNG")
    return Output(path, {"view": job.params["view"], "width": view.width, "height": view.height})


__all__ = [
    "CHARACTER_VIEWS",
    "LOCATION_VIEWS",
    "SHEET",
    "VIEW",
    "SheetKind",
    "base_seed",
    "names",
    "plan_sheet",
    "plan_views",
    "run_sheet",
    "run_view",
    "sheet_prompt",
    "view_boxes",
]
