"""The animatic's cost: the bundled example's full build (cold store) with this tree, against
the same build with an earlier commit's code, in one run (alternating, so load cancels out).

    python bench/animatic.py                    # against a866236 (before the story-telling frames)
    python bench/animatic.py --base REF --rounds 2

The earlier commit is checked out with `git worktree` into a temporary folder and run with
this venv's Python. Prints a Markdown table: each build's seconds and the ratio (target ≤ 1.3×).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import ROOT, copy_example

BASE = "a866236"


def build(source: Path, project: Path) -> float:
    """Seconds for `cinecode make` of a fresh copy of the example with the code in `source`."""
    shutil.rmtree(project, ignore_errors=True)
    copy_example(project)
    env = {**os.environ, "PYTHONPATH": str(source)}
    where = subprocess.run(
        [sys.executable, "-c", "import cinecode; print(cinecode.__file__)"],
        capture_output=True, text=True, env=env, cwd=source, check=True,
    ).stdout  # fmt: skip
    if not Path(where.strip()).is_relative_to(source):
        raise SystemExit(f"{source}'s code is not the one imported ({where.strip()})")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "cinecode", "make", str(project), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=source,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"the build with {source} failed:\n{proc.stderr[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"the earlier commit (default {BASE})")
    parser.add_argument("--rounds", type=int, default=1, help="builds of each (alternating)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cinecode-animatic-") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
            check=True,
            capture_output=True,
        )
        try:
            times: dict[str, list[float]] = {"base": [], "now": []}
            for _ in range(args.rounds):
                times["base"].append(build(base, Path(tmp) / "project"))
                times["now"].append(build(ROOT, Path(tmp) / "project"))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                check=False,
                capture_output=True,
            )
    before, now = statistics.median(times["base"]), statistics.median(times["now"])
    print("| full build of the example | seconds | ratio |")
    print("|---|---:|---:|")
    print(f"| {args.base} (before) | {before:.1f} | 1.00× |")
    print(f"| this tree | {now:.1f} | {now / before:.2f}× |")


if __name__ == "__main__":
    main()
