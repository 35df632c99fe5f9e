"""A refactor keeps every key: the job keys of the bundled example (offline, with takes, and
with hosted engines) and of a feature are the ones main planned before the house was
restructured (tests/fixtures/keys/main-f028144.json, recorded at commit f028144).

A deliberate key change (a step's version bumped, a param added) updates the fixture in the
same commit, and says why in its message and in the fixture's `_why`. So far these did: the
sketch that reads the words (issue 14) re-recorded the offline films; the end-credits crawl
(issue 15) the credits' card, cue, stems, mix and reel, the last scene's reel, the subtitles
and the master of every film; held shots encoded as one repeated GOP (issue 16: segment
v3, finish v2) every film's segments, reels and master and the hosted film's finishing;
and a reel's sound in pieces (issue 16: reel v2 and the new reel-sound step, whose middle
reads the scene's own mix only) every film's reels and master. Every other hosted key is
still the one f028144 planned."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from cinecode.pipeline.session import Session

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "the-lighthouse-keeper"
FEATURE = ROOT.parent / "shared" / "screenplays" / "big-fish.fountain"
RECORDED = json.loads((ROOT / "tests" / "fixtures" / "keys" / "main-f028144.json").read_text())

#: the example with every department on a hosted service, and finishing on
HOSTED = [
    (
        '[storyboard]\nbackend = "sketch"',
        '[storyboard]\nbackend = "replicate"\nmodel = "black-forest-labs/flux-schnell"\n\n'
        '[motion]\nbackend = "runway"\nmodel = "gen4_turbo"',
    ),
    (
        '[voice]\nbackend = "piper"',
        '[voice]\nbackend = "elevenlabs"\nmodel = "eleven_multilingual_v2"',
    ),
    ('voice = "woman-warm"', 'voice = { voice_id = "21m00Tcm4TlvDq8ikWAM" }'),
    ('voice = "man-deep"', 'voice = { voice_id = "abc" }'),
    ('voice = "child"', 'voice = { voice_id = "def" }'),
    (
        '[music]\nbackend = "composer"',
        '[music]\nbackend = "elevenlabs"\n\n[effects]\nbackend = "elevenlabs"\n\n'
        "[services.replicate]\nconcurrency = 2\n\n[finishing]\nupscale = 2\n"
        'upscaler = "lanczos"\nfps = 48\ninterpolator = "minterpolate"\n',
    ),
]


#: words the example's script gained after f028144 (issue 14: the weather's negation)
SINCE = "The rain has stopped. "


def digests(project: Path, *, takes: int = 1) -> dict[str, dict[str, object]]:
    """Per step: how many jobs the plan has, and the sha256 of their sorted `step label key`."""
    with Session.open(project) as session:
        assert session.store is None  # planning a fresh project opens no store
        graph = session.replan(takes_wanted=takes).graph
        rows: defaultdict[str, list[str]] = defaultdict(list)
        for job in graph:
            rows[job.step].append(f"{job.step} {job.label} {job.key}")
    return {
        step: {
            "jobs": len(lines),
            "sha256": hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest(),
        }
        for step, lines in sorted(rows.items())
    }


def copy_example(tmp_path: Path) -> Path:
    project = tmp_path / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("build", ".cinecode"))
    return project


def test_the_example_plans_the_keys_main_planned(tmp_path: Path) -> None:
    project = copy_example(tmp_path)
    assert digests(project) == RECORDED["the-lighthouse-keeper"]
    assert digests(project, takes=3) == RECORDED["the-lighthouse-keeper-3-takes"]


def test_the_example_on_hosted_engines_plans_the_keys_main_planned(tmp_path: Path) -> None:
    project = copy_example(tmp_path)
    toml = project / "film.toml"
    text = toml.read_text(encoding="utf-8")
    for old, new in HOSTED:
        assert old in text
        text = text.replace(old, new)
    toml.write_text(text, encoding="utf-8")
    script = project / "script.fountain"  # as it was at f028144 (a beat added since)
    words = script.read_text(encoding="utf-8")
    assert SINCE in words
    script.write_text(words.replace(SINCE, ""), encoding="utf-8")
    assert digests(project) == RECORDED["the-lighthouse-keeper-hosted"]


@pytest.mark.skipif(not FEATURE.is_file(), reason="../shared/screenplays is not beside the repo")
def test_a_feature_plans_the_keys_main_planned(tmp_path: Path) -> None:
    project = tmp_path / "big-fish"
    project.mkdir()
    shutil.copy(FEATURE, project / "script.fountain")
    (project / "film.toml").write_text(
        'title = "Big Fish (benchmark)"\n\n[format]\nwidth = 320\nheight = 180\nfps = 24\n',
        encoding="utf-8",
    )
    recorded = RECORDED["big-fish"]
    assert sum(int(step["jobs"]) for step in recorded.values()) == 5304
    assert digests(project) == recorded
