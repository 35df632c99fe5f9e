"""The catalog: a SQLite (WAL) record of every artifact and how it was made.

Data the tool owns. One row per job key, written in its own transaction the moment the job
finishes, so a crash never loses a finished generation.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.errors import StoreError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS artifacts(
    key TEXT PRIMARY KEY,
    object TEXT NOT NULL,
    ext TEXT NOT NULL,
    size INTEGER NOT NULL,
    step TEXT NOT NULL,
    kind TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    shot TEXT NOT NULL DEFAULT '',
    scene TEXT NOT NULL DEFAULT '',
    take INTEGER NOT NULL DEFAULT 0,
    seed INTEGER,
    backend TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    prompt TEXT NOT NULL DEFAULT '',
    params TEXT NOT NULL DEFAULT '{}',
    inputs TEXT NOT NULL DEFAULT '[]',
    meta TEXT NOT NULL DEFAULT '{}',
    cost_money REAL NOT NULL DEFAULT 0,
    cost_gpu REAL NOT NULL DEFAULT 0,
    est_money REAL NOT NULL DEFAULT 0,
    est_gpu REAL NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS artifacts_takes ON artifacts(shot, created) WHERE take = 1;
CREATE TABLE IF NOT EXISTS files(
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL, finished REAL,
    generated INTEGER NOT NULL DEFAULT 0, reused INTEGER NOT NULL DEFAULT 0,
    rendered INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
    money REAL NOT NULL DEFAULT 0, gpu_seconds REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'running'
);
CREATE TABLE IF NOT EXISTS failures(
    key TEXT NOT NULL, step TEXT NOT NULL, label TEXT NOT NULL, error TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS provider_jobs(
    key TEXT PRIMARY KEY, backend TEXT NOT NULL, provider_id TEXT NOT NULL,
    state TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}', created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS settings(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS charges(
    key TEXT NOT NULL, step TEXT NOT NULL DEFAULT '', department TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '', backend TEXT NOT NULL, provider_id TEXT NOT NULL DEFAULT '',
    money REAL NOT NULL DEFAULT 0, gpu REAL NOT NULL DEFAULT 0, state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '', created REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Charge:
    """What a provider billed for an attempt that became no artifact."""

    key: str  # the job's key
    step: str
    department: str
    label: str
    backend: str
    provider_id: str
    money: float
    gpu: float
    state: str  # "rejected" (its result failed a check), "failed", "superseded"
    note: str
    created: float = 0.0


@dataclass(frozen=True)
class Artifact:
    """A recorded artifact (one catalog row)."""

    key: str
    object: str  # sha256 of the bytes
    ext: str
    size: int
    step: str
    kind: str
    department: str = ""
    label: str = ""
    shot: str = ""
    scene: str = ""
    take: bool = False
    seed: int | None = None
    backend: str = ""
    model: str = ""
    prompt: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    cost_money: float = 0.0
    cost_gpu: float = 0.0
    est_money: float = 0.0
    est_gpu: float = 0.0
    seconds: float = 0.0
    created: float = 0.0


_COLUMNS = [
    "key",
    "object",
    "ext",
    "size",
    "step",
    "kind",
    "department",
    "label",
    "shot",
    "scene",
    "take",
    "seed",
    "backend",
    "model",
    "prompt",
    "params",
    "inputs",
    "meta",
    "cost_money",
    "cost_gpu",
    "est_money",
    "est_gpu",
    "seconds",
    "created",
]


def _row(row: sqlite3.Row | tuple[Any, ...]) -> Artifact:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["take"] = bool(values["take"])
    values["params"] = json.loads(values["params"])
    values["inputs"] = tuple(json.loads(values["inputs"]))
    values["meta"] = json.loads(values["meta"])
    return Artifact(**values)


class Catalog:
    """Thread-safe access to catalog.sqlite."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self._db.execute(
                "INSERT OR IGNORE INTO settings(name, value) VALUES('schema', ?)",
                (str(SCHEMA_VERSION),),
            )
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"the catalog {path} cannot be opened ({exc})",
                hint="if it is damaged, move .cinecode/ aside and build again",
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise

    # --- artifacts ---------------------------------------------------------------------------

    def record(self, artifact: Artifact) -> None:
        """Insert (or replace) one artifact row, committed at once."""
        values = [getattr(artifact, c) for c in _COLUMNS]
        values[_COLUMNS.index("take")] = int(artifact.take)
        for name in ("params", "meta"):
            values[_COLUMNS.index(name)] = json.dumps(getattr(artifact, name), sort_keys=True)
        values[_COLUMNS.index("inputs")] = json.dumps(list(artifact.inputs))
        marks = ",".join("?" for _ in _COLUMNS)
        with self._tx() as db:
            db.execute(
                f"INSERT OR REPLACE INTO artifacts({','.join(_COLUMNS)}) VALUES({marks})", values
            )

    def get(self, key: str) -> Artifact | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {','.join(_COLUMNS)} FROM artifacts WHERE key = ?", (key,)
            ).fetchone()
        return _row(row) if row else None

    def get_many(self, keys: Iterable[str]) -> dict[str, Artifact]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Artifact] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" for _ in chunk)
                rows = self._db.execute(
                    f"SELECT {','.join(_COLUMNS)} FROM artifacts WHERE key IN ({marks})", chunk
                ).fetchall()
                for row in rows:
                    found[row[0]] = _row(row)
        return found

    def objects(self, keys: Iterable[str]) -> dict[str, tuple[str, str, int]]:
        """key → (object, ext, size) of the keys that have a row (cheap: no JSON decoding)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, tuple[str, str, int]] = {}
        with self._lock:
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                marks = ",".join("?" for _ in chunk)
                for key, digest, ext, size in self._db.execute(
                    f"SELECT key, object, ext, size FROM artifacts WHERE key IN ({marks})", chunk
                ):
                    found[key] = (digest, ext, int(size))
        return found

    def latest(self, step: str, label: str) -> Artifact | None:
        """The most recent artifact of a step with this label (to explain what changed)."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {','.join(_COLUMNS)} FROM artifacts WHERE step = ? AND label = ? "
                "ORDER BY created DESC LIMIT 1",
                (step, label),
            ).fetchone()
        return _row(row) if row else None

    def made_by(self, step: str, shot: str | None = None) -> list[Artifact]:
        """Every artifact of a step (of one `shot` field's value), oldest first."""
        query = f"SELECT {','.join(_COLUMNS)} FROM artifacts WHERE step = ?"
        args: tuple[str, ...] = (step,)
        if shot is not None:
            query += " AND shot = ?"
            args = (step, shot)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY created, key", args).fetchall()
        return [_row(r) for r in rows]

    def forget_many(self, keys: Iterable[str]) -> set[tuple[str, str]]:
        """Delete these artifacts' rows in one transaction; the (object, ext) they named
        that no row names any more (for the store to delete)."""
        wanted = list(dict.fromkeys(keys))
        named: set[tuple[str, str]] = set()
        with self._tx() as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" for _ in chunk)
                named |= set(
                    db.execute(
                        f"SELECT object, ext FROM artifacts WHERE key IN ({marks})", chunk
                    ).fetchall()
                )
                db.execute(f"DELETE FROM artifacts WHERE key IN ({marks})", chunk)
            still = set(db.execute("SELECT object, ext FROM artifacts").fetchall())
        return named - still

    def named_objects(self) -> set[tuple[str, str]]:
        """(object, ext) of every row."""
        with self._lock:
            return set(self._db.execute("SELECT object, ext FROM artifacts").fetchall())

    def durations(self) -> dict[tuple[str, str], float]:
        """Seconds the last job of each (step, label) took (to start the longest first)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT step, label, seconds FROM artifacts ORDER BY created"
            ).fetchall()
        return {(step, label): float(seconds) for step, label, seconds in rows}

    def forget(self, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM artifacts WHERE key = ?", (key,))

    def takes(self, shot: str | None = None) -> list[Artifact]:
        """Takes (of one shot, or all), oldest first."""
        query = f"SELECT {','.join(_COLUMNS)} FROM artifacts WHERE take = 1"
        args: tuple[str, ...] = ()
        if shot is not None:
            query += " AND shot = ?"
            args = (shot,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY created, key", args).fetchall()
        return [_row(r) for r in rows]

    def take_count(self) -> int:
        """How many takes the catalog holds (a plan reads nothing else of it)."""
        with self._lock:
            row = self._db.execute("SELECT count(*) FROM artifacts WHERE take = 1").fetchone()
        return int(row[0])

    def all(self) -> list[Artifact]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {','.join(_COLUMNS)} FROM artifacts ORDER BY created"
            ).fetchall()
        return [_row(r) for r in rows]

    def revision(self) -> tuple[int, float, int, float]:
        """What the catalog holds, in brief: (artifacts, newest artifact, failures, newest
        failure). Equal revisions mean nothing was recorded between them (cheap: no JSON)."""
        with self._lock:
            made = self._db.execute("SELECT count(*), max(created) FROM artifacts").fetchone()
            failed = self._db.execute("SELECT count(*), max(time) FROM failures").fetchone()
        return (int(made[0]), float(made[1] or 0), int(failed[0]), float(failed[1] or 0))

    def update_meta(self, key: str, meta: dict[str, Any]) -> None:
        """Merge `meta` into an artifact's meta (scores computed later, …)."""
        with self._tx() as db:
            row = db.execute("SELECT meta FROM artifacts WHERE key = ?", (key,)).fetchone()
            if row is None:
                return
            merged = {**json.loads(row[0]), **meta}
            db.execute(
                "UPDATE artifacts SET meta = ? WHERE key = ?",
                (json.dumps(merged, sort_keys=True), key),
            )

    # --- file digests (user media and references), cached by size and mtime -------------------

    def cached_digest(self, path: str, size: int, mtime_ns: int) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT size, mtime_ns, digest FROM files WHERE path = ?", (path,)
            ).fetchone()
        if row and row[0] == size and row[1] == mtime_ns:
            return str(row[2])
        return None

    def remember_digest(self, path: str, size: int, mtime_ns: int, digest: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO files(path, size, mtime_ns, digest) VALUES(?,?,?,?)",
                (path, size, mtime_ns, digest),
            )

    # --- runs and failures --------------------------------------------------------------------

    def start_run(self) -> int:
        with self._tx() as db:
            cursor = db.execute("INSERT INTO runs(started) VALUES(?)", (time.time(),))
            return int(cursor.lastrowid or 0)

    def finish_run(self, run: int, *, status: str, counts: dict[str, float]) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished=?, generated=?, reused=?, rendered=?, failed=?, "
                "money=?, gpu_seconds=?, status=? WHERE id=?",
                (
                    time.time(),
                    int(counts.get("generated", 0)),
                    int(counts.get("reused", 0)),
                    int(counts.get("rendered", 0)),
                    int(counts.get("failed", 0)),
                    float(counts.get("money", 0.0)),
                    float(counts.get("gpu_seconds", 0.0)),
                    status,
                    run,
                ),
            )

    def failures(self) -> list[tuple[str, str]]:
        """(job key, error) of every failure recorded, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT key, error FROM failures ORDER BY time").fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def record_failure(self, key: str, step: str, label: str, error: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO failures(key, step, label, error, time) VALUES(?,?,?,?,?)",
                (key, step, label, error, time.time()),
            )

    # --- settings (small values the tool keeps: plan cache, …) ---------------------------------

    def setting(self, name: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def set_setting(self, name: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO settings(name, value) VALUES(?, ?)", (name, value))

    # --- provider jobs (hosted generations in flight) -----------------------------------------

    def provider_job(self, key: str) -> tuple[str, str, dict[str, Any]] | None:
        """(backend, provider job id, data) of a hosted job submitted for `key`, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT backend, provider_id, data FROM provider_jobs WHERE key = ?", (key,)
            ).fetchone()
        return (str(row[0]), str(row[1]), json.loads(row[2])) if row else None

    def remember_provider_job(
        self, key: str, backend: str, provider_id: str, data: dict[str, Any] | None = None
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO provider_jobs(key, backend, provider_id, state, data, "
                "created) VALUES(?,?,?,?,?,?)",
                (key, backend, provider_id, "submitted", json.dumps(data or {}), time.time()),
            )

    def set_provider_job_state(self, key: str, state: str) -> None:
        """Mark a hosted job ("submitted", "done")."""
        with self._tx() as db:
            db.execute("UPDATE provider_jobs SET state = ? WHERE key = ?", (state, key))

    def provider_jobs(self) -> list[dict[str, Any]]:
        """Every hosted job the catalog remembers, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, backend, provider_id, state, created FROM provider_jobs "
                "ORDER BY created"
            ).fetchall()
        return [
            {"key": r[0], "backend": r[1], "provider_id": r[2], "state": r[3], "created": r[4]}
            for r in rows
        ]

    def record_charge(self, charge: Charge) -> None:
        """A billed attempt that made no artifact (rejected, failed after billing,
        superseded), recorded the moment it is known: it counts in the ledger and budgets."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO charges(key, step, department, label, backend, provider_id, money, "
                "gpu, state, note, created) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                (
                    charge.key,
                    charge.step,
                    charge.department,
                    charge.label,
                    charge.backend,
                    charge.provider_id,
                    charge.money,
                    charge.gpu,
                    charge.state,
                    charge.note,
                    charge.created or time.time(),
                ),
            )

    def charges(self, key: str | None = None, *, since: float = 0.0) -> list[Charge]:
        """The billed attempts without an artifact (of one job, from `since`), oldest first."""
        query = (
            "SELECT key, step, department, label, backend, provider_id, money, gpu, state, "
            "note, created FROM charges WHERE created >= ?"
        )
        args: list[Any] = [since]
        if key is not None:
            query += " AND key = ?"
            args.append(key)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY created", args).fetchall()
        return [Charge(*row) for row in rows]

    def forget_provider_job(self, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM provider_jobs WHERE key = ?", (key,))
