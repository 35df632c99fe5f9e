"""`make --farm`: the film built on a real Ray cluster that the tests start on this machine
(a head and one more node joined to it, one CPU each), against the local build.

The farm's master is byte for byte the local one; a worker killed mid-build (kill -9) is
replaced and the build completes with every job run once; Ctrl-C at the head cancels the
farm's tasks; a node of another cinecode version is refused, naming both versions; an
unreachable address fails fast, saying how to start a head; jobs no node can run are refused
before anything starts; a hosted service's `concurrency` and `requests_per_minute` hold across
three workers (counted at a loopback provider); a node that sees none of the project's folder
builds through an S3 store (a moto server), the master the local one, byte for byte.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from helpers import CINECODE, cinecode
from loopback import FakeFal, Loopback

from cinecode.errors import FarmError
from cinecode.graph.executor import Input, Output, execute
from cinecode.graph.farm import _refuse_unplaceable, needs
from cinecode.graph.job import Job, Step
from cinecode.graph.reporter import RecordingReporter
from cinecode.graph.store import Store
from cinecode.pipeline.build import make
from cinecode.pipeline.farm import at_head

pytestmark = pytest.mark.xdist_group("farm")
RAY = Path(sys.executable).with_name("ray")
JOBS = 41  # the tiny film's jobs (storyboard, motion, voice, music, effects, edit, mix, master)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(pythonpath: Path = ROOT) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(pythonpath),
        "RAY_USAGE_STATS_ENABLED": "0",
        "COLUMNS": "120",
    }


class Cluster:
    """Ray nodes started with `ray start --block`, each in its own process group."""

    def __init__(self, temp: Path) -> None:
        self.temp = temp
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.nodes: list[subprocess.Popen[bytes]] = []

    def start_head(self, *, cpus: int = 1) -> None:
        self._start(
            "--head",
            f"--port={self.port}",
            f"--ray-client-server-port={_free_port()}",
            f"--temp-dir={self.temp}",
            "--include-dashboard=false",
            cpus=cpus,
        )

    def join(
        self,
        *,
        pythonpath: Path = ROOT,
        env: Mapping[str, str] | None = None,
        hide: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        """A node joined to the head; `hide`: a folder its processes cannot see (a tmpfs
        mounted over it in a mount namespace of their own: another machine's disk)."""
        return self._start(f"--address={self.address}", pythonpath=pythonpath, env=env, hide=hide)

    def _start(
        self,
        *args: str,
        pythonpath: Path = ROOT,
        cpus: int = 1,
        env: Mapping[str, str] | None = None,
        hide: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        alive = len(self.alive())
        command = [str(RAY), "start", "--block", f"--num-cpus={cpus}", "--num-gpus=0", *args]
        if hide is not None:
            mount = 'mount -t tmpfs blind "$0" && exec "$@"'
            command = ["unshare", "--mount", "sh", "-c", mount, str(hide), *command]
        node = subprocess.Popen(
            command,
            env={**_env(pythonpath), **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.nodes.append(node)
        deadline = time.monotonic() + 60
        while len(self.alive()) <= alive:
            assert node.poll() is None, "a Ray node did not start"
            assert time.monotonic() < deadline, "a Ray node did not join within 60 s"
            time.sleep(0.5)
        return node

    def alive(self) -> list[str]:
        """The node ids the cluster counts alive (`ray list nodes` needs the dashboard)."""
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
        except OSError:  # no head yet
            return []
        probe = (
            f"import ray, logging; ray.init(address={self.address!r}, logging_level=logging.ERROR, "
            "log_to_driver=False); print(sum(1 for n in ray.nodes() if n['Alive']))"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], env=_env(), capture_output=True, text=True, timeout=60
        )
        count = int(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else 0
        return ["node"] * count

    def stop(self, node: subprocess.Popen[bytes]) -> None:
        """End a node: its process group (raylet, its workers), SIGTERM then SIGKILL."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(node.pid, sig)
            except ProcessLookupError:
                break
            try:
                node.wait(timeout=10)
            except subprocess.TimeoutExpired:
                continue
        node.wait(timeout=10)

    def close(self) -> None:
        for node in reversed(self.nodes):
            self.stop(node)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    temp = Path(f"/tmp/cc-ray-{os.getpid()}")  # short: Ray's socket paths must fit 107 bytes
    farm = Cluster(temp)
    try:
        farm.start_head()
        farm.join()
        yield farm
    finally:
        farm.close()
        shutil.rmtree(temp, ignore_errors=True)


def _tiny(root: Path) -> Path:
    """The tiny project, unsigned (a signature carries the time it was made)."""
    shutil.copytree(FIXTURES / "tiny", root)
    toml = root / "film.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[provenance]\nsign = false\n")
    return root


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny film built here, by the local executor: its master."""
    root = _tiny(tmp_path_factory.mktemp("local") / "tiny")
    result = make(root, reporter=RecordingReporter())
    assert result.stats.failed == 0 and result.stats.skipped == 0
    return result.master


def _objects(root: Path) -> dict[str, str]:
    """What the project's catalog records: key → object (none while it is being made)."""
    path = root / ".cinecode" / "catalog.sqlite"
    if not path.exists():
        return {}
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT key, object FROM artifacts").fetchall())
    except sqlite3.OperationalError:  # not created yet
        return {}
    finally:
        db.close()


def _tasks() -> list[int]:
    """The pids of worker processes running a farm job now (Ray titles them by the task)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"ray::cinecode:"):  # named by the job: `cinecode:LABEL`
            found.append(int(entry.name))
    return found


def test_the_farm_builds_the_local_master_byte_for_byte(
    cluster: Cluster, local: Path, tmp_path: Path
) -> None:
    root = _tiny(tmp_path / "tiny")
    run = cinecode("make", root, "--farm", cluster.address, "--json")
    assert run.code == 0, run.err
    report = run.json()
    assert report["generated"] + report["rendered"] == JOBS
    assert Path(report["master"]).read_bytes() == local.read_bytes()
    assert _objects(root) == _objects(local.parents[1])  # every artifact, byte for byte
    # the cluster as `cinecode farm` shows it: two nodes, one CPU each, nothing running
    shown = cinecode("farm", root, "--farm", cluster.address, "--json")
    assert shown.code == 0, shown.err
    farm = shown.json()
    assert (farm["cpus"], farm["gpus"], farm["running"], farm["queued"]) == (2, 0, [], 0)
    assert sum(node["alive"] for node in farm["nodes"]) == 2


@pytest.mark.farm
def test_a_worker_killed_mid_job_is_replaced_and_nothing_done_is_redone(
    cluster: Cluster, local: Path, tmp_path: Path
) -> None:
    root = _tiny(tmp_path / "tiny")
    make_run = subprocess.Popen(
        [*CINECODE, "make", str(root), "--farm", cluster.address, "--json"],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed: list[int] = []
    deadline = time.monotonic() + 60
    while not killed and make_run.poll() is None and time.monotonic() < deadline:
        running = _tasks()
        if running and len(_objects(root)) >= 3:  # some jobs done, one running: kill its worker
            os.kill(running[0], signal.SIGKILL)
            killed.append(running[0])
        time.sleep(0.05)
    out, err = make_run.communicate(timeout=300)
    assert killed, "no farm job was caught running"
    assert make_run.returncode == 0, err
    report = __import__("json").loads(out.strip().splitlines()[-1])
    # every job finished once: the killed one ran again elsewhere, none recorded was redone
    assert report["generated"] + report["rendered"] == JOBS
    assert (report["failed"], report["skipped"]) == (0, 0)
    assert Path(report["master"]).read_bytes() == local.read_bytes()
    again = cinecode("make", root, "--farm", cluster.address, "--json")
    assert again.code == 0 and again.json()["generated"] + again.json()["rendered"] == 0


@pytest.mark.farm
def test_ctrl_c_at_the_head_cancels_the_farms_tasks(cluster: Cluster, tmp_path: Path) -> None:
    root = _tiny(tmp_path / "tiny")
    make_run = subprocess.Popen(
        [*CINECODE, "make", str(root), "--farm", cluster.address],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (_tasks() and len(_objects(root)) >= 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _tasks(), "no farm job was caught running"
    # meanwhile `cinecode farm` shows the make's jobs: those running and those waiting
    shown = cinecode("farm", root, "--farm", cluster.address, "--json", cwd=tmp_path)
    assert shown.code == 0, shown.err
    busy = shown.json()
    assert len(busy["running"]) + busy["queued"] > 0
    assert all(isinstance(label, str) and label for label in busy["running"])
    make_run.send_signal(signal.SIGINT)
    _, err = make_run.communicate(timeout=60)
    assert make_run.returncode == 130, err
    assert "every finished job is kept" in err
    assert "Traceback" not in err
    deadline = time.monotonic() + 20
    while _tasks() and time.monotonic() < deadline:  # cancelled: no task keeps running
        time.sleep(0.2)
    assert _tasks() == []
    kept = _objects(root)  # each job recorded the moment it finished, before the Ctrl-C
    assert len(kept) >= 2
    resumed = cinecode("make", root, "--farm", cluster.address, "--json")
    assert resumed.code == 0, resumed.err
    done = resumed.json()
    assert done["generated"] + done["rendered"] == JOBS - len(kept)  # none of them again
    assert _objects(root).items() >= kept.items()


@pytest.mark.farm
def test_a_node_of_another_cinecode_version_is_refused_with_both_versions(
    cluster: Cluster, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(ROOT / "cinecode", other / "cinecode")
    init = other / "cinecode" / "__init__.py"
    text = init.read_text(encoding="utf-8")
    from cinecode import __version__

    init.write_text(text.replace(f'__version__ = "{__version__}"', '__version__ = "0.0.9"'))
    node = cluster.join(pythonpath=other)
    try:
        root = _tiny(tmp_path / "tiny")
        # from another folder: Ray puts the head's working folder on its workers' sys.path
        run = cinecode("make", root, "--farm", cluster.address, cwd=tmp_path)
        assert run.code == 1
        assert f"must run cinecode {__version__}" in run.err
        assert "cinecode 0.0.9" in run.err
        assert not (root / ".cinecode" / "objects").exists() or not any(
            (root / ".cinecode" / "objects").rglob("*.*")
        )  # refused before anything ran
    finally:
        cluster.stop(node)
        cluster.nodes.remove(node)


@pytest.mark.farm
def test_jobs_whose_resource_no_node_offers_are_refused_before_any_job(
    cluster: Cluster, tmp_path: Path
) -> None:
    root = _tiny(tmp_path / "tiny")
    with (root / "film.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[farm.resources]\nsketch = { sdxl = 1 }\n")  # a model no node has
    run = cinecode("make", root, "--farm", cluster.address, cwd=tmp_path)
    assert run.code == 1
    assert "no node of the farm offers what some jobs need" in run.err
    assert re.search(r"\d+ job\(s\) need sdxl 1: keyframe", run.err)
    assert _objects(root) == {}  # nothing started


def test_an_unreachable_farm_fails_fast_naming_it_and_how_to_start_a_head(
    tmp_path: Path,
) -> None:
    root = _tiny(tmp_path / "tiny")
    port = _free_port()  # nothing listens there
    with (root / "film.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[farm]\naddress = "127.0.0.1:{port}"\n')  # as film.toml says
    started = time.monotonic()
    run = cinecode("make", root)
    took = time.monotonic() - started
    assert run.code == 1
    assert f"127.0.0.1:{port}" in run.err and "ray start --head" in run.err
    assert "Traceback" not in run.err
    assert took < 30


@pytest.mark.farm
def test_an_address_that_answers_but_is_no_ray_head_fails_within_30_s(tmp_path: Path) -> None:
    root = _tiny(tmp_path / "tiny")
    with socket.socket() as mute:  # accepts connections, says nothing
        mute.bind(("127.0.0.1", 0))
        mute.listen(16)
        started = time.monotonic()
        run = cinecode("make", root, "--farm", f"127.0.0.1:{mute.getsockname()[1]}")
        took = time.monotonic() - started
    assert run.code == 1 and "is not a Ray head" in run.err and "ray start --head" in run.err
    assert "Traceback" not in run.err and "SIGTERM" not in run.err
    assert took < 30


def test_jobs_no_node_can_run_are_refused_before_anything_starts() -> None:
    keyframe = Step("keyframe", 1, "generate", "storyboard", "png")
    render = Step("segment", 1, "render", "motion", "mp4")
    jobs = [
        keyframe.job({"shot": "1.1"}, label="keyframe 1.1", backend="diffusers"),
        keyframe.job({"shot": "1.2"}, label="keyframe 1.2", backend="diffusers"),
        render.job({"shot": "1.1"}, label="segment 1.1"),
        keyframe.job({"shot": "2.1"}, label="keyframe 2.1", backend="comfyui"),
    ]
    assert needs(jobs[0], {}) == {"CPU": 1.0, "GPU": 1.0}
    assert needs(jobs[2], {}) == {"CPU": 1.0}
    nodes = [{"Resources": {"CPU": 8.0}}, {"Resources": {"CPU": 2.0, "comfy": 1.0}}]
    with pytest.raises(FarmError) as refused:
        _refuse_unplaceable(jobs, nodes, {"comfyui": {"comfy": 2}})
    message = str(refused.value)
    assert "2 job(s) need GPU 1: keyframe 1.1, keyframe 1.2" in message
    assert "1 job(s) need comfy 2: keyframe 2.1" in message
    assert "segment 1.1" not in message
    assert re.search(r"ray start --address .* --num-gpus 1", message)
    # a node with a GPU makes them placeable
    _refuse_unplaceable(jobs[:3], [*nodes, {"Resources": {"CPU": 4.0, "GPU": 1.0}}], {})


def test_paid_and_resumable_jobs_stay_at_the_head_and_ray_only_loads_for_a_farm() -> None:
    keyframe = Step("keyframe", 1, "generate", "storyboard", "png")
    # their provider ids go to the head's catalog before anything waits on them
    assert at_head(keyframe.job({}, label="k", backend="replicate"))
    assert at_head(keyframe.job({}, label="k", backend="comfyui"))
    assert not at_head(keyframe.job({}, label="k", backend="diffusers"))
    assert not at_head(keyframe.job({}, label="k", backend="sketch"))
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, cinecode.cli; print('ray' in sys.modules)"],
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"


def test_artifacts_travel_by_content_key_through_the_shared_store(tmp_path: Path) -> None:
    """A node that cannot read the head's store: inputs fetched from the shared store by
    their sha256, the output sent there and brought back to the head, verified."""
    from cinecode.errors import StoreError
    from cinecode.graph.executor import Input
    from cinecode.graph.farm import Shared, bring_back, fetch_inputs, send_back
    from cinecode.graph.keys import file_digest
    from cinecode.graph.shared import open_location

    shared = Shared(str(tmp_path / "shared"), str(tmp_path))
    location = open_location(shared.url)
    frame = tmp_path / "made-at-the-head.png"
    frame.write_bytes(b"a keyframe")
    digest = file_digest(frame)
    location.push(frame, digest, "png")
    elsewhere = Path("/nonexistent/head/.cinecode/objects/ab") / f"{digest[2:]}.png"
    given = Input("k" * 64, elsewhere, {}, "keyframe", object=digest)
    worker = tmp_path / "worker"
    [fetched] = fetch_inputs([given], shared, worker)
    assert fetched.path.read_bytes() == b"a keyframe" and fetched.path.is_relative_to(worker)
    # the worker's output goes to the shared store; the head fetches it from there
    made = worker / "segment.mp4"
    made.write_bytes(b"a segment")
    send_back(made, file_digest(made), shared)
    head = tmp_path / "head-workdir"
    head.mkdir()
    lost = Path("/nonexistent/worker/segment.mp4")
    back = bring_back(lost, file_digest(made), head, shared)
    assert back.read_bytes() == b"a segment" and back.is_relative_to(head)
    # a worker's scratch folder the head happens to see is not read: the shared store is
    scratch = tmp_path / "scratch" / "segment.mp4"
    scratch.parent.mkdir()
    scratch.write_bytes(b"changed after it was sent")
    again = bring_back(scratch, file_digest(made), head, shared)
    assert again.read_bytes() == b"a segment" and again.is_relative_to(head)
    # an output whose bytes do not match the sha256 the worker sent is refused
    (head / "other.mp4").write_bytes(b"not what was sent")
    with pytest.raises(FarmError, match="does not match the sha256"):
        bring_back(head / "other.mp4", file_digest(made), head, Shared())
    # without a shared store, an input the worker cannot read is a clear error
    with pytest.raises(FarmError, match=r"\[store\] url"):
        fetch_inputs([given], Shared(), worker / "again")
    # a damaged object in the shared store is refused on arrival
    objects = list((tmp_path / "shared").rglob("*.png"))
    assert len(objects) == 1
    objects[0].chmod(0o644)
    objects[0].write_bytes(b"tampered")
    with pytest.raises(StoreError):
        fetch_inputs([given], shared, worker / "third")


class Elsewhere:
    """An offload that runs the `write` jobs "elsewhere" (here, recording them)."""

    def __init__(self) -> None:
        self.prepared: list[str] = []
        self.ran: list[str] = []

    def takes(self, job: Job) -> bool:
        return job.step == "write"

    def prepare(self, jobs: list[Job]) -> None:
        self.prepared = [job.label for job in jobs]

    def pools(self, local: Mapping[str, int]) -> dict[str, int]:
        return {**local, "cpu": 3}

    def run(
        self, job: Job, inputs: list[Input], workdir: Path, cancel: threading.Event
    ) -> tuple[Output, float]:
        self.ran.append(job.label)
        if job.params.get("fail"):
            raise FarmError(f"{job.label} failed on the farm: provider exploded")
        out = workdir / "out.txt"
        out.write_text(str(job.params["text"]))
        return Output(out, {"where": "elsewhere"}), 0.5


@pytest.mark.parametrize("fail", ["", "b"])
def test_the_executor_hands_the_offload_its_jobs_and_keeps_the_books(
    tmp_path: Path, fail: str
) -> None:
    from test_graph import STEPS, graph_of, no_backends

    store = Store(tmp_path / ".cinecode")
    graph = graph_of(["a", "b", "c"], fail=fail)
    farm = Elsewhere()
    stats = execute(
        graph,
        store,
        steps=STEPS,
        backends=no_backends,
        reporter=RecordingReporter(),
        targets=list(graph.targets.values()),
        workers=2,
        offload=farm,
    )
    assert sorted(farm.prepared) == sorted(farm.ran) == ["write a", "write b", "write c"]
    if fail:  # its sibling writes made and recorded, the join that needs it skipped
        assert (stats.generated, stats.rendered, stats.failed, stats.skipped) == (2, 0, 1, 1)
        assert stats.failures == [("write b", "write b failed on the farm: provider exploded")]
        return
    assert (stats.generated, stats.rendered, stats.failed, stats.skipped) == (3, 1, 0, 0)
    joined = store.get(graph.targets["all"])
    assert joined is not None and store.path(joined).read_text() == "a+b+c"  # made here
    made = store.get(graph.jobs[graph.targets["all"]].inputs[0])
    assert made is not None and made.meta == {"where": "elsewhere"} and made.seconds == 0.5


@contextmanager
def _own_cluster(temp: Path) -> Iterator[Cluster]:
    """A cluster of its own (not the module's), closed and its folder removed after."""
    farm = Cluster(temp)
    try:
        yield farm
    finally:
        farm.close()
        shutil.rmtree(temp, ignore_errors=True)


KEY = "CINECODE_FARM_FAL_KEY"


@pytest.mark.farm
def test_a_rate_limit_of_2_at_once_holds_across_3_workers(tmp_path: Path) -> None:
    """Hosted keyframes on a farm of three worker processes, `[services.fal] concurrency = 2`
    and `requests_per_minute`: the provider never answers more than 2 requests at once (and
    does answer 2: the limit is reached, not merely unneeded), nor two less than the
    per-minute interval apart."""
    fal = FakeFal("fal-key", polls=1)
    fal.hold = 0.7  # each request held: without the limit, three at once would overlap
    with Loopback(fal) as server, _own_cluster(Path(f"/tmp/cc-ray3-{os.getpid()}")) as farm:
        farm.start_head(cpus=3)  # three worker processes
        root = _tiny(tmp_path / "tiny")
        with (root / "film.toml").open("a", encoding="utf-8") as toml:
            toml.write(
                '\n[storyboard]\nbackend = "fal"\nmodel = "fal-ai/flux/schnell"\n'
                f'\n[services.fal]\nbase_url = "{server.url}"\napi_key_env = "{KEY}"\n'
                "poll_interval = 0.02\ntimeout = 30\nconcurrency = 2\n"
                "requests_per_minute = 300\n"  # one request each 0.2 s, at most
            )
        key: dict[str, str | None] = {KEY: "fal-key"}
        run = cinecode("make", root, "--farm", farm.address, "--json", cwd=tmp_path, env=key)
        assert run.code == 0, run.err
        assert run.json()["failed"] == 0
    submitted = fal.of("POST", "/fal-ai/flux/schnell")
    assert len(submitted) >= 3  # more keyframes than the limit lets run at once
    assert fal.most_in_flight == 2
    api = sorted(seen.at for seen in fal.requests if not seen.path.startswith("/files/"))
    gaps = [later - earlier for earlier, later in itertools.pairwise(api)]
    assert min(gaps) >= 0.2 * 0.75  # the per-minute limit: requests spaced out


@pytest.mark.farm
def test_a_node_that_cannot_read_the_heads_store_goes_through_s3(
    local: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The only node with CPUs sees none of the project's folder (another machine's disk):
    every input it needs comes from `[store] url = "s3://…"` (a moto server), every output
    goes back through it; the master is the local one, byte for byte, and the bucket holds
    every object the catalog records."""
    import boto3
    from moto.server import ThreadedMotoServer

    caplog.set_level(logging.INFO, logger="werkzeug")  # the S3 server's requests
    port = _free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    s3.start()
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "CINECODE_S3_ENDPOINT": f"http://127.0.0.1:{port}",
    }
    bucket = boto3.client(
        "s3", endpoint_url=env["CINECODE_S3_ENDPOINT"], region_name="us-east-1", **_keys(env)
    )
    bucket.create_bucket(Bucket="films")
    away = tmp_path / "away"  # the project's disk, hidden from the worker node
    scratch, before = Path("/nonexistent"), set[Path]()
    away.mkdir()
    try:
        with _own_cluster(Path(f"/tmp/cc-rays-{os.getpid()}")) as farm:
            farm.start_head(cpus=0)  # the head runs no job: the blind node runs them all
            farm.join(env=env, hide=away)
            scratch = Path(tempfile.gettempdir()) / "cinecode-farm"  # the node's job folders
            before = set(scratch.iterdir()) if scratch.is_dir() else set()
            root = _tiny(away / "tiny")
            with (root / "film.toml").open("a", encoding="utf-8") as toml:
                toml.write('\n[store]\nurl = "s3://films/farm"\n')
            shell: dict[str, str | None] = {**env}
            run = cinecode("make", root, "--farm", farm.address, "--json", cwd=tmp_path, env=shell)
            assert run.code == 0, run.err
        report = run.json()
        assert report["generated"] + report["rendered"] == JOBS
        assert Path(report["master"]).read_bytes() == local.read_bytes()
        # both ways through S3: each output back to the head, and the inputs the node fetched
        got = [r for r in caplog.records if '"GET /films/farm/objects/' in r.getMessage()]
        assert len(got) > JOBS
        assert set(scratch.iterdir()) - before == set()  # sent: nothing stays on the node
        pages = bucket.get_paginator("list_objects_v2").paginate(
            Bucket="films", Prefix="farm/objects/"
        )
        held = {
            o["Key"].rsplit("/", 2)[-2] + o["Key"].rsplit("/", 1)[-1].split(".")[0]
            for page in pages
            for o in page.get("Contents", [])
        }
        assert held == set(_objects(root).values())
    finally:
        s3.stop()
        if scratch.is_dir():
            for folder in set(scratch.iterdir()) - before:
                shutil.rmtree(folder, ignore_errors=True)


def _keys(env: Mapping[str, str]) -> dict[str, str]:
    return {
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
    }
