"""The director's loop: make new takes of a shot, compare them, pick, reject, lock.

Takes are generations recorded with their shot (`take=True` jobs). Choices go to
`picks.toml`; the store keeps every take, rejected ones too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cinecode.errors import CinecodeError, ProjectError
from cinecode.graph.catalog import Artifact
from cinecode.graph.executor import RunStats
from cinecode.graph.keys import short
from cinecode.graph.reporter import Reporter
from cinecode.pipeline.plan import chain_version, plan_takes, suggested, take_version
from cinecode.pipeline.scoring import score_takes
from cinecode.pipeline.session import Session, source_params
from cinecode.project.config import load_project
from cinecode.project.files import write_atomic
from cinecode.project.picks import TAKE_ID, Picks, format_picks, read_picks
from cinecode.script.model import Shot

VIDEO_EXTS = ("mp4", "mov", "webm", "mkv")


@dataclass(frozen=True)
class TakeRow:
    """One take as `cinecode takes` lists it."""

    number: int
    id: str
    key: str
    seed: int | None
    backend: str
    model: str
    prompt: str
    cost: float
    score: float | None
    scores: dict[str, float]
    picked: bool  # the director picked it
    in_cut: bool  # the take the film uses now (picked, or the shot's first take)
    current: bool  # made from the shot as it is now (False: an older or other version)
    rejected: bool
    created: float
    thumbnail: str
    video: bool = False  # a clip (else a still)
    suggested: bool = False  # the best-scored take of the shot as it is now: a proposal
    drawn: dict[str, Any] | None = None  # what a drawing backend reports it drew (the sketch)
    consistency_by: str = ""  # how scores["consistency"] was made: "clip" or "colour"

    @property
    def consistency(self) -> str:
        """The likeness to the references and how it was measured ("0.81 clip"), or ""."""
        value = self.scores.get("consistency")
        return f"{value:.2f} {self.consistency_by or 'colour'}" if value is not None else ""

    @property
    def drew(self) -> str:
        """What the take shows, in a few words: scenery, props, weather, staging."""
        if not self.drawn:
            return ""
        d = self.drawn
        stage = d.get("staging") or {}
        parts = [
            ", ".join([*d.get("scenery", []), *d.get("props", [])][:6]),
            ", ".join(f["name"] for f in d.get("figures", [])),
            str(d.get("weather", "")),
            f"camera {stage.get('height', 'eye')}, lens ×{stage.get('lens', 1.0)}" if stage else "",
        ]
        return " · ".join(part for part in parts if part)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items()}


def open_session(project: Path, *, write: bool = True) -> Session:
    """The project's session; `write`: the command changes the film (shots.lock is kept)."""
    session = Session.open(project, write=write)
    if write:
        session.write_ids()
    return session


def find_shot(session: Session, shot_id: str) -> Shot:
    if shot_id in session.plan.shots:
        return session.plan.shots[shot_id].shot
    known = list(session.plan.shots)
    close = [s for s in known if s.split(".")[0] == shot_id.split(".")[0]][:8]
    raise ProjectError(
        f"there is no shot {shot_id}",
        file=str(session.loaded.project.script_path),
        hint=f"shots of that scene: {', '.join(close)}" if close else "see `cinecode plan`",
    )


def _version(session: Session, shot: Shot) -> str:
    scene = session.loaded.film.scene_of(shot.id)
    from cinecode.departments.storyboard import base_seed

    seed = base_seed(shot, session.loaded.project)
    chain = plan_takes(
        shot, scene, session.loaded.film, session.loaded.project, session.state, seeds=[seed]
    )
    return chain_version(chain[0])


def _thumbnail(session: Session, artifact: Artifact) -> str:
    folder = session.loaded.project.build_dir / "takes" / artifact.shot
    target = folder / f"{short(artifact.key)}.png"
    if target.is_file():
        return str(target.resolve())
    folder.mkdir(parents=True, exist_ok=True)
    image = still(session.require_store().path(artifact))
    image.thumbnail((320, 320))
    staged = target.with_name(f".{target.name}.part")
    image.save(staged, format="PNG")
    staged.replace(target)
    return str(target.resolve())


