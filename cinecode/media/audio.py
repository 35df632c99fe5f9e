"""Audio arrays in and out of files, and the small conversions every department needs.

Arrays are float32 shaped (channels, samples), the layout pedalboard uses.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]  # (channels, samples)


def read_audio(path: Path, *, rate: int | None = None, channels: int | None = None) -> Audio:
    """Read a WAV/FLAC file as float32 (channels, samples), resampled and remixed on request."""
    from pedalboard.io import AudioFile

    with AudioFile(str(path)) as f:
        data = f.read(f.frames)
        source_rate = int(f.samplerate)
    data = np.ascontiguousarray(data, dtype=np.float32)
    if rate is not None and rate != source_rate:
        data = resample(data, source_rate, rate)
    if channels is not None:
        data = remix(data, channels)
    return data


def audio_rate(path: Path) -> int:
    """The sample rate of an audio file."""
    from pedalboard.io import AudioFile

    with AudioFile(str(path)) as f:
        return int(f.samplerate)


def write_audio(path: Path, data: Audio, rate: int, *, bit_depth: int = 32) -> None:
    """Write float32 (channels, samples) as WAV (32-bit float by default) or FLAC by suffix."""
    from pedalboard.io import AudioFile

    data = np.atleast_2d(np.asarray(data, dtype=np.float32))
    if path.suffix.lower() == ".flac":
        bit_depth = min(bit_depth, 24)
    with AudioFile(str(path), "w", rate, data.shape[0], bit_depth=bit_depth) as f:
        f.write(data)


def resample(data: Audio, source: int, target: int) -> Audio:
    """Band-limited polyphase resampling."""
    if source == target:
        return data
    from scipy.signal import resample_poly

    ratio = Fraction(target, source)
    out = resample_poly(data, ratio.numerator, ratio.denominator, axis=-1)
    return np.ascontiguousarray(out, dtype=np.float32)


def remix(data: Audio, channels: int) -> Audio:
    """Mono ↔ stereo (mono is copied to both sides; stereo is averaged to mono)."""
    data = np.atleast_2d(data)
    if data.shape[0] == channels:
        return data
    if channels == 1:
        return np.ascontiguousarray(data.mean(axis=0, keepdims=True), dtype=np.float32)
    return np.ascontiguousarray(np.repeat(data[:1], channels, axis=0), dtype=np.float32)


def silence(seconds: float, rate: int, channels: int = 2) -> Audio:
    return np.zeros((channels, round(seconds * rate)), dtype=np.float32)


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def samples_per_frame(fps: float, rate: int) -> int:
    """Audio samples in one video frame; the project format must make this whole."""
    value = rate / fps
    if abs(value - round(value)) > 1e-9:
        raise ValueError(f"{rate} Hz audio does not divide into {fps} fps frames")
    return round(value)


AAC_FRAME = 1024


def quantum_frames(fps: float, rate: int) -> int:
    """The fewest video frames whose audio is a whole number of AAC frames.

    Scenes last a multiple of this, so each scene's audio can be encoded on its own and the
    master conformed from scenes by stream copy (24 fps at 48 kHz: 8 frames = 1/3 s).
    """
    spf = samples_per_frame(fps, rate)
    return math.lcm(spf, AAC_FRAME) // spf
