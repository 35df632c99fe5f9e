"""Shared test paths and fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["browser"]  # the browser and page fixtures (tests/browser.py)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCREENPLAYS = SHARED / "screenplays"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = ROOT / "examples" / "the-lighthouse-keeper"


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example, built once per test session from a clean copy (its folder).

    Tests that use it belong to xdist group "film" so one worker builds it once; tests that
    change the project work on `copy_project(example_build, tmp_path / "film")`.
    """
    import shutil

    from helpers import cinecode

    root = tmp_path_factory.mktemp("example") / "film"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build", ".cinecode"))
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    return root


@pytest.fixture(scope="session")
def screenplays() -> Path:
    """The real Fountain screenplays beside the project (../shared/screenplays)."""
    if not SCREENPLAYS.is_dir():
        pytest.fail(f"{SCREENPLAYS} is missing: CI clones ../shared beside the project")
    return SCREENPLAYS
