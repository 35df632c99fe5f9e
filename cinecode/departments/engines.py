"""Which engine makes what: a department's (or a shot's) backend name → backend + parameters.

`film.toml` names a backend per department, either a registry name with its parameters
inline, or a named entry of `[backends.NAME]`, which a shot can also pick with a directive:

```toml
[backends.flux]              # a named engine: any registry backend plus its settings
backend = "comfyui"
workflow = "workflows/flux-t2i.json"

[storyboard]
backend = "flux"             # every keyframe from it…
```
and `[[shot: backend sketch]]` keeps one shot an animatic frame; `[[shot: motion wan]]`
makes one shot a generated clip. Pure: paths are resolved, files are not read (their digests
come from the planning state), so a plan never does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.backends.registry import BACKENDS, CAMERA_MOVES, backend_version
from cinecode.graph.job import Job
from cinecode.project.config import Department, Project
from cinecode.script.model import Shot

#: Parameters that name a file of the project: its digest goes into every key that uses it,
#: its place (resolved) only into the job's settings.
FILE_PARAMS = ("workflow",)
#: Parameters that may name a folder of the project (a local model): the key holds them as
#: written (relative to the project), the job's settings the resolved path.
PATH_PARAMS = ("model", "ip_adapter_path")
#: Parameters that say how to reach or wait for an engine, never what it makes: settings only.
RUN_SETTINGS = (
    "server",
    "servers",
    "timeout",
    "retries",
    "history_wait",
    "poll_interval",
    "silence",
)


#: Parameters of a department's section that are the mix's, never the engine's (see
#: cinecode.departments.mix: `[motion] keep_audio`): in no key and never sent to a backend.
MIX_SETTINGS = ("keep_audio",)


@dataclass(frozen=True)
class Engine:
    """A backend as a job uses it: registry name + resolved parameters."""

    name: str  # as film.toml names it (a [backends] entry or a registry name)
    backend: str  # the registry name
    params: dict[str, Any] = field(default_factory=dict)  # what makes the output: in keys
    settings: dict[str, Any] = field(default_factory=dict)  # where and how: never in keys

    @property
    def kwargs(self) -> dict[str, Any]:
        """What the backend is constructed with: its params and its settings."""
        return {**self.params, **self.settings}

    @property
    def is_camera(self) -> bool:
        """True when the picture is a camera move over the keyframe (no clip is generated)."""
        return self.backend in CAMERA_MOVES

    @property
    def version(self) -> int:
        """The backend's code version: part of the key of everything it makes."""
        return backend_version(self.backend)

    @property
    def model(self) -> str:
        """The model its settings name ("" for the backend's default)."""
        return str(self.params.get("model", ""))


def keeps_clip_audio(project: Project) -> bool:
    """Whether `[motion] keep_audio = "ambience"` keeps generated clips' own sound (off by
    default; any other value is an error at its line)."""
    value = project.config.motion.params.get("keep_audio", "off")
    if value in ("off", False):
        return False
    if value != "ambience":
        raise project.error(
            f"keep_audio = {value!r} is not a way to keep a clip's sound",
            "motion",
            "keep_audio",
            hint='write keep_audio = "ambience" (the clip\'s sound under the scene, ducked '
            'under the dialogue) or "off"',
        )
    return True


def backend_kwargs(job: Job, params_key: str = "backend_params") -> dict[str, Any]:
    """What a runner constructs the job's backend with: the engine's params from the key and
    its settings (`job.settings["backend"]`) from the plan."""
    return {**job.params[params_key], **job.settings.get("backend", {})}


def _entry(project: Project, name: str) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """(registry name, raw params, film.toml key path) of a backend name."""
    named = project.config.backends.get(name)
    if named is not None:
        return named.backend, named.params, ("backends", name)
    return name, {}, ()


def resolve(
    project: Project,
    name: str,
    *,
    department: str = "",
    digests: Mapping[str, str] | None = None,
) -> Engine:
    """The engine `name` means in this project (from `department`'s section if it is its own)."""
    backend, params, where = _entry(project, name)
    section: Department | None = None
    if department:
        section = project.department(department)
        if section.backend == name:  # the department's inline settings win
            params = {**params, **section.params}
            where = where if not section.params else (department,)
    return Engine(name, backend, *_resolved(project, params, where, digests or {}))


