"""Automatic pre-ranking of takes: sharpness, temporal stability, consistency with references.

Scores are analysis, not generation: they live in the take's catalog meta, never in a key,
so changing how takes are scored never regenerates one. Offline, consistency compares colour
statistics with the shot's reference images and the location's palette; with `[scoring]
model` set to a local CLIP model (a folder, or a Hugging Face id already in the cache), it is the
cosine similarity of CLIP image embeddings (CPU) between the take — a still, or a clip's middle
frame — and the references of the characters it shows (the location's when they have none).
Each score says how it was made (`consistency_by`: "clip" or "colour").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinecode.errors import CinecodeError
from cinecode.media.suffixes import IMAGE_SUFFIXES

if TYPE_CHECKING:  # numpy is imported by the measures, so a make with nothing to score skips it
    import numpy.typing as npt
    from numpy import float32

    from cinecode.graph.store import Store
    from cinecode.pipeline.plan import Plan
    from cinecode.pipeline.session import Loaded

    Array = npt.NDArray[float32]

VERSION = 2  # bump when the scores would change for the same take


@dataclass(frozen=True)
class Weights:
    sharpness: float = 1.0
    stability: float = 1.0
    consistency: float = 1.0


def _load_rgb(path: Path, size: int = 384) -> Array:
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
        rgb.thumbnail((size, size))
        return np.asarray(rgb, dtype=np.float32)


def _video_frames(path: Path, count: int = 12, size: int = 256) -> list[Array]:
    """About `count` frames spread over a clip, as small RGB arrays."""
    import av
    import numpy as np
    from PIL import Image

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rgb = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
    frames: list[Array] = []
    for array in rgb[:: max(1, len(rgb) // count)]:
        image = Image.fromarray(array)
        image.thumbnail((size, size))
        frames.append(np.asarray(image, dtype=np.float32))
    return frames


def sharpness(rgb: Array) -> float:
    """0..1 from the variance of the Laplacian of the luminance."""
    import numpy as np

    grey = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    lap = (
        -4 * grey[1:-1, 1:-1] + grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:]
    )
    variance = float(lap.var()) if lap.size else 0.0
    return min(1.0, math.log10(1.0 + variance) / 3.5)


def stability(frames: Sequence[Array]) -> float:
    """0..1: 1 for a steady picture, lower for flicker (frame-to-frame brightness jumps)."""
    import numpy as np

    if len(frames) < 3:
        return 1.0
    means = np.array([f.mean() for f in frames], dtype=np.float64)
    jumps = np.abs(np.diff(means))
    flicker = float(np.abs(np.diff(jumps)).mean()) if len(jumps) > 1 else 0.0
    return float(math.exp(-flicker / 4.0))


def histogram(rgb: Array, bins: int = 8) -> Array:
    """A normalised joint RGB histogram."""
    import numpy as np

    q = np.clip((rgb / 256.0 * bins).astype(np.int32), 0, bins - 1)
    index = (q[..., 0] * bins + q[..., 1]) * bins + q[..., 2]
    counts = np.bincount(index.ravel(), minlength=bins**3).astype(np.float32)
    return counts / max(1.0, float(counts.sum()))


def palette_coverage(rgb: Array, palette: Sequence[str]) -> float:
    """Share of pixels close to one of the palette's colours."""
    import numpy as np

    colours = np.array(
        [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in palette], dtype=np.float32
    )
    pixels = rgb.reshape(-1, 3)[::7]
    distance = np.sqrt(((pixels[:, None, :] - colours[None, :, :]) ** 2).sum(-1)).min(axis=1)
    return float((distance < 70).mean())


def consistency(rgb: Array, references: Sequence[Path], palette: Sequence[str]) -> float | None:
    """0..1 likeness of colour statistics to the references and palette (None: nothing to
    compare with)."""
    import numpy as np

    parts: list[float] = []
    if references:
        take = histogram(rgb)
        for ref in references:
            parts.append(float(np.minimum(take, histogram(_load_rgb(ref))).sum()))
    if palette:
        parts.append(palette_coverage(rgb, palette))
    return float(np.mean(parts)) if parts else None


