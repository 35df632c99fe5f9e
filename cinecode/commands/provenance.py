"""What `cinecode provenance` and `cinecode verify FILE` answer: where a film's pieces came
from (from the catalog), and what a file's content credentials say (from the file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.commands.report import planned
from cinecode.errors import ProjectError
from cinecode.pipeline.session import slug
from cinecode.provenance.chain import describe, ingredients, shot_chain, under
from cinecode.provenance.credentials import read


def provenance_report(project_path: Path, shot: str | None = None) -> dict[str, Any]:
    """The film's ingredients (models, seeds, prompts, cost, dates), or one shot's chain
    from its source to the master; and what the delivered master's credentials say."""
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
        if shot is None:
            report["ingredients"] = [describe(a) for a in found]
        else:
            report["shot"] = shot
            report["chain"] = [describe(a) for a in shot_chain(artifacts, master_key, shot)]
        return report
    finally:
        if store is not None:
            store.close()


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
    }


def verify_file_report(path: Path) -> dict[str, Any]:
    """What the C2PA manifest of `path` says and whether it validates."""
    return read(path).as_dict()
