"""The sound's clock against the picture's: samples per video frame, AAC frames, and the
quantum every scene lasts a multiple of. Standard library only, so importing the build
machinery (which needs these numbers) loads no numpy; planning a cut still does, through the
departments `edit.plan_cut` imports (motion, mix). See `cinecode.media.audio` for the arrays."""

from __future__ import annotations

import math

AAC_FRAME = 1024


def samples_per_frame(fps: float, rate: int) -> int:
    """Audio samples in one video frame; the project format must make this whole."""
    value = rate / fps
    if abs(value - round(value)) > 1e-9:
        raise ValueError(f"{rate} Hz audio does not divide into {fps} fps frames")
    return round(value)


def quantum_frames(fps: float, rate: int) -> int:
    """The fewest video frames whose audio is a whole number of AAC frames.

    Scenes last a multiple of this, so each scene's audio can be encoded on its own and the
    master conformed from scenes by stream copy (24 fps at 48 kHz: 8 frames = 1/3 s).
    """
    spf = samples_per_frame(fps, rate)
    return math.lcm(spf, AAC_FRAME) // spf


__all__ = ["AAC_FRAME", "quantum_frames", "samples_per_frame"]
