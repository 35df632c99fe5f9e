"""The storyboard PDF: every shot of the cut as a frame with its id, size, move, duration,
record timecode and dialogue, six to a landscape page, scene headings where scenes begin.

Frames are JPEG (DCTDecode) at `DPI` of their placed size, never larger than their source:
about 140 KB a page for the bundled example, where its full frames, Flate-compressed and
ASCII85-encoded, took 5.2 MB.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

    from cinecode.editorial.timeline import Cell
    from cinecode.graph.store import Store
    from cinecode.pipeline.plan import Plan
    from cinecode.project.config import Project

COLUMNS = 3
ROWS = 2
MARGIN = 28.0  # points
GUTTER = 14.0
CAPTION_LINES = 6
DPI = 200  # the frames' resolution at their placed size (3.5 in wide: 702 px)
JPEG_QUALITY = 85


def write_storyboard(plan: Plan, store: Store, project: Project, out: Path) -> int:
    """Write the storyboard PDF; returns the number of shots drawn."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from cinecode.editorial.timeline import cells, record_start, timecode

    fmt = project.config.format
    page_w, page_h = landscape(A4)
    cell_w = (page_w - 2 * MARGIN - (COLUMNS - 1) * GUTTER) / COLUMNS
    image_h = cell_w * fmt.height / fmt.width
    caption_h = CAPTION_LINES * 9.5 + 14
    cell_h = image_h + caption_h
    pixels = (round(cell_w / 72 * DPI), round(image_h / 72 * DPI))
    start = record_start(project)
    all_cells = cells(plan, store)
    staged = out.with_name(f".{out.name}.part")
    canvas = Canvas(  # invariant: no date, no random id (the same film, the same bytes)
        str(staged), pagesize=(page_w, page_h), pageCompression=1, invariant=1
    )
    canvas.setTitle(f"{plan.film.title} — storyboard")
    canvas.setAuthor("cinecode")
    per_page = COLUMNS * ROWS
    pages = (len(all_cells) + per_page - 1) // per_page
    with _scratch(out) as scratch, _binary_streams():
        for page in range(pages):
            canvas.setFont("Helvetica-Bold", 11)
            canvas.drawString(MARGIN, page_h - MARGIN + 6, plan.film.title)
            canvas.setFont("Helvetica", 8)
            canvas.drawRightString(page_w - MARGIN, page_h - MARGIN + 6, f"{page + 1} / {pages}")
            for slot, cell in enumerate(all_cells[page * per_page : (page + 1) * per_page]):
                col, row = slot % COLUMNS, slot // COLUMNS
                x = MARGIN + col * (cell_w + GUTTER)
                top = page_h - MARGIN - 10 - row * (cell_h + GUTTER)
                image = _frame(cell, store, Path(scratch), pixels)
                if image is not None:
                    canvas.drawImage(
                        str(image), x, top - image_h, cell_w, image_h, preserveAspectRatio=True
                    )
                canvas.setLineWidth(0.5)
                canvas.rect(x, top - image_h, cell_w, image_h)
                record = timecode(start + cell.start, fmt.fps)
                _caption(canvas, cell, x, top - image_h - 11, cell_w, fmt.fps, record)
            canvas.showPage()
        canvas.save()
    staged.replace(out)
    return len(all_cells)


@contextmanager
def _scratch(out: Path) -> Iterator[str]:
    """A folder for the frames, named after `out`: ReportLab names an image by its file's
    path, so a folder of the same name each time keeps the PDF's bytes the same."""
    folder = out.with_name(f".{out.name}.frames")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield str(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _binary_streams() -> Iterator[None]:
    """ReportLab writes each stream as ASCII85 text unless told otherwise (`rl_config.useA85`),
    a quarter larger than its bytes; binary streams are plain PDF."""
    from reportlab import rl_config

    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def _frame(cell: Cell, store: Store, scratch: Path, pixels: tuple[int, int]) -> Path | None:
    """The shot's picture as a JPEG of at most `pixels` (ReportLab embeds a JPEG file as it is)."""
    picture = _picture(cell, store)
    if picture is None:
        return None
    picture = picture.convert("RGB")
    picture.thumbnail(pixels)  # keeps the aspect, never enlarges
    out = scratch / f"{cell.placed.id}.jpg"
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out


def _picture(cell: Cell, store: Store) -> Image.Image | None:
    """The shot's picture: its take when it is a still, else the middle of its segment."""
    from PIL import Image

    from cinecode.media.suffixes import IMAGE_SUFFIXES

    take = store.get(cell.segment.inputs[0])
    if take is not None:
        path = store.path(take)
        if path.suffix.lower() in IMAGE_SUFFIXES:
            with Image.open(path) as still:
                return still.copy()
    segment = store.get(cell.segment.key)
    if segment is None:
        return None
    import av

    with av.open(str(store.path(segment))) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index >= cell.frames // 2:
                image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
                return image
    return None


def _caption(
    canvas: Any, cell: Cell, x: float, y: float, width: float, fps: int, record: str
) -> None:
    placed, shot = cell.placed, cell.placed.shot
    seconds = cell.frames / fps
    canvas.setFont("Helvetica-Bold", 9)
    if shot is None:
        head = f"{placed.id.upper()} · {seconds:.1f} s"
    else:
        head = f"{placed.id} · {shot.size.upper()} · {shot.move} · {seconds:.1f} s"
    canvas.drawString(x, y, head)
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(x + width, y, record)
    lines: list[tuple[str, str]] = []
    if placed.scene is not None and placed.scene.shots and placed.scene.shots[0].id == placed.id:
        lines.append(("Helvetica-Bold", placed.scene.heading))
    if placed.head is not None:
        lines.append(("Helvetica-Oblique", f"{placed.head.kind} in ({placed.head.total} fr)"))
    if shot is not None:
        for line in shot.lines:
            for piece in textwrap.wrap(f"{line.character}: {line.text}", 70):
                lines.append(("Helvetica", piece))
        if not shot.lines and shot.action:
            for piece in textwrap.wrap(shot.action, 70):
                lines.append(("Helvetica-Oblique", piece))
    if placed.tail is not None:
        lines.append(("Helvetica-Oblique", f"{placed.tail.kind} out ({placed.tail.total} fr)"))
    if len(lines) > CAPTION_LINES:
        lines = [*lines[: CAPTION_LINES - 1], ("Helvetica", "…")]
    for index, (font, text) in enumerate(lines):
        canvas.setFont(font, 7.5)
        canvas.drawString(x, y - 11 - index * 9.5, text)
