"""ComfyUI: any workflow the user exported in API format, filled in and run on a pool of servers.

```toml
[backends.flux]
backend = "comfyui"
servers = ["http://127.0.0.1:8188", "http://gpu2:8188"]
workflow = "comfyui/text-to-image.json"     # File ▸ Export (API)
output = "9"                                # the node whose files to collect (default: any)
[backends.flux.inputs]                      # which node input receives what: "node.input"
prompt = "6.text"                           # the node's id, or its title ("Positive.text")
negative_prompt = "7.text"
seed = ["3.seed"]                           # a list fills several nodes
width = "5.width"
height = "5.height"
```
Mapped values: prompt, negative_prompt, seed, width, height, frames, fps, duration, model,
image (the keyframe: image-to-video, or img2img), last_image, references (a list: one node
input per reference image; character_references and location_references: the images of that
role only, so the characters can feed an IP-Adapter or PuLID branch and the place another),
video and scale (upscale / interpolate workflows), video and audio (lip sync: a LatentSync or
MuseTalk workflow, see examples/comfyui/latentsync.json).

The wire protocol is ComfyUI's own: images are uploaded with `POST /upload/image`; the filled
workflow is queued with `POST /prompt` and a client id; progress arrives over the `/ws`
websocket (`progress`, `executing`, `execution_success`, `execution_error`); the result is
read from `/history/{prompt_id}` and downloaded from `/view`. Ctrl-C sends `/interrupt`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import websocket  # websocket-client: `pip install 'cinecode[comfyui]'`

from cinecode.backends.comfyui.workflow import (
    MAPPABLE,
    Workflow,
    describe_node_errors,
    fill,
    find_node,
    load_workflow,
    output_files,
    targets,
)
from cinecode.backends.frames import clip_length, write_frames
from cinecode.backends.hosted.base import ProviderJob, Ticket
from cinecode.backends.protocols import (
    BackendStatus,
    Generated,
    ImageRequest,
    InterpolateRequest,
    LipsyncRequest,
    ProgressFn,
    UpscaleRequest,
    VideoRequest,
)
from cinecode.errors import (
    BackendError,
    BadOutput,
    Cancelled,
    CinecodeError,
    Overloaded,
    ProviderDown,
)

NAME = "comfyui"
COLLECT_TRIES = 4  # a finished prompt's output is asked for this many times
VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".gif", ".webp")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")
#: A server that refused a connection is skipped for this long.
DOWN_SECONDS = 30.0


# --- HTTP --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except json.JSONDecodeError:
            return None


def _http(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    content_type: str = "application/json",
    timeout: float = 30.0,
) -> Reply:
    request = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read())
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ProviderDown(
            f"no answer from the ComfyUI server {_base(url)} ({reason})",
            backend=NAME,
            hint="start ComfyUI there (python main.py --listen) or fix `servers` in film.toml",
        ) from exc


def _base(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _multipart(
    fields: Mapping[str, str], file_field: str, name: str, data: bytes
) -> tuple[bytes, str]:
    boundary = f"cinecode{uuid.uuid4().hex}"
    out = bytearray()
    for key, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    out += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    out += data + f"\r\n--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


# --- the pool of servers -----------------------------------------------------------------------


class Pool:
    """Servers shared by every ComfyUI backend of a process: least busy first, down ones last."""

    _lock = threading.Lock()
    _busy: ClassVar[dict[str, int]] = {}
    _down_until: ClassVar[dict[str, float]] = {}

    @classmethod
    @contextmanager
    def lease(cls, servers: list[str], avoid: set[str]) -> Iterator[str]:
        """Hold the least busy server not in `avoid` (and not recently down) while in use."""
        with cls._lock:
            now = time.monotonic()
            candidates = [s for s in servers if s not in avoid]
            if not candidates:
                raise ProviderDown(
                    "every ComfyUI server of the pool failed",
                    backend=NAME,
                    hint="start the servers listed in `servers` (film.toml) and run make again",
                )
            server = min(
                candidates,
                key=lambda s: (
                    cls._down_until.get(s, 0.0) > now,
                    cls._busy.get(s, 0),
                    servers.index(s),
                ),
            )
            cls._busy[server] = cls._busy.get(server, 0) + 1
        try:
            yield server
        finally:
            with cls._lock:
                cls._busy[server] -= 1

    _uploads: ClassVar[dict[tuple[str, str], str]] = {}

    @classmethod
    def uploaded(cls, server: str, name: str) -> str | None:
        """The input name of a file already uploaded to `server` by this process."""
        with cls._lock:
            return cls._uploads.get((server, name))

    @classmethod
    def remember_upload(cls, server: str, name: str, stored: str) -> None:
        with cls._lock:
            cls._uploads[(server, name)] = stored

    @classmethod
    def mark_down(cls, server: str) -> None:
        with cls._lock:
            cls._down_until[server] = time.monotonic() + DOWN_SECONDS

    @classmethod
    def mark_up(cls, server: str) -> None:
        with cls._lock:
            cls._down_until.pop(server, None)


# --- the backend -------------------------------------------------------------------------------


class _Uncollected(ProviderDown):
    """A prompt that finished but whose output could not be fetched: never run again."""


@dataclass(frozen=True)
class _Ask:
    """One request as the workflow takes it: mapped values, files to upload, what to collect."""

    values: dict[str, Any]
    files: Mapping[str, Path | list[Path]]
    out: Path
    want: str  # "image" or "video"
    progress: ProgressFn | None
    meta: dict[str, Any]


class ComfyUIBackend:
    """Image, video, upscale and interpolation through the user's own ComfyUI workflows."""

    name = NAME

    def __init__(
        self,
        *,
        workflow: str = "",
        workflow_digest: str = "",
        inputs: Mapping[str, str | list[str]] | None = None,
        output: str = "",
        server: str = "",
        servers: list[str] | None = None,
        set: Mapping[str, Any] | None = None,  # film.toml's word: fixed node inputs
        model: str = "",
        negative_prompt: str = "",
        fps: float | None = None,
        frame_multiple: int = 1,
        frame_offset: int = 0,
        max_frames: int | None = None,
        timeout: float = 3600.0,
        retries: int = 1,
        history_wait: float = 60.0,
        poll_interval: float = 1.0,
        silence: float = 15.0,
    ) -> None:
        if not workflow:
            raise BackendError(
                "no workflow", backend=NAME, hint='add workflow = "path/to/workflow_api.json"'
            )
        self.workflow_path = Path(workflow)
        self.workflow_digest = workflow_digest
        self.mapping = dict(inputs or {})
        self.output = output
        urls = list(servers or []) or [server or "http://127.0.0.1:8188"]
        self.servers = [u.rstrip("/") if "://" in u else f"http://{u.rstrip('/')}" for u in urls]
        self.fixed = dict(set or {})
        self.model = model
        self.negative_prompt = negative_prompt
        self.fps = fps
        self.frame_multiple = frame_multiple
        self.frame_offset = frame_offset
        self.max_frames = max_frames
        self.timeout = timeout
        self.retries = max(0, retries)
        self.history_wait = history_wait
        self.poll_interval = poll_interval
        self.silence = silence
        self._workflow: tuple[tuple[int, int], Workflow] | None = None
        for key in self.mapping:
            if key not in MAPPABLE:
                raise BackendError(
                    f"inputs.{key}: cinecode does not fill {key!r}",
                    backend=NAME,
                    hint=f"map any of: {', '.join(MAPPABLE)}",
                )

    # --- status ---------------------------------------------------------------------------------

    def status(self) -> BackendStatus:
        """Ready when a server answers and has every node type and model file the workflow names."""
        try:
            workflow = json.loads(json.dumps(self._load()))
        except BackendError as exc:
            return BackendStatus("misconfigured", exc.message, exc.hint)
        reachable = []
        for server in self.servers:
            try:
                if _http("GET", f"{server}/system_stats", timeout=3.0).status == 200:
                    reachable.append(server)
            except ProviderDown:
                continue
        if not reachable:
            return BackendStatus(
                "unreachable",
                f"no ComfyUI server answers at {', '.join(self.servers)}",
                "start ComfyUI (python main.py --listen) or fix `servers` in film.toml",
            )
        try:
            return self._check_nodes(reachable[0], self._fixed(workflow), len(reachable))
        except (BackendError, ProviderDown) as exc:
            return BackendStatus("misconfigured", exc.message, exc.hint)

    def _fixed(self, prompt: Workflow) -> Workflow:
        """`prompt` with the `set` values of film.toml written in (in place)."""
        for ref, value in self.fixed.items():
            node_ref, _, name = ref.rpartition(".")
            prompt[find_node(prompt, node_ref)].setdefault("inputs", {})[name] = value
        return prompt

    def _check_nodes(self, server: str, workflow: Workflow, up: int) -> BackendStatus:
        info: dict[str, Any] = {}
        for class_type in sorted({node["class_type"] for node in workflow.values()}):
            reply = _http("GET", f"{server}/object_info/{urllib.parse.quote(class_type)}")
            data = reply.json() if reply.status == 200 else None
            if not isinstance(data, dict) or class_type not in data:
                return BackendStatus(
                    "misconfigured",
                    f"{server} has no node type {class_type}",
                    "install the custom node pack that provides it (ComfyUI Manager)",
                )
            info[class_type] = data[class_type]
        for node_id, node in workflow.items():
            spec = info[node["class_type"]].get("input", {})
            allowed = {**spec.get("required", {}), **spec.get("optional", {})}
            for name, value in node.get("inputs", {}).items():
                choices = allowed.get(name, [None])[0]
                if isinstance(choices, list) and isinstance(value, str) and value not in choices:
                    if name in ("image", "video") or name in self._mapped_inputs(node_id, workflow):
                        continue  # filled in by cinecode
                    return BackendStatus(
                        "missing model",
                        f"{value} is not on {server} (node {node_id} {node['class_type']}.{name})",
                        f"put {value} in ComfyUI's models folder, or change the workflow",
                    )
        return BackendStatus("ready", f"{up}/{len(self.servers)} server(s) up: {server}")

    def _mapped_inputs(self, node_id: str, workflow: Workflow) -> set[str]:
        names = set()
        for key, target in self.mapping.items():
            for ref in targets(target, key):
                node_ref, _, name = ref.rpartition(".")
                try:
                    if find_node(workflow, node_ref) == node_id:
                        names.add(name)
                except BackendError:
                    continue
        return names

    # --- the modalities -------------------------------------------------------------------------

    def generate(
        self,
        req: ImageRequest | VideoRequest,
        out: Path,
        progress: ProgressFn | None = None,
        ticket: Ticket | None = None,
    ) -> Generated:
        """A keyframe (ImageRequest) or a clip (VideoRequest) from the workflow. With a
        `ticket`, the prompt id is kept the moment it is queued, and a later call for the same
        job reattaches to that prompt instead of queueing it again."""
        values: dict[str, Any] = {
            "prompt": req.prompt,
            "negative_prompt": req.negative_prompt or self.negative_prompt,
            "seed": req.seed,
            "width": req.width,
            "height": req.height,
            "model": req.model or self.model or None,
        }
        files: dict[str, Path | list[Path]] = {"references": list(req.references)}
        for role in ("character", "location"):  # the images of one role, for its own nodes
            files[f"{role}_references"] = [
                path
                for path, (owner, _) in zip(req.references, req.reference_roles, strict=False)
                if owner == role
            ]
        want = "image"
        meta: dict[str, Any] = {}
        if isinstance(req, VideoRequest):
            fps, frames = clip_length(self, req)
            values.update(frames=frames, fps=fps, duration=frames / fps)
            if req.image is not None:
                files["image"] = req.image
            if req.last_image is not None:
                files["last_image"] = req.last_image
            want = "video"
            meta.update(fps=fps, frames=frames, kind="video")
        elif req.init_image is not None:
            files["image"] = req.init_image
        return self._run(_Ask(values, files, out, want, progress, meta), ticket)

    def upscale(
        self, req: UpscaleRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """An image or a clip through an upscale workflow (`video`/`image` and `scale` mapped)."""
        kind = "video" if req.source.suffix.lower() in VIDEO_SUFFIXES else "image"
        values = {"scale": req.scale, "width": req.width, "height": req.height}
        return self._run(_Ask(values, {kind: req.source}, out, kind, progress, {}))

    def interpolate(
        self, req: InterpolateRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """A clip through an interpolation workflow (RIFE, FILM…): `video` and `fps` mapped."""
        values = {"fps": req.fps, "scale": req.factor}
        return self._run(_Ask(values, {"video": req.source}, out, "video", progress, {}))

    def lipsync(
        self,
        req: LipsyncRequest,
        out: Path,
        progress: ProgressFn | None = None,
        ticket: Ticket | None = None,
    ) -> Generated:
        """A clip and its voice through a lip-sync workflow: `video` and `audio` mapped."""
        files: dict[str, Path | list[Path]] = {"video": req.video, "audio": req.audio}
        ask = _Ask({}, files, out, "video", progress, {"kind": "video"})
        return self._run(ask, ticket)

    # --- one prompt on one server ---------------------------------------------------------------

    def _load(self) -> Workflow:
        """The workflow, read and checked once (again only when the file changes)."""
        try:
            st = self.workflow_path.stat()
            stamp = (st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = (-1, -1)
        if self._workflow is None or self._workflow[0] != stamp:
            self._workflow = (stamp, load_workflow(self.workflow_path, digest=self.workflow_digest))
        return self._workflow[1]

    def _run(self, ask: _Ask, ticket: Ticket | None = None) -> Generated:
        workflow = self._load()
        # 0. a prompt this job queued before (a build killed while it ran): reattach to it
        if ticket is not None:
            found = ticket.recall()
            if found is not None:
                try:
                    done = self._reattach(found, len(workflow), ask)
                except BackendError:  # it failed, was interrupted, or its output is gone
                    done = None  # never reattached to again: queued anew below
                if done is not None:
                    ticket.done()
                    return done
                ticket.forget()
        # 1. on the least busy server; a lost server or an out-of-memory run is tried again
        avoid: set[str] = set()
        attempts = self.retries + 1
        while True:
            with Pool.lease(self.servers, avoid) as server:
                try:
                    result = self._run_on(server, workflow, ask, ticket)
                except _Uncollected:
                    raise  # finished: the ticket stays, the next make collects it
                except ProviderDown:
                    Pool.mark_down(server)
                    avoid.add(server)
                    attempts -= 1
                    if attempts <= 0 or len(avoid) >= len(self.servers):
                        raise
                    continue
                except Overloaded:
                    if ticket is not None:
                        ticket.forget()
                    attempts -= 1
                    if attempts <= 0:
                        raise
                    if len(avoid) + 1 < len(self.servers):
                        avoid.add(server)  # another server of the pool, when there is one
                    continue
                except BackendError:
                    if ticket is not None:
                        ticket.forget()  # a failed prompt is never reattached to
                    raise
            if ticket is not None:
                ticket.done()
            return result

    def _run_on(
        self, server: str, workflow: Workflow, ask: _Ask, ticket: Ticket | None
    ) -> Generated:
        # 1. upload the keyframe, the references or the clip (once per server)
        filled = dict(ask.values)
        for key, value in ask.files.items():
            if key not in self.mapping:
                continue
            if isinstance(value, list):
                filled[key] = [self._upload(server, path) for path in value]
            else:
                filled[key] = self._upload(server, value)
        # 2. fill the workflow
        prompt = self._fixed(fill(workflow, self.mapping, filled))
        # 3. queue it, listening before queueing so no message is missed; the prompt id is
        #    kept before waiting, so a killed build reattaches instead of paying twice
        client_id = uuid.uuid4().hex  # one per prompt: ComfyUI keeps one socket per client id
        ws = self._connect(server, client_id)
        # our own prompt id (ComfyUI takes one), kept before queueing: a build killed while
        # the answer was on its way still finds its prompt
        prompt_id = str(uuid.uuid4())
        where = {"server": server, "client_id": client_id}
        if ticket is not None:
            ticket.remember(ProviderJob(prompt_id, where))
        try:
            queued = self._queue(server, prompt, client_id, prompt_id)
        except BaseException:
            ws.close()
            raise
        if queued != prompt_id:  # a ComfyUI that chooses its own ids
            prompt_id = queued
            if ticket is not None:
                ticket.remember(ProviderJob(prompt_id, where))
        self._wait(server, ws, prompt_id, client_id, len(prompt), ask.progress)
        # 4. collect the output: the prompt finished, so a server that does not answer now is
        #    asked again, and the prompt is never run once more for it (the next make reattaches)
        attempt = 0
        while True:
            try:
                return self._result(server, prompt_id, ask)
            except ProviderDown as exc:
                attempt += 1
                if attempt == COLLECT_TRIES:
                    raise _Uncollected(
                        f"the prompt {prompt_id} finished on {server}, but its output could "
                        f"not be fetched ({exc.message})",
                        backend=NAME,
                        hint="run make again when the server answers: it is collected, not run "
                        "again",
                    ) from exc
                time.sleep(min(5.0, 0.5 * 2 ** (attempt - 1)))

    def _result(self, server: str, prompt_id: str, ask: _Ask) -> Generated:
        values = ask.values
        node = find_node(self._load(), self.output) if self.output else ""
        path = self._collect(
            server, prompt_id, node, ask.out, want=ask.want, fps=float(values.get("fps") or 24)
        )
        Pool.mark_up(server)
        return Generated(
            path,
            model=str(values.get("model") or self.model or self.workflow_path.stem),
            meta={
                **ask.meta,
                "server": server,
                "prompt_id": prompt_id,
                "workflow": self.workflow_path.name,
            },
        )

    def _reattach(self, found: ProviderJob, nodes: int, ask: _Ask) -> Generated | None:
        """Follow a prompt queued by an earlier run to its end; None when no server has it."""
        server = str(found.data.get("server", ""))
        client_id = str(found.data.get("client_id", "")) or uuid.uuid4().hex
        if server not in self.servers:
            return None
        try:
            state = self._state(server, found.id)
        except ProviderDown:
            return None  # the server is gone, and its prompt with it: queue anew
        if state in ("gone", "error"):
            return None  # forgotten by a restart, or failed (an interrupted build): anew
        if state in ("running", "pending"):
            ws = self._reconnect(server, client_id)
            self._wait(server, ws, found.id, client_id, nodes, ask.progress)
        return self._result(server, found.id, replace(ask, meta={**ask.meta, "reattached": True}))

    def _upload(self, server: str, path: Path) -> str:
        """The name of `path` in the server's input folder, uploaded the first time only."""
        digest = _digest(path)
        name = f"cinecode-{digest[:16]}{path.suffix.lower()}"
        known = Pool.uploaded(server, name)
        if known is not None:
            return known
        data = path.read_bytes()
        body, content_type = _multipart({"type": "input", "overwrite": "true"}, "image", name, data)
        reply = _http("POST", f"{server}/upload/image", body=body, content_type=content_type)
        answer = reply.json()
        if reply.status != 200 or not isinstance(answer, dict) or "name" not in answer:
            raise BackendError(
                f"{server} refused the upload of {path.name} (HTTP {reply.status})",
                backend=NAME,
                hint="check ComfyUI's input folder is writable and its --max-upload-size",
            )
        sub = answer.get("subfolder") or ""
        stored = f"{sub}/{answer['name']}" if sub else str(answer["name"])
        Pool.remember_upload(server, name, stored)
        return stored

    def _connect(self, server: str, client_id: str) -> websocket.WebSocket:
        url = server.replace("http", "ws", 1) + f"/ws?clientId={client_id}"
        ws = websocket.WebSocket()
        try:
            ws.connect(url, timeout=10.0)  # type: ignore[no-untyped-call]
        except (OSError, websocket.WebSocketException) as exc:
            raise ProviderDown(
                f"cannot open ComfyUI's websocket at {url} ({exc})",
                backend=NAME,
                hint="start ComfyUI there or fix `servers` in film.toml",
            ) from exc
        ws.settimeout(0.5)
        return ws

    def _reconnect(self, server: str, client_id: str) -> websocket.WebSocket | None:
        """The websocket again, with the same client id (ComfyUI sends the prompt's messages
        to it); None when it cannot be opened now (progress is then read by polling)."""
        try:
            return self._connect(server, client_id)
        except ProviderDown:
            return None

    def _queue(self, server: str, prompt: Workflow, client_id: str, prompt_id: str) -> str:
        ask = {"prompt": prompt, "client_id": client_id, "prompt_id": prompt_id}
        body = json.dumps(ask).encode()
        reply = _http("POST", f"{server}/prompt", body=body)
        answer = reply.json()
        if reply.status == 400 and isinstance(answer, dict):
            raise BackendError(
                f"ComfyUI refused the workflow {self.workflow_path.name}:\n    "
                + describe_node_errors(answer, prompt),
                backend=NAME,
                hint="fix the workflow (or its models) in ComfyUI, or the `inputs` mapping in "
                "film.toml, then run make again",
            )
        if reply.status != 200 or not isinstance(answer, dict) or "prompt_id" not in answer:
            raise ProviderDown(
                f"{server} answered HTTP {reply.status} to POST /prompt",
                backend=NAME,
                hint="see ComfyUI's console for the reason",
            )
        return str(answer["prompt_id"])

    def _wait(
        self,
        server: str,
        ws: websocket.WebSocket | None,
        prompt_id: str,
        client_id: str,
        nodes: int,
        progress: ProgressFn | None,
    ) -> None:
        """Follow the prompt until it finished or failed: over the websocket while it is open;
        when it drops (a proxy's idle timeout), by polling `/history` and `/queue` and
        reconnecting. Only a server that stops answering HTTP is lost (ProviderDown). A
        cancelled build (or Ctrl-C) interrupts the prompt."""
        deadline = time.monotonic() + self.timeout
        executed: set[str] = set()
        step = 0.0
        polled = 0.0
        heard = time.monotonic()  # the socket's last message
        gone_since: float | None = None
        try:
            while True:
                if progress is not None:
                    progress(min(0.99, (len(executed) + step) / max(1, nodes)))
                now = time.monotonic()
                if now > deadline:
                    self._interrupt(server, prompt_id)
                    raise BackendError(
                        f"the prompt did not finish within {self.timeout:.0f} s on {server}",
                        backend=NAME,
                        hint="raise `timeout` in film.toml, or look at ComfyUI's console",
                    )
                if ws is None:  # the socket dropped: poll, and try the socket again
                    if now - polled < self.poll_interval:
                        time.sleep(min(0.1, self.poll_interval))
                        continue
                    polled = now
                    state = self._state(server, prompt_id)  # ProviderDown: the server is lost
                    if state in ("done", "error"):
                        return  # _collect reads the outputs, or the error
                    if state == "gone":
                        gone_since = gone_since or now
                        if now - gone_since > self.history_wait:
                            raise ProviderDown(
                                f"{server} no longer knows the prompt {prompt_id}",
                                backend=NAME,
                                hint="ComfyUI was restarted: run make again",
                            )
                    else:
                        gone_since = None
                    ws, heard = self._reconnect(server, client_id), time.monotonic()
                    continue
                try:
                    message = ws.recv()
                except websocket.WebSocketTimeoutException:
                    if time.monotonic() - heard > self.silence:  # ask the server itself
                        ws.close()
                        ws, polled = None, 0.0
                    continue
                except (OSError, websocket.WebSocketException):
                    ws.close()
                    ws, polled = None, 0.0
                    continue
                heard = time.monotonic()
                if not isinstance(message, str) or not message:
                    continue  # binary previews, or a close frame
                try:
                    event = json.loads(message)
                except ValueError:
                    continue  # not ComfyUI's JSON (a custom node's broadcast)
                data = event.get("data") if isinstance(event, dict) else None
                if not isinstance(data, dict):
                    continue
                kind = event.get("type")
                if data.get("prompt_id") not in (None, prompt_id):
                    continue
                if kind == "progress":
                    step = float(data.get("value", 0)) / max(1.0, float(data.get("max", 1)))
                elif kind == "executing":
                    if data.get("node") is None and data.get("prompt_id") == prompt_id:
                        return
                    executed.add(str(data.get("node")))
                    step = 0.0
                elif kind == "execution_cached":
                    executed.update(str(n) for n in data.get("nodes", []))
                elif kind == "execution_success":
                    return
                elif kind == "execution_error":
                    raise _execution_error(data)
                elif kind == "execution_interrupted":
                    raise BackendError(
                        f"the prompt was interrupted on {server} (node {data.get('node_id')})",
                        backend=NAME,
                        hint="someone pressed Cancel in ComfyUI: run make again",
                    )
        except BaseException as exc:
            if isinstance(exc, Cancelled) or not isinstance(exc, CinecodeError):
                self._interrupt(server, prompt_id)  # Ctrl-C, a cancelled build
            raise
        finally:
            if ws is not None:
                ws.close()

    def _state(self, server: str, prompt_id: str) -> str:
        """Where the prompt is: "done", "error" (in the history), "running", "pending" (in the
        queue) or "gone"; ProviderDown when the server does not answer."""
        reply = _http("GET", f"{server}/history/{prompt_id}", timeout=10.0)
        entry = (reply.json() or {}).get(prompt_id) if reply.status == 200 else None
        if isinstance(entry, dict):
            status = entry.get("status") or {}
            if status.get("status_str") == "error":
                return "error"
            if entry.get("outputs") or status.get("completed"):
                return "done"
        reply = _http("GET", f"{server}/queue", timeout=10.0)
        queue = reply.json() if reply.status == 200 else None
        if isinstance(queue, dict):
            for state, items in (("running", "queue_running"), ("pending", "queue_pending")):
                for item in queue.get(items) or []:
                    if isinstance(item, list) and len(item) > 1 and item[1] == prompt_id:
                        return state
        return "gone"

    def _interrupt(self, server: str, prompt_id: str) -> None:
        """Stop the prompt: interrupt it if it runs, take it off the queue if it waits."""
        body = json.dumps({"prompt_id": prompt_id}).encode()
        for path, payload in (
            ("/interrupt", body),
            ("/queue", json.dumps({"delete": [prompt_id]}).encode()),
        ):
            try:
                _http("POST", f"{server}{path}", body=payload, timeout=5.0)
            except ProviderDown:
                return

    def _collect(
        self, server: str, prompt_id: str, node: str, out: Path, *, want: str, fps: float
    ) -> Path:
        # ComfyUI writes the history just after the prompt's last message (later still when
        # it unloads models): ask again for a while before calling it lost
        deadline = time.monotonic() + self.history_wait
        while True:
            reply = _http("GET", f"{server}/history/{prompt_id}")
            entry = (reply.json() or {}).get(prompt_id) if reply.status == 200 else None
            status = (entry.get("status") or {}) if isinstance(entry, dict) else {}
            if entry and (
                entry.get("outputs") or status.get("completed") or status.get("status_str")
            ):
                break
            if time.monotonic() > deadline:
                raise BadOutput(
                    f"{server} has no history for prompt {prompt_id} "
                    f"after {self.history_wait:.0f} s",
                    backend=NAME,
                    hint="ComfyUI may have been restarted: run make again (or raise "
                    "`history_wait` in film.toml)",
                )
            time.sleep(min(0.25, self.poll_interval))
        if status.get("status_str") == "error":
            raise _history_error(server, status)
        files = output_files(entry.get("outputs") or {}, node)
        if not files:
            raise BadOutput(
                f"the workflow wrote no file{f' at node {self.output}' if self.output else ''}",
                backend=NAME,
                hint="end the workflow with a Save Image / Save Video node and name it in `output`",
            )
        videos = [f for f in files if Path(f["filename"]).suffix.lower() in VIDEO_SUFFIXES]
        images = [f for f in files if Path(f["filename"]).suffix.lower() in IMAGE_SUFFIXES]
        if want == "video" and videos:
            return self._download(server, videos[0], out)
        if want == "video" and len(images) > 1:  # a frame sequence: encode it
            from PIL import Image

            paths = [self._download(server, item, out, index=i) for i, item in enumerate(images)]
            frames = [Image.open(p) for p in paths]
            return write_frames(frames, out / "clip.mp4", fps=fps)
        if not images:
            raise BadOutput(
                f"the workflow made {files[0]['filename']} where an image was expected",
                backend=NAME,
                hint="end the workflow with a Save Image node (and name it in `output`)",
            )
        return self._download(server, images[0], out)

    def _download(self, server: str, item: Mapping[str, str], out: Path, index: int = 0) -> Path:
        query = urllib.parse.urlencode(
            {
                "filename": item["filename"],
                "subfolder": item.get("subfolder", ""),
                "type": item.get("type", "output"),
            }
        )
        reply = _http("GET", f"{server}/view?{query}", timeout=300.0)
        if reply.status >= 500:  # the server's trouble, not the file's: asked again
            raise ProviderDown(
                f"{server} answered HTTP {reply.status} for {item['filename']}",
                backend=NAME,
                hint="see ComfyUI's console",
            )
        if reply.status != 200 or not reply.body:
            raise BadOutput(
                f"{server} could not send {item['filename']} (HTTP {reply.status})",
                backend=NAME,
                hint="check ComfyUI's output folder",
            )
        suffix = Path(item["filename"]).suffix.lower() or ".bin"
        path = out / f"comfyui-{index:05d}{suffix}"
        path.write_bytes(reply.body)
        return path

    def close(self) -> None:
        """Nothing is held between prompts (each opens its own websocket)."""


def _execution_error(data: Mapping[str, Any]) -> BackendError:
    """The error of an `execution_error` message; an out-of-memory run is `Overloaded` (it is
    tried again, on another server of the pool when there is one)."""
    kind = str(data.get("exception_type", "error"))
    message = str(data.get("exception_message", "")).strip()
    text = f"node {data.get('node_id')} ({data.get('node_type')}) failed: {kind}: {message}"
    if "OutOfMemory" in kind or "out of memory" in message.lower():
        return Overloaded(
            text,
            backend=NAME,
            hint="the GPU ran out of memory: lower the size or length, or free the GPU "
            "(`retries` in film.toml tries again)",
        )
    return BackendError(
        text,
        backend=NAME,
        hint="fix the workflow or its inputs in ComfyUI; its console has the traceback",
    )


def _history_error(server: str, status: Mapping[str, Any]) -> BackendError:
    for kind, data in status.get("messages", []) or []:
        if kind == "execution_error" and isinstance(data, dict):
            return _execution_error(data)
    return BackendError(
        f"the prompt failed on {server}: see ComfyUI's console",
        backend=NAME,
        hint="fix the workflow in ComfyUI; its console has the traceback",
    )


_DIGESTS: dict[tuple[str, int, int], str] = {}


def _digest(path: Path) -> str:
    """sha256 of a file, computed once per (path, size, mtime)."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _DIGESTS[key]


__all__ = ["ComfyUIBackend", "fill", "find_node", "load_workflow", "output_files"]
