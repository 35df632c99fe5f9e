"""The instant no-op: is the last make still up to date? (ninja's question, asked cheaply)

After a successful make, a stamp records the size and mtime of everything the build read
(the project's files, the media it references, cinecode's own code), the options, and the
outputs it exported. The next `make` with nothing changed finds every stat equal and the
outputs in place, and answers without importing the build machinery. Anything that records
a new artifact in the store (regen, a new take) removes the stamp. When in doubt, the full
path runs: it reaches the same answer, only slower.

Standard library only: this module runs before anything else is imported.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from typing import Any

# pathlib and hashlib are not imported on purpose: this path must stay cheaper than the
# interpreter's own start-up.

STAMP = "last-make.json"
STORE = ".cinecode"


def _code_stamp() -> list[list[Any]]:
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # cinecode/
    entries: list[list[Any]] = []
    stack = [package]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(entry.path)
                elif entry.name.endswith((".py", ".toml", ".json")):
                    st = entry.stat()
                    entries.append([entry.path, st.st_size, st.st_mtime_ns])
    entries.sort()
    return entries


def _stat(path: str) -> list[Any] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _project_files(root: str) -> list[str]:
    """The project's own files (not build/, not the store, not hidden files)."""
    out = []
    with os.scandir(root) as it:
        for entry in it:
            if entry.name.startswith(".") or entry.name == "build":
                continue
            if entry.is_file():
                out.append(entry.path)
    return sorted(out)


def fingerprint(root: str, files: list[str], options: dict[str, Any]) -> dict[str, Any]:
    """The stats of every input of the build, and the options."""
    return {
        "files": [[f, _stat(f)] for f in sorted(set(_project_files(root)) | set(files))],
        "code": _code_stamp(),
        "options": options,
        "python": sys.version,
    }


def stamp_path(root: str) -> str:
    return os.path.join(root, STORE, STAMP)


def record(
    root: str,
    *,
    files: list[str],
    options: dict[str, Any],
    result: dict[str, Any],
    outputs: dict[str, str],
    objects: list[str],
) -> None:
    """Write the stamp after a successful make (atomically)."""
    stamp = {
        "fingerprint": fingerprint(root, files, options),
        "files": sorted(files),
        "result": result,
        "outputs": {path: _stat(path) for path in outputs.values()},
        "objects": {path: _stat(path) for path in objects},
    }
    path = stamp_path(root)
    staged = os.path.join(os.path.dirname(path), f".{STAMP}.part")
    with open(staged, "w", encoding="utf-8") as handle:
        json.dump(stamp, handle)
    os.replace(staged, path)


def invalidate(store_root: str) -> None:
    """Forget the stamp (the store changed)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(store_root, STAMP))


def up_to_date(root: str, options: dict[str, Any]) -> dict[str, Any] | None:
    """The last make's result if nothing it depends on changed, else None."""
    started = time.perf_counter()
    try:
        with open(stamp_path(root), encoding="utf-8") as handle:
            stamp = json.load(handle)
    except (OSError, ValueError):
        return None
    try:
        for path, recorded in {**stamp["outputs"], **stamp["objects"]}.items():
            if _stat(path) != recorded:
                return None
        if stamp["fingerprint"] != json.loads(
            json.dumps(fingerprint(root, stamp["files"], options))
        ):
            return None
        result: dict[str, Any] = dict(stamp["result"])
    except (KeyError, TypeError):
        return None
    result.update(
        generated=0,
        rendered=0,
        failed=0,
        skipped=0,
        reused=result.get("generated", 0) + result.get("rendered", 0) + result.get("reused", 0),
        seconds=round(time.perf_counter() - started, 4),
        cost={"money": 0.0, "gpu_seconds": 0.0},
    )
    return result


def nearest_project(folder: str) -> str | None:
    """The nearest folder with a film.toml: `folder` or one above it (as the CLI finds it)."""
    while True:
        if os.path.isfile(os.path.join(folder, "film.toml")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def try_make(argv: list[str]) -> str | None:
    """`cinecode make [PROJECT] [--json] [--takes N]` with nothing to do: the answer to print
    (the master's path, or the JSON line); None when the full path must run."""
    if not argv or argv[0] != "make":
        return None
    project: str | None = None
    as_json = False
    takes = 1
    rest = argv[1:]
    index = 0
    while index < len(rest):
        arg = rest[index]
        if arg == "--json":
            as_json = True
        elif arg in ("--wait", "--no-wait"):
            pass
        elif arg == "--takes" and index + 1 < len(rest) and rest[index + 1].isdigit():
            takes = int(rest[index + 1])
            index += 1
        elif arg.startswith("-") or project is not None:
            return None  # anything else goes the full way
        else:
            project = arg
        index += 1
    if project is None:
        project = nearest_project(os.getcwd())
        if project is None:
            return None
    root = os.path.expanduser(project)
    if os.path.basename(root) == "film.toml":
        root = os.path.dirname(root) or "."
    result = up_to_date(os.path.realpath(root), {"takes": takes})
    if result is None:
        return None
    return json.dumps(result) if as_json else str(result["master"])
