"""A ComfyUI server on 127.0.0.1 speaking ComfyUI's REST + websocket protocol (aiohttp, as
ComfyUI itself), with a toy executor: it validates prompts against its `object_info` the way
ComfyUI does, streams `execution_start` / `executing` / `progress` / `executed` /
`execution_success` (or `execution_error`) to the prompt's client id, and writes a PNG (for
SaveImage) or an MP4 (for SaveVideo) that depends on the prompt, the seed and the uploaded
keyframe. Scenario switches: `fail_node` (execution_error), `die` (server lost mid-job),
`hold` (runs until /interrupt), `history_delay` (the history is written that many seconds
after `execution_success`, as ComfyUI does when it unloads models), `drop_ws_after` (each
websocket is closed after that many messages, as an idle proxy does), `mute_after` (each
websocket stays open but carries nothing after that many messages: half-open), `oom_every`
(every Nth prompt runs out of GPU memory), `pause` (a prompt runs until `release` is set: a
build can be killed while it runs). `GET /queue` lists the running and pending prompts.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
import uuid
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from PIL import Image, ImageDraw

MODELS = {
    "ckpt_name": ["sd_xl_base_1.0.safetensors", "tiny.safetensors"],
    "unet_name": ["wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors"],
    "vae_name": ["wan_2.1_vae.safetensors"],
    "clip_name": ["umt5_xxl_fp8_e4m3fn_scaled.safetensors", "clip_vision_h.safetensors"],
}
NODES: dict[str, dict[str, Any]] = {
    "KSampler": {"seed": ["INT", {}], "steps": ["INT", {}], "cfg": ["FLOAT", {}]},
    "CheckpointLoaderSimple": {"ckpt_name": [MODELS["ckpt_name"]]},
    "EmptyLatentImage": {"width": ["INT", {}], "height": ["INT", {}]},
    "CLIPTextEncode": {"text": ["STRING", {}]},
    "VAEDecode": {},
    "SaveImage": {"filename_prefix": ["STRING", {}]},
    "UNETLoader": {"unet_name": [MODELS["unet_name"]]},
    "CLIPLoader": {"clip_name": [MODELS["clip_name"]]},
    "VAELoader": {"vae_name": [MODELS["vae_name"]]},
    "CLIPVisionLoader": {"clip_name": [MODELS["clip_name"]]},
    "LoadImage": {"image": [[]]},
    "CLIPVisionEncode": {},
    "WanImageToVideo": {"width": ["INT", {}], "height": ["INT", {}], "length": ["INT", {}]},
    "ModelSamplingSD3": {},
    "CreateVideo": {"fps": ["FLOAT", {}]},
    "SaveVideo": {"filename_prefix": ["STRING", {}]},
    # ComfyUI_IPAdapter_plus (custom nodes), as the references example uses them
    "IPAdapterUnifiedLoader": {
        "preset": [["STANDARD (medium strength)", "PLUS (high strength)", "PLUS FACE (portraits)"]]
    },
    "IPAdapterAdvanced": {
        "weight": ["FLOAT", {}],
        "weight_type": [["linear", "ease in", "ease out", "style transfer", "composition"]],
        "combine_embeds": [["concat", "add", "subtract", "average", "norm average"]],
        "start_at": ["FLOAT", {}],
        "end_at": ["FLOAT", {}],
        "embeds_scaling": [["V only", "K+V", "K+V w/ C penalty", "K+mean(V) w/ C penalty"]],
    },
    # lip sync (ComfyUI-LatentSyncWrapper, VideoHelperSuite, ComfyUI's LoadAudio)
    "VHS_LoadVideo": {"video": [[]], "force_rate": ["FLOAT", {}]},
    "LoadAudio": {"audio": [[]]},
    "LatentSyncNode": {"seed": ["INT", {}], "inference_steps": ["INT", {}]},
    "VHS_VideoCombine": {"frame_rate": ["FLOAT", {}], "filename_prefix": ["STRING", {}]},
}
OUTPUT_NODES = ("SaveImage", "SaveVideo", "VHS_VideoCombine")
#: inputs that name a file of the server's input folder (their choices are its files)
FILE_INPUTS = {("LoadImage", "image"), ("VHS_LoadVideo", "video"), ("LoadAudio", "audio")}
#: the colour of every clip the toy LatentSync returns (so a test sees it in the cut)
SYNCED = (220, 30, 200)

#: The workflows shipped in examples/comfyui/ and how cinecode's values map onto them.
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "comfyui"
T2I = EXAMPLES / "text-to-image.json"
I2V = EXAMPLES / "image-to-video.json"
T2I_REFS = EXAMPLES / "text-to-image-references.json"
LATENTSYNC = EXAMPLES / "latentsync.json"
LATENTSYNC_INPUTS = {"video": "Clip.video", "audio": "Voice.audio"}
T2I_INPUTS = {
    "prompt": "Positive.text",
    "negative_prompt": "Negative.text",
    "seed": "3.seed",
    "width": "5.width",
    "height": "5.height",
}
I2V_INPUTS = {
    "prompt": "7.text",
    "negative_prompt": "8.text",
    "seed": "11.seed",
    "width": "9.width",
    "height": "9.height",
    "frames": "9.length",
    "fps": "13.fps",
    "image": "Keyframe.image",
}
T2I_REFS_INPUTS: dict[str, str | list[str]] = {
    **T2I_INPUTS,
    "character_references": ["Character reference.image"],
    "location_references": ["Location reference.image"],
}


class FakeComfyUI:
    """Start with `start()` (returns the base URL), stop with `stop()`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "input").mkdir(parents=True, exist_ok=True)
        (folder / "output").mkdir(parents=True, exist_ok=True)
        self.prompts: list[dict[str, Any]] = []  # what POST /prompt received
        self.client_ids: list[str] = []
        self.ws_clients: list[str] = []
        self.interrupts = 0
        self.history: dict[str, Any] = {}
        self.fail_node = ""  # raise execution_error at this node
        self.die = False  # vanish after the first progress message
        self.hold = False  # run until /interrupt
        self.history_delay = 0.0  # seconds between execution_success and the history entry
        self.drop_ws_after = 0  # close each websocket after this many messages (0: never)
        self.mute_after = 0  # send nothing more on a websocket after this many (half-open)
        self.lose_reply = False  # the next POST /prompt is queued, its answer lost
        self.view_errors = 0  # answer this many GET /view with HTTP 500
        self.oom_every = 0  # every Nth prompt fails with torch.OutOfMemoryError (0: never)
        self.pause = False  # a prompt waits for `release` before it finishes
        self.release = threading.Event()
        self.uploads: list[str] = []  # names POST /upload/image received
        self.voices: list[bytes] = []  # the PCM of each voice a lip-sync prompt loaded
        self.running: list[str] = []  # prompt ids executing now
        self._sent: dict[int, int] = {}  # messages sent per websocket
        self.started = threading.Event()  # a prompt began executing
        self._interrupted = asyncio.Event()
        self._sockets: dict[str, web.WebSocketResponse] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> str:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self.url

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        self._interrupted = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/ws", self._ws)
        app.router.add_post("/prompt", self._prompt)
        app.router.add_post("/upload/image", self._upload)
        app.router.add_get("/history/{prompt_id}", self._history)
        app.router.add_get("/view", self._view)
        app.router.add_post("/interrupt", self._interrupt)
        app.router.add_post("/queue", self._queue)
        app.router.add_get("/queue", self._queue_list)
        app.router.add_get("/system_stats", self._stats)
        app.router.add_get("/object_info/{node_class}", self._object_info)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def _shutdown(self) -> None:
        for ws in list(self._sockets.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- REST ----------------------------------------------------------------------------------

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response({"system": {"comfyui_version": "fake"}, "devices": []})

    async def _object_info(self, request: web.Request) -> web.Response:
        name = request.match_info["node_class"]
        if name not in NODES:
            return web.json_response({})
        required = dict(NODES[name])
        for node, field in FILE_INPUTS:
            if name == node:
                required[field] = [sorted(p.name for p in (self.folder / "input").iterdir())]
        return web.json_response(
            {name: {"input": {"required": required}, "output_node": name in OUTPUT_NODES}}
        )

    async def _upload(self, request: web.Request) -> web.Response:
        post = await request.post()
        image = post.get("image")
        if not isinstance(image, web.FileField):
            return web.Response(status=400)
        (self.folder / "input" / image.filename).write_bytes(image.file.read())
        self.uploads.append(image.filename)
        return web.json_response({"name": image.filename, "subfolder": "", "type": "input"})

    async def _prompt(self, request: web.Request) -> web.Response:
        data = await request.json()
        prompt = data.get("prompt")
        if not isinstance(prompt, dict):
            return web.json_response({"error": "no prompt", "node_errors": []}, status=400)
        node_errors = self._validate(prompt)
        if node_errors:
            error = {
                "type": "prompt_outputs_failed_validation",
                "message": "Prompt outputs failed validation",
                "details": "",
                "extra_info": {},
            }
            return web.json_response({"error": error, "node_errors": node_errors}, status=400)
        prompt_id = str(data.get("prompt_id") or uuid.uuid4())  # as ComfyUI: the client's id
        if self.lose_reply:  # queued, but the answer never reaches the client
            self.lose_reply = False
            self.prompts.append(prompt)
            task = asyncio.ensure_future(
                self._execute(prompt_id, prompt, str(data.get("client_id", "")))
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            raise ConnectionResetError("the reply is lost")
        self.prompts.append(prompt)
        self.client_ids.append(str(data.get("client_id", "")))
        task = asyncio.ensure_future(
            self._execute(prompt_id, prompt, str(data.get("client_id", "")))
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.json_response({"prompt_id": prompt_id, "number": 0, "node_errors": {}})

    def _validate(self, prompt: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        inputs_dir = {p.name for p in (self.folder / "input").iterdir()}
        for node_id, node in prompt.items():
            spec = NODES.get(node["class_type"])
            if spec is None:
                errors[node_id] = {
                    "errors": [
                        {
                            "type": "invalid_prompt",
                            "message": f"Cannot execute because node {node['class_type']} "
                            "does not exist.",
                            "details": f"Node ID '#{node_id}'",
                            "extra_info": {},
                        }
                    ],
                    "dependent_outputs": [],
                    "class_type": node["class_type"],
                }
                continue
            for name, value in node.get("inputs", {}).items():
                choices = spec.get(name, [None])[0]
                if (node["class_type"], name) in FILE_INPUTS:
                    choices = sorted(inputs_dir)
                if isinstance(choices, list) and value not in choices:
                    errors.setdefault(
                        node_id,
                        {"errors": [], "dependent_outputs": [], "class_type": node["class_type"]},
                    )["errors"].append(
                        {
                            "type": "value_not_in_list",
                            "message": "Value not in list",
                            "details": f"{name}: '{value}' not in {choices}",
                            "extra_info": {"input_name": name},
                        }
                    )
        return errors

    async def _history(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        entry = self.history.get(prompt_id)
        return web.json_response({prompt_id: entry} if entry else {})

    async def _view(self, request: web.Request) -> web.StreamResponse:
        if self.view_errors > 0:
            self.view_errors -= 1
            return web.Response(status=500, text="Internal Server Error")
        query = request.rel_url.query
        base = self.folder / query.get("type", "output") / query.get("subfolder", "")
        path = base / query["filename"]
        if ".." in query["filename"] or not path.is_file():
            return web.Response(status=404)
        return web.Response(body=path.read_bytes(), content_type="application/octet-stream")

    async def _interrupt(self, request: web.Request) -> web.Response:
        self.interrupts += 1
        self._interrupted.set()
        return web.Response(status=200)

    async def _queue(self, request: web.Request) -> web.Response:
        await request.json()
        return web.Response(status=200)

    async def _queue_list(self, request: web.Request) -> web.Response:
        running = [[0, prompt_id, {}, {}, []] for prompt_id in self.running]
        return web.json_response({"queue_running": running, "queue_pending": []})

    # --- websocket -----------------------------------------------------------------------------

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sid = request.rel_url.query.get("clientId", "") or uuid.uuid4().hex
        self._sockets[sid] = ws
        self.ws_clients.append(sid)
        try:
            await ws.send_json(
                {
                    "type": "status",
                    "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": sid},
                }
            )
            async for msg in ws:
                if msg.type == WSMsgType.ERROR:
                    break
        finally:
            self._sockets.pop(sid, None)
        return ws

    async def _send(self, sid: str, kind: str, data: dict[str, Any]) -> None:
        ws = self._sockets.get(sid)
        if ws is not None and not ws.closed:
            if self.mute_after and self._sent.get(id(ws), 0) >= self.mute_after:
                return  # the socket stays open, and silent
            await ws.send_json({"type": kind, "data": data})
            sent = self._sent[id(ws)] = self._sent.get(id(ws), 0) + 1
            if self.drop_ws_after and sent >= self.drop_ws_after:
                await ws.close()

    # --- the toy executor ----------------------------------------------------------------------

    async def _execute(self, prompt_id: str, prompt: dict[str, Any], sid: str) -> None:
        self.running.append(prompt_id)
        try:
            await self._run_prompt(prompt_id, prompt, sid)
        finally:
            if prompt_id in self.running:
                self.running.remove(prompt_id)

    async def _run_prompt(self, prompt_id: str, prompt: dict[str, Any], sid: str) -> None:
        await asyncio.sleep(0.05)
        oom = bool(self.oom_every) and len(self.prompts) % self.oom_every == 0
        await self._send(sid, "execution_start", {"prompt_id": prompt_id, "timestamp": 0})
        await self._send(sid, "execution_cached", {"nodes": [], "prompt_id": prompt_id})
        self.started.set()
        if self.pause:
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        outputs: dict[str, Any] = {}
        for node_id, node in prompt.items():
            await self._send(
                sid, "executing", {"node": node_id, "display_node": node_id, "prompt_id": prompt_id}
            )
            if node["class_type"] == "KSampler":
                for value in range(1, 4):
                    await self._send(
                        sid,
                        "progress",
                        {"value": value, "max": 3, "prompt_id": prompt_id, "node": node_id},
                    )
                    await sid_ws_binary_preview(self._sockets.get(sid))
                    if self.die:
                        await self._shutdown()
                        return
                    if self.hold:
                        await self._interrupted.wait()
                        await self._send(
                            sid,
                            "execution_interrupted",
                            {"prompt_id": prompt_id, "node_id": node_id, "node_type": "KSampler"},
                        )
                        return
            if node_id == self.fail_node or (oom and node["class_type"] == "KSampler"):
                message = {
                    "prompt_id": prompt_id,
                    "node_id": node_id,
                    "node_type": node["class_type"],
                    "executed": [],
                    "exception_message": "Allocation on device 0 would exceed allowed memory.",
                    "exception_type": "torch.OutOfMemoryError",
                    "traceback": ["..."],
                    "current_inputs": {},
                    "current_outputs": {},
                }
                await self._send(sid, "execution_error", message)
                self.history[prompt_id] = {
                    "prompt": [0, prompt_id, prompt, {}, []],
                    "outputs": {},
                    "status": {
                        "status_str": "error",
                        "completed": False,
                        "messages": [["execution_error", message]],
                    },
                }
                return
            if node["class_type"] in OUTPUT_NODES:
                outputs[node_id] = self._render(node["class_type"], prompt)
                await self._send(
                    sid,
                    "executed",
                    {"node": node_id, "display_node": node_id, "output": outputs[node_id],
                     "prompt_id": prompt_id},
                )  # fmt: skip
        entry = {
            "prompt": [0, prompt_id, prompt, {}, list(outputs)],
            "outputs": outputs,
            "status": {"status_str": "success", "completed": True, "messages": []},
        }
        # as ComfyUI: execution_success, then (models unloaded) the history, then executing null
        await self._send(sid, "execution_success", {"prompt_id": prompt_id, "timestamp": 0})
        self.running.remove(prompt_id)  # off the queue, and for a moment in no history yet
        await asyncio.sleep(self.history_delay)
        self.history[prompt_id] = entry
        await self._send(sid, "executing", {"node": None, "prompt_id": prompt_id})

    def _render(self, class_type: str, prompt: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for node in prompt.values():
            for key, value in node.get("inputs", {}).items():
                if not isinstance(value, list):
                    values.setdefault(f"{node['class_type']}.{key}", value)
        text = "|".join(
            str(n["inputs"].get("text", ""))
            for n in prompt.values()
            if n["class_type"] == "CLIPTextEncode"
        )
        if class_type == "VHS_VideoCombine":
            return self._lipsync(values)
        seed = int(values.get("KSampler.seed", 0))
        colour = tuple(hashlib.sha256(f"{text}|{seed}".encode()).digest()[:3])
        if class_type == "SaveImage":
            size = (int(values["EmptyLatentImage.width"]), int(values["EmptyLatentImage.height"]))
            image = Image.new("RGB", size, colour)
            ImageDraw.Draw(image).ellipse(
                (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(255, 255, 255)
            )
            name = f"ComfyUI_{len(self.history):05d}_.png"
            image.save(self.folder / "output" / name)
            return {"images": [{"filename": name, "subfolder": "", "type": "output"}]}
        width, height = int(values["WanImageToVideo.width"]), int(values["WanImageToVideo.height"])
        frames, fps = int(values["WanImageToVideo.length"]), float(values["CreateVideo.fps"])
        start = Image.open(self.folder / "input" / values["LoadImage.image"]).convert("RGB")
        start = start.resize((width, height))
        (self.folder / "output" / "video").mkdir(exist_ok=True)
        name = f"cinecode_{len(self.history):05d}_.mp4"
        _write_mp4(self.folder / "output" / "video" / name, start, colour, frames, fps)
        return {
            "images": [{"filename": name, "subfolder": "video", "type": "output"}],
            "animated": [True],
        }

    def _lipsync(self, values: dict[str, Any]) -> dict[str, Any]:
        """A toy LatentSync: a SYNCED-coloured clip as long as the uploaded clip, at the
        combine node's frame rate; the uploaded voice must be a WAV."""
        import wave

        import av

        with wave.open(str(self.folder / "input" / values["LoadAudio.audio"])) as voice:
            self.voices.append(voice.readframes(voice.getnframes()))
        with av.open(str(self.folder / "input" / values["VHS_LoadVideo.video"])) as clip:
            stream = clip.streams.video[0]
            seconds = sum(1 for _ in clip.decode(stream)) / float(stream.average_rate or 24)
            size = (stream.codec_context.width, stream.codec_context.height)
        name = f"cinecode-lipsync_{len(self.history):05d}.mp4"
        fps = float(values.get("VHS_VideoCombine.frame_rate", 25))  # as long as the clip
        frames = round(seconds * fps)
        _write_mp4(
            self.folder / "output" / name, Image.new("RGB", size, SYNCED), SYNCED, frames, fps
        )
        item = {"filename": name, "subfolder": "", "type": "output", "format": "video/h264-mp4"}
        return {"gifs": [item]}


async def sid_ws_binary_preview(ws: web.WebSocketResponse | None) -> None:
    """A binary preview frame, as ComfyUI sends while sampling (type 1 = JPEG preview)."""
    if ws is None or ws.closed:
        return
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="JPEG")
    await ws.send_bytes((1).to_bytes(4, "big") + (1).to_bytes(4, "big") + buffer.getvalue())


def _write_mp4(
    path: Path, start: Image.Image, colour: tuple[int, ...], frames: int, fps: float
) -> None:
    """A clip that starts on the keyframe and slides a coloured bar across it."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=round(fps))
        stream.width, stream.height, stream.pix_fmt = start.width, start.height, "yuv420p"
        for index in range(frames):
            frame = start.copy()
            x = int(index / max(1, frames - 1) * (start.width - 8))
            ImageDraw.Draw(frame).rectangle((x, 0, x + 8, start.height), fill=colour)
            for packet in stream.encode(av.VideoFrame.from_image(frame)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
