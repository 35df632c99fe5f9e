"""What hosted generations cost: each backend's price list, estimates and actual costs.

The price lists ship in `cinecode/data/prices.toml`; a project's own `prices.toml` replaces
them model by model. Estimates (at planning) and actual costs (when a provider reports no
money) go through the same function, `Prices.cost(model, usage)`, so a plan's estimate and
the ledger's actual agree whenever the provider made what was asked.

Prices never reach job keys: changing a price regenerates nothing.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cinecode.backends.protocols import Cost, SpeechSegment
from cinecode.errors import ProjectError

PRICES_FILE = "prices.toml"

#: keys a model's entry may have
RATE_KEYS = {
    "per_image",
    "per_second",
    "durations",
    "per_1k_chars",
    "per_gpu_second",
    "gpu_seconds",
    "per_1k_input_tokens",
    "per_1k_output_tokens",
    "per_request",
}


@dataclass(frozen=True)
class Usage:
    """What one generation used, in the units providers bill."""

    images: int = 0
    seconds: float = 0.0  # billed seconds of video or audio
    width: int = 0
    height: int = 0
    characters: int = 0
    gpu_seconds: float = 0.0  # reported by the provider (0 = not reported)
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 1

    def as_meta(self) -> dict[str, Any]:
        """Plain JSON for an artifact's meta (`meta["usage"]`)."""
        return {k: v for k, v in asdict(self).items() if v}


def speech_characters(segments: Sequence[SpeechSegment]) -> int:
    """The characters a speech provider bills for a delivery: its words, pauses excluded."""
    return sum(len(s.text.strip()) for s in segments if s.text.strip())


def short_side_tier(width: int, height: int) -> int:
    """The "p" number of a frame size (1280×720 → 720)."""
    return min(width, height)


def _tier_price(table: Mapping[str, Any], width: int, height: int) -> float:
    """A price from a table keyed by "WxH" or "NNNp": exact size, else the smallest tier that
    holds the frame, else the largest."""
    exact = table.get(f"{width}x{height}")
    if exact is not None:
        return float(exact)
    tiers: list[tuple[int, float]] = []
    sizes: list[tuple[int, int, float]] = []
    for key, value in table.items():
        if m := re.fullmatch(r"(\d+)p", key):
            tiers.append((int(m.group(1)), float(value)))
        elif m := re.fullmatch(r"(\d+)x(\d+)", key):
            sizes.append((int(m.group(1)), int(m.group(2)), float(value)))
    if tiers:
        side = short_side_tier(width, height) if width and height else tiers[0][0]
        fitting = sorted(t for t in tiers if t[0] >= side)
        return fitting[0][1] if fitting else max(tiers)[1]
    if sizes:
        # the size closest in shape to the frame (how backends pick the size they ask for)
        target = width / height if width and height else 1.0
        return min(sizes, key=lambda s: (abs(s[0] / s[1] / target - 1), s[0] * s[1]))[2]
    return 0.0


def _amount(value: Any, width: int, height: int) -> float:
    if isinstance(value, Mapping):
        return _tier_price(value, width, height)
    return float(value or 0.0)


