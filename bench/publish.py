"""Bytes a one-line change adds to a published site (issue 18; target ≤ 5 % of the first).

Builds the example in a temporary copy (or copies a built one, `--built`), releases it as
v1.0 and publishes it, changes one line of dialogue (as bench/run.py does), makes, releases
v1.1 and publishes again into the same folder; prints the bytes of the first publish, the
bytes the second added (by kind: video and audio segments, inits, text) and their ratio.

Releases and the site are made by the real commands (`cinecode release`, `cinecode publish`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # helpers

from run import copy_example, edit_one_line

CLI = [sys.executable, "-m", "cinecode"]


def cli(*args: str) -> dict[str, object]:
    proc = subprocess.run([*CLI, *args, "--json"], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"cinecode {' '.join(args)} failed:\n{proc.stderr}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


class Publisher:
    def __init__(self, project: Path, site: Path) -> None:
        self.project, self.site = project, site

    def release_and_publish(self, version: str) -> dict[str, object]:
        cli("release", str(self.project), version, "--notes", f"bench {version}")
        return cli("publish", str(self.project), "--out", str(self.site))


def kinds(site: Path, before: set[Path]) -> dict[str, int]:
    out: dict[str, int] = {}
    for path in site.rglob("*"):
        if path.is_file() and path not in before:
            rel = path.relative_to(site).as_posix()
            kind = rel.split("/")[1] if rel.startswith("media/") else "text"
            out[kind] = out.get(kind, 0) + path.stat().st_size
    return out


def new_by_scene(site: Path, before: set[Path], version: str) -> dict[str, dict[str, int]]:
    """Per scene of `version`: how many of its shots' video and audio segments are new."""
    feed = json.loads((site / "releases.json").read_text(encoding="utf-8"))
    entry = next(v for v in feed["versions"] if v["version"] == version)
    out: dict[str, dict[str, int]] = {}
    for kind in ("video", "audio"):
        lines = (site / version / f"{kind}.m3u8").read_text(encoding="utf-8").splitlines()
        uris = [line for line in lines if line and not line.startswith("#")]
        for shot, uri in zip(entry["shots"], uris, strict=True):
            counts = out.setdefault(shot["scene"], {"shots": 0, "video": 0, "audio": 0})
            counts["shots"] += kind == "video"
            counts[kind] += (site / version / uri).resolve() not in before
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--built", type=Path, help="a built copy of the example to start from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cinecode-publish-") as tmp:
        project = Path(tmp) / "film"
        if args.built:
            from helpers import copy_project

            copy_project(args.built, project)
        else:
            copy_example(project)
            started = time.perf_counter()
            cli("make", str(project))
            print(f"full build: {time.perf_counter() - started:.1f} s", flush=True)
        site = Path(tmp) / "site"
        publisher = Publisher(project, site)
        started = time.perf_counter()
        first = publisher.release_and_publish("v1.0")
        print(f"first publish: {time.perf_counter() - started:.1f} s", flush=True)
        before = {p for p in site.rglob("*") if p.is_file()}
        edit_one_line(project / "script.fountain")
        cli("make", str(project))
        started = time.perf_counter()
        second = publisher.release_and_publish("v1.1")
        print(f"second publish: {time.perf_counter() - started:.1f} s", flush=True)
        ratio = int(second["bytes_added"]) / int(first["bytes_added"])  # type: ignore[call-overload]
        print(f"first publish: {first['bytes_added']:,} bytes ({first['files_added']} files)")
        print(f"one-line change: {second['bytes_added']:,} bytes ({second['files_added']} files)")
        print(f"by kind: {kinds(site, before)}")
        print(f"new segments by scene: {new_by_scene(site, {p.resolve() for p in before}, 'v1.1')}")
        print(f"ratio: {100 * ratio:.2f} % (target ≤ 5 %: {'met' if ratio <= 0.05 else 'NOT met'})")


if __name__ == "__main__":
    main()
