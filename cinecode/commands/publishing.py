"""`cinecode publish`: every release of a project as a static web site (HLS and a player).

The releases come from the project's manifests (`cinecode.project.releases`); their media
from the store, where releases keep them pinned. The site is written by `cinecode.publish`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.commands.releases import diff_releases
from cinecode.errors import PublishError
from cinecode.pipeline.session import Session
from cinecode.project.releases import Media, load_releases
from cinecode.publish.site import publish_site


def default_out(project: Path) -> Path:
    """Where a site goes when no --out is given: build/site (out of git, like build/)."""
    return project / "build" / "site"


def publish(project_path: Path, out: Path | None = None) -> dict[str, Any]:
    """Publish every release of the project into `out`; what was added, as data."""
    with Session.open(project_path) as session:
        root = session.project.root
        releases = load_releases(root)
        store = session.require_store()

        def resolve(media: Media) -> Path:
            artifact = store.get(media.key)
            if artifact is None or artifact.object != media.object:
                raise PublishError(
                    f"the store no longer has {media.key[:12]} ({media.ext}) of a release",
                    hint="run `cinecode verify` to see what is missing",
                )
            return store.path(artifact)

        target = (out or default_out(root)).resolve()
        return publish_site(
            releases, resolve, target, diff=lambda old, new: diff_releases(root, old, new)
        ).as_json()
