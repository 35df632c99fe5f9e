"""A make plans again after its run only when the run could change a picture: a new take, or
a new score (a feature's plan takes a second)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.build import make
from cinecode.pipeline.session import Session

pytestmark = pytest.mark.slow


def test_a_changed_line_plans_once_and_new_takes_plan_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    toml = root / "film.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[provenance]\nsign = false\n")
    assert make(root, reporter=RecordingReporter()).stats.failed == 0
    plans: list[int] = []
    replan = Session.replan

    def counted(self: Session, **kwargs: object) -> object:
        plans.append(1)
        return replan(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Session, "replan", counted)
    # a changed line: a new voice and cue, no new take: planned once
    script = root / "script.fountain"
    script.write_text(
        script.read_text(encoding="utf-8").replace("We made it.", "We made it home."), "utf-8"
    )
    changed = make(root, reporter=RecordingReporter())
    assert changed.stats.generated >= 1 and len(plans) == 1
    # new takes of every shot: planned again, to see whether they change a picture
    plans.clear()
    more = make(root, reporter=RecordingReporter(), takes=2)
    assert more.stats.generated >= 1 and len(plans) >= 2
