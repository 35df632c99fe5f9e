"""Content credentials of a published release: each segment's init carries a C2PA manifest
bound to that init and its fragment, so what a player fetches (EXT-X-MAP + the segment),
joined, is a signed MP4 any C2PA validator reads.

c2pa-python signs a whole fragmented MP4 (ftyp+moov+moof+mdat) as `video/mp4`: it puts its
`uuid` box after `ftyp` and hashes every other box (a BMFF hash), so the fragment keeps its
bytes and its content name, and releases keep sharing it; only the init differs. (Its Reader
also has `with_fragment`, for the per-fragment Merkle hashes of c2pa-rs's fragmented signing;
that signing is not in c2pa-python's API, and a whole-file hash read through it is a
mismatch, so the validator is given the two joined.)

A signature is new bytes each time, so a signed init is named by what it signs (the unsigned
init, the fragment, the manifest's content but the version, the identity): publishing again,
or a release that shares the segment, finds it there and signs nothing. Its manifest names
the release that first published it; each version's `credentials.json` reads back every
segment it plays (signer, validity, disclosure, the version each names) for the page.

A branching film's scenes are signed whole (`StorySigner`): each scene's fragmented MP4, as
the story player appends it, carries its own manifest (the film, the scene, the disclosure,
the scene's ingredients), named by what it signs in the same way; story.json says, per scene,
who signed it and whether it validates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.errors import PublishError
from cinecode.graph.catalog import Artifact, Catalog
from cinecode.project.releases import Release
from cinecode.provenance.chain import describe, film_source_type, ingredients, under
from cinecode.provenance.credentials import Credentials, Ingredient, read_data, sign_data
from cinecode.provenance.delivery import disclosure
from cinecode.provenance.identity import Identity
from cinecode.publish import hls
from cinecode.publish.feed import Part

Put = Callable[[str, bytes], None]  # write a file of the site (its path from the root)
FOLDER = "media/c"  # signed inits, named by what they sign
SCHEMA = "cinecode.PublishedCredentials.1"
AUDIO = frozenset({"wav", "mp3", "m4a", "aac", "flac", "ogg", "opus"})
KINDS = {"video": "video/mp4", "audio": "audio/mp4"}
HOW = (
    "Each segment's init (EXT-X-MAP) carries a C2PA manifest bound to it and its fragment: "
    "`cinecode verify INIT --fragment SEGMENT` checks them, or join the two "
    "(cat INIT SEGMENT > shot.mp4) for any C2PA validator (c2patool, "
    "contentcredentials.org/verify)."
)
STORY_HOW = (
    "Each scene's file (media/c/*.mp4) carries a C2PA manifest bound to its bytes: "
    "`cinecode verify FILE` checks one, as does any C2PA validator (c2patool, "
    "contentcredentials.org/verify)."
)


@dataclass(frozen=True)
class Signing:
    """What signing a site's segments needs (handed in by commands/publishing)."""

    identity: Identity
    catalog: Catalog  # what made each segment
    path: Callable[[Artifact], Path]  # an artifact's file in the store
    prompts: bool = True

    def ingredients(self, found: Iterable[Artifact]) -> Iterable[Ingredient]:
        """The pieces whose files the store still has (the rest stay in the assertion)."""
        for artifact in found:
            path = self.path(artifact)
            if path.is_file():
                yield Ingredient(path, artifact.label, artifact.object, artifact.kind == "generate")

    def stated(self, film: str, film_type: str, found: Sequence[Artifact]) -> dict[str, Any]:
        """What every published manifest states: the film, the disclosure, who signed, and
        the ingredients (backend, model, seed; prompts unless `[provenance] prompts = false`)."""
        return {
            "film": film,
            "disclosure": disclosure(film_type),
            "film_source_type": film_type,
            "signer": who(self.identity),
            "prompts": self.prompts,
            "ingredients": [describe(a, prompts=self.prompts) for a in found],
        }

    def sign_once(
        self,
        root: Path,
        data: bytes,
        kind: str,
        *,
        title: str,
        content: dict[str, Any],
        found: Sequence[Artifact],
        put: Put,
        also: Mapping[str, Any] | None = None,
        keep: Callable[[bytes], bytes] | None = None,
    ) -> str:
        """`data` (a whole MP4) signed with `content` (and `also`, which does not name it) as
        FOLDER/<sha256>.mp4, named by what it signs: `content`, which must hold the unsigned
        bytes' digest, the source type and the identity. Signed and written by `put` (`keep`
        cuts what is kept of the signed file) only when not there; its path from `root`."""
        source = film_source_type(list(found)) if found else content["film_source_type"]
        stamp = hashlib.sha256(
            json.dumps([content, source, self.identity.fingerprint()], sort_keys=True).encode()
        ).hexdigest()
        name = f"{FOLDER}/{stamp}.mp4"
        if not (root / name).is_file():
            signed = sign_data(
                data,
                kind,
                title=title,
                source_type=source,
                assertion={**content, **(also or {})},
                ingredients=list(self.ingredients(found)),
                identity=self.identity,
            )
            put(name, keep(signed) if keep else signed)
        return name


