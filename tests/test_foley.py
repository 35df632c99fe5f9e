"""The foley backend: synthesized ambience beds and spot effects that sound like what they say.

Each sound is measured the way an ear would tell it apart: where its energy is (spectrum),
how it moves (its envelope's rhythm), how long it lasts, how loud it is.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from scipy.signal import butter, sosfilt

from cinecode.backends.foley.backend import FoleyBackend
from cinecode.backends.foley.beds import parse_bed
from cinecode.backends.protocols import EffectsRequest
from cinecode.errors import BackendError
from cinecode.media.audio import read_audio
from cinecode.media.loudness import integrated

RATE = 48000
Array = npt.NDArray[np.float64]


def make(
    tmp_path: Path,
    description: str,
    *,
    kind: str = "ambience",
    seconds: float = 12.0,
    seed: int = 1,
) -> tuple[Array, dict[str, object], Path]:
    out = tmp_path / f"{kind}-{len(list(tmp_path.iterdir()))}"
    out.mkdir()
    made = FoleyBackend().generate(
        EffectsRequest(description, seconds, seed=seed, kind=kind),  # type: ignore[arg-type]
        out,
    )
    return np.asarray(read_audio(made.path), np.float64), dict(made.meta), made.path


def centroid(x: Array) -> float:
    spectrum = np.abs(np.fft.rfft(x.mean(axis=0)))
    freqs = np.fft.rfftfreq(x.shape[1], 1 / RATE)
    return float((spectrum * freqs).sum() / spectrum.sum())


def low_share(x: Array, hz: float = 250) -> float:
    spectrum = np.abs(np.fft.rfft(x.mean(axis=0))) ** 2
    freqs = np.fft.rfftfreq(x.shape[1], 1 / RATE)
    return float(spectrum[freqs < hz].sum() / spectrum.sum())


def envelope(x: Array, hop: float = 0.01) -> Array:
    size = round(RATE * hop)
    mono = x.mean(axis=0)
    frames = mono[: mono.size // size * size].reshape(-1, size)
    return np.sqrt((frames**2).mean(axis=1))


def envelope_power(x: Array, low: float, high: float) -> float:
    """Share of the envelope's fluctuation between `low` and `high` Hz (its rhythm)."""
    env = envelope(x)
    env = env - env.mean()
    spectrum = np.abs(np.fft.rfft(env)) ** 2
    freqs = np.fft.rfftfreq(env.size, 0.01)
    return float(spectrum[(freqs >= low) & (freqs <= high)].sum() / spectrum[1:].sum())


def periodicity(x: Array, seconds: float) -> float:
    """Autocorrelation of the envelope at a lag: 1 for a sound that repeats exactly."""
    env = envelope(x)
    env = env - env.mean()
    lag = round(seconds / 0.01)
    return float(np.dot(env[:-lag], env[lag:]) / np.dot(env, env))


def test_descriptions_become_layers_with_intensity() -> None:
    layers = {
        layer.kind: layer.intensity
        for layer in parse_bed("gale wind, heavy rain, surf booming on rocks")
    }
    assert set(layers) == {"wind", "rain", "surf"}
    assert all(value > 1.2 for value in layers.values())
    gentle = {
        layer.kind: layer.intensity
        for layer in parse_bed("soft swell, a single gull, the wind dropped to nothing")
    }
    assert gentle["surf"] < 1 and gentle["gulls"] < 1 and gentle["wind"] <= 0.2
    assert [layer.kind for layer in parse_bed("storm battering the glass, the radio hissing")] == [
        "wind",
        "rain",
        "thunder",
        "radio",
    ]
    assert parse_bed("an unheard-of sound") == []


def test_ambience_is_exactly_as_long_as_asked_and_loops_without_a_seam(tmp_path: Path) -> None:
    bed, meta, _ = make(tmp_path, "gale wind, heavy rain", seconds=10.0)
    assert bed.shape == (2, 10 * RATE) and meta["loop"] is True
    looped = np.concatenate([bed, bed], axis=1)
    sos = butter(4, 6000, "highpass", fs=RATE, output="sos")
    clicks = np.abs(sosfilt(sos, looped.mean(axis=0)))
    seam = clicks[10 * RATE - 64 : 10 * RATE + 64].max()
    elsewhere = np.percentile(clicks, 99.9)
    assert seam < elsewhere  # the join is no louder than the rain itself


def test_places_sound_different(tmp_path: Path) -> None:
    room, _, _ = make(tmp_path, "room tone")
    storm, _, _ = make(tmp_path, "gale wind, heavy rain")
    surf, _, _ = make(tmp_path, "gentle surf, gulls", seconds=20.0)
    clock, _, _ = make(tmp_path, "clock ticking")
    night, _, _ = make(tmp_path, "night insects")
    # a storm is far louder than a quiet room, and brighter
    assert integrated(storm, RATE) - integrated(room, RATE) > 15
    assert centroid(storm) > centroid(room) * 2
    assert low_share(room) > 0.5  # room tone is a low rumble
    # surf breathes in waves (0.05-0.35 Hz); a clock ticks twice a second
    assert envelope_power(surf, 0.05, 0.35) > 3 * envelope_power(room, 0.05, 0.35)
    assert periodicity(clock, 0.5) > 0.3 > 0.1 > periodicity(room, 0.5)
    # crickets sing high
    assert centroid(night) > 3500


def test_spot_effects_have_the_shape_of_their_sound(tmp_path: Path) -> None:
    door, door_meta, _ = make(tmp_path, "a door slams", kind="spot", seconds=2.0)
    thunder, thunder_meta, _ = make(tmp_path, "thunder cracks overhead", kind="spot", seconds=7.0)
    glass, _, _ = make(tmp_path, "glass shatters", kind="spot", seconds=2.5)
    steps, _, _ = make(tmp_path, "footsteps on gravel", kind="spot", seconds=3.0)
    assert door_meta["recipe"] == "door" and thunder_meta["recipe"] == "thunder"
    # a slam is over in half a second; thunder rolls on for seconds, low
    energy = envelope(door) ** 2
    assert energy[:50].sum() / energy.sum() > 0.9
    roll = envelope(thunder)
    assert roll[300:400].mean() > 0.05 * roll.max()
    assert low_share(thunder, 300) > 0.3
    # glass is bright; footsteps come one after another at walking pace
    assert centroid(glass) > 3000
    env = envelope(steps)
    peaks = [
        i
        for i in range(1, env.size - 1)
        if env[i] > 0.5 * env.max() and env[i] >= env[i - 1] and env[i] > env[i + 1]
    ]
    assert 4 <= len(peaks) <= 12


def test_same_seed_same_bytes_and_unknown_sounds_are_flagged(tmp_path: Path) -> None:
    _, _, a = make(tmp_path, "gulls, gentle surf", seconds=5.0, seed=3)
    _, _, b = make(tmp_path, "gulls, gentle surf", seconds=5.0, seed=3)
    _, _, c = make(tmp_path, "gulls, gentle surf", seconds=5.0, seed=4)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b, c)]
    assert digest[0] == digest[1] != digest[2]
    _, meta, _ = make(tmp_path, "a cow moos", kind="spot", seconds=2.0)
    assert meta["matched"] is False


def test_bad_requests_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="unknown parameter"):
        FoleyBackend(library="big")
    with pytest.raises(BackendError, match="cannot be made"):
        FoleyBackend().generate(EffectsRequest("rain", 0.0, seed=1), tmp_path)
    assert FoleyBackend().status().state == "ready"
