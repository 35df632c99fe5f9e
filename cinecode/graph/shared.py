"""A shared store: a folder or an S3 bucket that several machines' stores fill and reuse.

One layout in both places (`[store] url` in film.toml names it):

```
objects/<2 hex>/<62 hex>.<ext>   the bytes, named by their sha256 (as .cinecode/objects)
keys/<2 hex>/<62 hex>.json       one record per job key: its catalog row (cinecode.Record.1)
```

A record is written after its object, so a record always names an object that is there; a
record may be replaced (a job made again), an object never changes. Objects travel streamed
(1 MiB at a time, or boto3's multipart upload), are verified by sha256 on arrival and land by
an atomic rename. The public face: `open_location(url)`, `Location`, `fetch_into` (by key),
`fetch_artifact` (a known artifact) and `push_from` (one artifact), `exchange` (what a build
needs, both ways).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import unquote, urlparse

from cinecode.errors import DamagedObject, StoreError
from cinecode.graph.catalog import Artifact
from cinecode.graph.store import Store

SCHEMA = "cinecode.Record.1"
CHUNK = 1 << 20
ENDPOINT_ENV = ("CINECODE_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_EXT = re.compile(r"[A-Za-z0-9]{1,12}")


class Location(Protocol):
    """Where shared objects and records live (a folder, an S3 prefix)."""

    url: str

    def check(self) -> None:
        """Reachable, allowed, there: or a StoreError saying what to do."""

    def has(self, digest: str, ext: str) -> bool: ...

    def fetch(self, digest: str, ext: str, dest: Path) -> None:
        """The object at `dest` (streamed, sha256 verified, renamed into place); a
        mismatch deletes the bad object there and raises StoreError naming it."""

    def push(self, path: Path, digest: str, ext: str) -> bool:
        """Send `path` as this object unless it is there (True: it was sent)."""

    def keys(self) -> set[str]:
        """Every job key with a record."""

    def record(self, key: str) -> dict[str, Any] | None: ...

    def put_record(self, key: str, record: dict[str, Any]) -> None: ...


def object_name(digest: str, ext: str) -> str:
    return f"objects/{digest[:2]}/{digest[2:]}.{ext}"


def record_name(key: str) -> str:
    return f"keys/{key[:2]}/{key[2:]}.json"


def _key_of(name: str) -> str | None:
    """The job key of a record's name relative to keys/ (`ab/cdef….json`)."""
    folder, _, rest = name.rpartition("/")
    key = folder[-2:] + rest.removesuffix(".json")
    return key if rest.endswith(".json") and _HEX64.fullmatch(key) else None


