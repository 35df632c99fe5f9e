"""Building a project: what `cinecode make` does.

```
1. open the project (its session: load, store, backends, pools) and take the project lock;
   check the shared store, if film.toml names one
2. plan and run until the pictures settle (new takes are scored; the best may change a pick)
3. export the master (signed: content credentials), the subtitles and the stems to build/,
   and stamp the no-op fast path
```
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.graph import fastpath
from cinecode.graph.catalog import Artifact
from cinecode.graph.executor import Budget, Offload, RunStats
from cinecode.graph.reporter import Reporter
from cinecode.graph.store import Store
from cinecode.pipeline.farm import address_of, open_farm
from cinecode.pipeline.plan import Plan
from cinecode.pipeline.scoring import score_takes
from cinecode.pipeline.session import Session, referenced_files, slug
from cinecode.project.config import Project
from cinecode.provenance.identity import CERT_ENV, KEY_ENV, Identity


@dataclass
class MakeResult:
    master: Path
    subtitles: Path
    stats: RunStats
    plan: Plan
    outputs: dict[str, Path] = field(default_factory=dict)
    placed: list[Path] = field(default_factory=list)  # outputs brought up to date without a job

    def as_dict(self) -> dict[str, Any]:
        return {
            "master": str(self.master),
            "subtitles": str(self.subtitles),
            **({"stems": {k: str(v) for k, v in self.outputs.items()}} if self.outputs else {}),
            **(_path(self.plan) if self.plan.walk is not None else {}),
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
    remake_lost: bool = False,
    choices: tuple[str, ...] | None = None,
    farm: str | None = None,
) -> MakeResult:
    """Build the film: generate and render what is missing, export the master and SRT
    (`remake_lost`: pay again for paid generations whose files the store lost; `choices`: a
    branching film's options to take, every default when None: its every scene is built;
    `farm`: a Ray cluster's address, else film.toml's `[farm] address`, to run the jobs on)."""
    started = time.monotonic()
    # 1. the project, locked
    with (
        Session.open(path, write=True) as session,
        session.locked(wait=wait, on_wait=on_wait or reporter.info, cancel=cancel),
    ):
        project, store = session.project, session.require_store()
        for warning in session.loaded.warnings:  # the screenplay's, before any work
            reporter.warning(warning)
        store.clean_tmp()
        session.shared_store()  # a shared store is checked before any job starts
        session.write_ids()
        limit = budget if budget is not None else project.config.budget.limit
        address = address_of(project, farm)
        with ExitStack() as stack:
            offload = None
            if address:  # connected and checked before anything starts
                offload = open_farm(project, address)
                stack.callback(offload.close)
                workers = workers or offload.slots + (os.cpu_count() or 1)
            current, total = _settle(
                session,
                reporter=reporter,
                takes=takes,
                budget=Budget(limit=limit),
                workers=workers,
                cancel=cancel,
                remake_lost=remake_lost,
                choices=choices,
                offload=offload,
            )
        for note in current.notes:  # the editor's decisions that could not be kept
            reporter.warning(note)
        needed = len(current.graph.needed_for(current.build_targets))
        total.reused = needed - total.generated - total.rendered - total.failed - total.skipped
        total.seconds = time.monotonic() - started
        if total.interrupted:
            raise KeyboardInterrupt
        if total.failed or total.skipped:
            return MakeResult(Path(), Path(), total, current)
        # 3. the outputs in build/, and the stamp of the no-op fast path
        master = store.get(current.targets["master"])
        srt = store.get(current.targets["srt"])
        assert master is not None and srt is not None
        name = slug(session.film.title)
        if choices and current.walk is not None:  # another path: another file beside the default's
            name += f"-path-{current.walk.name}"
        srt_dest = project.build_dir / f"{name}.srt"
        placed = [] if store.holds(srt, srt_dest) else [srt_dest]
        srt_path = store.export(srt, srt_dest).resolve()
        outputs, sign_them = export_stems(store, current, project)
        if signing(project) and not sign_them:
            reporter.warning(unsigned_stems(outputs))
        # the master is delivered (a copy, its tags, c2pa's native signing: the GIL let go) while
        # this thread signs the stems: the tail of a changing make is the longer of the two
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="deliver") as pool:
            delivery = pool.submit(
                deliver,
                store,
                master,
                project.build_dir / f"{name}.mp4",
                project,
                session.film.title,
                reporter,
            )
            if sign_them:
                sign_stems(store, master, current, project, session.film.title, outputs)
            master_path, written = delivery.result()
        placed = [master_path] * written + placed
        result = MakeResult(master_path, srt_path, total, current, outputs, placed)
        fastpath.record(
            str(project.root),
            files=[str(project.script_path)]
            + [str(f) for f in referenced_files(session.film, project)],
            options={"takes": takes, **({"path": list(choices)} if choices else {})},
            result=result.as_dict(),
            outputs={
                "master": str(master_path),
                "srt": str(srt_path),
                **{f"stems/{bus}": str(path) for bus, path in outputs.items()},
            },
            objects=[str(store.path(master)), str(store.path(srt))],
        )
        return result


def installed(module: str) -> bool:
    """Whether an optional package can be imported (found, not imported)."""
    import importlib.util

    return importlib.util.find_spec(module) is not None


def deliver(
    store: Store, master: Artifact, dest: Path, project: Project, title: str, reporter: Reporter
) -> tuple[Path, bool]:
    """The master in build/: signed with content credentials unless `[provenance] sign =
    false` (or c2pa-python is missing: a warning says so, and the master goes unsigned);
    whether it was written now."""
    settings = project.config.provenance
    if settings.sign and not installed("c2pa"):
        reporter.warning(
            f"{dest.name} is not signed: content credentials need c2pa-python (install "
            "cinecode's provenance extra), or set sign = false under provenance in film.toml"
        )
    elif settings.sign:
        from cinecode.provenance.delivery import deliver_master

        identity = signer(project)
        done = deliver_master(
            store, master, dest, title=title, identity=identity, prompts=settings.prompts
        )
        if done.changed and done.development:
            reporter.info(
                f"content credentials: {dest.name} signed by the development identity "
                f"(not trusted); set {CERT_ENV} and {KEY_ENV} (or film.toml's provenance "
                "cert and key) to sign as yourself"
            )
        return dest.resolve(), done.changed
    written = not store.holds(master, dest)
    return store.export(master, dest).resolve(), written


def signing(project: Project) -> bool:
    """Whether build/'s media are signed: `[provenance] sign` and c2pa-python installed."""
    return project.config.provenance.sign and installed("c2pa")


