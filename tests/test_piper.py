"""The piper backend, for real: the bundled neural voice, shaped into characters and styles.

Pitch is measured with a small YIN (difference function, cumulative-mean normalisation) written
here with numpy, timbre with the spectral centroid, loudness with RMS.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from pedalboard.io import AudioFile
from scipy.signal import resample_poly

from cinecode.backends.piper import VOICE_PRESETS, PiperBackend, preset, split_sentences
from cinecode.backends.protocols import Generated, SpeechRequest, SpeechSegment, Voice
from cinecode.errors import BackendError
from cinecode.media.audio import read_audio

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("piper")]  # one model load, one cache

Array = npt.NDArray[np.float64]
LINE = "I told you never to come back here. Now look at what you have done to all of us."
MEN = ("man-deep", "narrator", "man-warm", "man-young")
WOMEN = ("woman-low", "woman-warm", "woman-bright")


# --- measuring ---------------------------------------------------------------------------------


def samples(g: Generated) -> Array:
    return np.asarray(read_audio(g.path)[0], dtype=np.float64)


def db(x: Array) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x**2)) + 1e-12))


def frame_rms(x: Array, rate: int, seconds: float = 0.01) -> Array:
    size = round(rate * seconds)
    frames = len(x) // size
    return np.asarray(np.sqrt((x[: frames * size].reshape(frames, size) ** 2).mean(axis=1)))


def voiced(g: Generated) -> tuple[Array, int]:
    """YIN per 10 ms frame of the loud part at 16 kHz: F0 of the clearly voiced frames, and
    how many loud frames there were."""
    x = resample_poly(samples(g), 16000, 48000)
    rate, size, hop, lo, hi = 16000, 800, 160, 60, 500
    tmin, tmax = rate // hi, rate // lo
    windows = np.lib.stride_tricks.sliding_window_view(x, size + tmax)[::hop]
    loudness = np.sqrt((windows[:, :size] ** 2).mean(axis=1))
    windows = windows[loudness > 0.5 * np.sqrt(np.mean(x**2))]
    head = windows[:, :size]
    length = 2 * (size + tmax)
    # sum_j x[j] x[j + tau] for j < size, every tau at once
    cross = np.fft.irfft(np.conj(np.fft.rfft(head, length)) * np.fft.rfft(windows, length), length)[
        :, : tmax + 1
    ]
    squares = np.concatenate([np.zeros((len(windows), 1)), np.cumsum(windows**2, axis=1)], axis=1)
    shifted = squares[:, size : size + tmax + 1] - squares[:, : tmax + 1]  # sum x[j + tau]^2
    diff = (head**2).sum(axis=1, keepdims=True) + shifted - 2 * cross
    taus = np.arange(1, tmax + 1)
    cmndf = diff[:, 1:] * taus / np.maximum(np.cumsum(diff[:, 1:], axis=1), 1e-12)
    best = np.argmin(cmndf[:, tmin - 1 :], axis=1) + tmin
    depth = cmndf[np.arange(len(best)), best - 1]
    return rate / best[depth < 0.2], len(windows)


def f0(g: Generated) -> float:
    """Median F0 in Hz."""
    return float(np.median(voiced(g)[0]))


def voicing(g: Generated) -> float:
    """Share of the loud frames that are clearly voiced."""
    pitches, loud = voiced(g)
    return len(pitches) / max(loud, 1)


def centroid(g: Generated) -> float:
    """Spectral centroid (Hz) of the speech, 2048-point frames."""
    x = samples(g)
    frames = np.lib.stride_tricks.sliding_window_view(x, 2048)[::1024] * np.hanning(2048)
    power = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).sum(axis=0)
    freqs = np.fft.rfftfreq(2048, 1 / 48000)
    return float((freqs * power).sum() / power.sum())


def semitones(a: float, b: float) -> float:
    return float(abs(12 * np.log2(a / b)))


# --- rendering -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backend() -> PiperBackend:
    return PiperBackend()


@pytest.fixture(scope="module")
def say(backend: PiperBackend, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """say(segments, voice=..., seed=..., rate=...) -> Generated, each request rendered once."""
    made: dict[str, Generated] = {}

    def render(
        *segments: SpeechSegment | str, voice: Voice | None = None, seed: int = 3, rate: int = 48000
    ) -> Generated:
        parts = tuple(SpeechSegment(s) if isinstance(s, str) else s for s in segments)
        req = SpeechRequest(parts, voice or preset("man-warm"), seed=seed, sample_rate=rate)
        key = repr(req)
        if key not in made:
            made[key] = backend.synthesize(req, tmp_path_factory.mktemp("voice"))
        return made[key]

    return render


# --- the file ------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [48000, 22050])
def test_file_is_mono_float_at_the_requested_rate_and_as_long_as_meta_says(
    say: Any, rate: int
) -> None:
    g = say("Hello there.", rate=rate)
    assert g.path.name == "voice.wav"
    assert g.model == "piper:en_US-joe-medium"
    with AudioFile(str(g.path)) as f:
        assert f.samplerate == rate
        assert f.num_channels == 1
        assert f.file_dtype == "float32"
        assert f.frames / rate == pytest.approx(g.meta["duration"], abs=1 / rate)
    assert 0.4 < g.meta["duration"] < 2.5


def test_speech_is_audible_and_a_pause_is_a_second_of_silence_between_the_words(
    say: Any,
) -> None:
    g = say("Come here.", SpeechSegment(pause=1.0), "Now.")
    x = samples(g)
    (s1, e1, t1), (s2, e2, t2) = g.meta["phrases"]
    assert (t1, t2) == ("Come here.", "Now.")
    assert db(x[round(s1 * 48000) : round(e1 * 48000)]) > -30
    assert db(x[round(s2 * 48000) : round(e2 * 48000)]) > -30
    quiet = frame_rms(x, 48000) < 10 ** (-55 / 20)
    runs = [(k, len(list(group))) for k, group in itertools.groupby(quiet)]
    starts = np.cumsum([0] + [n for _, n in runs])
    longest = max((n, start) for (k, n), start in zip(runs, starts, strict=False) if k)
    length, at = longest[0] / 100, longest[1] / 100
    assert 0.95 <= length <= 1.3  # the pause, plus the tails kept around the words
    assert e1 - 0.05 <= at and at + length <= s2 + 0.05  # between the two sentences
    assert 1.0 <= s2 - e1 <= 1.35


def test_phrases_cover_the_speech_in_order_and_split_long_sentences(say: Any) -> None:
    text = (
        "Listen to me. I was there, in the kitchen, when the lights went out, and I heard every "
        "word that you said to him, every single one of them. So don't tell me it was nothing!"
    )
    g = say(text)
    phrases = g.meta["phrases"]
    assert " ".join(p[2] for p in phrases) == text
    assert len(phrases) >= 4  # three sentences, the long one cut at a comma
    assert all(len(p[2]) <= 84 for p in phrases)
    bounds = [t for p in phrases for t in p[:2]]
    assert bounds == sorted(bounds) and bounds[0] >= 0 and bounds[-1] <= g.meta["duration"]
    x = samples(g)
    loud = frame_rms(x, 48000) > np.max(frame_rms(x, 48000)) * 10 ** (-30 / 20)
    times = np.flatnonzero(loud) / 100
    inside = [any(s - 0.03 <= t <= e + 0.03 for s, e, _ in phrases) for t in times]
    assert all(inside)  # every loud moment is inside a phrase
    for s, e, _ in phrases:  # and every phrase starts and ends on sound
        assert loud[int(s * 100) : int(s * 100) + 5].any()
        assert loud[max(int(e * 100) - 5, 0) : int(e * 100)].any()


def test_only_pauses_give_silence_of_their_length(say: Any) -> None:
    g = say(SpeechSegment(pause=0.5), SpeechSegment(pause=0.25))
    x = samples(g)
    assert g.meta["duration"] == pytest.approx(0.75)
    assert len(x) == 36000 and not x.any()
    assert g.meta["phrases"] == []
    empty = say()
    assert empty.meta["duration"] == 0 and empty.path.is_file()


# --- determinism ---------------------------------------------------------------------------


def test_same_request_same_bytes_in_this_process_and_in_a_fresh_one(
    backend: PiperBackend, tmp_path: Path
) -> None:
    req = SpeechRequest(
        (SpeechSegment("Where were you?", style="sad"), SpeechSegment("Tell me.")),
        preset("woman-warm"),
        seed=42,
    )
    first = backend.synthesize(req, tmp_path / "a").path.read_bytes()
    second = backend.synthesize(req, tmp_path / "b").path.read_bytes()
    assert first == second
    code = (
        "import hashlib, sys; from pathlib import Path\n"
        "from cinecode.backends.piper import PiperBackend, preset\n"
        "from cinecode.backends.protocols import SpeechRequest, SpeechSegment\n"
        "req = SpeechRequest((SpeechSegment('Where were you?', style='sad'), "
        "SpeechSegment('Tell me.')), preset('woman-warm'), seed=42)\n"
        "g = PiperBackend().synthesize(req, Path(sys.argv[1]))\n"
        "print(hashlib.sha256(g.path.read_bytes()).hexdigest())\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "c")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert run.stdout.strip() == hashlib.sha256(first).hexdigest()


SPEAK = (
    "import hashlib, sys; from pathlib import Path\n"
    "from cinecode.backends import piper_model\n"
    "from cinecode.backends.piper import PiperBackend, preset\n"
    "from cinecode.backends.protocols import SpeechRequest, SpeechSegment\n"
    "if sys.argv[2] == 'cached only':\n"
    "    def refuse(model): raise AssertionError('patched again')\n"
    "    piper_model.patch = refuse\n"
    "req = SpeechRequest((SpeechSegment('Get out, now!', style='shout'), "
    "SpeechSegment('Please.')), preset('child'), seed=7)\n"
    "g = PiperBackend().synthesize(req, Path(sys.argv[1]))\n"
    "print(hashlib.sha256(g.path.read_bytes()).hexdigest())\n"
)


def test_a_voice_from_the_cached_graph_sounds_the_same_and_the_graph_is_made_once(
    tmp_path: Path,
) -> None:
    def speak(cache: Path, how: str = "") -> str:
        env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
        run = subprocess.run(
            [sys.executable, "-c", SPEAK, str(tmp_path / "out"), how],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-2000:]
        assert "Serializing" not in run.stderr  # ONNX Runtime's notes on saving stay quiet
        return run.stdout.strip()

    unwritable = tmp_path / "a file"
    unwritable.write_text("not a folder")
    patched = speak(unwritable)  # no cache: the patched bytes load as before
    cache = tmp_path / "cache"
    first = speak(cache)
    graphs = sorted(p.suffix for p in (cache / "cinecode" / "piper").iterdir())
    assert graphs == [".json", ".onnx"]
    assert speak(cache, "cached only") == first == patched
    cached = next((cache / "cinecode" / "piper").glob("*.onnx"))
    cached.write_bytes(b"damaged")  # a damaged cache is patched again, and mended
    assert speak(cache) == first
    assert cached.stat().st_size > 1_000_000


def test_the_seed_changes_the_delivery_a_little(say: Any) -> None:
    a, b = say(LINE, seed=3), say(LINE, seed=4)
    assert a.path.read_bytes() != b.path.read_bytes()
    assert semitones(f0(a), f0(b)) < 1.0
    assert a.meta["duration"] == pytest.approx(b.meta["duration"], rel=0.15)


def test_concurrent_requests_sound_as_they_do_one_at_a_time(
    backend: PiperBackend, say: Any, tmp_path: Path
) -> None:
    jobs = [
        SpeechRequest((SpeechSegment("Hello there."),), preset("man-warm"), seed=3),
        SpeechRequest((SpeechSegment(LINE),), preset("woman-bright"), seed=3),
        SpeechRequest((SpeechSegment("Run!", style="shout"),), preset("child"), seed=9),
    ]
    alone = [
        backend.synthesize(r, tmp_path / f"one{i}").path.read_bytes() for i, r in enumerate(jobs)
    ]
    with ThreadPoolExecutor(3) as pool:
        together = pool.map(lambda i: backend.synthesize(jobs[i], tmp_path / f"many{i}"), range(3))
        assert [g.path.read_bytes() for g in together] == alone


# --- voices --------------------------------------------------------------------------------


def test_presets_are_named_and_unknown_names_list_them() -> None:
    assert len(VOICE_PRESETS) >= 8
    assert preset("woman-warm") is VOICE_PRESETS["woman-warm"]
    with pytest.raises(KeyError, match=r"man-deep.*woman-bright"):
        preset("chipmunk")


@pytest.fixture(scope="module")
def cast(say: Any) -> dict[str, tuple[float, float]]:
    """Every preset saying the same line: (F0, centroid)."""
    return {
        name: (f0(g), centroid(g))
        for name in VOICE_PRESETS
        for g in [say(LINE, voice=VOICE_PRESETS[name])]
    }


def test_women_speak_well_above_the_men(cast: dict[str, tuple[float, float]]) -> None:
    lowest_woman = min(cast[w][0] for w in WOMEN)
    highest_man = max(cast[m][0] for m in MEN)
    assert lowest_woman >= 1.25 * highest_man
    assert np.median([cast[w][0] for w in WOMEN]) >= 1.5 * np.median([cast[m][0] for m in MEN])
    assert lowest_woman >= 140 and max(cast[w][0] for w in WOMEN) <= 260  # a woman's range
    assert cast["child"][0] > max(cast[w][0] for w in WOMEN)


def test_every_two_presets_are_told_apart(cast: dict[str, tuple[float, float]]) -> None:
    for a, b in itertools.combinations(cast, 2):
        (fa, ca), (fb, cb) = cast[a], cast[b]
        assert semitones(fa, fb) >= 2.0 or max(ca, cb) / min(ca, cb) >= 1.2, (
            a,
            b,
            cast[a],
            cast[b],
        )


def test_rate_changes_duration(say: Any) -> None:
    slow = say(LINE, voice=Voice(rate=0.8))
    fast = say(LINE, voice=Voice(rate=1.25))
    assert slow.meta["duration"] / fast.meta["duration"] == pytest.approx(1.5625, rel=0.1)


# --- styles --------------------------------------------------------------------------------


def test_whisper_is_quieter_and_has_no_voiced_pitch(say: Any) -> None:
    normal = say(LINE)
    whisper = say(SpeechSegment(LINE, style="whisper"))
    assert db(samples(whisper)) <= db(samples(normal)) - 8
    assert voicing(normal) > 0.2
    assert voicing(whisper) < 0.25 * voicing(normal)


def test_shout_is_louder_brighter_and_higher(say: Any) -> None:
    normal = say(LINE)
    shout = say(SpeechSegment(LINE, style="shout"))
    assert db(samples(shout)) >= db(samples(normal)) + 4
    assert centroid(shout) > 1.1 * centroid(normal)
    assert semitones(f0(shout), f0(normal)) >= 1.5 and f0(shout) > f0(normal)


def test_sad_is_slower_and_lower_than_excited(say: Any) -> None:
    sad = say(SpeechSegment(LINE, style="sad"))
    excited = say(SpeechSegment(LINE, style="excited"))
    assert sad.meta["duration"] > 1.2 * excited.meta["duration"]
    assert f0(sad) < f0(excited)


def test_unknown_styles_are_ignored(say: Any) -> None:
    plain = say(LINE)
    odd = say(SpeechSegment(LINE, style="mysteriously"))
    assert odd.path.read_bytes() == plain.path.read_bytes()


# --- the backend ---------------------------------------------------------------------------


def test_status_says_ready_or_what_is_missing(tmp_path: Path) -> None:
    assert PiperBackend().status().state == "ready"
    missing = PiperBackend(model=str(tmp_path / "nobody.onnx")).status()
    assert missing.state == "missing model" and "nobody.onnx" in missing.detail
    with pytest.raises(BackendError, match="volume"):
        PiperBackend(volume=2)


def test_sentences_are_split_where_a_reader_would_pause() -> None:
    assert split_sentences("Mr. Smith is here. He waits! Does he?  J. R. R. Tolkien wrote it.") == [
        "Mr. Smith is here.",
        "He waits!",
        "Does he?",
        "J. R. R. Tolkien wrote it.",
    ]
    assert split_sentences("  ") == []


def test_meta_is_plain_json(say: Any) -> None:
    g = say("Hello there.")
    assert json.loads(json.dumps(g.meta)) == g.meta


def test_progress_rises_to_done(backend: PiperBackend, tmp_path: Path) -> None:
    seen: list[float] = []
    req = SpeechRequest((SpeechSegment("Hello there. Goodbye."),), preset("narrator"), seed=1)
    backend.synthesize(req, tmp_path, seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 2
