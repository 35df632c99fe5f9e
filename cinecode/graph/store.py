"""The store: content-addressed objects in `.cinecode/objects/`, and the catalog beside them.

The only module that knows where objects live. Writes are atomic (temp file in the same
filesystem, fsync, `os.replace`, fsync of the folder), then the catalog row is committed.
Reads check the object exists with the recorded size.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cinecode.backends.protocols import Cost
from cinecode.errors import StoreError
from cinecode.graph.catalog import Artifact, Catalog
from cinecode.graph.fastpath import invalidate
from cinecode.graph.job import Job
from cinecode.graph.keys import file_digest

#: outputs that may rightly be empty (the subtitles of a film without dialogue)
TEXT = ("srt", "vtt", "txt", "csv", "json")


def place(source: Path, dest: Path) -> Path:
    """`source` at `dest`, atomically: a hard link where the file system allows, else a copy."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staged = dest.with_name(f".{dest.name}.part")
    staged.unlink(missing_ok=True)
    try:
        os.link(source, staged)
    except OSError:
        shutil.copyfile(source, staged)
    os.replace(staged, dest)
    return dest


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def object_path(root: Path, digest: str, ext: str) -> Path:
    """Where the store at `root` keeps the object with this digest (it may not be there)."""
    return root / "objects" / digest[:2] / f"{digest[2:]}.{ext}"


