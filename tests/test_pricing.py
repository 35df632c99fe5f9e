"""Price lists: lookups, tiers, billable lengths, the project's own prices, and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from loopback import write

from cinecode.backends.hosted.pricing import Usage, load_prices, shipped_prices, speech_characters
from cinecode.backends.protocols import SpeechSegment
from cinecode.errors import ProjectError
from cinecode.project.config import load_project


def test_every_shipped_section_prices_an_unknown_model_by_its_default() -> None:
    book = shipped_prices()
    for backend in ("openai", "replicate", "fal", "runway", "elevenlabs"):
        assert book.prices(backend).rate("some/new-model"), backend
    assert book.prices("sketch").image("", width=1280, height=720).money == 0  # offline: free


def test_video_is_priced_by_resolution_and_billed_lengths() -> None:
    kling = shipped_prices().prices("replicate")
    assert kling.billable_seconds("kwaivgi/kling-v2.1", 3.2) == 5
    assert kling.billable_seconds("kwaivgi/kling-v2.1", 7.0) == 10
    assert kling.billable_seconds("kwaivgi/kling-v2.1", 14.0) == 10  # the longest it makes
    hd = kling.video("kwaivgi/kling-v2.1", seconds=4, width=1920, height=1080)
    sd = kling.video("kwaivgi/kling-v2.1", seconds=4, width=1280, height=720)
    assert (hd.money, sd.money) == (pytest.approx(0.45), pytest.approx(0.25))


def test_images_by_size_speech_by_characters_gpu_by_seconds() -> None:
    book = shipped_prices()
    assert book.prices("openai").image("dall-e-3", width=1792, height=1024).money == 0.08
    segments = (SpeechSegment("Kept, Mara."), SpeechSegment(pause=0.5), SpeechSegment("Kept."))
    assert speech_characters(segments) == 16
    eleven = book.prices("elevenlabs").speech("eleven_multilingual_v2", segments=segments)
    assert eleven.money == pytest.approx(16 / 1000 * 0.30)
    gpu = book.prices("replicate").cost("someone/custom", Usage(images=1, gpu_seconds=12.0))
    assert (gpu.money, gpu.gpu_seconds) == (pytest.approx(12 * 0.0014), 12.0)


def test_a_project_prices_file_replaces_models_and_is_checked(tmp_path: Path) -> None:
    write(
        tmp_path / "prices.toml",
        'currency = "EUR"\n[runway]\ngen4_turbo = { per_second = 0.04, durations = [5, 10] }\n',
    )
    book = load_prices(tmp_path)
    assert book.currency == "EUR"
    assert book.prices("runway").video(
        "gen4_turbo", seconds=5, width=1280, height=720
    ).money == pytest.approx(0.2)
    assert book.prices("runway").rate("gen3a_turbo")["per_second"] == 0.05  # still shipped
    write(tmp_path / "prices.toml", "[runway]\ngen4_turbo = { per_frame = 1 }\n")
    with pytest.raises(ProjectError, match="per_frame"):
        load_prices(tmp_path)


def test_credentials_are_refused_in_film_toml(tmp_path: Path) -> None:
    write(tmp_path / "script.fountain", "INT. ROOM - DAY\n\nA chair.\n")
    write(tmp_path / "film.toml", '[services.replicate]\nconcurrency = 2\napi_key = "r8_secret"\n')
    with pytest.raises(ProjectError) as caught:
        load_project(tmp_path)
    assert "environment variable" in str(caught.value) and caught.value.line == 1
    assert "r8_secret" not in str(caught.value)
