"""Offline score: the composer backend writes each cue as MIDI and renders it with FluidSynth.

`ComposerBackend.compose(MusicRequest)` writes `cue.wav` (stereo float, exactly
`req.duration` seconds) and `cue.mid` beside it:

1. write the score (`composition.compose`): the mood's style fitted to the body
   (`req.duration - req.tail`), the film's theme (`req.params["theme"]`, a seed shared by
   every cue of a film), rests while people speak (`req.quiet`), accents on `req.hits`
2. render it with FluidSynth and the General MIDI soundfont that ships inside pretty_midi's
   wheel (TimGM6mb.sf2), or `soundfont = "path.sf2"` from `[music]` in film.toml; FluidSynth's
   own reverb and chorus are off and it runs on one thread, so rendering is deterministic
3. a concert-hall reverb (pedalboard) sized by the style, a 30 Hz high-pass, and the ending:
   a ring-out into the tail, a fade, or a cut on the last sample

Needs the FluidSynth library (`libfluidsynth3`; `scripts/setup-system` installs it).
"""

from __future__ import annotations

import ctypes
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from cinecode.backends.composer.composition import CueSpec, Score, compose
from cinecode.backends.protocols import BackendStatus, Generated, MusicRequest, ProgressFn
from cinecode.errors import BackendError, MissingModel, MissingPackage
from cinecode.media.audio import write_audio
from cinecode.media.dsp import Stereo, fade_out, samples

INSTALL = (
    "install the FluidSynth library: `sudo apt-get install libfluidsynth3` (scripts/setup-system)"
)
ENDINGS = ("ring", "fade", "cut")


def bundled_soundfont() -> Path:
    """The General MIDI soundfont inside pretty_midi's wheel."""
    spec = importlib.util.find_spec("pretty_midi")
    if spec is None or not spec.origin:
        raise MissingPackage(
            "pretty_midi is not installed", backend="composer", hint="pip install pretty_midi"
        )
    return Path(spec.origin).parent / "TimGM6mb.sf2"


