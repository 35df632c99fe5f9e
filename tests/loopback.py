"""Loopback servers that speak the hosted providers' wire protocols, for tests.

Each fake follows its provider's public API documentation (paths, headers, JSON shapes,
status values, auth header) and keeps what it saw: `submissions` counts the paid jobs
created, `requests` every request. Faults are queued per route and served once each:
`Fault(status=429, retry_after="1")`, `Fault(status=503)`, `Fault(delay=2.0)` (a timeout),
`Fault(malformed=True)` (broken JSON), `Fault(truncate=True)` (the body breaks off).
"""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np

# --- media the fakes serve ---------------------------------------------------------------------


def png_bytes(
    width: int = 64, height: int = 36, colour: tuple[int, int, int] = (40, 90, 160)
) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def mp4_bytes(
    seconds: float,
    *,
    width: int = 64,
    height: int = 36,
    fps: int = 24,
    colour: tuple[int, int, int] | None = None,
    tone_hz: float = 0.0,
) -> bytes:
    """A real H.264 clip of `seconds` (a moving gradient, or one solid `colour`); with
    `tone_hz`, an AAC sound track of that sine (a video model that returns its own audio)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        if tone_hz:
            _tone_track(container, seconds, tone_hz)
        for index in range(round(seconds * fps)):
            pixels = np.full((height, width, 3), (index * 3) % 255, dtype=np.uint8)
            if colour is not None:
                pixels[:] = colour
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def _tone_track(container: Any, seconds: float, hz: float, rate: int = 48000) -> None:
    """Mux `seconds` of a sine at `hz` (half scale) into `container` as AAC."""
    import av

    audio = container.add_stream("aac", rate=rate)
    audio.layout = "mono"
    samples = (0.5 * np.sin(2 * np.pi * hz * np.arange(round(seconds * rate)) / rate)).astype(
        np.float32
    )
    for start in range(0, samples.size, 1024):
        frame = av.AudioFrame.from_ndarray(
            samples[None, start : start + 1024], format="fltp", layout="mono"
        )
        frame.sample_rate, frame.pts = rate, start
        for packet in audio.encode(frame):
            container.mux(packet)
    for packet in audio.encode():
        container.mux(packet)


def tone(seconds: float, rate: int) -> np.ndarray[Any, Any]:
    t = np.arange(round(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def wav_bytes(seconds: float, rate: int = 24000) -> bytes:
    import wave

    samples = (tone(seconds, rate) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())
    return buffer.getvalue()


def mp3_bytes(seconds: float, rate: int = 44100) -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=rate)
        stream.layout = "mono"
        samples = tone(seconds, rate)
        for start in range(0, samples.size, 1152):
            chunk = samples[start : start + 1152].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


# --- the server --------------------------------------------------------------------------------


@dataclass
class Fault:
    status: int = 0
    retry_after: str = ""
    delay: float = 0.0
    malformed: bool = False
    truncate: bool = False
    body: bytes = b""


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200, **headers: str) -> Reply:
        return cls(
            status, json.dumps(value).encode(), {"Content-Type": "application/json", **headers}
        )

    @classmethod
    def media(cls, data: bytes, kind: str, **headers: str) -> Reply:
        return cls(200, data, {"Content-Type": kind, **headers})


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> list[Part]:
        """The parts of a `multipart/form-data` body, in order (repeated names kept)."""
        from email.parser import BytesParser
        from email.policy import HTTP

        kind = self.headers.get("content-type", "")
        if not kind.startswith("multipart/form-data"):
            return []
        head = f"Content-Type: {kind}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        parts = []
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            parts.append(
                Part(
                    str(part.get_param("name", header="content-disposition") or ""),
                    part.get_filename() or "",
                    data,
                    part.get_content_type(),
                )
            )
        return parts


@dataclass(frozen=True)
class Part:
    """One part of a multipart form: a field (no filename) or a file."""

    name: str
    filename: str
    data: bytes
    kind: str


class Provider:
    """A fake provider: routes requests, checks auth, serves queued faults."""

    auth_header = "Authorization"
    auth_format = "Bearer {key}"

    def __init__(self, key: str) -> None:
        self.key = key
        self.base = ""
        self.requests: list[Seen] = []
        self.submissions = 0
        self.faults: list[tuple[str, Fault]] = []
        self.lock = threading.Lock()
        self.hold = 0.0  # seconds each request is held before its answer (so overlap shows)
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests the server was answering at once

    def fail(self, route: str, *faults: Fault) -> None:
        """Serve `faults` (in order, once each) to requests whose "METHOD /path" starts
        with `route`."""
        with self.lock:
            self.faults.extend((route, f) for f in faults)

    def authorised(self, seen: Seen) -> bool:
        return seen.headers.get(self.auth_header.lower()) == self.auth_format.format(key=self.key)

    def take_fault(self, seen: Seen) -> Fault | None:
        route = f"{seen.method} {seen.path}"
        with self.lock:
            for index, (prefix, fault) in enumerate(self.faults):
                if route.startswith(prefix):
                    del self.faults[index]
                    return fault
        return None

    def route(self, seen: Seen) -> Reply:  # pragma: no cover - overridden
        raise NotImplementedError

    def of(self, method: str, prefix: str) -> list[Seen]:
        return [s for s in self.requests if s.method == method and s.path.startswith(prefix)]


class Loopback:
    """A provider served on 127.0.0.1 in a background thread."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        handler = _handler(provider)
        self.server = _Server(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"
        provider.base = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Loopback:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client killed mid-request (the crash test) is expected


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(
                method,
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            with provider.lock:
                provider.requests.append(seen)
                provider.in_flight += 1
                provider.most_in_flight = max(provider.most_in_flight, provider.in_flight)
            try:
                if provider.hold:
                    time.sleep(provider.hold)
                self._answer(seen)
            finally:
                with provider.lock:
                    provider.in_flight -= 1

        def _answer(self, seen: Seen) -> None:
            fault = provider.take_fault(seen)
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.status:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                self._send(Reply(fault.status, fault.body or b'{"detail": "injected"}', headers))
                return
            if not provider.authorised(seen) and not seen.path.startswith("/files/"):
                self._send(Reply.json({"detail": "Invalid token."}, 401))
                return
            reply = provider.route(seen)
            if fault and fault.malformed:
                reply = Reply(
                    reply.status, reply.body[: max(1, len(reply.body) // 2)], reply.headers
                )
            self._send(reply, truncate=bool(fault and fault.truncate))

        def _send(self, reply: Reply, *, truncate: bool = False) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            if truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            if truncate:
                self.wfile.write(reply.body[: len(reply.body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(reply.body)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

    return Handler


# --- the providers -----------------------------------------------------------------------------


#: the colour of every clip a fake lip-sync model returns (so a test sees it in the cut)
SYNCED = (220, 30, 200)


def data_file(uri: str) -> tuple[str, bytes]:
    """(media type, bytes) of a `data:` URI, as a provider decodes an inline file."""
    head, _, data = uri.partition(",")
    if not head.startswith("data:") or not head.endswith(";base64"):
        raise ValueError(f"not a base64 data URI: {uri[:40]}")
    return head[5:-7], base64.b64decode(data)


def _seconds(file: tuple[str, bytes]) -> float:
    """The length of an uploaded clip (raises when it is no video)."""
    import av

    with av.open(io.BytesIO(file[1])) as container:
        stream = container.streams.video[0]
        return float(stream.frames / float(stream.average_rate or 24))


class Jobs(Provider):
    """Shared by the queue-style fakes: jobs that finish after `polls` status requests, or
    when `release` is set (a job held for a crash test)."""

    def __init__(self, key: str, *, polls: int = 1, seconds: float = 5.0) -> None:
        super().__init__(key)
        self.polls = polls
        self.seconds = seconds  # length of the clips served
        self.jobs: dict[str, dict[str, Any]] = {}
        self.release = threading.Event()
        self.release.set()
        self.fail_jobs = False
        self.image = png_bytes()
        self.tone_hz = 0.0  # the clips served carry a sine of this pitch (0: no sound)
        self._video: bytes | None = None

    def new_job(self, **info: Any) -> str:
        with self.lock:
            self.submissions += 1
            job_id = f"job{self.submissions:04d}"
            self.jobs[job_id] = {"polls": 0, **info}
        return job_id

    def advance(self, job_id: str) -> str:
        """ "running" or "done" (or "failed") after one more status request."""
        job = self.jobs[job_id]
        job["polls"] += 1
        if not self.release.is_set() or job["polls"] < self.polls:
            return "running"
        return "failed" if self.fail_jobs else "done"

    def video(self) -> bytes:
        if self._video is None:
            self._video = mp4_bytes(self.seconds, tone_hz=self.tone_hz)
        return self._video

    def lipsync(self, video: Any, audio: Any) -> dict[str, Any] | None:
        """A lip-sync request (a clip and a voice as data URIs), as a job's info: the clip
        and the voice it carried (`synced` is the answer: a solid SYNCED-colour clip as long
        as the clip sent); None when the request is no lip sync."""
        if not (isinstance(video, str) and isinstance(audio, str)):
            return None
        clip, voice = data_file(video), data_file(audio)
        length = _seconds(clip)
        synced = mp4_bytes(length, width=64, height=36, colour=SYNCED)
        return {"clip": clip, "voice": voice, "synced": synced}

    def file(self, seen: Seen) -> Reply | None:
        job = self.jobs.get(Path(seen.path).stem, {})
        if seen.path.endswith(".mp4") and job.get("synced"):
            return Reply.media(job["synced"], "video/mp4")
        if seen.path.endswith(".png"):
            return Reply.media(self.image, "image/png")
        if seen.path.endswith(".mp4"):
            return Reply.media(self.video(), "video/mp4")
        return None


class FakeReplicate(Jobs):
    """api.replicate.com/v1: predictions (create, get), account; files under /files/."""

    def __init__(
        self, key: str, *, kind: str = "image", predict_time: float = 0.0, **kw: Any
    ) -> None:
        super().__init__(key, **kw)
        self.kind = kind
        self.predict_time = predict_time

    def prediction(self, job_id: str, status: str) -> dict[str, Any]:
        job = self.jobs[job_id]
        body: dict[str, Any] = {
            "id": job_id,
            "model": job["model"],
            "version": job.get("version", ""),
            "input": job["input"],
            "logs": "",
            "output": None,
            "error": None,
            "status": status,
            "created_at": "2026-11-21T10:00:00.000Z",
            "urls": {
                "get": f"{self.base}/v1/predictions/{job_id}",
                "cancel": f"{self.base}/v1/predictions/{job_id}/cancel",
            },
        }
        if status == "succeeded":
            ext = "mp4" if self.kind == "video" or job.get("synced") else "png"
            body["output"] = (
                [f"{self.base}/files/{job_id}.{ext}"]
                if ext == "png"
                else f"{self.base}/files/{job_id}.{ext}"
            )
            body["metrics"] = {
                "predict_time": self.predict_time,
                "total_time": self.predict_time + 1,
            }
        if status == "failed":
            body["error"] = "NSFW content detected"
        return body

    def route(self, seen: Seen) -> Reply:
        if seen.path == "/v1/account" and seen.method == "GET":
            return Reply.json({"type": "user", "username": "director"})
        match = re.fullmatch(r"/v1/models/([^/]+/[^/]+)/predictions", seen.path)
        if seen.method == "POST" and (match or seen.path == "/v1/predictions"):
            data = seen.json()
            if not isinstance(data, dict) or "input" not in data:
                return Reply.json({"detail": "input is required"}, 422)
            model = match.group(1) if match else "owner/versioned"
            sync = self.lipsync(data["input"].get("video"), data["input"].get("audio"))
            job_id = self.new_job(
                model=model, input=data["input"], version=data.get("version", ""), **(sync or {})
            )
            return Reply.json(self.prediction(job_id, "starting"), 201)
        match = re.fullmatch(r"/v1/predictions/([^/]+)", seen.path)
        if seen.method == "GET" and match:
            job_id = match.group(1)
            if job_id not in self.jobs:
                return Reply.json({"detail": "Not found."}, 404)
            state = self.advance(job_id)
            status = {"running": "processing", "done": "succeeded", "failed": "failed"}[state]
            return Reply.json(self.prediction(job_id, status))
        if seen.path.startswith("/files/"):
            reply = self.file(seen)
            if reply:
                return reply
        return Reply.json({"detail": "Not found."}, 404)


class FakeFal(Jobs):
    """queue.fal.run: submit, status, result; files under /files/."""

    auth_format = "Key {key}"

    def __init__(self, key: str, *, kind: str = "image", **kw: Any) -> None:
        super().__init__(key, **kw)
        self.kind = kind

    def route(self, seen: Seen) -> Reply:
        if seen.path.startswith("/files/"):
            return self.file(seen) or Reply.json({"detail": "Not found"}, 404)
        match = re.fullmatch(r"/([^/]+/[^/]+)(?:/.*)?/requests/([^/]+)(/status)?", seen.path)
        if seen.method == "GET" and match:
            job_id = match.group(2)
            if job_id not in self.jobs:
                return Reply.json({"detail": "Request not found"}, 404)
            if match.group(3):
                state = self.advance(job_id)
                if state == "running":
                    return Reply.json({"status": "IN_PROGRESS", "request_id": job_id, "logs": None})
                return Reply.json(
                    {
                        "status": "COMPLETED",
                        "request_id": job_id,
                        "response_url": f"{self.base}/{match.group(1)}/requests/{job_id}",
                        "metrics": {"inference_time": 2.5},
                    }
                )
            if self.fail_jobs:
                return Reply.json({"detail": [{"msg": "content policy violation"}]}, 422)
            if self.kind == "video" or self.jobs[job_id].get("synced"):
                return Reply.json({"video": {"url": f"{self.base}/files/{job_id}.mp4"}})
            return Reply.json(
                {
                    "images": [
                        {
                            "url": f"{self.base}/files/{job_id}.png",
                            "width": 64,
                            "height": 36,
                            "content_type": "image/png",
                        }
                    ],
                    "seed": 42,
                }
            )
        if seen.method == "POST":
            app = "/".join(seen.path.strip("/").split("/")[:2])
            body = seen.json()
            sync = self.lipsync(body.get("video_url"), body.get("audio_url"))
            job_id = self.new_job(input=body, model=seen.path.strip("/"), **(sync or {}))
            return Reply.json(
                {
                    "request_id": job_id,
                    "response_url": f"{self.base}/{app}/requests/{job_id}",
                    "status_url": f"{self.base}/{app}/requests/{job_id}/status",
                    "cancel_url": f"{self.base}/{app}/requests/{job_id}/cancel",
                    "queue_position": 0,
                }
            )
        return Reply.json({"detail": "Not found"}, 404)


class FakeRunway(Jobs):
    """api.dev.runwayml.com/v1: image_to_video, text_to_image, tasks/{id}, organization."""

    RATIOS = frozenset(
        {
            "1280:720",
            "720:1280",
            "1104:832",
            "832:1104",
            "960:960",
            "1584:672",
            "1280:768",
            "768:1280",
        }
    )

    IMAGE_RATIOS = frozenset(
        {
            "1920:1080",
            "1080:1920",
            "1024:1024",
            "1360:768",
            "1080:1080",
            "1168:880",
            "1440:1080",
            "1080:1440",
            "1808:768",
            "2112:912",
            "1280:720",
            "720:1280",
            "720:720",
            "960:720",
            "720:960",
            "1680:720",
        }
    )

    def text_to_image(self, data: dict[str, Any]) -> Reply:
        """`POST /v1/text_to_image` (Gen-4 image): up to three `referenceImages`, each a
        data URI or HTTPS `uri` and a `tag` (a letter, then 2-15 letters, digits or _)."""
        problems = []
        if data.get("model") not in ("gen4_image", "gen4_image_turbo"):
            problems.append(f"invalid model {data.get('model')}")
        if not str(data.get("promptText", "")).strip():
            problems.append("promptText is required")
        if data.get("ratio") not in self.IMAGE_RATIOS:
            problems.append(f"invalid ratio {data.get('ratio')}")
        refs = data.get("referenceImages", [])
        if not isinstance(refs, list) or len(refs) > 3:
            problems.append("referenceImages: at most 3")
        elif data.get("model") == "gen4_image_turbo" and not refs:
            problems.append("gen4_image_turbo needs at least one reference image")
        for ref in refs if isinstance(refs, list) else []:
            uri, tag = str(ref.get("uri", "")), ref.get("tag")
            if not (uri.startswith("data:image/") or uri.startswith("https://")):
                problems.append("referenceImages.uri must be an HTTPS URL or a data URI")
            if tag is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{2,15}", str(tag)):
                problems.append(f"invalid tag {tag!r}")
        if problems:
            return Reply.json({"error": "; ".join(problems)}, 400)
        return Reply.json({"id": self.new_job(input=data, ext="png")})

    def route(self, seen: Seen) -> Reply:
        if seen.path.startswith("/files/"):
            return self.file(seen) or Reply.json({"error": "not found"}, 404)
        if seen.headers.get("x-runway-version") != "2024-11-06":
            return Reply.json({"error": "X-Runway-Version header is required"}, 400)
        if seen.path == "/v1/organization":
            return Reply.json({"creditBalance": 1000})
        if seen.method == "POST" and seen.path == "/v1/text_to_image":
            return self.text_to_image(seen.json())
        if seen.method == "POST" and seen.path == "/v1/image_to_video":
            data = seen.json()
            problems = []
            if not str(data.get("promptImage", "")).startswith("data:image/"):
                problems.append("promptImage must be an HTTPS URL or a data URI")
            if data.get("ratio") not in self.RATIOS:
                problems.append(f"invalid ratio {data.get('ratio')}")
            if data.get("duration") not in (5, 10):
                problems.append("duration must be 5 or 10")
            if problems:
                return Reply.json({"error": "; ".join(problems)}, 400)
            return Reply.json({"id": self.new_job(input=data)})
        match = re.fullmatch(r"/v1/tasks/([^/]+)", seen.path)
        if seen.method == "GET" and match:
            job_id = match.group(1)
            if job_id not in self.jobs:
                return Reply.json({"error": "Task not found"}, 404)
            state = self.advance(job_id)
            task: dict[str, Any] = {"id": job_id, "createdAt": "2026-11-21T10:00:00.000Z"}
            if state == "running":
                task.update(status="RUNNING", progress=0.5)
            elif state == "failed":
                task.update(status="FAILED", failure="Content moderation", failureCode="SAFETY")
            else:
                ext = self.jobs[job_id].get("ext", "mp4")
                task.update(status="SUCCEEDED", output=[f"{self.base}/files/{job_id}.{ext}"])
            return Reply.json(task)
        return Reply.json({"error": "not found"}, 404)


class FakeElevenLabs(Provider):
    """api.elevenlabs.io/v1: text-to-speech, sound-generation, music, history audio, user."""

    auth_header = "xi-api-key"
    auth_format = "{key}"

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.history: dict[str, bytes] = {}
        self.characters = 0

    def _audio(self, seconds: float, seen: Seen, **headers: str) -> Reply:
        fmt = (seen.query.get("output_format") or ["mp3_44100_128"])[0]
        if fmt.startswith("pcm_"):
            rate = int(fmt.split("_")[1])
            data = (tone(seconds, rate) * 32767).astype("<i2").tobytes()
            kind = "audio/pcm"
        else:
            data = mp3_bytes(seconds)
            kind = "audio/mpeg"
        item = f"hist{len(self.history) + 1:04d}"
        self.history[item] = data
        return Reply.media(
            data, kind, **{"history-item-id": item, "request-id": f"req-{item}", **headers}
        )

    def route(self, seen: Seen) -> Reply:
        if seen.path == "/v1/user":
            return Reply.json({"subscription": {"tier": "creator"}})
        match = re.fullmatch(r"/v1/history/([^/]+)/audio", seen.path)
        if match and seen.method == "GET":
            data = self.history.get(match.group(1))
            return (
                Reply.media(data, "audio/mpeg")
                if data
                else Reply.json({"detail": "not found"}, 404)
            )
        match = re.fullmatch(r"/v1/text-to-speech/([^/]+)", seen.path)
        if match and seen.method == "POST":
            data = seen.json()
            text = str(data.get("text", ""))
            if not text:
                return Reply.json(
                    {"detail": {"status": "invalid", "message": "text is empty"}}, 422
                )
            self.submissions += 1
            self.characters += len(text)
            return self._audio(0.06 * len(text) + 0.2, seen, **{"character-cost": str(len(text))})
        if seen.path == "/v1/sound-generation" and seen.method == "POST":
            self.submissions += 1
            return self._audio(float(seen.json()["duration_seconds"]), seen)
        if seen.path == "/v1/music" and seen.method == "POST":
            self.submissions += 1
            return self._audio(seen.json()["music_length_ms"] / 1000, seen)
        return Reply.json({"detail": "not found"}, 404)


class FakeOpenAI(Provider):
    """api.openai.com/v1: chat/completions, images/generations and edits, audio/speech,
    models."""

    def __init__(self, key: str, *, answer: Callable[[Seen], str] | None = None) -> None:
        super().__init__(key)
        self.answer = answer or (lambda seen: '{"shots": []}')

    def route(self, seen: Seen) -> Reply:
        if seen.path == "/v1/models":
            return Reply.json(
                {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}]}
            )
        if seen.path == "/v1/chat/completions" and seen.method == "POST":
            self.submissions += 1
            data = seen.json()
            return Reply.json(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": data["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": self.answer(seen)},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": 1000,
                        "completion_tokens": 200,
                        "total_tokens": 1200,
                    },
                }
            )
        if seen.path == "/v1/images/edits" and seen.method == "POST":
            # multipart: model, prompt, size… as fields; the input images as `image` (one)
            # or `image[]` (several, GPT image models)
            parts = seen.form()
            fields = {p.name: p.data.decode() for p in parts if not p.filename}
            images = [p for p in parts if p.filename and p.name in ("image", "image[]")]
            if not parts:
                return Reply.json({"error": {"message": "expected multipart/form-data"}}, 400)
            if not images or not fields.get("prompt"):
                return Reply.json({"error": {"message": "image and prompt are required"}}, 400)
            if fields.get("model", "").startswith("dall-e") and len(images) > 1:
                return Reply.json({"error": {"message": "dall-e-2 edits one image"}}, 400)
            self.submissions += 1
            width, height = (int(v) for v in fields["size"].split("x"))
            image = png_bytes(width // 16, height // 16)
            return Reply.json(
                {"created": 1, "data": [{"b64_json": base64.b64encode(image).decode()}]}
            )
        if seen.path == "/v1/images/generations" and seen.method == "POST":
            self.submissions += 1
            data = seen.json()
            width, height = (int(v) for v in data["size"].split("x"))
            image = png_bytes(width // 16, height // 16)
            return Reply.json(
                {"created": 1, "data": [{"b64_json": base64.b64encode(image).decode()}]}
            )
        if seen.path == "/v1/audio/speech" and seen.method == "POST":
            self.submissions += 1
            text = seen.json()["input"]
            return Reply.media(wav_bytes(0.05 * len(text) + 0.2), "audio/wav")
        return Reply.json({"error": {"message": "not found"}}, 404)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
