"""The shared HTTP layer against a loopback server: retries, Retry-After, timeouts, limits,
downloads and credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from loopback import Fault, Loopback, Provider, Reply, Seen, png_bytes

from cinecode.backends.hosted.checks import check_image
from cinecode.backends.hosted.http import HttpClient, RateLimiter, Service, retry_after
from cinecode.errors import BackendError, BadOutput, ProviderDown, RateLimited

KEY = "sk-test-canary-7f3a91"


class Echo(Provider):
    """A tiny API: GET /v1/thing answers JSON, POST /v1/jobs creates a job, /files/x.png."""

    def route(self, seen: Seen) -> Reply:
        if seen.path == "/v1/thing":
            return Reply.json({"ok": True})
        if seen.path == "/v1/jobs":
            self.submissions += 1
            return Reply.json({"id": f"job{self.submissions}"}, 201)
        if seen.path == "/files/x.png":
            return Reply.media(png_bytes(), "image/png")
        if seen.path == "/files/page":
            return Reply(200, b"<html>error</html>", {"Content-Type": "text/html"})
        return Reply.json({"detail": "not found"}, 404)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client(url: str, sleeps: Sleeps, **settings: Any) -> HttpClient:
    service = Service(
        name=settings.pop("name", f"echo-{url}"),
        base_url=f"{url}/v1",
        key_env="ECHO_KEY",
        **{"retries": 3, "timeout": 0.5, **settings},
    )
    return HttpClient(service, sleep=sleeps, env={"ECHO_KEY": KEY})


def test_429_waits_what_retry_after_says_then_succeeds() -> None:
    with Loopback(Echo(KEY)) as server:
        server.provider.fail("GET /v1/thing", Fault(status=429, retry_after="7"))
        sleeps = Sleeps()
        status, body = client(server.url, sleeps).json("GET", "thing")
    assert (status, body) == (200, {"ok": True})
    assert len(sleeps.calls) == 1 and 7.0 <= sleeps.calls[0] <= 7.7


def test_429_without_end_gives_rate_limited_with_the_wait() -> None:
    with Loopback(Echo(KEY)) as server:
        server.provider.fail("GET /v1/thing", *[Fault(status=429, retry_after="2")] * 4)
        with pytest.raises(RateLimited) as caught:
            client(server.url, Sleeps()).json("GET", "thing")
    assert caught.value.retry_after == 2.0
    assert "requests_per_minute" in caught.value.hint


def test_5xx_backs_off_exponentially_with_jitter() -> None:
    with Loopback(Echo(KEY)) as server:
        server.provider.fail(
            "GET /v1/thing", Fault(status=503), Fault(status=500), Fault(status=502)
        )
        sleeps = Sleeps()
        assert client(server.url, sleeps, backoff=1.0).json("GET", "thing")[1] == {"ok": True}
    assert len(sleeps.calls) == 3
    for attempt, delay in enumerate(sleeps.calls):
        assert 2**attempt / 2 <= delay <= 2**attempt  # half fixed, half random


def test_persistent_5xx_is_provider_down_with_a_next_step() -> None:
    with Loopback(Echo(KEY)) as server:
        server.provider.fail("GET /v1/thing", *[Fault(status=503)] * 4)
        with pytest.raises(ProviderDown) as caught:
            client(server.url, Sleeps()).json("GET", "thing")
    assert "HTTP 503" in str(caught.value) and "run make again" in str(caught.value)


def test_a_timed_out_submission_is_not_sent_twice() -> None:
    with Loopback(Echo(KEY)) as server:
        server.provider.fail("POST /v1/jobs", Fault(delay=1.5))
        with pytest.raises(ProviderDown) as caught:
            client(server.url, Sleeps()).json("POST", "jobs", json={}, retry="safe")
        assert len(server.provider.of("POST", "/v1/jobs")) == 1
    assert "duplicate" in caught.value.hint


def test_a_timed_out_read_is_tried_again() -> None:
    with Loopback(Echo(KEY)) as server:
        server.provider.fail("GET /v1/thing", Fault(delay=1.5))
        assert client(server.url, Sleeps()).json("GET", "thing")[1] == {"ok": True}


def test_malformed_json_is_asked_again_or_is_bad_output() -> None:
    with Loopback(Echo(KEY)) as server:
        server.provider.fail("GET /v1/thing", Fault(malformed=True))
        assert client(server.url, Sleeps()).json("GET", "thing")[1] == {"ok": True}
        server.provider.fail("POST /v1/jobs", Fault(malformed=True))
        with pytest.raises(BadOutput, match="malformed JSON"):
            client(server.url, Sleeps()).json("POST", "jobs", json={}, retry="safe")
        assert server.provider.submissions == 1  # not submitted again


def test_refused_key_says_which_variable_and_never_shows_the_key() -> None:
    with Loopback(Echo("another-key")) as server, pytest.raises(BackendError) as caught:
        client(server.url, Sleeps()).json("GET", "thing")
    assert "401" in str(caught.value) and "ECHO_KEY" in str(caught.value)
    assert KEY not in str(caught.value)


def test_missing_key_is_a_clear_error_before_any_request() -> None:
    with Loopback(Echo(KEY)) as server:
        http = HttpClient(
            Service(name="echo", base_url=f"{server.url}/v1", key_env="ECHO_KEY"), env={}
        )
        with pytest.raises(BackendError, match="ECHO_KEY is not set"):
            http.json("GET", "thing")
        assert server.provider.requests == []


def test_the_key_goes_to_the_provider_host_only(tmp_path: Path) -> None:
    with Loopback(Echo(KEY)) as api, Loopback(Echo(KEY)) as cdn:
        http = client(api.url, Sleeps())
        http.download(f"{cdn.url}/files/x.png", tmp_path / "x.png", kind="image", check=check_image)
        http.json("GET", "thing")
        assert "authorization" not in cdn.provider.requests[0].headers
        assert api.provider.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_truncated_download_is_fetched_again(tmp_path: Path) -> None:
    with Loopback(Echo(KEY)) as server:
        server.provider.fail("GET /files/x.png", Fault(truncate=True))
        meta = client(server.url, Sleeps()).download(
            f"{server.url}/files/x.png", tmp_path / "x.png", kind="image", check=check_image
        )
        assert len(server.provider.of("GET", "/files/x.png")) == 2
    assert meta["width"] == 64


def test_a_download_that_stays_broken_is_bad_output_and_leaves_no_file(tmp_path: Path) -> None:
    with Loopback(Echo(KEY)) as server:
        server.provider.fail("GET /files/x.png", *[Fault(truncate=True)] * 3)
        with pytest.raises(BadOutput, match="3 tries") as caught:
            client(server.url, Sleeps()).download(
                f"{server.url}/files/x.png", tmp_path / "x.png", kind="image", check=check_image
            )
    assert not (tmp_path / "x.png").exists()
    assert "not paid twice" in caught.value.hint


def test_an_error_page_is_not_taken_for_media(tmp_path: Path) -> None:
    with Loopback(Echo(KEY)) as server, pytest.raises(BadOutput, match="text/html"):
        client(server.url, Sleeps()).download(
            f"{server.url}/files/page", tmp_path / "x.png", kind="image", check=check_image
        )


def test_size_limit_stops_a_download(tmp_path: Path) -> None:
    with Loopback(Echo(KEY)) as server, pytest.raises(BadOutput, match="larger than"):
        client(server.url, Sleeps(), max_download_mb=0.0001).download(
            f"{server.url}/files/x.png", tmp_path / "x.png", kind="image", check=check_image
        )


def test_rate_limiter_spaces_requests_and_pauses_after_429() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 6))
        now[0] += seconds

    limiter = RateLimiter(120, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.acquire()
    assert waits == [0.5, 0.5]
    limiter.pause(10)
    limiter.acquire()
    assert waits[-1] == pytest.approx(10.0)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("3") == 3.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("soon") is None
