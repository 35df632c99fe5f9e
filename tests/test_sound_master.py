"""The bundled example's finished sound, measured on the master as delivered.

Independent measurements: the master's AAC audio is decoded with PyAV, loudness is
pyloudnorm's BS.1770 meter, true peak a 4× polyphase oversampling, and where people speak is
read from the film's SRT (phrase-accurate), not from the mixer's own bookkeeping.
"""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyloudnorm
import pytest
from helpers import cinecode
from scipy.signal import resample_poly

from cinecode.departments.mix import SCENE_STEMS
from cinecode.graph.store import Store
from cinecode.media.audio import read_audio
from cinecode.media.ffmpeg import probe
from cinecode.pipeline.plan import plan
from cinecode.pipeline.session import load, state_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("film")]

Array = npt.NDArray[np.float64]
NAME = "the-lighthouse-keeper"
WINDOW = 0.1  # seconds


def decode(path: Path) -> tuple[Array, int]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = int(stream.rate)
        chunks = [frame.to_ndarray() for frame in container.decode(stream)]
    return np.concatenate(chunks, axis=1).astype(np.float64), rate


def seconds(stamp: str) -> float:
    h, m, rest = stamp.split(":")
    s, ms = rest.split(",")
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


@pytest.fixture(scope="module")
def master(example_build: Path) -> dict[str, object]:
    audio, rate = decode(example_build / "build" / f"{NAME}.mp4")
    srt = (example_build / "build" / f"{NAME}.srt").read_text(encoding="utf-8")
    lines = [(seconds(a), seconds(b)) for a, b in re.findall(r"(\S+,\d{3}) --> (\S+,\d{3})", srt)]
    stems = {
        bus: np.asarray(read_audio(example_build / "build" / "stems" / f"{bus}.wav"), np.float64)
        for bus in ("dialogue", "music", "effects")
    }
    return {"audio": audio, "rate": rate, "lines": lines, "stems": stems}


def windows(x: Array, rate: int) -> Array:
    """Power of each 100 ms window."""
    size = round(WINDOW * rate)
    count = x.shape[1] // size
    return np.mean(x[:, : count * size].reshape(x.shape[0], count, size) ** 2, axis=(0, 2))


def masks(lines: list[tuple[float, float]], count: int, margin: float) -> tuple[Array, Array]:
    """(windows where someone speaks, windows at least `margin` s away from any line)."""
    speaking = np.zeros(count, bool)
    near = np.zeros(count, bool)
    for start, end in lines:
        speaking[int(start / WINDOW) : int(np.ceil(end / WINDOW))] = True
        near[max(0, int((start - margin) / WINDOW)) : int(np.ceil((end + margin) / WINDOW))] = True
    return speaking, ~near


def test_integrated_loudness_is_minus_16_lufs(master: dict[str, object]) -> None:
    audio, rate = master["audio"], master["rate"]
    assert isinstance(audio, np.ndarray) and isinstance(rate, int)
    loudness = pyloudnorm.Meter(rate).integrated_loudness(audio.T)
    assert loudness == pytest.approx(-16.0, abs=1.0)


def test_true_peak_is_at_most_minus_1_dbtp(master: dict[str, object]) -> None:
    audio = master["audio"]
    assert isinstance(audio, np.ndarray)
    peak = np.abs(resample_poly(audio, 4, 1, axis=1)).max()
    assert 20 * np.log10(peak) <= -1.0


def test_score_or_ambience_is_heard_between_the_lines(master: dict[str, object]) -> None:
    audio, rate, lines = master["audio"], master["rate"], master["lines"]
    assert isinstance(audio, np.ndarray) and isinstance(rate, int) and isinstance(lines, list)
    power = windows(audio, rate)
    speaking, _ = masks(lines, power.size, 0.0)
    between = power[~speaking]
    audible = 10 * np.log10(between + 1e-20) > -50.0  # 34 dB under the dialogue, or louder
    assert audible.mean() >= 0.70


def test_the_score_is_6_db_lower_under_dialogue_than_around_it(master: dict[str, object]) -> None:
    stems, rate, lines = master["stems"], master["rate"], master["lines"]
    assert isinstance(stems, dict) and isinstance(rate, int) and isinstance(lines, list)
    power = windows(stems["music"], rate)
    speaking, away = masks(lines, power.size, 1.0)
    under = 10 * np.log10(power[speaking].mean())
    around = 10 * np.log10(power[away].mean())
    assert around - under >= 6.0


