"""Planning with hosted generators: which jobs, which backend, what estimate (no I/O)."""

from __future__ import annotations

from pathlib import Path

import pytest
from loopback import write

from cinecode.pipeline.plan import plan
from cinecode.pipeline.session import load, state_for

SCRIPT = """\
INT. LAMP ROOM - NIGHT

Mara climbs to the great lens.

[[shot: close on MARA, backend runway, model gen3a_turbo]]

MARA
It still turns.
"""


def test_a_shot_directive_naming_a_video_backend_animates_that_shot_only(tmp_path: Path) -> None:
    write(
        tmp_path / "film.toml", '[format]\nwidth = 320\nheight = 180\n[voice]\nbackend = "openai"\n'
    )
    write(tmp_path / "script.fountain", SCRIPT)
    loaded = load(tmp_path)
    p = plan(loaded.film, loaded.project, state_for(loaded, None))
    clips = [job for job in p.graph if job.step == "clip"]
    assert [(c.shot, c.backend, c.params["model"]) for c in clips] == [
        ("1.2", "runway", "gen3a_turbo")
    ]
    keyframe = next(job for job in p.graph if job.step == "keyframe" and job.shot == "1.2")
    assert (keyframe.backend, keyframe.params["model"]) == ("sketch", "")
    assert p.shots["1.2"].picture == clips[0].key  # the cut uses the clip
    assert clips[0].estimate.money == pytest.approx(0.25)  # 5 s of gen3a_turbo at 0.05/s
    voice = next(job for job in p.graph if job.step == "voice")
    assert voice.estimate.money == pytest.approx(len("It still turns.") / 1000 * 0.015)
