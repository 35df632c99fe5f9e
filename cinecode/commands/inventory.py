"""What `cinecode backends` reports: every engine the project uses, what it makes, whether it is
ready, and the one-line fix when it is not.

Engines come from the departments (`[storyboard]`, `[motion]`, `[voice]`, `[music]`,
`[effects]`),
`[finishing]`, each shot's `backend` / `motion` directive, and the `[backends]` entries
(listed even when nothing uses them, marked unused).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.backends.protocols import BackendStatus
from cinecode.backends.registry import BACKENDS, CAMERA_MOVES
from cinecode.backends.registry import status as backend_status
from cinecode.departments.engines import project_files, resolve
from cinecode.errors import CinecodeError
from cinecode.project.config import Project

#: What each use of an engine asks it to make.
DEPARTMENTS = (
    ("storyboard", "image"),
    ("motion", "video"),
    ("voice", "speech"),
    ("music", "music"),
    ("effects", "effects"),
)


@dataclass
class Use:
    name: str  # as film.toml or the directive names it
    modality: str
    used_by: list[str] = field(default_factory=list)


def _uses(project: Project, shots: list[tuple[str, str, str]]) -> list[Use]:
    """Every (engine, modality) the project uses, with who uses it, in a stable order."""
    uses: dict[tuple[str, str], Use] = {}

    def add(name: str, modality: str, by: str) -> None:
        uses.setdefault((name, modality), Use(name, modality)).used_by.append(by)

    for department, modality in DEPARTMENTS:
        name = project.department(department).backend
        if name != "none":  # a department switched off uses no engine
            add(name, modality, f"[{department}]")
    if project.config.lipsync is not None and project.config.lipsync.backend != "none":
        add(project.config.lipsync.backend, "lipsync", "[lipsync]")
    finishing = project.config.finishing
    if finishing.upscale is not None:
        add(finishing.upscaler, "upscale", "[finishing] upscale")
    if finishing.fps is not None or finishing.factor is not None:
        add(finishing.interpolator, "interpolate", "[finishing] interpolation")
    for shot_id, name, modality in shots:
        add(name, modality, f"shot {shot_id}")
    for name, entry in project.config.backends.items():
        if not any(use.name == name for use in uses.values()):
            modality = (
                (BACKENDS[entry.backend].modalities or ("",))[0]
                if entry.backend in BACKENDS
                else ""
            )
            uses[(name, modality)] = Use(name, modality)
    return list(uses.values())


def _status(project: Project, use: Use, digests: dict[str, str]) -> tuple[str, BackendStatus]:
    department = next((d for d, m in DEPARTMENTS if m == use.modality), "")
    department = "lipsync" if use.modality == "lipsync" else department
    try:
        engine = resolve(project, use.name, department=department, digests=digests)
    except CinecodeError as exc:
        return use.name, BackendStatus("misconfigured", exc.message, exc.hint)
    if engine.backend in CAMERA_MOVES:
        return engine.backend, BackendStatus("ready", "camera moves over the keyframes")
    entry = BACKENDS.get(engine.backend)
    if entry is None:
        known = ", ".join(sorted([*BACKENDS, *project.config.backends]))
        return engine.backend, BackendStatus(
            "misconfigured",
            f"unknown backend {engine.backend!r}"
            + (f" (in [backends.{use.name}])" if engine.backend != use.name else ""),
            f"use one of: {known} (or add [backends.{use.name}] to film.toml)",
        )
    if use.modality and use.modality not in entry.modalities:
        return engine.backend, BackendStatus(
            "misconfigured",
            f"{engine.backend} does not make {use.modality}",
            f"it makes {', '.join(entry.modalities)}: name another backend here",
        )
    from cinecode.departments.clip import engine_settings
    from cinecode.departments.services import backend_settings

    # as a build constructs it: the service's [services.NAME] settings (its base_url, the
    # variable that holds its key), then the engine's own
    service = backend_settings(project).get(engine.backend, {})
    kwargs = {**service, **engine_settings(engine.kwargs)}
    return engine.backend, backend_status(engine.backend, kwargs)


def backends_report(path: Path) -> dict[str, Any]:
    """Every engine of the project with its status (what `backends --json` prints)."""
    from cinecode.graph.keys import file_digest
    from cinecode.pipeline.session import load

    loaded = load(path, check_backends=False)  # a name that names nothing is a row here
    project = loaded.project
    shots: list[tuple[str, str, str]] = []
    for shot in loaded.film.shots:
        if shot.directive and shot.directive.backend:
            shots.append((shot.id, shot.directive.backend, "image"))
        if shot.directive and shot.directive.motion:
            shots.append((shot.id, shot.directive.motion, "video"))
    digests = {str(p): file_digest(p) for p in project_files(project)}
    rows = []
    for use in _uses(project, shots):
        backend, status = _status(project, use, digests)
        entry = BACKENDS.get(backend)
        rows.append(
            {
                "name": use.name,
                "backend": backend,
                "modality": use.modality,
                "modalities": list(entry.modalities) if entry else [],
                "used_by": use.used_by,
                "status": status.state,
                "detail": status.detail,
                "fix": status.fix,
                "extra": entry.extra if entry else "",
            }
        )
    ready = all(row["status"] == "ready" for row in rows if row["used_by"])
    return {"project": str(project.root), "ready": ready, "backends": rows}


__all__ = ["backends_report"]
