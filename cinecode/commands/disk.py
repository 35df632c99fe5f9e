"""What a project's store holds on disk, and the clean-up that gives space back.

Every artifact the catalog records falls in one class, from what the current plan needs and
what the director decided (picks.toml):

=============  ===============================================================================
in the cut     what the current plan needs to make the film: takes, renders, the master
released       an object a release names (releases/<version>.toml), not in the cut
picked         a take named by a pick or a lock, not in the cut (a shot since cut, say), or
               a picked cast sheet (its views, the shots' references, count as in the cut)
paid           a take that cost money or GPU time, neither in the cut nor picked
old take       any other generation (free: the offline engines)
old master     a master of an earlier cut
old render     any other render (segments, stems, mixes, reels of earlier cuts)
=============  ===============================================================================

`gc` removes old renders and, beyond the newest `keep_masters`, old masters; takes only when
told (`keep_takes`: "all" keeps every take, "picked" keeps the cut's and the picked ones,
"none" only the cut's), and what a kept take was made from stays with it. What a release
names is never removed, whatever the flags. Then object
files no row names (an interrupted clean-up's) and scratch folders. It holds the project lock
like `make`, and removes catalog rows before their files (`Store.forget`), so a kill at any
moment leaves a store that verifies and a project that builds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cinecode.graph.catalog import Artifact
from cinecode.graph.store import Store
from cinecode.project.releases import load_releases, pinned_objects

if TYPE_CHECKING:
    from cinecode.pipeline.session import Session

KeepTakes = Literal["all", "picked", "none"]
CLASSES = ("in the cut", "released", "picked", "paid", "old take", "old master", "old render")
REMOVABLE: dict[KeepTakes, tuple[str, ...]] = {
    "all": ("old master", "old render"),
    "picked": ("old master", "old render", "old take", "paid"),
    "none": ("old master", "old render", "old take", "paid", "picked"),
}


@dataclass(frozen=True)
class Holding:
    """One artifact, its class, and the bytes of its object (counted once per object)."""

    artifact: Artifact
    kind: str
    size: int  # 0 when another artifact already counts the same object


def classify(
    artifacts: Iterable[Artifact],
    needed: set[str],
    picked: tuple[str, ...],
    released: AbstractSet[str] = frozenset(),
) -> list[Holding]:
    """Each artifact's class (`needed`: the keys the current plan needs; `picked`: take ids,
    key prefixes, of picks and locks; `released`: the objects releases name), the most
    precious first."""
    order = {kind: index for index, kind in enumerate(CLASSES)}
    rows = sorted(
        ((_kind(a, needed, picked, released), a) for a in artifacts),
        key=lambda item: (order[item[0]], -item[1].created),
    )
    counted: set[tuple[str, str]] = set()
    out: list[Holding] = []
    for kind, artifact in rows:
        found = (artifact.object, artifact.ext)
        out.append(Holding(artifact, kind, 0 if found in counted else artifact.size))
        counted.add(found)
    return out


def _kind(
    artifact: Artifact, needed: set[str], picked: tuple[str, ...], released: AbstractSet[str]
) -> str:
    if artifact.key in needed:
        return "in the cut"
    if artifact.object in released:
        return "released"
    if artifact.kind == "generate":
        if picked and artifact.key.startswith(picked):
            return "picked"
        return "paid" if artifact.cost_money > 0 or artifact.cost_gpu > 0 else "old take"
    return "old master" if artifact.step == "master" else "old render"


def removable(
    holdings: list[Holding], *, keep_takes: KeepTakes, keep_masters: int
) -> list[Holding]:
    """What gc removes: the classes `keep_takes` allows, but the newest `keep_masters` masters
    (the cut's own counts among them) and whatever a kept take was made from."""
    masters = sorted(  # the cut's first, then the newest
        (h for h in holdings if h.artifact.step == "master"),
        key=lambda h: (h.kind != "in the cut", -h.artifact.created),
    )
    kept_masters = {h.artifact.key for h in masters[: max(keep_masters, 0)]}
    going = {
        h.artifact.key
        for h in holdings
        if h.kind in REMOVABLE[keep_takes] and h.artifact.key not in kept_masters
    }
    by_key = {h.artifact.key: h.artifact for h in holdings}
    stack = [
        h.artifact
        for h in holdings
        if h.artifact.kind == "generate" and h.artifact.key not in going
    ]
    while stack:  # a kept take keeps what it was made from (a kept clip, its keyframe)
        for key in stack.pop().inputs:
            if key in going:
                going.discard(key)
                stack.append(by_key[key])
    return [h for h in holdings if h.artifact.key in going]


def _picked(session: Session) -> tuple[str, ...]:
    from cinecode.commands.cast import kept

    shots = tuple(
        choice.pick
        for choice in session.state.picks.values()
        if choice.pick  # a lock without a pick holds whatever the cut has, counted there
    )
    return shots + kept(session)[0]  # and the picked cast sheets


def _released(session: Session) -> set[str]:
    return pinned_objects(session.project.root)


def _needed(session: Session) -> set[str]:
    plan = session.plan
    from cinecode.commands.cast import kept

    needed = {job.key for job in plan.graph.needed_for(list(plan.targets.values()))}
    return needed | kept(session)[1]  # the picked cast sheets' views: the shots' references


def _sizes(holdings: Iterable[Holding]) -> dict[str, int]:
    out: defaultdict[str, int] = defaultdict(int)
    for h in holdings:
        out[h.kind] += h.size
    return {kind: out.get(kind, 0) for kind in CLASSES}


def _tree(path: Path, *, skip: Mapping[int, int] | None = None) -> tuple[int, int]:
    """(bytes, files) under `path`; files whose inode is in `skip` (objects hard-linked
    there) are not counted again."""
    total = count = 0
    if not path.exists():
        return 0, 0
    for item in path.rglob("*"):
        try:
            st = item.lstat()
        except OSError:
            continue
        if item.is_file() and not item.is_symlink():
            count += 1
            if skip is None or st.st_ino not in skip:
                total += st.st_size
    return total, count


def usage_report(project_path: Path) -> dict[str, Any]:
    """`cinecode du`: bytes by class, by department and by step; the build folder, scratch,
    orphans; and what `gc` with its defaults would free."""
    from cinecode.pipeline.session import Session

    with Session.open(project_path) as session:
        store = session.store
        if store is None:
            return _empty_usage(session.project.build_dir)
        released = _released(session)
        holdings = classify(store.catalog.all(), _needed(session), _picked(session), released)
        usage = _usage(store, holdings, session.project.build_dir, released)
        usage["released"]["releases"] = len(load_releases(session.project.root))
        return usage


def _empty_usage(build: Path) -> dict[str, Any]:
    size, files = _tree(build)
    return {
        "store": 0,
        "objects": 0,
        "by_class": _sizes([]),
        "by_department": {},
        "by_step": {},
        "build": {"bytes": size, "files": files},
        "scratch": 0,
        "orphans": {"bytes": 0, "files": 0},
        "gc_frees": 0,
        "gc_removes": 0,
        "released": {"releases": 0, "bytes": 0, "only_released": 0},
    }


def _usage(
    store: Store, holdings: list[Holding], build: Path, released: AbstractSet[str]
) -> dict[str, Any]:
    files = store.files()
    named = {(h.artifact.object, h.artifact.ext) for h in holdings}
    orphans = [st.st_size for found, st in files.items() if found not in named]
    inodes = {st.st_ino: st.st_size for st in files.values()}
    build_bytes, build_files = _tree(build, skip=inodes)
    by_department: defaultdict[str, int] = defaultdict(int)
    by_step: defaultdict[str, int] = defaultdict(int)
    for h in holdings:
        by_department[h.artifact.department or "-"] += h.size
        by_step[h.artifact.step] += h.size
    going = removable(holdings, keep_takes="all", keep_masters=3)
    scratch = _tree(store.tmp)[0]
    return {
        "store": sum(st.st_size for st in files.values()),
        "objects": len(files),
        "by_class": _sizes(holdings),
        "by_department": dict(sorted(by_department.items(), key=lambda kv: -kv[1])),
        "by_step": dict(sorted(by_step.items(), key=lambda kv: -kv[1])),
        "build": {"bytes": build_bytes, "files": build_files},
        "scratch": scratch,
        "orphans": {"bytes": sum(orphans), "files": len(orphans)},
        "gc_frees": sum(h.size for h in going) + sum(orphans) + scratch,
        "gc_removes": len(going),
        "released": {  # every object a release names; those kept for releases alone
            "releases": 0,
            "bytes": sum(st.st_size for (digest, _), st in files.items() if digest in released),
            "only_released": _sizes(holdings)["released"],
        },
    }


def collect(
    project_path: Path,
    *,
    dry_run: bool = False,
    keep_takes: KeepTakes = "all",
    keep_masters: int = 3,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """`cinecode gc`: remove what `removable` allows (nothing with `dry_run`); the report
    lists what goes, its bytes, and the money and GPU time of the takes among it."""
    from cinecode.pipeline.session import Session

    with Session.open(project_path) as session:
        store = session.store
        if store is None:
            return {"dry_run": dry_run, "removed": 0, "freed": 0, "items": [], "paid": _paid([])}
        with session.locked(wait=wait, on_wait=on_wait):
            # 1. what the cut needs, the releases name and the director picked, from the files
            holdings = classify(
                store.catalog.all(), _needed(session), _picked(session), _released(session)
            )
            # 2. what may go
            going = removable(holdings, keep_takes=keep_takes, keep_masters=keep_masters)
            report: dict[str, Any] = {
                "dry_run": dry_run,
                "keep_takes": keep_takes,
                "keep_masters": keep_masters,
                "removed": len(going),
                "items": [_item(h) for h in going],
                "by_class": _sizes(going),
                "paid": _paid(going),
            }
            if dry_run:
                report["freed"] = sum(h.size for h in going)
                return report
            # 3. rows, then their files; then orphans and scratch
            freed = store.forget(h.artifact for h in going)
            freed += store.collect_orphans()
            scratch = _tree(store.tmp)[0]
            store.clean_tmp()
            report["freed"] = freed + scratch
            return report


def _item(h: Holding) -> dict[str, Any]:
    a = h.artifact
    return {
        "key": a.key[:8],
        "class": h.kind,
        "step": a.step,
        "label": a.label,
        "bytes": h.size,
        "money": a.cost_money,
        "gpu_seconds": a.cost_gpu,
    }


def _paid(going: list[Holding]) -> dict[str, Any]:
    paid = [h.artifact for h in going if h.artifact.cost_money > 0 or h.artifact.cost_gpu > 0]
    return {
        "takes": len(paid),
        "money": round(sum(a.cost_money for a in paid), 6),
        "gpu_seconds": round(sum(a.cost_gpu for a in paid), 3),
    }


def verify_report(project_path: Path, *, repair: bool = False) -> dict[str, Any]:
    """`cinecode verify`: every object re-hashed; catalog rows whose object is missing or
    corrupt (with what they cost), and object files no row names. `repair` deletes the
    corrupt files, so that `make` treats them as missing: it renders them again, and names
    the paid takes among them rather than pay for them twice."""
    from cinecode.pipeline.session import Session

    with Session.open(project_path) as session:
        store = session.store
        if store is None:
            return {
                "objects": 0,
                "bytes": 0,
                "missing": [],
                "corrupt": [],
                "orphans": 0,
                "released_missing": [],
                "ok": True,
            }
        artifacts = store.catalog.all()
        states: dict[tuple[str, str], str] = {}
        for a in artifacts:
            found = (a.object, a.ext)
            if found not in states:
                states[found] = store.check(a.object, a.ext, a.size)
        files = store.files()
        named = {(a.object, a.ext) for a in artifacts}
        problems: dict[str, list[dict[str, Any]]] = {"missing": [], "corrupt": []}
        for a in artifacts:
            state = states[(a.object, a.ext)]
            if state != "ok":
                problems[state].append(
                    {
                        "key": a.key[:8],
                        "step": a.step,
                        "label": a.label,
                        "kind": a.kind,
                        "money": a.cost_money,
                        "gpu_seconds": a.cost_gpu,
                    }
                )
        lost = _released_missing(session, store, states, files)
        if repair:
            with session.locked(wait=True):
                for (digest, ext), state in states.items():
                    if state == "corrupt":
                        store.discard(digest, ext)
        return {
            "repaired": repair and bool(problems["corrupt"]),
            "objects": len(states),
            "bytes": sum(st.st_size for st in files.values()),
            **problems,
            "orphans": sum(1 for found in files if found not in named),
            "released_missing": lost,
            "ok": not problems["missing"] and not problems["corrupt"] and not lost,
        }


def _released_missing(
    session: Session,
    store: Store,
    states: Mapping[tuple[str, str], str],
    files: Mapping[tuple[str, str], Any],
) -> list[dict[str, Any]]:
    """The objects a release names that the store no longer holds whole: that release can
    no longer be published or restored as it was."""
    out: list[dict[str, Any]] = []
    for release in load_releases(session.project.root):
        for what, media in release.named_media():
            found = (media.object, media.ext)
            state = states.get(found, "ok" if found in files else "missing")
            if state != "ok":
                out.append(
                    {
                        "release": release.version,
                        "what": what,
                        "key": media.key[:8],
                        "object": media.object[:8],
                        "state": state,
                    }
                )
    return out