def signer(project: Project) -> Identity:
    """Who signs this project's media (see cinecode.provenance.identity)."""
    from cinecode.provenance.identity import resolve

    settings = project.config.provenance
    return resolve(
        cert=project.resolve(settings.cert) if settings.cert else None,
        key=project.resolve(settings.key) if settings.key else None,
    )


def sign_stems(
    store: Store,
    master: Artifact,
    current: Plan,
    project: Project,
    title: str,
    outputs: dict[str, Path],
) -> list[Path]:
    """Sign each stem in place (a `C2PA` chunk after its samples) with the voices, cues or
    effects heard in it as ingredients; the stems signed now (none when nothing changed)."""
    from cinecode.provenance.chain import film_source_type, ingredients, under
    from cinecode.provenance.credentials import roomy_heap
    from cinecode.provenance.exports import pieces, sign_export, stem_pieces

    identity = signer(project)
    film_type = film_source_type(ingredients(under(store.catalog, master.key)))
    found = pieces(store, current.stems)

    signed = []
    with roomy_heap():  # one after another, in this thread: see roomy_heap
        for bus, path in outputs.items():
            if sign_export(
                store,
                path,
                title=f"{title} ({bus} stem)",
                film=title,
                film_type=film_type,
                found=stem_pieces(found, bus, store),
                contains={"stem": bus, "scene_stems": list(current.stems)},
                identity=identity,
                prompts=project.config.provenance.prompts,
            ):
                signed.append(path)
    return signed


def sign_media(
    store: Store,
    project: Project,
    staged: Path,
    dest: Path,
    *,
    title: str,
    film: str,
    found: list[Artifact],
    contains: dict[str, Any],
    master: str | None = None,
    film_type: str | None = None,
    keep: bool = False,
) -> bool:
    """Sign a freshly written export (a storyboard PDF, a contact sheet) from `staged` into
    `dest`, with `found` as its ingredients; the film's digital source type from `master`'s
    (else from `found`). False when `dest` already held this very signed export. `keep`:
    `staged` is a store object, left where it is. `film_type`: that source type, when the
    caller signing many files has it already (`film_type_of`)."""
    from cinecode.provenance.exports import sign_written

    return sign_written(
        store,
        staged,
        dest,
        title=title,
        film=film,
        film_type=film_type or film_type_of(store, master, found),
        found=found,
        contains=contains,
        identity=signer(project),
        prompts=project.config.provenance.prompts,
        keep=keep,
    )


