"""References reach every engine that accepts them, in the provider's own format: planned
keyframes carry them (with whose they are), and each engine's request holds the images."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from comfyui_server import T2I_REFS, T2I_REFS_INPUTS, FakeComfyUI
from loopback import FakeFal, FakeOpenAI, FakeReplicate, FakeRunway, Loopback, png_bytes, write

from cinecode.backends.comfyui.backend import ComfyUIBackend
from cinecode.backends.hosted.fal import FalBackend
from cinecode.backends.hosted.openai import OpenAIBackend
from cinecode.backends.hosted.pricing import shipped_prices
from cinecode.backends.hosted.replicate import ReplicateBackend
from cinecode.backends.hosted.runway import RunwayBackend, reference_tag, tagged_prompt
from cinecode.backends.protocols import ImageRequest, VideoRequest
from cinecode.commands.report import plan_report
from cinecode.graph.job import Job
from cinecode.graph.reporter import RecordingReporter
from cinecode.pipeline.session import Session

pytestmark = pytest.mark.xdist_group("comfyui")

KEY = "canary-refs-0123456789"
ENV = "CINECODE_TEST_REFS_KEY"
os.environ[ENV] = KEY

ANNA = png_bytes(40, 40, (200, 40, 40))  # the character's reference: red
HILL = png_bytes(48, 27, (40, 160, 60))  # the location's: green
ROLES = (("character", "ANNA"), ("location", "HILLTOP"))


def refs(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "refs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "anna.png").write_bytes(ANNA)
    (folder / "hill.png").write_bytes(HILL)
    return folder / "anna.png", folder / "hill.png"


def settings(url: str, name: str) -> dict[str, Any]:
    return {
        "base_url": url,
        "api_key_env": ENV,
        "poll_interval": 0.01,
        "timeout": 2.0,
        "prices": dict(shipped_prices().prices(name).models),
        "sleep": lambda seconds: None,
    }


def keyframe(tmp_path: Path, **kw: Any) -> ImageRequest:
    anna, hill = refs(tmp_path)
    return ImageRequest(
        prompt="ANNA climbs the last steps",
        width=320,
        height=180,
        seed=7,
        references=(anna, hill),
        reference_roles=ROLES,
        **kw,
    )


def out(tmp_path: Path, name: str) -> Path:
    (tmp_path / name).mkdir()
    return tmp_path / name


def decoded(uri: str) -> bytes:
    head, _, data = uri.partition(",")
    assert head == "data:image/png;base64"
    return base64.b64decode(data)


# --- each engine's request -----------------------------------------------------------------------


def test_openai_with_references_asks_for_an_edit_carrying_the_images(tmp_path: Path) -> None:
    with Loopback(FakeOpenAI(KEY)) as server:
        backend = OpenAIBackend(**settings(f"{server.url}/v1", "openai"))
        result = backend.generate(keyframe(tmp_path, model="gpt-image-1"), out(tmp_path, "a"))
        plain = ImageRequest(prompt="a hill", width=320, height=180, seed=7, model="gpt-image-1")
        backend.generate(plain, out(tmp_path, "b"))
        edits = server.provider.of("POST", "/v1/images/edits")
        generations = server.provider.of("POST", "/v1/images/generations")
    assert result.path.read_bytes().startswith(b"\x89PNG")
    assert len(edits) == 1 and len(generations) == 1  # without references nothing changes
    parts = edits[0].form()
    fields = {p.name: p.data.decode() for p in parts if not p.filename}
    images = [p for p in parts if p.filename]
    assert fields["model"] == "gpt-image-1" and fields["prompt"] == "ANNA climbs the last steps"
    assert fields["size"] == "1536x1024"
    assert [(p.name, p.data, p.kind) for p in images] == [
        ("image[]", ANNA, "image/png"),
        ("image[]", HILL, "image/png"),
    ]


def test_dall_e_2_edits_the_first_reference_only(tmp_path: Path) -> None:
    with Loopback(FakeOpenAI(KEY)) as server:
        backend = OpenAIBackend(**settings(f"{server.url}/v1", "openai"))
        backend.generate(keyframe(tmp_path, model="dall-e-2"), out(tmp_path, "a"))
        parts = server.provider.of("POST", "/v1/images/edits")[0].form()
    assert [(p.name, p.data) for p in parts if p.filename] == [("image", ANNA)]


def test_openai_server_without_edits_keeps_to_generations(tmp_path: Path) -> None:
    with Loopback(FakeOpenAI(KEY)) as server:
        backend = OpenAIBackend(edits=False, **settings(f"{server.url}/v1", "openai"))
        backend.generate(keyframe(tmp_path, model="gpt-image-1"), out(tmp_path, "a"))
        assert not server.provider.of("POST", "/v1/images/edits")
        assert server.provider.of("POST", "/v1/images/generations")


def test_runway_keyframe_sends_gen4_references_named_in_the_prompt(tmp_path: Path) -> None:
    with Loopback(FakeRunway(KEY)) as server:
        backend = RunwayBackend(**settings(f"{server.url}/v1", "runway"))
        result = backend.generate(keyframe(tmp_path), out(tmp_path, "a"))
        sent = server.provider.of("POST", "/v1/text_to_image")[0].json()
    assert result.path.read_bytes().startswith(b"\x89PNG")
    assert sent["model"] == "gen4_image"  # the section's video model makes no images
    assert [r["tag"] for r in sent["referenceImages"]] == ["ANNA", "HILLTOP"]
    assert [decoded(r["uri"]) for r in sent["referenceImages"]] == [ANNA, HILL]
    assert sent["promptText"] == "@ANNA climbs the last steps With @HILLTOP."
    assert sent["ratio"] == "1280:720"  # the 16:9 size nearest the film's: billed as 720p
    assert result.cost.money == pytest.approx(0.05)


def test_runway_tags_follow_the_api_rules() -> None:
    assert reference_tag("MR. O'HARA") == "MR_O_HARA"
    assert reference_tag("JO") == "JOx"  # at least three characters
    assert reference_tag("7 DWARFS") == "r_7_DWARFS"  # starts with a letter
    assert reference_tag("A VERY LONG NAME INDEED") == "A_VERY_LONG_NAME"  # at most sixteen
    assert reference_tag("ANNA", ["anna"]) == "ANNA_2"  # two images of one person
    assert tagged_prompt("Anna waves", [("ANNA", "ANNA")]) == "@ANNA waves"


def test_runway_clip_sends_no_references_its_keyframe_shows_them(tmp_path: Path) -> None:
    anna, hill = refs(tmp_path)
    with Loopback(FakeRunway(KEY, seconds=5.0)) as server:
        backend = RunwayBackend(model="gen4_turbo", **settings(f"{server.url}/v1", "runway"))
        request = VideoRequest(
            prompt="wind",
            width=320,
            height=180,
            fps=24,
            duration=5,
            seed=1,
            image=anna,
            references=(anna, hill),
            reference_roles=ROLES,
        )
        backend.generate(request, out(tmp_path, "a"))
        sent = server.provider.of("POST", "/v1/image_to_video")[0].json()
    assert "referenceImages" not in sent and decoded(sent["promptImage"]) == ANNA


def test_fal_maps_references_to_the_model_fields(tmp_path: Path) -> None:
    model = "fal-ai/flux-pro/kontext"
    with Loopback(FakeFal(KEY)) as server:
        fields = {"reference": "image_url", "references": "image_urls"}
        backend = FalBackend(model=model, fields=fields, **settings(server.url, "fal"))
        backend.generate(keyframe(tmp_path), out(tmp_path, "a"))
        unmapped = FalBackend(model="fal-ai/flux/schnell", **settings(server.url, "fal"))
        unmapped.generate(keyframe(tmp_path), out(tmp_path, "b"))
        sent = server.provider.of("POST", f"/{model}")[0].json()
        plain = server.provider.of("POST", "/fal-ai/flux/schnell")[0].json()
    assert decoded(sent["image_url"]) == ANNA
    assert [decoded(uri) for uri in sent["image_urls"]] == [ANNA, HILL]
    assert "image_url" not in plain and "image_urls" not in plain  # unmapped: not sent


def test_fal_clip_models_get_the_references_too(tmp_path: Path) -> None:
    anna, hill = refs(tmp_path)
    model = "fal-ai/vidu/q1/reference-to-video"
    with Loopback(FakeFal(KEY, kind="video", seconds=5.0)) as server:
        backend = FalBackend(
            model=model,
            fields={"references": "reference_image_urls"},
            **settings(server.url, "fal"),
        )
        request = VideoRequest(
            prompt="wind",
            width=320,
            height=180,
            fps=24,
            duration=5,
            seed=1,
            image=anna,
            references=(anna, hill),
        )
        backend.generate(request, out(tmp_path, "a"))
        sent = server.provider.of("POST", f"/{model}")[0].json()
    assert [decoded(u) for u in sent["reference_image_urls"]] == [ANNA, HILL]
    assert decoded(sent["image_url"]) == ANNA  # the keyframe, as before


def test_replicate_maps_references_to_the_model_fields(tmp_path: Path) -> None:
    model = "black-forest-labs/flux-kontext-pro"
    with Loopback(FakeReplicate(KEY)) as server:
        backend = ReplicateBackend(
            model=model,
            fields={"reference": "input_image"},
            **settings(f"{server.url}/v1", "replicate"),
        )
        backend.generate(keyframe(tmp_path), out(tmp_path, "a"))
        sent = server.provider.of("POST", f"/v1/models/{model}/predictions")[0].json()
    assert decoded(sent["input"]["input_image"]) == ANNA
    assert sent["input"]["prompt"] == "ANNA climbs the last steps"


@pytest.fixture
def comfy(tmp_path: Path) -> Iterator[FakeComfyUI]:
    fake = FakeComfyUI(tmp_path / "comfy")
    fake.start()
    yield fake
    fake.stop()


def test_comfyui_routes_references_to_the_load_image_nodes_of_their_role(
    comfy: FakeComfyUI, tmp_path: Path
) -> None:
    backend = ComfyUIBackend(
        workflow=str(T2I_REFS), servers=[comfy.url], inputs=T2I_REFS_INPUTS, output="9"
    )
    backend.generate(keyframe(tmp_path), out(tmp_path, "a"), None)
    sent = comfy.prompts[0]
    character, location = sent["10"]["inputs"]["image"], sent["11"]["inputs"]["image"]
    assert (comfy.folder / "input" / character).read_bytes() == ANNA
    assert (comfy.folder / "input" / location).read_bytes() == HILL
    assert sent["20"]["inputs"]["image"] == ["10", 0]  # the character's IP-Adapter branch


# --- planned keyframes carry them ----------------------------------------------------------------

SCRIPT = """\
EXT. HILLTOP - DAWN