def still(path: Path) -> Any:
    """An image of a take: the image itself, or a clip's middle frame."""
    from PIL import Image

    try:
        return Image.open(path).convert("RGB")
    except Exception:
        import av

        with av.open(str(path)) as container:  # count the packets, then decode to the middle
            count = sum(1 for packet in container.demux(video=0) if packet.size)
        with av.open(str(path)) as container:
            last = None
            for index, frame in enumerate(container.decode(video=0)):
                last = frame
                if index >= count // 2:
                    break
            if last is None:
                raise
            return Image.fromarray(last.to_ndarray(format="rgb24"))


def list_takes(project: Path, shot_id: str, *, show_rejected: bool = False) -> list[TakeRow]:
    """Every take of a shot, oldest first (rejected ones only when asked)."""
    with open_session(project, write=False) as session:
        return list_rows(session, find_shot(session, shot_id), show_rejected=show_rejected)


def list_rows(
    session: Session, shot: Shot, *, show_rejected: bool = False, thumbnails: bool = True
) -> list[TakeRow]:
    """The takes of `shot` in an open session (`thumbnails`: write build/takes/ PNGs)."""
    store = session.store
    if store is None:  # never built: no takes yet
        return []
    choice = read_picks(session.loaded.project.picks_path).get(shot.id)
    version = _version(session, shot)
    in_cut = session.plan.shots[shot.id].picture
    proposed = suggested(session.state.takes.get(shot.id, []), version)
    rows = []
    for number, artifact in enumerate(store.catalog.takes(shot.id), start=1):
        rejected = choice.rejects(artifact.key)
        if rejected and not show_rejected:
            continue
        rows.append(
            TakeRow(
                number=number,
                id=artifact.key[:TAKE_ID],
                key=artifact.key,
                seed=artifact.seed,
                backend=artifact.backend,
                model=artifact.model,
                prompt=artifact.prompt,
                cost=artifact.cost_money,
                score=artifact.meta.get("score"),
                scores=dict(artifact.meta.get("scores", {})),
                picked=bool(choice.pick) and artifact.key.startswith(choice.pick),
                in_cut=artifact.key == in_cut,
                current=take_version(artifact.params, source_params(store, artifact)) == version,
                rejected=rejected,
                created=artifact.created,
                thumbnail=_thumbnail(session, artifact) if thumbnails else "",
                video=artifact.ext.lower() in VIDEO_EXTS,
                suggested=artifact.key == proposed and not rejected,
                drawn=artifact.meta.get("drawn"),
                consistency_by=str(artifact.meta.get("consistency_by", "")),
            )
        )
    return rows


def resolve_take(session: Session, shot: Shot, reference: str) -> Artifact:
    """The take `reference` names (its number, or its id) among the shot's takes."""
    return _resolve(session, shot, reference)


def _resolve(session: Session, shot: Shot, reference: str) -> Artifact:
    takes = session.require_store().catalog.takes(shot.id)
    reference = reference.strip().lstrip("#")
    if reference.isdigit() and len(reference) < 4:
        index = int(reference)
        if 1 <= index <= len(takes):
            return takes[index - 1]
    matches = [t for t in takes if len(reference) >= 4 and t.key.startswith(reference.lower())]
    if len(matches) == 1:
        return matches[0]
    raise ProjectError(
        f"shot {shot.id} has no take {reference!r}"
        if not matches
        else f"{reference!r} is ambiguous",
        file=str(session.loaded.project.picks_path),
        hint=f"see `cinecode takes {session.loaded.project.root} {shot.id}`: "
        "give a take's number or its id",
    )


def _save(session: Session, picks: Picks) -> None:
    session.write_ids()  # the ids picks.toml names stay the ids the next make gives
    order = list(session.plan.shots)
    write_atomic(session.loaded.project.picks_path, format_picks(picks, order))


def pick(project: Path, shot_id: str, take: str) -> Chosen:
    """Put a take in the cut (un-rejecting it if it was rejected)."""
    with open_session(project) as session:
        return choose(session, shot_id, take)


