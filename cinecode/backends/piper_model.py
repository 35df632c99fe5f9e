"""A piper voice's graph with its noises as inputs, patched and optimised once per machine.

piper's VITS voices draw two noise tensors inside ONNX Runtime (RandomNormalLike), whose
generator advances with every run of a session. `patch` turns both into inputs, so that
cinecode draws them from `(seed, sentence)` (see cinecode.backends.piper).

Patching a 63 MB voice and letting ONNX Runtime optimise its graph takes most of a second,
at the head of every make that speaks a changed line. So the patched graph, optimised at ONNX
Runtime's *extended* level (portable across CPUs: the layout passes that depend on the CPU
run at each load), is kept in the user's cache (`$XDG_CACHE_HOME/cinecode/piper/`, else
`~/.cache/cinecode/piper/`), named by the voice file (path, size, mtime), this patch's
version and ONNX Runtime's. A voice spoken from the cache has the same bytes as one spoken
from the patched model (tested). Where the cache cannot be written, the patched bytes load
as before; a cached graph ONNX Runtime cannot load is made again (`load`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: bump when `patch` changes the graph it gives
VERSION = 1


@dataclass(frozen=True)
class Graph:
    """What ONNX Runtime loads (a cached file's path, or the patched bytes), and the names
    of the noise inputs and of the outputs cinecode reads."""

    model: bytes | str
    noises: tuple[str, ...]
    shapes: tuple[str, ...]
    durations: tuple[str, ...]


def _options(threads: int, level: Any = None) -> Any:
    """ONNX Runtime's session options for a voice: `threads` intra-op (results depend on
    it), no spinning, and the graph optimisation `level` (all, by default)."""
    import onnxruntime

    settings = onnxruntime.SessionOptions()
    settings.intra_op_num_threads = threads
    settings.inter_op_num_threads = 1
    settings.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if level is not None:
        settings.graph_optimization_level = level
    return settings


def cache_dir() -> Path:
    """Where optimised voice graphs are kept ($XDG_CACHE_HOME/cinecode/piper)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cinecode" / "piper"


def graph(onnx: Path) -> Graph:
    """The voice's graph with its noises as inputs: from the cache, else patched now and
    (where the cache can be written) optimised into it. ValueError: not an ONNX model."""
    import onnxruntime

    stat = onnx.stat()
    name = f"{VERSION}|{onnxruntime.__version__}|{onnx.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    cached = cache_dir() / f"{onnx.stem}-{hashlib.sha256(name.encode()).hexdigest()[:20]}.onnx"
    names = cached.with_suffix(".json")
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        found = json.loads(names.read_text(encoding="utf-8"))
        if cached.is_file():
            return Graph(str(cached), *(tuple(found[k]) for k in ("noises", "shapes", "durations")))
    patched = patch(onnx.read_bytes())
    assert isinstance(patched.model, bytes)
    try:
        _optimise(patched.model, cached)
        listed = {k: getattr(patched, k) for k in ("noises", "shapes", "durations")}
        _write_text(names, json.dumps(listed))
    except Exception:  # an unwritable cache, or ONNX Runtime's own errors
        return patched  # the caller's session reports a model ONNX Runtime cannot load
    return Graph(str(cached), patched.noises, patched.shapes, patched.durations)


def load(onnx: Path, threads: int) -> tuple[Any, Graph]:
    """An ONNX Runtime session of the voice's `graph` with `threads` intra-op, and that
    graph. A cached graph ONNX Runtime cannot load (damaged) is removed and made again.
    ValueError: not an ONNX model; ONNX Runtime's own errors: not a model it can run."""
    import onnxruntime

    def session(found: Graph) -> Any:
        return onnxruntime.InferenceSession(
            found.model, sess_options=_options(threads), providers=["CPUExecutionProvider"]
        )

    found = graph(onnx)
    try:
        return session(found), found
    except Exception:  # onnxruntime raises its own untyped errors
        if not isinstance(found.model, str):
            raise
    cached = Path(found.model)
    for path in (cached, cached.with_suffix(".json")):
        path.unlink(missing_ok=True)
    found = graph(onnx)
    return session(found), found


