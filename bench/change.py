"""Where a one-line change's time goes (issue 16): a timeline of one real `cinecode make`.

    python bench/change.py --built DIR        # DIR: a built copy of the example

DIR is copied, one line of dialogue is changed (as bench/run.py does) and the real
`cinecode make --json` runs in a fresh process with its bytecode cached (cinecode's and the
libraries' it imports). Prints, in seconds from the command's spawn: when the build
machinery was imported, when the first job started and the last ended, each job (from the
catalog: its start, its wall seconds, its label), when the stems' export started and when
the command exited; and the CPU-seconds of the whole command (its process and its
children). Run `uptime` alongside: the machine may be shared.
"""

from __future__ import annotations

import argparse
import ast
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import edit_one_line

#: run in the make's own process: wall-clock marks of its phases, on stderr
PROBE = """
import atexit, os, resource, sys, time
def cpu():
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
if sys.argv[2] == "serial":
    os.cpu_count = lambda: 1
marks = [("python", time.time(), cpu())]
import cinecode.pipeline.build as build
import cinecode.pipeline.session as session
from cinecode.departments.steps import STEPS
marks.append(("imported", time.time(), cpu()))
def timed(owner, name, label=None):
    fn = getattr(owner, name) if not isinstance(owner, dict) else owner[name]
    def wrapper(*args, **kwargs):
        t0, c0 = time.time(), cpu()
        try:
            return fn(*args, **kwargs)
        finally:
            what = label or name
            if isinstance(owner, dict):
                what = f"job {args[0].label}"
            marks.append((what, t0, c0, time.time() - t0, cpu() - c0))
    if isinstance(owner, dict):
        owner[name] = wrapper
    else:
        setattr(owner, name, wrapper)
for name in ("export_stems", "sign_stems", "deliver", "_settle"):
    timed(build, name)
timed(session.Session, "open", "Session.open")
timed(session.Session, "replan", "Session.replan")
timed(session.Session, "run", "Session.run")
if sys.argv[2] == "serial":
    for step in list(STEPS):
        timed(STEPS, step)
def report():
    for mark in marks:
        print("MARK", repr(mark), file=sys.stderr)
atexit.register(report)
sys.argv = ["cinecode", "make", sys.argv[1], "--json"]
import runpy
runpy.run_module("cinecode", run_name="__main__")
"""


PACKAGE = Path(__file__).resolve().parents[1] / "cinecode"
#: the libraries a one-line change imports (their bytecode, where PYTHONPYCACHEPREFIX is set)
WARM = "import av, numpy, onnxruntime, PIL.Image, pyloudnorm, scipy.signal, scipy.linalg"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--built", type=Path, required=True, help="a built copy of the example")
    parser.add_argument(
        "--serial", action="store_true", help="one job at a time, each with its CPU-seconds"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="change-") as tmp:
        project = Path(tmp) / "film"
        shutil.copytree(args.built.resolve(), project, symlinks=True)
        edit_one_line(project / "script.fountain")
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # bytecode cached as an installed cinecode has it: cinecode's own modules compiled,
        # and the libraries' (a fresh PYTHONPYCACHEPREFIX would compile scipy in the make)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(PACKAGE)], env=env)
        subprocess.run([sys.executable, "-c", WARM], env=env, check=True)
        cpu0, spawned = cpu_seconds(), time.time()
        mode = "serial" if args.serial else "parallel"
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(project), mode],
            env=env,
            cwd=tmp,
            capture_output=True,
            text=True,
        )
        exited, cpu = time.time(), cpu_seconds() - cpu0
        if done.returncode:
            raise SystemExit(f"the make failed:\n{done.stderr[-2000:]}")
        marks = [ast.literal_eval(x[5:]) for x in done.stderr.splitlines() if x.startswith("MARK ")]
        with sqlite3.connect(project / ".cinecode" / "catalog.sqlite") as db:
            jobs = db.execute(
                "SELECT created - seconds, seconds, step, label FROM artifacts"
                " WHERE created >= ? ORDER BY 1",
                (spawned,),
            ).fetchall()
    print(f"whole: {exited - spawned:.2f} s wall, {cpu:.2f} CPU-s (load {os.getloadavg()[0]:.1f})")
    print("   from →     to    wall     CPU  what")
    for name, at, _, *spent in sorted(marks, key=lambda m: m[1]):
        wall, cpus = spent or (0.0, 0.0)
        start = at - spawned
        print(f"  {start:6.2f} → {start + wall:6.2f}  {wall:5.2f} s {cpus:5.2f} s  {name}")
    for start, seconds, step, label in jobs:
        start -= spawned
        print(f"  {start:6.2f} → {start + seconds:6.2f}  {seconds:5.2f} s          {step}: {label}")
    if jobs:
        print(
            f"  first job {jobs[0][0] - spawned:.2f}, last ended "
            f"{max(a + b for a, b, _, _ in jobs) - spawned:.2f}, exit {exited - spawned:.2f}"
        )


if __name__ == "__main__":
    main()
