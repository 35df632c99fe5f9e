"""A shared store (`[store] url`): one machine's make fills it, a second machine's make with
an empty .cinecode reuses everything from it; a damaged object there is refused and made
again; a store that cannot be used stops the build before any job runs. S3 is a real
S3-compatible server on 127.0.0.1 (moto in server mode)."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import cinecode

from cinecode.backends.protocols import Cost
from cinecode.errors import StoreError
from cinecode.graph.executor import Context, Output, RunStats, execute
from cinecode.graph.job import Graph, Job, Step
from cinecode.graph.keys import file_digest
from cinecode.graph.reporter import RecordingReporter
from cinecode.graph.shared import Location, open_location
from cinecode.graph.store import Store

pytestmark = pytest.mark.xdist_group("shared-store")

SCRIPT = """Title: Moves

INT. LAMP ROOM - NIGHT

[[shot: wide on MARA, 2s]]
Mara climbs the last steps into the lamp room.

[[shot: close on MARA, 1s]]
She looks out.
"""
FILM = """title = "Moves"
seed = 3

[format]
width = 128
height = 72
fps = 8

[characters.MARA]
description = "Mara"

[provenance]
sign = false  # build/moves.mp4 is the store's master, byte for byte

[store]
url = "{url}"
"""
BUCKET = "films"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def project(root: Path, url: str) -> Path:
    """A fresh copy of the two-shot film (a machine with an empty .cinecode)."""
    root.mkdir(parents=True)
    (root / "script.fountain").write_text(SCRIPT)
    (root / "film.toml").write_text(FILM.format(url=url))
    return root


def no_credentials(tmp: Path) -> dict[str, str | None]:
    """An environment where boto3 finds no credentials (nor a profile, nor EC2's)."""
    return {
        "AWS_ACCESS_KEY_ID": None,
        "AWS_SECRET_ACCESS_KEY": None,
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "none"),
        "AWS_CONFIG_FILE": str(tmp / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def make(root: Path, env: dict[str, str | None]) -> dict[str, Any]:
    run = cinecode("make", root, "--json", env=env)
    assert run.code == 0, run.err
    result: dict[str, Any] = run.json()
    result["stderr"] = run.err
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str | None]]:
    """A moto S3 server on 127.0.0.1 with the bucket `films`; the environment to reach it."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env: dict[str, str | None] = {
        **CREDENTIALS,
        "CINECODE_S3_ENDPOINT": f"http://127.0.0.1:{port}",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    client(env).create_bucket(Bucket=BUCKET)
    assert boto3  # imported here: the tests need the `farm` extra
    yield env
    server.stop()


def client(env: dict[str, str | None]) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=env["CINECODE_S3_ENDPOINT"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def listed(env: dict[str, str | None], prefix: str) -> dict[str, int]:
    pages = client(env).get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {o["Key"]: o["Size"] for page in pages for o in page.get("Contents", [])}


def recorded(root: Path) -> dict[str, str]:
    """key → object of every artifact a project's catalog records."""
    with sqlite3.connect(root / ".cinecode" / "catalog.sqlite") as db:
        return dict(db.execute("SELECT key, object FROM artifacts").fetchall())


