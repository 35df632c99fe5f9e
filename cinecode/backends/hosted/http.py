"""The one HTTP layer every hosted backend uses.

```
Service   where a provider lives, which environment variable holds its key, how hard to push it
HttpClient.request   rate limit → send → retry (429 honours Retry-After; 5xx, timeouts and
                     dropped connections back off exponentially with jitter) → translate
HttpClient.download  stream a result to disk, checking size, content type and completeness,
                     then decode it; a damaged download is fetched again, never returned
```

Errors come out as cinecode's own: `RateLimited`, `ProviderDown`, `BadOutput`, or a
`BackendError` for a request the provider refused. They are made in one place, the map in
`HttpClient` (`_broken` for httpx's exceptions, `_refused` for error statuses, `_malformed`
for a body that is not JSON), raised `from` what they translate; answers of the wrong shape
are `base.HostedBackend.job_id`/`status_of`'s and `results.dig`'s. The credential is read
from the environment only, sent only to the provider's own host, and scrubbed from every
message.
"""

from __future__ import annotations

import base64
import email.utils
import json as jsonlib
import mimetypes
import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from cinecode.backends.hosted.results import decode_base64
from cinecode.errors import (
    BackendError,
    BadOutput,
    ProviderDown,
    RateLimited,
    Rejected,
    TooLarge,
)

AuthStyle = Literal["bearer", "key", "xi-api-key", "none"]
Retry = Literal["always", "safe"]

#: statuses worth another try; 504 only for requests that are safe to repeat
RETRY_STATUSES = {408, 500, 502, 503, 504}
#: a Retry-After longer than this fails at once (with the wait in the message)
MAX_RETRY_AFTER = 600.0
#: content types that are never media (an error page instead of the file)
NOT_MEDIA = ("text/html", "text/plain", "application/json", "application/xml", "text/xml")


@dataclass(frozen=True)
class Service:
    """How to reach one provider and how hard to push it."""

    name: str  # the backend name, for messages
    base_url: str
    key_env: str = ""  # environment variable holding the credential ("" = none needed)
    auth: AuthStyle = "bearer"
    key_required: bool = True
    timeout: float = 60.0  # seconds to wait for an answer
    retries: int = 5  # further tries after the first
    backoff: float = 1.0  # first retry delay in seconds, doubled each time
    max_backoff: float = 60.0
    requests_per_minute: float = 0.0  # 0 = no limit
    concurrency: int = 8  # requests in flight at once, for the whole process
    max_download_mb: float = 1024.0
    headers: Mapping[str, str] = field(default_factory=dict)  # sent with every API request


