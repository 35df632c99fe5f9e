"""`cinecode publish`: every release of a project as a static web site (HLS and a player).

The releases come from the project's manifests (`cinecode.project.releases`); their media
from the store, where releases keep them pinned. The site is written by `cinecode.publish`.

A branching film is published as its story: every scene's reel (`make` builds them all), the
story graph and the player that lets the spectator choose (`cinecode.publish.branching`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.commands.releases import diff_releases
from cinecode.errors import PublishError
from cinecode.pipeline.build import signer, signing
from cinecode.pipeline.session import Session
from cinecode.project.releases import Media, load_releases
from cinecode.publish.branching import write_story_site
from cinecode.publish.credentials import Signing, StorySigner, who
from cinecode.publish.feed import disclosure_of
from cinecode.publish.site import publish_site
from cinecode.script.branching import Story, story_of


def default_out(project: Path) -> Path:
    """Where a site goes when no --out is given: build/site (out of git, like build/)."""
    return project / "build" / "site"


def publish(project_path: Path, out: Path | None = None) -> dict[str, Any]:
    """Publish every release of the project into `out`; what was added, as data."""
    with Session.open(project_path) as session:
        root = session.project.root
        story = story_of(session.film)
        if story is not None:
            return _publish_story(session, story, (out or default_out(root)).resolve())
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
            releases,
            resolve,
            target,
            diff=lambda old, new: diff_releases(root, old, new),
            signing=_signing(session),
        ).as_json()


def _signing(session: Session) -> Signing | None:
    """How the segments are signed: `[provenance] sign` (and c2pa-python installed), by the
    project's identity; None publishes them without content credentials."""
    project = session.project
    if not signing(project):
        return None
    store = session.require_store()
    return Signing(
        identity=signer(project),
        catalog=store.catalog,
        path=store.path,
        prompts=project.config.provenance.prompts,
    )


def _publish_story(session: Session, story: Story, out: Path) -> dict[str, Any]:
    """A branching film's site: every scene's reel from the store, the story, the player."""
    store = session.require_store()
    plan = session.plan
    reels: dict[str, Path] = {}
    keys: dict[str, str] = {}
    for key in plan.reels:
        job, artifact = plan.graph.jobs[key], store.get(key)
        if job.scene and artifact is not None:
            reels[job.scene] = store.path(artifact)
            keys[job.scene] = key
    missing = [scene.id for scene in story.scenes if scene.id not in reels]
    if missing:
        raise PublishError(
            f"the reels of scene(s) {', '.join(missing)} are not built",
            hint="run `cinecode make` first: it builds every scene of a branching film",
        )
    credits = _credits(session)
    title = session.project.config.title or session.project.root.name
    how = _signing(session)
    scenes_signer = StorySigner.of(how, title, keys) if how else None
    site = write_story_site(
        out,
        story=story.as_json(),
        scenes={scene.id: reels[scene.id] for scene in story.scenes},
        title=title,
        credits=credits,
        disclosure=disclosure_of(credits),
        signer=scenes_signer,
    )
    return {
        "out": str(out),
        "index": str(site.index),
        "versions": [],
        "new": [],
        "story": True,
        "scenes": len(story.scenes),
        "files_added": len(site.added),
        "bytes_added": site.bytes_added,
        "total_bytes": sum(path.stat().st_size for path in site.files),
        "signed": sum(1 for path in site.added if path.parent.name == "c"),
        "signer": who(how.identity) if how else "",
        "development": bool(how and how.identity.development),
    }


def _credits(session: Session) -> list[str]:
    """The end credits' lines (`Heading: name, name`), from the built credits card."""
    store = session.require_store()
    for job in session.plan.graph:
        if job.step == "card" and job.scene == "credits":
            artifact = store.get(job.key)
            from cinecode.departments.titles import credit_lines

            return credit_lines(artifact.meta.get("credits", []) if artifact else [])
    return []
