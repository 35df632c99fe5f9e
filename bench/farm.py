"""The farm's overhead (issue 21): the bundled example built from a cold store by the local
executor, then on a local Ray cluster of two worker processes (one node, two CPUs), each with
the real `cinecode make` command in a fresh copy of the project.

    python bench/farm.py                 # the bundled example (two full builds: minutes)
    python bench/farm.py --project DIR   # another project (the tiny one of the tests, say)

The cluster is started here (`ray start --head --block --num-cpus 2`, in its own process
group, in a temporary folder) and stopped at the end. The overhead is the farm's wall time
over the local one's, minus one; the target is ≤ 15 %. Both builds must give the same master
(signing is switched off in both copies: a signature carries the time it was made). Prints a
Markdown table; compare ratios, not seconds, across machines.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "the-lighthouse-keeper"
RAY = Path(sys.executable).with_name("ray")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "RAY_USAGE_STATS_ENABLED": "0"}


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".cinecode", "build"))
    toml = target / "film.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[provenance]\nsign = false\n")
    return target


def _make(project: Path, *args: str) -> tuple[float, Path]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "cinecode", "make", str(project), *args],
        env=_env(),
        cwd=project.parent,  # Ray puts the head's working folder on its workers' sys.path
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"make failed:\n{done.stderr[-3000:]}")
    return took, Path(done.stdout.strip().splitlines()[-1])


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=EXAMPLE)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cinecode-farm-bench-"))
    temp = Path(tempfile.mkdtemp(prefix="cc-ray-", dir="/tmp"))  # short: Ray's sockets
    port = _port()
    head = subprocess.Popen(
        [
            str(RAY),
            "start",
            "--head",
            "--block",
            f"--port={port}",
            "--num-cpus=2",
            "--num-gpus=0",
            "--include-dashboard=false",
            f"--temp-dir={temp}",
            f"--ray-client-server-port={_port()}",
        ],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or head.poll() is not None:
                    raise SystemExit("the Ray head did not start") from None
                time.sleep(0.5)
        time.sleep(3)  # the head's raylet registers after its GCS answers
        local, local_master = _make(_copy(args.project, work / "local" / args.project.name))
        farm, farm_master = _make(
            _copy(args.project, work / "farm" / args.project.name), "--farm", f"127.0.0.1:{port}"
        )
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(head.pid, sig)
                head.wait(timeout=15)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        shutil.rmtree(temp, ignore_errors=True)
    same = local_master.read_bytes() == farm_master.read_bytes()
    print(f"| {args.project.name}, cold store | seconds |")
    print("|---|---|")
    print(f"| local executor (2 jobs at once) | {local:.1f} |")
    print(f"| farm: a local Ray cluster, 2 worker processes | {farm:.1f} |")
    print(f"| overhead (target ≤ 15 %) | {100 * (farm / local - 1):+.1f} % |")
    print(f"| same master | {'yes' if same else 'NO'} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