def reject(project: Path, shot_id: str, take: str, *, rejected: bool = True) -> str:
    """Hide a take from lists and from the cut (it stays in the store), or un-reject it;
    returns its id."""
    with open_session(project) as session:
        return hide(session, shot_id, take, rejected=rejected)


def lock(project: Path, shot_id: str, *, locked: bool = True) -> str:
    """Lock (or unlock) a shot: a locked shot keeps its take whatever changes upstream."""
    with open_session(project) as session:
        return hold(session, shot_id, locked=locked)


# The same three in a session already open (the Studio keeps one: no replanning per click).


@dataclass(frozen=True)
class Chosen:
    """A take put in the cut; `unrejected`: it had been rejected, and no longer is."""

    key: str
    unrejected: bool = False

    @property
    def id(self) -> str:
        return self.key[:TAKE_ID]


def choose(session: Session, shot_id: str, take: str) -> Chosen:
    """`pick` in an open session. Picking a rejected take un-rejects it (and says so)."""
    shot = find_shot(session, shot_id)
    artifact = _resolve(session, shot, take)
    picks = read_picks(session.loaded.project.picks_path)
    was_rejected = picks.get(shot.id).rejects(artifact.key)
    updated = picks.pick(shot.id, artifact.key, seed=artifact.seed, version=_version(session, shot))
    _save(session, updated)
    return Chosen(artifact.key, unrejected=was_rejected)


def hide(session: Session, shot_id: str, take: str, *, rejected: bool = True) -> str:
    """`reject` in an open session (`rejected=False`: un-reject); returns the take's id."""
    shot = find_shot(session, shot_id)
    artifact = _resolve(session, shot, take)
    picks = read_picks(session.loaded.project.picks_path)
    if rejected:
        _save(session, picks.reject(shot.id, artifact.key))
    elif picks.get(shot.id).rejects(artifact.key):
        _save(session, picks.unreject(shot.id, artifact.key))
    else:
        raise CinecodeError(
            f"take {artifact.key[:TAKE_ID]} of shot {shot.id} is not rejected",
            hint=f"see `cinecode takes {session.loaded.project.root} {shot.id} --rejected`",
        )
    return artifact.key[:TAKE_ID]


def hold(session: Session, shot_id: str, *, locked: bool = True) -> str:
    """`lock` in an open session; returns the shot's id."""
    shot = find_shot(session, shot_id)
    picks = read_picks(session.loaded.project.picks_path)
    choice = picks.get(shot.id)
    if locked and not choice.pick:
        # lock the take the cut uses now, so it cannot drift
        in_cut = session.plan.shots[shot.id].picture
        artifact = session.require_store().get(in_cut)
        if artifact is not None and artifact.take:
            picks = picks.pick(shot.id, in_cut, seed=artifact.seed, version=_version(session, shot))
    _save(session, picks.lock(shot.id, locked))
    return shot.id


def regen(
    project: Path,
    shot_id: str,
    *,
    takes: int = 1,
    prompt: str | None = None,
    seed: int | None = None,
    reporter: Reporter,
    cancel: threading.Event | None = None,
) -> tuple[list[tuple[int, str]], RunStats]:
    """Make new takes of one shot (fresh seeds, or from `seed`); returns (number, id) of
    each take made, numbered as `cinecode takes` numbers them."""
    with open_session(project) as session:
        store = session.require_store()
        shot = find_shot(session, shot_id)
        choice = read_picks(session.loaded.project.picks_path).get(shot.id)
        if choice.locked:
            raise CinecodeError(
                f"shot {shot.id} is locked",
                hint=f"unlock it first: cinecode lock {project} {shot.id} --off",
            )
        existing = store.catalog.takes(shot.id)
        if seed is None:
            used = [t.seed for t in existing if t.seed is not None]
            from cinecode.departments.storyboard import base_seed

            start = max([*used, base_seed(shot, session.loaded.project) - 1]) + 1
        else:
            start = seed
        seeds = list(range(start, start + takes))
        scene = session.loaded.film.scene_of(shot.id)
        chains = plan_takes(
            shot,
            scene,
            session.loaded.film,
            session.loaded.project,
            session.state,
            seeds=seeds,
            prompt=prompt,
        )
        for chain in chains:
            for job in chain:
                session.plan.graph.add(job)
        jobs = [chain[-1] for chain in chains]
        with session.locked(on_wait=reporter.info, cancel=cancel):
            stats = session.run(
                session.plan.graph,
                [job.key for job in jobs],
                reporter=reporter,
                cancel=cancel,
            )
            score_takes(store, session.loaded, session.plan)
        if stats.interrupted:
            raise KeyboardInterrupt
        # one numbering everywhere: a take's number is its place in `cinecode takes`
        numbers = {a.key: n for n, a in enumerate(store.catalog.takes(shot.id), start=1)}
        made = sorted((numbers[job.key], job.key[:TAKE_ID]) for job in jobs if job.key in numbers)
        return made, stats


