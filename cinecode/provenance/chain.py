"""What went into an artifact, read from the catalog: every artifact under the master, the
generated ones and the user's own among them (the ingredients), and one shot's chain
(source → keyframe → clip → segment → reel → master, with its voices and mix).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from cinecode.backends.registry import BACKENDS, CAMERA_MOVES
from cinecode.graph.catalog import Artifact, Catalog

USER_STEPS = frozenset({"source"})  # the user's own photos and clips, imported as they are
#: engines that draw or synthesize by rule, with no learned model (as the end credits judge)
PROCEDURAL = frozenset({n for n, entry in BACKENDS.items() if entry.procedural} | CAMERA_MOVES)
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED = IPTC + "trainedAlgorithmicMedia"
ALGORITHMIC = IPTC + "algorithmicMedia"
COMPOSITE_TRAINED = IPTC + "compositeWithTrainedAlgorithmicMedia"
COMPOSITE = IPTC + "composite"
#: the steps that carry a shot to the master
CARRIERS = frozenset({"finish", "scene-stems", "scene-mix", "reel-sound", "reel", "master"})
#: characters of an assertion's ingredient list: c2pa refuses a manifest whose JSON is over
#: about 1 MB ("StringTooLong": 600 KB signed, 1.1 MB refused), as a feature's full list is
LISTING_BUDGET = 600_000
#: what a brief listing keeps of each ingredient (not its prompt, key, cost or date)
BRIEF = ("step", "label", "origin", "backend", "model", "seed", "object")


def under(catalog: Catalog, key: str) -> dict[str, Artifact]:
    """Every artifact `key` was made from, itself included (the catalog's, by key)."""
    found: dict[str, Artifact] = {}
    wanted = {key}
    while wanted:
        got = catalog.get_many(wanted)
        found.update(got)
        wanted = {i for a in got.values() for i in a.inputs} - found.keys()
    return found


def is_ingredient(artifact: Artifact) -> bool:
    """A generated take, voice, cue or effect, or the user's own media."""
    return artifact.kind == "generate" or artifact.step in USER_STEPS


def ingredients(artifacts: dict[str, Artifact]) -> list[Artifact]:
    """The ingredients among `artifacts`, in a stable order (scene, shot, step, label)."""
    found = [a for a in artifacts.values() if is_ingredient(a)]
    return sorted(found, key=lambda a: (_natural(a.scene), _natural(a.shot), a.step, a.label))


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """ "1.10" after "1.9": numbers by value, words by spelling."""
    import re

    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def source_type(artifact: Artifact) -> str:
    """An ingredient's IPTC digital source type: a learned model's, a procedural engine's;
    "" for the user's own (cinecode cannot say how it was made)."""
    if artifact.step in USER_STEPS:
        return ""
    return ALGORITHMIC if artifact.backend in PROCEDURAL else TRAINED


def film_source_type(found: list[Artifact]) -> str:
    """The digital source type of what is made of `found`: trained-algorithmic when every
    piece came from a learned model, a composite with trained-algorithmic media when some did."""
    kinds = {source_type(a) for a in found}
    if TRAINED in kinds:
        return TRAINED if kinds == {TRAINED} else COMPOSITE_TRAINED
    return ALGORITHMIC if kinds == {ALGORITHMIC} else COMPOSITE


def shot_chain(artifacts: dict[str, Artifact], top: str, shot: str) -> list[Artifact]:
    """One shot's artifacts (source, keyframe, clip, voice, segment, what they were made
    from) and what carries them to `top`: its scene's mix and reel, the master. Sources
    first."""
    own = {k for k, a in artifacts.items() if a.shot == shot}
    own |= {i for k in own for i in _below(artifacts, k)}
    scenes = {artifacts[k].scene for k in own if artifacts[k].shot == shot}
    chain, frontier = set(own), set(own)
    while frontier:  # up through the steps that carry a shot to the master, in its scene
        frontier = {
            k
            for k, a in artifacts.items()
            if k not in chain
            and a.step in CARRIERS
            and a.scene in scenes | {""}
            and frontier & set(a.inputs)
        }
        chain |= frontier
    if own:
        chain.add(top)
    depth = {k: len(_below(artifacts, k)) for k in chain}
    return sorted((artifacts[k] for k in chain), key=lambda a: (depth[a.key], a.step, a.label))


def _below(artifacts: dict[str, Artifact], key: str) -> set[str]:
    return set(reachable(artifacts, artifacts[key].inputs)) if key in artifacts else set()


def reachable(artifacts: dict[str, Artifact], keys: Iterable[str]) -> dict[str, Artifact]:
    """The artifacts among `artifacts` (an `under` of something above) that `keys` were made
    from, themselves included: no catalog read."""
    seen: dict[str, Artifact] = {}
    todo = list(keys)
    while todo:
        k = todo.pop()
        if k in seen or k not in artifacts:
            continue
        seen[k] = artifacts[k]
        todo.extend(artifacts[k].inputs)
    return seen


def describe(artifact: Artifact, *, prompts: bool = True) -> dict[str, Any]:
    """One artifact as the provenance assertion and `cinecode provenance` state it."""
    entry: dict[str, Any] = {
        "step": artifact.step,
        "label": artifact.label,
        "origin": "user" if artifact.step in USER_STEPS else artifact.kind,
        **({"source_type": source_type(artifact)} if is_ingredient(artifact) else {}),
        **({"shot": artifact.shot} if artifact.shot else {}),
        **({"scene": artifact.scene} if artifact.scene else {}),
        **({"backend": artifact.backend} if artifact.backend else {}),
        **({"model": artifact.model} if artifact.model else {}),
        **({"seed": artifact.seed} if artifact.seed is not None else {}),
        **({"prompt": artifact.prompt} if prompts and artifact.prompt else {}),
        "object": artifact.object,
        "key": artifact.key,
        "cost": {"money": artifact.cost_money, "gpu_seconds": artifact.cost_gpu},
        "created": _date(artifact.created),
    }
    return entry


def listing(found: Sequence[Artifact], *, prompts: bool) -> dict[str, Any]:
    """An assertion's ingredients: each described in full; briefly (BRIEF) when the full list
    would not fit c2pa's manifest; only counted by step when even that would not. The C2PA
    ingredients beside it name every one, and `cinecode provenance` describes each."""
    full = [describe(a, prompts=prompts) for a in found]
    if _chars(full) <= LISTING_BUDGET:
        return {"ingredients": full}
    brief = [{k: entry[k] for k in BRIEF if k in entry} for entry in full]
    if _chars(brief) <= LISTING_BUDGET:
        return {"ingredients": brief, "listing": "brief"}
    counts = Counter(a.step for a in found)
    return {"ingredients": [], "listing": "counted", "counted": dict(sorted(counts.items()))}


def _chars(entries: list[dict[str, Any]]) -> int:
    return len(json.dumps(entries))


def _date(stamp: float) -> str:
    """A catalog time as an ISO 8601 UTC date and time ("" when unknown)."""
    import datetime as dt

    if not stamp:
        return ""
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
