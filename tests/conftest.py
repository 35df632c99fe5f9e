"""Shared test paths and fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCREENPLAYS = SHARED / "screenplays"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def screenplays() -> Path:
    """The real Fountain screenplays beside the project (../shared/screenplays)."""
    if not SCREENPLAYS.is_dir():
        pytest.fail(f"{SCREENPLAYS} is missing: CI clones ../shared beside the project")
    return SCREENPLAYS
