"""The fixed overhead of a make that changes one thing (issue 16, goal 1).

    python bench/overhead.py             # the bundled example (builds it once: a few minutes)
    python bench/overhead.py --feature   # also Big Fish at 320x180 (its full build: ~15 min)
    python bench/overhead.py --plan-only DIR # import, load and plan of a project already
                                             # built (a copy of its files and its catalog)
    python bench/overhead.py --built DIR     # the example, from a copy of a build of it
                                             # (skips the full build; same code, same keys)

The project is copied to a temporary folder and built with the real `cinecode` command;
then, each in a fresh process (best of three, to keep the machine's other work out):

- **import**: `import cinecode.pipeline.build` (the build machinery a make loads before it
  can plan), and the interpreter's own start-up (`python -c pass`) beside it.
- **load**: `Session.open` — film.toml, the screenplay, the breakdown and its checks.
- **plan**: `Session.replan` — the state (file digests, the catalog's takes, picks, cast)
  and the graph of keyed jobs.
- **one-line change, overhead**: the real `cinecode make --json` after a dialogue edit (as in
  bench/run.py). Its jobs run in parallel, so "the command minus the jobs' time" has no sound
  meaning; what the make costs besides its jobs is the time from spawning the command to the
  first job starting, plus the time from the last job finishing to the command's exit
  (export, stamp, exit). Job times come from the catalog, which records when each artifact
  was stored (`created`, wall clock) and how long its job ran (`seconds`): a job started at
  `created - seconds`.
- **re-making only the master**: the master's catalog row and the no-op stamp are removed
  (what a change that touches only the master leaves to do: the reels stay in the store), then
  the real `cinecode make` runs, as a whole command. It is compared, in the same run, with a
  bare `ffmpeg -f concat -safe 0 -i list -c copy -movflags +faststart` of the same reels
  (the ffmpeg that cinecode uses). Both commands run three times alternately; the best of
  each is kept.

Every command runs with its bytecode cached (in a temporary PYTHONPYCACHEPREFIX, even where
PYTHONDONTWRITEBYTECODE is set), as an installed cinecode has it: compiling the package's
sources on every start would add about a second that no user pays. To measure another tree
(an earlier commit's `cinecode/`, say), run from outside the checkout with PYTHONPATH set to
it: `python -c` puts the working directory first on sys.path. Prints a Markdown table;
compare ratios, not seconds, across machines.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import CLI, copy_example, edit_one_line, feature_project, timed

PYTHON = sys.executable
RUNS = 3

TIMED = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
import cinecode.pipeline.build
from cinecode.pipeline.session import Session
t1 = time.perf_counter()
session = Session.open(Path(sys.argv[1]), write=False)
t2 = time.perf_counter()
session.replan()
t3 = time.perf_counter()
jobs = len(session.plan.graph.jobs)
session.close()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "plan": t3 - t2, "jobs": jobs}))
"""

MASTER = """
import json, sys
from pathlib import Path
from cinecode.pipeline.session import Session
with Session.open(Path(sys.argv[1]), write=False) as session:
    store = session.require_store()
    plan = session.plan
    master = plan.graph.jobs[plan.targets["master"]]
    reels = [str(store.path(store.get(key))) for key in master.inputs]
    print(json.dumps({"master": master.key, "reels": reels}))
"""


def run_json(cmd: list[str]) -> dict[str, object]:
    return timed(cmd)[1]


