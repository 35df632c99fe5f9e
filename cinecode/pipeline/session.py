"""A project opened for work: the one place that loads it, plans it and runs its jobs.

```
1. load     film.toml + the screenplay → the film model with stable ids, checked (file:line),
            and the warnings the user should see (`Loaded.warnings`)
2. store    the project's .cinecode/: opened for writing, or only when it exists (reading
            commands never create one, and never write shots.lock or anything else)
3. state    what planning knows besides the film: file digests, takes, picks, voices, the cut
4. plan     pure: the film and the state → a graph of keyed jobs
5. run      only the jobs whose key the store lacks, with the project's backends (their
            [services] settings) and pools
```
Every command goes through a `Session`: make, regen, pick, reject, lock, takes, export,
conform, status, plan, sound, breakdown (and the Studio, later).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from cinecode.backends.protocols import Cost
from cinecode.backends.registry import BACKENDS, Backends
from cinecode.departments import engines, services
from cinecode.errors import ProjectError, ScriptError
from cinecode.graph.catalog import Artifact
from cinecode.graph.executor import Budget, Offload, RunStats, execute
from cinecode.graph.job import Graph, Job
from cinecode.graph.lock import project_lock
from cinecode.graph.reporter import Reporter
from cinecode.graph.shared import Location as SharedLocation
from cinecode.graph.shared import open_location
from cinecode.graph.store import Store, object_path
from cinecode.pipeline.plan import Plan, State, TakeInfo, clip_source, take_version
from cinecode.pipeline.plan import plan as plan_film
from cinecode.project.cast import Kind, Sheet, cast_path, read_cast
from cinecode.project.cast import line_of as cast_line
from cinecode.project.config import Project, load_project
from cinecode.project.cut import read_cut
from cinecode.project.files import write_atomic
from cinecode.project.picks import read_picks
from cinecode.script.branching import story_of
from cinecode.script.breakdown import cue_warnings
from cinecode.script.elements import Script
from cinecode.script.film import build_film, check_directive_backends, check_project
from cinecode.script.fountain import read_script
from cinecode.script.ids import IdLock, format_lock, read_lock
from cinecode.script.model import Film, Location


@dataclass(frozen=True)
class Loaded:
    """A project read from disk: config, screenplay, film model and its id lock."""

    project: Project
    script: Script
    film: Film
    lock: IdLock
    lock_text: str
    warnings: tuple[str, ...] = ()  # `file:line: …` the user should see (plan and make print)

    @property
    def lock_changed(self) -> bool:
        path = self.project.ids_path
        return not path.is_file() or path.read_text(encoding="utf-8") != self.lock_text


# 1. load


def load(path: Path, *, check_backends: bool = True, cast: bool = True) -> Loaded:
    """Read and check a project; raises ProjectError/ScriptError with file:line.

    `check_backends=False` lets backend names that name nothing through (for `backends`);
    `cast=False` leaves the picked cast sheets out (`cinecode cast` mends a lost one).
    """
    project = load_project(path, check_backends=check_backends)
    script_path = project.script_path
    if not script_path.is_file():
        raise ScriptError(
            f"the screenplay {project.config.script} does not exist",
            file=str(project.file),
            line=project.line_of("script"),
            hint=f"create {script_path} or fix `script =` in film.toml",
        )
    script = read_script(script_path)
    film, lock = build_film(script, project, read_lock(project.ids_path))
    if cast:
        film = with_cast(film, project)
    check_project(film, project, script)
    story_of(film)  # a branching film's story is checked before any work
    if check_backends:
        check_directive_backends(film, project, script)
    warnings = cue_warnings(script, characters=list(project.config.characters))
    loaded = Loaded(project, script, film, lock, format_lock(lock), warnings)
    _check_voices(loaded, _presets(project))
    return loaded


def with_cast(film: Film, project: Project) -> Film:
    """The film with its picked cast sheets as references: a character's (or location's)
    picked views, from the store, unless film.toml names its own references."""
    path = cast_path(project.root)
    chosen = read_cast(path)
    if not (chosen.characters or chosen.locations):
        return film

    def views(kind: Kind, name: str, sheet: Sheet) -> tuple[str, ...]:
        files = [object_path(project.store_dir, d, "png") for d in sheet.views.values()]
        lost = [f for f in files if not f.is_file()]
        if lost:
            raise ProjectError(
                f"the picked sheet of {name} ({sheet.pick}) is not in the store",
                file=str(path),
                line=cast_line(path, kind, name),
                hint=f"run `cinecode cast {project.root} {name}"
                f"{' --locations' if kind == 'locations' else ''}` to make it again",
            )
        return tuple(str(f) for f in files)

    characters = dict(film.characters)
    for name, sheet in chosen.characters.items():
        own = project.config.characters.get(name)
        if sheet.pick and name in characters and not (own and own.references):
            characters[name] = replace(
                characters[name],
                references=views("characters", name, sheet),
                sheet=sheet.seed or 0,
            )
    locations = dict(film.locations)
    for name, sheet in chosen.locations.items():
        written = project.config.locations.get(name)
        if sheet.pick and not (written and written.references):
            place = locations.get(name, Location(name=name))
            locations[name] = replace(place, references=views("locations", name, sheet))
    return replace(film, characters=characters, locations=locations)


def _presets(project: Project) -> dict[str, Any]:
    from cinecode.backends.registry import voice_presets

    try:
        return dict(voice_presets(project.config.voice.backend))
    except Exception:  # an unknown backend is reported when it is used
        return {}


def _check_voices(loaded: Loaded, presets: dict[str, Any]) -> None:
    if not presets:
        return
    for name, config in loaded.project.config.characters.items():
        setting = config.voice_setting
        if setting.preset and not setting.backend and setting.preset not in presets:
            raise loaded.project.error(
                f"unknown voice {setting.preset!r} for {name}",
                "characters",
                name,
                "voice",
                hint=f"{loaded.project.config.voice.backend} voices: {', '.join(presets)}",
            )


def referenced_files(film: Film, project: Project) -> list[Path]:
    """Every user file the build reads (reference images, source media, ComfyUI workflows)."""
    paths: list[Path] = []
    references = [c.references for c in project.config.characters.values()]
    references += [loc.references for loc in project.config.locations.values()]
    for refs in references:
        paths.extend(project.resolve(r) for r in refs)
    picked = [c.references for c in film.characters.values()]  # cast sheets too
    picked += [loc.references for loc in film.locations.values()]
    for files in picked:
        paths.extend(Path(r) for r in files)
    for shot in film.shots:
        if shot.directive and shot.directive.source:
            paths.append(project.resolve(shot.directive.source))
    paths.extend(engines.project_files(project))
    return list(dict.fromkeys(paths))


def slug(title: str) -> str:
    """The file name of a film's outputs (`build/<slug>.mp4`)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "film"


