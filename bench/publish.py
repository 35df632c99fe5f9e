"""Bytes a one-line change adds to a published site (issue 18; target ≤ 5 % of the first).

Builds the example in a temporary copy (or copies a built one, `--built`), releases it as
v1.0 and publishes it, changes one line of dialogue (as bench/run.py does), makes, releases
v1.1 and publishes again into the same folder; prints the bytes of the first publish, the
bytes the second added (by kind: video and audio segments, inits, text) and their ratio.

Releases are made with `cinecode release` where this cinecode has it; otherwise with the
stand-in of the release manifest that the tests use (tests/release_standin.py), in process.
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
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from run import copy_example, edit_one_line

CLI = [sys.executable, "-m", "cinecode"]


def cli(*args: str) -> dict[str, object]:
    proc = subprocess.run([*CLI, *args, "--json"], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"cinecode {' '.join(args)} failed:\n{proc.stderr}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def has_releases() -> bool:
    try:
        import cinecode.project.releases  # noqa: F401
    except ImportError:
        return False
    return True


class Publisher:
    def __init__(self, project: Path, site: Path) -> None:
        self.project, self.site, self.releases = project, site, []  # type: ignore[var-annotated]

    def release_and_publish(self, version: str) -> dict[str, object]:
        if has_releases():
            cli("release", str(self.project), version, "--notes", f"bench {version}")
            return cli("publish", str(self.project), "--out", str(self.site))
        from release_standin import release_of, resolver

        from cinecode.publish.site import publish_site

        self.releases.append(release_of(self.project, version, f"bench {version}"))
        return publish_site(self.releases, resolver(self.project), self.site).as_json()


def kinds(site: Path, before: set[Path]) -> dict[str, int]:
    out: dict[str, int] = {}
    for path in site.rglob("*"):
        if path.is_file() and path not in before:
            rel = path.relative_to(site).as_posix()
            kind = rel.split("/")[1] if rel.startswith("media/") else "text"
            out[kind] = out.get(kind, 0) + path.stat().st_size
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
        print(f"releases by: {'cinecode release' if has_releases() else 'the tests stand-in'}")
        print(f"first publish: {first['bytes_added']:,} bytes ({first['files_added']} files)")
        print(f"one-line change: {second['bytes_added']:,} bytes ({second['files_added']} files)")
        print(f"by kind: {kinds(site, before)}")
        print(f"ratio: {100 * ratio:.2f} % (target ≤ 5 %: {'met' if ratio <= 0.05 else 'NOT met'})")


if __name__ == "__main__":
    main()
