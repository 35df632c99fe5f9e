"""Signal building blocks for synthesized sound: noises, filters, envelopes, placement.

Mono signals are float32 `(samples,)`, stereo ones `(2, samples)` (the layout of
`media.audio`). Randomness always comes from a `numpy.random.Generator` handed in, made by
`generator(seed, *salt)`, so the same seed gives the same bytes on any machine.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Mono = npt.NDArray[np.float32]
Stereo = npt.NDArray[np.float32]
Rng = np.random.Generator


def generator(seed: int, *salt: object) -> Rng:
    """A random generator fixed by `seed` and any salt (names, indices)."""
    text = "/".join([str(seed), *map(str, salt)]).encode()
    return np.random.default_rng(int.from_bytes(hashlib.sha256(text).digest()[:8], "little"))


def samples(seconds: float, rate: int) -> int:
    """Whole samples in `seconds` (never negative)."""
    return max(0, round(seconds * rate))


# --- noises ----------------------------------------------------------------------------------


def white(rng: Rng, n: int) -> Mono:
    """White noise (flat spectrum), RMS 0.3."""
    return rng.standard_normal(n).astype(np.float32) * 0.3


def pink(rng: Rng, n: int) -> Mono:
    """1/f noise (equal energy per octave), unit-ish RMS, by shaping white noise's spectrum."""
    if n == 0:
        return np.zeros(0, np.float32)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.size, dtype=np.float64)
    f[0] = 1.0
    spectrum /= np.sqrt(f)
    out = np.fft.irfft(spectrum, n)
    return (out / (np.std(out) + 1e-12) * 0.3).astype(np.float32)


def brown(rng: Rng, n: int, *, leak: float = 0.998) -> Mono:
    """1/f² (red) noise: the rumble of surf, wind and engines."""
    from scipy.signal import lfilter  # on first use: scipy.signal takes 1.7 s to import

    out = np.asarray(lfilter([1.0], [1.0, -leak], rng.standard_normal(n)), np.float64)
    return np.asarray(out / (np.std(out) + 1e-12) * 0.3, np.float32)


