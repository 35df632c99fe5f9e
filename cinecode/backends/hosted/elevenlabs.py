"""ElevenLabs: a voice per character, sound effects, and music.

```toml
[voice]
backend = "elevenlabs"
model = "eleven_multilingual_v2"
voice_settings = { stability = 0.5, similarity_boost = 0.75 }

[characters.MARA]
voice = { backend = "elevenlabs", voice_id = "21m00Tcm4TlvDq8ikWAM", settings = { style = 0.3 } }
```
Speech: `POST /v1/text-to-speech/{voice_id}` for each run of words between the delivery's
pauses (with the neighbouring words as `previous_text`/`next_text`, so the runs sound like
one reading), the pauses inserted as silence. Effects: `POST /v1/sound-generation`. Music:
`POST /v1/music`. Each answer's `history-item-id` lets a broken download be fetched again
from `/v1/history/{id}/audio` without paying again. Key: `ELEVENLABS_API_KEY`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from cinecode.backends.hosted.base import HostedBackend, Ticket
from cinecode.backends.hosted.checks import decode_audio_bytes, expect_duration
from cinecode.backends.hosted.pricing import Usage
from cinecode.backends.hosted.results import Reading, fit_length, write_wav
from cinecode.backends.protocols import (
    EffectsRequest,
    Generated,
    MusicRequest,
    ProgressFn,
    SpeechRequest,
    Voice,
)
from cinecode.errors import BackendError, BadOutput, Rejected

#: premade ElevenLabs voices under the names cinecode casts by (override with voice_id)
VOICE_PRESETS = {
    "narrator": Voice(name="pNInz6obpgDQGcFmaJgB"),  # Adam
    "man-deep": Voice(name="VR6AewLTigWG4xSOukaG"),  # Arnold
    "man-warm": Voice(name="ErXwobaYiN019PkySvjV"),  # Antoni
    "man-young": Voice(name="TxGEqnHWrfWFTfGW9XjX"),  # Josh
    "elder": Voice(name="yoZ06aMxZJJ28mfd3POQ"),  # Sam
    "woman-warm": Voice(name="21m00Tcm4TlvDq8ikWAM"),  # Rachel
    "woman-bright": Voice(name="EXAVITQu4vr4xnSDxMaL"),  # Bella
    "woman-low": Voice(name="AZnzlk1XvdvUeBnXmlld"),  # Domi
    "child": Voice(name="MF3mGyEYCl7XYWbV9V6O"),  # Elli
}
DEFAULT_FORMAT = "mp3_44100_128"
HISTORY_TRIES = 3


class ElevenLabsBackend(HostedBackend):
    name = "elevenlabs"
    BASE_URL = "https://api.elevenlabs.io/v1"
    KEY_ENV = "ELEVENLABS_API_KEY"
    AUTH = "xi-api-key"
    STATUS_PATH = "user"

    def __init__(
        self,
        *,
        model: str = "",
        voice_id: str = "",
        voice_settings: Mapping[str, Any] | None = None,
        output_format: str = DEFAULT_FORMAT,
        prompt_influence: float = 0.3,
        **settings: Any,
    ) -> None:
        super().__init__(model=model, **settings)
        self.voice_id = voice_id
        self.voice_settings = dict(voice_settings or {})
        self.output_format = output_format
        self.prompt_influence = prompt_influence

    # --- speech ----------------------------------------------------------------------------

    def synthesize(
        self,
        req: SpeechRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """Speak a delivery with the character's voice; pauses become silence."""
        voice_id = VOICE_PRESETS.get(req.voice.name, req.voice).name or self.voice_id
        if not voice_id:
            raise BackendError(
                "no ElevenLabs voice for this character",
                backend=self.name,
                hint='set voice = { voice_id = "…" } for the character in film.toml',
            )
        model = req.model or self.model or "eleven_multilingual_v2"
        settings = {**self.voice_settings, **dict(req.voice.params.get("settings", {}))}
        if req.voice.rate != 1.0 and "speed" not in settings:
            settings["speed"] = round(min(1.2, max(0.7, req.voice.rate)), 3)
        reading = Reading(req.segments, req.sample_rate)
        runs = reading.runs
        credits = 0
        try:
            for index, text, _ in reading:
                body: dict[str, Any] = {"text": text, "model_id": model, "seed": req.seed}
                if settings:
                    body["voice_settings"] = settings
                if index > 0:
                    body["previous_text"] = " ".join(runs[:index])[-300:]
                if index + 1 < len(runs):
                    body["next_text"] = " ".join(runs[index + 1 :])[:300]
                samples, headers = self._audio(
                    f"text-to-speech/{voice_id}", body, rate=req.sample_rate, channels=1
                )
                credits += _int(headers.get("character-cost"))
                reading.phrases.extend(_phrases(text, *reading.add(samples)))
                if progress is not None:
                    progress((index + 1) / max(1, len(runs)))
        except BackendError as exc:  # what was billed for this line is on the ledger
            self.speech_lost(ticket, model, reading, exc)
            raise
        return self.voice_track(req, reading, out, model=model, voice_id=voice_id, credits=credits)

    # --- effects ---------------------------------------------------------------------------

    def generate(
        self,
        req: EffectsRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """A sound effect or an ambience loop of the requested length."""
        model = req.model or self.model or "eleven_text_to_sound_v2"
        seconds = round(min(30.0, max(0.5, req.duration)), 2)
        body: dict[str, Any] = {
            "text": req.description,
            "duration_seconds": seconds,
            "prompt_influence": self.prompt_influence,
            "model_id": model,
        }
        if req.kind == "ambience":
            body["loop"] = True
        try:
            samples, _ = self._audio("sound-generation", body, rate=req.sample_rate, channels=1)
            measured = {"duration": samples.shape[-1] / req.sample_rate}
            expect_duration(measured, seconds, backend=self.name)
        except Rejected as exc:  # billed all the same: on the ledger
            self.rejected(ticket, None, model, Usage(seconds=seconds), exc)
            raise
        return self._cue(samples, req, out / "effect.wav", model=model, seconds=seconds)

    # --- music -----------------------------------------------------------------------------

    def compose(
        self,
        req: MusicRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """A music cue of exactly the requested length (stereo)."""
        model = req.model or self.model or "music_v1"
        seconds = round(min(300.0, max(10.0, req.duration)), 3)
        prompt = req.prompt or f"{req.mood} instrumental film score"
        if req.tempo:
            prompt += f", {req.tempo:.0f} BPM"
        if req.key:
            prompt += f", in {req.key}"
        body = {"prompt": prompt, "music_length_ms": round(seconds * 1000), "model_id": model}
        try:
            samples, _ = self._audio("music", body, rate=req.sample_rate, channels=2)
        except Rejected as exc:  # billed all the same: on the ledger
            self.rejected(ticket, None, model, Usage(seconds=seconds), exc)
            raise
        return self._cue(samples, req, out / "music.wav", model=model, seconds=seconds)

    def _cue(
        self,
        samples: np.ndarray[Any, Any],
        req: EffectsRequest | MusicRequest,
        target: Path,
        *,
        model: str,
        seconds: float,
    ) -> Generated:
        """A sound cut or padded to exactly the requested length, billed for `seconds`."""
        audio = fit_length(samples, round(req.duration * req.sample_rate))
        write_wav(target, audio, req.sample_rate)
        usage = Usage(seconds=seconds)
        meta = {"duration": req.duration, "usage": usage.as_meta()}
        return Generated(target, self.cost(model, usage), model, meta)

    # --- one paid request, its audio kept safe ------------------------------------------------

    def _audio(
        self, path: str, body: dict[str, Any], *, rate: int, channels: int
    ) -> tuple[np.ndarray[Any, Any], Mapping[str, str]]:
        """The decoded audio of one generation; a broken answer is fetched again from the
        history (free), never generated again."""
        data, headers = self.http.post_media(
            path, json=body, params={"output_format": self.output_format}
        )
        history = headers.get("history-item-id", "")
        for attempt in range(HISTORY_TRIES + 1):
            if data is not None:
                try:
                    return self._decode(data, rate=rate, channels=channels), headers
                except BadOutput:
                    pass
            if not history or attempt == HISTORY_TRIES:
                break
            response = self.http.request("GET", f"history/{history}/audio")
            data = response.content or None
        raise Rejected(
            "the generated audio arrived damaged and could not be fetched again",
            backend=self.name,
            hint="run make again (this line is generated anew)",
        )

    def _decode(self, data: bytes, *, rate: int, channels: int) -> np.ndarray[Any, Any]:
        fmt = self.output_format
        if fmt.startswith("pcm_"):  # raw 16-bit little-endian mono
            source = int(fmt.split("_")[1])
            if len(data) % 2:
                raise BadOutput("the PCM audio is cut mid-sample", backend=self.name)
            mono = np.frombuffer(data, "<i2").astype(np.float32) / 32768.0
            from cinecode.media.audio import resample

            mono = resample(mono[None, :], source, rate)[0]
            return mono if channels == 1 else np.stack([mono, mono])
        suffix = "." + fmt.split("_")[0]
        return decode_audio_bytes(data, suffix, rate=rate, backend=self.name, channels=channels)


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _phrases(text: str, start: float, seconds: float) -> list[list[Any]]:
    """Sentence timings within a run, in proportion to their length."""
    sentences = [s for s in re.split(r"(?<=[.!?…])\s+", text) if s.strip()]
    total = sum(len(s) for s in sentences) or 1
    out: list[list[Any]] = []
    at = start
    for sentence in sentences:
        length = seconds * len(sentence) / total
        out.append([round(at, 3), round(at + length, 3), sentence])
        at += length
    return out


__all__ = ["VOICE_PRESETS", "ElevenLabsBackend"]
