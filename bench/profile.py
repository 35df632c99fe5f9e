"""Where a full build's time goes: the example from a cold store, step by step.

    python bench/profile.py              # the bundled example (about 2 minutes)
    python bench/profile.py --keep DIR   # also leave the built copy in DIR (to compare segments)

The example is copied to a temporary folder and built once with the real `cinecode make
--json`. Prints the wall time, the CPU-seconds of the whole command and its children
(`getrusage`), the film's length (the master, read with PyAV), film seconds per build second and per
CPU-second, then a Markdown table of each step's jobs and their wall seconds from the catalog
(jobs overlap on the pools, so a step's wall seconds add up to more than the build's).
Run `uptime` alongside: the machine may be shared.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from run import CLI, copy_example, timed


def cpu_seconds() -> float:
    """User + system CPU-seconds of all waited-for children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def duration(path: Path) -> float:
    """Seconds of a media file, as its container says (PyAV)."""
    import av

    with av.open(str(path)) as container:
        return float(container.duration or 0) / av.time_base


def master_of(project: Path) -> Path:
    """The newest film-length MP4 under the project's build folder."""
    films = sorted(
        (p for p in (project / "build").rglob("*.mp4") if p.is_file()),
        key=lambda p: p.stat().st_size,
    )
    if not films:
        raise SystemExit(f"no master under {project / 'build'}")
    return films[-1]


def steps(project: Path) -> list[tuple[str, int, float, float, float]]:
    """(step, jobs, wall seconds, first start, last end) of each step the catalog recorded,
    the largest first; starts and ends in seconds from the build's first job."""
    with closing(sqlite3.connect(project / ".cinecode" / "catalog.sqlite")) as db:
        (t0,) = db.execute("SELECT MIN(created - seconds) FROM artifacts").fetchone()
        rows = db.execute(
            "SELECT step, COUNT(*), SUM(seconds), MIN(created - seconds) - ?, MAX(created) - ?"
            " FROM artifacts GROUP BY step ORDER BY 3 DESC",
            (t0, t0),
        ).fetchall()
    return [(str(r[0]), int(r[1]), float(r[2]), float(r[3]), float(r[4])) for r in rows]


def profile(project: Path) -> None:
    cpu0 = cpu_seconds()
    wall, result = timed([*CLI, "make", str(project), "--json"])
    cpu = cpu_seconds() - cpu0
    film = duration(master_of(project))
    print("| figure | value |\n|---|---:|")
    print(f"| film | {film:.1f} s |")
    print(f"| build (wall) | {wall:.1f} s ({result.get('generated', '?')} generations) |")
    print(f"| CPU (all processes) | {cpu:.1f} CPU-s |")
    print(f"| film seconds per build second | {film / wall:.2f}× |")
    print(f"| CPU-seconds per film second | {cpu / film:.3f} |")
    rows = steps(project)
    total = sum(row[2] for row in rows) or 1.0
    print(
        "\n| step | jobs | wall seconds (sum of jobs) | share | from → to (s) |"
        "\n|---|---:|---:|---:|---|"
    )
    for step, jobs, seconds, first, last in rows:
        print(
            f"| {step} | {jobs} | {seconds:.1f} | {100 * seconds / total:.1f} % "
            f"| {first:.0f} → {last:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="copy the built project here afterwards")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cinecode-profile-") as tmp:
        project = copy_example(Path(tmp) / "example")
        try:
            profile(project)
        finally:
            if args.keep:
                shutil.copytree(  # the catalog's WAL files come and go with its readers
                    project,
                    args.keep,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*-wal", "*-shm"),
                )


if __name__ == "__main__":
    main()