def drift(rng: Rng, n: int, rate: int, hz: float, *, smooth: int = 2) -> Mono:
    """A slow random wobble in [-1, 1] changing about `hz` times a second (gusts, rpm)."""
    if n == 0:
        return np.zeros(0, np.float32)
    points = max(2, math.ceil(n / rate * hz) + 2)
    knots = rng.uniform(-1.0, 1.0, points)
    for _ in range(smooth):
        knots = np.convolve(np.pad(knots, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")
    t = np.linspace(0, points - 1, n)
    out = np.interp(t, np.arange(points), knots)
    peak = float(np.max(np.abs(out))) or 1.0
    return (out / peak).astype(np.float32)


# --- filters ---------------------------------------------------------------------------------


def _nyquist(hz: float, rate: int) -> float:
    return min(max(hz, 1.0), rate / 2 * 0.98)


def lowpass(x: Mono, hz: float, rate: int, order: int = 2) -> Mono:
    """Butterworth low-pass at `hz`."""
    from scipy.signal import butter, sosfilt

    sos = butter(order, _nyquist(hz, rate), "lowpass", fs=rate, output="sos")
    return np.asarray(sosfilt(sos, x, axis=-1), np.float32)


def highpass(x: Mono, hz: float, rate: int, order: int = 2) -> Mono:
    """Butterworth high-pass at `hz`."""
    from scipy.signal import butter, sosfilt

    sos = butter(order, _nyquist(hz, rate), "highpass", fs=rate, output="sos")
    return np.asarray(sosfilt(sos, x, axis=-1), np.float32)


def bandpass(x: Mono, low: float, high: float, rate: int, order: int = 2) -> Mono:
    """Butterworth band-pass between `low` and `high` Hz."""
    from scipy.signal import butter, sosfilt

    low, high = _nyquist(low, rate), _nyquist(high, rate)
    if high <= low * 1.01:
        high = low * 1.05
    sos = butter(order, [low, high], "bandpass", fs=rate, output="sos")
    return np.asarray(sosfilt(sos, x, axis=-1), np.float32)


def resonate(x: Mono, hz: float, q: float, rate: int) -> Mono:
    """A resonant band (a two-pole peak at `hz`, bandwidth hz/q): bodies, cavities, whistles."""
    from scipy.signal import lfilter

    hz = _nyquist(hz, rate)
    r = math.exp(-math.pi * hz / q / rate)
    theta = 2 * math.pi * hz / rate
    a = [1.0, -2 * r * math.cos(theta), r * r]
    return np.asarray(lfilter([1.0 - r], a, x), np.float32)


def sweep_resonate(x: Mono, hz: Mono, q: float, rate: int, *, block: int = 256) -> Mono:
    """A resonant band whose centre follows `hz` (per sample), updated every `block` samples."""
    from scipy.signal import lfilter

    out = np.zeros_like(x)
    zi = np.zeros(2)
    for start in range(0, x.size, block):
        f = _nyquist(float(hz[start]), rate)
        r = math.exp(-math.pi * f / q / rate)
        theta = 2 * math.pi * f / rate
        a = [1.0, -2 * r * math.cos(theta), r * r]
        out[start : start + block], zi = lfilter([1.0 - r], a, x[start : start + block], zi=zi)
    return out


# --- envelopes -------------------------------------------------------------------------------


def decay(n: int, rate: int, seconds: float) -> Mono:
    """exp(-t/τ) with τ = seconds/6.9, i.e. -60 dB after `seconds`."""
    t = np.arange(n, dtype=np.float32) / rate
    return np.exp(-t * 6.9 / max(seconds, 1e-4)).astype(np.float32)


def attack_decay(n: int, rate: int, attack: float, release: float) -> Mono:
    """A linear rise over `attack` seconds, then an exponential fall over `release`."""
    env = decay(n, rate, release)
    a = min(n, samples(attack, rate))
    if a:
        ramp = np.linspace(0.0, 1.0, a, dtype=np.float32)
        env = np.concatenate([ramp, env[: n - a]])
    return env


def hann_swell(n: int, peak: float = 0.5) -> Mono:
    """A smooth rise and fall over n samples, peaking at fraction `peak`."""
    if n == 0:
        return np.zeros(0, np.float32)
    t = np.linspace(0.0, 1.0, n)
    up = np.clip(t / max(peak, 1e-3), 0, 1)
    down = np.clip((1 - t) / max(1 - peak, 1e-3), 0, 1)
    return (np.sin(np.minimum(up, down) * np.pi / 2) ** 2).astype(np.float32)


def fade_in(n: int, length: int) -> Mono:
    """Equal-power rise over `length` samples, then 1 (n samples in all)."""
    env = np.ones(n, np.float32)
    length = min(length, n)
    if length > 0:
        env[:length] = np.sin(np.linspace(0, np.pi / 2, length, dtype=np.float32))
    return env


def fade_out(n: int, length: int) -> Mono:
    """1, then an equal-power fall to 0 over the last `length` samples."""
    return fade_in(n, length)[::-1].copy()


# --- placing ---------------------------------------------------------------------------------


def pan(mono: Mono, position: float) -> Stereo:
    """Equal-power pan: -1 left … 0 centre … +1 right."""
    angle = (np.clip(position, -1, 1) + 1) * np.pi / 4
    return np.stack([mono * math.cos(angle), mono * math.sin(angle)]).astype(np.float32)


def widen(rng: Rng, make: Callable[[Rng, int], Mono], n: int, correlation: float = 0.3) -> Stereo:
    """Two partly correlated channels from a noise maker `make(rng, n)`."""
    common = make(rng, n)
    left, right = make(rng, n), make(rng, n)
    c = math.sqrt(correlation)
    s = math.sqrt(1 - correlation)
    return np.stack([c * common + s * left, c * common + s * right]).astype(np.float32)


def add_at(dst: npt.NDArray[np.float32], src: npt.NDArray[np.float32], at: int) -> None:
    """Add `src` into `dst` from sample `at` on (last axis), clipped to dst's bounds."""
    n = dst.shape[-1]
    if at >= n or at + src.shape[-1] <= 0:
        return
    lo = max(0, -at)
    hi = min(src.shape[-1], n - at)
    dst[..., at + lo : at + hi] += src[..., lo:hi]


def loop_seamless(x: Stereo, n: int, overlap: int) -> Stereo:
    """`n` samples of `x` (which has n + overlap) that loop without a seam: the extra
    `overlap` samples are cross-faded into the start."""
    out = x[..., :n].copy()
    overlap = min(overlap, n, x.shape[-1] - n)
    if overlap > 0:
        t = np.linspace(0, np.pi / 2, overlap, dtype=np.float32)
        out[..., :overlap] = x[..., :overlap] * np.sin(t) + x[..., n : n + overlap] * np.cos(t)
    return out


def overlay(*parts: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The sum of signals of different lengths, as long as the longest."""
    n = max(p.shape[-1] for p in parts)
    out = np.zeros((*parts[0].shape[:-1], n), np.float32)
    for p in parts:
        out[..., : p.shape[-1]] += p
    return out
