"""Building a project: load, plan, execute, export. What `cinecode make` does."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.backends.protocols import Cost
from cinecode.errors import ScriptError
from cinecode.graph import fastpath
from cinecode.graph.catalog import Artifact
from cinecode.graph.executor import Budget, RunStats, execute
from cinecode.graph.job import Job
from cinecode.graph.reporter import Reporter
from cinecode.graph.store import Store
from cinecode.pipeline.plan import Plan, State, TakeInfo, clip_source, plan, take_version
from cinecode.project.config import Project, load_project
from cinecode.project.picks import read_picks
from cinecode.script.elements import Script
from cinecode.script.film import build_film, check_project, referenced_files
from cinecode.script.fountain import read_script
from cinecode.script.ids import IdLock, format_lock, read_lock
from cinecode.script.model import Film


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
    loaded = Loaded(project, script, film, lock, format_lock(lock))
    _check_voices(loaded, _presets(project))
    return loaded


def _presets(project: Project) -> dict[str, Any]:
    from cinecode.backends.registry import voice_presets

    try:
        return dict(voice_presets(project.config.voice.backend))
    except Exception:  # an unknown backend is reported when it is used
        return {}


def write_atomic(path: Path, text: str) -> None:
    staged = path.with_name(f".{path.name}.part")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "film"


def state_for(loaded: Loaded, store: Store | None, *, takes_wanted: int = 1) -> State:
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
    from cinecode.project.cut import read_cut

    return State(
        digests=digests,
        takes=takes,
        picks=picks.shots,
        voices=voices,
        takes_wanted=takes_wanted,
        cut=read_cut(loaded.project.cut_path),
    )


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
            **({"stems": {k: str(v) for k, v in self.outputs.items()}} if self.outputs else {}),
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
    from cinecode.departments import services
    from cinecode.departments.steps import STEPS
    from cinecode.graph.lock import project_lock

    started = time.monotonic()
    loaded = load(path)
    project = loaded.project
    store = Store(project.store_dir)
    backends = Backends(services.backend_settings(project))
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
                    targets=current.build_targets,
                    workers=workers,
                    pools=pools(project),
                    cancel=cancel,
                    budget=Budget(limit=limit, spent=total.cost.money),
                )
                total = _add(total, stats)
                scored = score_takes(store, loaded, current)
                if (
                    stats.interrupted
                    or stats.failed
                    or stats.skipped
                    or not (stats.generated or scored)
                ):
                    break
                # new takes may change which take is best: plan again, until nothing changes
                if _pictures(
                    plan(loaded.film, project, state_for(loaded, store, takes_wanted=takes))
                ) == _pictures(current):
                    break
            assert current is not None
            for note in current.notes:  # the editor's decisions that could not be kept
                reporter.warning(note)
            needed = len(current.graph.needed_for(current.build_targets))
            total.reused = needed - total.generated - total.rendered - total.failed - total.skipped
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
            outputs = export_stems(store, current, project)
            result = MakeResult(master_path, srt_path, total, current, outputs)
            fastpath.record(
                str(project.root),
                files=[str(project.script_path)]
                + [str(f) for f in referenced_files(loaded.film, project)],
                options={"takes": takes},
                result=result.as_dict(),
                outputs={
                    "master": str(master_path),
                    "srt": str(srt_path),
                    **{f"stems/{bus}": str(path) for bus, path in outputs.items()},
                },
                objects=[str(store.path(master)), str(store.path(srt))],
            )
            return result
    finally:
        backends.close()
        store.close()


def score_takes(store: Store, loaded: Loaded, current: Plan) -> int:
    """Score the takes of the film's shots that have no score yet; how many were scored."""
    from cinecode.departments.storyboard import shot_palette, shot_references
    from cinecode.pipeline.scoring import VERSION, Weights, score

    config = loaded.project.config.scoring
    weights = Weights(config.sharpness, config.stability, config.consistency)
    count = 0
    for artifact in store.catalog.takes():
        if artifact.meta.get("scored_with") == VERSION or artifact.shot not in current.shots:
            continue
        shot = current.shots[artifact.shot].shot
        scene = loaded.film.scene_of(shot.id)
        result = score(
            store.path(artifact),
            references=[Path(p) for p in shot_references(shot, scene, loaded.film)],
            palette=shot_palette(scene, loaded.film),
            model=config.model,
            weights=weights,
        )
        store.catalog.update_meta(artifact.key, result)
        count += 1
    return count


def export_stems(store: Store, current: Plan, project: Project) -> dict[str, Path]:
    """Bring the film's stems beside the master up to date: build/stems/dialogue.wav, …
    (patched in place: see cinecode.departments.stems)."""
    from cinecode.departments.stems import SceneStems, deliver

    scenes = []
    for key in current.stems:
        artifact = store.get(key)
        assert artifact is not None, key
        scenes.append(SceneStems.read(key, store.path(artifact)))
    folder = project.build_dir / "stems"
    paths = deliver(folder, scenes, rate=project.config.format.sample_rate)
    return {bus: path.resolve() for bus, path in paths.items()}


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
        over_budget_money=a.over_budget_money + b.over_budget_money,
        budget_limit=b.budget_limit if b.budget_limit is not None else a.budget_limit,
    )


def pools(project: Project) -> dict[str, int]:
    cpus = os.cpu_count() or 1
    # piper runs two ONNX threads per job
    from cinecode.departments import engines, services

    return {
        "cpu": cpus,
        "piper": max(1, cpus // 2),
        "sketch": cpus,
        **services.pools(project),
        **engines.pools(project),
    }