@pytest.fixture(scope="module")
def first(s3: dict[str, str | None], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The film built once on a first machine, with the S3 store `s3://films/moves`."""
    root = project(tmp_path_factory.mktemp("first") / "film", f"s3://{BUCKET}/moves")
    result = make(root, s3)
    assert result["generated"] > 0 and result["fetched"] == 0
    return root


def test_s3_store_holds_every_artifact_and_a_second_machine_reuses_them(
    s3: dict[str, str | None], first: Path, tmp_path: Path
) -> None:
    made = recorded(first)
    objects = listed(s3, "moves/objects/")
    records = listed(s3, "moves/keys/")
    assert len(records) == len(made)  # one record per job key
    assert {
        name.rsplit("/", 2)[-2] + name.rsplit("/", 1)[-1].split(".")[0] for name in objects
    } == set(made.values())

    second = project(tmp_path / "second", f"s3://{BUCKET}/moves")
    result = make(second, s3)
    assert (result["generated"], result["rendered"], result["failed"]) == (0, 0, 0)
    assert result["fetched"] == result["reused"] == len(made)
    assert "reused from the shared store s3://films/moves" in result["stderr"]
    master = second / "build" / "moves.mp4"
    assert master.read_bytes() == (first / "build" / "moves.mp4").read_bytes()
    assert recorded(second) == made  # the catalog travelled too: same keys, same objects


@pytest.mark.slow
def test_a_damaged_object_in_s3_is_refused_and_made_again(
    s3: dict[str, str | None], first: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(first / ".cinecode" / "catalog.sqlite") as db:
        digest, ext = db.execute(
            "SELECT object, ext FROM artifacts WHERE step = 'keyframe' ORDER BY key"
        ).fetchone()
    damaged = f"moves/objects/{digest[:2]}/{digest[2:]}.{ext}"
    client(s3).put_object(Bucket=BUCKET, Key=damaged, Body=b"not the picture it names")

    third = project(tmp_path / "third", f"s3://{BUCKET}/moves")
    result = make(third, s3)
    said = " ".join(result["stderr"].split())
    assert "is damaged" in said and digest[:12] in said
    assert (result["generated"], result["rendered"]) == (1, 0)  # only the damaged one
    assert result["fetched"] == result["reused"] == len(recorded(first)) - 1
    assert f"reused {result['reused']} ({result['fetched']} from the shared store)" in said
    master = third / "build" / "moves.mp4"
    assert master.read_bytes() == (first / "build" / "moves.mp4").read_bytes()
    # made again here and sent back: the shared object holds its bytes again
    body = client(s3).get_object(Bucket=BUCKET, Key=damaged)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == digest


def test_missing_credentials_stop_make_before_any_job(
    s3: dict[str, str | None], tmp_path: Path
) -> None:
    root = project(tmp_path / "film", f"s3://{BUCKET}/moves")
    env = {**s3, **no_credentials(tmp_path)}
    run = cinecode("make", root, env=env)
    assert run.code == 1
    assert "no credentials for the shared store s3://films/moves" in run.err
    assert "AWS_ACCESS_KEY_ID" in run.err and "Traceback" not in run.err
    assert not (root / "build").exists()
    assert not any((root / ".cinecode" / "objects").iterdir())  # no job ran


def test_an_unreachable_endpoint_or_a_missing_bucket_stop_make(
    s3: dict[str, str | None], tmp_path: Path
) -> None:
    root = project(tmp_path / "film", f"s3://{BUCKET}/moves")
    closed = f"http://127.0.0.1:{free_port()}"
    run = cinecode("make", root, env={**s3, "CINECODE_S3_ENDPOINT": closed}, timeout=120)
    assert run.code == 1 and "Traceback" not in run.err
    said = " ".join(run.err.split())
    assert f"the shared store s3://films/moves at {closed} cannot be reached" in said
    assert "CINECODE_S3_ENDPOINT" in said
    assert not (root / "build").exists()

    (root / "film.toml").write_text(FILM.format(url="s3://no-such-bucket/moves"))
    run = cinecode("make", root, env=s3)
    assert run.code == 1
    assert "the bucket 'no-such-bucket'" in " ".join(run.err.split())
    assert not any((root / ".cinecode" / "objects").iterdir())


@pytest.mark.slow
def test_a_folder_store_works_the_same_way(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    first = make(project(tmp_path / "first", str(shared)), {})
    assert first["generated"] > 0
    assert len(list((shared / "keys").rglob("*.json"))) == len(recorded(tmp_path / "first"))

    second = make(project(tmp_path / "second", f"file://{shared}"), {})
    assert (second["generated"], second["rendered"]) == (0, 0)
    assert second["fetched"] == second["reused"] > 0
    assert (tmp_path / "second" / "build" / "moves.mp4").read_bytes() == (
        tmp_path / "first" / "build" / "moves.mp4"
    ).read_bytes()


def test_a_store_folder_that_is_not_there_is_an_error_before_any_job(tmp_path: Path) -> None:
    root = project(tmp_path / "film", str(tmp_path / "not-mounted"))
    run = cinecode("make", root)
    assert run.code == 1 and "Traceback" not in run.err
    said = " ".join(run.err.split())
    assert f"the shared store {tmp_path / 'not-mounted'} is not a folder here" in said
    assert "mkdir -p" in said
    assert not (root / "build").exists()


def test_an_unknown_store_scheme_is_a_film_toml_error(tmp_path: Path) -> None:
    root = project(tmp_path / "film", "ftp://films/moves")
    run = cinecode("make", root)
    assert run.code == 1
    line = FILM.splitlines().index('url = "{url}"') + 1
    assert f"film.toml:{line}" in run.err and "ftp://" in run.err


STREAM = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    from cinecode.graph.shared import open_location

    path, digest, url = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    location = open_location(url)
    location.check()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert location.push(path, digest, "bin")
    assert not location.push(path, digest, "bin")  # there already: nothing sent
    location.fetch(digest, "bin", path.with_name("back.bin"))
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
    """
)


