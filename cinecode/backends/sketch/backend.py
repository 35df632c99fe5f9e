"""The offline storyboard artist: one pencil frame per shot, drawn from its composition.

`SketchBackend` draws what a director needs to read a shot at a glance: how big the people are
(the shot size), who stands where and who speaks (figures in their own colour, named), inside or
out, the time of day and the weather, the camera's angle and move, and the line or action as a
caption. Pillow and numpy only; the same request gives the same PNG bytes, another seed another
take. `generate` reads top to bottom in numbered steps; the picture's own steps are in
`frame.draw_picture`, each a function of the frame (`canvas.Canvas`) in the modules below it.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinecode.backends.protocols import BackendStatus, Generated, ImageRequest, ProgressFn
from cinecode.backends.sketch.style import STYLES
from cinecode.errors import BackendError

if TYPE_CHECKING:  # the drawing (Pillow, numpy, the modules below) is imported by `generate`:
    # planning reads only the class's `version`
    from cinecode.backends.sketch.canvas import Canvas


class SketchBackend:
    """Storyboard frames drawn offline: `style` is "pencil" (default), "ink" or "flat" (a
    request's `model` may name another); `overlay` is "full" (the animatic lays the shot
    label, place, caption and names over the moving picture) or "none" (no labels). The
    picture itself is always clean: the labels travel as a burn-in in the take's meta."""

    name = "sketch"
    version = 2  # bump when the same request would draw a different frame

    def __init__(
        self,
        *,
        style: str = "pencil",
        overlay: str = "full",
        model: str = "",
        negative_prompt: str = "",
        **params: Any,
    ) -> None:
        style = model or style  # its models are its styles; a negative prompt means nothing here
        if style not in STYLES:
            raise BackendError(
                f"unknown sketch style {style!r}",
                backend=self.name,
                hint=f"set style to one of {', '.join(STYLES)} under the sketch backend",
            )
        if overlay not in ("full", "none"):
            raise BackendError(
                f"unknown sketch overlay {overlay!r}",
                backend=self.name,
                hint='set overlay = "full" (labels and caption) or "none" (picture only)',
            )
        if params:
            raise BackendError(
                f"the sketch backend takes no parameter {', '.join(sorted(params))}",
                backend=self.name,
                hint='it takes style ("pencil", "ink", "flat") and overlay ("full", "none")',
            )
        self.style = style
        self.overlay = overlay

    def status(self) -> BackendStatus:
        """Always ready: it needs nothing but Pillow and numpy."""
        return BackendStatus("ready")

    def generate(
        self, req: ImageRequest, out: Path, progress: ProgressFn | None = None
    ) -> Generated:
        """Draw the storyboard frame for `req` into `out/frame.png` (exactly width × height)."""
        from cinecode.backends.sketch.canvas import Canvas
        from cinecode.backends.sketch.frame import draw_picture
        from cinecode.backends.sketch.marks import burnin
        from cinecode.backends.sketch.paper import finish
        from cinecode.backends.sketch.references import read_reference, with_reference_palette

        # 1. check the request (a cast sheet is drawn by its own routine)
        self.check_inputs(req)
        if req.params.get("sheet") == "character":
            return self._sheet(req, out, progress)
        # 2. read the references: colours for an empty palette, thumbnails for the corner
        comp = req.composition
        refs = [read_reference(path, backend=self.name) for path in req.references]
        if comp is not None and not comp.palette and refs:
            comp = with_reference_palette(comp, refs)
        # 3. draw the picture (supersampled when small, so strokes stay smooth)
        style = req.model or self.style
        frame = Canvas(req, comp, STYLES[style])
        picture = draw_picture(frame)
        if progress is not None:
            progress(0.6)
        # 4. finish: paper grain and vignette at the output size
        image = finish(frame, picture)
        # 5. write the PNG (no timestamps: the same request gives the same bytes)
        out.mkdir(parents=True, exist_ok=True)
        path = out / "frame.png"
        image.save(path, format="PNG", compress_level=1, compress_type=zlib.Z_RLE)
        if progress is not None:
            progress(1.0)
        # 6. report what it drew, and the labels for the animatic to lay over the move
        meta: dict[str, Any] = {"width": req.width, "height": req.height, "drawn": drawn(frame)}
        if self.overlay == "full":
            meta["burnin"] = burnin(frame)
        if frame.mouths:  # where each speaker's open mouth is: the animatic moves it
            meta["mouths"] = frame.mouths
        return Generated(path=path, model=style, meta=meta)

    def _sheet(self, req: ImageRequest, out: Path, progress: ProgressFn | None) -> Generated:
        """A character's cast sheet (`sheet.draw_sheet`); its views' boxes in the meta."""
        from cinecode.backends.sketch.sheet import draw_sheet

        style = req.model or self.style
        image, views = draw_sheet(req, STYLES[style])
        out.mkdir(parents=True, exist_ok=True)
        path = out / "frame.png"
        image.save(path, format="PNG", compress_level=1, compress_type=zlib.Z_RLE)
        if progress is not None:
            progress(1.0)
        meta = {"width": req.width, "height": req.height, "views": views}
        return Generated(path=path, model=style, meta=meta)

    def check_inputs(self, req: ImageRequest) -> None:
        """Fail before drawing when the frame cannot be drawn as asked."""
        if req.model and req.model not in STYLES:
            raise BackendError(
                f"the sketch backend has no model {req.model!r}",
                backend=self.name,
                hint=f"its models are its styles: {', '.join(STYLES)} (or leave model empty)",
            )
        if not (16 <= req.width <= 8192 and 16 <= req.height <= 8192):
            raise BackendError(
                f"cannot draw a {req.width}×{req.height} frame",
                backend=self.name,
                hint="set the project's width and height between 16 and 8192 pixels",
            )


def drawn(frame: Canvas) -> dict[str, Any]:
    """What the frame shows, for the take's meta: scenery or room, props, unknown things
    drawn as labelled silhouettes, the people (boxes in output pixels, their looks), the
    weather and sky, the lights, and the take's staging."""
    seen = frame.drawn
    return {
        "scenery": list(seen.scenery),
        "props": list(seen.props),
        "silhouettes": list(seen.silhouettes),
        "figures": list(seen.figures),
        "weather": seen.weather,
        "sky": seen.sky,
        "lights": list(seen.lights),
        "staging": frame.staging.summary(),
    }


__all__ = ["SketchBackend"]
