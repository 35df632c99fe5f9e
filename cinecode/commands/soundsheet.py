"""The sound sheet: what the film sounds like, scene by scene — `cinecode sound`.

For each scene: the score's mood (and whether the screenplay said it or it was read from the
scene), the cue as composed (style, key, tempo, bars), how it meets the next scene, the
ambience, and each spot effect with its time. Times and cue details need a build; before one,
the sheet shows what is planned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.departments import music, sfx
from cinecode.departments.mix import SCENE_STEMS, spot_time
from cinecode.departments.mood import scene_mood
from cinecode.departments.timing import scene_time
from cinecode.pipeline.session import Session


def sound_sheet(project_path: Path) -> dict[str, Any]:
    """The sound of every scene and card, in film order (see the module doc)."""
    with Session.open(project_path) as session:
        film, project, store = session.film, session.project, session.store
        p = session.plan

        def meta(key: str | None) -> dict[str, Any] | None:
            if key is None or store is None:
                return None
            found = store.get(key)
            return dict(found.meta) if found is not None else None

        scenes = {scene.id: scene for scene in film.scenes}
        cues = {job.scene: job for job in p.graph if job.step == music.CUE.name}
        rows: list[dict[str, Any]] = []
        clock = 0.0
        timed = True
        for job in (j for j in p.graph if j.step == SCENE_STEMS.name):
            built = meta(job.key)
            cue = cues.get(job.scene)
            cue_meta = meta(cue.key) if cue else None
            row: dict[str, Any] = {
                "scene": job.scene,
                "heading": scenes[job.scene].heading if job.scene in scenes else job.scene,
                "start": round(clock, 2) if built and timed else None,
                "duration": round(float(built["duration"]), 2) if built else None,
                "enter": job.params["enter"],
                "leave": job.params["leave"],
                "score": None,
                "ambience": None,
                "effects": [],
            }
            if cue is not None:
                row["score"] = {
                    "mood": cue.params["mood"],
                    "words": cue.params["prompt"],
                    "ending": cue.params["ending"],
                    "tail": cue.params["tail"],
                    **(
                        {k: cue_meta[k] for k in ("style", "key", "tempo", "bars") if k in cue_meta}
                        if cue_meta
                        else {}
                    ),
                }
            scene = scenes.get(job.scene)
            if scene is not None:
                mood = scene_mood(scene)
                if row["score"] is not None:
                    row["score"]["source"] = mood.source
                if job.params["bed"] is not None:
                    bed = sfx.scene_bed(scene, film)
                    row["ambience"] = {"description": bed.description, "source": bed.source}
                timeline = _timeline(job, built, meta)
                for spot, placed in zip(sfx.scene_spots(scene), job.params["spots"], strict=False):
                    at = spot_time(placed, timeline) if timeline else None
                    row["effects"].append(
                        {
                            "at": round(at, 2) if at is not None else None,
                            "description": spot.description,
                            "source": spot.source,
                        }
                    )
            rows.append(row)
            if built:
                clock += float(built["duration"])
            else:
                timed = False
        mix = project.config.mix
        return {
            "title": film.title,
            "loudness": {"target": mix.target_lufs, "true_peak": mix.ceiling},
            "scenes": rows,
        }


def _timeline(job: Any, built: dict[str, Any] | None, meta: Any) -> Any:
    if not built:
        return None
    voices = job.inputs[: len(job.params["lines"])]
    metas = [meta(key) for key in voices]
    if any(m is None for m in metas):
        return None
    p = job.params
    durations = [float(m["duration"]) for m in metas]
    return scene_time(p["clock"], durations, fps=p["fps"], quantum=p["quantum"], rate=p["rate"])
