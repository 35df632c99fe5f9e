"""ComfyUI workflows in API format: read them, fill the mapped node inputs, read their outputs.

Pure functions (no server): `load_workflow` checks the file is the API format (not the UI
format) and unchanged since planning; `fill` writes cinecode's values into the node inputs a
project maps (`"6.text"`, or a node's title: `"Positive.text"`); `output_files` lists what a
finished prompt wrote; `describe_node_errors` turns a refused prompt into readable lines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cinecode.errors import BackendError

NAME = "comfyui"
#: Keys of `inputs` cinecode knows how to fill.
MAPPABLE = (
    "prompt",
    "negative_prompt",
    "seed",
    "width",
    "height",
    "frames",
    "fps",
    "duration",
    "model",
    "image",
    "last_image",
    "references",
    "character_references",
    "location_references",
    "video",
    "audio",
    "scale",
)
#: Keys filled with a list of images, one node input each: every reference, or those of a role
#: (the characters', to an IP-Adapter or PuLID branch; the location's, to another).
REFERENCE_KEYS = ("references", "character_references", "location_references")


Workflow = dict[str, dict[str, Any]]


def load_workflow(path: Path, *, digest: str = "") -> Workflow:
    """Read an API-format workflow (checked against the digest it was planned with)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BackendError(
            f"cannot read the workflow {path}: {exc.strerror}",
            backend=NAME,
            hint="export it from ComfyUI with Export (API) and fix `workflow =` in film.toml",
        ) from exc
    if digest and hashlib.sha256(raw).hexdigest() != digest:
        raise BackendError(
            f"the workflow {path.name} changed during the build",
            backend=NAME,
            hint="run make again",
        )
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BackendError(
            f"the workflow {path.name} is not JSON (line {exc.lineno})",
            backend=NAME,
            hint="export it again from ComfyUI with Export (API)",
        ) from exc
    if isinstance(data, dict) and "nodes" in data and "links" in data:
        raise BackendError(
            f"{path.name} is a ComfyUI UI workflow, not the API format",
            backend=NAME,
            hint="in ComfyUI use Workflow ▸ Export (API) and point `workflow =` at that file",
        )
    if not isinstance(data, dict) or not all(
        isinstance(node, dict) and "class_type" in node for node in data.values()
    ):
        raise BackendError(
            f"{path.name} is not an API-format workflow (nodes with class_type and inputs)",
            backend=NAME,
            hint="in ComfyUI use Workflow ▸ Export (API)",
        )
    return data


def find_node(workflow: Workflow, ref: str) -> str:
    """The id of the node `ref` names: its id, else its title (`_meta.title`)."""
    if ref in workflow:
        return ref
    titled = [key for key, node in workflow.items() if node.get("_meta", {}).get("title") == ref]
    if len(titled) == 1:
        return titled[0]
    raise BackendError(
        f"the workflow has no node {ref!r}"
        + (" (several nodes carry that title)" if titled else ""),
        backend=NAME,
        hint="name a node by its id (the keys of the API JSON) or by a unique title",
    )


def targets(value: str | list[str], key: str) -> list[str]:
    refs = [value] if isinstance(value, str) else list(value)
    for ref in refs:
        if not isinstance(ref, str) or "." not in ref:
            raise BackendError(
                f"inputs.{key} = {ref!r} does not say which node input to fill",
                backend=NAME,
                hint='write "NODE.INPUT", e.g. "6.text" or "Positive Prompt.text"',
            )
    return refs


def fill(workflow: Workflow, mapping: Mapping[str, Any], values: Mapping[str, Any]) -> Workflow:
    """A copy of `workflow` with each mapped node input set to its value.

    `references` (and `character_references`, `location_references`: the images of one role)
    maps to a list of node inputs, filled with the reference images in order (the unused ones
    keep the workflow's own image). Values that are None are left as they are.
    """
    out: Workflow = json.loads(json.dumps(workflow))
    for key, target in mapping.items():
        if key not in MAPPABLE:
            raise BackendError(
                f"inputs.{key}: cinecode does not fill {key!r}",
                backend=NAME,
                hint=f"map any of: {', '.join(MAPPABLE)}",
            )
        value = values.get(key)
        if value is None:
            continue
        refs = targets(target, key)
        items = list(value) if key in REFERENCE_KEYS else [value] * len(refs)
        for ref, item in zip(refs, items, strict=False):
            node_ref, _, name = ref.rpartition(".")
            node = out[find_node(out, node_ref)]
            node.setdefault("inputs", {})[name] = item
    return out


def output_files(outputs: Mapping[str, Any], node: str = "") -> list[dict[str, str]]:
    """The files a finished prompt wrote (`/history` outputs), of one node or of all."""
    nodes = [node] if node else sorted(outputs, key=_node_order)
    files: list[dict[str, str]] = []
    for key in nodes:
        for kind in ("videos", "gifs", "video", "images", "animated", "audio"):
            for item in outputs.get(key, {}).get(kind, []) or []:
                if isinstance(item, dict) and item.get("filename"):
                    files.append(item)
    return files


def _node_order(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (1 << 30, key)


def describe_node_errors(body: Mapping[str, Any], workflow: Workflow) -> str:
    """ComfyUI's validation failure (`POST /prompt` → 400) as readable lines."""
    lines = []
    error = body.get("error")
    if isinstance(error, dict):
        lines.append(str(error.get("message", "")).strip() or "invalid prompt")
        if error.get("details"):
            lines.append(str(error["details"]))
    elif error:
        lines.append(str(error))
    node_errors = body.get("node_errors") or {}
    if isinstance(node_errors, dict):
        for node_id, info in node_errors.items():
            class_type = info.get("class_type") or workflow.get(node_id, {}).get("class_type", "")
            for item in info.get("errors", []):
                detail = f": {item['details']}" if item.get("details") else ""
                lines.append(f"node {node_id} ({class_type}): {item.get('message', '')}{detail}")
    return "\n    ".join(line for line in lines if line) or "the server refused the workflow"


__all__ = [
    "MAPPABLE",
    "REFERENCE_KEYS",
    "Workflow",
    "describe_node_errors",
    "fill",
    "find_node",
    "load_workflow",
    "output_files",
    "targets",
]
