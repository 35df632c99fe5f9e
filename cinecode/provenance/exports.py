"""Content credentials on the other media cinecode writes: the stems in build/stems/, a
storyboard PDF, a contact sheet. Each is signed in place (the manifest embedded: a WAV's
`C2PA` chunk, a PNG's or JPEG's own), or beside it (`FILE.c2pa`) where C2PA cannot write
into the format.

A signature over the same bytes is not the same bytes twice (see delivery), so a signed
export is recorded in the catalog by what it signs (the pieces it holds, their ingredients,
the identity): a `make` with nothing changed finds it signed and leaves its bytes alone.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cinecode.graph.catalog import Artifact
from cinecode.graph.store import Store
from cinecode.provenance.chain import film_source_type, ingredients, listing, under
from cinecode.provenance.credentials import (
    media_type,
    sidecar_of,
    sign,
    sign_sidecar,
)
from cinecode.provenance.delivery import file_digest, ingredient, record_name
from cinecode.provenance.identity import Identity
from cinecode.provenance.inplace import sign_wav_in_place

#: the stem an audio ingredient is heard in, by its step (the rest: effects)
BUS_OF = {"voice": "dialogue", "music-cue": "music"}
#: formats c2pa-python 0.38 embeds a manifest in when it signs (others get a sidecar)
EMBEDS = frozenset(
    {"audio/wav", "image/png", "image/jpeg", "video/mp4", "audio/mpeg", "application/pdf"}
)


def pieces(store: Store, keys: Sequence[str]) -> list[Artifact]:
    """The ingredients of what `keys` were made from (generated takes, voices, cues, effects,
    the user's own media), in a stable order."""
    found: dict[str, Artifact] = {}
    for key in keys:
        found.update(under(store.catalog, key))
    return ingredients(found)


def stem_pieces(found: Sequence[Artifact], bus: str, store: Store) -> list[Artifact]:
    """The audio ingredients heard in stem `bus`."""
    return [
        a
        for a in found
        if (media_type(store.path(a)) or "").startswith("audio/")
        and BUS_OF.get(a.step, "effects") == bus
    ]


def sign_export(
    store: Store,
    dest: Path,
    *,
    title: str,
    film: str,
    film_type: str,
    found: Sequence[Artifact],
    contains: dict[str, Any],
    identity: Identity,
    prompts: bool = True,
) -> bool:
    """Sign `dest` in place (or write `FILE.c2pa` beside it) with a `c2pa.created` manifest:
    its digital source type (its pieces', else the film's), `found` as its ingredients and
    cinecode's assertion naming them and what it `contains`. False when `dest` already
    carries this signature (its bytes are left alone)."""
    kind = media_type(dest)
    own_type = film_source_type(list(found)) if found else film_type
    assertion = _assertion(dest, film, film_type, found, contains, identity, prompts)
    stamp = hashlib.sha256(
        json.dumps([assertion, own_type, identity.fingerprint()], sort_keys=True).encode()
    ).hexdigest()
    if _recorded(store, dest).get("stamp") == stamp and (
        kind in EMBEDS or sidecar_of(dest).is_file()
    ):
        return False
    parts = [ingredient(store, a) for a in found]
    signature: dict[str, Any] = {
        "title": title,
        "source_type": own_type,
        "assertion": assertion,
        "ingredients": parts,
        "identity": identity,
    }
    if kind == "audio/wav" and sign_wav_in_place(dest, **signature):
        pass  # a stem: its samples stay where they lie (see provenance.inplace)
    elif kind in EMBEDS:
        sign(dest, dest, **signature)
    else:  # a sidecar: the file keeps its bytes
        manifest = sign_sidecar(
            dest, title=title, source_type=own_type, assertion=assertion, identity=identity
        )
        beside = sidecar_of(dest)
        staged = beside.with_name(f".{beside.name}.part")
        staged.write_bytes(manifest)
        os.replace(staged, beside)
    stat = dest.stat()
    store.catalog.set_setting(
        record_name(store, dest, "signed"),
        json.dumps(
            {
                "stamp": stamp,
                "size": stat.st_size,
                "mtime": stat.st_mtime_ns,
                "sha256": file_digest(dest),
            }
        ),
    )
    return True


def sign_written(
    store: Store,
    staged: Path,
    dest: Path,
    *,
    title: str,
    film: str,
    film_type: str,
    found: Sequence[Artifact],
    contains: dict[str, Any],
    identity: Identity,
    prompts: bool = True,
    keep: bool = False,
) -> bool:
    """Sign a freshly written export `staged` into `dest` (and remove `staged` unless `keep`:
    a store object copied out), unless `dest` already carries a valid signature of the same
    unsigned bytes by the same identity: then `dest` keeps its bytes (False). The export's
    writer must be deterministic."""
    from cinecode.errors import ProvenanceError
    from cinecode.provenance.credentials import read

    try:
        assertion = _assertion(dest, film, film_type, found, contains, identity, prompts)
        own_type = film_source_type(list(found)) if found else film_type
        stamp = hashlib.sha256(
            json.dumps(
                [assertion, own_type, identity.fingerprint(), file_digest(staged)], sort_keys=True
            ).encode()
        ).hexdigest()
        assertion["stamp"] = stamp  # what it signs: found again in the file's own manifest
        if dest.is_file():
            try:
                was = read(dest)
            except ProvenanceError:
                was = None
            if was is not None and was.ok and (was.cinecode or {}).get("stamp") == stamp:
                return False
        sign(
            staged,
            dest,
            title=title,
            source_type=own_type,
            assertion=assertion,
            ingredients=[ingredient(store, a) for a in found],
            identity=identity,
        )
        return True
    finally:
        if not keep:
            staged.unlink(missing_ok=True)


def _assertion(
    dest: Path,
    film: str,
    film_type: str,
    found: Sequence[Artifact],
    contains: dict[str, Any],
    identity: Identity,
    prompts: bool,
) -> dict[str, Any]:
    """cinecode's assertion on an export: the film, what the export holds, its pieces."""
    return {
        "film": film,
        "export": dest.name,
        "film_source_type": film_type,
        "contains": contains,
        "signer": "development (not trusted)" if identity.development else identity.source,
        "prompts": prompts,
        **listing(found, prompts=prompts),
    }


def _recorded(store: Store, dest: Path) -> dict[str, Any]:
    """What the last signing of `dest` recorded, if `dest` still holds the bytes it signed."""
    raw = store.catalog.setting(record_name(store, dest, "signed"))
    try:
        was = json.loads(raw) if raw else {}
        stat = dest.stat()
    except (ValueError, OSError):
        return {}
    if not isinstance(was, dict) or was.get("size") != stat.st_size:
        return {}
    if was.get("mtime") == stat.st_mtime_ns or was.get("sha256") == file_digest(dest):
        return was
    return {}
