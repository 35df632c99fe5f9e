"""What `plan` and `status` report: built from the plan and the store, printed or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.departments.lipsync import nothing_to_sync
from cinecode.departments.timing import layout
from cinecode.graph.job import Job
from cinecode.graph.store import Store
from cinecode.pipeline.plan import Plan, timing_spec
from cinecode.pipeline.session import Loaded, Session, slug
from cinecode.provenance.delivery import delivered


def planned(project_path: Path) -> tuple[Loaded, Plan, set[str], Store | None]:
    """The project planned from what its store holds (a store is never created here), and
    the keys of the jobs it needs that are already built. Close the store when done."""
    session = Session.open(project_path)
    p = session.plan
    store = session.store
    needed = p.graph.needed_for(list(p.targets.values()))
    cached = store.available(job.key for job in needed) if store else set()
    return session.loaded, p, cached, store


def durations(p: Plan, store: Store | None) -> dict[str, tuple[float, bool]]:
    """Each shot's duration: real (its voices exist) or estimated."""
    voice_keys = [k for sp in p.shots.values() for k in sp.voices]
    metas = {k: a.meta for k, a in store.catalog.get_many(voice_keys).items()} if store else {}
    out: dict[str, tuple[float, bool]] = {}
    for shot_id, sp in p.shots.items():
        if all(k in metas for k in sp.voices):
            seconds = layout(
                timing_spec(sp.shot), [float(metas[k]["duration"]) for k in sp.voices]
            ).seconds
            out[shot_id] = (round(seconds, 2), True)
        else:
            out[shot_id] = (sp.shot.estimated_duration, False)
    return out


def plan_report(project_path: Path, *, explain: bool = False) -> dict[str, Any]:
    """Scenes, shots, jobs pending/cached and the estimated cost (as `plan --json` prints);
    with `explain`, why each pending job would run."""
    loaded, p, cached, store = planned(project_path)
    try:
        lengths = durations(p, store)
        needed = p.graph.needed_for(list(p.targets.values()))
        pending = {job.key for job in needed if job.key not in cached}
        by_department: dict[str, dict[str, int]] = {}
        shot_costs = _shot_estimates(needed, pending)
        for job in needed:
            entry = by_department.setdefault(job.department, {"pending": 0, "cached": 0})
            entry["pending" if job.key in pending else "cached"] += 1
        scenes = [
            {
                "id": scene.id,
                "heading": scene.heading,
                "line": scene.line,
                "mood": scene.mood,
                "shots": [
                    {
                        "id": shot.id,
                        "kind": shot.kind,
                        "size": shot.size,
                        "move": shot.move,
                        "duration": lengths[shot.id][0],
                        "duration_is_estimate": not lengths[shot.id][1],
                        "characters": list(shot.characters),
                        "speaker": shot.speaker,
                        "line": shot.line,
                        "take": p.shots[shot.id].picture[:8],
                        "take_reason": p.shots[shot.id].reason,
                        "estimated_cost": shot_costs.get(
                            shot.id, {"money": 0.0, "gpu_seconds": 0.0}
                        ),
                    }
                    for shot in scene.shots
                ],
            }
            for scene in p.film.scenes
        ]
        reasons: list[dict[str, str]] = []
        if explain:
            from cinecode.graph.explain import explain_all

            pending_jobs = [job for job in needed if job.key in pending]
            if store is None:
                reasons = [{"job": job.label, "why": "new"} for job in pending_jobs]
            else:
                reasons = [
                    {"job": label, "why": why}
                    for label, why in explain_all(pending_jobs, p.graph, store.catalog)
                ]
        warnings = list(loaded.warnings)
        lips = lipsync_summary(p)
        if lips is not None and not lips["synced"]:
            warnings.append(lips["nothing"])
        return {
            "title": p.film.title,
            "explain": reasons,
            **({"lipsync": lips} if lips is not None else {}),
            "scenes": scenes,
            "shots": len(p.shots),
            "duration": round(sum(d for d, _ in lengths.values()), 2),
            "jobs": {
                "pending": len(pending),
                "cached": len(needed) - len(pending),
                "total": len(needed),
                "departments": by_department,
            },
            "estimated_cost": {**p.estimate(pending), "currency": loaded.project.prices.currency},
            "warnings": [*warnings, *_unsent_references(needed)],
        }
    finally:
        if store:
            store.close()


