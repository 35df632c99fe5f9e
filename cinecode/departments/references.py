"""Whether a keyframe engine passes the shot's reference images on, and if not, the fix.

Pure: read from an engine's film.toml settings (a job's `backend_params`), so `plan` can say
which shots' references reach no engine instead of dropping them silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cinecode.backends.comfyui.workflow import REFERENCE_KEYS

#: engines that always pass references on: Runway (Gen-4 references), the sketch (palette
#: and corner thumbnails)
ALWAYS = ("runway", "sketch")


def unsent(backend: str, params: Mapping[str, Any]) -> str:
    """An empty string when the engine's keyframe requests carry the references; else what
    to set."""
    if backend in ALWAYS:
        return ""
    if backend == "openai":  # image edits, unless the server has none
        return "" if params.get("edits", True) else "remove edits = false to send them"
    if backend in ("fal", "replicate"):
        fields = params.get("fields") or {}
        if fields.get("reference") or fields.get("references"):
            return ""
        example = "image_url" if backend == "fal" else "input_image"
        return (
            "map them to the model's image input in film.toml, e.g. "
            f'fields = {{ reference = "{example}" }} (or references = a list field)'
        )
    if backend == "comfyui":
        inputs = params.get("inputs") or {}
        if any(inputs.get(key) for key in REFERENCE_KEYS):
            return ""
        return (
            "map LoadImage nodes in the engine's inputs: references, or character_references "
            "and location_references (docs/local-engines.md)"
        )
    if backend == "diffusers":
        return "" if params.get("ip_adapter") else "set the engine's ip_adapter to use them"
    return ""


def unsent_report(jobs: list[tuple[str, str, str, Mapping[str, Any], int]]) -> list[str]:
    """One line per engine whose keyframes leave references out: `jobs` are (shot, backend,
    model, backend params, number of references) of the plan's keyframes."""
    shots: dict[tuple[str, str], list[str]] = {}
    fixes: dict[tuple[str, str], str] = {}
    for shot, backend, model, params, count in jobs:
        fix = unsent(backend, params) if count else ""
        if fix:
            engine = (backend, model)
            if shot not in shots.setdefault(engine, []):
                shots[engine].append(shot)
            fixes[engine] = fix
    lines = []
    for (backend, model), ids in shots.items():
        named = f"{backend} ({model})" if model else backend
        listed = ", ".join(ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
        lines.append(
            f"the reference images of shot{'s' if len(ids) > 1 else ''} {listed} do not reach "
            f"{named}: {fixes[(backend, model)]}"
        )
    return lines


__all__ = ["ALWAYS", "unsent", "unsent_report"]
