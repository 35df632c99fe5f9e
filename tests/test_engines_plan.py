"""Planning with local engines (pure: no engine runs): clips, named engines, continuity,
stable clip lengths, per-character seeds, finishing."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cinecode.departments.clip import clip_seconds
from cinecode.departments.finishing import finished_format
from cinecode.errors import ProjectError
from cinecode.pipeline.plan import Plan, TakeInfo, plan, plan_takes
from cinecode.pipeline.session import load, state_for
from cinecode.project.picks import Choice
from cinecode.script.directives import parse_shot

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """Title: Plans

INT. LAMP ROOM - NIGHT

[[shot: wide on MARA, 3s]]
Mara climbs the last steps.

[[shot: close on MARA, continuous]]

MARA
It still turns.

[[shot: close on ELI]]

ELI
Every night for forty years.
"""
FILM = """title = "Plans"
[format]
width = 320
height = 180
fps = 24

[storyboard]
backend = "{storyboard}"

[motion]
backend = "{motion}"

[backends.flux]
backend = "comfyui"
workflow = "workflows/text-to-image.json"

[backends.wan]
backend = "diffusers"
model = "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers"
fps = 16
frame_multiple = 4
frame_offset = 1
clip_step = 2.0

[characters.MARA]
description = "Mara"
seed = 7

