"""The animatic's speaking mouth: on the tiny project (a line with a pause, a line heard off
screen), the speaker's mouth opens and closes while the voice is heard and holds still, closed,
where it is silent; a line from off screen moves no mouth; the keyframes stay as drawn.

Checked from the pixels of the mouth (the keyframe's meta says where it is) in the decoded
segment, against the voice's own envelope, computed here from its samples."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from helpers import cinecode, decode_audio
from PIL import Image

from cinecode.departments.timing import layout
from cinecode.graph.catalog import Artifact
from cinecode.graph.store import Store
from cinecode.media.mouth import boxes_of, drawn, estimated, pictures
from cinecode.pipeline.session import Session

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("mouth")]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: ANNA's line, with a pause of a second in its middle
PAUSED = "ANNA\nThere it is.\n(pause)\nThe lighthouse, at last.\n"
#: a mouth region is "closed and still" within this (mean |Δ| of 8-bit RGB, encoder noise)
STILL = 6.0
#: and "open" beyond this
OPEN = 12.0


@dataclass(frozen=True)
class Segment:
    """A built shot's segment: its params, keyframe, voices and decoded frames."""

    params: dict[str, Any]
    keyframe: Artifact
    voices: list[Artifact]
    frames: list[np.ndarray]
    store: Store

    def voice_path(self, index: int) -> Path:
        return self.store.path(self.voices[index])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tiny project, ANNA's line given a pause, built once."""
    root = tmp_path_factory.mktemp("mouth") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    script = root / "script.fountain"
    text = script.read_text(encoding="utf-8")
    assert "ANNA\nThere it is.\n" in text
    script.write_text(text.replace("ANNA\nThere it is.\n", PAUSED), encoding="utf-8")
    run = cinecode("make", root)
    assert run.code == 0, run.err
    yield root


def segment(root: Path, shot: str) -> Segment:
    with Session.open(root) as session:
        graph = session.replan().graph
        [job] = [j for j in graph if j.step == "segment" and j.shot == shot]
    store = Store(root / ".cinecode")
    artifact = store.get(job.key)
    assert artifact is not None
    keyframe = store.get(job.inputs[0])
    voices = [store.get(key) for key in job.inputs[1:]]
    assert keyframe is not None and all(v is not None for v in voices)
    with av.open(str(store.path(artifact))) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return Segment(job.params, keyframe, [v for v in voices if v is not None], frames, store)


def openness(seg: Segment) -> np.ndarray:
    """Per frame: how far the mouth region is from the first frame's (closed, before the
    line), as mean |Δ| of its pixels."""
    x0, y0, x1, y1 = seg.keyframe.meta["mouths"][0]["box"]
    scale = seg.frames[0].shape[1] / seg.keyframe.meta["width"]
    box = (int(x0 * scale) - 1, int(y0 * scale) - 1, int(x1 * scale) + 2, int(y1 * scale) + 2)
    regions = [f[box[1] : box[3], box[0] : box[2]].astype(np.float32) for f in seg.frames]
    return np.array([np.abs(r - regions[0]).mean() for r in regions])


def heard(seg: Segment, *, fps: int) -> np.ndarray:
    """Per frame of the segment: whether the shot's (single) line is heard under it — its
    RMS within 30 dB of its loudest frame."""
    samples, rate = decode_audio(seg.voice_path(0))
    [start] = layout(seg.params["shots"][0], [len(samples) / rate]).starts
    count = len(seg.frames)
    rms = np.zeros(count)
    for i in range(count):
        a, b = round((i / fps - start) * rate), round(((i + 1) / fps - start) * rate)
        a, b = max(a, 0), min(b, len(samples))
        if b > a:
            rms[i] = np.sqrt(np.mean(np.square(samples[a:b])))
    return np.asarray(rms > rms.max() * 10 ** (-30 / 20), dtype=bool)