@cache
def _clip(model: str) -> Any:
    """A CLIP model and its processor, loaded once per process (CPU, no downloads)."""
    from transformers import CLIPImageProcessor, CLIPModel

    try:
        clip: Any = CLIPModel.from_pretrained(model, local_files_only=True)
        processor = CLIPImageProcessor.from_pretrained(model, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(model) from exc
    clip.requires_grad_(False)
    return clip.eval(), processor


class ModelUnavailable(CinecodeError):
    """`[scoring] model` names no CLIP model this machine has."""

    def __init__(self, model: str) -> None:
        super().__init__(
            f"[scoring] model = {model!r} is not a CLIP model on this machine",
            hint="name a local folder saved by transformers (CLIPModel and its image processor), "
            "or remove `model` to score by colour statistics",
        )


def embedding_consistency(image: Any, references: Sequence[Path], model: str) -> float | None:
    """Mean cosine similarity of CLIP image embeddings of `image` (a path, or an RGB array)
    and each reference, mapped to 0..1."""
    if not references:
        return None
    import numpy as np
    import torch
    from PIL import Image

    clip, processor = _clip(model)
    take = (
        Image.fromarray(np.asarray(image, dtype=np.uint8))
        if not isinstance(image, Path)
        else Image.open(image).convert("RGB")
    )
    images = [take, *(Image.open(p).convert("RGB") for p in references)]
    with torch.no_grad():
        inputs = processor(images=images, return_tensors="pt")
        features = clip.get_image_features(**inputs)
    # a tensor (transformers 4), or an output whose pooler_output is projected (transformers 5)
    embeddings = features if isinstance(features, torch.Tensor) else features.pooler_output
    embeddings = torch.nn.functional.normalize(embeddings, dim=-1)
    similarity = (embeddings[1:] @ embeddings[0]).mean().item()
    return float((similarity + 1.0) / 2.0)


def method(model: str) -> str:
    """How consistency is scored with this `[scoring] model`: "clip" or "colour"."""
    return "clip" if model else "colour"


def score(
    path: Path,
    *,
    references: Sequence[Path] = (),
    palette: Sequence[str] = (),
    model: str = "",
    weights: Weights = Weights(),
    likeness: Sequence[Path] | None = None,
) -> dict[str, Any]:
    """Scores of one take (an image or a clip): each measure 0..1, and their weighted mean.
    With `model`, consistency is CLIP's likeness to `likeness` (default: the references);
    otherwise colour statistics against the references and the palette."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        frames = [_load_rgb(path)]
        still: Path | None = path
    else:
        frames = _video_frames(path)
        still = None
    middle = frames[len(frames) // 2]
    measures: dict[str, float] = {"sharpness": round(sharpness(middle), 4)}
    if len(frames) > 1:
        measures["stability"] = round(stability(frames), 4)
    if model:
        compared = references if likeness is None else likeness
        similar = embedding_consistency(still or middle, compared, model)
    else:
        similar = consistency(middle, references, palette)
    by = method(model)
    if similar is not None:
        measures["consistency"] = round(similar, 4)
    weight = {
        "sharpness": weights.sharpness,
        "stability": weights.stability,
        "consistency": weights.consistency,
    }
    total = sum(weight[k] for k in measures) or 1.0
    overall = sum(measures[k] * weight[k] for k in measures) / total
    return {
        "score": round(overall, 4),
        "scores": measures,
        "scored_with": VERSION,
        "scored_by": by,
        "consistency_by": by if similar is not None else "",
    }


def score_takes(store: Store, loaded: Loaded, current: Plan) -> int:
    """Score the takes of the film's shots that have no score yet, or one made another way
    (`[scoring] model` set or removed since); how many were scored."""
    from cinecode.departments.storyboard import (
        character_references,
        shot_palette,
        shot_references,
    )

    config = loaded.project.config.scoring
    weights = Weights(config.sharpness, config.stability, config.consistency)
    model = str(loaded.project.resolve(config.model)) if _is_folder(loaded, config.model) else ""
    model = model or config.model
    by = method(config.model)
    count = 0
    for artifact in store.catalog.takes():
        meta = artifact.meta
        done = meta.get("scored_with") == VERSION and meta.get("scored_by", "colour") == by
        if done or artifact.shot not in current.shots:
            continue
        shot = current.shots[artifact.shot].shot
        scene = loaded.film.scene_of(shot.id)
        references = [Path(p) for p in shot_references(shot, scene, loaded.film)]
        cast = [Path(p) for p in character_references(shot, loaded.film)]
        try:
            result = score(
                store.path(artifact),
                references=references,
                palette=shot_palette(scene, loaded.film),
                model=model,
                weights=weights,
                likeness=cast or references,
            )
        except ModelUnavailable as exc:
            raise loaded.project.error(exc.message, "scoring", "model", hint=exc.hint) from exc
        store.catalog.update_meta(artifact.key, result)
        count += 1
    return count


def _is_folder(loaded: Loaded, model: str) -> bool:
    """Whether `[scoring] model` names a folder relative to the project (else a model id)."""
    return bool(model) and loaded.project.resolve(model).is_dir()