@dataclass(frozen=True)
class Prices:
    """One backend's price list: model → rates, with a `default`."""

    backend: str
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    currency: str = "USD"

    def rate(self, model: str) -> Mapping[str, Any]:
        """The rates of `model` (its own entry, else the section's default, else none)."""
        return self.models.get(model) or self.models.get("default") or {}

    def billable_seconds(self, model: str, seconds: float) -> float:
        """The seconds a video model bills (and makes) for `seconds` wanted: the shortest of
        its `durations` that is long enough, else the longest; whole seconds otherwise."""
        durations = sorted(float(d) for d in self.rate(model).get("durations", []))
        if durations:
            return next((d for d in durations if d >= seconds - 1e-6), durations[-1])
        return float(max(1, math.ceil(seconds - 1e-6)))

    def cost(self, model: str, usage: Usage) -> Cost:
        """The money and GPU seconds `usage` costs with this price list."""
        rate = self.rate(model)
        w, h = usage.width, usage.height
        money = usage.requests * float(rate.get("per_request", 0.0))
        money += usage.images * _amount(rate.get("per_image", 0.0), w, h)
        money += usage.seconds * _amount(rate.get("per_second", 0.0), w, h)
        money += usage.characters / 1000 * float(rate.get("per_1k_chars", 0.0))
        money += usage.input_tokens / 1000 * float(rate.get("per_1k_input_tokens", 0.0))
        money += usage.output_tokens / 1000 * float(rate.get("per_1k_output_tokens", 0.0))
        gpu = usage.gpu_seconds
        if not gpu:
            # what the provider did not report is estimated from the entry
            units = usage.images or usage.seconds or (1 if usage.requests else 0)
            gpu = float(rate.get("gpu_seconds", 0.0)) * units
        money += gpu * float(rate.get("per_gpu_second", 0.0))
        return Cost(round(money, 6), round(gpu, 3))

    # --- estimates for planners --------------------------------------------------------------

    def image(self, model: str, *, width: int, height: int, count: int = 1) -> Cost:
        return self.cost(model, Usage(images=count, width=width, height=height))

    def video(self, model: str, *, seconds: float, width: int, height: int) -> Cost:
        billed = self.billable_seconds(model, seconds)
        return self.cost(model, Usage(seconds=billed, width=width, height=height))

    def speech(self, model: str, *, segments: Sequence[SpeechSegment]) -> Cost:
        return self.cost(model, Usage(characters=speech_characters(segments)))


@dataclass(frozen=True)
class PriceBook:
    """Every backend's price list (the shipped one, with the project's replacements)."""

    sections: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    currency: str = "USD"
    source: tuple[str, ...] = ()  # files read, for messages

    def prices(self, backend: str) -> Prices:
        """The price list of `backend` (empty for offline backends: they cost nothing)."""
        return Prices(backend, self.sections.get(backend, {}), self.currency)


def _read(path: Path, text: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise ProjectError(
            f"not valid TOML: {exc}",
            file=str(path),
            line=int(match.group(1)) if match else None,
            hint="see the comments at the top of cinecode's own prices.toml for the format",
        ) from None
    for backend, section in data.items():
        if backend == "currency":
            continue
        if not isinstance(section, dict):
            raise ProjectError(
                f"`{backend}` must be a table of models",
                file=str(path),
                hint=f'write [{backend}] then `"model" = {{ per_image = 0.04 }}`',
            )
        for model, entry in section.items():
            unknown = set(entry) - RATE_KEYS if isinstance(entry, dict) else {"(not a table)"}
            if unknown:
                raise ProjectError(
                    f"{backend} {model!r}: unknown price key(s) {', '.join(sorted(unknown))}",
                    file=str(path),
                    hint=f"use {', '.join(sorted(RATE_KEYS))}",
                )
    return data


@cache
def shipped_prices() -> PriceBook:
    """The price lists that ship with cinecode."""
    text = resources.files("cinecode").joinpath("data", PRICES_FILE).read_text(encoding="utf-8")
    data = _read(Path("cinecode/data/prices.toml"), text)
    return _book(data, ("cinecode/data/prices.toml",))


def _book(data: Mapping[str, Any], source: tuple[str, ...]) -> PriceBook:
    sections = {k: dict(v) for k, v in data.items() if isinstance(v, dict)}
    return PriceBook(sections, str(data.get("currency", "USD")), source)


def load_prices(root: Path | None) -> PriceBook:
    """The shipped prices, with `<root>/prices.toml` replacing them model by model."""
    book = shipped_prices()
    if root is None or not (root / PRICES_FILE).is_file():
        return book
    path = root / PRICES_FILE
    own = _read(path, path.read_text(encoding="utf-8"))
    merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in book.sections.items()}
    for backend, section in own.items():
        if isinstance(section, dict):
            merged.setdefault(backend, {}).update(section)
    currency = str(own.get("currency", book.currency))
    return PriceBook(merged, currency, (*book.source, str(path)))


__all__ = [
    "PriceBook",
    "Prices",
    "Usage",
    "load_prices",
    "shipped_prices",
    "speech_characters",
]
