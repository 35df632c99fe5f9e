"""C2PA content credentials through the maintained c2pa-python library: sign a file with a
manifest (its actions, digital source type, ingredients and cinecode's own assertion), and
read any file's manifest back with its validation.

c2pa-python is the `provenance` extra (`pip install 'cinecode[provenance]'`); it is imported
on first use, and its errors become ProvenanceError here.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cinecode.errors import ProvenanceError
from cinecode.provenance.identity import Identity

ASSERTION = "org.cinecode.provenance"
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".gif": "image/gif",
    ".avif": "image/avif",
    ".heic": "image/heic",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".pdf": "application/pdf",
}
_HINT = "pip install 'cinecode[provenance]' (the maintained c2pa-python library)"


def media_type(path: Path) -> str | None:
    """The media type C2PA knows `path` by, from its suffix; None when it knows none."""
    return MEDIA_TYPES.get(path.suffix.lower())


@dataclass(frozen=True)
class Ingredient:
    """A file that went into the signed one: a generated take, a voice, a user's photo."""

    path: Path
    title: str  # what it is: "keyframe 1.1 seed 791295"
    object: str  # sha256 of its bytes: its instance id
    generated: bool  # False: the user's own (a photo, a clip)
    #: its own signed manifest as a C2PA ingredient archive (see `ingredient_archive`): what
    #: goes into the manifest instead of reading `path`
    archive: Path | None = None


@dataclass(frozen=True)
class Credentials:
    """What a file's manifest says, and whether it holds."""

    path: str
    found: bool  # the file carries a manifest
    state: str  # "trusted" | "valid" | "invalid" | "none"
    signer: str = ""
    issuer: str = ""
    algorithm: str = ""
    title: str = ""
    generator: str = ""
    source_type: str = ""  # the IPTC digital source type of its first action
    actions: list[str] = field(default_factory=list)
    #: title, format, relationship, instance_id, and `within`: the titles of the ingredients
    #: its own manifest lists (a master's reels list theirs)
    ingredients: list[dict[str, Any]] = field(default_factory=list)
    cinecode: dict[str, Any] | None = None  # our assertion, when we signed it
    failures: list[dict[str, str]] = field(default_factory=list)  # code, explanation
    sidecar: str = ""  # the sidecar .c2pa it was read from ("" when embedded)

    @property
    def ok(self) -> bool:
        """The manifest validates (a signer on no trust list still validates)."""
        return self.state in ("trusted", "valid")

    @property
    def contained(self) -> int:
        """How many different ingredients the ingredients' own manifests list (a master's
        reels: the generated pieces); 0 when they carry none."""
        return len({title for i in self.ingredients for title in i.get("within", [])})

    @property
    def untrusted(self) -> bool:
        return any(f["code"] == "signingCredential.untrusted" for f in self.failures)

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "ok": self.ok,
            "untrusted": self.untrusted,
            "contained": self.contained,
        }


@contextmanager
def _library() -> Iterator[Any]:
    """The c2pa module; its errors as ProvenanceError."""
    try:
        import c2pa
    except ImportError:
        raise ProvenanceError("content credentials need c2pa-python", hint=_HINT) from None
    try:
        yield c2pa
    except c2pa.C2paError as exc:
        raise ProvenanceError(f"C2PA: {exc}") from None


def sign(
    src: Path,
    dest: Path,
    *,
    title: str,
    source_type: str,
    assertion: dict[str, Any],
    ingredients: Sequence[Ingredient],
    identity: Identity,
) -> None:
    """Write `src` to `dest` (atomically) with a signed manifest: a `c2pa.created` action of
    `source_type`, the ingredients (each hashed from its file) and `assertion` as cinecode's."""
    kind = media_type(dest)
    if kind is None:
        raise ProvenanceError(f"C2PA cannot carry a manifest in {dest.name}")
    staged = dest.with_name(f".{dest.name}.part")
    staged.unlink(missing_ok=True)
    try:
        with src.open("rb") as source, staged.open("w+b") as target:
            sign_stream(
                source,
                target,
                kind=kind,
                title=title,
                source_type=source_type,
                assertion=assertion,
                ingredients=ingredients,
                identity=identity,
            )
        os.replace(staged, dest)
    finally:
        staged.unlink(missing_ok=True)


def sign_stream(
    source: BinaryIO,
    target: BinaryIO,
    *,
    kind: str,
    title: str,
    source_type: str,
    assertion: dict[str, Any],
    ingredients: Sequence[Ingredient],
    identity: Identity,
) -> None:
    """`sign` between two open streams of media type `kind` (what c2pa writes goes to
    `target`: a file, or anything with read, write, seek, tell and flush)."""
    with _builder(kind, title, source_type, assertion, identity) as (builder, signer):
        for item in ingredients:
            _add_ingredient(builder, item)
        builder.sign(signer, kind, source, target)


