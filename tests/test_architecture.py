"""The house shows the architecture: layers import downward only, no import circles, a small
package root, no file too long to read (docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cinecode"

#: the floors, lowest first: a module may import its own floor or the ones below
LAYERS = [
    "errors",
    "media",
    "backends",
    "project",
    "script",
    "graph",
    "provenance",
    "departments",
    "pipeline",
    "editorial",
    "publish",
    "commands",
    "studio",
    "front",  # the package root: cli, entry, __init__, __main__
]
ROOT_FILES = {"__init__.py", "__main__.py", "cli.py", "entry.py", "errors.py"}
MAX_LINES = 900


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return LAYERS.index("front")
    if parts[1] == "errors":
        return LAYERS.index("errors")
    if len(parts) == 2 and parts[1] in {"cli", "entry", "__main__"}:
        return LAYERS.index("front")
    return LAYERS.index(parts[1])


def imports() -> dict[str, set[str]]:
    """Every cinecode module each module imports (module level, functions, TYPE_CHECKING)."""
    known = modules()

    def resolve(name: str) -> str:
        while name not in known and "." in name:
            name = name.rsplit(".", 1)[0]
        return name

    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] == "cinecode":
                    targets.update(resolve(f"{node.module}.{a.name}") for a in node.names)
            elif isinstance(node, ast.Import):
                targets.update(
                    resolve(a.name) for a in node.names if a.name.split(".")[0] == "cinecode"
                )
        targets.discard(module)
        targets.discard("cinecode")  # the package's lazy public face
        graph[module] = targets
    return graph


def test_every_import_runs_downward() -> None:
    upward = [
        f"{module} ({LAYERS[layer(module)]}) imports {target} ({LAYERS[layer(target)]})"
        for module, targets in imports().items()
        for target in targets
        if layer(target) > layer(module)
    ]
    assert upward == []


def test_there_is_no_import_circle() -> None:
    graph = imports()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert circles == []


def test_the_package_root_holds_only_the_front_door() -> None:
    files = {p.name for p in PACKAGE.glob("*.py")}
    assert files <= ROOT_FILES
    assert len(files) <= 6
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - {"data"} <= set(LAYERS)


def test_no_file_is_too_long_to_read() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_architecture_page_names_every_folder() -> None:
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    folders = sorted(
        p.name + "/" for p in PACKAGE.rglob("*") if p.is_dir() and p.name != "__pycache__"
    )
    assert [f for f in folders if f"  {f}" not in page] == []


def test_the_package_imports_its_names_in_dependency_order() -> None:
    """`cinecode/__init__.py` lists its lazy names floor by floor, lowest first."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    exports = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign | ast.Assign)
        and isinstance(node.value, ast.Dict)
        and "_EXPORTS" in ast.unparse(node)
    )
    assert isinstance(exports, ast.Dict)
    floors = [layer(ast.literal_eval(v)) for v in exports.values]
    assert floors == sorted(floors)


def test_the_build_machinery_imports_no_heavy_library() -> None:
    """A make pays only for what its steps need: importing the build (executor, plan,
    session) loads no array, imaging, media, HTTP or progress library (bench/overhead.py)."""
    code = (
        "import sys, cinecode.pipeline.build\n"
        "heavy = ('numpy', 'scipy', 'PIL', 'av', 'httpx', 'rich', 'opentimelineio', 'reportlab')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == []
