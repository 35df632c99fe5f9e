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
input per reference image), video and scale (upscale / interpolate workflows).

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
from dataclasses import dataclass
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
from cinecode.backends.protocols import (
    BackendStatus,
    Generated,
    ImageRequest,
    InterpolateRequest,
    ProgressFn,
    UpscaleRequest,
    VideoRequest,
)
from cinecode.errors import BackendError, BadOutput, Cancelled, CinecodeError, ProviderDown

NAME = "comfyui"
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

    @classmethod
    def mark_down(cls, server: str) -> None:
        with cls._lock:
            cls._down_until[server] = time.monotonic() + DOWN_SECONDS

    @classmethod
    def mark_up(cls, server: str) -> None:
        with cls._lock:
            cls._down_until.pop(server, None)


# --- the backend -------------------------------------------------------------------------------


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
            workflow = load_workflow(self.workflow_path, digest=self.workflow_digest)
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
    ) -> Generated:
        """A keyframe (ImageRequest) or a clip (VideoRequest) from the workflow."""
        values: dict[str, Any] = {
            "prompt": req.prompt,
            "negative_prompt": req.negative_prompt or self.negative_prompt,
            "seed": req.seed,
            "width": req.width,
            "height": req.height,
            "model": req.model or self.model or None,
        }
        files: dict[str, Path | list[Path]] = {"references": list(req.references)}
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
        return self._run(values, files, out, want=want, progress=progress, meta=meta)

    def upscale(
        self, req: UpscaleRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """An image or a clip through an upscale workflow (`video`/`image` and `scale` mapped)."""
        kind = "video" if req.source.suffix.lower() in VIDEO_SUFFIXES else "image"
        values = {"scale": req.scale, "width": req.width, "height": req.height}
        return self._run(values, {kind: req.source}, out, want=kind, progress=progress, meta={})

    def interpolate(
        self, req: InterpolateRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """A clip through an interpolation workflow (RIFE, FILM…): `video` and `fps` mapped."""
        values = {"fps": req.fps, "scale": req.factor}
        return self._run(
            values, {"video": req.source}, out, want="video", progress=progress, meta={}
        )

    # --- one prompt on one server ---------------------------------------------------------------

    def _run(
        self,
        values: dict[str, Any],
        files: Mapping[str, Path | list[Path]],
        out: Path,
        *,
        want: str,
        progress: ProgressFn | None,
        meta: dict[str, Any],
    ) -> Generated:
        workflow = load_workflow(self.workflow_path, digest=self.workflow_digest)
        failed: set[str] = set()
        attempts = self.retries + 1
        while True:
            with Pool.lease(self.servers, failed) as server:
                try:
                    return self._run_on(
                        server,
                        workflow,
                        values,
                        files,
                        out,
                        want=want,
                        progress=progress,
                        meta=meta,
                    )
                except ProviderDown:
                    Pool.mark_down(server)
                    failed.add(server)
                    attempts -= 1
                    if attempts <= 0 or len(failed) >= len(self.servers):
                        raise

    def _run_on(
        self,
        server: str,
        workflow: Workflow,
        values: dict[str, Any],
        files: Mapping[str, Path | list[Path]],
        out: Path,
        *,
        want: str,
        progress: ProgressFn | None,
        meta: dict[str, Any],
    ) -> Generated:
        # 1. upload the keyframe, the references or the clip
        filled = dict(values)
        for key, value in files.items():
            if key not in self.mapping:
                continue
            if isinstance(value, list):
                filled[key] = [self._upload(server, path) for path in value]
            else:
                filled[key] = self._upload(server, value)
        # 2. fill the workflow
        prompt = self._fixed(fill(workflow, self.mapping, filled))
        # 3. queue it, listening before queueing so no message is missed
        client_id = uuid.uuid4().hex  # one per prompt: ComfyUI keeps one socket per client id
        ws = self._connect(server, client_id)
        try:
            prompt_id = self._queue(server, prompt, client_id)
            try:
                self._wait(server, ws, prompt_id, len(prompt), progress)
            except BaseException as exc:
                if isinstance(exc, Cancelled) or not isinstance(exc, CinecodeError):
                    self._interrupt(server, prompt_id)  # Ctrl-C, a cancelled build
                raise
        finally:
            ws.close()
        # 4. collect the output
        node = find_node(prompt, self.output) if self.output else ""
        path = self._collect(
            server, prompt_id, node, out, want=want, fps=float(values.get("fps") or 24)
        )
        Pool.mark_up(server)
        return Generated(
            path,
            model=str(values.get("model") or self.model or self.workflow_path.stem),
            meta={
                **meta,
                "server": server,
                "prompt_id": prompt_id,
                "workflow": self.workflow_path.name,
            },
        )

    def _upload(self, server: str, path: Path) -> str:
        data = path.read_bytes()
        name = f"cinecode-{hashlib.sha256(data).hexdigest()[:16]}{path.suffix.lower()}"
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
        return f"{sub}/{answer['name']}" if sub else str(answer["name"])

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

    def _queue(self, server: str, prompt: Workflow, client_id: str) -> str:
        body = json.dumps({"prompt": prompt, "client_id": client_id}).encode()
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
        ws: websocket.WebSocket,
        prompt_id: str,
        nodes: int,
        progress: ProgressFn | None,
    ) -> None:
        """Follow the prompt over the websocket until it finished, failed or the server left."""
        deadline = time.monotonic() + self.timeout
        executed: set[str] = set()
        step = 0.0
        while True:
            if progress is not None:
                progress(min(0.99, (len(executed) + step) / max(1, nodes)))
            if time.monotonic() > deadline:
                self._interrupt(server, prompt_id)
                raise BackendError(
                    f"the prompt did not finish within {self.timeout:.0f} s on {server}",
                    backend=NAME,
                    hint="raise `timeout` in film.toml, or look at ComfyUI's console",
                )
            try:
                message = ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except (OSError, websocket.WebSocketException) as exc:
                if self._finished(server, prompt_id):
                    return
                raise ProviderDown(
                    f"lost the ComfyUI server {server} while it ran the prompt ({exc})",
                    backend=NAME,
                    hint="restart ComfyUI and run make again (finished work is kept)",
                ) from exc
            if not isinstance(message, str) or not message:
                continue  # binary previews, or a close frame
            event = json.loads(message)
            kind, data = event.get("type"), event.get("data") or {}
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
                raise BackendError(
                    f"node {data.get('node_id')} ({data.get('node_type')}) failed: "
                    f"{data.get('exception_type', 'error')}: "
                    f"{str(data.get('exception_message', '')).strip()}",
                    backend=NAME,
                    hint="fix the workflow or its inputs in ComfyUI; its console has the traceback",
                )
            elif kind == "execution_interrupted":
                raise BackendError(
                    f"the prompt was interrupted on {server} (node {data.get('node_id')})",
                    backend=NAME,
                    hint="someone pressed Cancel in ComfyUI: run make again",
                )

    def _finished(self, server: str, prompt_id: str) -> bool:
        try:
            reply = _http("GET", f"{server}/history/{prompt_id}", timeout=5.0)
        except ProviderDown:
            return False
        entry = (reply.json() or {}).get(prompt_id) if reply.status == 200 else None
        return bool(entry and entry.get("status", {}).get("completed"))

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
        reply = _http("GET", f"{server}/history/{prompt_id}")
        entry = (reply.json() or {}).get(prompt_id) if reply.status == 200 else None
        if not entry:
            raise BadOutput(
                f"{server} has no history for prompt {prompt_id}",
                backend=NAME,
                hint="ComfyUI may have been restarted: run make again",
            )
        status = entry.get("status") or {}
        if status.get("status_str") == "error":
            raise BackendError(
                f"the prompt failed on {server}: {_history_error(status)}",
                backend=NAME,
                hint="fix the workflow in ComfyUI; its console has the traceback",
            )
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


def _history_error(status: Mapping[str, Any]) -> str:
    for kind, data in status.get("messages", []) or []:
        if kind == "execution_error" and isinstance(data, dict):
            node = f"node {data.get('node_id')} ({data.get('node_type')})"
            return f"{node}: {data.get('exception_message')}"
    return "see ComfyUI's console"


__all__ = ["ComfyUIBackend", "fill", "find_node", "load_workflow", "output_files"]
