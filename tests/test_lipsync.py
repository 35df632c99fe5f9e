"""Lip sync: which shots are synced and why not (planning, pure), keys (a changed line
re-syncs its shot only), the `no lipsync` clause, and films built through loopback fal and
Replicate lip-sync models whose synced clip (a solid colour) is what the master shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback import SYNCED, FakeFal, FakeReplicate, Loopback, write

from cinecode.commands.ledger import ledger_report
from cinecode.commands.report import plan_report
from cinecode.errors import ProjectError, ScriptError
from cinecode.graph.catalog import Catalog
from cinecode.graph.reporter import RecordingReporter
from cinecode.graph.store import Store
from cinecode.pipeline.build import make
from cinecode.pipeline.plan import Plan, plan
from cinecode.pipeline.session import load, state_for
from cinecode.script.directives import parse_shot

KEY = "sk-lipsync-test"
ENV = "CINECODE_LIPSYNC_KEY"

SCRIPT = """\
Title: Lips

INT. LAMP ROOM - NIGHT

Mara climbs to the great lens.

[[shot: close on MARA]]

MARA
It still turns.

ELI (V.O.)
Every night for forty years.

[[shot: close on MARA, no lipsync]]

MARA
I know.

[[shot: close on ELI, motion camera]]

ELI
Then go to bed.

[[shot: close on MARA]]

ELI
She never listens.
"""

FILM = """\
title = "Lips"
[format]
width = 160
height = 90
fps = 24

[motion]
backend = "fal"
model = "fal-ai/kling-video/v2.1/standard/image-to-video"

[music]
backend = "none"
[effects]
backend = "none"