def _unsent_references(needed: list[Job]) -> list[str]:
    """Which engines leave the shots' reference images out of their requests, and the fix."""
    from cinecode.departments.references import unsent_report

    keyframes = [job for job in needed if job.step == "keyframe"]
    return unsent_report(
        [
            (
                job.shot or "",
                str(job.params.get("backend", "")),
                str(job.params.get("model", "")),
                job.params.get("backend_params") or {},
                len(job.params.get("references") or []),
            )
            for job in keyframes
        ]
    )


def lipsync_summary(p: Plan) -> dict[str, Any] | None:
    """With [lipsync]: the shots synced, and why each other dialogue shot is not (None
    without [lipsync])."""
    if not p.lipsync:
        return None
    synced = [sid for sid, sp in p.shots.items() if sp.synced]
    not_synced = {
        sid: sp.lipsync
        for sid, sp in p.shots.items()
        if not sp.synced and sp.shot.lines and sp.lipsync
    }
    nothing = nothing_to_sync(p.lipsync, [r for r in not_synced.values()])
    return {"backend": p.lipsync, "synced": synced, "not_synced": not_synced, "nothing": nothing}


def _shot_estimates(needed: list[Job], pending: set[str]) -> dict[str, dict[str, float]]:
    """Estimated cost of each shot's pending generations (takes, clips, voices)."""
    out: dict[str, dict[str, float]] = {}
    for job in needed:
        if job.shot and job.key in pending and (job.estimate.money or job.estimate.gpu_seconds):
            entry = out.setdefault(job.shot, {"money": 0.0, "gpu_seconds": 0.0})
            entry["money"] = round(entry["money"] + job.estimate.money, 6)
            entry["gpu_seconds"] = round(entry["gpu_seconds"] + job.estimate.gpu_seconds, 3)
    return out


def status_report(project_path: Path) -> dict[str, Any]:
    """What is built and current, what is stale, and where the outputs are."""
    loaded, p, cached, store = planned(project_path)
    try:
        needed = p.graph.needed_for(list(p.targets.values()))
        pending = [job for job in needed if job.key not in cached]
        stale_shots = sorted({job.shot for job in pending if job.shot}, key=_shot_order(p))
        name = slug(p.film.title)
        outputs: dict[str, Any] = {}
        for target, suffix in (("master", "mp4"), ("srt", "srt")):
            path = (loaded.project.build_dir / f"{name}.{suffix}").resolve()
            artifact = store.get(p.targets[target]) if store is not None else None
            # a copied project's outputs are copies of the store's objects: still current
            current = (
                artifact is not None
                and store is not None
                and (store.holds(artifact, path) or delivered(store, artifact, path))
            )
            outputs[target] = {"path": str(path), "exists": path.is_file(), "current": current}
        departments: dict[str, int] = {}
        for job in pending:
            departments[job.department] = departments.get(job.department, 0) + 1
        return {
            "title": p.film.title,
            "up_to_date": not pending and all(o["current"] for o in outputs.values()),
            "outputs": outputs,
            "jobs": {"pending": len(pending), "cached": len(needed) - len(pending)},
            "pending": departments,
            "stale_shots": stale_shots,
            "store": str(loaded.project.store_dir),
        }
    finally:
        if store:
            store.close()


def _shot_order(p: Plan) -> Any:
    order = {shot_id: i for i, shot_id in enumerate(p.shots)}
    return lambda s: order.get(s, 1 << 30)
