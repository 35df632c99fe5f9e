"""The farm: `make --farm` runs jobs as Ray tasks on a cluster; the plan and the catalog stay
with the head (this process, the one writer).

```
1. connect   the address answers (else FarmError within seconds, saying how to start a head)
2. check     every node runs this cinecode version; some node offers what each job needs
3. run       a job is a Ray task with its resources; the worker runs it from its params and
             its inputs' artifacts alone and leaves its output in the job's workdir
4. back      the head verifies the output's sha256 (`bring_back`) before the store records it
```
Ray is imported here only, and only when a farm is used (`pip install 'cinecode[farm]'`).
Artifacts travel through three functions: `fetch_inputs` and `send_back` on the worker,
`bring_back` on the head. A node that sees the project's store (a shared filesystem) reads
inputs and leaves outputs in place; one that does not goes through the shared store of
`[store] url` (a folder or S3, `graph.shared`), by content key, sha256 verified on arrival.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinecode.backends.protocols import Cost
from cinecode.errors import Cancelled, CinecodeError, FarmError
from cinecode.graph.executor import Input, Output
from cinecode.graph.job import Job
from cinecode.graph.keys import file_digest
from cinecode.graph.shared import Location, open_location

#: what runs a job on a worker: (job, its inputs, a fresh workdir) → its output there
Work = Callable[[Job, list[Input], Path], Output]

#: engines whose jobs need a GPU unless `[farm.resources]` says otherwise
GPU_ENGINES = {"diffusers": {"GPU": 1.0}, "realesrgan": {"GPU": 1.0}}
START_HEAD = "start one with `ray start --head --port 6379` on the head machine"
JOIN_WITHIN = 20.0  # seconds: an unreachable farm fails make within 30 s
RETRIES = 3  # a worker that dies mid-job: Ray runs the task again elsewhere, this many times


def needs(job: Job, resources: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """The Ray resources a job asks for: one CPU, plus its engine's (a GPU for diffusers and
    Real-ESRGAN, or what `[farm.resources.ENGINE]` says)."""
    extra = resources.get(job.backend, GPU_ENGINES.get(job.backend, {}))
    return {"CPU": 1.0, **{name: float(amount) for name, amount in extra.items()}}


# 1. connect


def _split(address: str) -> tuple[str, int] | None:
    """(host, port) of an address to probe, None for "auto"."""
    if address == "auto":
        return None
    rest = address.removeprefix("ray://")
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise FarmError(
            f"farm address {address!r} is not host:port",
            hint='give "auto", "host:6379" or "ray://host:10001"',
        )
    return host, int(port)


def _not_main_thread(record: logging.LogRecord) -> bool:
    """Ray's note that ray.init ran off the main thread (as `connect` runs it): not said."""
    return "SIGTERM handler is not set" not in record.getMessage()


def connect(address: str, *, timeout: float = 10.0) -> Any:
    """Connect this process to the cluster at `address` (Ray's module, connected)."""
    try:
        import ray
    except ImportError as exc:
        raise FarmError(
            "`--farm` needs Ray, which is not installed", hint="pip install 'cinecode[farm]'"
        ) from exc
    where = _split(address)
    if where is not None:
        try:
            socket.create_connection(where, timeout=timeout).close()
        except OSError as exc:
            raise FarmError(
                f"the farm at {address} does not answer ({exc.strerror or exc})",
                hint=START_HEAD + f", then `cinecode make --farm {address}`",
            ) from exc
    if ray.is_initialized():
        ray.shutdown()
    # something that answers but is no Ray head would keep ray.init retrying for minutes:
    # it runs aside, and make gives up after `JOIN_WITHIN` seconds
    failure: list[BaseException] = []

    def join() -> None:
        try:
            ray.init(
                address=address,
                logging_level=logging.ERROR,
                log_to_driver=False,
                configure_logging=False,
                namespace="cinecode",
            )
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    logging.getLogger("ray._private.worker").addFilter(_not_main_thread)
    joining = threading.Thread(target=join, name="cinecode-farm-join", daemon=True)
    joining.start()
    joining.join(JOIN_WITHIN)
    if joining.is_alive():
        raise FarmError(
            f"the farm at {address} answers but is not a Ray head (no answer in {JOIN_WITHIN:g} s)",
            hint=START_HEAD + f", then `cinecode make --farm {address}`",
        )
    if failure:
        raise FarmError(
            f"the farm at {address} cannot be joined: {failure[0]}", hint=START_HEAD
        ) from failure[0]
    return ray