[services.fal]
base_url = "{url}"
api_key_env = "{env}"
poll_interval = 0.02
timeout = 10
{extra}"""

LIPSYNC = """
[lipsync]
backend = "fal"
model = "fal-ai/latentsync"
"""


def project(root: Path, *, url: str = "http://127.0.0.1:9", extra: str = LIPSYNC) -> Path:
    write(root / "film.toml", FILM.format(url=url, env=ENV, extra=extra))
    write(root / "script.fountain", SCRIPT)
    return root


def planned(root: Path) -> Plan:
    loaded = load(root)
    return plan(loaded.film, loaded.project, state_for(loaded, None))


def syncs(p: Plan) -> dict[str, str]:
    return {job.shot: job.key for job in p.graph if job.step == "lipsync"}


# --- planning -------------------------------------------------------------------------------


def test_the_plan_syncs_on_screen_speakers_in_generated_clips_only(tmp_path: Path) -> None:
    p = planned(project(tmp_path))
    why = {shot_id: sp.lipsync for shot_id, sp in p.shots.items()}
    assert why == {
        "1.1": "no dialogue",
        "1.2": "synced",
        "1.3": "the line is off screen (V.O.)",
        "1.4": "the shot says no lipsync",
        "1.5": "its picture is a still, not a generated clip",
        "1.6": "ELI is not in the picture",
    }
    assert sorted(syncs(p)) == ["1.2"]
    job = p.graph.jobs[syncs(p)["1.2"]]
    sp = p.shots["1.2"]
    assert job.inputs == (sp.picture, *sp.voices)  # the clip and the line's voice
    assert p.graph.jobs[sp.picture].step == "clip" and job.backend == "fal"
    # the cut uses the synced clip in place of the clip
    segment = p.graph.jobs[sp.segment]
    assert segment.inputs[0] == job.key
    assert p.graph.jobs[p.shots["1.3"].segment].inputs[0] == p.shots["1.3"].picture
    # the lip-sync model is priced like the other hosted generations
    assert job.estimate.money == pytest.approx(0.2)  # fal-ai/latentsync: 0.20 a clip


def test_without_a_lipsync_section_there_is_no_lipsync_step(tmp_path: Path) -> None:
    synced = planned(project(tmp_path / "a"))
    plain = planned(project(tmp_path / "b", extra=""))
    off = planned(project(tmp_path / "c", extra='\n[lipsync]\nbackend = "none"\n'))
    assert off.targets == plain.targets and not off.lipsync and not off.notes
    assert not syncs(plain)
    assert all(sp.lipsync == "" and not sp.synced for sp in plain.shots.values())
    # the takes are the same: lip sync only adds a job after the clip
    assert {s: sp.picture for s, sp in plain.shots.items()} == {
        s: sp.picture for s, sp in synced.shots.items()
    }
    assert plain.targets["master"] != synced.targets["master"]


def test_a_changed_line_resyncs_that_shot_only(tmp_path: Path) -> None:
    root = project(tmp_path, extra=LIPSYNC)
    write(root / "script.fountain", SCRIPT.replace("[[shot: close on MARA, no lipsync]]", ""))
    before = syncs(planned(root))
    assert sorted(before) == ["1.2", "1.4"]
    text = (root / "script.fountain").read_text()
    write(root / "script.fountain", text.replace("I know.", "I know, I know."))
    after = syncs(planned(root))
    assert after["1.2"] == before["1.2"]
    assert after["1.4"] != before["1.4"]
    # a change of engine settings re-syncs every shot
    write(root / "film.toml", (root / "film.toml").read_text() + "input = { guidance_scale = 2 }\n")
    assert set(syncs(planned(root)).values()).isdisjoint(after.values())


def test_the_no_lipsync_clause_parses_and_is_named_in_the_hint() -> None:
    assert parse_shot("close on MARA, no lipsync", 3, file="s.fountain").lipsync is False
    assert parse_shot("no lip-sync", 3, file="s.fountain").lipsync is False
    assert parse_shot("close on MARA", 3, file="s.fountain").lipsync is True
    with pytest.raises(ScriptError) as caught:
        parse_shot("no lipsink", 3, file="s.fountain")
    assert "`no lipsync`" in (caught.value.hint or "")


def test_a_backend_that_cannot_lipsync_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = project(tmp_path, extra='\n[lipsync]\nbackend = "piper"\n')
    with pytest.raises(ProjectError) as caught:
        planned(root)
    assert "piper does not lip-sync clips" in caught.value.message
    assert caught.value.line == FILM.count("\n") + 3


def test_plan_says_which_shots_are_synced_and_why_not(tmp_path: Path) -> None:
    report = plan_report(project(tmp_path))
    lips = report["lipsync"]
    assert lips["backend"] == "fal" and lips["synced"] == ["1.2"]
    assert lips["not_synced"]["1.3"] == "the line is off screen (V.O.)"
    assert "1.1" not in lips["not_synced"]  # no dialogue: nothing to say
    assert not any("no generated clip" in w for w in report["warnings"])


def test_the_plan_command_prints_one_line_per_dialogue_shot(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cinecode.cli import app

    result = CliRunner().invoke(app, ["plan", str(project(tmp_path))])
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "lip sync (fal): 1 shot(s) synced: 1.2" in out
    assert "1.3 not synced: the line is off screen (V.O.)" in out
    assert "1.4 not synced: the shot says no lipsync" in out
    assert "1.5 not synced: its picture is a still, not a generated clip" in out
    assert "1.6 not synced: ELI is not in the picture" in out
    assert "1.1 not synced" not in out


def test_a_lipsync_backend_with_no_clips_to_sync_says_so(tmp_path: Path) -> None:
    root = project(tmp_path)
    text = (root / "film.toml").read_text()
    write(
        root / "film.toml",
        text.replace(
            'backend = "fal"\nmodel = "fal-ai/kling', 'backend = "camera"\nmodel = "fal-ai/kling', 1
        ),
    )
    report = plan_report(root)
    assert report["lipsync"]["synced"] == []
    assert any(
        "[lipsync] has no generated clip to sync" in w and "[motion]" in w
        for w in report["warnings"]
    )
    # and make says it too, and builds the film without lip sync (the camera's animatic)
    reporter = RecordingReporter()
    result = make(root, reporter=reporter, workers=2)
    assert result.master.is_file() and not result.stats.failures
    assert any("[lipsync] has no generated clip" in w for w in reporter.of("warning"))
    assert not any(job.step == "lipsync" for job in result.plan.graph)


# --- built through loopback providers ---------------------------------------------------------


def _magenta(frame: np.ndarray[Any, Any]) -> bool:
    mean = frame.reshape(-1, 3).mean(axis=0)
    return bool(np.abs(mean - np.array(SYNCED)).max() < 30)


def _frames(path: Path) -> list[np.ndarray[Any, Any]]:
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _shot_frames(root: Path, p: Plan, shot: str) -> int:
    store = Store(root / ".cinecode")
    try:
        artifact = store.get(p.shots[shot].segment)
        assert artifact is not None
        return int(artifact.meta["frames"])
    finally:
        store.close()


@pytest.fixture()
def fal() -> Iterator[Loopback]:
    import os

    os.environ[ENV] = KEY
    with Loopback(FakeFal(KEY, kind="video", polls=1, seconds=5.0)) as server:
        yield server


def test_fal_syncs_the_clip_and_the_master_shows_the_synced_clip(
    tmp_path: Path, fal: Loopback
) -> None:
    root = project(tmp_path, url=fal.url)
    result = make(root, reporter=RecordingReporter(), workers=2)
    assert not result.stats.failures, result.stats.failures
    provider = fal.provider
    assert isinstance(provider, FakeFal)
    synced = [job for job in provider.jobs.values() if job.get("synced")]
    assert len(synced) == 1
    job = synced[0]
    # the request: fal's queue API for the lip-sync model, the clip and the voice inline
    assert job["model"] == "fal-ai/latentsync"
    assert job["clip"][0] == "video/mp4" and job["clip"][1] == provider.video()
    assert job["voice"][0] in ("audio/wav", "audio/x-wav")
    voice = _wav(job["voice"][1])
    assert np.abs(voice).max() > 0.05  # the line is in it…
    assert np.abs(voice[: int(0.25 * 16000)]).max() < 1e-4  # …after the shot's lead-in
    # the master: exactly the synced shot's frames are the synced clip's colour
    frames = _frames(result.master)
    magenta = sum(_magenta(f) for f in frames)
    assert magenta == _shot_frames(root, result.plan, "1.2")
    # paid like every hosted generation: on the ledger, its provider job kept in the catalog
    ledger = ledger_report(root)
    assert ledger["departments"]["lipsync"]["money"] == pytest.approx(0.2)
    catalog = Catalog(root / ".cinecode" / "catalog.sqlite")
    try:
        kept = catalog.provider_job(result.plan.shots["1.2"].synced)
    finally:
        catalog.close()
    assert kept is not None and kept[0] == "fal" and kept[1] in provider.jobs
    # a changed line re-syncs that shot only
    write(root / "script.fountain", SCRIPT.replace("It still turns.", "It still turns, Eli."))
    again = make(root, reporter=RecordingReporter(), workers=2)
    assert not again.stats.failures
    assert sum(1 for j in provider.jobs.values() if j.get("synced")) == 2
    assert again.stats.generated == 2  # the line's voice and its lip sync; no clip again


def test_replicate_syncs_the_clip_through_its_predictions_api(tmp_path: Path) -> None:
    import os

    os.environ[ENV] = KEY
    with (
        Loopback(FakeFal(KEY, kind="video", polls=1, seconds=5.0)) as fal,
        Loopback(FakeReplicate(KEY, kind="video", polls=2)) as replicate,
    ):
        extra = f"""
