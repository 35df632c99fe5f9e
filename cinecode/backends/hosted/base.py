"""What every hosted backend shares: connection settings, prices, tickets and waiting, the
checks on what a provider answers, and the delivery of its result (a file downloaded and
checked, a voice track assembled). `ModelBackend` is the whole flow of the providers that run
any model by name; each provider file keeps only its wire format (endpoints, request bodies,
response fields).

**Never pay twice.** A provider job runs on someone else's machine and is paid for when it
is submitted. The backend is handed a `Ticket` (the executor's runner makes one per job, kept
in the project's catalog); it `remember`s the provider's job id the moment the provider
answers, before waiting, and on the next make `recall`s it and polls that job instead of
submitting a new one. A ticket is `done` once the result is downloaded and checked, and is
`forget`-ten only when the provider's job is gone or its result was wrong (a new job is then
wanted).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from cinecode.backends.hosted.checks import check_image, check_video, expect_duration
from cinecode.backends.hosted.http import HttpClient, Service, data_uri
from cinecode.backends.hosted.pricing import Prices, Usage, speech_characters
from cinecode.backends.hosted.results import Reading, save_png, write_wav
from cinecode.backends.protocols import (
    BackendStatus,
    Cost,
    Generated,
    ImageRequest,
    LipsyncRequest,
    ProgressFn,
    SpeechRequest,
    VideoRequest,
)
from cinecode.errors import BackendError, BadOutput, ProviderDown, Rejected


@dataclass(frozen=True)
class ProviderJob:
    """A job submitted to a provider: its id and what is needed to find it again."""

    id: str
    data: dict[str, Any] = field(default_factory=dict)  # status URLs… never credentials


class Ticket(Protocol):
    """Where a backend keeps the provider job of one cinecode job across crashes."""

    def recall(self) -> ProviderJob | None: ...

    def remember(self, job: ProviderJob) -> None: ...

    def done(self) -> None: ...

    def forget(self) -> None: ...

    def charge(self, job: ProviderJob | None, cost: Cost, *, state: str, note: str) -> None:
        """Record what an attempt was billed that will never become the job's artifact."""
        ...


class MemoryTicket:
    """A ticket that lives as long as the object (library use and tests)."""

    def __init__(self, job: ProviderJob | None = None) -> None:
        self.job = job
        self.state = "submitted" if job else ""
        self.remembered: list[ProviderJob] = []
        self.charges: list[tuple[str, Cost, str]] = []  # (state, cost, note)

    def recall(self) -> ProviderJob | None:
        return self.job

    def remember(self, job: ProviderJob) -> None:
        self.job = job
        self.state = "submitted"
        self.remembered.append(job)

    def done(self) -> None:
        self.state = "done"

    def forget(self) -> None:
        self.job = None
        self.state = ""

    def charge(self, job: ProviderJob | None, cost: Cost, *, state: str, note: str) -> None:
        self.charges.append((state, cost, note))