def film_type_of(store: Store, master: str | None, found: list[Artifact]) -> str:
    """The film's digital source type: from everything under `master`, else from `found`."""
    from cinecode.provenance.chain import film_source_type, ingredients, under

    top = store.get(master) if master else None
    return film_source_type(ingredients(under(store.catalog, top.key)) if top else found)


def export_stems(store: Store, current: Plan, project: Project) -> tuple[dict[str, Path], bool]:
    """Bring the film's stems beside the master up to date: build/stems/dialogue.wav, …
    (patched in place: see cinecode.departments.stems); whether they are to be signed (not
    when `sign = false`, nor when they are too long for c2pa to sign: see WAV_LIMIT)."""
    from cinecode.departments.stems import SceneStems, deliver, stem_bytes
    from cinecode.provenance.inplace import wav_signable

    scenes = []
    for key in current.stems:
        artifact = store.get(key)
        assert artifact is not None, key
        scenes.append(SceneStems.read(key, store.path(artifact)))
    signed = signing(project) and wav_signable(stem_bytes(scenes))
    folder = project.build_dir / "stems"
    paths = deliver(folder, scenes, rate=project.config.format.sample_rate, signed=signed)
    return {bus: path.resolve() for bus, path in paths.items()}, signed


def unsigned_stems(outputs: dict[str, Path]) -> str:
    """Why a long film's stems are not signed, and what is."""
    from cinecode.provenance.inplace import WAV_LIMIT

    size = max((path.stat().st_size for path in outputs.values()), default=0)
    return (
        f"build/stems/ is not signed: each stem is {size / 2**30:.1f} GiB, and c2pa-python "
        f"holds a WAV whole in memory to sign it (cinecode signs none over "
        f"{WAV_LIMIT / 2**30:.0f} GiB; c2pa cannot sign one over 2 GiB). The master is signed, "
        "with the voices, music and effects among its reels' ingredients"
    )


def _settle(
    session: Session,
    *,
    reporter: Reporter,
    takes: int,
    budget: Budget,
    workers: int | None,
    cancel: threading.Event | None,
    remake_lost: bool,
    choices: tuple[str, ...] | None,
    offload: Offload | None,
) -> tuple[Plan, RunStats]:
    """Plan and run until the pictures settle: new takes are scored, and the best may change
    a pick, which plans again (three rounds at most)."""
    store = session.require_store()
    total = RunStats()
    current = None
    for _ in range(3):
        current = session.replan(takes_wanted=takes, path=choices)
        known = store.catalog.take_count()
        stats = session.run(
            current.graph,
            current.build_targets,
            reporter=reporter,
            workers=workers,
            cancel=cancel,
            budget=Budget(limit=budget.limit, spent=total.cost.money),
            remake_lost=remake_lost,
            offload=offload,
        )
        total = _add(total, stats)
        scored = score_takes(store, session.loaded, current)
        if stats.interrupted or stats.failed or stats.skipped or not (stats.generated or scored):
            break
        if not scored and store.catalog.take_count() == known:
            break  # no new take, no new score: planning again would give the same pictures
        # new takes may change which take is best: plan again, until nothing changes
        if _pictures(session.replan(takes_wanted=takes, path=choices)) == _pictures(current):
            break
    assert current is not None
    return current, total


def _path(plan: Plan) -> dict[str, Any]:
    """What `make --json` says of a branching film's master: the path it plays."""
    assert plan.walk is not None
    return {
        "path": {
            "scenes": list(plan.walk.scenes),
            "choices": [p + 1 for p in plan.walk.picks],
            "ending": plan.walk.ending,
        },
        "reels": len(plan.reels),
    }


def _pictures(p: Plan) -> dict[str, str]:
    return {shot_id: sp.picture for shot_id, sp in p.shots.items()}


def _add(a: RunStats, b: RunStats) -> RunStats:
    return RunStats(
        generated=a.generated + b.generated,
        rendered=a.rendered + b.rendered,
        reused=b.reused,
        fetched=a.fetched + b.fetched,
        failed=a.failed + b.failed,
        skipped=a.skipped + b.skipped,
        cost=a.cost + b.cost,
        failures=a.failures + b.failures,
        over_budget=a.over_budget + b.over_budget,
        interrupted=a.interrupted or b.interrupted,
        over_budget_money=a.over_budget_money + b.over_budget_money,
        budget_limit=b.budget_limit if b.budget_limit is not None else a.budget_limit,
    )