[characters.ELI]
description = "Eli"
{extra}"""


def project(
    tmp_path: Path,
    *,
    storyboard: str = "flux",
    motion: str = "wan",
    script: str = SCRIPT,
    extra: str = "",
) -> Path:
    (tmp_path / "workflows").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "examples" / "comfyui" / "text-to-image.json", tmp_path / "workflows")
    (tmp_path / "script.fountain").write_text(script)
    text = FILM.format(storyboard=storyboard, motion=motion, extra=extra)
    (tmp_path / "film.toml").write_text(text)
    return tmp_path


def planned(root: Path) -> Plan:
    loaded = load(root)
    return plan(loaded.film, loaded.project, state_for(loaded, None))


def pictures(p: Plan) -> dict[str, str]:
    return {shot_id: sp.picture for shot_id, sp in p.shots.items()}


def test_a_video_engine_makes_clip_takes_from_keyframes(tmp_path: Path) -> None:
    p = planned(project(tmp_path))
    first = p.graph.jobs[p.shots["1.1"].picture]
    assert first.step == "clip" and first.take and first.backend == "diffusers"
    keyframe = p.graph.jobs[first.inputs[0]]
    assert keyframe.step == "keyframe" and not keyframe.take and keyframe.backend == "comfyui"
    # the key holds the workflow's content; where the file lies is a setting of the run
    assert "workflow" not in keyframe.params["backend_params"]
    assert len(keyframe.params["backend_params"]["workflow_digest"]) == 64
    assert keyframe.settings["backend"]["workflow"].endswith("text-to-image.json")
    segment = p.graph.jobs[p.shots["1.1"].segment]
    assert segment.inputs[0] == first.key  # the segment conforms the clip


def test_a_picked_clip_take_made_earlier_plans_without_its_keyframe(tmp_path: Path) -> None:
    loaded = load(project(tmp_path))
    state = state_for(loaded, None)
    shot = loaded.film.shots[0]
    scene = loaded.film.scene_of(shot.id)
    chain = plan_takes(shot, scene, loaded.film, loaded.project, state, seeds=[999])[0]
    clip = chain[-1]  # made by an earlier make; its keyframe is in the store, not the graph
    take = TakeInfo(key=clip.key, seed=999, version="", job=clip)
    state = replace(
        state,
        takes={shot.id: [take]},
        picks={shot.id: Choice(pick=clip.key[:12], locked=True)},
    )
    p = plan(loaded.film, loaded.project, state)
    assert p.shots[shot.id].picture == clip.key and p.shots[shot.id].reason == "locked"
    assert clip.inputs[0] not in p.graph


def test_continuous_action_starts_from_the_previous_shots_picture(tmp_path: Path) -> None:
    p = planned(project(tmp_path))
    second = p.graph.jobs[p.shots["1.2"].picture]
    assert second.params["continuous"] is True
    assert second.inputs == (p.shots["1.1"].picture,)
    third = p.graph.jobs[p.shots["1.3"].picture]
    assert p.graph.jobs[third.inputs[0]].step == "keyframe"


def test_one_line_switches_one_shot_and_only_that_shot(tmp_path: Path) -> None:
    before = pictures(planned(project(tmp_path)))
    script = SCRIPT.replace("[[shot: close on ELI]]", "[[shot: close on ELI, motion camera]]")
    after_plan = planned(project(tmp_path, script=script))
    after = pictures(after_plan)
    assert after["1.1"] == before["1.1"] and after["1.2"] == before["1.2"]
    assert after["1.3"] != before["1.3"]
    assert after_plan.graph.jobs[after["1.3"]].step == "keyframe"


def test_an_animatic_film_and_a_generated_shot_coexist(tmp_path: Path) -> None:
    script = SCRIPT.replace("[[shot: close on ELI]]", "[[shot: close on ELI, motion wan]]")
    p = planned(project(tmp_path, storyboard="sketch", motion="camera", script=script))
    steps = {shot: p.graph.jobs[sp.picture].step for shot, sp in p.shots.items()}
    assert steps == {"1.1": "keyframe", "1.2": "keyframe", "1.3": "clip"}


def test_takes_of_a_shot_share_a_version_that_follows_the_keyframe(tmp_path: Path) -> None:
    from cinecode.pipeline.plan import State, chain_version

    root = project(tmp_path)
    loaded = load(root)
    state = state_for(loaded, None)
    three = plan(loaded.film, loaded.project, State(digests=state.digests, takes_wanted=3))

    def version(plan_: Any, clip: Any) -> str:  # a clip take with the keyframe it animates
        return chain_version([plan_.graph.jobs[clip.inputs[0]], clip])

    takes = [j for j in three.graph if j.step == "clip" and j.shot == "1.3"]
    assert len(takes) == 3 and len({version(three, j) for j in takes}) == 1
    workflow = root / "workflows" / "text-to-image.json"
    workflow.write_text(workflow.read_text().replace('"cfg": 6.5', '"cfg": 5.0'))
    after = planned(root)
    clip = after.graph.jobs[after.shots["1.3"].picture]
    assert version(after, clip) != version(three, takes[0])


def test_clip_length_is_rounded_up_and_stable() -> None:
    params = {"clip_step": 2.0}
    assert clip_seconds(1.9, params) == 4.0
    assert {clip_seconds(e, params) for e in (2.0, 2.3, 2.6, 3.2)} == {4.0}
    assert clip_seconds(5.0, {"durations": [5, 10]}) == 10.0
    assert clip_seconds(30.0, {"durations": [5, 10]}) == 10.0
    assert clip_seconds(9.0, {"clip_step": 1.0, "max_seconds": 6}) == 6.0


def test_a_small_dialogue_edit_keeps_the_clip(tmp_path: Path) -> None:
    before = planned(project(tmp_path))
    script = SCRIPT.replace("Every night for forty years.", "Every single night for forty years.")
    after = planned(project(tmp_path, script=script))
    assert after.shots["1.3"].picture == before.shots["1.3"].picture
    assert after.shots["1.3"].voices != before.shots["1.3"].voices


def test_characters_keep_their_seed_with_generative_engines_only(tmp_path: Path) -> None:
    generated = planned(project(tmp_path))
    assert generated.graph.jobs[generated.shots["1.1"].picture].seed == 7  # MARA's seed
    sketched = planned(project(tmp_path / "b", storyboard="sketch", motion="camera"))
    assert sketched.graph.jobs[sketched.shots["1.1"].picture].seed != 7


def test_a_missing_workflow_is_a_project_error_at_its_line(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "workflows" / "text-to-image.json").unlink()
    with pytest.raises(ProjectError) as caught:
        planned(root)
    lines = (root / "film.toml").read_text().splitlines()
    assert lines[(caught.value.line or 0) - 1].startswith("workflow =")
    assert "workflow file" in caught.value.message
    assert "Export (API)" in caught.value.hint


def test_editing_the_workflow_changes_the_keyframes(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = planned(root)
    workflow = root / "workflows" / "text-to-image.json"
    workflow.write_text(workflow.read_text().replace('"steps": 25', '"steps": 30'))
    after = planned(root)
    assert all(after.shots[s].picture != before.shots[s].picture for s in ("1.1", "1.3"))


def test_an_engine_that_makes_no_video_cannot_move_a_shot(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as caught:
        planned(project(tmp_path, motion="piper"))
    assert "does not make video" in caught.value.message


def test_finishing_plans_one_finish_per_segment(tmp_path: Path) -> None:
    extra = '\n[finishing]\nupscale = "1280x720"\nupscaler = "lanczos"\nfps = 48\n'
    root = project(tmp_path, storyboard="sketch", motion="camera", extra=extra)
    p = planned(root)
    assert finished_format(load(root).project) == (1280, 720, 48)
    reels = [p.graph.jobs[key] for key in p.reels]
    for reel in reels:
        finishes = [p.graph.jobs[k] for k in reel.inputs[: reel.params["segments"]]]
        assert all(job.step == "finish" for job in finishes)
        assert all(job.params["upscale"]["backend"] == "lanczos" for job in finishes)
        assert all(job.params["interpolate"]["backend"] == "minterpolate" for job in finishes)
    plain = planned(project(tmp_path / "plain", storyboard="sketch", motion="camera"))
    assert not [job for job in plain.graph if job.step == "finish"]


def test_finishing_through_a_comfyui_workflow_follows_the_workflow_file(tmp_path: Path) -> None:
    extra = (
        '\n[backends.rife]\nbackend = "comfyui"\nworkflow = "workflows/text-to-image.json"\n'
        '\n[finishing]\nfps = 48\ninterpolator = "rife"\n'
    )
    root = project(tmp_path, storyboard="sketch", motion="camera", extra=extra)
    finishes = [job for job in planned(root).graph if job.step == "finish"]
    assert finishes and all(j.params["interpolate"]["backend"] == "comfyui" for j in finishes)
    workflow = root / "workflows" / "text-to-image.json"
    workflow.write_text(workflow.read_text().replace("{", "{ ", 1))
    edited = {job.key for job in planned(root).graph if job.step == "finish"}
    assert edited.isdisjoint(job.key for job in finishes)  # the file is part of the key


def test_finishing_fps_must_be_a_whole_multiple(tmp_path: Path) -> None:
    extra = "\n[finishing]\nfps = 30\n"
    root = project(tmp_path, storyboard="sketch", motion="camera", extra=extra)
    with pytest.raises(ProjectError) as caught:
        planned(root)
    lines = (root / "film.toml").read_text().splitlines()
    assert "whole multiple" in caught.value.message
    assert lines[(caught.value.line or 0) - 1] == "fps = 30"


def test_shot_directives_name_a_motion_engine_and_continuity() -> None:
    directive = parse_shot("close on MARA, motion wan, continuous", 3, file="s.fountain")
    assert directive.motion == "wan" and directive.continuous