def _receive(source: IO[bytes], dest: Path, digest: str, where: str) -> None:
    """Copy `source` to `dest` through a staged file, verifying its sha256 on the way."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        hasher = hashlib.sha256()
        with os.fdopen(handle, "wb") as out:
            while block := source.read(CHUNK):
                hasher.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if hasher.hexdigest() != digest:
            raise DamagedObject(
                f"{where} is damaged: its bytes hash to {hasher.hexdigest()[:12]}…, not "
                f"{digest[:12]}…"
            )
        os.replace(staged, dest)
    finally:
        Path(staged).unlink(missing_ok=True)


# --- a folder (a shared file system) ---------------------------------------------------------


class FolderLocation:
    """A folder, mounted on every machine (NFS, SMB, a shared disk)."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url

    def check(self) -> None:
        if not self.root.is_dir():
            raise StoreError(
                f"the shared store {self.url} is not a folder here",
                hint=f"mount it or create it (mkdir -p {self.root}), or fix [store] url in "
                "film.toml",
            )
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreError(
                f"the shared store {self.url} is not writable by this user",
                hint=f"give this user write access to {self.root}",
            )

    def has(self, digest: str, ext: str) -> bool:
        return (self.root / object_name(digest, ext)).is_file()

    def fetch(self, digest: str, ext: str, dest: Path) -> None:
        path = self.root / object_name(digest, ext)
        try:
            with path.open("rb") as source:
                _receive(source, dest, digest, f"the shared store's object {path}")
        except FileNotFoundError:
            raise DamagedObject(
                f"the shared store lost {path}", hint="run `cinecode make` to make it again"
            ) from None
        except DamagedObject:
            path.unlink(missing_ok=True)
            raise

    def push(self, path: Path, digest: str, ext: str) -> bool:
        target = self.root / object_name(digest, ext)
        if target.is_file() and target.stat().st_size == path.stat().st_size:
            return False
        with path.open("rb") as source:
            _receive(source, target, digest, f"this store's object {path}")
        return True

    def keys(self) -> set[str]:
        found: set[str] = set()
        base = self.root / "keys"
        if not base.is_dir():
            return found
        for folder in base.iterdir():
            if folder.is_dir():
                for entry in folder.iterdir():
                    key = _key_of(f"{folder.name}/{entry.name}")
                    if key:
                        found.add(key)
        return found

    def record(self, key: str) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads((self.root / record_name(key)).read_text("utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise DamagedObject(f"the shared record of {key[:8]} is not JSON ({exc})") from None
        except OSError as exc:
            raise StoreError(f"the shared record of {key[:8]} cannot be read ({exc})") from None
        return data

    def put_record(self, key: str, record: dict[str, Any]) -> None:
        path = self.root / record_name(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staged = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(record, sort_keys=True))
        os.replace(staged, path)


# --- S3 (or any S3-compatible object storage) ------------------------------------------------


class S3Location:
    """`s3://bucket/prefix`: endpoint and credentials from the environment only (boto3's
    chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, …), never from film.toml."""

    def __init__(self, bucket: str, prefix: str, url: str) -> None:
        try:
            import boto3
            from boto3.s3.transfer import TransferConfig
            from botocore.config import Config
        except ImportError:
            raise StoreError(
                f"the shared store {url} needs boto3",
                hint="pip install 'cinecode[farm]'",
            ) from None
        self.url = url
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.endpoint = next((os.environ[n] for n in ENDPOINT_ENV if os.environ.get(n)), None)
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=region or "us-east-1",
            config=Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3}),
        )
        # multipart, a few 8 MiB parts in flight: a large object is never whole in memory
        self.transfer = TransferConfig(
            multipart_threshold=8 * CHUNK, multipart_chunksize=8 * CHUNK, max_concurrency=4
        )

    def _where(self) -> str:
        return f"{self.url}" + (f" at {self.endpoint}" if self.endpoint else "")

    def _error(self, exc: Exception, doing: str) -> StoreError:
        """A boto error said in our words: what, where, what to do."""
        from botocore import exceptions as boto

        if isinstance(exc, boto.NoCredentialsError | boto.PartialCredentialsError):
            return StoreError(
                f"no credentials for the shared store {self._where()}",
                hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the "
                "environment; film.toml never holds them",
            )
        if isinstance(exc, boto.EndpointConnectionError | boto.ConnectTimeoutError):
            return StoreError(
                f"the shared store {self._where()} cannot be reached ({doing})",
                hint="check the endpoint (CINECODE_S3_ENDPOINT or AWS_ENDPOINT_URL) and the "
                "network, or remove [store] url from film.toml to build alone",
            )
        if isinstance(exc, boto.ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchBucket"):
                return StoreError(
                    f"the bucket {self.bucket!r} of the shared store {self._where()} does not "
                    "exist",
                    hint=f"create it (aws s3 mb s3://{self.bucket}) or fix [store] url",
                )
            if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                return StoreError(
                    f"the shared store {self._where()} refused these credentials ({code})",
                    hint="check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket's policy",
                )
            return StoreError(f"the shared store {self._where()} said {code} ({doing})")
        return StoreError(f"the shared store {self._where()} failed ({doing}: {exc})")

    def _missing(self, exc: Exception) -> bool:
        from botocore.exceptions import ClientError

        return isinstance(exc, ClientError) and str(
            exc.response.get("Error", {}).get("Code", "")
        ) in ("404", "NoSuchKey", "NotFound")

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:
            raise self._error(exc, "checking the bucket") from None

    def _size(self, name: str) -> int | None:
        try:
            return int(
                self.client.head_object(Bucket=self.bucket, Key=self.prefix + name)["ContentLength"]
            )
        except Exception as exc:
            if self._missing(exc):
                return None
            raise self._error(exc, f"looking for {name}") from None

    def has(self, digest: str, ext: str) -> bool:
        return self._size(object_name(digest, ext)) is not None

    def fetch(self, digest: str, ext: str, dest: Path) -> None:
        name = self.prefix + object_name(digest, ext)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=name)["Body"]
        except Exception as exc:
            if self._missing(exc):
                raise DamagedObject(
                    f"the shared store lost s3://{self.bucket}/{name}",
                    hint="run `cinecode make` to make it again",
                ) from None
            raise self._error(exc, f"fetching {name}") from None
        try:
            _receive(body, dest, digest, f"the shared store's object s3://{self.bucket}/{name}")
        except DamagedObject:
            self.client.delete_object(Bucket=self.bucket, Key=name)
            raise
        except Exception as exc:  # the connection broke mid-object, a read timed out
            raise self._error(exc, f"fetching {name}") from None
        finally:
            body.close()

    def push(self, path: Path, digest: str, ext: str) -> bool:
        name = object_name(digest, ext)
        if self._size(name) == path.stat().st_size:
            return False
        try:
            self.client.upload_file(
                str(path), self.bucket, self.prefix + name, Config=self.transfer
            )
        except Exception as exc:
            raise self._error(exc, f"sending {name}") from None
        return True

    def keys(self) -> set[str]:
        found: set[str] = set()
        base = f"{self.prefix}keys/"
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=base
            )
            for page in pages:
                for entry in page.get("Contents", []):
                    key = _key_of(str(entry["Key"])[len(base) :])
                    if key:
                        found.add(key)
        except Exception as exc:
            raise self._error(exc, "listing its records") from None
        return found

    def record(self, key: str) -> dict[str, Any] | None:
        name = self.prefix + record_name(key)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=name)["Body"]
            data: dict[str, Any] = json.loads(body.read())
        except ValueError as exc:
            raise DamagedObject(f"the shared record {name} is not JSON ({exc})") from None
        except Exception as exc:
            if self._missing(exc):
                return None
            raise self._error(exc, f"reading {name}") from None
        return data

    def put_record(self, key: str, record: dict[str, Any]) -> None:
        name = self.prefix + record_name(key)
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=name,
                Body=json.dumps(record, sort_keys=True).encode("utf-8"),
                ContentType="application/json",
            )
        except Exception as exc:
            raise self._error(exc, f"writing {name}") from None