ANNA climbs the last steps, out of breath.

ANNA
There it is.
"""


def project(root: Path, storyboard: str) -> Path:
    refs(root)
    write(
        root / "film.toml",
        f"""\
title = "Refs"
seed = 3
[format]
width = 320
height = 180
fps = 24
[characters.ANNA]
description = "a woman in a green coat"
references = ["refs/anna.png"]
[locations.HILLTOP]
references = ["refs/hill.png"]
{storyboard}
""",
    )
    write(root / "script.fountain", SCRIPT)
    return root


def draw_keyframes(root: Path) -> list[Job]:
    """Plan the film and run its keyframe jobs only."""
    with Session.open(root, write=True) as session:
        plan = session.replan()
        jobs = [job for job in plan.graph if job.step == "keyframe"]
        with session.locked():
            stats = session.run(plan.graph, [job.key for job in jobs], reporter=RecordingReporter())
    assert stats.failed == 0, stats.failures
    return jobs


def service(name: str, url: str) -> str:
    return f'[services.{name}]\nbase_url = "{url}"\napi_key_env = "{ENV}"\npoll_interval = 0.01\n'


def test_a_planned_keyframe_holds_whose_references_it_has_never_in_its_key(
    tmp_path: Path,
) -> None:
    root = project(tmp_path / "film", '[storyboard]\nbackend = "sketch"')
    with Session.open(root) as session:
        jobs = [j for j in session.replan().graph if j.step == "keyframe"]
    wide, job = sorted(jobs, key=lambda j: j.shot)  # the establishing shot shows no one
    assert wide.settings["reference_roles"] == [["location", "HILLTOP"]]
    assert job.settings["references"] == [
        str(root / "refs" / "anna.png"),
        str(root / "refs" / "hill.png"),
    ]
    assert job.settings["reference_roles"] == [["character", "ANNA"], ["location", "HILLTOP"]]
    assert "reference_roles" not in job.params and len(job.params["references"]) == 2


def test_a_planned_clip_holds_whose_references_it_has(tmp_path: Path) -> None:
    motion = '[motion]\nbackend = "fal"\nmodel = "fal-ai/kling-video/v2.1/standard/image-to-video"'
    root = project(tmp_path / "film", motion)
    with Session.open(root) as session:
        clips = [j for j in session.replan().graph if j.step == "clip"]
    close = next(j for j in clips if j.shot == "1.2")
    assert close.settings["reference_roles"] == [["character", "ANNA"], ["location", "HILLTOP"]]
    assert "reference_roles" not in close.params


def test_a_film_s_references_reach_the_openai_edit(tmp_path: Path) -> None:
    with Loopback(FakeOpenAI(KEY)) as server:
        storyboard = '[storyboard]\nbackend = "openai"\nmodel = "gpt-image-1"\n'
        root = project(tmp_path / "film", storyboard + service("openai", f"{server.url}/v1"))
        draw_keyframes(root)
        edits = server.provider.of("POST", "/v1/images/edits")
    sent = sorted([p.data for p in edit.form() if p.filename] for edit in edits)
    assert sent == sorted([[HILL], [ANNA, HILL]])  # the wide shot, then ANNA's close one


def test_a_film_s_references_reach_runway_fal_and_replicate(tmp_path: Path) -> None:
    with (
        Loopback(FakeRunway(KEY)) as runway,
        Loopback(FakeFal(KEY)) as fal,
        Loopback(FakeReplicate(KEY)) as replicate,
    ):
        engines = f"""\
