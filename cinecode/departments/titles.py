"""Title and end credits: the film's opening card and a credits roll naming the cast and
every backend and model that made the film."""

from __future__ import annotations

from typing import Any

from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.project.config import Project
from cinecode.script.model import Film

CARD = Step("card", 1, "render", "edit", "png")

TITLE_SECONDS = 4.0
CREDITS_SECONDS = 8.0

ROLES = {
    "keyframe": "Storyboard",
    "clip": "Motion",
    "voice": "Voices",
    "music": "Score",
    "effect": "Sound effects",
    "ambience": "Ambience",
    "source": "Footage",
}


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


def plan_credits(
    film: Film, project: Project, *, cast: list[tuple[str, str]], made_with: list[str]
) -> Job:
    """The end credits; `made_with` are the keys of the generations in the cut."""
    fmt = project.config.format
    params: dict[str, Any] = {
        "kind": "credits",
        "title": film.title,
        "cast": [list(c) for c in cast],
        "width": fmt.width,
        "height": fmt.height,
    }
    return CARD.job(params, tuple(made_with), label="end credits", scene="credits")


def credits_seconds(cast: int, makers: int) -> float:
    """How long the end credits run: long enough to read every line."""
    return max(CREDITS_SECONDS, 5.0 + 0.7 * (cast + 2 * makers))


def credit_sections(params: dict[str, Any], ctx: Context) -> list[tuple[str, list[str]]]:
    """CAST, then one section per kind of generation with its backends and models."""
    sections: list[tuple[str, list[str]]] = [
        ("CAST", [f"{name} — {voice}" if voice else name for name, voice in params["cast"]])
    ]
    used: dict[str, list[str]] = {}
    for item in ctx.inputs:
        role = ROLES.get(item.step, item.step)
        name = item.backend + (
            f" · {item.model}" if item.model and item.model != item.backend else ""
        )
        if name and name not in used.setdefault(role, []):
            used[role].append(name)
    for role in ROLES.values():
        if used.get(role):
            sections.append((role.upper(), used[role]))
    sections.append(("MADE WITH", ["cinecode"]))
    return sections


def run_card(job: Job, ctx: Context) -> Output:
    """Draw a title card or the credits (one card, or a roll when they do not fit one)."""
    from PIL import Image

    from cinecode.media.cards import (
        BACKGROUND,
        credits_card,
        credits_fit,
        credits_roll,
        title_card,
    )

    p = job.params
    width, height = p["width"], p["height"]
    scroll = False
    if p["kind"] == "title":
        image = title_card(p["title"], subtitle_lines=p["lines"], width=width, height=height)
    else:
        sections = credit_sections(p, ctx)
        if credits_fit(sections, width=width, height=height):
            image = credits_card(sections, width=width, height=height)
        else:  # a roll that starts and ends on an empty frame
            roll = credits_roll(sections, width=width)
            image = Image.new("RGB", (width, roll.height + 2 * height), BACKGROUND)
            image.paste(roll, (0, height))
            scroll = True
    out = ctx.workdir / "card.png"
    image.save(out, format="PNG", optimize=False)
    return Output(out, {"kind": "image", "scroll": scroll})
