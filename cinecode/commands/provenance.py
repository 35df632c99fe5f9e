"""What `cinecode provenance` and `cinecode verify FILE` answer: where a film's pieces came
from (from the catalog), and what a file's content credentials say (from the file)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from cinecode.commands.report import planned
from cinecode.errors import ProjectError
from cinecode.graph.catalog import Artifact
from cinecode.graph.store import Store
from cinecode.pipeline.session import slug
from cinecode.project.config import Project
from cinecode.provenance.chain import describe, ingredients, shot_chain, under
from cinecode.provenance.credentials import read, read_joined, sidecar_of
from cinecode.provenance.delivery import take_credentials
from cinecode.provenance.identity import resolve


def provenance_report(
    project_path: Path, shot: str | None = None, *, export: Path | None = None
) -> dict[str, Any]:
    """The film's ingredients (models, seeds, prompts, cost, dates), or one shot's chain
    from its source to the master; and what the delivered master's credentials say.
    `export`: copy the generated keyframes and clips listed into that folder, each with its
    own signed manifest beside it (`<name>.c2pa`)."""
    loaded, p, _, store = planned(project_path)
    try:
        master_key = p.targets["master"]
        built = store.catalog.get(master_key) if store is not None else None
        if store is None or built is None:
            raise ProjectError(
                "the film's master is not built yet, so nothing has a provenance to show",
                file=str(loaded.project.file),
                hint=f"run `cinecode make {project_path}` first",
            )
        if shot is not None and shot not in p.shots:
            raise ProjectError(
                f"no shot {shot} in this film",
                file=str(loaded.project.script_path),
                hint=f"its shots: {', '.join(p.shots)}",
            )
        artifacts = under(store.catalog, master_key)
        found = ingredients(artifacts)
        delivered = loaded.project.build_dir / f"{slug(p.film.title)}.mp4"
        report: dict[str, Any] = {
            "title": p.film.title,
            "master": {**describe(built), "path": str(delivered.resolve())},
            "credentials": _credentials(delivered),
            "cost": {
                "money": round(sum(a.cost_money for a in artifacts.values()), 6),
                "gpu_seconds": round(sum(a.cost_gpu for a in artifacts.values()), 3),
            },
        }
        listed = found if shot is None else shot_chain(artifacts, master_key, shot)
        rows = [describe(a) for a in listed]
        if shot is None:
            report["ingredients"] = rows
        else:
            report["shot"] = shot
            report["chain"] = rows
        if export is not None:
            report["exported"] = _export(store, loaded.project, listed, export)
        return report
    finally:
        if store is not None:
            store.close()


def _export(
    store: Store, project: Project, listed: list[Artifact], folder: Path
) -> list[dict[str, str]]:
    """Each generated keyframe and clip of `listed` in `folder`, its manifest beside it."""
    settings = project.config.provenance
    identity = resolve(
        cert=project.resolve(settings.cert) if settings.cert else None,
        key=project.resolve(settings.key) if settings.key else None,
    )
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for artifact in listed:
        sidecar = take_credentials(store, artifact, identity=identity, prompts=settings.prompts)
        if sidecar is None:
            continue
        name = re.sub(r"[^A-Za-z0-9.]+", "-", artifact.label).strip("-")
        target = folder / f"{name}.{artifact.ext}"
        shutil.copyfile(store.path(artifact), target)
        shutil.copyfile(sidecar, sidecar_of(target))
        done.append({"file": str(target), "credentials": str(sidecar_of(target))})
    return done


def _credentials(path: Path) -> dict[str, Any]:
    """A short word on the delivered file's credentials (or why there are none)."""
    if not path.is_file():
        return {"state": "none", "note": "not delivered yet"}
    from cinecode.errors import ProvenanceError

    try:
        found = read(path)
    except ProvenanceError as exc:
        return {"state": "none", "note": str(exc)}
    return {
        "state": found.state,
        "signer": found.signer,
        "untrusted": found.untrusted,
        "source_type": found.source_type,
        "ingredients": len(found.ingredients),
        "within": found.contained,
    }


def verify_file_report(path: Path, *, fragment: Path | None = None) -> dict[str, Any]:
    """What the C2PA manifest of `path` says and whether it validates; with a `fragment`
    (a published segment), of `path` (its init) and the fragment joined, as a player joins
    them."""
    if fragment is None:
        return read(path).as_dict()
    return read_joined(path, fragment).as_dict()