[storyboard]
backend = "runway"
model = "gen4_image"
[backends.kontext]
backend = "fal"
model = "fal-ai/flux-pro/kontext"
fields = {{ reference = "image_url" }}
[backends.kontext-r]
backend = "replicate"
model = "black-forest-labs/flux-kontext-pro"
fields = {{ references = "input_images" }}
{service("runway", f"{runway.url}/v1")}
{service("fal", fal.url)}
{service("replicate", f"{replicate.url}/v1")}
"""
        root = project(tmp_path / "film", engines)
        script = SCRIPT + "\n[[shot: backend kontext]]\n\nANNA\nHere.\n"
        script += "\n[[shot: backend kontext-r]]\n\nANNA\nNow.\n"
        write(root / "script.fountain", script)
        draw_keyframes(root)
        asked = [seen.json() for seen in runway.provider.of("POST", "/v1/text_to_image")]
        to_runway = next(body for body in asked if len(body["referenceImages"]) == 2)
        to_fal = fal.provider.of("POST", "/fal-ai/flux-pro/kontext")[0].json()
        to_replicate = replicate.provider.of("POST", "/v1/models/black-forest-labs")[0].json()
    assert [decoded(r["uri"]) for r in to_runway["referenceImages"]] == [ANNA, HILL]
    assert "@ANNA" in to_runway["promptText"]
    assert decoded(to_fal["image_url"]) == ANNA
    assert [decoded(u) for u in to_replicate["input"]["input_images"]] == [ANNA, HILL]


def test_a_film_s_references_reach_the_comfyui_nodes_of_their_role(
    comfy: FakeComfyUI, tmp_path: Path
) -> None:
    inputs = ", ".join(f"{k} = {v!r}".replace("'", '"') for k, v in T2I_REFS_INPUTS.items())
    engines = f"""\