class ComposerBackend:
    """Music cues written as MIDI for a mood and an exact length, rendered offline."""

    name = "composer"
    version = 1

    def __init__(self, *, soundfont: str = "", gain: float = 0.3, **params: Any) -> None:
        if params:
            raise BackendError(
                f"unknown parameter(s) {', '.join(sorted(params))}",
                backend=self.name,
                hint='the composer takes soundfont ("path/to/font.sf2") and gain',
            )
        self.soundfont = soundfont
        self.gain = gain

    def _soundfont(self) -> Path:
        path = Path(self.soundfont).expanduser() if self.soundfont else bundled_soundfont()
        if not path.is_file():
            raise MissingModel(
                f"soundfont {path} does not exist",
                backend=self.name,
                hint="give an existing .sf2 file as `soundfont` in [music], or remove the setting",
            )
        return path

    def status(self) -> BackendStatus:
        """Ready, or which library or soundfont is missing."""
        if importlib.util.find_spec("pretty_midi") is None:
            return BackendStatus(
                "missing package", "pretty_midi is not installed", "pip install pretty_midi"
            )
        try:
            _fluidsynth()
        except MissingPackage as exc:
            return BackendStatus("missing package", exc.message, exc.hint)
        try:
            self._soundfont()
        except (MissingModel, MissingPackage) as exc:
            return BackendStatus("missing model", exc.message, exc.hint)
        return BackendStatus("ready")

    def write(self, req: MusicRequest) -> Score:
        """The score for `req` (step 1 only: no audio)."""
        tail = max(0.0, min(req.tail, req.duration))
        spec = CueSpec(
            mood=req.mood,
            seconds=req.duration - tail,
            seed=req.seed,
            theme=int(req.params.get("theme", 1)),
            tail=tail,
            ending=req.ending if req.ending in ENDINGS else "ring",
            tempo=req.tempo,
            key=req.key,
            quiet=tuple((float(a), float(b)) for a, b in req.quiet),
            hits=tuple(float(h) for h in req.hits),
        )
        return compose(spec)

    def compose(
        self, req: MusicRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """Write and render the cue `req` asks for into `out/cue.wav` (+ `out/cue.mid`)."""
        # 1. check the request and write the score
        if not 0 < req.duration <= 3600:
            raise BackendError(
                f"a cue of {req.duration:.2f} s cannot be composed",
                backend=self.name,
                hint="ask for between 0 and 3600 seconds",
            )
        score = self.write(req)
        score.midi.write(str(out / "cue.mid"))
        if progress:
            progress(0.2)
        # 2. render
        rate = req.sample_rate
        n = samples(req.duration, rate)
        font = self._soundfont()
        audio = render(score.midi, frames=n, rate=rate, soundfont=font, gain=self.gain)
        if progress:
            progress(0.8)
        # 3. hall, high-pass and the ending
        audio = _hall(audio, rate, score.reverb)
        body = samples(req.duration - max(0.0, req.tail), rate)
        if req.ending == "cut" or req.tail <= 0:
            audio[:, body:] = 0.0
            audio[:, :body] *= fade_out(body, samples(0.008, rate))
        else:
            audio *= fade_out(n, samples(min(0.5, req.tail / 2), rate))
        path = out / "cue.wav"
        write_audio(path, audio, rate)
        meta = {
            "duration": n / rate,
            "style": score.style,
            "tempo": round(score.tempo, 3),
            "key": score.key,
            "bars": score.bars,
            "chords": score.chords,
            "programs": score.programs,
        }
        return Generated(path, model=f"composer-1 + {font.name}", meta=meta)


def _fluidsynth() -> Any:
    try:
        import fluidsynth
    except (ImportError, OSError) as exc:
        raise MissingPackage(
            f"the FluidSynth library cannot be loaded ({exc})", backend="composer", hint=INSTALL
        ) from exc
    return fluidsynth


def render(midi: Any, *, frames: int, rate: int, soundfont: Path, gain: float) -> Stereo:
    """Render a PrettyMIDI to `frames` stereo float samples with FluidSynth (deterministic)."""
    fluidsynth = _fluidsynth()
    settings = {
        "synth.reverb.active": 0,
        "synth.chorus.active": 0,
        "synth.cpu-cores": 1,
        "synth.polyphony": 256,
    }
    synth = fluidsynth.Synth(gain=gain, samplerate=float(rate), **settings)
    write_float = fluidsynth._fl.fluid_synth_write_float
    write_float.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
    ]
    out = np.zeros((2, frames), np.float32)
    try:
        font = synth.sfload(str(soundfont))
        if font < 0:
            raise MissingModel(
                f"FluidSynth cannot read {soundfont}",
                backend="composer",
                hint="give a valid SoundFont 2 (.sf2) file",
            )
        events: list[tuple[float, int, str, int, int, int]] = []
        channel = 0
        for instrument in midi.instruments:
            if instrument.is_drum:
                ch = 9
            else:
                ch = channel if channel < 9 else channel + 1
                channel += 1
            if ch > 15:
                raise BackendError(
                    "a cue uses more than 15 instruments",
                    backend="composer",
                    hint="this is a bug in the composer; please report it",
                )
            synth.program_select(ch, font, 128 if instrument.is_drum else 0, instrument.program)
            for cc in instrument.control_changes:
                events.append((cc.time, 0, "cc", ch, cc.number, cc.value))
            for note in instrument.notes:
                events.append((note.end, 1, "off", ch, note.pitch, 0))
                events.append((note.start, 2, "on", ch, note.pitch, note.velocity))
        events.sort()
        cursor = 0
        for time, _, kind, ch, a, b in events:
            at = min(frames, max(0, round(time * rate)))
            if at > cursor:
                _write(write_float, synth, out, cursor, at)
                cursor = at
            if kind == "cc":
                synth.cc(ch, a, b)
            elif kind == "off":
                synth.noteoff(ch, a)
            else:
                synth.noteon(ch, a, b)
        _write(write_float, synth, out, cursor, frames)
    finally:
        synth.delete()
    return out


def _write(write_float: Any, synth: Any, out: Stereo, start: int, end: int) -> None:
    block = 8192
    for at in range(start, end, block):
        count = min(block, end - at)
        left = np.zeros(count, np.float32)
        right = np.zeros(count, np.float32)
        write_float(synth.synth, count, left.ctypes.data, 0, 1, right.ctypes.data, 0, 1)
        out[0, at : at + count] = left
        out[1, at : at + count] = right


def _hall(audio: Stereo, rate: int, amount: float) -> Stereo:
    from pedalboard import HighpassFilter, Pedalboard, Reverb  # type: ignore[attr-defined]

    board = Pedalboard(
        [
            HighpassFilter(30),
            Reverb(
                room_size=0.55 + 0.35 * amount,
                damping=0.45,
                wet_level=0.1 + 0.22 * amount,
                dry_level=0.85,
                width=1.0,
            ),
        ]
    )
    return np.asarray(board(audio, rate), np.float32)
