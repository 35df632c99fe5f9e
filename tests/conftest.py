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
BRANCHING = ROOT / "examples" / "the-last-ferry"


UNGROUPED = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """The tests' own configuration folder: a make signs its master with the development
    identity it creates there on first use (cinecode.provenance.identity), never the user's."""
    import os
    import tempfile

    if "CINECODE_TEST_CONFIG" not in os.environ:  # one folder for the run and its workers
        os.environ["CINECODE_TEST_CONFIG"] = tempfile.mkdtemp(prefix="cinecode-config-")
    os.environ["XDG_CONFIG_HOME"] = os.environ["CINECODE_TEST_CONFIG"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup` (make test) every test of an xdist_group must carry its group,
    or xdist spreads a group's tests over workers and a test meets a film its group's earlier
    tests never touched. Where xdist could not mark them, each such test fails saying why."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
            item.stash[UNGROUPED] = (
                f"pytest-xdist could not group this test: pytest {pytest.__version__} breaks "
                "--dist loadgroup (pytest-xdist issue 1386); `make setup` installs the pytest "
                "that pyproject.toml pins"
            )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if UNGROUPED in item.stash:
        pytest.fail(item.stash[UNGROUPED], pytrace=False)


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
def branching_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled branching example, its default path built once per test session from a
    clean copy (its folder). Tests that use it belong to xdist group "branching"."""
    import shutil

    from helpers import cinecode

    root = tmp_path_factory.mktemp("branching") / "film"
    shutil.copytree(BRANCHING, root, ignore=shutil.ignore_patterns("build", ".cinecode"))
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    return root


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny fixture project, built once per test session. Tests that use it belong to
    xdist group "tiny"; tests that change it work on `copy_project(tiny_build, tmp_path)`."""
    import shutil

    from helpers import cinecode

    root = tmp_path_factory.mktemp("tiny") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    return root


@pytest.fixture(scope="session")
def screenplays() -> Path:
    """The real Fountain screenplays beside the project (../shared/screenplays)."""
    if not SCREENPLAYS.is_dir():
        pytest.fail(f"{SCREENPLAYS} is missing: CI clones ../shared beside the project")
    return SCREENPLAYS
