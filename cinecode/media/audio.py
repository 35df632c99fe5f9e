"""Audio arrays in and out of files, and the small conversions every department needs.

Arrays are float32 shaped (channels, samples), the layout pedalboard uses.
"""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

# the clock's numbers, still importable from here (the build machinery imports media.clock)
from cinecode.media.clock import AAC_FRAME as AAC_FRAME
from cinecode.media.clock import quantum_frames as quantum_frames
from cinecode.media.clock import samples_per_frame as samples_per_frame

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


def pcm_layout(path: Path) -> tuple[int, int, int, int]:
    """(offset, size, channels, bytes per sample) of the samples of an integer PCM WAV file.

    Only the RIFF chunks are read: what lets a stem be copied out of a scene's stems
    byte for byte, without decoding.
    """
    with path.open("rb") as f:
        riff, _, wave = struct.unpack("<4sI4s", f.read(12))
        if riff != b"RIFF" or wave != b"WAVE":
            raise ValueError(f"{path}: not a WAV file")
        channels = width = 0
        while header := f.read(8):
            chunk, size = struct.unpack("<4sI", header)
            if chunk == b"fmt ":
                tag, channels, _, _, _, bits = struct.unpack("<HHIIHH", f.read(16))
                if tag == 0xFFFE:  # WAVE_FORMAT_EXTENSIBLE: the sub-format's tag
                    f.read(8)
                    tag = struct.unpack("<H", f.read(2))[0]
                    f.seek(size - 26, 1)
                else:
                    f.seek(size - 16, 1)
                if tag != 1:
                    raise ValueError(f"{path}: not integer PCM (format {tag})")
                width = bits // 8
            elif chunk == b"data":
                if not channels:
                    raise ValueError(f"{path}: data before the format chunk")
                return f.tell(), size, channels, width
            else:
                f.seek(size + size % 2, 1)
    raise ValueError(f"{path}: no data chunk")


def write_pcm_header(sink: BinaryIO, *, channels: int, rate: int, width: int, frames: int) -> None:
    """The 44-byte header of an integer PCM WAV file whose `frames` samples follow."""
    size = frames * channels * width
    sink.write(struct.pack("<4sI4s", b"RIFF", 36 + size, b"WAVE"))
    sink.write(
        struct.pack(
            "<4sIHHIIHH",
            b"fmt ",
            16,
            1,
            channels,
            rate,
            rate * channels * width,
            channels * width,
            8 * width,
        )
    )
    sink.write(struct.pack("<4sI", b"data", size))


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