def _optimise(model: bytes, dest: Path) -> None:
    """Save `model` optimised at the extended level (portable) to `dest`, atomically."""
    import onnxruntime

    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    settings = _options(1, onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
    settings.optimized_model_filepath = str(partial)
    settings.log_severity_level = 3  # its notes on saving go to stderr otherwise
    try:
        onnxruntime.InferenceSession(
            model, sess_options=settings, providers=["CPUExecutionProvider"]
        )
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


def _write_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


# --- a tiny protobuf editor, enough to turn the model's noise nodes into inputs ---------------
# (the `onnx` package is not a dependency; the wire format is simple)


_Field = tuple[int, int, memoryview, memoryview]  # number, wire type, payload, whole field


def _varint(data: memoryview, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(data: memoryview) -> list[_Field]:
    out: list[_Field] = []
    i = 0
    while i < len(data):
        start = i
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, i = _varint(data, i)
            payload = data[start:start]
        elif wire == 1:
            payload, i = data[i : i + 8], i + 8
        elif wire == 5:
            payload, i = data[i : i + 4], i + 4
        elif wire == 2:
            size, i = _varint(data, i)
            payload, i = data[i : i + size], i + size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.append((number, wire, payload, data[start:i]))
    return out


def _enc_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def _bytes(number: int, data: bytes | str) -> bytes:
    raw = data.encode() if isinstance(data, str) else data
    return _enc_varint(number << 3 | 2) + _enc_varint(len(raw)) + raw


def _int(number: int, value: int) -> bytes:
    return _enc_varint(number << 3) + _enc_varint(value)


def _strings(fields: list[_Field], number: int) -> list[str]:
    return [bytes(p).decode() for n, _, p, _ in fields if n == number]


def patch(model: bytes) -> Graph:
    """Replace each RandomNormalLike(X) by Slice(noise input, 0, Shape(X)); expose durations.

    ModelProto.graph = 7; GraphProto: node = 1, initializer = 5, input = 11, output = 12;
    NodeProto: input = 1, output = 2, name = 3, op_type = 4.
    """
    top = _fields(memoryview(model))
    graphs = [p for n, w, p, _ in top if n == 7 and w == 2]
    if len(graphs) != 1:
        raise ValueError("not an ONNX model")
    zeros = "cinecode_zeros"
    parts: list[bytes] = []
    noises: list[str] = []
    shapes: list[str] = []
    inputs: list[bytes] = []
    durations: tuple[str, ...] = ()
    for number, _, payload, whole in _fields(graphs[0]):
        node = _fields(payload) if number == 1 else []
        op = (_strings(node, 4) or [""])[0]
        if op == "RandomNormalLike":
            (like,), (out,) = _strings(node, 1), _strings(node, 2)
            noise, shape = f"cinecode_noise_{len(noises)}", f"cinecode_noise_{len(noises)}_shape"
            parts.append(_bytes(1, _bytes(1, like) + _bytes(2, shape) + _bytes(4, "Shape")))
            slice_ = _bytes(1, noise) + _bytes(1, zeros) + _bytes(1, shape) + _bytes(2, out)
            parts.append(_bytes(1, slice_ + _bytes(3, noise) + _bytes(4, "Slice")))
            dims = b"".join(_bytes(1, _bytes(2, f"{noise}_{axis}")) for axis in "bct")
            tensor = _int(1, 1) + _bytes(2, dims)  # float, shape (b, c, t)
            inputs.append(_bytes(11, _bytes(1, noise) + _bytes(2, _bytes(1, tensor))))
            noises.append(noise)
            shapes.append(shape)
            continue
        if op == "Ceil" and not durations:
            durations = (_strings(node, 1)[0], _strings(node, 2)[0])
        parts.append(bytes(whole))
    initializer = _int(1, 3) + _int(2, 7) + _bytes(8, zeros) + _bytes(9, bytes(24))  # int64[3]
    outputs = [_bytes(12, _bytes(1, name)) for name in (*shapes, *durations)]
    graph = b"".join([*parts, _bytes(5, initializer), *inputs, *outputs])
    patched = b"".join(_bytes(7, graph) if n == 7 else bytes(whole) for n, _, _, whole in top)
    return Graph(patched, tuple(noises), tuple(shapes), durations)
