"""Offline sound effects and ambience, synthesized: the foley backend.

`FoleyBackend.generate(EffectsRequest)` writes one stereo float WAV of exactly
`req.duration` seconds:

- `kind="ambience"`: a bed of layers parsed from the description (`foley_beds`), rendered a
  little longer than asked and cross-faded into its own start, so it **loops seamlessly**
  (`meta["loop"] = True`): the mix repeats it under a scene of any length.
- `kind="spot"`: one event (`foley_spots`), starting at the first sample and decaying within
  the length; `meta["recipe"]` names the recipe, `meta["matched"]` is False when the
  description named no sound it knows (a soft impact stands in).

`req.params["space"]` = "room" adds a small room's reflections to a spot effect, "open" a
faint distant slap. Levels are the backend's own (a gentle bed is quieter than a gale); the
mix sets the final loudness. Same request, same bytes: all randomness comes from `req.seed`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from cinecode.backends.foley.beds import Layer, parse_bed, render_bed
from cinecode.backends.foley.spots import match_recipe
from cinecode.backends.protocols import (
    BackendStatus,
    EffectsRequest,
    Generated,
    ProgressFn,
)
from cinecode.errors import BackendError
from cinecode.media.audio import write_audio
from cinecode.media.dsp import Stereo, fade_out, generator, loop_seamless, samples

#: seconds rendered past a bed's length and cross-faded into its start
LOOP_OVERLAP = 2.0


class FoleyBackend:
    """Synthesized ambience beds and spot effects, offline and deterministic."""

    name = "foley"
    version = 1

    def __init__(self, **params: Any) -> None:
        if params:
            raise BackendError(
                f"unknown parameter(s) {', '.join(sorted(params))}",
                backend=self.name,
                hint="the foley backend takes no settings; remove them from [effects]",
            )

    def status(self) -> BackendStatus:
        """Ready when numpy, scipy and pedalboard are installed."""
        for package in ("numpy", "scipy", "pedalboard"):
            if importlib.util.find_spec(package) is None:
                return BackendStatus(
                    "missing package", f"{package} is not installed", f"pip install {package}"
                )
        return BackendStatus("ready")

    def generate(
        self, req: EffectsRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """Synthesize `req` into `out/effect.wav`."""
        # 1. check the request
        if req.duration <= 0 or req.duration > 600:
            raise BackendError(
                f"an effect of {req.duration:.2f} s cannot be made",
                backend=self.name,
                hint="ask for between 0 and 600 seconds",
            )
        if req.sample_rate < 8000:
            raise BackendError(
                f"sample rate {req.sample_rate} Hz is too low",
                backend=self.name,
                hint="ask for 48000 Hz, the film's rate",
            )
        rate = req.sample_rate
        n = samples(req.duration, rate)
        meta: dict[str, Any] = {"kind": req.kind, "duration": n / rate}
        # 2. synthesize
        if req.kind == "ambience":
            layers = parse_bed(req.description) or [Layer("room")]
            longer = render_bed(layers, seconds=n / rate + LOOP_OVERLAP, rate=rate, seed=req.seed)
            audio = loop_seamless(longer, n, samples(LOOP_OVERLAP, rate))
            meta.update(
                loop=True, layers=[[layer.kind, round(layer.intensity, 2)] for layer in layers]
            )
        else:
            name, recipe, matched = match_recipe(req.description)
            audio = recipe(
                generator(req.seed, "spot", req.description), n, rate, req.description.lower()
            )
            audio = _space(audio, rate, str(req.params.get("space", "")))
            audio = audio[:, :n] * fade_out(n, samples(0.02, rate))
            meta.update(loop=False, recipe=name, matched=matched)
        if progress:
            progress(0.9)
        # 3. write
        audio = np.nan_to_num(np.asarray(audio, np.float32))
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak > 0.99:
            audio *= 0.99 / peak
        path = out / "effect.wav"
        write_audio(path, audio, rate)
        return Generated(path, model="foley-synth-1", meta=meta)


def _space(audio: Stereo, rate: int, space: str) -> Stereo:
    """A small room's reflections ("room") or a faint distant slap ("open")."""
    if space not in ("room", "open"):
        return audio
    from pedalboard import Pedalboard, Reverb  # type: ignore[attr-defined]

    if space == "room":
        board = Pedalboard(
            [Reverb(room_size=0.22, damping=0.55, wet_level=0.16, dry_level=0.9, width=0.9)]
        )
    else:
        board = Pedalboard(
            [Reverb(room_size=0.55, damping=0.8, wet_level=0.05, dry_level=1.0, width=1.0)]
        )
    return np.asarray(board(audio, rate), np.float32)