def best_seconds(cmd: list[str], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def phases(project: Path) -> dict[str, float]:
    """Import, load and plan, each the best of three fresh processes."""
    rows = [run_json([PYTHON, "-c", TIMED, str(project)]) for _ in range(RUNS)]
    out = {name: min(float(r[name]) for r in rows) for name in ("import", "load", "plan")}  # type: ignore[arg-type]
    out["startup"] = best_seconds([PYTHON, "-c", "pass"])
    out["jobs"] = float(rows[0]["jobs"])  # type: ignore[arg-type]
    return out


def catalog_rows(project: Path, since: float) -> list[tuple[float, float]]:
    """(started, finished) wall-clock times of the jobs stored after `since`."""
    with sqlite3.connect(project / ".cinecode" / "catalog.sqlite") as db:
        rows = db.execute(
            "SELECT created - seconds, created FROM artifacts WHERE created >= ?", (since,)
        ).fetchall()
    return [(float(a), float(b)) for a, b in rows]


def change_overhead(project: Path) -> dict[str, float]:
    """A one-line change made for real: the whole command, and its time outside the jobs."""
    edit_one_line(project / "script.fountain")
    spawned = time.time()
    run_json([*CLI, "make", str(project), "--json"])
    exited = time.time()
    jobs = catalog_rows(project, spawned)
    if not jobs:
        raise SystemExit("the one-line change ran no job")
    head = min(start for start, _ in jobs) - spawned
    tail = exited - max(end for _, end in jobs)
    return {"whole": exited - spawned, "head": head, "tail": tail, "ran": len(jobs)}


def master_ratio(project: Path, folder: Path) -> dict[str, float]:
    """Re-making only the master with cinecode vs a bare ffmpeg concat of the same reels."""
    from cinecode.media.ffmpeg import ffmpeg_exe

    found = run_json([PYTHON, "-c", MASTER, str(project)])
    reels = [Path(str(p)) for p in found["reels"]]  # type: ignore[attr-defined]
    listing = folder / "reels.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in reels), encoding="utf-8")
    bare = [ffmpeg_exe(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing)]
    bare += ["-c", "copy", "-movflags", "+faststart", str(folder / "bare.mp4")]
    ours, theirs = [], []
    for _ in range(RUNS):
        with sqlite3.connect(project / ".cinecode" / "catalog.sqlite") as db:
            db.execute("DELETE FROM artifacts WHERE key = ?", (found["master"],))
        (project / ".cinecode" / "last-make.json").unlink(missing_ok=True)
        started = time.perf_counter()
        result = run_json([*CLI, "make", str(project), "--json"])
        ours.append(time.perf_counter() - started)
        if result.get("rendered") != 1 or result.get("generated") != 0:
            raise SystemExit(f"re-making the master ran more than the master: {result}")
        theirs.append(best_seconds(bare, runs=1))
    return {"cinecode": min(ours), "ffmpeg": min(theirs), "reels": len(reels)}


def measure(name: str, project: Path, folder: Path) -> dict[str, object]:
    times = phases(project)
    master = master_ratio(project, folder)
    change = change_overhead(project)
    return {"name": name, **times, **{f"master_{k}": v for k, v in master.items()}, **change}


def print_row(r: dict[str, object]) -> None:
    f = {k: float(v) for k, v in r.items() if isinstance(v, (int, float))}
    fixed = f["startup"] + f["import"] + f["load"] + f["plan"]
    print(
        f"| {r['name']} | {f['startup'] * 1000:.0f} ms | {f['import'] * 1000:.0f} ms "
        f"| {f['load'] * 1000:.0f} ms | {f['plan'] * 1000:.0f} ms ({f['jobs']:.0f} jobs) "
        f"| {fixed:.2f} s | {f['whole']:.1f} s, {f['ran']:.0f} jobs: {f['head']:.2f} s before "
        f"the first, {f['tail']:.2f} s after the last "
        f"| {f['master_cinecode']:.2f} s / {f['master_ffmpeg']:.2f} s "
        f"= {f['master_cinecode'] / f['master_ffmpeg']:.2f}× ({f['master_reels']:.0f} reels) |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feature", action="store_true", help="also measure Big Fish")
    parser.add_argument("--plan-only", type=Path, help="only import, load and plan this project")
    parser.add_argument("--built", type=Path, help="start from a copy of this built example")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cinecode-overhead-") as tmp:
        folder = Path(tmp)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # for the commands this runs
        os.environ["PYTHONPYCACHEPREFIX"] = str(folder / "bytecode")
        if args.plan_only:
            print_phases(args.plan_only.name, phases(copy_catalog(args.plan_only, folder)))
            return
        print(
            "| project | start-up | import | load | plan | start-up + import + load + plan "
            "| one-line change: whole, outside the jobs | re-making only the master / bare "
            "ffmpeg concat |"
        )
        print("|---|---:|---:|---:|---:|---:|---|---:|", flush=True)
        example = folder / "example"
        if args.built:
            shutil.copytree(args.built, example, symlinks=True)
        else:
            copy_example(example)
        projects = [("The Lighthouse Keeper (example, 1280×720)", example)]
        if args.feature:
            projects.append(("Big Fish (feature, 190 scenes, 320×180)", feature_project(folder)))
        for name, project in projects:
            run_json([*CLI, "make", str(project), "--json"])  # the full build (or a no-op)
            print_row(measure(name, project, folder))


def copy_catalog(source: Path, folder: Path) -> Path:
    """The project's own files and its catalog (planning reads no object)."""
    project = folder / source.name
    shutil.copytree(source, project, ignore=shutil.ignore_patterns(".*", "build"))
    (project / ".cinecode").mkdir()
    shutil.copy2(source / ".cinecode" / "catalog.sqlite", project / ".cinecode")
    return project


def print_phases(name: str, f: dict[str, float]) -> None:
    print("| project | start-up | import | load | plan | start-up + import + load + plan |")
    print("|---|---:|---:|---:|---:|---:|")
    fixed = f["startup"] + f["import"] + f["load"] + f["plan"]
    print(
        f"| {name} | {f['startup'] * 1000:.0f} ms | {f['import'] * 1000:.0f} ms "
        f"| {f['load'] * 1000:.0f} ms | {f['plan'] * 1000:.0f} ms ({f['jobs']:.0f} jobs) "
        f"| {fixed:.2f} s |"
    )


if __name__ == "__main__":
    main()