# 2. check


def _version() -> str:
    """The cinecode version of the worker this runs on."""
    from cinecode import __version__

    return __version__


def _check_versions(ray: Any, version: str, *, timeout: float = 60.0) -> list[dict[str, Any]]:
    """The alive nodes, each asked for its cinecode version; FarmError if one differs."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = [node for node in ray.nodes() if node.get("Alive")]
    probe = ray.remote(num_cpus=0, max_retries=0)(_version)
    refs = [
        probe.options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
        ).remote()
        for node in nodes
    ]
    wrong: list[str] = []
    for node, ref in zip(nodes, refs, strict=True):
        name = node.get("NodeManagerAddress", node["NodeID"][:8])
        try:
            theirs = ray.get(ref, timeout=timeout)
        except Exception as exc:  # a node whose workers cannot import cinecode at all
            wrong.append(f"{name}: cannot run cinecode ({type(exc).__name__})")
            continue
        node["cinecode"] = theirs
        if theirs != version:
            wrong.append(f"{name}: cinecode {theirs}")
    if wrong:
        raise FarmError(
            f"the farm's nodes must run cinecode {version}, as the head does; " + "; ".join(wrong),
            hint=f"install cinecode {version} on every node (`pip install 'cinecode[farm]=="
            f"{version}'`), then restart its `ray start`",
        )
    return nodes


def _refuse_unplaceable(
    jobs: list[Job], nodes: list[dict[str, Any]], resources: Mapping[str, Mapping[str, float]]
) -> None:
    """FarmError naming the jobs no node could ever run, and the resource they lack."""
    missing: dict[str, list[str]] = {}
    for job in jobs:
        want = needs(job, resources)
        if any(
            all(node.get("Resources", {}).get(name, 0.0) >= amount for name, amount in want.items())
            for node in nodes
        ):
            continue
        lacking = [
            name
            for name, amount in want.items()
            if not any(node.get("Resources", {}).get(name, 0.0) >= amount for node in nodes)
        ]
        what = ", ".join(f"{name} {want[name]:g}" for name in lacking) or "all of " + ", ".join(
            f"{name} {amount:g}" for name, amount in want.items()
        )
        missing.setdefault(what, []).append(job.label)
    if missing:
        parts = []
        for what, labels in missing.items():
            more = f" and {len(labels) - 5} more" if len(labels) > 5 else ""
            parts.append(f"{len(labels)} job(s) need {what}: {', '.join(labels[:5])}{more}")
        raise FarmError(
            "no node of the farm offers what some jobs need, so nothing was started: "
            + "; ".join(parts),
            hint="join a node that has it (`ray start --address HEAD:6379 --num-gpus 1`, or "
            "`--resources '{\"NAME\": 1}'`), or change `[farm.resources]` in film.toml",
        )


# 3-4. run, and the artifacts' travel


@dataclass(frozen=True)
class Shared:
    """The shared store the artifacts travel through when a node cannot read the head's
    (`[store] url`: a folder or an S3 prefix, opened on each worker; see graph/shared)."""

    url: str = ""
    base: str = ""  # the project's folder, for a relative url

    def location(self) -> Location | None:
        if not self.url:
            return None
        with _LOCATIONS_LOCK:
            if self.url not in _LOCATIONS:
                _LOCATIONS[self.url] = open_location(self.url, base=Path(self.base))
            return _LOCATIONS[self.url]


_LOCATIONS: dict[str, Location] = {}  # one per worker process and url
_LOCATIONS_LOCK = threading.Lock()


def fetch_inputs(inputs: list[Input], shared: Shared, here: Path) -> list[Input]:
    """On a worker: the job's inputs as files it can read. Those it sees at the head's path
    (a shared filesystem) as they are; the others fetched by content key from the shared
    store into `here`, their sha256 verified on arrival."""
    location = shared.location()
    out = []
    for item in inputs:
        if item.path.is_file():
            out.append(item)
            continue
        if location is None or not item.object:
            raise FarmError(
                f"this worker cannot read input {item.key[:8]} at {item.path}",
                hint="every node must see the project's store at the same path (a shared "
                "filesystem), or set a shared store: [store] url in film.toml (docs/farm.md)",
            )
        ext = item.path.suffix.removeprefix(".")
        dest = here / "inputs" / f"{item.object}.{ext}"
        if not dest.is_file():
            location.fetch(item.object, ext, dest)
        out.append(dataclasses.replace(item, path=dest))
    return out


def send_back(path: Path, digest: str, shared: Shared) -> None:
    """On a worker: its output sent to the shared store (if any) under its content key, so
    a head that cannot read the worker's folder fetches it from there."""
    location = shared.location()
    if location is not None:
        location.push(path, digest, path.suffix.removeprefix("."))