# 3. state


def state_for(
    loaded: Loaded,
    store: Store | None,
    *,
    takes_wanted: int = 1,
    path: tuple[str, ...] | None = None,
) -> State:
    """What planning needs to know besides the film: digests, takes, picks, voices."""
    from cinecode.departments.voice import cast

    digests: dict[str, str] = {}
    for file in referenced_files(loaded.film, loaded.project):
        digests[str(file)] = store.digest(file) if store else _digest(file)
    takes: dict[str, list[TakeInfo]] = {}
    if store is not None:
        for artifact in store.catalog.takes():
            takes.setdefault(artifact.shot, []).append(
                TakeInfo(
                    key=artifact.key,
                    seed=artifact.seed,
                    version=take_version(artifact.params, source_params(store, artifact)),
                    score=artifact.meta.get("score"),
                    job=job_of(artifact),
                )
            )
    voices = cast(loaded.film, loaded.project, _presets(loaded.project))
    picks = read_picks(loaded.project.picks_path)
    return State(
        digests=digests,
        takes=takes,
        picks=picks.shots,
        voices=voices,
        takes_wanted=takes_wanted,
        cut=read_cut(loaded.project.cut_path),
        path=path,
    )


def _digest(path: Path) -> str:
    from cinecode.graph.keys import file_digest

    return file_digest(path)


def source_params(store: Store, artifact: Artifact) -> Mapping[str, Any] | None:
    """What a clip take was made from (None for other takes), for its version."""
    if artifact.step != "clip":
        return None

    def params_of(key: str) -> Any:
        source = store.get(key)
        return source.params if source else None

    return clip_source(artifact.params, artifact.inputs, params_of)


def job_of(artifact: Artifact) -> Job:
    """The job that made a recorded artifact (to plan with it again)."""
    return Job(
        key=artifact.key,
        step=artifact.step,
        kind="generate" if artifact.kind == "generate" else "render",
        department=artifact.department,
        ext=artifact.ext,
        params=artifact.params,
        inputs=artifact.inputs,
        label=artifact.label,
        shot=artifact.shot,
        scene=artifact.scene,
        backend=artifact.backend,
        pool=artifact.backend or "cpu",
        estimate=Cost(artifact.est_money, artifact.est_gpu),
        take=artifact.take,
        seed=artifact.seed,
    )


# 5. run


