"""The animatic's speaking mouth on the bundled example: a speaker's face as the segment shows
it with the mouth closed, half open and open, written to docs/mouth.png.

    python bench/mouth_still.py [--shot 6.5] [--out docs/mouth.png]

The keyframe is drawn from the example's plan with the sketch backend, without a build; the
three pictures are the ones a speaking shot's segment picks from, frame by frame
(cinecode.media.mouth.pictures).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from contact_strip import _Context
from PIL import Image, ImageDraw
from run import ROOT, copy_example

from cinecode.departments.storyboard import run_keyframe
from cinecode.media.fonts import font
from cinecode.media.mouth import boxes_of, pictures
from cinecode.pipeline.session import Session

PANEL = 360


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shot", default="6.5")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "mouth.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cinecode-mouth-") as tmp:
        project = copy_example(Path(tmp) / "example")
        with Session.open(project) as session:
            jobs = {j.shot: j for j in session.replan(takes_wanted=1).graph if j.step == "keyframe"}
        job = jobs[args.shot]
        out = run_keyframe(job, _Context(job, Path(tmp)))  # type: ignore[arg-type]
        boxes, guessed = boxes_of(out.meta)
        name, box = next(iter(boxes.items()))
        drawn = {m["name"]: m["box"] for m in out.meta.get("mouths", [])}.get(name)
        print(f"{args.shot} {name}: mouth {[round(v, 1) for v in box]}, as drawn {drawn}")
        with Image.open(out.path) as still:
            shapes = pictures(still.convert("RGB"), [box], check=guessed)
    x0, y0, x1, y1 = box
    side = 6.0 * (x1 - x0)  # the face around the mouth
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.25 * side
    crop = (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2))
    sheet = Image.new("RGB", (3 * PANEL, PANEL + 28), (24, 24, 26))
    draw = ImageDraw.Draw(sheet)
    labels = ("closed", "half open", "open (as drawn)")
    for i, (label, picture) in enumerate(zip(labels, shapes, strict=True)):
        panel = picture.crop(crop).resize((PANEL, PANEL), Image.Resampling.LANCZOS)
        sheet.paste(panel, (i * PANEL, 0))
        draw.text((i * PANEL + 10, PANEL + 6), label, font=font(15), fill=(220, 216, 206))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, optimize=True)
    print(args.out)


if __name__ == "__main__":
    main()