def _resolved(
    project: Project, params: dict[str, Any], where: tuple[str, ...], digests: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(params for the key, settings for the run) of an engine's film.toml settings."""
    params = {k: v for k, v in params.items() if k not in MIX_SETTINGS}
    out = {k: v for k, v in params.items() if k not in RUN_SETTINGS}
    settings = {k: v for k, v in params.items() if k in RUN_SETTINGS}
    for key in FILE_PARAMS:
        value = out.get(key)
        if not isinstance(value, str) or not value:
            continue
        path = str(project.resolve(value))
        if path not in digests:
            raise project.error(
                f"{key} file {value} does not exist",
                *where,
                key,
                hint=f"in ComfyUI use Workflow ▸ Export (API), save it as {path} (or fix the path)",
            )
        del out[key]
        out[f"{key}_digest"] = digests[path]
        settings[key] = path
    for key in PATH_PARAMS:
        value = out.get(key)
        if isinstance(value, str) and value.startswith(("./", "../", "~")):
            settings[key] = str(project.resolve(str(Path(value).expanduser())))
    return out, settings


def department_engine(
    project: Project, department: str, *, digests: Mapping[str, str] | None = None
) -> Engine:
    """The engine a department uses for every shot without its own."""
    return resolve(
        project, project.department(department).backend, department=department, digests=digests
    )


def keyframe_engine(
    project: Project, shot: Shot, *, digests: Mapping[str, str] | None = None
) -> Engine:
    """The image engine of a shot's keyframes: its `backend` directive, else [storyboard]."""
    named = shot.directive.backend if shot.directive else ""
    return resolve(
        project,
        named or project.config.storyboard.backend,
        department="storyboard",
        digests=digests,
    )


def motion_engine(
    project: Project, shot: Shot, *, digests: Mapping[str, str] | None = None
) -> Engine:
    """The video engine of a shot: its `motion` directive, else [motion] ("camera": none)."""
    named = shot.directive.motion if shot.directive else ""
    return resolve(
        project, named or project.config.motion.backend, department="motion", digests=digests
    )


def project_files(project: Project) -> list[Path]:
    """Files that engine settings name (ComfyUI workflows), existing ones only."""
    sections: list[Mapping[str, Any]] = [d.params for d in project.config.backends.values()]
    for name in ("storyboard", "motion", "voice", "music", "lipsync"):
        try:
            sections.append(project.department(name).params)
        except KeyError:
            continue
    paths = []
    for params in sections:
        for key in FILE_PARAMS:
            value = params.get(key)
            if isinstance(value, str) and value and project.resolve(value).is_file():
                paths.append(project.resolve(value))
    return list(dict.fromkeys(paths))


__all__ = [
    "Engine",
    "department_engine",
    "keeps_clip_audio",
    "keyframe_engine",
    "motion_engine",
    "project_files",
    "resolve",
]


def backend_of(project: Project, name: str) -> str:
    """The registry name behind `name` (cheap: resolves no file)."""
    return _entry(project, name)[0]


def generative(project: Project, name: str) -> bool:
    """True for engines that invent pictures from prompts and seeds (not the offline sketch)."""
    backend = backend_of(project, name)
    entry = BACKENDS.get(backend)
    return entry is not None and not entry.offline and backend not in CAMERA_MOVES


def comfyui_servers(project: Project) -> set[str]:
    """Every ComfyUI server the project's engines name (the comfyui pool has one job each)."""
    sections: list[Department] = [*project.config.backends.values()]
    sections += [project.config.storyboard, project.config.motion]
    sections += [project.config.lipsync] if project.config.lipsync else []
    servers: set[str] = set()
    for section in sections:
        if backend_of(project, section.backend) == "comfyui":
            params = section.params
            if not params and section.backend in project.config.backends:
                params = project.config.backends[section.backend].params
            listed = params.get("servers") or [params.get("server") or "127.0.0.1:8188"]
            servers.update(str(s) for s in listed)
    return servers
