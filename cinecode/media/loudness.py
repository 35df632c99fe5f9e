"""Loudness and peaks: ITU-R BS.1770 integrated loudness (pyloudnorm), true peak, a limiter.

The limiter computes a *gain curve* from the full mix and returns it instead of the limited
signal, so the same curve can be applied to each stem: stems multiplied by one curve still sum
exactly to the limited mix.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

Signal = npt.NDArray[np.float32]  # (channels, samples)

#: the oversampling of true-peak measurement (BS.1770-4 asks for at least 4× at 48 kHz)
OVERSAMPLE = 4


def integrated(x: Signal, rate: int) -> float:
    """Integrated loudness in LUFS (gated); -inf for silence or less than 0.4 s."""
    import pyloudnorm

    x = np.atleast_2d(x)
    if x.shape[1] < rate * 0.4 or not np.any(x):
        return -math.inf
    with np.errstate(divide="ignore"):
        value = float(pyloudnorm.Meter(rate).integrated_loudness(x.T.astype(np.float64)))
    return value if math.isfinite(value) else -math.inf


def momentary_max(x: Signal, rate: int) -> float:
    """The loudest 400 ms of `x` (momentary loudness, K-weighted, LUFS); for short effects."""
    import pyloudnorm

    x = np.atleast_2d(x)
    window = round(0.4 * rate)
    if not np.any(x):
        return -math.inf
    if x.shape[1] < window:
        x = np.pad(x, ((0, 0), (0, window - x.shape[1])))
    meter = pyloudnorm.Meter(rate)
    power = np.zeros(x.shape[1])
    for channel in x.astype(np.float64):
        for stage in meter._filters.values():  # K-weighting, as the meter applies it
            channel = stage.apply_filter(channel)
        power += np.square(channel)
    sums = np.concatenate([[0.0], np.cumsum(power)])
    energy = (sums[window:] - sums[:-window]) / window
    peak = float(energy.max(initial=0.0))
    return -0.691 + 10 * math.log10(peak) if peak > 0 else -math.inf


def true_peak(x: Signal) -> float:
    """True peak in dBTP (4× oversampled)."""
    over = _oversampled_peak(np.atleast_2d(x))
    peak = float(over.max(initial=0.0))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


#: Input samples a block reaches past its ends (the filter's half length, 10, and a margin).
CONTEXT = 32
#: Samples per block when deciding where to oversample.
HOT_BLOCK = 256


@functools.cache
def _interpolator() -> tuple[npt.NDArray[np.float64], float]:
    """The oversampling filter (the one `resample_poly` designs by default: 81 taps, Kaiser
    β 5) and the most its output can exceed the samples it reads: the largest sum of |taps|
    of one phase (2.24, 7 dB), with a margin for rounding."""
    from scipy.signal import firwin

    taps = firwin(20 * OVERSAMPLE + 1, 1.0 / OVERSAMPLE, window=("kaiser", 5.0))
    scaled = np.abs(taps) * OVERSAMPLE
    gain = max(float(scaled[phase::OVERSAMPLE].sum()) for phase in range(OVERSAMPLE))
    return taps, gain * 1.001


def _oversampled_peak(x: Signal, *, above: float = 0.0) -> npt.NDArray[np.float32]:
    """Per input sample, the highest |value| of any channel in its 4× oversampled neighbourhood.

    Only the stretches where that can exceed `above` are oversampled (the filter's gain times
    the loudest sample within reach); elsewhere the sample's own |value| stands in, which is
    as high as the true value and, like it, at most `above`: any comparison with `above`, and
    any peak above it, come out as if everything had been oversampled.
    """
    from scipy.signal import resample_poly

    n = x.shape[1]
    if n == 0:
        return np.zeros(0, np.float32)
    sample: npt.NDArray[np.float32] = np.abs(x).max(axis=0).astype(np.float32)
    per = sample.copy()
    taps, gain = _interpolator()
    for start, end in _hot_stretches(sample, above / gain):
        lo, hi = max(0, start - CONTEXT), min(n, end + CONTEXT)
        over = np.abs(
            resample_poly(x[:, lo:hi], OVERSAMPLE, 1, axis=1, window=taps.astype(x.dtype))
        ).max(axis=0)
        part = over[(start - lo) * OVERSAMPLE : (end - lo) * OVERSAMPLE]
        per[start:end] = np.maximum(part.reshape(-1, OVERSAMPLE).max(axis=1), sample[start:end])
    return per


def _hot_stretches(sample: npt.NDArray[np.float32], level: float) -> list[tuple[int, int]]:
    """(start, end) of the runs of blocks that have, or touch a block that has, a sample
    above `level`."""
    n = len(sample)
    blocks = -(-n // HOT_BLOCK)
    padded = np.zeros(blocks * HOT_BLOCK, np.float32)
    padded[:n] = sample
    loud = padded.reshape(blocks, HOT_BLOCK).max(axis=1) > level
    hot = loud.copy()
    hot[1:] |= loud[:-1]
    hot[:-1] |= loud[1:]
    edges = np.flatnonzero(np.diff(np.concatenate([[0], hot.astype(np.int8), [0]])))
    return [
        (int(a) * HOT_BLOCK, min(n, int(b) * HOT_BLOCK))
        for a, b in zip(edges[0::2], edges[1::2], strict=True)
    ]


def limiter_gain(
    x: Signal,
    rate: int,
    *,
    ceiling_db: float,
    lookahead: float = 0.005,
    release: float = 0.25,
    block: int = 16,
) -> npt.NDArray[np.float32]:
    """The gain curve (samples,) that keeps `x`'s true peak at or under `ceiling_db`.

    Look-ahead brick-wall limiting: the gain reaches its reduction `lookahead` seconds before a
    peak (a sliding minimum followed by a moving average of the same length, so it is smooth
    and never above what the peak needs) and recovers exponentially over `release`. Computed
    on blocks of `block` samples, then interpolated. A last static trim catches what the
    modulation itself adds to inter-sample peaks.
    """
    x = np.atleast_2d(np.asarray(x, np.float32))
    n = x.shape[1]
    ceiling = 10 ** (ceiling_db / 20)
    if n == 0:
        return np.ones(0, np.float32)
    peaks = _oversampled_peak(x, above=ceiling)
    if float(peaks.max()) <= ceiling:
        return np.ones(n, np.float32)
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    blocks = -(-n // block)
    padded = np.ones(blocks * block, np.float32)
    padded[:n] = need
    per_block = padded.reshape(blocks, block).min(axis=1)
    ahead = max(1, round(lookahead * rate / block))
    # sliding minimum over the next `ahead` blocks, then a causal moving average of that length
    window = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([per_block, np.ones(ahead, np.float32)]), ahead + 1
    ).min(axis=1)[:blocks]
    smooth = np.convolve(
        np.concatenate([np.ones(ahead, np.float32), window]), np.ones(ahead + 1) / (ahead + 1)
    )[ahead : ahead + blocks]
    smooth = np.minimum(smooth, window)
    coeff = 1 - math.exp(-block / (release * rate))
    gains = np.empty(blocks, np.float32)
    current = 1.0
    for index, target in enumerate(smooth.tolist()):
        current = target if target < current else current + (target - current) * coeff
        gains[index] = current
    centres = (np.arange(blocks) + 0.5) * block
    curve = np.interp(np.arange(n), centres, gains).astype(np.float32)
    curve = np.minimum(curve, np.repeat(gains, block)[:n])
    after = float(_oversampled_peak(x * curve, above=ceiling).max())
    if after > ceiling:
        curve *= ceiling / after
    return np.asarray(curve, np.float32)