def pools(project: Project) -> dict[str, int]:
    """Jobs at once per pool: the CPU's, piper's (two ONNX threads a job), one per ComfyUI
    server of the project, one diffusers pipeline, and `[services.NAME] concurrency` for
    each hosted service."""
    cpus = os.cpu_count() or 1
    out = {"cpu": cpus, "piper": max(1, cpus // 2), "sketch": cpus}
    for name, entry in BACKENDS.items():
        if entry.hosted:
            config = project.config.services.get(name)
            out[name] = config.concurrency if config else services.DEFAULT_CONCURRENCY
    out.update(diffusers=1, realesrgan=1)
    servers = engines.comfyui_servers(project)
    if servers:
        out["comfyui"] = len(servers)
    return out


class Session:
    """One project opened for work (see the module doc); close it, or use it in `with`."""

    def __init__(self, loaded: Loaded, store: Store | None) -> None:
        self.loaded = loaded
        self.store = store
        self._backends: Backends | None = None
        self._plan: Plan | None = None
        self._state: State | None = None
        self._shared: SharedLocation | None = None

    @classmethod
    def open(cls, path: Path, *, write: bool = False, cast: bool = True) -> Session:
        """Load the project; open its store (`write`: create it if missing; `cast=False`:
        without the picked cast sheets, see `load`)."""
        loaded = load(path, cast=cast)
        store_dir = loaded.project.store_dir
        exists = (store_dir / "catalog.sqlite").is_file()
        return cls(loaded, Store(store_dir) if write or exists else None)

    @property
    def project(self) -> Project:
        return self.loaded.project

    @property
    def film(self) -> Film:
        return self.loaded.film

    def require_store(self) -> Store:
        """The store, for commands that need a built project."""
        if self.store is None:
            from cinecode.errors import CinecodeError

            raise CinecodeError(
                "this film has never been built",
                hint=f"run `cinecode make {self.project.root}` first",
            )
        return self.store

    # 2. the project's files and lock

    def write_ids(self) -> None:
        """Write shots.lock when the breakdown gave new ids (commands that change the film)."""
        if self.loaded.lock_changed:
            write_atomic(self.project.ids_path, self.loaded.lock_text)

    @contextmanager
    def locked(
        self,
        *,
        wait: bool = True,
        on_wait: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[None]:
        """Hold the project lock (one build at a time): wait for another (until `cancel`),
        or BusyError."""
        with project_lock(self.project.store_dir, wait=wait, on_wait=on_wait, cancel=cancel):
            yield

    # 3-4. state and plan

    @property
    def plan(self) -> Plan:
        """The current plan (made on first use; `replan` makes it again)."""
        return self._plan if self._plan is not None else self.replan()

    @property
    def state(self) -> State:
        """What the current plan was made from."""
        if self._state is None:
            self.replan()
        assert self._state is not None
        return self._state

    def replan(self, *, takes_wanted: int = 1, path: tuple[str, ...] | None = None) -> Plan:
        """Plan the film again from what the store holds now (`path`: a branching film's
        options to take)."""
        self._state = state_for(self.loaded, self.store, takes_wanted=takes_wanted, path=path)
        self._plan = plan_film(self.film, self.project, self._state)
        return self._plan

    # 5. run

    def shared_store(self) -> SharedLocation | None:
        """The shared store of `[store] url`, checked on first use (reachable, credentials,
        bucket) so that a build stops before any job starts; None without one."""
        url = self.project.config.store.url
        if not url:
            return None
        if self._shared is None:
            location = open_location(url, base=self.project.root)
            location.check()
            self._shared = location
        return self._shared

    @property
    def backends(self) -> Backends:
        """The build's backends, with each hosted service's [services] settings and prices."""
        if self._backends is None:
            self._backends = Backends(services.backend_settings(self.project))
        return self._backends

    def run(
        self,
        graph: Graph,
        targets: list[str],
        *,
        reporter: Reporter,
        cancel: threading.Event | None = None,
        budget: Budget | None = None,
        workers: int | None = None,
        remake_lost: bool = False,
        offload: Offload | None = None,
    ) -> RunStats:
        """Run what the targets need and the store lacks (see `cinecode.graph.executor`;
        `offload`: the jobs it takes run there, a farm)."""
        from cinecode.departments.steps import STEPS

        return execute(
            graph,
            self.require_store(),
            steps=STEPS,
            backends=self.backends,
            reporter=reporter,
            targets=targets,
            workers=workers,
            pools=pools(self.project),
            cancel=cancel,
            budget=budget,
            remake_lost=remake_lost,
            shared=self.shared_store(),
            offload=offload,
        )

    def close(self) -> None:
        if self._backends is not None:
            self._backends.close()
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


__all__ = [
    "Loaded",
    "Session",
    "job_of",
    "load",
    "pools",
    "referenced_files",
    "slug",
    "source_params",
    "state_for",
    "with_cast",
]
