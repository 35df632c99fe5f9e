"""The storyboard PDF: every shot of the cut as a frame with its id, size, move, duration and
dialogue, six to a landscape page, scene headings where scenes begin."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cinecode.editorial.timeline import Cell
    from cinecode.graph.store import Store
    from cinecode.pipeline.plan import Plan
    from cinecode.project.config import Project

COLUMNS = 3
ROWS = 2
MARGIN = 28.0  # points
GUTTER = 14.0
CAPTION_LINES = 6


def write_storyboard(plan: Plan, store: Store, project: Project, out: Path) -> int:
    """Write the storyboard PDF; returns the number of shots drawn."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from cinecode.editorial.timeline import cells, timecode

    fmt = project.config.format
    page_w, page_h = landscape(A4)
    cell_w = (page_w - 2 * MARGIN - (COLUMNS - 1) * GUTTER) / COLUMNS
    image_h = cell_w * fmt.height / fmt.width
    caption_h = CAPTION_LINES * 9.5 + 14
    cell_h = image_h + caption_h
    all_cells = cells(plan, store)
    staged = out.with_name(f".{out.name}.part")
    canvas = Canvas(str(staged), pagesize=(page_w, page_h), pageCompression=1)
    canvas.setTitle(f"{plan.film.title} — storyboard")
    canvas.setAuthor("cinecode")
    per_page = COLUMNS * ROWS
    pages = (len(all_cells) + per_page - 1) // per_page
    with tempfile.TemporaryDirectory(prefix="storyboard-") as scratch:
        for page in range(pages):
            canvas.setFont("Helvetica-Bold", 11)
            canvas.drawString(MARGIN, page_h - MARGIN + 6, plan.film.title)
            canvas.setFont("Helvetica", 8)
            canvas.drawRightString(page_w - MARGIN, page_h - MARGIN + 6, f"{page + 1} / {pages}")
            for slot, cell in enumerate(all_cells[page * per_page : (page + 1) * per_page]):
                col, row = slot % COLUMNS, slot // COLUMNS
                x = MARGIN + col * (cell_w + GUTTER)
                top = page_h - MARGIN - 10 - row * (cell_h + GUTTER)
                image = _frame(cell, store, Path(scratch))
                if image is not None:
                    canvas.drawImage(
                        str(image), x, top - image_h, cell_w, image_h, preserveAspectRatio=True
                    )
                canvas.setLineWidth(0.5)
                canvas.rect(x, top - image_h, cell_w, image_h)
                _caption(canvas, cell, x, top - image_h - 11, cell_w, fmt.fps, timecode)
            canvas.showPage()
        canvas.save()
    staged.replace(out)
    return len(all_cells)


def _frame(cell: Cell, store: Store, scratch: Path) -> Path | None:
    """The shot's picture: its take when it is a still, else the middle of its segment."""
    from cinecode.departments.motion import IMAGE_SUFFIXES

    take = store.get(cell.segment.inputs[0])
    if take is not None:
        path = store.path(take)
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return path
    segment = store.get(cell.segment.key)
    if segment is None:
        return None
    import av

    out = scratch / f"{cell.placed.id}.png"
    with av.open(str(store.path(segment))) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index >= cell.frames // 2:
                frame.to_image().save(out)  # type: ignore[no-untyped-call]
                return out
    return None


def _caption(
    canvas: Any, cell: Cell, x: float, y: float, width: float, fps: int, timecode: Any
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
    canvas.drawRightString(x + width, y, timecode(cell.start, fps))
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