class RateLimiter:
    """Spaces requests to at most `per_minute`, and pauses everyone after a 429."""

    def __init__(
        self,
        per_minute: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def acquire(self, sleep: Callable[[float], None] | None = None) -> None:
        """Wait for this request's turn (with `sleep`, else the limiter's own)."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            (sleep or self._sleep)(start - now)

    def pause(self, seconds: float) -> None:
        """Hold every request of this service for `seconds` (the provider asked us to)."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


_shared: dict[tuple[str, str], tuple[RateLimiter, threading.BoundedSemaphore]] = {}
_shared_lock = threading.Lock()


def _limits(service: Service) -> tuple[RateLimiter, threading.BoundedSemaphore]:
    """The rate limiter and request slots of a service, shared by the whole process."""
    key = (service.name, service.base_url)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = (
                RateLimiter(service.requests_per_minute),
                threading.BoundedSemaphore(max(1, service.concurrency)),
            )
        return _shared[key]


def retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date), if it has one."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def where(url: str) -> str:
    """A URL without its query or credentials, safe to show (signed URLs carry tokens)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


@dataclass(frozen=True)
class Form:
    """A `multipart/form-data` body: plain fields, and files as (field, (filename, bytes,
    content type)); a field may repeat (OpenAI's `image[]`)."""

    fields: dict[str, str]
    files: list[tuple[str, tuple[str, bytes, str]]]

    @classmethod
    def of(cls, fields: Mapping[str, Any], files: Mapping[str, Sequence[Path]]) -> Form:
        """Fields as text, and the named files read now (a retry sends the same bytes)."""
        parts = [
            (name, (path.name, path.read_bytes(), _mime(path)))
            for name, paths in files.items()
            for path in paths
        ]
        return cls({k: str(v) for k, v in fields.items()}, parts)


def _mime(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def data_uri(path: Path) -> str:
    """A file as a `data:` URI (how most providers accept a small input image)."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


class HttpClient:
    """Requests to one provider, with its limits, retries and error translation."""

    def __init__(
        self,
        service: Service,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.service = service
        self._sleep = sleep
        self._rng = rng or random.Random()
        env = os.environ if env is None else env
        self._secret = env.get(service.key_env, "") if service.key_env else ""
        self._limiter, self._slots = _limits(service)
        self._origin = _origin(service.base_url)
        timeout = httpx.Timeout(service.timeout, connect=min(10.0, service.timeout))
        self._client = httpx.Client(
            timeout=timeout, transport=transport, headers={"User-Agent": "cinecode"}
        )

    # --- credentials ---------------------------------------------------------------------------

    @property
    def has_key(self) -> bool:
        return bool(self._secret) or not self.service.key_required or not self.service.key_env

    def missing_key(self) -> BackendError:
        return BackendError(
            f"no API key: the environment variable {self.service.key_env} is not set",
            backend=self.service.name,
            hint=f"export {self.service.key_env}=… (keys are read from the environment only, "
            "never from film.toml)",
        )

    def redact(self, text: str) -> str:
        """`text` with the credential scrubbed out."""
        if self._secret and len(self._secret) >= 4:
            text = text.replace(self._secret, "***")
        return text

    def _auth_headers(self, url: str) -> dict[str, str]:
        if not self._secret or _origin(url) != self._origin:
            return {}  # the key goes to the provider's own host only
        style = self.service.auth
        if style == "bearer":
            return {"Authorization": f"Bearer {self._secret}"}
        if style == "key":
            return {"Authorization": f"Key {self._secret}"}
        if style == "xi-api-key":
            return {"xi-api-key": self._secret}
        return {}

    def url(self, path: str) -> str:
        """An absolute URL: `path` under the service's base URL, or `path` itself."""
        if path.startswith(("http://", "https://")):
            return path
        return self.service.base_url.rstrip("/") + "/" + path.lstrip("/")

    # --- requests ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        retry: Retry = "always",
        accept: tuple[int, ...] = (),
        stream: bool = False,
        form: Form | None = None,
    ) -> httpx.Response:
        """Send one API request, retrying what may be retried; statuses in `accept` (e.g. 404)
        come back to the caller instead of raising. With `stream`, a successful response's
        body is left unread (the caller reads it, then closes the response). With `form`, the
        body is `multipart/form-data`: its fields and its files (name, (filename, bytes, type)).

        `retry="safe"` is for requests that create paid work: they are repeated only when the
        provider surely did not act on them (429, connection refused, 500/502/503), never after
        a timeout or a dropped answer.
        """
        if not self.has_key:
            raise self.missing_key()
        url = self.url(path)
        attempt = 0
        while True:
            self._limiter.acquire(self._sleep)
            try:
                with self._slots:
                    built = self._client.build_request(
                        method,
                        url,
                        json=json,
                        data=form.fields if form else None,
                        files=form.files if form else None,
                        params=params,
                        headers={
                            **self.service.headers,
                            **(headers or {}),
                            **self._auth_headers(url),
                        },
                    )
                    response = self._client.send(built, stream=stream)
                    if stream and (
                        response.status_code >= 400 and response.status_code not in accept
                    ):
                        _read_quietly(response)
            except httpx.HTTPError as exc:  # refused, timed out, dropped, badly framed
                # a connection that was never made cannot have reached the provider
                unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if (unsent or retry == "always") and attempt < self.service.retries:
                    self._sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise self._broken(exc, url, retry=retry) from exc
            status = response.status_code
            if status < 400 or status in accept:
                return response
            detail = self.redact(_detail(response))
            if status == 429:
                wait = retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait > MAX_RETRY_AFTER:
                    raise self._refused(status, url, detail, wait=wait)
                if wait is not None:  # everyone waits: the next acquire() sleeps it out
                    self._limiter.pause(wait + self._rng.uniform(0, 0.1 * max(wait, 0.1)))
                if attempt < self.service.retries:
                    if wait is None:
                        self._sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise self._refused(status, url, detail, wait=wait, tries=attempt + 1)
            if status in RETRY_STATUSES:
                repeatable = retry == "always" or status in (500, 502, 503)
                if repeatable and attempt < self.service.retries:
                    asked = retry_after(response.headers.get("Retry-After"))
                    pause = min(asked, MAX_RETRY_AFTER) if asked is not None else None
                    self._sleep(pause if pause is not None else self._backoff(attempt))
                    attempt += 1
                    continue
            raise self._refused(status, url, detail)

    # --- the one map from foreign failures to cinecode's errors --------------------------------

    def _broken(
        self, exc: httpx.HTTPError, url: str, *, retry: Retry | None = None
    ) -> ProviderDown:
        """What an httpx failure means: an API request (`retry`: how it may be repeated) that
        got no complete answer, or a download (`retry` None) that broke off."""
        name = self.service.name
        kind = type(exc).__name__
        if retry is None:
            return ProviderDown(f"the download broke off ({kind})", backend=name)
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return ProviderDown(
                self.redact(f"cannot reach {where(url)} ({kind})"),
                backend=name,
                hint="check the network and the service's base_url; run make again to resume",
            )
        hint = "the service is slow or failing; run make again later to resume"
        if retry == "safe":
            hint = (
                "the request may have reached the provider; check its dashboard for a "
                "duplicate job, then run make again"
            )
        return ProviderDown(
            self.redact(f"no complete answer from {where(url)} ({kind})"), backend=name, hint=hint
        )

    def _refused(
        self, status: int, url: str, detail: str, *, wait: float | None = None, tries: int = 1
    ) -> BackendError:
        """What an HTTP error status means once it is not retried (again); `detail` is the
        provider's own message (": …", redacted), `wait` a 429's Retry-After."""
        name = self.service.name
        if status == 429 and wait is not None and wait > MAX_RETRY_AFTER:
            return RateLimited(
                f"rate limited by {where(url)}: asked to wait {wait:.0f} s",
                backend=name,
                retry_after=wait,
                hint=f"run make again in {wait / 60:.0f} minutes, or lower "
                f"requests_per_minute in [services.{name}]",
            )
        if status == 429:
            return RateLimited(
                f"rate limited by {where(url)} after {tries} tries{detail}",
                backend=name,
                retry_after=wait,
                hint=f"lower requests_per_minute or concurrency in [services.{name}], "
                "then run make again",
            )
        if status in RETRY_STATUSES:
            return ProviderDown(
                f"{where(url)} failed with HTTP {status}{detail}",
                backend=name,
                hint="the provider is having trouble; run make again later (finished "
                "work is kept and running jobs resume)",
            )
        if status in (401, 403):
            return BackendError(
                f"{where(url)} refused the credential (HTTP {status}){detail}",
                backend=name,
                hint=f"check the key in ${self.service.key_env} and the account's access"
                if self.service.key_env
                else "check the service's access settings",
            )
        return BackendError(
            f"{where(url)} rejected the request (HTTP {status}){detail}",
            backend=name,
            hint="check the model and its inputs in film.toml against the provider's docs",
        )

    def _malformed(self, path: str, response: httpx.Response) -> BadOutput:
        """What an answer that is not the JSON it should be means."""
        snippet = self.redact(response.text[:120])
        return BadOutput(
            f"{where(self.url(path))} answered with malformed JSON: {snippet!r}",
            backend=self.service.name,
            hint="the service may be degraded; run make again later",
        )

    # --- JSON and media answers ----------------------------------------------------------------

    def json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        retry: Retry = "always",
        accept: tuple[int, ...] = (),
        form: Form | None = None,
    ) -> tuple[int, Any]:
        """(status, decoded JSON body) of a request; a malformed body is asked for again
        when the request may be repeated, else it is a `BadOutput`."""
        attempt = 0
        while True:
            response = self.request(
                method,
                path,
                json=json,
                params=params,
                headers=headers,
                retry=retry,
                accept=accept,
                form=form,
            )
            try:
                return response.status_code, response.json()
            except ValueError as exc:
                if retry == "always" and attempt < self.service.retries:
                    self._sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise self._malformed(path, response) from exc

    def post_media(
        self,
        path: str,
        *,
        json: Any,
        params: Mapping[str, Any] | None = None,
    ) -> tuple[bytes | None, httpx.Headers]:
        """POST a paid generation that answers with a file: (its bytes, or None when the body
        broke off or came short; the headers, which may say where to fetch it again)."""
        response = self.request("POST", path, json=json, params=params, retry="safe", stream=True)
        try:
            chunks: list[bytes] = []
            try:
                for chunk in response.iter_bytes(1 << 16):
                    chunks.append(chunk)
            except httpx.HTTPError:
                return None, response.headers
            data = b"".join(chunks)
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and len(data) != int(declared):
                return None, response.headers
            ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype.startswith(NOT_MEDIA):
                raise BadOutput(
                    f"{where(self.url(path))} answered {ctype} instead of a file: "
                    f"{self.redact(data[:120].decode('utf-8', 'replace'))!r}",
                    backend=self.service.name,
                    hint="the service may be degraded; run make again later",
                )
            return (data or None), response.headers
        finally:
            response.close()

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: half the step fixed, half random."""
        step = float(min(self.service.max_backoff, self.service.backoff * (2**attempt)))
        return step / 2 + float(self._rng.uniform(0, step / 2))

    # --- downloads -----------------------------------------------------------------------------

    def download(
        self,
        url: str,
        dest: Path,
        *,
        kind: str,
        check: Callable[[Path], dict[str, Any]],
        attempts: int = 3,
    ) -> dict[str, Any]:
        """Fetch a result to `dest` and `check` it (decode, size, duration); returns what the
        check found. Truncated, oversized-by-lie, mistyped or undecodable downloads are fetched
        again, up to `attempts` times, then raise `BadOutput`."""
        limit = int(self.service.max_download_mb * 1024 * 1024)
        if url.startswith("data:"):  # some providers inline small results
            dest.write_bytes(decode_base64(url, backend=self.service.name, what=f"inline {kind}"))
            return check(dest)
        problem = ""
        whole = 0  # fetched whole, then failed the check
        for attempt in range(attempts):
            fetched = False
            try:
                self._fetch(url, dest, kind=kind, limit=limit)
                fetched = True
                return check(dest)
            except TooLarge as exc:
                dest.unlink(missing_ok=True)
                raise TooLarge(
                    f"the result at {where(url)} is larger than {exc.limit // 2**20} MB",
                    limit=exc.limit,
                    backend=self.service.name,
                    hint=f"raise max_download_mb in [services.{self.service.name}] if it is "
                    "expected",
                ) from exc
            except (BadOutput, ProviderDown) as exc:
                dest.unlink(missing_ok=True)
                problem = exc.message
                whole += fetched
                if attempt + 1 < attempts:
                    self._sleep(self._backoff(attempt))
        if whole == attempts:  # the same whole file failed every time: it is the result
            raise Rejected(
                f"the {kind} from {where(url)} arrived whole {attempts} times and failed its "
                f"check: {problem}",
                backend=self.service.name,
                hint="run make again: a new job is asked for (this one's cost is on the ledger)",
            )
        raise BadOutput(
            f"the {kind} from {where(url)} could not be downloaded intact "
            f"({attempts} tries): {problem}",
            backend=self.service.name,
            hint="run make again: the job is resumed and downloaded again, not paid twice",
        )

    def _fetch(self, url: str, dest: Path, *, kind: str, limit: int) -> None:
        name = self.service.name
        self._limiter.acquire(self._sleep)
        try:
            with (
                self._slots,
                self._client.stream(
                    "GET", url, headers=self._auth_headers(url), follow_redirects=True
                ) as response,
            ):
                if response.status_code >= 400:
                    raise ProviderDown(
                        f"download failed with HTTP {response.status_code}", backend=name
                    )
                ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if ctype.startswith(NOT_MEDIA):
                    raise BadOutput(f"got {ctype}, not a {kind}", backend=name)
                declared = response.headers.get("Content-Length")
                if declared is not None and declared.isdigit() and int(declared) > limit:
                    raise TooLarge("too large", limit=limit, backend=name)
                received = 0
                with dest.open("wb") as handle:
                    for chunk in response.iter_bytes(1 << 16):
                        received += len(chunk)
                        if received > limit:
                            raise TooLarge("too large", limit=limit, backend=name)
                        handle.write(chunk)
                if declared is not None and declared.isdigit() and received != int(declared):
                    raise BadOutput(f"truncated: {received} of {declared} bytes", backend=name)
                if received == 0:
                    raise BadOutput("the file is empty", backend=name)
        except httpx.HTTPError as exc:
            raise self._broken(exc, url) from exc

    def close(self) -> None:
        self._client.close()


def _read_quietly(response: httpx.Response) -> None:
    """Read an error response's body for its message; a broken one is left empty."""
    try:
        response.read()
    except httpx.HTTPError:
        pass
    finally:
        response.close()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname or "", parts.port)


def _detail(response: httpx.Response) -> str:
    """The provider's own error message, shortened, for the user."""
    try:
        body = response.json()
    except httpx.ResponseNotRead:
        return ""
    except ValueError:
        text = response.text.strip()
        return f": {text[:200]}" if text and not text.startswith("<") else ""
    if isinstance(body, dict):
        for key in ("detail", "error", "message", "failure", "title"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("detail") or jsonlib.dumps(value)
            if value:
                return f": {str(value)[:300]}"
    return ""


__all__ = ["Form", "HttpClient", "RateLimiter", "Service", "data_uri", "retry_after", "where"]