# --- opening one, and moving artifacts ---------------------------------------------------------


def open_location(url: str, *, base: Path | None = None) -> Location:
    """The location `url` names: `s3://bucket/prefix`, `file:///path` or a path (relative to
    `base`, the project). Nothing is contacted yet: `check()` does."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise StoreError(f"[store] url {url!r} names no bucket", hint='"s3://bucket/prefix"')
        return S3Location(parsed.netloc, parsed.path, url)
    if parsed.scheme == "file":
        return FolderLocation(Path(unquote(parsed.path)), url)
    if parsed.scheme and len(parsed.scheme) > 1:  # (C: is a Windows drive, not a scheme)
        raise StoreError(
            f"[store] url {url!r}: cinecode cannot store at {parsed.scheme}://",
            hint='use "s3://bucket/prefix", "file:///path" or a folder path',
        )
    path = Path(url).expanduser()
    return FolderLocation(path if path.is_absolute() else (base or Path.cwd()) / path, url)


def record_of(artifact: Artifact) -> dict[str, Any]:
    """An artifact's catalog row as a shared record."""
    return {"schema": SCHEMA, **dataclasses.asdict(artifact), "inputs": list(artifact.inputs)}


def artifact_of(record: dict[str, Any], key: str) -> Artifact:
    """The artifact a shared record describes, checked (its key, a sane object name)."""
    names = {f.name for f in dataclasses.fields(Artifact)}
    values = {k: v for k, v in record.items() if k in names}
    try:
        artifact = Artifact(**{**values, "inputs": tuple(values.get("inputs", ()))})
    except TypeError as exc:
        raise DamagedObject(f"the shared record of {key[:8]} is incomplete ({exc})") from None
    if (
        record.get("schema") != SCHEMA
        or artifact.key != key
        or not _HEX64.fullmatch(artifact.object)
        or not _EXT.fullmatch(artifact.ext)
    ):
        raise DamagedObject(
            f"the shared record of {key[:8]} is not a {SCHEMA} for this key",
            hint="delete it from the shared store; `cinecode make` writes it again",
        )
    return artifact