[lipsync]
backend = "replicate"
model = "bytedance/latentsync"

[services.replicate]
base_url = "{replicate.url}/v1"
api_key_env = "{ENV}"
poll_interval = 0.02
timeout = 10
"""
        root = project(tmp_path, url=fal.url, extra=extra)
        write(root / "script.fountain", SCRIPT.split("ELI (V.O.)")[0])
        result = make(root, reporter=RecordingReporter(), workers=2)
        assert not result.stats.failures, result.stats.failures
        provider = replicate.provider
        assert isinstance(provider, FakeReplicate)
        (job,) = provider.jobs.values()
        assert job["model"] == "bytedance/latentsync"
        assert set(job["input"]) == {"video", "audio"}
        assert job["clip"][1] == fal.provider.video()  # type: ignore[attr-defined]
        frames = _frames(result.master)
        assert sum(_magenta(f) for f in frames) == _shot_frames(root, result.plan, "1.2")


def _wav(data: bytes) -> np.ndarray[Any, Any]:
    import io
    import wave

    with wave.open(io.BytesIO(data)) as reader:
        assert reader.getframerate() == 16000
        raw = reader.readframes(reader.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


COMFY = """\
title = "Lips"
[format]
width = 160
height = 90
fps = 24

[motion]
backend = "wan"