class HostedBackend:
    """Base of the backends that call a provider over HTTP.

    Constructed from film.toml: the department's settings (model, inputs) and the project's
    `[services.NAME]` table (base_url, api_key_env, timeout, retries, requests_per_minute,
    concurrency, poll_interval, max_wait, max_download_mb), plus its price list.
    """

    name = "hosted"
    #: provider defaults, overridden by subclasses
    BASE_URL = ""
    KEY_ENV = ""
    AUTH: Any = "bearer"
    HEADERS: ClassVar[Mapping[str, str]] = {}
    STATUS_PATH = ""  # a cheap GET that proves the key works

    def __init__(
        self,
        *,
        model: str = "",
        base_url: str = "",
        api_key_env: str = "",
        timeout: float = 60.0,
        retries: int = 5,
        requests_per_minute: float = 0.0,
        concurrency: int = 8,
        poll_interval: float = 2.0,
        max_wait: float = 3600.0,
        max_download_mb: float = 1024.0,
        prices: Mapping[str, Mapping[str, Any]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if poll_interval <= 0 or max_wait <= 0:
            raise BackendError(
                "poll_interval and max_wait must be positive",
                backend=self.name,
                hint=f"fix [services.{self.name}] in film.toml",
            )
        self.model = model
        self.poll_interval = float(poll_interval)
        self.max_wait = float(max_wait)
        self.prices = Prices(self.name, dict(prices or {}))
        self._sleep = sleep
        self.service = Service(
            name=self.name,
            base_url=(base_url or self.BASE_URL).rstrip("/"),
            key_env=api_key_env or self.KEY_ENV,
            auth=self.AUTH,
            key_required=not base_url or bool(api_key_env),
            timeout=float(timeout),
            retries=int(retries),
            requests_per_minute=float(requests_per_minute),
            concurrency=int(concurrency),
            max_download_mb=float(max_download_mb),
            headers=dict(self.HEADERS),
        )
        self.http = HttpClient(self.service, sleep=sleep)

    # --- status ----------------------------------------------------------------------------

    def status(self) -> BackendStatus:
        """Ready, or what is missing (the key, the network) and the fix."""
        if not self.http.has_key:
            error = self.http.missing_key()
            return BackendStatus("misconfigured", error.message, error.hint)
        if not self.STATUS_PATH:
            return BackendStatus("ready", f"{self.service.base_url} (key set)")
        try:
            self.http.request("GET", self.STATUS_PATH)
        except ProviderDown as exc:
            return BackendStatus("unreachable", exc.message, exc.hint)
        except BackendError as exc:
            return BackendStatus("misconfigured", exc.message, exc.hint)
        return BackendStatus("ready", self.service.base_url)

    # --- money -----------------------------------------------------------------------------

    def cost(self, model: str, usage: Usage) -> Cost:
        """What a generation cost, from the price list."""
        return self.prices.cost(model, usage)

    # --- waiting ---------------------------------------------------------------------------

    def wait(
        self,
        poll: Callable[[], tuple[bool, float | None]],
        *,
        what: str,
        progress: ProgressFn | None,
    ) -> None:
        """Call `poll` every poll_interval until it says finished (it returns (finished,
        fraction or None)); `progress` may raise to stop waiting (the ticket stays, so the
        next make resumes)."""
        started = time.monotonic()
        while True:
            finished, fraction = poll()
            if finished:
                return
            elapsed = time.monotonic() - started
            if progress is not None:
                progress(fraction if fraction is not None else min(0.95, elapsed / 120.0))
            if elapsed > self.max_wait:
                raise ProviderDown(
                    f"{what} is still running after {self.max_wait:.0f} s",
                    backend=self.name,
                    hint="run make again to keep waiting for the same job (it is not "
                    f"submitted twice), or raise max_wait in [services.{self.name}]",
                )
            self._sleep(self.poll_interval)

    def run_job(
        self,
        ticket: Ticket | None,
        *,
        submit: Callable[[], ProviderJob],
        poll: Callable[[ProviderJob], Poll],
        what: str,
        progress: ProgressFn | None,
    ) -> tuple[ProviderJob, Any]:
        """Resume the ticket's provider job, or submit one and remember it before waiting;
        wait for it; return it with its result. A failed job is forgotten (the next make
        submits anew); a job the provider no longer knows is submitted again once."""
        ticket = ticket or MemoryTicket()
        job = resume(ticket, self.name)
        resubmitted = False
        if job is None:
            job = submit()
            ticket.remember(job)
        current = job
        outcome: Poll = Poll("running")

        def step() -> tuple[bool, float | None]:
            nonlocal outcome
            outcome = poll(current)
            return outcome.state != "running", outcome.fraction

        while True:
            self.wait(step, what=what, progress=progress)
            if outcome.state == "gone" and not resubmitted:
                ticket.forget()
                current = submit()
                ticket.remember(current)
                resubmitted = True
                continue
            break
        if outcome.state == "succeeded":
            return current, outcome.result
        ticket.forget()
        if outcome.state == "gone":
            raise ProviderDown(
                f"{what}: the provider lost job {current.id}",
                backend=self.name,
                hint="run make again to submit a new job",
            )
        raise BackendError(
            f"{what} failed at the provider: {outcome.error or 'no reason given'}",
            backend=self.name,
            hint="change the prompt or the model's inputs if the provider refused them; the "
            "next make submits a new job",
        )

    def rejected(
        self,
        ticket: Ticket | None,
        job: ProviderJob | None,
        model: str,
        usage: Usage,
        error: BackendError,
        *,
        state: str = "rejected",
    ) -> None:
        """A billed result that failed its checks (or, `state="failed"`, billed work lost with
        the job that failed after it) and will be asked for again: what it cost is recorded
        at once (the ledger shows it, the budget counts it)."""
        if ticket is not None:
            cost = self.cost(model, usage)
            ticket.charge(job, cost, state=state, note=error.message)

    def speech_lost(
        self, ticket: Ticket | None, model: str, reading: Reading, error: BackendError
    ) -> None:
        """A line that failed partway: the provider billed the runs already spoken, and the
        failing one too when it answered with audio that is no use (`BadOutput`). Their
        characters go on the ledger, since the whole line is spoken anew."""
        billed = reading.spoken + (1 if isinstance(error, BadOutput) else 0)
        characters = sum(len(text) for text in reading.runs[:billed])
        if characters:
            state = "rejected" if isinstance(error, BadOutput) else "failed"
            self.rejected(ticket, None, model, Usage(characters=characters), error, state=state)

    # --- what providers answer ---------------------------------------------------------------

    def job_id(self, answer: Any, key: str, *, message: str, hint: str) -> str:
        """The id under `key` in a provider's answer to a submission, or `BadOutput` with
        `message` (the provider took the job, maybe paid: `hint` says where to look)."""
        if not isinstance(answer, dict) or not answer.get(key):
            raise BadOutput(message, backend=self.name, hint=hint)
        return str(answer[key])

    def status_of(self, url: str, *, malformed: str) -> dict[str, Any] | None:
        """A provider job's status object, or None when the provider no longer knows the job
        (HTTP 404); an answer that is not an object is `BadOutput` with `malformed`."""
        code, body = self.http.json("GET", url, accept=(404,))
        if code == 404:
            return None
        if not isinstance(body, dict):
            raise BadOutput(malformed, backend=self.name)
        return body

    # --- results -----------------------------------------------------------------------------

    def deliver(
        self,
        url: str,
        out: Path,
        req: ImageRequest | VideoRequest | LipsyncRequest,
        *,
        model: str,
        job: ProviderJob,
        ticket: Ticket | None,
        seconds: float = 0.0,
        images: int = 1,
        gpu: float = 0.0,
    ) -> Generated:
        """A finished job's file downloaded and checked (a clip of `seconds`, or an image kept
        as PNG), the ticket done, and what it cost."""
        try:
            if not isinstance(req, ImageRequest):
                target = out / "clip.mp4"
                usage = Usage(seconds=seconds, width=req.width, height=req.height, gpu_seconds=gpu)
                meta = self.http.download(
                    url, target, kind="video", check=lambda p: check_video(p, backend=self.name)
                )
                expect_duration(dict(meta), seconds, backend=self.name)
            else:
                raw = out / "download"
                usage = Usage(images=images, width=req.width, height=req.height, gpu_seconds=gpu)
                meta = self.http.download(
                    url, raw, kind="image", check=lambda p: check_image(p, backend=self.name)
                )
                target = save_png(raw, out / "image.png")
        except Rejected as exc:
            # the result is wrong, fetching it again would not help: its cost goes on the
            # ledger first, then the next make submits a new job
            self.rejected(ticket, job, model, usage, exc)
            if ticket is not None:
                ticket.forget()
            raise
        if ticket is not None:
            ticket.done()
        meta = {**meta, "usage": usage.as_meta(), "provider_job": job.id}
        return Generated(target, self.cost(model, usage), model, meta)

    def voice_track(
        self,
        req: SpeechRequest,
        reading: Reading,
        out: Path,
        *,
        model: str,
        voice_id: str,
        **extra: Any,
    ) -> Generated:
        """A delivery read run by run, written as voice.wav, with its phrases and its cost
        (per character); `extra` joins the meta before the voice id."""
        audio = reading.audio()
        target = write_wav(out / "voice.wav", audio, req.sample_rate)
        usage = Usage(characters=speech_characters(req.segments))
        meta = {
            "duration": round(audio.shape[-1] / req.sample_rate, 4),
            "phrases": reading.phrases,
            "usage": usage.as_meta(),
            **extra,
            "voice_id": voice_id,
        }
        return Generated(target, self.cost(model, usage), model, meta)

    def close(self) -> None:
        self.http.close()


@dataclass(frozen=True)
class Poll:
    """A provider job's state as one status request saw it."""

    state: str  # running | succeeded | failed | gone
    fraction: float | None = None
    result: Any = None
    error: str = ""


class ModelBackend(HostedBackend):
    """A provider that runs any hosted image or video model by name (fal, Replicate).

    cinecode's inputs (prompt, seed, keyframe, reference images…) are renamed to the
    model's (`FIELDS`, overridden by the department's `fields`; "" = not sent), the
    department's `input` added as it is, one job submitted and waited for, and its file
    delivered. A provider supplies its wire format: `_values` (inputs beyond prompt,
    negative prompt and seed), `_submit`, `_poll`, and what a finished job's result holds
    (`_url`, `_gpu`, `_images`).
    """

    FIELDS: ClassVar[Mapping[str, str]] = {}
    MODEL_HINT = ""  # how to name a model in film.toml
    WHAT = "job of {model}"  # a job, in messages
    NO_FILE = "job {id} finished with no file in its result"

    def __init__(
        self,
        *,
        model: str = "",
        input: Mapping[str, Any] | None = None,
        fields: Mapping[str, str] | None = None,
        negative_prompt: str = "",
        **settings: Any,
    ) -> None:
        super().__init__(model=model, **settings)
        self.extra = dict(input or {})
        self.fields = {**self.FIELDS, **dict(fields or {})}
        self.negative_prompt = negative_prompt

    def generate(
        self,
        req: ImageRequest | VideoRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """An image (ImageRequest) or a clip from a keyframe (VideoRequest)."""
        model = req.model or self.model
        if not model:
            raise BackendError("no model named", backend=self.name, hint=self.MODEL_HINT)
        seconds = 0.0
        if isinstance(req, VideoRequest):
            seconds = self.prices.billable_seconds(model, req.duration)
        values: dict[str, Any] = {
            "prompt": req.prompt,
            "negative_prompt": req.negative_prompt or self.negative_prompt,
            "seed": req.seed,
            **self._values(req, seconds),
            **self._references(req),
        }
        job, result, url = self._run_model(
            model, self._inputs(values), ticket, progress, "an image or a video"
        )
        gpu = self._gpu(result)
        images = 1 if isinstance(req, VideoRequest) else self._images(result)
        return self.deliver(
            url,
            out,
            req,
            model=model,
            job=job,
            ticket=ticket,
            seconds=seconds,
            images=images,
            gpu=gpu,
        )

    def _run_model(
        self,
        model: str,
        inputs: dict[str, Any],
        ticket: Ticket | None,
        progress: ProgressFn | None,
        returns: str,
    ) -> tuple[Any, Any, str]:
        """Submit `inputs` to `model`, wait, and return (job, result, the output's URL)."""
        job, result = self.run_job(
            ticket,
            submit=lambda: self._submit(model, inputs),
            poll=self._poll,
            what=self.WHAT.format(model=model),
            progress=progress,
        )
        url = self._url(result)
        if not url:
            raise BadOutput(
                self.NO_FILE.format(id=job.id),
                backend=self.name,
                hint=f"check the model returns {returns}",
            )
        return job, result, url

    def lipsync(
        self,
        req: LipsyncRequest,
        out: Path,
        progress: ProgressFn | None = None,
        *,
        ticket: Ticket | None = None,
    ) -> Generated:
        """A clip whose mouth follows a voice: the clip and the voice go up as `video` and
        `audio` (under the model's names), the synced clip comes back as one file."""
        model = req.model or self.model
        if not model:
            raise BackendError("no model named", backend=self.name, hint=self.MODEL_HINT)
        inputs = self._inputs({"video": data_uri(req.video), "audio": data_uri(req.audio)})
        job, result, url = self._run_model(
            model, inputs, ticket, progress, "a lip-synced video (a lip-sync model)"
        )
        return self.deliver(
            url, out, req, model=model, job=job, ticket=ticket, seconds=req.seconds,
            gpu=self._gpu(result),
        )  # fmt: skip

    def _inputs(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """cinecode's values under the model's names (empty ones left out), plus `input`."""
        inputs: dict[str, Any] = {}
        for ours, value in values.items():
            theirs = self.fields.get(ours, "")
            if theirs and value not in ("", None):
                inputs[theirs] = value
        inputs.update(self.extra)
        return inputs

    def _references(self, req: ImageRequest | VideoRequest) -> dict[str, Any]:
        """The reference images as the model's `fields` ask for them (data URIs): `reference`
        the first (FLUX Kontext's `image_url`, `input_image`…), `references` all of them as
        a list; neither is sent unless mapped."""
        wanted = [ours for ours in ("reference", "references") if self.fields.get(ours)]
        if not req.references or not wanted:
            return {}
        uris = [data_uri(path) for path in req.references]
        return {"reference": uris[0], "references": uris}

    # --- the provider's wire format ----------------------------------------------------------

    def _values(self, req: ImageRequest | VideoRequest, seconds: float) -> dict[str, Any]:
        """The inputs beyond prompt, negative prompt and seed (`seconds`: a clip's billable
        length), under cinecode's names."""
        raise NotImplementedError

    def _submit(self, model: str, inputs: dict[str, Any]) -> ProviderJob:
        raise NotImplementedError

    def _poll(self, job: ProviderJob) -> Poll:
        raise NotImplementedError

    def _url(self, result: Any) -> str:
        """The file URL in a finished job's result ("" when there is none)."""
        raise NotImplementedError

    def _gpu(self, result: Any) -> float:
        """The GPU seconds the provider reported for a finished job (0 = not reported)."""
        raise NotImplementedError

    def _images(self, result: Any) -> int:
        """How many images a finished image job made (what is billed)."""
        raise NotImplementedError


def aspect_ratio(width: int, height: int, choices: tuple[str, ...]) -> str:
    """The choice ("16:9", "1280:720"…) closest in shape to width×height."""

    def shape(choice: str) -> float:
        a, b = (float(x) for x in choice.split(":"))
        return a / b

    target = width / height
    return min(choices, key=lambda c: abs(shape(c) / target - 1))


def resume(ticket: Ticket, backend: str) -> ProviderJob | None:
    """The provider job a ticket holds for `backend`, if any."""
    job = ticket.recall()
    if job is not None and job.data.get("backend", backend) != backend:
        return None
    return job


__all__ = [
    "HostedBackend",
    "MemoryTicket",
    "ModelBackend",
    "Poll",
    "ProviderJob",
    "Ticket",
    "aspect_ratio",
    "resume",
]
