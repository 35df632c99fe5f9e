"""`[motion] keep_audio = "ambience"`: a generated clip's own sound (here a tone, from a
loopback fal video model) is kept under its shot in the effects stem, ducked under the
dialogue; off by default, and it changes no clip's key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback import FakeFal, Loopback, write

from cinecode.errors import ProjectError
from cinecode.graph.reporter import RecordingReporter
from cinecode.graph.store import Store
from cinecode.media.audio import read_audio
from cinecode.pipeline.build import make
from cinecode.pipeline.plan import Plan, plan
from cinecode.pipeline.session import load, state_for

KEY = "sk-keep-audio-test"
ENV = "CINECODE_KEEP_AUDIO_KEY"
TONE = 3000.0  # Hz: the sound of the clips the fake video model returns

SCRIPT = """\
Title: Tone

INT. ENGINE ROOM - NIGHT

The generator hums.

MARA
Can you hear it? It never stops.
"""

FILM = """\
title = "Tone"
[format]
width = 160
height = 90
fps = 24

[motion]
backend = "fal"
model = "fal-ai/kling-video/v2.1/standard/image-to-video"
{keep}

[music]
backend = "none"
[effects]
backend = "none"

[services.fal]
base_url = "{url}"
api_key_env = "{env}"
poll_interval = 0.02
timeout = 10
"""


def project(root: Path, *, url: str = "http://127.0.0.1:9", keep: str = "") -> Path:
    write(root / "film.toml", FILM.format(url=url, env=ENV, keep=keep))
    write(root / "script.fountain", SCRIPT)
    return root


def planned(root: Path) -> Plan:
    loaded = load(root)
    return plan(loaded.film, loaded.project, state_for(loaded, None))


def stems_job(p: Plan) -> Any:
    return next(job for job in p.graph if job.step == "scene-stems" and job.scene == "1")


def test_keep_audio_is_off_by_default_and_changes_no_clip(tmp_path: Path) -> None:
    plain = planned(project(tmp_path / "a"))
    kept = planned(project(tmp_path / "b", keep='keep_audio = "ambience"'))
    assert "clip_audio" not in stems_job(plain).params
    assert {s: sp.picture for s, sp in plain.shots.items()} == {
        s: sp.picture for s, sp in kept.shots.items()
    }  # the same paid clips
    job = stems_job(kept)
    assert job.params["clip_audio"] == [{"shot": 0, "first": 0.0}, {"shot": 1, "first": 0.0}]
    assert job.inputs[-2:] == (kept.shots["1.1"].picture, kept.shots["1.2"].picture)
    # "off" is the default, said aloud
    off = planned(project(tmp_path / "c", keep='keep_audio = "off"'))
    assert stems_job(off).key == stems_job(plain).key


def test_an_unknown_keep_audio_is_an_error_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as caught:
        planned(project(tmp_path, keep='keep_audio = "loud"'))
    assert "keep_audio = 'loud'" in caught.value.message
    assert caught.value.line == 10
    assert "ambience" in (caught.value.hint or "")


def _rms(x: np.ndarray[Any, Any]) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


def test_a_clips_tone_is_mixed_under_the_scene_and_under_the_dialogue(tmp_path: Path) -> None:
    os.environ[ENV] = KEY
    fake = FakeFal(KEY, kind="video", polls=1, seconds=5.0)
    fake.tone_hz = TONE
    with Loopback(fake) as fal:
        root = project(tmp_path, url=fal.url, keep='keep_audio = "ambience"')
        result = make(root, reporter=RecordingReporter(), workers=2)
    assert not result.stats.failures, result.stats.failures
    store = Store(root / ".cinecode")
    try:
        artifact = store.get(stems_job(result.plan).key)
        assert artifact is not None
        stems = read_audio(store.path(artifact))
        mixed = store.get(
            next(j.key for j in result.plan.graph if j.step == "scene-mix" and j.scene == "1")
        )
        assert mixed is not None
        mix = read_audio(store.path(mixed)).mean(axis=0)
    finally:
        store.close()
    rate = 48000
    dialogue, effects = stems[0:2].mean(axis=0), stems[4:6].mean(axis=0)
    # the effects stem is the clips' tone
    spectrum = np.abs(np.fft.rfft(effects))
    assert abs(np.argmax(spectrum) * rate / effects.size - TONE) < 20
    assert _rms(effects) > 1e-3
    # and it is in the scene's mix: outside speech, the mix is the tone
    speech = [(round(a * rate), round(b * rate)) for a, b in artifact.meta["speech"]]
    assert speech
    quiet = np.ones(mix.size, bool)
    for a, b in speech:
        quiet[max(0, a - rate // 2) : b + rate // 2] = False
    assert _rms(mix[quiet]) > 1e-3
    assert _rms(mix[quiet] - effects[quiet]) < 1e-4
    # where they overlap, the tone is quieter than the dialogue, and ducked under it
    talking = np.zeros(mix.size, bool)
    for a, b in speech:
        talking[a:b] = True
    assert 20 * np.log10(_rms(dialogue[talking]) / _rms(effects[talking])) > 10
    assert _rms(effects[talking]) < _rms(effects[quiet]) * 0.7


def test_a_lip_synced_shot_keeps_the_sound_of_its_own_clip(tmp_path: Path) -> None:
    root = project(tmp_path, keep='keep_audio = "ambience"')
    text = (
        root / "film.toml"
    ).read_text() + '\n[lipsync]\nbackend = "fal"\nmodel = "fal-ai/latentsync"\n'
    write(root / "film.toml", text)
    p = planned(root)
    synced = p.shots["1.2"]
    assert synced.synced  # the cut shows the synced clip…
    assert p.graph.jobs[synced.segment].inputs[0] == synced.synced
    # …and the mix keeps the sound of the clip it was made from (not a copy of the voice)
    assert stems_job(p).inputs[-1] == synced.picture