def spans(flags: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True: (first, end) frame indices."""
    out: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if flag and (not out or out[-1][1] != i):
            out.append((i, i + 1))
        elif flag:
            out[-1] = (out[-1][0], i + 1)
    return out


@pytest.mark.parametrize("shot", ["1.2", "2.2"])
def test_the_mouth_moves_only_while_the_line_is_heard(tiny: Path, shot: str) -> None:
    seg = segment(tiny, shot)
    assert seg.params["speaking"] == [seg.keyframe.meta["mouths"][0]["name"]]
    fps = int(seg.params["fps"])
    sound, shape = heard(seg, fps=fps), openness(seg)
    talk = spans(sound)
    assert talk, "the voice is heard in the shot"
    # while the voice is heard the mouth is open (half or fully), and it moves
    assert (shape[sound] > STILL).mean() > 0.7, shape.round(1).tolist()
    assert shape[sound].max() > OPEN
    assert len(np.unique(np.round(shape[sound] / 4))) > 2
    # where it is silent for a third of a second or more (before the line, after it, in its
    # pause) the mouth is closed and still, bar a frame before and two after the voice
    silent = spans(~sound)
    assert len(silent) >= (3 if shot == "1.2" else 2), "ANNA's line has a pause"
    for a, b in silent:
        if b - a > fps / 3:
            hush = shape[(a + 2 if a else 0) : (b - 1 if b < len(shape) else b)]
            assert hush.max() < STILL, (a, b, shape.round(1).tolist())
            assert np.ptp(hush) < STILL / 2


def test_a_line_heard_off_screen_moves_no_mouth(tiny: Path) -> None:
    seg = segment(tiny, "1.3")  # BEN (O.S.): we watch ANNA listen
    assert "speaking" not in seg.params
    assert "mouths" not in seg.keyframe.meta
    if seg.params["move"] == "static":  # a held picture: every frame the first (bar noise)
        stack = np.stack(seg.frames).astype(np.float32)
        assert np.abs(stack - stack[0]).mean(axis=(1, 2, 3)).max() < 1.0


def test_the_mouth_shapes_touch_only_the_mouth_and_keyframes_stay_as_drawn(tiny: Path) -> None:
    seg = segment(tiny, "1.2")
    still = Image.open(seg.store.path(seg.keyframe)).convert("RGB")
    box = seg.keyframe.meta["mouths"][0]["box"]
    closed, half, opened = (np.asarray(p, dtype=np.int16) for p in pictures(still, [box]))
    assert np.array_equal(opened, np.asarray(still))  # the keyframe's own open mouth
    x0, y0, x1, y1 = box
    pad = max(3.0, 0.8 * max(x1 - x0, y1 - y0) / 2) + 1
    for shape in (closed, half):
        ys, xs = np.nonzero(np.abs(shape - opened).max(axis=2))
        assert ys.size, "the shape differs from the open mouth"
        assert xs.min() >= x0 - pad and xs.max() <= x1 + pad
        assert ys.min() >= y0 - pad and ys.max() <= y1 + pad
    # a shot nobody is seen speaking in has no mouth to move: its keyframe is the drawing
    for shot in ("1.1", "1.3"):
        assert "mouths" not in segment(tiny, shot).keyframe.meta


def test_a_keyframe_drawn_before_mouths_were_reported_finds_its_mouth(tiny: Path) -> None:
    """A store from before keeps its keyframes (their keys are unchanged): their burn-in's
    speaker tag places the mouth where the drawing has it (as for a new keyframe, so both
    render the same bytes), and the picture confirms it."""
    seg = segment(tiny, "1.2")
    meta = dict(seg.keyframe.meta)
    exact = meta.pop("mouths")[0]
    [(name, box)] = estimated(meta).items()
    assert name == exact["name"]
    assert np.abs(np.subtract(box, exact["box"])).max() < 0.25
    assert boxes_of(seg.keyframe.meta) == ({name: box}, True)
    still = Image.open(seg.store.path(seg.keyframe)).convert("RGB")
    assert drawn(still, box)
    x0, y0, x1, y1 = box
    assert not drawn(still, (x0, y0 + 3 * (y1 - y0), x1, y1 + 3 * (y1 - y0)))  # the chin