def sign_data(
    data: bytes,
    kind: str,
    *,
    title: str,
    source_type: str,
    assertion: dict[str, Any],
    ingredients: Sequence[Ingredient],
    identity: Identity,
) -> bytes:
    """`data` (a whole file of media type `kind`) with a signed manifest in it, as `sign`
    writes one into a file: a published segment's init and fragment, signed as one MP4."""
    target = io.BytesIO()
    sign_stream(
        io.BytesIO(data),
        target,
        kind=kind,
        title=title,
        source_type=source_type,
        assertion=assertion,
        ingredients=ingredients,
        identity=identity,
    )
    return target.getvalue()


#: glibc's mallopt parameters, and what they are set to while roomy_heap holds
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
ROOMY = {M_MMAP_THRESHOLD: 256 << 20, M_TRIM_THRESHOLD: 512 << 20}
DEFAULTS = {M_MMAP_THRESHOLD: 128 << 10, M_TRIM_THRESHOLD: 128 << 10}


@contextmanager
def roomy_heap() -> Iterator[None]:
    """Let c2pa's large buffers come from the heap and be reused from one signing to the
    next, rather than mapped afresh and zeroed by the kernel each time: signing an 85 MB stem
    faults in about 400 MB of fresh pages (0.4 CPU-s; 0.15 with this, from the second file
    on). glibc only, and only in the main thread (another thread's arena maps whatever is
    larger than 64 MB); elsewhere it does nothing. The defaults come back after, and the
    heap's free top goes back to the system."""
    libc = _glibc()
    if libc is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    for param, value in ROOMY.items():
        libc.mallopt(param, value)
    try:
        yield
    finally:
        for param, value in DEFAULTS.items():
            libc.mallopt(param, value)
        libc.malloc_trim(0)


def _glibc() -> Any:
    """The C library, when it is glibc (it has mallopt and malloc_trim); None elsewhere."""
    import ctypes

    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return None
        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except (OSError, ValueError, AttributeError):
        return None


def sign_sidecar(
    src: Path, *, title: str, source_type: str, assertion: dict[str, Any], identity: Identity
) -> bytes:
    """A signed manifest for `src` that leaves its bytes alone (a sidecar `.c2pa`): it binds
    the file by its hash, so a store's object keeps its name."""
    kind = media_type(src)
    if kind is None:
        raise ProvenanceError(f"C2PA cannot sign {src.name}")
    with _builder(kind, title, source_type, assertion, identity) as (builder, signer):
        builder.set_no_embed()
        with src.open("rb") as source:
            manifest: bytes = builder.sign(signer, kind, source, io.BytesIO())
    return manifest


@contextmanager
def _builder(
    kind: str, title: str, source_type: str, assertion: dict[str, Any], identity: Identity
) -> Iterator[tuple[Any, Any]]:
    """A Builder for a created asset, and its Signer (no thumbnails: they are not needed)."""
    manifest = {
        "claim_generator_info": [{"name": "cinecode", "version": _version()}],
        "title": title,
        "format": kind,
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": source_type}]},
            },
            {"label": ASSERTION, "data": assertion},
        ],
    }
    with _library() as c2pa:
        settings = c2pa.Settings.from_dict({"builder": {"thumbnail": {"enabled": False}}})
        info = c2pa.C2paSignerInfo(
            getattr(c2pa.C2paSigningAlg, identity.algorithm()),
            identity.chain.read_bytes(),
            identity.key.read_bytes(),
            None,
        )
        with (
            c2pa.Context(settings=settings) as context,
            c2pa.Signer.from_info(info) as signer,
            c2pa.Builder(json.dumps(manifest), context) as builder,
        ):
            yield builder, signer


def ingredient_archive(
    src: Path,
    *,
    object: str,
    name: str,
    title: str,
    source_type: str,
    assertion: dict[str, Any],
    ingredients: Sequence[Ingredient],
    identity: Identity,
) -> bytes:
    """`src` signed with its own manifest (as `sign` would), kept as a C2PA ingredient
    archive (`object`: the sha256 of its bytes; `name`: what the manifest it goes into calls
    it): its manifest store and how it was taken in, not its bytes. A film's master lists
    its reels so (`Ingredient.archive`), each reel carrying its own ingredients: c2pa signs
    N flat ingredients in time growing with N² (3,200: 5.9 s), the same grouped by reel in
    far less."""
    kind = media_type(src)
    if kind is None:
        raise ProvenanceError(f"C2PA cannot sign {src.name}")
    signed = sign_data(
        src.read_bytes(),
        kind,
        title=title,
        source_type=source_type,
        assertion=assertion,
        ingredients=ingredients,
        identity=identity,
    )
    instance = f"cinecode:object:{object}"
    archive = io.BytesIO()
    with _builder(kind, title, source_type, {}, identity) as (builder, _):
        definition = {"title": name, "format": kind, "relationship": "componentOf"}
        builder.add_ingredient(
            json.dumps({**definition, "instance_id": instance}), kind, io.BytesIO(signed)
        )
        builder.write_ingredient_archive(instance, archive)
    return archive.getvalue()