def fetch_into(store: Store, location: Location, key: str) -> Artifact | None:
    """Bring the artifact of `key` from `location` into `store` (None: it has no record)."""
    record = location.record(key)
    if record is None:
        return None
    return fetch_artifact(store, location, artifact_of(record, key))


def fetch_artifact(store: Store, location: Location, artifact: Artifact) -> Artifact:
    """Bring a known artifact's object from `location` into `store` and record it (a farm's
    head, told by a worker what it made): verified by sha256, or DamagedObject."""
    staged = store.workdir(artifact.key) / f"in.{artifact.ext}"
    try:
        location.fetch(artifact.object, artifact.ext, staged)
        return store.adopt(artifact, staged)
    finally:
        shutil.rmtree(staged.parent, ignore_errors=True)


def push_from(store: Store, location: Location, artifact: Artifact) -> None:
    """Send an artifact of `store` to `location`: its object, then its record."""
    location.push(store.path(artifact), artifact.object, artifact.ext)
    location.put_record(artifact.key, record_of(artifact))


@dataclass
class Exchange:
    """What one exchange did: keys fetched, artifacts pushed, objects refused (why)."""

    fetched: set[str] = field(default_factory=set)
    pushed: int = 0
    refused: list[str] = field(default_factory=list)


def exchange(
    store: Store, location: Location, keys: Iterable[str], have: set[str], *, workers: int = 8
) -> Exchange:
    """For the jobs `keys`: fetch what the location has and the store lacks (`have`: the
    keys the store holds), push what the store has and the location lacks (made before the
    shared store was set, or while it was down). A damaged object there is refused, deleted
    there and said in `refused`: its job runs again (a paid one is recorded as lost, so the
    build refuses to pay for it twice). Any other failure raises StoreError."""
    wanted = list(dict.fromkeys(keys))
    there = location.keys()
    done = Exchange()

    def bring(key: str) -> None:
        try:
            record = location.record(key)
            artifact = artifact_of(record, key) if record is not None else None
        except DamagedObject as exc:
            done.refused.append(f"{exc.message}: made again here")
            return
        if artifact is None:  # pragma: no cover - listed a moment ago, deleted since
            return
        try:
            fetch_artifact(store, location, artifact)
        except DamagedObject as exc:
            if artifact.cost_money > 0 or artifact.cost_gpu > 0:
                # a paid generation: recorded without its file, so make refuses to pay for
                # it again unless told (`--remake-lost`), as for one this store lost
                store.catalog.record(artifact)
                done.refused.append(f"{exc.message} (a paid generation: see below)")
            else:
                done.refused.append(f"{exc.message}: made again here")
            return
        except OSError as exc:
            raise StoreError(f"{artifact.label or key[:8]} cannot be fetched ({exc})") from None
        done.fetched.add(key)

    def send(artifact: Artifact) -> int:
        try:
            push_from(store, location, artifact)
        except OSError as exc:
            raise StoreError(
                f"{artifact.label or artifact.key[:8]} cannot be sent to the shared store "
                f"{location.url} ({exc})"
            ) from None
        return 1

    incoming = [k for k in wanted if k not in have and k in there]
    outgoing = store.catalog.get_many(k for k in wanted if k in have and k not in there)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="shared") as pool:
        list(pool.map(bring, incoming))
        done.pushed = sum(pool.map(send, outgoing.values()))
    return done


__all__ = [
    "Exchange",
    "FolderLocation",
    "Location",
    "S3Location",
    "artifact_of",
    "exchange",
    "fetch_artifact",
    "fetch_into",
    "open_location",
    "push_from",
    "record_of",
]