@pytest.mark.slow
def test_a_large_object_travels_streamed(s3: dict[str, str | None], tmp_path: Path) -> None:
    """200 MiB pushed to S3 and fetched back: the process grows by far less than the file."""
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        for _ in range(200):
            out.write(os.urandom(1 << 20))
    digest = file_digest(big)
    env = {k: v for k, v in {**os.environ, **s3}.items() if v is not None}
    run = subprocess.run(
        [sys.executable, "-c", STREAM, str(big), digest, f"s3://{BUCKET}/large"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    grown_mib = int(run.stdout.strip().splitlines()[-1])
    assert grown_mib < 50, f"the process grew by {grown_mib} MiB for a 200 MiB object"
    assert file_digest(tmp_path / "back.bin") == digest


# --- the executor's half, with small synthetic steps -------------------------------------------

PAID = Step("paid", 1, "generate", "storyboard", "txt")
JOIN = Step("join", 1, "render", "edit", "txt")


def run_paid(job: Job, ctx: Context) -> Output:
    out = ctx.workdir / "out.txt"
    out.write_text(str(job.params["text"]))
    return Output(out, cost=Cost(money=0.5))


def run_join(job: Job, ctx: Context) -> Output:
    out = ctx.workdir / "out.txt"
    out.write_text("+".join(i.path.read_text() for i in ctx.inputs))
    return Output(out)


def build(
    store: Store, location: Location, reporter: RecordingReporter | None = None, **options: Any
) -> RunStats:
    graph = Graph()
    keys = tuple(graph.add(PAID.job({"text": t}, label=f"paid {t}")) for t in "ab")
    graph.targets["all"] = graph.add(JOIN.job({}, keys, label="join"))
    return execute(
        graph,
        store,
        steps={"paid": run_paid, "join": run_join},
        backends=lambda *args: None,
        reporter=reporter or RecordingReporter(),
        targets=[graph.targets["all"]],
        workers=2,
        shared=location,
        **options,
    )


def test_a_damaged_paid_generation_is_never_paid_for_twice_silently(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    location = open_location(str(tmp_path / "shared"))
    made = build(Store(tmp_path / "one"), location)
    assert (made.generated, made.rendered, made.cost.money) == (2, 1, 1.0)
    one = Store(tmp_path / "one").catalog.all()
    paid = next(a for a in one if a.label == "paid a")
    damaged = tmp_path / "shared" / "objects" / paid.object[:2] / f"{paid.object[2:]}.txt"
    damaged.write_text("not a")

    two, reporter = Store(tmp_path / "two"), RecordingReporter()
    with pytest.raises(StoreError, match=r"1 paid generation\(s\) are lost from the store: paid a"):
        build(two, location, reporter)
    (warning,) = reporter.of("warning")
    assert "is damaged" in warning and paid.object[:12] in warning
    assert not damaged.exists()  # refused and deleted there; the rest was fetched
    assert {a.label for a in two.catalog.all()} == {"paid a", "paid b", "join"}
    # told to pay again: only it is made here, and its bytes go back
    stats = build(two, location, remake_lost=True)
    assert (stats.generated, stats.rendered, stats.reused, stats.cost.money) == (1, 0, 2, 0.5)
    assert damaged.read_text() == "a"


def test_an_unpaid_damaged_object_is_made_again(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    location = open_location(f"file://{tmp_path / 'shared'}")
    build(Store(tmp_path / "one"), location)
    join = next(a for a in Store(tmp_path / "one").catalog.all() if a.label == "join")
    damaged = tmp_path / "shared" / "objects" / join.object[:2] / f"{join.object[2:]}.txt"
    damaged.write_text("a+c")
    stats = build(Store(tmp_path / "two"), location)
    assert (stats.generated, stats.rendered, stats.fetched) == (0, 1, 2)
    assert damaged.read_text() == "a+b"
