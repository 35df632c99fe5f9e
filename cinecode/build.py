"""Building a project: load, plan, execute, export. What `cinecode make` does."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.errors import ScriptError
from cinecode.graph.executor import Budget, RunStats, execute
from cinecode.graph.reporter import Reporter
from cinecode.graph.store import Store
from cinecode.model import Film
from cinecode.plan import Plan, State, TakeInfo, plan, take_version
from cinecode.project import Project, load_project
from cinecode.script.elements import Script
from cinecode.script.film import build_film, check_project, referenced_files
from cinecode.script.fountain import read_script
from cinecode.script.ids import IdLock, format_lock, read_lock


@dataclass(frozen=True)
class Loaded:
    """A project read from disk: config, screenplay, film model and its id lock."""

    project: Project
    script: Script
    film: Film
    lock: IdLock
    lock_text: str

    @property
    def lock_changed(self) -> bool:
        path = self.project.ids_path
        return not path.is_file() or path.read_text(encoding="utf-8") != self.lock_text


def load(path: Path) -> Loaded:
    """Read and check a project; raises ProjectError/ScriptError with file:line."""
    project = load_project(path)
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
    check_project(film, project, script)
    return Loaded(project, script, film, lock, format_lock(lock))


def write_atomic(path: Path, text: str) -> None:
    staged = path.with_name(f".{path.name}.part")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "film"


def state_for(loaded: Loaded, store: Store | None, *, takes_wanted: int = 1) -> State:
    """What planning needs to know besides the film: digests, takes, picks, voices."""
    from cinecode.backends.registry import voice_presets
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
                    version=take_version(artifact.params),
                    score=artifact.meta.get("score"),
                )
            )
    try:
        presets = voice_presets(loaded.project.config.voice.backend)
    except Exception:  # an unknown backend is reported when it is used
        presets = {}
    voices = cast(loaded.film, loaded.project, presets)
    _check_voices(loaded, presets)
    return State(digests=digests, takes=takes, voices=voices, takes_wanted=takes_wanted)


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


def _digest(path: Path) -> str:
    from cinecode.graph.keys import file_digest

    return file_digest(path)


@dataclass
class MakeResult:
    master: Path
    subtitles: Path
    stats: RunStats
    plan: Plan
    outputs: dict[str, Path] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "master": str(self.master),
            "subtitles": str(self.subtitles),
            **self.stats.as_dict(),
        }


def make(
    path: Path,
    *,
    reporter: Reporter,
    takes: int = 1,
    budget: float | None = None,
    wait: bool = True,
    cancel: threading.Event | None = None,
    workers: int | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> MakeResult:
    """Build the film: generate and render what is missing, export the master and SRT."""
    from cinecode.backends.registry import Backends
    from cinecode.departments.steps import STEPS
    from cinecode.graph.lock import project_lock

    started = time.monotonic()
    loaded = load(path)
    project = loaded.project
    store = Store(project.store_dir)
    backends = Backends()
    try:
        with project_lock(project.store_dir, wait=wait, on_wait=on_wait or reporter.info):
            store.clean_tmp()
            if loaded.lock_changed:
                write_atomic(project.ids_path, loaded.lock_text)
            limit = budget if budget is not None else project.config.budget.limit
            total = RunStats()
            current = None
            for _ in range(3):
                state = state_for(loaded, store, takes_wanted=takes)
                current = plan(loaded.film, project, state)
                stats = execute(
                    current.graph,
                    store,
                    steps=STEPS,
                    backends=backends,
                    reporter=reporter,
                    targets=list(current.targets.values()),
                    workers=workers,
                    pools=_pools(project),
                    cancel=cancel,
                    budget=Budget(limit=limit, spent=total.cost.money),
                )
                total = _add(total, stats)
                if stats.interrupted or stats.failed or stats.skipped or not stats.generated:
                    break
                # new takes may change which take is best: plan again, until nothing changes
                if _pictures(
                    plan(loaded.film, project, state_for(loaded, store, takes_wanted=takes))
                ) == _pictures(current):
                    break
            assert current is not None
            total.reused = (
                len(current.graph.needed_for(list(current.targets.values())))
                - total.generated
                - total.rendered
                - total.failed
                - total.skipped
            )
            total.seconds = time.monotonic() - started
            if total.interrupted:
                raise KeyboardInterrupt
            if total.failed or total.skipped:
                return MakeResult(Path(), Path(), total, current)
            master = store.get(current.targets["master"])
            srt = store.get(current.targets["srt"])
            assert master is not None and srt is not None
            name = slug(loaded.film.title)
            master_path = store.export(master, project.build_dir / f"{name}.mp4").resolve()
            srt_path = store.export(srt, project.build_dir / f"{name}.srt").resolve()
            return MakeResult(master_path, srt_path, total, current)
    finally:
        backends.close()
        store.close()


def _pictures(p: Plan) -> dict[str, str]:
    return {shot_id: sp.picture for shot_id, sp in p.shots.items()}


def _add(a: RunStats, b: RunStats) -> RunStats:
    return RunStats(
        generated=a.generated + b.generated,
        rendered=a.rendered + b.rendered,
        reused=b.reused,
        failed=a.failed + b.failed,
        skipped=a.skipped + b.skipped,
        cost=a.cost + b.cost,
        failures=a.failures + b.failures,
        over_budget=a.over_budget + b.over_budget,
        interrupted=a.interrupted or b.interrupted,
    )


def _pools(project: Project) -> dict[str, int]:
    cpus = os.cpu_count() or 1
    # piper runs two ONNX threads per job
    from cinecode.engines import pools

    return {"cpu": cpus, "piper": max(1, cpus // 2), "sketch": cpus, **pools(project)}
