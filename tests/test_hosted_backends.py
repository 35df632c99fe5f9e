"""Each hosted backend against a loopback server that follows its provider's public API."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from loopback import (
    FakeElevenLabs,
    FakeFal,
    FakeOpenAI,
    FakeReplicate,
    FakeRunway,
    Fault,
    Loopback,
    png_bytes,
)

from cinecode.backends.hosted.base import MemoryTicket, ProviderJob
from cinecode.backends.hosted.checks import check_audio, check_video
from cinecode.backends.hosted.elevenlabs import ElevenLabsBackend
from cinecode.backends.hosted.fal import FalBackend
from cinecode.backends.hosted.openai import OpenAIBackend
from cinecode.backends.hosted.pricing import Usage, shipped_prices
from cinecode.backends.hosted.replicate import ReplicateBackend
from cinecode.backends.hosted.runway import RunwayBackend
from cinecode.backends.protocols import (
    EffectsRequest,
    ImageRequest,
    MusicRequest,
    SpeechRequest,
    SpeechSegment,
    TextRequest,
    VideoRequest,
    Voice,
)
from cinecode.errors import BackendError, BadOutput, Rejected

KEY = "canary-key-0123456789"
ENV = "CINECODE_TEST_PROVIDER_KEY"
os.environ[ENV] = KEY  # the only place a key comes from: the environment


class Interrupted(Exception):
    """What Ctrl-C does to a waiting job (the build's progress callback raises)."""


def settings(url: str, name: str, **more: Any) -> dict[str, Any]:
    return {
        "base_url": url,
        "api_key_env": ENV,
        "poll_interval": 0.01,
        "timeout": 2.0,
        "retries": 3,
        "prices": dict(shipped_prices().prices(name).models),
        "sleep": lambda seconds: None,
        **more,
    }


def image_request(**kw: Any) -> ImageRequest:
    return ImageRequest(prompt="a lighthouse at dusk", width=320, height=180, seed=7, **kw)


def video_request(tmp_path: Path, seconds: float = 3.2) -> VideoRequest:
    keyframe = tmp_path / "key.png"
    keyframe.write_bytes(png_bytes(32, 18))
    return VideoRequest(
        prompt="waves", width=320, height=180, fps=24, duration=seconds, seed=7, image=keyframe
    )


def out(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


# --- Replicate -----------------------------------------------------------------------------------


def test_replicate_image_follows_the_predictions_api(tmp_path: Path) -> None:
    with Loopback(FakeReplicate(KEY, polls=2)) as server:
        backend = ReplicateBackend(
            model="black-forest-labs/flux-schnell", **settings(f"{server.url}/v1", "replicate")
        )
        ticket = MemoryTicket()
        result = backend.generate(image_request(), out(tmp_path, "a"), ticket=ticket)
        created = server.provider.of("POST", "/v1/models/black-forest-labs/flux-schnell")
    assert result.path.read_bytes().startswith(b"\x89PNG")
    assert created[0].json()["input"] == {
        "prompt": "a lighthouse at dusk",
        "seed": 7,
        "aspect_ratio": "16:9",
    }
    assert created[0].headers["authorization"] == f"Bearer {KEY}"
    assert ticket.state == "done" and ticket.remembered[0].id == "job0001"
    assert result.cost.money == pytest.approx(0.003)  # flux-schnell: per image


def test_replicate_resumes_the_remembered_prediction_instead_of_paying_again(
    tmp_path: Path,
) -> None:
    with Loopback(FakeReplicate(KEY)) as server:
        server.provider.release.clear()  # the prediction runs until released
        backend = ReplicateBackend(
            model="black-forest-labs/flux-schnell", **settings(f"{server.url}/v1", "replicate")
        )
        ticket = MemoryTicket()

        def interrupt(fraction: float) -> None:
            raise Interrupted

        with pytest.raises(Interrupted):
            backend.generate(image_request(), out(tmp_path, "a"), interrupt, ticket=ticket)
        assert ticket.recall() is not None  # remembered before waiting
        server.provider.release.set()
        result = backend.generate(image_request(), out(tmp_path, "b"), ticket=ticket)
        assert server.provider.submissions == 1
    assert result.meta["provider_job"] == "job0001"


def test_replicate_rides_out_429_5xx_and_a_truncated_download(tmp_path: Path) -> None:
    with Loopback(FakeReplicate(KEY)) as server:
        fake = server.provider
        fake.fail("GET /v1/predictions", Fault(status=429, retry_after="1"), Fault(status=502))
        fake.fail("GET /files/", Fault(truncate=True))
        backend = ReplicateBackend(
            model="black-forest-labs/flux-schnell", **settings(f"{server.url}/v1", "replicate")
        )
        result = backend.generate(image_request(), out(tmp_path, "a"))
        assert fake.submissions == 1
        assert len(fake.of("GET", "/files/")) == 2
    assert result.path.stat().st_size > 0


def test_replicate_failed_prediction_is_an_error_and_is_forgotten(tmp_path: Path) -> None:
    with Loopback(FakeReplicate(KEY)) as server:
        server.provider.fail_jobs = True
        backend = ReplicateBackend(model="a/b", **settings(f"{server.url}/v1", "replicate"))
        ticket = MemoryTicket()
        with pytest.raises(BackendError, match="NSFW content detected"):
            backend.generate(image_request(), out(tmp_path, "a"), ticket=ticket)
    assert ticket.recall() is None  # the next make submits a new prediction


def test_replicate_resubmits_a_prediction_the_provider_lost(tmp_path: Path) -> None:
    with Loopback(FakeReplicate(KEY)) as server:
        backend = ReplicateBackend(model="a/b", **settings(f"{server.url}/v1", "replicate"))
        ticket = MemoryTicket(ProviderJob("expired-id", {"backend": "replicate"}))
        backend.generate(image_request(), out(tmp_path, "a"), ticket=ticket)
        assert server.provider.of("GET", "/v1/predictions/expired-id")  # asked for it first
        assert server.provider.submissions == 1
    assert ticket.remembered[-1].id == "job0001"


def test_replicate_video_asks_for_a_billable_length_and_checks_the_clip(tmp_path: Path) -> None:
    with Loopback(FakeReplicate(KEY, kind="video", seconds=5.0)) as server:
        backend = ReplicateBackend(
            model="kwaivgi/kling-v2.1",
            fields={"image": "start_image"},
            **settings(f"{server.url}/v1", "replicate"),
        )
        result = backend.generate(video_request(tmp_path), out(tmp_path, "a"))
        sent = server.provider.of("POST", "/v1/models/kwaivgi/kling-v2.1")[0].json()["input"]
    assert sent["duration"] == 5 and sent["start_image"].startswith("data:image/png;base64,")
    assert check_video(result.path)["duration"] == pytest.approx(5.0, abs=0.1)
    assert result.cost.money == pytest.approx(5 * 0.05)  # 720p tier for a 180p request


def test_replicate_wrong_clip_length_is_bad_output(tmp_path: Path) -> None:
    with Loopback(FakeReplicate(KEY, kind="video", seconds=1.0)) as server:
        backend = ReplicateBackend(
            model="kwaivgi/kling-v2.1", **settings(f"{server.url}/v1", "replicate")
        )
        ticket = MemoryTicket()
        with pytest.raises(BadOutput, match=r"lasts 1\.00 s"):
            backend.generate(video_request(tmp_path), out(tmp_path, "a"), ticket=ticket)
    assert ticket.recall() is None  # a wrong result is not fetched again: a new job next time
    # it was billed all the same: the charge is kept (the ledger and the budget count it)
    [(state, cost, why)] = ticket.charges
    assert state == "rejected" and cost.money > 0 and "lasts 1.00 s" in why


def test_a_whole_result_that_never_decodes_is_charged_and_asked_for_anew(tmp_path: Path) -> None:
    with Loopback(FakeReplicate(KEY)) as server:
        server.provider.image = b"\x89PNG but no image at all" * 40  # served whole, every time
        backend = ReplicateBackend(model="a/b", **settings(f"{server.url}/v1", "replicate"))
        ticket = MemoryTicket()
        with pytest.raises(Rejected, match="arrived whole 3 times"):
            backend.generate(image_request(), out(tmp_path, "a"), ticket=ticket)
        assert len(server.provider.of("GET", "/files/")) == 3  # fetched again, then judged
    assert ticket.recall() is None  # never resumed again: the next make submits a new job
    [(state, cost, why)] = ticket.charges  # billed: on the ledger, counted by the budget
    assert state == "rejected" and cost.money > 0 and "does not decode" in why


def test_a_truncated_result_is_kept_to_be_fetched_again_not_paid_again(tmp_path: Path) -> None:
    with Loopback(FakeReplicate(KEY)) as server:
        server.provider.fail("GET /files/", *[Fault(truncate=True)] * 3)
        backend = ReplicateBackend(model="a/b", **settings(f"{server.url}/v1", "replicate"))
        ticket = MemoryTicket()
        with pytest.raises(BadOutput, match="could not be downloaded intact") as raised:
            backend.generate(image_request(), out(tmp_path, "a"), ticket=ticket)
        assert not isinstance(raised.value, Rejected)
    assert ticket.recall() is not None and not ticket.charges  # resumed by the next make


# --- fal ---------------------------------------------------------------------------------------


def test_fal_queue_image(tmp_path: Path) -> None:
    with Loopback(FakeFal(KEY, polls=3)) as server:
        backend = FalBackend(model="fal-ai/flux/schnell", **settings(server.url, "fal"))
        ticket = MemoryTicket()
        result = backend.generate(image_request(), out(tmp_path, "a"), ticket=ticket)
        submitted = server.provider.of("POST", "/fal-ai/flux/schnell")[0]
    assert submitted.headers["authorization"] == f"Key {KEY}"
    assert submitted.json()["image_size"] == {"width": 320, "height": 180}
    assert ticket.recall() == ProviderJob(
        "job0001",
        {
            "backend": "fal",
            "status_url": f"{server.url}/fal-ai/flux/requests/job0001/status",
            "response_url": f"{server.url}/fal-ai/flux/requests/job0001",
        },
    )
    assert result.cost.money == pytest.approx(0.003)
    assert result.cost.gpu_seconds == pytest.approx(2.5)  # metrics.inference_time


def test_fal_video_survives_malformed_status_and_reports_a_refusal(tmp_path: Path) -> None:
    model = "fal-ai/kling-video/v2.1/standard/image-to-video"
    with Loopback(FakeFal(KEY, kind="video", seconds=5.0)) as server:
        server.provider.fail("GET /fal-ai/kling-video/requests", Fault(malformed=True))
        backend = FalBackend(model=model, **settings(server.url, "fal"))
        result = backend.generate(video_request(tmp_path), out(tmp_path, "a"))
        assert server.provider.of("POST", f"/{model}")[0].json()["duration"] == "5"
        assert result.cost.money == pytest.approx(0.25)
        server.provider.fail_jobs = True
        with pytest.raises(BackendError, match="content policy"):
            backend.generate(video_request(tmp_path), out(tmp_path, "b"))


# --- Runway ------------------------------------------------------------------------------------


def test_runway_image_to_video(tmp_path: Path) -> None:
    with Loopback(FakeRunway(KEY, polls=2, seconds=5.0)) as server:
        backend = RunwayBackend(model="gen4_turbo", **settings(f"{server.url}/v1", "runway"))
        server.provider.fail("GET /files/", Fault(truncate=True))
        result = backend.generate(video_request(tmp_path), out(tmp_path, "a"))
        sent = server.provider.of("POST", "/v1/image_to_video")[0].json()
    assert (sent["ratio"], sent["duration"], sent["model"]) == ("1280:720", 5, "gen4_turbo")
    assert result.cost.money == pytest.approx(0.25)
    assert result.meta["frames"] == 120


def test_runway_failure_names_the_reason(tmp_path: Path) -> None:
    with Loopback(FakeRunway(KEY)) as server:
        server.provider.fail_jobs = True
        backend = RunwayBackend(**settings(f"{server.url}/v1", "runway"))
        with pytest.raises(BackendError, match="Content moderation"):
            backend.generate(video_request(tmp_path), out(tmp_path, "a"))


def test_runway_status_reports_a_missing_key() -> None:
    backend = RunwayBackend(api_key_env="CINECODE_NO_SUCH_KEY")
    status = backend.status()
    assert status.state == "misconfigured" and "CINECODE_NO_SUCH_KEY" in status.fix


# --- ElevenLabs --------------------------------------------------------------------------------


def speech(*segments: SpeechSegment, voice: Voice | None = None) -> SpeechRequest:
    return SpeechRequest(
        segments=segments, voice=voice or Voice(name="voice-abc", rate=1.1), seed=3
    )


def test_elevenlabs_speaks_runs_with_pauses_between(tmp_path: Path) -> None:
    with Loopback(FakeElevenLabs(KEY)) as server:
        backend = ElevenLabsBackend(
            voice_settings={"stability": 0.4}, **settings(f"{server.url}/v1", "elevenlabs")
        )
        result = backend.synthesize(
            speech(SpeechSegment("I know."), SpeechSegment(pause=0.5), SpeechSegment("Go.")),
            out(tmp_path, "a"),
        )
        first, second = server.provider.of("POST", "/v1/text-to-speech/voice-abc")
    assert first.json()["voice_settings"] == {"stability": 0.4, "speed": 1.1}
    assert first.json()["next_text"] == "Go." and second.json()["previous_text"] == "I know."
    assert first.headers["xi-api-key"] == KEY
    expected = (0.06 * 7 + 0.2) + 0.5 + (0.06 * 3 + 0.2)
    assert check_audio(result.path)["duration"] == pytest.approx(expected, abs=0.08)
    assert [p[2] for p in result.meta["phrases"]] == ["I know.", "Go."]
    assert result.cost.money == pytest.approx(10 / 1000 * 0.30)


def test_elevenlabs_fetches_a_broken_answer_again_from_history(tmp_path: Path) -> None:
    with Loopback(FakeElevenLabs(KEY)) as server:
        server.provider.fail("POST /v1/text-to-speech", Fault(truncate=True))
        backend = ElevenLabsBackend(**settings(f"{server.url}/v1", "elevenlabs"))
        result = backend.synthesize(speech(SpeechSegment("Hello there.")), out(tmp_path, "a"))
        assert server.provider.submissions == 1  # not generated (nor paid) twice
        assert len(server.provider.of("GET", "/v1/history/")) == 1
    assert result.meta["duration"] > 0.5


def test_elevenlabs_effects_and_music_have_the_asked_length(tmp_path: Path) -> None:
    with Loopback(FakeElevenLabs(KEY)) as server:
        backend = ElevenLabsBackend(
            output_format="pcm_24000", **settings(f"{server.url}/v1", "elevenlabs")
        )
        effect = backend.generate(
            EffectsRequest(description="door slams", duration=1.5, seed=1), out(tmp_path, "a")
        )
        music = backend.compose(
            MusicRequest(mood="tense", duration=12.0, seed=1), out(tmp_path, "b")
        )
        assert server.provider.of("POST", "/v1/music")[0].json()["music_length_ms"] == 12000
    assert check_audio(effect.path)["duration"] == pytest.approx(1.5, abs=0.01)
    assert check_audio(music.path)["duration"] == pytest.approx(12.0, abs=0.01)
    assert effect.cost.money == pytest.approx(1.5 * 0.012)


# --- OpenAI-compatible -------------------------------------------------------------------------


def test_openai_chat_images_and_speech(tmp_path: Path) -> None:
    with Loopback(FakeOpenAI(KEY, answer=lambda seen: '{"shots": [1]}')) as server:
        backend = OpenAIBackend(**settings(f"{server.url}/v1", "openai"))
        answer = backend.complete(TextRequest(system="s", prompt="p", json=True))
        image = backend.generate(image_request(model="gpt-image-1"), out(tmp_path, "a"))
        voice = backend.synthesize(
            speech(SpeechSegment("Hi."), voice=Voice(name="woman-warm")), out(tmp_path, "b")
        )
        chat = server.provider.of("POST", "/v1/chat/completions")[0].json()
        sizes = server.provider.of("POST", "/v1/images/generations")[0].json()["size"]
        spoken = server.provider.of("POST", "/v1/audio/speech")[0].json()
    assert answer.text == '{"shots": [1]}' and chat["response_format"] == {"type": "json_object"}
    assert answer.cost.money == pytest.approx(1000 / 1000 * 0.00015 + 200 / 1000 * 0.0006)
    assert sizes == "1536x1024" and image.cost.money == pytest.approx(0.063)
    assert spoken["voice"] == "nova" and voice.meta["duration"] > 0.2


def test_a_line_lost_midway_has_what_it_was_billed_on_the_ledger(tmp_path: Path) -> None:
    with Loopback(FakeOpenAI(KEY)) as server:
        # the first run is spoken; the second is answered (billed) with no audio in it
        server.provider.fail("POST /v1/audio/speech", Fault(), Fault(status=200, body=b"junk"))
        backend = OpenAIBackend(**settings(f"{server.url}/v1", "openai"))
        ticket = MemoryTicket()
        line = speech(SpeechSegment("I know."), SpeechSegment(pause=0.5), SpeechSegment("Go."))
        with pytest.raises(BadOutput):
            backend.synthesize(line, out(tmp_path, "a"), ticket=ticket)
        assert server.provider.submissions == 1  # the junk answer came from the fault
    [(state, cost, why)] = ticket.charges
    billed = backend.cost("gpt-4o-mini-tts", Usage(characters=len("I know.") + len("Go.")))
    assert state == "rejected" and billed.money > 0 and "decode" in why
    assert cost.money == pytest.approx(billed.money)  # both runs: the line is spoken anew


class LocalServer(FakeOpenAI):
    """An Ollama/llama.cpp server: takes any request."""

    def authorised(self, seen: Any) -> bool:
        return True


def test_openai_compatible_local_server_needs_no_key() -> None:
    with Loopback(LocalServer("")) as server:
        backend = OpenAIBackend(base_url=f"{server.url}/v1", api_key_env="CINECODE_NO_SUCH_KEY_SET")
        assert backend.status().state == "misconfigured"  # a key named but not set
        backend = OpenAIBackend(base_url=f"{server.url}/v1")
        assert backend.status().state == "ready"
