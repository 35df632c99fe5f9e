"""The mix, for real, on a tiny film: every sound job of it runs (composer, foley, stems,
mixes), with a small synthetic speech backend handed to the executor in place of piper so
that lines have known, fast voices. Measured as a re-recording mixer would: levels, ducking,
filtering, panning, transitions, and stems that add up to the mix."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from scipy.signal import butter, sosfilt

from cinecode.backends.protocols import BackendStatus, Generated, SpeechRequest
from cinecode.backends.registry import Backends
from cinecode.departments.mix import SCENE_MIX, SCENE_STEMS
from cinecode.departments.stems import SceneStems, deliver
from cinecode.departments.steps import STEPS
from cinecode.graph.executor import execute
from cinecode.graph.reporter import NullReporter
from cinecode.graph.store import Store
from cinecode.media.audio import read_audio, write_audio
from cinecode.media.loudness import integrated, true_peak
from cinecode.pipeline.plan import Plan, State, plan
from cinecode.pipeline.session import load
from cinecode.project.files import write_atomic

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sound")]

RATE = 48000
Array = npt.NDArray[np.float32]

FILM_TOML = """\
title = "Mix test"
[format]
width = 320
height = 180
"""
SCRIPT = """\
EXT. BEACH - DAY

[[mood: calm]]

[[ambience: gentle surf, gulls]]

Waves wash up the sand.

MARA
We could stay here all day, you know, and nobody would ever find us.

ELI (O.S.)
I can hear you from the boat, you know that?

MARA (V.O.)
He always could. Every word, across all that water.

MARA
Then come back and say it to my face.

ELI ^
I am coming back, I promise you.

SMASH CUT TO:

INT. ROOM - NIGHT

[[mood: tense]]

[[sfx: door slams]]
The door bangs against the wall.

ELI
Who is there? Show yourself.

