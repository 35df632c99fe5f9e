"""What signing costs after the last job of a one-line change (issue 16): the wall and CPU
seconds (the make's own process and its children) from the start of the stems' export to
the command's exit, where the master and the stems are delivered and signed.

    python bench/sign_tail.py --built DIR                 # this checkout's cinecode
    python bench/sign_tail.py --built DIR --old TREE      # and another tree's, alternately

DIR is a built copy of the example (bench/overhead.py --built takes the same). Each round
copies it, changes one line of dialogue (as bench/run.py does) and runs the real
`cinecode make --json` in a fresh process with its bytecode cached; with --old, the two trees
take turns, so the machine's other work falls on both. Prints one line a run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import edit_one_line

HERE = Path(__file__).resolve().parent.parent
#: run in the make's own process: times from export_stems to exit (atexit)
PROBE = """
import atexit, resource, runpy, sys, time
import cinecode.pipeline.build as build
mark = {}
def cpu():
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
export = build.export_stems
def export_stems(*args, **kwargs):
    mark.setdefault("wall", time.perf_counter())
    mark.setdefault("cpu", cpu())
    return export(*args, **kwargs)
build.export_stems = export_stems
def report():
    if mark:
        wall, used = time.perf_counter() - mark["wall"], cpu() - mark["cpu"]
        print(f"TAIL {wall:.2f} {used:.2f}", file=sys.stderr)
atexit.register(report)
sys.argv = ["cinecode", "make", sys.argv[1], "--json"]
runpy.run_module("cinecode", run_name="__main__")
"""


def tail(tree: Path, built: Path, folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one one-line change's tail with `tree`'s cinecode."""
    project = folder / "film"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(built, project, symlinks=True)
    edit_one_line(project / "script.fountain")
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONPYCACHEPREFIX": str(folder / "pyc")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(project)],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
    )
    line = next((x for x in done.stderr.splitlines() if x.startswith("TAIL ")), None)
    if done.returncode or line is None:
        raise SystemExit(f"the make failed:\n{done.stderr[-2000:]}")
    shutil.rmtree(project, ignore_errors=True)
    wall, used = line.split()[1:]
    return float(wall), float(used)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--built", type=Path, required=True, help="a built copy of the example")
    parser.add_argument("--old", type=Path, help="another tree to measure alternately")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    trees = {"this tree": HERE} | ({"old": args.old.resolve()} if args.old else {})
    with tempfile.TemporaryDirectory(prefix="sign-tail-") as tmp:
        for round_ in range(1, args.rounds + 1):
            for name, tree in reversed(trees.items()):
                wall, used = tail(tree, args.built.resolve(), Path(tmp))
                load = os.getloadavg()[0]
                print(
                    f"{name}, round {round_}: {wall:.2f} s wall, {used:.2f} CPU-s (load {load:.1f})"
                )


if __name__ == "__main__":
    main()