def bring_back(path: Path, digest: str, workdir: Path, shared: Shared) -> Path:
    """On the head: the file a worker made, here and verified against the sha256 it sent:
    read in its workdir (a shared filesystem), else fetched from the shared store. A file
    outside the workdir (another node's scratch folder that this machine happens to see,
    as on one machine) is never read: it comes from the shared store when there is one."""
    here = Path(path)
    outside = here.is_file() and not here.resolve().is_relative_to(workdir.resolve())
    if not here.is_file() or (outside and shared.url):
        location = shared.location()
        if location is None:
            raise FarmError(
                f"the worker's output {path} cannot be read here",
                hint="the head must see the workers' job folders (a shared filesystem), or "
                "set a shared store: [store] url in film.toml (docs/farm.md)",
            )
        here = workdir / f"back{here.suffix}"
        location.fetch(digest, here.suffix.removeprefix("."), here)  # verified on arrival
        return here
    if not here.resolve().is_relative_to(workdir.resolve()):
        raise FarmError(f"the worker's output {path} is not in its workdir {workdir}")
    if file_digest(here) != digest:
        raise FarmError(
            f"the worker's output {here.name} does not match the sha256 it sent",
            hint="run make again: the job runs anew",
        )
    return here


@dataclass(frozen=True)
class Done:
    """What a task sends back: where its output is, its sha256 and the facts about it."""

    path: str
    sha256: str
    meta: dict[str, Any]
    money: float
    gpu: float
    model: str
    seconds: float


