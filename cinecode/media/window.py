"""Sound follows picture: a voice plays only while its shot is on screen."""

from __future__ import annotations

import numpy as np

from cinecode.media.audio import Audio

#: A cut into a voice is softened over this many samples (6 ms at 48 kHz): no click.
EDGE_SAMPLES = 288


def windowed(voice: Audio, at: int, begin: int, end: int) -> tuple[Audio, int]:
    """The part of `voice` (placed at sample `at`) inside samples [begin, end), and where it
    now starts. A voice wholly inside its window comes back unchanged; a cut edge is faded
    over a few milliseconds."""
    length = voice.shape[-1]
    head = max(0, begin - at)
    tail = max(0, at + length - end)
    if not head and not tail:
        return voice, at
    part = np.array(voice[..., head : max(head, length - tail)], dtype=np.float32)
    edge = min(part.shape[-1] // 2, EDGE_SAMPLES)
    if edge:
        ramp = np.linspace(0.0, 1.0, edge, dtype=np.float32)
        if head:
            part[..., :edge] *= ramp
        if tail:
            part[..., -edge:] *= ramp[::-1]
    return part, at + head