class Store:
    """Objects + catalog of one project (`<project>/.cinecode`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.tmp = root / "tmp"
        try:
            self.objects.mkdir(parents=True, exist_ok=True)
            self.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the store at {root} ({exc.strerror})",
                hint="check the folder is writable",
            ) from None
        self.catalog = Catalog(root / "catalog.sqlite")

    def close(self) -> None:
        self.catalog.close()

    # --- paths -------------------------------------------------------------------------------

    def _object_path(self, digest: str, ext: str) -> Path:
        return object_path(self.root, digest, ext)

    def workdir(self, key: str) -> Path:
        """A fresh scratch folder for a job, on the store's filesystem."""
        return Path(tempfile.mkdtemp(prefix=f"{key[:12]}-", dir=self.tmp))

    def path(self, artifact: Artifact) -> Path:
        """The object file of an artifact, checked to exist with the recorded size."""
        path = self._object_path(artifact.object, artifact.ext)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise StoreError(
                f"the store lost {artifact.label or artifact.step} ({artifact.key[:8]})",
                hint="run `cinecode make` again to rebuild it",
            ) from None
        if size != artifact.size:
            raise StoreError(
                f"{path} is damaged ({size} bytes, expected {artifact.size})",
                hint="delete it and run `cinecode make` again",
            )
        return path

    def get(self, key: str) -> Artifact | None:
        return self.catalog.get(key)

    def available(self, keys: Iterable[str]) -> set[str]:
        """Keys whose artifact is recorded and whose object is on disk with its size."""
        ok: set[str] = set()
        for key, (digest, ext, size) in self.catalog.objects(keys).items():
            try:
                if self._object_path(digest, ext).stat().st_size == size:
                    ok.add(key)
            except FileNotFoundError:
                continue
        return ok

    # --- writing -----------------------------------------------------------------------------

    def put(
        self,
        job: Job,
        source: Path,
        *,
        meta: dict[str, Any] | None = None,
        cost: Cost = Cost(),
        model: str = "",
        seconds: float = 0.0,
    ) -> Artifact:
        """Move `source` into the store and record it as the artifact of `job`."""
        if not source.is_file() or (source.stat().st_size == 0 and job.ext not in TEXT):
            raise StoreError(f"{job.label}: the step produced no file", hint="this is a bug")
        digest = file_digest(source)
        target = self._object_path(digest, job.ext)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as handle:
                os.fsync(handle.fileno())
            if source.parent.resolve().is_relative_to(self.root.resolve()):
                os.replace(source, target)
            else:
                staged = self.tmp / f"{digest}.{job.ext}.part"
                shutil.copyfile(source, staged)
                os.replace(staged, target)
            target.chmod(0o444)  # objects never change; exported hard links stay safe
            _fsync_dir(target.parent)
        invalidate(str(self.root))  # the store changed: the last make's stamp no longer holds
        artifact = Artifact(
            key=job.key,
            object=digest,
            ext=job.ext,
            size=target.stat().st_size,
            step=job.step,
            kind=job.kind,
            department=job.department,
            label=job.label,
            shot=job.shot,
            scene=job.scene,
            take=job.take,
            seed=job.seed,
            backend=job.backend,
            model=model or str(job.params.get("model", "")),
            prompt=str(job.params.get("prompt", "")),
            params=job.params,
            inputs=job.inputs,
            meta=meta or {},
            cost_money=cost.money,
            cost_gpu=cost.gpu_seconds,
            est_money=job.estimate.money,
            est_gpu=job.estimate.gpu_seconds,
            seconds=seconds,
            created=time.time(),
        )
        self.catalog.record(artifact)
        return artifact

    def adopt(self, artifact: Artifact, source: Path) -> Artifact:
        """Record an artifact made elsewhere (a shared store, a farm worker): `source`, a file
        on the store's filesystem already verified to hold `artifact.object`, moves into the
        objects and the artifact's row is recorded as it came."""
        target = self._object_path(artifact.object, artifact.ext)
        if target.exists():
            source.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            target.chmod(0o444)
            _fsync_dir(target.parent)
        invalidate(str(self.root))
        self.catalog.record(artifact)
        return artifact

    def put_bytes(self, job: Job, data: bytes, **kwargs: Any) -> Artifact:
        """Record bytes as the artifact of `job` (small text outputs)."""
        work = self.workdir(job.key)
        try:
            path = work / f"out.{job.ext}"
            path.write_bytes(data)
            return self.put(job, path, **kwargs)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def holds(self, artifact: Artifact, dest: Path) -> bool:
        """Whether `dest` has the artifact's bytes: its hard link, or a copy (a copied project)."""
        try:
            if dest.stat().st_size != artifact.size:
                return False
            return dest.samefile(self.path(artifact)) or file_digest(dest) == artifact.object
        except (OSError, StoreError):
            return False

    def export(self, artifact: Artifact, dest: Path) -> Path:
        """Place a copy of an artifact at `dest` (atomically; a hard link when possible)."""
        source = self.path(artifact)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() and dest.stat().st_size == artifact.size:
            try:
                if dest.samefile(source):
                    return dest
            except OSError:
                pass
        return place(source, dest)

    def digest(self, path: Path) -> str:
        """sha256 of a user file (a reference image, a clip), cached by size and mtime."""
        stat = path.stat()
        cached = self.catalog.cached_digest(str(path), stat.st_size, stat.st_mtime_ns)
        if cached:
            return cached
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.catalog.remember_digest(str(path), stat.st_size, stat.st_mtime_ns, digest)
        return digest

    # --- upkeep (cinecode du, gc, verify) ----------------------------------------------------

    def files(self) -> dict[tuple[str, str], os.stat_result]:
        """Every object file on disk: (digest, ext) → its stat (size, hard links)."""
        found: dict[tuple[str, str], os.stat_result] = {}
        for folder in self.objects.iterdir():
            if not folder.is_dir() or len(folder.name) != 2:
                continue
            for path in folder.iterdir():
                rest, dot, ext = path.name.partition(".")
                if dot and not path.name.endswith(".part"):
                    found[(folder.name + rest, ext)] = path.stat()
        return found

    def forget(self, artifacts: Iterable[Artifact]) -> int:
        """Remove artifacts: their catalog rows first (one transaction), then the objects no
        row names any more. Killed in between, the store is whole: rows never name a missing
        object, and the objects left behind are orphans that `collect_orphans` removes.
        Returns the bytes of the objects deleted."""
        freed = 0
        for digest, ext in sorted(self.catalog.forget_many(a.key for a in artifacts)):
            freed += self._unlink(digest, ext)
        invalidate(str(self.root))
        return freed

    def collect_orphans(self) -> int:
        """Delete object files no catalog row names (left by an interrupted clean-up)."""
        named = self.catalog.named_objects()
        return sum(self._unlink(*found) for found in self.files() if found not in named)

    def discard(self, digest: str, ext: str) -> None:
        """Delete one object file (a corrupt one: its rows stay, so it reads as missing)."""
        self._unlink(digest, ext)
        invalidate(str(self.root))

    def _unlink(self, digest: str, ext: str) -> int:
        path = self._object_path(digest, ext)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return 0
        return size

    def check(self, digest: str, ext: str, size: int) -> str:
        """An object re-hashed: "ok", "missing", or "corrupt" (not the size or the sha256 it
        is recorded with)."""
        path = self._object_path(digest, ext)
        try:
            if path.stat().st_size != size:
                return "corrupt"
        except FileNotFoundError:
            return "missing"
        return "ok" if file_digest(path) == digest else "corrupt"

    def clean_tmp(self) -> None:
        """Remove scratch folders left by interrupted jobs."""
        for child in self.tmp.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