@dataclass(frozen=True)
class Piece:
    """One segment as its manifest states it."""

    part: str  # "shot 1.2", "title", "credits"
    shot: str
    scene: str
    track: str  # "video" | "audio"
    found: tuple[Artifact, ...]  # its ingredients


@dataclass
class ReleaseSigner:
    """Signs the inits of one release's segments; keeps what it read back of each."""

    signing: Signing
    release: Release
    film_type: str
    readings: list[dict[str, Any]] = field(default_factory=list)
    last: Credentials | None = None
    release_reading: Credentials | None = None  # the poster's, once signed

    @classmethod
    def of(cls, signing: Signing, release: Release) -> ReleaseSigner:
        film = ingredients(under(signing.catalog, release.master.key))
        return cls(signing, release, film_source_type(film))

    def pieces(self, part: Part) -> list[tuple[Piece, Piece]]:
        """(picture, sound) of each segment of `part`: a shot's keyframe, clip (what made its
        segment) and its voices, its scene's music and ambience; a card has none."""
        if part.scene is None:
            return [(Piece(part.id, "", "", "video", ()), Piece(part.id, "", "", "audio", ()))]
        catalog = self.signing.catalog
        pictures = {s.id: ingredients(under(catalog, s.segment.key)) for s in part.shots}
        sound = [  # the scene's own (its reel's edges carry a little of its neighbours')
            a
            for a in ingredients(under(catalog, part.scene.reel.key))
            if _heard(a) and a.scene in (part.id, "")
        ]
        out = []
        for shot in part.shots:
            seen = tuple(a for a in pictures[shot.id] if not _heard(a))
            heard = tuple(a for a in sound if a.shot in (shot.id, ""))
            out.append(
                (
                    Piece(f"shot {shot.id}", shot.id, part.id, "video", seen),
                    Piece(f"shot {shot.id}", shot.id, part.id, "audio", heard),
                )
            )
        return out

    def init(self, root: Path, piece: Piece, fragment: hls.Fragment, media: str, put: Put) -> str:
        """The signed init of `fragment` (written by `put` under `root` unless it is there):
        its path from the root. `media`: the fragment's own path, for the reading."""
        name = self.signing.sign_once(
            root,
            fragment.init + fragment.media,
            KINDS[piece.track],
            title=self._title(piece),
            content=self._assertion(piece, fragment),
            found=piece.found,
            put=put,
            also={"release": self.release.version},
            keep=lambda signed: _signed_init(signed, fragment),
        )
        init = (root / name).read_bytes()
        reading = read_data(init + fragment.media, KINDS[piece.track], name=name)
        self.last = reading
        said = reading.cinecode or {}
        self.readings.append(
            {
                "part": piece.part,
                "track": piece.track,
                "init": name,
                "segment": media,
                "init_sha256": hashlib.sha256(init).hexdigest(),
                "state": reading.state,
                "release": said.get("release", ""),
                "ingredients": len(reading.ingredients),
            }
        )
        return name

    def poster(self, picture: bytes, name: str, put: Put) -> str:
        """The release's own manifest, in its poster (a JPEG of the film, written by `put` as
        `name`): the version, its notes and date, the disclosure, and every segment it plays
        (its init and fragment, by sha256), so the release as a whole is signed too."""
        release = self.release
        content = {
            "film": release.title,
            "release": release.version,
            "notes": release.notes,
            "created": release.created,
            "disclosure": disclosure(self.film_type),
            "film_source_type": self.film_type,
            "signer": who(self.signing.identity),
            "segments": [  # a segment is named by its sha256 (media/v/<sha256>.m4s)
                {k: r[k] for k in ("part", "track", "init", "segment", "init_sha256")}
                for r in self.readings
            ],
        }
        signed = sign_data(
            picture,
            "image/jpeg",
            title=f"{release.title} {release.version} (poster)",
            source_type=self.film_type,
            assertion=content,
            ingredients=[],
            identity=self.signing.identity,
        )
        put(name, signed)
        self.release_reading = read_data(signed, "image/jpeg", name=name)
        return name

    def _title(self, piece: Piece) -> str:
        what = "picture" if piece.track == "video" else "sound"
        return f"{self.release.title}: {piece.part} ({what})"

    def _assertion(self, piece: Piece, fragment: hls.Fragment) -> dict[str, Any]:
        stated = self.signing.stated(self.release.title, self.film_type, piece.found)
        return {
            "film": stated.pop("film"),
            "part": piece.part,
            **({"shot": piece.shot, "scene": piece.scene} if piece.shot else {}),
            "track": piece.track,
            **stated,
            "segment": {
                "init": hashlib.sha256(fragment.init).hexdigest(),
                "fragment": hashlib.sha256(fragment.media).hexdigest(),
            },
        }

    def summary(self) -> dict[str, Any]:
        """`<version>/credentials.json`: who signed, whether every segment validates, the
        disclosure, and each segment's init, its state and the version it names."""
        first = self.last
        states = {r["state"] for r in self.readings}
        poster = self.release_reading
        if poster is not None:
            states.add(poster.state)
        state, trusted = verdict(states) if self.readings else ("invalid", False)
        return {
            "schema": SCHEMA,
            "version": self.release.version,
            "title": self.release.title,
            **said(first, state, trusted, self.signing, self.film_type),
            "algorithm": first.algorithm if first else "",
            "generator": first.generator if first else "",
            "how": HOW,
            "release_manifest": {"file": poster.path, "state": poster.state} if poster else None,
            "segments": self.readings,
        }


