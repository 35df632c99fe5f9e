"""The composer: real music written for a mood and an exact length, rendered offline.

Scores are checked in their MIDI (tempo, mode, instruments, rests), renders in their audio.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from cinecode.backends.composer.backend import ComposerBackend
from cinecode.backends.composer.composition import (
    STYLES,
    CueSpec,
    chord,
    compose,
    resolve_mood,
    theme_motif,
    voicing,
)
from cinecode.backends.protocols import MusicRequest
from cinecode.departments.mood import MOODS
from cinecode.media.audio import read_audio
from cinecode.media.dsp import generator

RATE = 48000


def midi_bytes(spec: CueSpec) -> bytes:
    buffer = io.BytesIO()
    compose(spec).midi.write(buffer)
    return buffer.getvalue()


def third_above_tonic(spec: CueSpec) -> set[int]:
    """Which thirds (3 = minor, 4 = major) above the tonic the pads and bass play."""
    score = compose(spec)
    classes = {
        (note.pitch - score.tonic) % 12
        for inst in score.midi.instruments
        if inst.name.startswith("pad") or inst.name == "bass"
        for note in inst.notes
    }
    return classes & {3, 4}


def test_every_mood_the_department_infers_has_a_style() -> None:
    assert set(MOODS) == set(STYLES)


def test_free_text_moods_find_their_style() -> None:
    assert resolve_mood("tense") == "tense"
    assert resolve_mood("a slow-burning dread") == "ominous"
    assert resolve_mood("grief at the graveside") == "melancholy"
    assert resolve_mood("victorious, heroic") == "triumphant"
    assert resolve_mood("something nobody has words for") == "calm"


def test_moods_differ_in_tempo_mode_and_instruments() -> None:
    tense = compose(CueSpec("tense", 30.0, seed=3))
    tender = compose(CueSpec("tender", 30.0, seed=3))
    ominous = compose(CueSpec("ominous", 30.0, seed=3))
    triumphant = compose(CueSpec("triumphant", 30.0, seed=3))
    # tempo: a chase of nerves against a lullaby
    assert tense.tempo > 85 > 72 > tender.tempo
    assert ominous.tempo < 65 < triumphant.tempo
    # mode: the tonic's third is minor in tense, major in tender
    assert third_above_tonic(CueSpec("tense", 30.0, seed=3)) == {3}
    assert 4 in third_above_tonic(CueSpec("tender", 30.0, seed=3))
    assert tense.mode == "minor" and tender.mode == "major" and ominous.mode == "phrygian"
    # instruments: tremolo strings and timpani for tension, piano for tenderness, horn on top
    assert 44 in tense.programs.values() and 47 in tense.programs.values()
    assert tender.programs["lead"] == 0 and 47 not in tender.programs.values()
    assert triumphant.programs["lead"] == 60
    # metre: tender waltzes
    assert tender.beats == 3 and tense.beats == 4


def test_the_bars_fill_the_cue_exactly() -> None:
    for seconds in (3.7, 12.0, 47.3):
        score = compose(CueSpec("calm", seconds, seed=1))
        bar = score.beats * 60 / score.tempo
        assert score.bars * bar == pytest.approx(seconds, abs=1e-9)
        lo, hi = STYLES["calm"].tempo
        if seconds > 10:  # long cues stay near the style's tempo
            assert lo * 0.85 <= score.tempo <= hi * 1.15


def test_a_cue_cadences_home_unless_it_is_cut() -> None:
    ring = compose(CueSpec("tense", 20.0, seed=4, ending="ring"))
    cut = compose(CueSpec("tense", 20.0, seed=4, ending="cut"))
    assert ring.chords[-1] == "i" and ring.chords[-2] == "V"
    # a smash cut interrupts the progression: the cue does not resolve on its last bar
    assert cut.chords[-2:] != ["V", "i"]


def test_the_melody_rests_while_people_speak() -> None:
    quiet = ((4.0, 9.0), (14.0, 20.0))
    score = compose(CueSpec("romantic", 30.0, seed=2, quiet=quiet))
    free = compose(CueSpec("romantic", 30.0, seed=2))
    lead = next(i for i in score.midi.instruments if i.name == "lead")
    free_lead = next(i for i in free.midi.instruments if i.name == "lead")
    for note in lead.notes:
        for start, end in quiet:
            assert note.end <= start or note.start >= end, (note.start, note.end)
    assert len(free_lead.notes) > len(lead.notes) > 0  # it sings in the gaps


def test_the_film_shares_one_theme() -> None:
    assert theme_motif(generator(7, "theme"), 4) == theme_motif(generator(7, "theme"), 4)
    cell, contour = theme_motif(generator(7, "theme"), 4)
    assert sum(cell) == 4 and len(contour) == len(cell)
    # the cues of one film stay in its home key or the keys next to it
    tonics = {compose(CueSpec("calm", 8.0, seed=s, theme=7)).tonic for s in range(16)}
    assert any(tonics <= {h, (h + 5) % 12, (h + 7) % 12, (h + 10) % 12} for h in range(12))
    assert len(tonics) > 1


def test_chords_and_voice_leading() -> None:
    assert chord("V", 0, "minor").classes == {7, 11, 2}  # harmonic minor's dominant
    assert chord("VI", 0, "minor").classes == {8, 0, 3}
    assert chord("II", 0, "phrygian").classes == {1, 5, 8}  # the Neapolitan colour
    c, f = chord("I", 0, "major"), chord("IV", 0, "major")
    first = voicing(c, None)
    second = voicing(f, first)
    assert sum(abs(a - b) for a, b in zip(sorted(first), sorted(second), strict=False)) <= 4


def test_same_seed_same_bytes_other_seed_other_music() -> None:
    spec = CueSpec("hopeful", 16.0, seed=11, tail=3.0)
    assert midi_bytes(spec) == midi_bytes(spec)
    assert midi_bytes(spec) != midi_bytes(CueSpec("hopeful", 16.0, seed=12, tail=3.0))


@pytest.fixture(scope="module")
def composer() -> ComposerBackend:
    backend = ComposerBackend()
    status = backend.status()
    assert status.state == "ready", f"{status.detail}: {status.fix}"
    return backend


def render(composer: ComposerBackend, out: Path, **fields: object) -> tuple[np.ndarray, Path]:
    out.mkdir(parents=True, exist_ok=True)
    request = MusicRequest(**{"mood": "calm", "duration": 8.0, "seed": 1, **fields})  # type: ignore[arg-type]
    made = composer.compose(request, out)
    return read_audio(made.path), made.path


def test_renders_exactly_the_requested_length_and_is_deterministic(
    composer: ComposerBackend, tmp_path: Path
) -> None:
    a, path_a = render(composer, tmp_path / "a", mood="tense", duration=7.25, seed=5, tail=2.0)
    _, path_b = render(composer, tmp_path / "b", mood="tense", duration=7.25, seed=5, tail=2.0)
    assert a.shape == (2, round(7.25 * RATE))
    digest = hashlib.sha256
    assert digest(path_a.read_bytes()).digest() == digest(path_b.read_bytes()).digest()
    assert (tmp_path / "a" / "cue.mid").is_file()
    assert pretty_midi.PrettyMIDI(str(tmp_path / "a" / "cue.mid")).instruments
    assert float(np.sqrt(np.mean(a**2))) > 0.005  # it is music, not silence


def test_a_ring_ending_sounds_in_its_tail_a_cut_stops_dead(
    composer: ComposerBackend, tmp_path: Path
) -> None:
    ring, _ = render(composer, tmp_path / "ring", duration=9.0, tail=3.0, ending="ring")
    cut, _ = render(composer, tmp_path / "cut", duration=6.0, tail=0.0, ending="cut")
    body = 6 * RATE
    tail_level = float(np.sqrt(np.mean(ring[:, body + RATE // 2 : body + RATE] ** 2)))
    assert tail_level > 0.002  # the last chord and the hall ring on under the next scene
    assert float(np.abs(cut[:, -1]).max()) < 1e-4  # it stops on its last sample (8 ms declick)
    assert float(np.sqrt(np.mean(cut[:, body - RATE : body - RATE // 2] ** 2))) > 0.002


def test_unknown_settings_and_impossible_cues_are_refused(tmp_path: Path) -> None:
    from cinecode.errors import BackendError

    with pytest.raises(BackendError, match="unknown parameter"):
        ComposerBackend(orchestra="big")
    with pytest.raises(BackendError, match="cannot be composed"):
        ComposerBackend().compose(MusicRequest(mood="calm", duration=0.0, seed=1), tmp_path)
    status = ComposerBackend(soundfont=str(tmp_path / "missing.sf2")).status()
    assert status.state == "missing model" and "soundfont" in status.fix
