"""The labels of a frame as a burn-in (`cinecode.media.burnin`): the shot label, the place,
the caption, each person's name at their head and each named prop's name, in 0…1 of the
picture. The picture stays clean; the animatic lays them over each frame after the move."""

from __future__ import annotations

from typing import Any

from cinecode.backends.sketch.canvas import Canvas


def burnin(frame: Canvas) -> dict[str, Any]:
    """The frame's burn-in: what `cinecode.media.burnin.Burnin` draws over the picture."""
    comp = frame.comp
    width, height = frame.req.width, frame.req.height
    if comp is None:
        return {"caption": frame.req.prompt}
    setting = {"int": "INT.", "ext": "EXT.", "int/ext": "INT./EXT."}[frame.setting]
    place = " ".join(part for part in (setting, comp.location.upper()) if part)
    tags = []
    for tag in frame.tags + frame.prop_tags:
        if not tag.name.strip():
            continue
        x, top = frame.to_output(tag.x, tag.above)
        _, chest = frame.to_output(tag.x, tag.below)
        mouth = frame.to_output(*tag.mouth) if tag.mouth is not None else None
        tags.append(
            {
                "name": tag.name.strip(),
                "color": list(tag.color),
                "role": tag.role,
                "x": round(x / width, 4),
                "top": round(top / height, 4),
                "chest": round(chest / height, 4),
                "mouth": [round(mouth[0] / width, 4), round(mouth[1] / height, 4)]
                if mouth
                else None,
                "head": round(tag.head / frame.ss / width, 4),
                "side": tag.side,
            }
        )
    return {
        "label": comp.label or f"{frame.size.upper()} · {frame.angle.upper()}",
        "place": f"{place} — {comp.time_of_day.upper() or 'DAY'}",
        "caption": comp.caption,
        "tags": tags,
    }
