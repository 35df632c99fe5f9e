"""A tiny branching film for the story player's tests: eight one-colour scene reels and a
story graph with three choices, two endings and a gated scene.

```
1 HALL (red)       choice: "Open the door" → 2 (default), "Climb the stairs" → 3
2 DOOR (lime)      courage + 1, then 4
3 STAIRS (blue)    courage = 2, then 4
4 LANDING (yellow) choice: "Light the lamp" → 5 (default), "Wait for dawn" → 7
5 LAMP (magenta)   only when courage >= 2 and courage < 5 or courage == 9 (else skipped), then 6
6 TOWER (cyan)     choice: "Jump" → 8, "Stay" → 7 (default)
7 DAWN (white)     ending "Dawn"
8 SEA (gray)       ending "The sea"
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.media.ffmpeg import run_ffmpeg

SIZE = "160x90"
FPS = 25
SECONDS = 2.0

#: scene id → (label, colour as ffmpeg names it, RGB)
SCENES: dict[str, tuple[str, str, tuple[int, int, int]]] = {
    "1": ("HALL", "red", (255, 0, 0)),
    "2": ("DOOR", "lime", (0, 255, 0)),
    "3": ("STAIRS", "blue", (0, 0, 255)),
    "4": ("LANDING", "yellow", (255, 255, 0)),
    "5": ("LAMP", "magenta", (255, 0, 255)),
    "6": ("TOWER", "cyan", (0, 255, 255)),
    "7": ("DAWN", "white", (255, 255, 255)),
    "8": ("SEA", "gray", (128, 128, 128)),
}


def make_reel(path: Path, colour: str, *, seconds: float = SECONDS, tone: int = 440) -> Path:
    """A one-colour scene reel: H.264 with B-frames (as the film's reels have; x264, 25 fps,
    a keyframe a second) + AAC 48 kHz."""
    run_ffmpeg(
        [
            "-f", "lavfi", "-i", f"color=c={colour}:s={SIZE}:r={FPS}:d={seconds}",
            "-f", "lavfi", "-i", f"sine=f={tone}:sample_rate=48000:d={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-pix_fmt", "yuv420p",
            "-g", str(FPS),
            "-c:a", "aac", "-b:a", "64k", "-shortest", str(path),
        ]
    )  # fmt: skip
    return path


def make_reels(folder: Path) -> dict[str, Path]:
    """Every scene's reel, each its own colour and tone."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        scene: make_reel(folder / f"scene-{scene}.mp4", colour, tone=300 + 60 * int(scene))
        for scene, (_, colour, _) in SCENES.items()
    }


def _scene(scene_id: str, **fields: Any) -> dict[str, Any]:
    label = SCENES[scene_id][0]
    return {
        "id": scene_id,
        "label": label,
        "heading": f"INT. {label} - NIGHT",
        "when": None,
        "sets": [],
        "next": None,
        "choice": None,
        "ending": None,
        **fields,
    }


def _choice(*options: tuple[str, str], default: int, seconds: float = 1.0) -> dict[str, Any]:
    return {
        "options": [{"text": text, "target": target} for text, target in options],
        "seconds": seconds,
        "default": default,
        "line": 1,
    }


def story() -> dict[str, Any]:
    """The story graph as `Story.as_json()` writes it (schema cinecode.Story.1)."""
    return {
        "schema": "cinecode.Story.1",
        "start": "1",
        "variables": {"courage": 0},
        "scenes": [
            _scene(
                "1", choice=_choice(("Open the door", "2"), ("Climb the stairs", "3"), default=0)
            ),
            _scene("2", sets=[["courage", "+", 1]], next="4"),
            _scene("3", sets=[["courage", "=", 2]], next="4"),
            _scene("4", choice=_choice(("Light the lamp", "5"), ("Wait for dawn", "7"), default=0)),
            _scene("5", when="courage >= 2 and courage < 5 or courage == 9", next="6"),
            _scene("6", choice=_choice(("Jump", "8"), ("Stay", "7"), default=1)),
            _scene("7", ending="Dawn"),
            _scene("8", ending="The sea"),
        ],
    }