[backends.wan]
backend = "comfyui"
server = "{url}"
workflow = "workflows/image-to-video.json"
output = "Save Video"
fps = 16
frame_multiple = 4
frame_offset = 1
inputs = {i2v}

[lipsync]
backend = "comfyui"
server = "{url}"
workflow = "workflows/latentsync.json"     # examples/comfyui/latentsync.json
output = "Synced"
inputs = {{ video = "Clip.video", audio = "Voice.audio" }}

[music]
backend = "none"
[effects]
backend = "none"
"""


def test_a_comfyui_latentsync_workflow_syncs_the_clip(tmp_path: Path) -> None:
    import json
    import shutil

    from comfyui_server import I2V, I2V_INPUTS, LATENTSYNC, FakeComfyUI

    server = FakeComfyUI(tmp_path / "comfy")
    server.start()
    try:
        root = tmp_path / "film"
        (root / "workflows").mkdir(parents=True)
        shutil.copy(I2V, root / "workflows")
        shutil.copy(LATENTSYNC, root / "workflows")
        i2v = "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in I2V_INPUTS.items()) + " }"
        write(root / "film.toml", COMFY.format(url=server.url, i2v=i2v))
        write(root / "script.fountain", SCRIPT.split("ELI (V.O.)")[0])
        result = make(root, reporter=RecordingReporter(), workers=1)
        assert not result.stats.failures, result.stats.failures
        synced = [
            p
            for p in server.prompts
            if any(n["class_type"] == "LatentSyncNode" for n in p.values())
        ]
        assert len(synced) == 1
        prompt = synced[0]
        # the clip and the voice were uploaded and loaded by the workflow's nodes
        clip = server.folder / "input" / prompt["1"]["inputs"]["video"]
        assert clip.suffix == ".mp4" and clip.read_bytes()[4:8] == b"ftyp"
        assert prompt["2"]["inputs"]["audio"].endswith(".wav")
        voice = np.frombuffer(server.voices[0], dtype="<i2")
        assert np.abs(voice).max() > 1000  # the line, not silence
        frames = _frames(result.master)
        assert sum(_magenta(f) for f in frames) == _shot_frames(root, result.plan, "1.2")
    finally:
        server.stop()


def test_backends_lists_the_lipsync_engine(tmp_path: Path) -> None:
    from cinecode.commands.inventory import backends_report

    rows = backends_report(project(tmp_path))["backends"]
    (row,) = [r for r in rows if r["modality"] == "lipsync"]
    assert row["backend"] == "fal" and row["used_by"] == ["[lipsync]"]


def test_the_credits_name_the_lipsync_model_and_disclose_it(tmp_path: Path) -> None:
    from cinecode.departments.titles import Maker, credit_sections

    p = planned(project(tmp_path))
    credits = next(job for job in p.graph if job.label == "end credits")
    made = {
        key: Maker(
            p.graph.jobs[key].step,
            p.graph.jobs[key].backend,
            p.graph.jobs[key].params.get("model", ""),
        )
        for key in credits.inputs
    }
    text = repr(credit_sections(credits.params, made))
    assert "Lip sync" in text and "fal-ai/latentsync" in text
    assert "lip movements" in text