def run_job(
    work: Work, job: Job, inputs: list[Input], workdir: str, version: str, shared: Shared
) -> Done:
    """The Ray task: run `job` with `work` in a fresh folder under `workdir` (one per try;
    made here when this node does not see the head's)."""
    import tempfile

    if _version() != version:
        raise FarmError(
            f"this worker runs cinecode {_version()}, the head {version}",
            hint=f"install cinecode {version} on every node",
        )
    started = time.monotonic()
    folder = Path(workdir)
    if not folder.is_dir():  # another machine: its own scratch folder
        folder = Path(tempfile.gettempdir()) / "cinecode-farm" / folder.name
        folder.mkdir(parents=True, exist_ok=True)
    attempt = Path(tempfile.mkdtemp(prefix="try-", dir=folder))
    output = work(job, fetch_inputs(inputs, shared, attempt), attempt)
    digest = file_digest(output.path)
    send_back(output.path, digest, shared)
    if folder != Path(workdir) and shared.url:  # sent: nothing of it stays on this node
        shutil.rmtree(attempt, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder.rmdir()  # unless another try of the job left something there
    return Done(
        path=str(output.path),
        sha256=digest,
        meta=output.meta,
        money=output.cost.money,
        gpu=output.cost.gpu_seconds,
        model=output.model,
        seconds=time.monotonic() - started,
    )


@dataclass
class Farm:
    """The executor's offload (`graph.executor.Offload`) onto a Ray cluster."""

    address: str
    work: Work
    at_head: Callable[[Job], bool]  # jobs that stay here (hosted: their tickets live here)
    resources: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    status_path: Path | None = None  # where `cinecode farm` reads what runs
    shared: Shared = Shared()  # the shared store, when film.toml names one
    _ray: Any = None
    _task: Any = None  # run_job as a Ray remote function
    _nodes: list[dict[str, Any]] = field(default_factory=list)
    _running: dict[str, str] = field(default_factory=dict)  # key → label
    _queued: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self) -> Farm:
        """Connect and check the nodes' versions (FarmError when either fails)."""
        from cinecode import __version__

        self._ray = connect(self.address)
        self._task = self._ray.remote(run_job)
        self._nodes = _check_versions(self._ray, __version__)
        return self

    @property
    def capacity(self) -> dict[str, float]:
        total: dict[str, float] = {}
        for node in self._nodes:
            for name, amount in node.get("Resources", {}).items():
                total[name] = total.get(name, 0.0) + amount
        return total

    @property
    def slots(self) -> int:
        """Jobs at once the farm can run (its CPUs)."""
        return max(1, int(self.capacity.get("CPU", 1)))

    def takes(self, job: Job) -> bool:
        return not self.at_head(job)

    def prepare(self, jobs: list[Job]) -> None:
        _refuse_unplaceable(jobs, self._nodes, self.resources)
        with self._lock:
            self._queued = len(jobs)
        self._write_status()

    def pools(self, local: Mapping[str, int]) -> dict[str, int]:
        """The farm's jobs are limited by Ray's resources; hosted pools keep theirs."""
        out = dict(local)
        for name in ("cpu", "sketch", "piper"):
            out[name] = self.slots
        gpus = int(self.capacity.get("GPU", 0))
        for name in GPU_ENGINES:
            out[name] = max(1, gpus)
        return out

    def run(
        self, job: Job, inputs: list[Input], workdir: Path, cancel: threading.Event
    ) -> tuple[Output, float]:
        ray = self._ray
        want = needs(job, self.resources)
        task = self._task.options(
            num_cpus=want.pop("CPU"),
            num_gpus=want.pop("GPU", 0.0),
            resources=want,
            max_retries=RETRIES,
            retry_exceptions=False,
            name=f"cinecode:{job.label}"[:100],
        )
        ref = task.remote(self.work, job, inputs, str(workdir), _version(), self.shared)
        self._started(job)
        try:
            while not ray.wait([ref], timeout=0.5)[0]:
                if cancel.is_set():
                    ray.cancel(ref, force=True)
                    raise Cancelled()
            try:
                done: Done = ray.get(ref)
            except ray.exceptions.RayTaskError as exc:
                cause = exc.cause
                if isinstance(cause, CinecodeError):
                    raise cause from None
                raise FarmError(f"{job.label} failed on the farm: {cause or exc}") from None
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as exc:
                raise FarmError(
                    f"{job.label}: its worker died {RETRIES + 1} times ({type(exc).__name__})"
                ) from None
        finally:
            self._finished(job)
        path = bring_back(Path(done.path), done.sha256, workdir, self.shared)
        output = Output(path, done.meta, Cost(done.money, done.gpu), done.model)
        return output, done.seconds

    # what `cinecode farm` shows

    def _started(self, job: Job) -> None:
        with self._lock:
            self._running[job.key] = job.label
            self._queued = max(0, self._queued - 1)
        self._write_status()

    def _finished(self, job: Job) -> None:
        with self._lock:
            self._running.pop(job.key, None)
        self._write_status()

    def _write_status(self) -> None:
        if self.status_path is None:
            return
        with self._lock:
            data = {
                "address": self.address,
                "pid": os.getpid(),
                "running": sorted(self._running.values()),
                "queued": self._queued,
                "time": time.time(),
            }
            part = self.status_path.with_suffix(".part")
            part.write_text(json.dumps(data), encoding="utf-8")
            os.replace(part, self.status_path)

    def close(self) -> None:
        if self.status_path is not None:
            self.status_path.unlink(missing_ok=True)
        if self._ray is not None and self._ray.is_initialized():
            self._ray.shutdown()


def cluster(address: str) -> dict[str, Any]:
    """The cluster at `address`: its nodes (resources, what is free) and totals."""
    ray = connect(address)
    try:
        nodes = [
            {
                "address": node.get("NodeManagerAddress", ""),
                "id": node["NodeID"],
                "alive": bool(node.get("Alive")),
                "cpus": node.get("Resources", {}).get("CPU", 0.0),
                "gpus": node.get("Resources", {}).get("GPU", 0.0),
                "resources": {
                    name: amount
                    for name, amount in node.get("Resources", {}).items()
                    if not name.startswith(("node:", "memory", "object_store_memory"))
                },
            }
            for node in ray.nodes()
        ]
        total, free = ray.cluster_resources(), ray.available_resources()
        return {
            "address": address,
            "nodes": nodes,
            "cpus": total.get("CPU", 0.0),
            "gpus": total.get("GPU", 0.0),
            "cpus_free": free.get("CPU", 0.0),
            "gpus_free": free.get("GPU", 0.0),
        }
    finally:
        ray.shutdown()