[storyboard]
backend = "comfyui"
server = "{comfy.url}"
workflow = "{T2I_REFS}"
output = "9"
inputs = {{ {inputs} }}
"""
    # the workflow's own images stay where a shot has none of a role (the wide shot shows
    # no one): the server has them, as ComfyUI's input folder would
    for name in ("character.png", "location.png"):
        (comfy.folder / "input" / name).write_bytes(png_bytes(8, 8))
    draw_keyframes(project(tmp_path / "film", engines))
    assert len(comfy.prompts) == 2
    sent = next(p for p in comfy.prompts if p["10"]["inputs"]["image"] != "character.png")
    assert (comfy.folder / "input" / sent["10"]["inputs"]["image"]).read_bytes() == ANNA
    assert (comfy.folder / "input" / sent["11"]["inputs"]["image"]).read_bytes() == HILL


def test_plan_says_which_engine_leaves_the_references_out_and_the_fix(tmp_path: Path) -> None:
    fal = '[storyboard]\nbackend = "fal"\nmodel = "fal-ai/flux/schnell"\n'
    unmapped = plan_report(project(tmp_path / "a", fal))["warnings"]
    assert unmapped == [
        "the reference images of shots 1.1, 1.2 do not reach fal (fal-ai/flux/schnell): map "
        'them to the model\'s image input in film.toml, e.g. fields = { reference = "image_url" }'
        " (or references = a list field)"
    ]
    mapped = project(tmp_path / "b", fal + 'fields = { reference = "image_url" }\n')
    assert plan_report(mapped)["warnings"] == []
    openai = '[storyboard]\nbackend = "openai"\n'
    assert plan_report(project(tmp_path / "c", openai))["warnings"] == []
    no_edits = plan_report(project(tmp_path / "d", openai + "edits = false\n"))["warnings"]
    assert len(no_edits) == 1 and no_edits[0].endswith("remove edits = false to send them")