>FADE OUT.
"""


class ToneVoice:
    """A small speech backend: a buzzing 'voice' (harmonics under a syllable envelope, with
    fricative hiss) whose length follows the text, and its phrase timings."""

    name = "tone"

    def status(self) -> BackendStatus:
        return BackendStatus("ready")

    def synthesize(self, req: SpeechRequest, out: Path, progress: Any = None) -> Generated:
        rate = req.sample_rate
        pieces: list[Array] = []
        phrases: list[list[Any]] = []
        t = 0.0
        rng = np.random.default_rng(req.seed)
        for segment in req.segments:
            if segment.pause:
                pieces.append(np.zeros(round(segment.pause * rate), np.float32))
                t += segment.pause
                continue
            seconds = 0.06 * len(segment.text)
            tt = np.arange(round(seconds * rate)) / rate
            phase = 2 * np.pi * np.cumsum(130 + 25 * np.sin(2 * np.pi * 0.8 * tt)) / rate
            buzz = sum(np.sin(k * phase) / k for k in range(1, 16))
            syllables = 0.2 + 0.8 * np.sin(2 * np.pi * 2.2 * tt) ** 2
            hiss = rng.standard_normal(tt.size) * (np.sin(2 * np.pi * 1.1 * tt) > 0.8)
            sos = butter(4, 3500, "highpass", fs=rate, output="sos")
            voice = 0.08 * np.asarray(buzz) * syllables + 0.05 * sosfilt(sos, hiss)
            pieces.append(voice.astype(np.float32))
            phrases.append([round(t, 3), round(t + seconds, 3), segment.text])
            t += seconds
        path = out / "voice.wav"
        write_audio(path, np.concatenate(pieces)[None, :], rate)
        return Generated(path, model="tone", meta={"duration": t, "phrases": phrases})


@dataclass
class Built:
    plan: Plan
    store: Store
    root: Path

    def artifact(self, key: str) -> Path:
        found = self.store.get(key)
        assert found is not None
        return self.store.path(found)

    def job(self, step: str, scene: str) -> Any:
        return next(j for j in self.plan.graph if j.step == step and j.scene == scene)

    def stems(self, scene: str) -> Array:
        return read_audio(self.artifact(self.job(SCENE_STEMS.name, scene).key)).reshape(3, 2, -1)

    def mix(self, scene: str) -> Array:
        return read_audio(self.artifact(self.job(SCENE_MIX.name, scene).key))

    def meta(self, scene: str) -> dict[str, Any]:
        found = self.store.get(self.job(SCENE_STEMS.name, scene).key)
        assert found is not None
        return dict(found.meta)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("mix") / "film"
    root.mkdir()
    (root / "film.toml").write_text(FILM_TOML, encoding="utf-8")
    (root / "script.fountain").write_text(SCRIPT, encoding="utf-8")
    loaded = load(root)
    write_atomic(loaded.project.ids_path, loaded.lock_text)
    p = plan(loaded.film, loaded.project, State())
    store = Store(loaded.project.store_dir)
    real = Backends()

    def backends(modality: str, name: str, params: Any) -> Any:
        return ToneVoice() if modality == "speech" else real(modality, name, params)

    sound = [j.key for j in p.graph if j.step == SCENE_MIX.name]
    stats = execute(
        p.graph, store, steps=STEPS, backends=backends, reporter=NullReporter(), targets=sound
    )
    assert not stats.failures, stats.failures
    return Built(p, store, root)


def db(x: Array) -> float:
    value = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    return 20 * math.log10(value) if value > 0 else -200.0


def span(x: Array, start: float, end: float) -> Array:
    return x[..., round(start * RATE) : round(end * RATE)]


def test_stems_add_up_to_the_mix_at_the_scene_s_exact_length(built: Built) -> None:
    for scene in ("title", "1", "2", "credits"):
        stems, mix = built.stems(scene), built.mix(scene)
        assert stems.shape[2] == mix.shape[1] == built.meta(scene)["samples"]
        assert np.abs(stems.sum(axis=0) - mix).max() < 1e-6
    frames = sum(built.meta("1")["frames"])
    assert built.mix("1").shape[1] == frames * RATE // 24


def test_each_scene_sits_at_the_target_under_the_ceiling(built: Built) -> None:
    for scene in ("1", "2"):
        assert integrated(built.mix(scene), RATE) == pytest.approx(-16.0, abs=0.5)
    assert integrated(built.mix("title"), RATE) == pytest.approx(-18.0, abs=0.5)
    for scene in ("title", "1", "2", "credits"):
        assert true_peak(built.mix(scene)) <= -1.9  # 1 dB under -1 dBTP for the AAC encoder


def test_the_score_ducks_under_dialogue_and_comes_back_between_lines(built: Built) -> None:
    music = built.stems("1")[1]
    speech = built.meta("1")["speech"]
    length = music.shape[1] / RATE
    under = np.concatenate([span(music, a, b) for a, b in speech], axis=1)
    clear = np.ones(music.shape[1], bool)
    for a, b in speech:
        clear[max(0, round((a - 0.8) * RATE)) : round((b + 0.8) * RATE)] = False
    clear[: round(1.2 * RATE)] = False  # the cue's own fade-in
    assert clear.sum() > RATE * 0.5, f"no time away from the lines in {length:.1f} s"
    assert db(music[:, clear]) - db(under) >= 6.0
    # and the duck glides: no step between two 10 ms blocks larger than 1.5 dB
    blocks = music[:, : music.shape[1] // 480 * 480].reshape(2, -1, 480)
    levels = 10 * np.log10(np.mean(blocks**2, axis=(0, 2)) + 1e-12)
    smooth = np.convolve(levels, np.ones(20) / 20, mode="valid")
    assert np.abs(np.diff(smooth)).max() < 1.5


def line_audio(built: Built, scene: str, index: int) -> Array:
    meta = built.meta(scene)
    voices = [j for j in built.plan.graph if j.step == "voice" and j.scene == scene]
    found = built.store.get(voices[index].key)
    assert found is not None
    start = meta["starts"][index]
    return span(built.stems(scene)[0], start, start + float(found.meta["duration"]))


def high_share(x: Array) -> float:
    sos = butter(4, 3500, "highpass", fs=RATE, output="sos")
    return float(np.mean(sosfilt(sos, x.mean(axis=0)) ** 2) / np.mean(x.mean(axis=0) ** 2))


def test_off_screen_is_filtered_and_distant_voice_over_close_and_centred(built: Built) -> None:
    on, off, over = (line_audio(built, "1", i) for i in range(3))
    assert high_share(off) < 0.25 * high_share(on)  # the phone-band of a voice through a wall
    assert db(off) < db(on) - 2  # further away
    left, right = db(off[0]), db(off[1])
    assert abs(left - right) > 1.0  # off to one side
    assert abs(db(over[0]) - db(over[1])) < 0.1  # voice-over sits in the middle
    assert db(over) > db(off) + 3


def test_dual_dialogue_overlaps_and_is_panned_apart(built: Built) -> None:
    meta = built.meta("1")
    starts = meta["starts"]
    voices = [j for j in built.plan.graph if j.step == "voice" and j.scene == "1"]
    durations = []
    for job in voices:
        found = built.store.get(job.key)
        assert found is not None
        durations.append(float(found.meta["duration"]))
    assert starts[4] < starts[3] + durations[3]  # ELI ^ speaks over MARA
    first = span(built.stems("1")[0], starts[3], starts[4])
    second = span(built.stems("1")[0], starts[3] + durations[3], starts[4] + durations[4])
    assert (db(first[0]) - db(first[1])) * (db(second[0]) - db(second[1])) < 0


def test_a_smash_cut_stops_the_sound_dead_and_fade_out_fades(built: Built) -> None:
    one = built.stems("1")
    assert np.abs(one[1:, :, -4:]).max() < 1e-4  # music and bed end on the cut
    assert db(one[1:, :, -RATE // 2 : -RATE // 4]) > -60  # …and were sounding just before
    two = built.mix("2")
    assert db(two[:, -240:]) < db(two[:, -4 * RATE : -3 * RATE]) - 30  # FADE OUT.


def test_the_film_stems_are_the_scenes_end_to_end(built: Built) -> None:
    order = ["title", "1", "2", "credits"]
    mixes = np.concatenate([built.mix(s) for s in order], axis=1)
    scenes = [SceneStems.read(key, built.artifact(key)) for key in built.plan.stems]
    paths = deliver(built.root / "build" / "stems", scenes, rate=RATE)
    buses = [read_audio(paths[b]) for b in ("dialogue", "music", "effects")]
    assert all(bus.shape == mixes.shape for bus in buses)
    assert np.abs(sum(buses) - mixes).max() < 1e-4  # 24-bit stems
    assert db(buses[2]) > -60 and db(buses[1]) > -60 and db(buses[0]) > -60