def _add_ingredient(builder: Any, item: Ingredient) -> None:
    if item.archive is not None:
        with item.archive.open("rb") as stream:
            builder.add_ingredient_from_archive(stream)
        return
    kind = media_type(item.path) or "application/octet-stream"
    definition = {
        "title": item.title,
        "format": kind,
        "relationship": "componentOf",
        "instance_id": f"cinecode:object:{item.object}",
        **({} if item.generated else {"description": "the user's own media"}),
    }
    if media_type(item.path) is None:
        raise ProvenanceError(f"C2PA cannot read the ingredient {item.path.name}")
    with item.path.open("rb") as stream:
        builder.add_ingredient(json.dumps(definition), kind, stream)


def read(path: Path) -> Credentials:
    """The manifest `path` carries (ours or another tool's) and whether it validates."""
    if not path.is_file():
        raise ProvenanceError(f"no file {path}", hint="give the path of a media file")
    kind = media_type(path)
    if kind is None:
        raise ProvenanceError(
            f"C2PA reads no {path.suffix or 'suffix-less'} file",
            hint="verify a .mp4, .mov, .jpg, .png, .wav, .mp3, .m4a or .pdf",
        )
    beside = sidecar_of(path)
    manifest = beside.read_bytes() if beside.is_file() else None
    with _library() as c2pa:
        try:
            with path.open("rb") as stream, c2pa.Reader(kind, stream, manifest) as reader:
                store = json.loads(reader.json())
                state = (reader.get_validation_state() or "").lower()
        except c2pa.C2paError as exc:
            if "ManifestNotFound" in type(exc).__name__ or "no JUMBF" in str(exc):
                return Credentials(str(path), found=False, state="none")
            raise
    return _credentials(path, store, state, sidecar=str(beside) if manifest else "")


def read_data(data: bytes, kind: str, *, name: str) -> Credentials:
    """The manifest the bytes of a whole file carry (`name`: what to call it) and whether it
    validates: a published init segment and its fragment, read as one MP4."""
    with _library() as c2pa:
        try:
            with c2pa.Reader(kind, io.BytesIO(data)) as reader:
                store = json.loads(reader.json())
                state = (reader.get_validation_state() or "").lower()
        except c2pa.C2paError as exc:
            if "ManifestNotFound" in type(exc).__name__ or "no JUMBF" in str(exc):
                return Credentials(name, found=False, state="none")
            raise
    return _credentials(Path(name), store, state, sidecar="")


def read_joined(init: Path, fragment: Path) -> Credentials:
    """A published segment's manifest: its init segment (`init`, an .mp4) and its fragment
    (moof+mdat, an .m4s) read as the one MP4 a player makes of them."""
    for path in (init, fragment):
        if not path.is_file():
            raise ProvenanceError(f"no file {path}", hint="give an init segment and its fragment")
    kind = media_type(init)
    if kind not in ("video/mp4", "audio/mp4"):
        raise ProvenanceError(
            f"{init.name} is not an MP4 init segment",
            hint="give the playlist's EXT-X-MAP file (.mp4) and --fragment its segment (.m4s)",
        )
    data = init.read_bytes() + fragment.read_bytes()
    return read_data(data, kind, name=f"{init} + {fragment.name}")


def sidecar_of(path: Path) -> Path:
    """Where a file's sidecar manifest lies: beside it, `keyframe.png` → `keyframe.c2pa`."""
    return path.with_suffix(".c2pa")


def _credentials(path: Path, store: dict[str, Any], state: str, *, sidecar: str) -> Credentials:
    manifests = store.get("manifests", {})
    active = manifests.get(store.get("active_manifest", ""), {})
    assertions = {a.get("label", ""): a.get("data", {}) for a in active.get("assertions", [])}
    actions = [
        a
        for label, data in assertions.items()
        if label.startswith("c2pa.actions")
        for a in data.get("actions", [])
    ]
    source = next((a["digitalSourceType"] for a in actions if "digitalSourceType" in a), "")
    signature = active.get("signature_info", {})
    failures = [
        {"code": s.get("code", ""), "explanation": s.get("explanation", "")}
        for s in store.get("validation_status", [])
    ]
    generator = active.get("claim_generator_info", [{}])
    return Credentials(
        str(path),
        found=True,
        state=state if state in ("trusted", "valid", "invalid") else "invalid",
        signer=str(signature.get("common_name", "")),
        issuer=str(signature.get("issuer", "")),
        algorithm=str(signature.get("alg", "")),
        title=str(active.get("title", "")),
        generator=" ".join(str(generator[0].get(k, "")) for k in ("name", "version")).strip()
        if generator
        else str(active.get("claim_generator", "")),
        source_type=str(source),
        actions=[str(a.get("action", "")) for a in actions],
        ingredients=[
            {
                **{k: i.get(k, "") for k in ("title", "format", "relationship", "instance_id")},
                "within": _listed(manifests.get(i.get("active_manifest", ""), {})),
            }
            for i in active.get("ingredients", [])
        ],
        cinecode=assertions.get(ASSERTION),
        failures=failures,
        sidecar=sidecar,
    )


def _listed(manifest: dict[str, Any]) -> list[str]:
    """The titles of the ingredients a manifest of the store lists ([] for no manifest)."""
    return [str(i.get("title", "")) for i in manifest.get("ingredients", [])]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cinecode")
    except PackageNotFoundError:
        return "0"