def test_the_three_stems_sum_to_the_master(master: dict[str, object]) -> None:
    stems, audio = master["stems"], master["audio"]
    assert isinstance(stems, dict) and isinstance(audio, np.ndarray)
    total = stems["dialogue"] + stems["music"] + stems["effects"]
    assert total.shape == audio.shape
    assert np.corrcoef(total.ravel(), audio.ravel())[0, 1] >= 0.95
    for bus in stems.values():
        assert float(np.abs(bus).max()) > 0.01  # each stem carries its part


def test_a_listener_can_tell_the_scenes_apart(
    example_build: Path, master: dict[str, object]
) -> None:
    """Each scene's ambience has its own spectrum, and its cue its own style or key."""
    loaded = load(example_build)
    store = Store(loaded.project.store_dir)
    try:
        p = plan(loaded.film, loaded.project, state_for(loaded, store))
        stems_jobs = [job for job in p.graph if job.step == SCENE_STEMS.name]
        lengths = []
        for job in stems_jobs:
            artifact = store.get(job.key)
            assert artifact is not None
            lengths.append((job.scene, int(artifact.meta["samples"])))
        cues = {}
        for job in p.graph:
            if job.step == "music-cue" and job.scene not in ("title", "credits"):
                artifact = store.get(job.key)
                assert artifact is not None
                cues[job.scene] = (artifact.meta["style"], artifact.meta["key"])
    finally:
        store.close()
    effects, rate = master["stems"]["effects"], master["rate"]  # type: ignore[index]
    assert isinstance(rate, int)
    edges = np.cumsum([0] + [n for _, n in lengths])
    bands = np.geomspace(40, 12000, 13)
    profiles = {}
    for (scene, _), start, end in zip(lengths, edges[:-1], edges[1:], strict=True):
        if scene in ("title", "credits"):
            continue
        spectrum = np.abs(np.fft.rfft(effects[:, start:end].mean(axis=0))) ** 2
        freqs = np.fft.rfftfreq(end - start, 1 / rate)
        energy = [spectrum[(freqs >= a) & (freqs < b)].sum() for a, b in itertools.pairwise(bands)]
        profile = 10 * np.log10(np.asarray(energy) + 1e-20)
        profiles[scene] = profile - profile.mean()
    scenes = sorted(profiles)
    assert len(scenes) == 6
    for i, a in enumerate(scenes):
        for b in scenes[i + 1 :]:
            distance = float(np.sqrt(np.mean((profiles[a] - profiles[b]) ** 2)))
            assert distance > 1.5, (a, b, distance)
    ordered = [cues[s] for s in sorted(cues, key=int)]
    assert all(x != y for x, y in itertools.pairwise(ordered))


def test_a_one_line_edit_regenerates_one_voice_and_one_cue(
    example_build: Path, tmp_path: Path
) -> None:
    """Planning only: what a make would generate after one line of dialogue changes."""
    root = tmp_path / "film"
    shutil.copytree(example_build, root, ignore=shutil.ignore_patterns("build"))
    script = root / "script.fountain"
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("It seems we are.", "It seems so."), encoding="utf-8")
    loaded = load(root)
    store = Store(loaded.project.store_dir)
    try:
        p = plan(loaded.film, loaded.project, state_for(loaded, store))
        needed = p.graph.needed_for(list(p.targets.values()))
        have = store.available(job.key for job in needed)
    finally:
        store.close()
    generate = [job for job in needed if job.key not in have and job.kind == "generate"]
    sound = sorted(job.step for job in generate if job.department in ("voice", "music", "effects"))
    assert sound == ["music-cue", "voice"]


def test_the_sound_sheet_times_every_effect(example_build: Path) -> None:
    from cinecode.commands.soundsheet import sound_sheet

    sheet = sound_sheet(example_build)
    rows = sheet["scenes"]
    assert [row["scene"] for row in rows] == ["title", "1", "2", "3", "4", "5", "6", "credits"]
    starts = [row["start"] for row in rows]
    assert starts == sorted(starts) and starts[0] == 0.0
    master = Path(cinecode("make", example_build, "--json").json()["master"])
    # each row's duration is rounded to 0.01 s: their sum may be off by half of that a row
    total = sum(row["duration"] for row in rows)
    assert total == pytest.approx(probe(master).duration, abs=0.005 * len(rows))
    for row in rows:
        for effect in row["effects"]:
            assert 0.0 <= effect["at"] < row["duration"]
        if row["scene"] not in ("title", "credits"):
            assert (
                row["score"]["source"] == "directive" and row["ambience"]["source"] == "directive"
            )
            assert {"key", "tempo", "bars", "style"} <= set(row["score"])
    thunder = next(e for e in rows[3]["effects"] if "thunder" in e["description"])
    assert thunder["source"] == "directive"
