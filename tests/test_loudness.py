"""Loudness, peaks and ducking on small signals, and the `[mix]` settings that steer them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from cinecode.departments.mix import duck_curve, level
from cinecode.errors import ProjectError
from cinecode.media.loudness import (
    _interpolator,
    _oversampled_peak,
    integrated,
    limiter_gain,
    momentary_max,
    true_peak,
)
from cinecode.project.config import load_project

RATE = 48000


def speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    """Noise in syllable bursts with sharp peaks: what a limiter has to work on."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    bursts = (np.sin(2 * np.pi * 3.0 * t) > 0.2).astype(np.float64)
    x = rng.standard_normal((2, n)) * 0.1 * bursts
    x[:, rng.integers(0, n, 5)] += 0.9  # clicks far above the rest
    return x.astype(np.float32)


def test_measurements_agree_with_pyloudnorm_and_oversampling() -> None:
    x = speechlike(6.0)
    assert integrated(x, RATE) == pytest.approx(
        pyloudnorm.Meter(RATE).integrated_loudness(x.T.astype(np.float64)), abs=1e-6
    )
    peak = 20 * np.log10(np.abs(resample_poly(x, 4, 1, axis=1)).max())
    assert true_peak(x) == pytest.approx(peak, abs=0.01)
    assert integrated(np.zeros((2, RATE), np.float32), RATE) == -np.inf
    tone = np.tile(0.1 * np.sin(2 * np.pi * 1000 * np.arange(RATE) / RATE), (2, 1))
    # a steady tone's loudest 400 ms is its integrated loudness
    assert momentary_max(tone, RATE) == pytest.approx(integrated(tone, RATE), abs=0.05)


def worst_case(level: float, at: int, n: int) -> np.ndarray:
    """Stereo samples of `level` whose signs follow one phase of the oversampling filter
    around sample `at`: the highest inter-sample peak samples of that level can make."""
    taps, _ = _interpolator()
    phase = max(range(4), key=lambda p: float(np.abs(taps[p::4]).sum()))
    signs = np.sign(taps[phase::4])[::-1]
    x = np.zeros((2, n), np.float32)
    x[:, at : at + len(signs)] = level * signs
    return x


@pytest.mark.parametrize("above", [0.0, 0.3, 0.79, 0.95])
def test_peaks_are_oversampled_wherever_they_can_pass_a_level(above: float) -> None:
    """Only the stretches that could pass `above` are oversampled: every per-sample peak
    above it, and whether any is, are those of oversampling the whole signal."""
    x = speechlike(6.0, seed=3) * 0.6
    x += worst_case(0.42, 3 * RATE, x.shape[1])  # 7 dB of inter-sample peak from 0.42
    n = x.shape[1]
    whole = np.abs(resample_poly(x, 4, 1, axis=1)).max(axis=0)[: 4 * n]
    every = np.maximum(whole.reshape(n, 4).max(axis=1), np.abs(x).max(axis=0))
    peaks = _oversampled_peak(x, above=above)
    over = every > above
    assert np.array_equal(peaks[over], every[over])
    assert np.all(peaks <= every) and np.all(peaks[~over] <= above)
    assert every[3 * RATE : 3 * RATE + 30].max() > 0.9  # the worst case passes 0.79 and 0.95
    assert np.array_equal(_oversampled_peak(x), every)


def test_the_limiter_holds_the_true_peak_and_leaves_quiet_signals_alone() -> None:
    x = speechlike(6.0)
    curve = limiter_gain(x, RATE, ceiling_db=-2.0)
    assert true_peak(x * curve) <= -2.0 + 1e-6
    assert curve.min() < 0.85 and np.median(curve) > 0.97  # it acts on the clicks, not the rest
    assert np.abs(np.diff(curve)).max() < 0.2  # a glide, not a step
    quiet = x * 0.01
    assert np.all(limiter_gain(quiet, RATE, ceiling_db=-2.0) == 1.0)


@pytest.mark.parametrize("target", [-23.0, -16.0, -14.0])
def test_level_reaches_the_target_under_the_ceiling(target: float) -> None:
    x = speechlike(8.0, seed=1)
    gain, curve, reached = level(x, RATE, target=target, ceiling=-2.0)
    out = x * 10 ** (gain / 20) * curve
    assert integrated(out, RATE) == pytest.approx(target, abs=0.3)
    assert reached == pytest.approx(integrated(out, RATE), abs=1e-6)
    assert true_peak(out) <= -2.0 + 1e-6


def test_a_quiet_scene_is_raised_at_most_6_db() -> None:
    room = (np.random.default_rng(2).standard_normal((2, 5 * RATE)) * 0.001).astype(np.float32)
    gain, _, _ = level(room, RATE, target=-16.0, ceiling=-2.0)
    assert gain == pytest.approx(6.0)


def test_ducking_reaches_its_depth_glides_and_recovers() -> None:
    n = 10 * RATE
    curve = duck_curve([(3.0, 5.0)], n, RATE, depth=10.0)
    db = 20 * np.log10(curve)
    assert db[4 * RATE] == pytest.approx(-10.0, abs=0.2)  # deep under the words
    assert db[round(2.95 * RATE)] < -6.0  # down already when the first word comes
    assert db[round(2.5 * RATE)] > -0.5  # but not long before
    assert db[8 * RATE] > -0.5  # back up after the release
    steepest = np.abs(np.diff(db)).max() * RATE  # dB per second
    assert steepest < 200  # no step: 10 dB take at least 50 ms
    assert np.all(duck_curve([], n, RATE, depth=10.0) == 1.0)


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "film.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_mix_settings_and_presets(tmp_path: Path) -> None:
    default = load_project(write(tmp_path, 'title = "A"\n')).config.mix
    assert (default.target_lufs, default.ceiling, default.duck) == (-16.0, -1.0, 10.0)
    broadcast = load_project(write(tmp_path, '[mix]\nloudness = "broadcast"\n')).config.mix
    assert broadcast.target_lufs == -23.0
    streaming = load_project(write(tmp_path, '[mix]\nloudness = "streaming"\n')).config.mix
    assert streaming.target_lufs == -14.0
    custom = load_project(write(tmp_path, "[mix]\ntarget = -20\ntrue_peak = -2\nmusic = -3\n"))
    assert (custom.config.mix.target_lufs, custom.config.mix.ceiling) == (-20.0, -2.0)
    with pytest.raises(ProjectError) as error:
        load_project(write(tmp_path, 'title = "A"\n\n[mix]\nloudness = "cinema"\n'))
    assert error.value.line == 4
