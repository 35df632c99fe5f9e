"""The edit, without rendering: the cut's order, transitions, styles, timing and decisions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cinecode.departments.edit import sound_offsets, transition_kind
from cinecode.departments.timing import scene_frames, spec, voice_windows
from cinecode.errors import ProjectError
from cinecode.media.audio import AAC_FRAME, quantum_frames, samples_per_frame
from cinecode.media.blend import jump_cuts, weight
from cinecode.media.video import Camera, camera_path
from cinecode.media.window import windowed
from cinecode.pipeline.plan import State, plan
from cinecode.pipeline.session import load
from cinecode.project.cut import Cut, Event, Transition, format_cut, read_cut

SCRIPT = """\
Title: Tides

>FADE IN:

EXT. BEACH - DAY

Waves roll in over the sand.

ANNA
The tide is early today.

BEN
It always is, when you wait for it.

ANNA
Then let us stop waiting.

DISSOLVE TO:

INT. HUT - NIGHT

A lamp flickers.

BEN
Goodnight, Anna.

SMASH CUT TO:

EXT. CLIFF - NIGHT

Rain, sideways.

>FADE OUT.
"""


def project(tmp_path: Path, *, style: str = "continuity", script: str = SCRIPT) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "film.toml").write_text(
        f'title = "Tides"\n[format]\nwidth = 320\nheight = 180\n[edit]\nstyle = "{style}"\n',
        encoding="utf-8",
    )
    (tmp_path / "script.fountain").write_text(script, encoding="utf-8")
    return tmp_path


def shot_ids(arrangement: object) -> list[str]:
    return [p.id for p in arrangement.placed]  # type: ignore[attr-defined]


# --- the screenplay's cut ----------------------------------------------------------------------


def test_screenplay_transitions_become_dissolves_fades_and_cuts(tmp_path: Path) -> None:
    loaded = load(project(tmp_path))
    cut = plan(loaded.film, loaded.project, State()).arrangement
    assert cut is not None
    kinds = {(t.kind, t.after, t.before, t.frames) for t in cut.transitions}
    first, *_, last = loaded.film.shots
    scene1, scene2, scene3 = loaded.film.scenes
    assert kinds == {
        ("fade-in", "", first.id, 24),
        ("dissolve", scene1.shots[-1].id, scene2.shots[0].id, 24),
        ("fade-out", last.id, "", 24),
    }  # SMASH CUT TO: is a cut
    assert [r.id for r in cut.reels] == ["title", "1", "2", "3", "credits"]
    assert shot_ids(cut) == ["title", *(s.id for s in loaded.film.shots), "credits"]
    del scene3


def test_dissolve_is_centred_on_the_cut_and_drawn_from_both_takes(tmp_path: Path) -> None:
    loaded = load(project(tmp_path))
    p = plan(loaded.film, loaded.project, State())
    a, b = loaded.film.scenes[0].shots[-1], loaded.film.scenes[1].shots[0]
    out = p.graph.jobs[p.shots[a.id].segment]
    into = p.graph.jobs[p.shots[b.id].segment]
    assert out.params["tail"]["frames"] + into.params["head"]["frames"] == 24
    assert into.params["head"]["offset"] == out.params["tail"]["frames"]
    # each side takes the other shot's take (and voices) as inputs: it draws its frames
    assert p.shots[b.id].picture in out.inputs
    assert p.shots[a.id].picture in into.inputs


def test_transition_words() -> None:
    assert transition_kind("DISSOLVE TO:") == ("dissolve",)
    assert transition_kind("FADE OUT.") == ("fade-out",)
    assert transition_kind("FADE IN:") == ("fade-in",)
    assert transition_kind("FADE TO:") == ("fade-out", "fade-in")
    assert transition_kind("SMASH CUT TO:") == ()
    assert transition_kind("CUT TO:") == ()


def test_jump_cut_style_cuts_hard_tightens_and_jumps(tmp_path: Path) -> None:
    continuity = load(project(tmp_path / "a"))
    jump = load(project(tmp_path / "b", style="jump-cut"))
    p = plan(jump.film, jump.project, State())
    assert p.arrangement is not None
    assert {t.kind for t in p.arrangement.transitions} == {"fade-in", "fade-out"}  # no dissolve
    dialogue = next(s for s in jump.film.shots if s.lines)
    segment = p.graph.jobs[p.shots[dialogue.id].segment]
    own = segment.params["shots"][segment.params["index"]]
    assert own["lead"] < 0.3 and own["tail"] < 0.55  # in on the first word, out on the last
    action = next(s for s in jump.film.shots if not s.lines and s.duration)
    c = plan(continuity.film, continuity.project, State())
    a_spec = c.graph.jobs[c.shots[action.id].segment].params
    j_spec = p.graph.jobs[p.shots[action.id].segment].params
    assert j_spec["shots"][j_spec["index"]]["fixed"] < a_spec["shots"][a_spec["index"]]["fixed"]


def test_edit_style_is_checked_in_film_toml(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as err:
        load(project(tmp_path, style="montage"))
    assert "film.toml:6: `edit.style`" in str(err.value)


def test_jump_cuts_punch_in_and_out() -> None:
    path = [Camera(zoom=1.0)] * 6
    jumped = jump_cuts(path, [2, 4])
    assert [c.zoom > 1.0 for c in jumped] == [False, False, True, True, False, False]


# --- the editor's cut ----------------------------------------------------------------------


def _fingerprints(loaded: object) -> dict[str, str]:
    from cinecode.departments.edit import fingerprint
    from cinecode.pipeline.plan import timing_spec

    p = plan(loaded.film, loaded.project, State())  # type: ignore[attr-defined]
    return {sid: fingerprint(timing_spec(sp.shot), sp.voices) for sid, sp in p.shots.items()}


def test_editor_cut_order_removals_and_trims_reach_the_plan(tmp_path: Path) -> None:
    loaded = load(project(tmp_path))
    prints = _fingerprints(loaded)
    ids = [s.id for s in loaded.film.shots]
    cut = Cut(
        events=(
            Event("title", frames=96),
            Event(ids[1], trim=12, frames=40, source=60, fingerprint=prints[ids[1]]),
            Event(ids[0], frames=30, source=30, fingerprint=prints[ids[0]]),
            *(Event(i, frames=50, source=50, fingerprint=prints[i]) for i in ids[3:]),
            Event("credits", frames=192),
        ),
        removed=frozenset({ids[2]}),
    )
    p = plan(loaded.film, loaded.project, State(cut=cut))
    assert p.arrangement is not None and p.notes == []
    assert shot_ids(p.arrangement) == ["title", ids[1], ids[0], *ids[3:], "credits"]
    trimmed = p.graph.jobs[p.shots[ids[1]].segment].params
    assert trimmed["span"] == {"first": 12, "basis": 60}
    assert trimmed["shots"][trimmed["index"]]["frames"] == 40
    # the removed shot's voices are not heard: no reel's dialogue places them
    stems = [j for j in p.graph.needed_for([p.targets["master"]]) if j.step == "scene-stems"]
    heard = {k for j in stems for k in j.inputs[: len(j.params["lines"])]}
    assert not set(p.shots[ids[2]].voices) & heard


def test_script_changes_keep_what_they_can_and_say_what_they_cannot(tmp_path: Path) -> None:
    loaded = load(project(tmp_path))
    prints = _fingerprints(loaded)
    ids = [s.id for s in loaded.film.shots]
    cut = Cut(
        events=(
            *(Event(i, trim=4, frames=40, source=44, fingerprint=prints[i]) for i in ids[::-1]),
            Event("9.9", frames=10),
        ),
        removed=frozenset(),
        transitions=(Transition("dissolve", 12, after=ids[0], before=ids[1]),),
    )
    changed = SCRIPT.replace("The tide is early today.", "The tide is late today, love.")
    (tmp_path / "script.fountain").write_text(changed, encoding="utf-8")
    edited = load(tmp_path)
    p = plan(edited.film, edited.project, State(cut=cut))
    assert p.arrangement is not None
    notes = " ".join(p.notes)
    assert "9.9 is no longer in the screenplay" in notes
    speaking = next(s.id for s in edited.film.shots if "late today" in " ".join(
        line.text for line in s.lines
    ))  # fmt: skip
    assert f"shot {speaking} changed since the edit" in notes
    assert "no longer joins" in notes  # the dissolve's shots are no longer adjacent
    kept = {pl.id: pl.event for pl in p.arrangement.placed}
    assert kept[speaking] is None  # timed afresh
    assert all(kept[i] is not None for i in ids if i != speaking)  # the rest keep their trims


def test_cut_file_round_trips_and_damage_names_the_file(tmp_path: Path) -> None:
    cut = Cut(
        events=(Event("1.1", trim=-3, frames=40, source=50, fingerprint="ab"), Event("title")),
        removed=frozenset({"1.2"}),
        transitions=(Transition("fade-out", 24, after="1.1"),),
        source="edit.xml",
    )
    path = tmp_path / "cut.toml"
    path.write_text(format_cut(cut, fps=24), encoding="utf-8")
    assert read_cut(path) == cut
    path.write_text('[[shot]]\nid = "1.1"\nframes = 0\n', encoding="utf-8")
    with pytest.raises(ProjectError) as err:
        read_cut(path)
    assert "cut.toml" in str(err.value) and "delete it" in str(err.value)


# --- time -----------------------------------------------------------------------------------


def test_editor_timed_shots_are_never_padded() -> None:
    shots = [spec(fixed=2.0), {**spec(fixed=2.0), "frames": 37}, spec(fixed=1.0)]
    frames = scene_frames(shots, [[], [], []], fps=24, quantum=64)
    assert frames[1] == 37
    assert (frames[0] + frames[2]) % 64 == 0  # the others carry the padding
    fixed = [{**spec(fixed=2.0), "frames": 37}, {**spec(fixed=1.0), "frames": 5}]
    assert scene_frames(fixed, [[], []], fps=24, quantum=64) == [37, 5]


def test_a_trim_moves_voices_earlier_and_windows_follow_the_shots() -> None:
    shots = [spec(voices=1), {**spec(voices=1), "trim": 0.5, "frames": 24}]
    windows = voice_windows(shots, [[1.0], [1.0]], [48, 24], 24)
    (_, b0, e0), (s1, b1, e1) = windows
    assert (b0, e0, b1, e1) == (0.0, 2.0, 2.0, 3.0)
    assert s1 == pytest.approx(2.0 + 0.3 - 0.5)  # LEAD, less the trim: starts before its shot


def test_sound_follows_picture_with_soft_edges() -> None:
    voice = np.ones((1, 1000), dtype=np.float32)
    same, at = windowed(voice, 100, 0, 2000)
    assert same is voice and at == 100
    cut, at = windowed(voice, 100, 400, 900)
    assert at == 400 and cut.shape[1] == 500
    assert cut[0, 0] == 0.0 and cut[0, -1] == 0.0 and cut[0, 250] == 1.0


def test_reels_of_any_length_splice_at_aac_frames() -> None:
    spf = samples_per_frame(24, 48000)
    q = quantum_frames(24, 48000)
    assert sound_offsets([0, 0, 0], fps=24, rate=48000) == [(0, 0)] * 3
    offsets = sound_offsets([37, 0, 5, 22], fps=24, rate=48000)
    at = 0
    for (offset, overhang), residue in zip(offsets, [37, 0, 5, 22], strict=True):
        assert offset == (-at) % AAC_FRAME
        at += residue * spf
        assert (at + overhang) % AAC_FRAME == 0 and 0 <= overhang < AAC_FRAME
    assert offsets[1][0] == offsets[0][1]  # what one reel runs on, the next skips
    del q


def test_dissolve_weights_rise_through_the_transition() -> None:
    weights = [weight(k, 24) for k in range(24)]
    assert weights == sorted(weights) and 0 < weights[0] < 0.05 and 0.95 < weights[-1] < 1
    assert weights[11] + weights[12] == pytest.approx(1.0)


def test_camera_path_window_matches_the_whole_move() -> None:
    whole = camera_path("push-in", 40, fps=24, seed=3)
    part = camera_path("push-in", 40, fps=24, seed=3, first=10, count=20)
    assert part == whole[10:30]
    held = camera_path("push-in", 40, fps=24, seed=3, first=-2, count=4)
    assert held[:3] == [whole[0]] * 3  # before the move: its first framing, held


def test_sound_fades_with_the_picture(tmp_path: Path) -> None:
    from cinecode.departments.master import _faded

    loaded = load(project(tmp_path))
    p = plan(loaded.film, loaded.project, State())
    fades = [p.graph.jobs[key].params.get("fades") for key in p.reels]
    last = len(loaded.film.scenes[-1].shots) - 1
    assert fades == [None, [[0, "in", 24]], None, [[last, "out", 24]], None]
    audio = np.ones((2, 10 * 2000), dtype=np.float32)
    faded = _faded(audio, [[0, "in", 2], [1, "out", 3]], [4, 6])
    assert faded[0, 0] == 0.0 and faded[0, 4000] == 1.0  # up over the first 2 frames
    assert faded[0, -1] < 0.01 and faded[0, 14000 - 1] == 1.0  # down over the last 3


def test_a_shot_moved_into_another_scene_splits_the_reels(tmp_path: Path) -> None:
    loaded = load(project(tmp_path))
    one, two, _ = loaded.film.scenes
    moved = one.shots[-1].id
    order = [s.id for s in loaded.film.shots if s.id != moved]
    at = order.index(two.shots[0].id) + 1
    order.insert(at, moved)
    cut = Cut(events=(Event("title"), *(Event(i) for i in order), Event("credits")))
    p = plan(loaded.film, loaded.project, State(cut=cut))
    assert p.arrangement is not None
    assert [r.id for r in p.arrangement.reels] == ["title", "1", "2", "1~2", "2~2", "3", "credits"]
    reels = [p.graph.jobs[key] for key in p.reels[1:-1]]
    mixes = [
        p.graph.jobs[job.inputs[job.params["segments"]]] for job in reels
    ]  # after its segments
    assert all(job.step == "scene-mix" for job in mixes)
    # the moved shot's voices play in its new reel (its mix sums its stems, made of them)
    stems = [p.graph.jobs[job.inputs[0]] for job in mixes]
    assert all(job.step == "scene-stems" for job in stems)
    assert set(p.shots[moved].voices) <= set(stems[2].inputs)


def test_the_opening_notice_leads_the_screenplays_cut_and_an_editors(tmp_path: Path) -> None:
    """`[provenance] notice = true`: the notice card opens the film, before the title, in the
    screenplay's cut and in an editor's cut made without it (placed first, with no note)."""
    root = project(tmp_path)
    with (root / "film.toml").open("a", encoding="utf-8") as toml:
        toml.write("[provenance]\nnotice = true\n")
    loaded = load(root)
    ids = [s.id for s in loaded.film.shots]
    p = plan(loaded.film, loaded.project, State())
    assert p.arrangement is not None
    assert shot_ids(p.arrangement) == ["notice", "title", *ids, "credits"]
    prints = _fingerprints(loaded)
    cut = Cut(
        events=(
            Event("title", frames=96),
            *(Event(i, frames=50, source=50, fingerprint=prints[i]) for i in ids[::-1]),
            Event("credits", frames=192),
        ),
        removed=frozenset(),
    )
    edited = plan(loaded.film, loaded.project, State(cut=cut))
    assert edited.arrangement is not None and edited.notes == []
    assert shot_ids(edited.arrangement) == ["notice", "title", *ids[::-1], "credits"]
    # silent: no cue is composed for it, as the title has
    cues = {j.scene for j in p.graph.needed_for([p.targets["master"]]) if j.step == "music-cue"}
    assert "title" in cues and "notice" not in cues
