"""A contact strip of the bundled example's animatic: 12 keyframes, two from each scene, as the
sketch draws them (the clean pictures, no captions), written to docs/animatic-strip.jpg.

    python bench/contact_strip.py [--out docs/animatic-strip.jpg]

The keyframes are drawn from the example's plan with the sketch backend, without a build.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from run import ROOT, copy_example

from cinecode.backends.sketch.backend import SketchBackend
from cinecode.departments.storyboard import run_keyframe
from cinecode.graph.job import Job
from cinecode.media.fonts import font
from cinecode.pipeline.session import Session

#: two shots a scene: how each begins and a beat that carries it
SHOTS = ("1.1", "1.2", "2.1", "2.12", "3.1", "3.3", "4.1", "4.8", "5.1", "5.3", "6.1", "6.12")
THUMB = (480, 270)


class _Context:
    def __init__(self, job: Job, workdir: Path) -> None:
        self.job, self.workdir, self.progress = job, workdir, None

    def backend(self, kind: str, name: str, kwargs: dict[str, Any]) -> SketchBackend:
        return SketchBackend(**kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "animatic-strip.jpg")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cinecode-strip-") as tmp:
        project = copy_example(Path(tmp) / "example")
        with Session.open(project) as session:
            jobs = {j.shot: j for j in session.replan(takes_wanted=1).graph if j.step == "keyframe"}
        cols, rows = 4, 3
        sheet = Image.new("RGB", (cols * THUMB[0], rows * (THUMB[1] + 24)), (24, 24, 26))
        draw = ImageDraw.Draw(sheet)
        for i, shot in enumerate(SHOTS):
            workdir = Path(tmp) / shot
            workdir.mkdir()
            out = run_keyframe(jobs[shot], _Context(jobs[shot], workdir))  # type: ignore[arg-type]
            with Image.open(out.path) as picture:
                thumb = picture.convert("RGB").resize(THUMB, Image.Resampling.LANCZOS)
            x, y = (i % cols) * THUMB[0], (i // cols) * (THUMB[1] + 24)
            sheet.paste(thumb, (x, y))
            draw.text((x + 8, y + THUMB[1] + 4), shot, font=font(14), fill=(220, 216, 206))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, quality=82, optimize=True)
    print(args.out)


if __name__ == "__main__":
    main()