def contact_sheet(project: Path, shot_id: str) -> Path:
    """A contact sheet of every take of a shot: build/contact/<shot>.png."""
    from PIL import Image, ImageDraw

    from cinecode.media.fonts import font

    rows = list_takes(project, shot_id)
    if not rows:
        raise CinecodeError(
            f"shot {shot_id} has no takes yet", hint=f"run `cinecode make {project}` first"
        )
    root = load_project(project).build_dir
    columns = min(4, len(rows))
    cell_w, cell_h, label_h, pad = 320, 180, 54, 12
    lines = (len(rows) + columns - 1) // columns
    sheet = Image.new(
        "RGB",
        (pad + columns * (cell_w + pad), pad + 40 + lines * (cell_h + label_h + pad)),
        "#16181c",
    )
    draw = ImageDraw.Draw(sheet)
    draw.text(
        (pad, pad),
        f"Shot {shot_id}: {len(rows)} takes",
        fill="#e8e4da",
        font=font(22, weight="bold"),
    )
    small = font(14)
    for index, row in enumerate(rows):
        x = pad + (index % columns) * (cell_w + pad)
        y = pad + 40 + (index // columns) * (cell_h + label_h + pad)
        with Image.open(row.thumbnail) as thumb:
            image = thumb.convert("RGB")
        image.thumbnail((cell_w, cell_h))
        sheet.paste(image, (x, y))
        if row.in_cut:
            draw.rectangle(
                (x - 3, y - 3, x + cell_w + 2, y + cell_h + 2), outline="#f2c14e", width=3
            )
        score = f"{row.score:.2f}" if row.score is not None else "–"
        mark = "IN THE CUT" if row.in_cut else ("older version" if not row.current else "")
        draw.text(
            (x, y + cell_h + 6),
            f"#{row.number}  {row.id}  seed {row.seed}",
            fill="#e8e4da",
            font=small,
        )
        draw.text((x, y + cell_h + 26), f"score {score}  {mark}", fill="#b9b2a3", font=small)
    target = root / "contact" / f"{shot_id}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.stem}.unsigned{target.suffix}")
    sheet.save(staged, format="PNG")
    _sign_sheet(project, shot_id, rows, staged, target)
    return target.resolve()


def _sign_sheet(project: Path, shot_id: str, rows: list[TakeRow], staged: Path, dest: Path) -> None:
    """Put the contact sheet in place, signed (its takes as ingredients) unless `[provenance]
    sign = false`; a sheet the same as the one signed before keeps its bytes."""
    from cinecode.pipeline.build import sign_media, signing

    with open_session(project, write=False) as session:
        store = session.store
        if store is None or not signing(session.project):
            staged.replace(dest)
            return
        found = [a for a in (store.get(row.key) for row in rows) if a is not None]
        sign_media(
            store,
            session.project,
            staged,
            dest,
            title=f"{session.film.title}: takes of shot {shot_id}",
            film=session.film.title,
            found=found,
            contains={"contact_sheet": shot_id, "takes": [row.key for row in rows]},
            master=session.plan.targets.get("master"),
        )
