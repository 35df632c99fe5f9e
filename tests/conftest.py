"""Shared test paths and fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCREENPLAYS = SHARED / "screenplays"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = ROOT / "examples" / "the-lighthouse-keeper"


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example, built once per test session from a clean copy (its folder).

    Tests that use it belong to xdist group "film" so one worker builds it once.
    """
    import shutil

    from cinecode.build import make
    from cinecode.graph.reporter import NullReporter

    root = tmp_path_factory.mktemp("example") / "film"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build", ".cinecode"))
    result = make(root, reporter=NullReporter())
    assert not result.stats.failures, result.stats.failures
    return root


@pytest.fixture(scope="session")
def screenplays() -> Path:
    """The real Fountain screenplays beside the project (../shared/screenplays)."""
    if not SCREENPLAYS.is_dir():
        pytest.fail(f"{SCREENPLAYS} is missing: CI clones ../shared beside the project")
    return SCREENPLAYS
