"""The bundled example film, built once from a fresh copy: what a viewer gets."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from helpers import cinecode, copy_project, decode_audio, frame_at

from cinecode.media.ffmpeg import probe
from cinecode.media.subtitles import parse_srt

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("film")]


@pytest.fixture(scope="module")
def film(example_build: Path) -> dict[str, object]:
    run = cinecode("make", example_build, "--json")
    assert run.code == 0, run.err
    return {"root": example_build, "result": run.json()}


def master_of(film: dict[str, object]) -> Path:
    result = film["result"]
    assert isinstance(result, dict)
    return Path(result["master"])


def test_the_master_is_a_two_minute_720p24_h264_aac_film(film: dict[str, object]) -> None:
    info = probe(master_of(film))
    assert info.duration >= 120
    assert (info.width, info.height, info.fps) == (1280, 720, 24)
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert info.frames == round(info.duration * 24)


def test_every_subtitle_cue_has_speech_under_it(film: dict[str, object]) -> None:
    master = master_of(film)
    cues = parse_srt(master.with_suffix(".srt").read_text(encoding="utf-8"))
    assert len(cues) >= 10
    audio, rate = decode_audio(master)
    assert len(audio) / rate == pytest.approx(probe(master).duration, abs=0.05)
    for cue in cues:
        window = audio[int(cue.start * rate) : int(cue.end * rate)]
        level = 20 * np.log10(np.sqrt(np.mean(window**2)) + 1e-12)
        assert level > -40, f"no speech under '{cue.text}' at {cue.start:.1f}s ({level:.0f} dBFS)"


def test_frames_change_from_shot_to_shot(film: dict[str, object]) -> None:
    master = master_of(film)
    duration = probe(master).duration
    report = cinecode("plan", film["root"], "--json").json()  # type: ignore[arg-type]
    shots = [s for scene in report["scenes"] for s in scene["shots"]]
    frames = [frame_at(master, t).astype(np.int16) for t in np.arange(1.0, duration - 1.0, 1.5)]
    changes = sum(1 for a, b in itertools.pairwise(frames) if np.abs(a - b).mean() > 6)
    assert changes >= len(shots) // 2
    # the film never holds one picture for long
    still = 0
    for a, b in itertools.pairwise(frames):
        still = still + 1 if np.abs(a - b).mean() < 0.5 else 0
        assert still * 1.5 < 12


def test_a_second_make_generates_nothing(film: dict[str, object], tmp_path: Path) -> None:
    # a copy: its no-op stamp names the original's paths, so the whole build path runs
    root = copy_project(Path(str(film["root"])), tmp_path / "copy")
    run = cinecode("make", root, "--json")
    assert run.json()["generated"] == 0 and run.json()["rendered"] == 0
    assert run.json()["master"] == str((root / "build" / master_of(film).name).resolve())


def test_title_and_credits_bracket_the_film(film: dict[str, object]) -> None:
    master = master_of(film)
    duration = probe(master).duration
    first = frame_at(master, 1.0)
    last = frame_at(master, duration - 1.0)
    assert first.mean() < 60 and last.mean() < 60  # dark cards
    assert first.std() > 5 and last.std() > 5  # with type on them