@dataclass
class StorySigner:
    """Signs each scene of a branching film's site: the whole fragmented MP4 the story player
    appends (c2pa-python's BMFF hash covers every box but its own `uuid`, which MSE skips)."""

    signing: Signing
    title: str
    film_type: str
    found: dict[str, tuple[Artifact, ...]]  # each scene's ingredients, by scene id
    readings: dict[str, Credentials] = field(default_factory=dict)

    @classmethod
    def of(cls, signing: Signing, title: str, reels: Mapping[str, str]) -> StorySigner:
        """`reels`: each scene's reel, by its catalog key. A scene's ingredients are its own
        (its reel's edges carry a little of its neighbours', which differ by path)."""
        found = {
            scene: tuple(
                a for a in ingredients(under(signing.catalog, key)) if a.scene in (scene, "")
            )
            for scene, key in reels.items()
        }
        every = [a for pieces in found.values() for a in pieces]
        return cls(signing, title, film_source_type(every), found)

    def scene(self, root: Path, scene: str, data: bytes, put: Put) -> str:
        """The scene's media `data` signed (written by `put` under `root` unless it is
        there, named by what it signs): its path from the root."""
        content = {
            **self.signing.stated(self.title, self.film_type, self.found[scene]),
            "part": f"scene {scene}",
            "scene": scene,
            "track": "video+audio",
            "media": hashlib.sha256(data).hexdigest(),  # the unsigned scene's bytes
        }
        name = self.signing.sign_once(
            root,
            data,
            KINDS["video"],
            title=f"{self.title}: scene {scene}",
            content=content,
            found=self.found[scene],
            put=put,
        )
        self.readings[scene] = read_data((root / name).read_bytes(), KINDS["video"], name=name)
        return name

    def said(self, scene: str) -> dict[str, Any]:
        """story.json's word on one scene: signed, by whom, trusted or not, valid or not."""
        reading = self.readings[scene]
        return {
            "signed": reading.found,
            "state": reading.state,
            "signer": reading.signer,
            "trusted": reading.state == "trusted",
            "ingredients": len(reading.ingredients),
        }

    def summary(self) -> dict[str, Any]:
        """story.json's `credentials`: who signed, whether every scene validates, the
        disclosure, how to check a scene's file."""
        states = {r.state for r in self.readings.values()}
        first = next(iter(self.readings.values()), None)
        state, trusted = verdict(states)
        return {**said(first, state, trusted, self.signing, self.film_type), "how": STORY_HOW}


def verdict(states: set[str]) -> tuple[str, bool]:
    """The state of a whole set of readings and whether it is trusted: "trusted" when every
    one is, "valid" when every one is at least valid, else "invalid" (and none is no proof)."""
    valid = bool(states) and states <= {"trusted", "valid"}
    trusted = valid and states == {"trusted"}
    return ("trusted" if trusted else "valid") if valid else "invalid", trusted


def said(first: Any, state: str, trusted: bool, signing: Signing, film_type: str) -> dict[str, Any]:
    """What a release's and a story's summaries both say: who signed (`first`, a reading, or
    None), the overall state, the identity, the source type and the disclosure."""
    return {
        "signer": first.signer if first else "",
        "issuer": first.issuer if first else "",
        "state": state,
        "trusted": trusted,
        "development": signing.identity.development,
        "source_type": film_type,
        "disclosure": disclosure(film_type),
    }


def who(identity: Identity) -> str:
    """Who signed, as the manifests say it: the development identity, or where the real one
    came from (CINECODE_C2PA_CERT, film.toml)."""
    return "development (not trusted)" if identity.development else identity.source


def _heard(artifact: Artifact) -> bool:
    """A piece of the sound (a voice, a cue, an effect), not of the picture."""
    return artifact.ext.lower().lstrip(".") in AUDIO


def _signed_init(signed: bytes, fragment: hls.Fragment) -> bytes:
    """The signed MP4's boxes before its fragment (ftyp, the C2PA uuid, moov); the fragment
    must come out as it went in, or the segment would not be the one published."""
    parts = hls.boxes(signed)
    cut = next((i for i, (kind, _) in enumerate(parts) if kind == b"moof"), len(parts))
    init = b"".join(box for _, box in parts[:cut])
    if b"".join(box for _, box in parts[cut:]) != fragment.media:
        raise PublishError("C2PA signing changed a segment's fragment (not published)")
    return init
