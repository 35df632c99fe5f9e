"""Voice department: every dialogue block becomes a voice take from the speech backend.

```
1. resolve the character's voice (film.toml preset + overrides, or a default by casting)
2. build the delivery (words, pauses and styles from parentheticals)
3. seed: the character's seed, so a character sounds the same in every line
4. synthesize with the configured backend
5. store the take (duration and phrase timings in its meta)
```
"""

from __future__ import annotations

import re
import zlib
from dataclasses import asdict, replace
from typing import Any

from cinecode.backends.protocols import SpeechRequest, SpeechSegment, Voice
from cinecode.departments import services
from cinecode.departments.engines import backend_kwargs, resolve
from cinecode.graph.executor import Context, Output
from cinecode.graph.job import Job, Step
from cinecode.project.config import CharacterConfig, Project
from cinecode.script.model import Film, Line

VOICE = Step("voice", 1, "generate", "voice", "wav")

#: default casting when film.toml names no voice, by guessed gender, in order of appearance
CASTING = {
    "woman": ("woman-warm", "woman-bright", "woman-low"),
    "man": ("man-warm", "man-deep", "man-young", "elder"),
    "": ("man-warm", "woman-warm", "man-deep", "woman-bright", "man-young", "woman-low", "elder"),
}


def guess_gender(name: str, action_text: str) -> str:
    """ "woman", "man" or "" from the pronouns the action uses right after the name."""
    for match in re.finditer(rf"\b{re.escape(name)}\b", action_text, re.IGNORECASE):
        window = action_text[match.end() : match.end() + 160].lower()
        she = len(re.findall(r"\b(she|her|hers|herself)\b", window))
        he = len(re.findall(r"\b(he|him|his|himself)\b", window))
        if she > he:
            return "woman"
        if he > she:
            return "man"
    return ""


def cast(film: Film, project: Project, presets: dict[str, Voice]) -> dict[str, Voice]:
    """Every speaking character's voice: from film.toml, else a distinct default."""
    speakers = list(dict.fromkeys(line.character for shot in film.shots for line in shot.lines))
    action = "\n".join(scene.action_text for scene in film.scenes)
    voices: dict[str, Voice] = {}
    used: set[str] = set()
    configs = project.config.characters
    for name in speakers:
        config = configs.get(name)
        setting = config.voice_setting if config else None
        if setting and setting.preset:
            used.add(setting.preset)
    for name in speakers:
        config = configs.get(name) or CharacterConfig()
        setting = config.voice_setting
        preset = setting.preset
        if not preset and presets:
            gender = guess_gender(name, action)
            choices = (
                [p for p in CASTING[gender] if p in presets and p not in used]
                or [p for p in presets if p not in used]
                or list(presets)
            )
            preset = choices[0]
            used.add(preset)
        voice = presets.get(preset, Voice(name=setting.voice_id or preset))
        # film.toml adjusts a preset: pitch/formant/brightness add to it, rate multiplies it
        voice = replace(
            voice,
            pitch=voice.pitch + (setting.pitch or 0.0),
            formant=voice.formant + (setting.formant or 0.0),
            rate=voice.rate * (setting.rate or 1.0),
            brightness=max(-1.0, min(1.0, voice.brightness + (setting.brightness or 0.0))),
            name=setting.voice_id or voice.name,
            params={
                **voice.params,
                "preset": preset,
                **({"settings": dict(setting.settings)} if setting.settings else {}),
            },
        )
        voices[name] = voice
    return voices


def character_seed(film: Film, name: str) -> int:
    character = film.characters.get(name)
    if character and character.seed:
        return character.seed
    return zlib.crc32(name.encode()) % 100_000


def plan_line(line: Line, voice: Voice, film: Film, project: Project, *, scene: str) -> Job:
    """The job that speaks one dialogue block."""
    config = project.config.characters.get(line.character)
    name = project.config.voice.backend
    if config and config.voice_setting.backend:  # the character's own voice service
        name = config.voice_setting.backend
    engine = resolve(project, name, department="voice")
    backend = engine.backend
    params: dict[str, Any] = {
        "backend": backend,
        "backend_version": engine.version,
        "backend_params": engine.params,
        "model": engine.model,
        "voice": asdict(voice),
        "segments": [asdict(s) for s in line.delivery],
        "seed": character_seed(film, line.character),
        "sample_rate": project.config.format.sample_rate,
        "prompt": line.text,
    }
    return VOICE.job(
        params,
        label=f"voice {line.character} {line.id}",
        shot=line.id.split("/")[0],
        scene=scene,
        backend=backend,
        seed=params["seed"],
        estimate=project.prices.prices(backend).speech(params["model"], segments=line.delivery),
        settings={"backend": engine.settings},
    )


def run_voice(job: Job, ctx: Context) -> Output:
    """Speak one dialogue block."""
    p = job.params
    request = SpeechRequest(
        segments=tuple(SpeechSegment(**s) for s in p["segments"]),
        voice=Voice(**p["voice"]),
        seed=p["seed"],
        sample_rate=p["sample_rate"],
        model=p["model"],
    )
    backend = ctx.backend("speech", p["backend"], backend_kwargs(job))
    result = backend.synthesize(
        request, ctx.workdir, ctx.progress, **services.hosted_kwargs(ctx, p["backend"])
    )
    return Output(result.path, dict(result.meta), result.cost, result.model)
