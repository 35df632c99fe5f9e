"""The ledger: what the film has cost, per department and backend, and how much of it is used.

```
spent      money and GPU seconds of every generation the catalog holds (actual cost)
estimated  what those generations were estimated to cost when they were planned
used       generations the current cut needs (asked of the plan); the rest are spare takes
ratio      generated / used: the shooting ratio
to finish  the estimate of what the plan still has to generate
rejected   attempts a provider billed that made no artifact (a result that failed its checks
           and was asked for again): counted in `spent`, listed on their own
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinecode.graph.catalog import Artifact

CHART_FILE = "ledger.png"


def _empty() -> dict[str, Any]:
    return {"money": 0.0, "gpu_seconds": 0.0, "estimated": 0.0, "generated": 0, "used": 0}


def _add(entry: dict[str, Any], artifact: Artifact, used: bool) -> None:
    entry["money"] += artifact.cost_money
    entry["gpu_seconds"] += artifact.cost_gpu
    entry["estimated"] += artifact.est_money
    entry["generated"] += 1
    entry["used"] += int(used)


def _finish(entry: dict[str, Any]) -> dict[str, Any]:
    entry["money"] = round(entry["money"], 6)
    entry["gpu_seconds"] = round(entry["gpu_seconds"], 3)
    entry["estimated"] = round(entry["estimated"], 6)
    entry["shooting_ratio"] = (
        round(entry["generated"] / entry["used"], 2) if entry["used"] else None
    )
    return entry


def ledger_report(project_path: Path, *, chart: bool = True) -> dict[str, Any]:
    """The ledger of a project (as `ledger --json` prints it); draws the chart beside the
    film in build/ unless `chart` is False."""
    from cinecode.commands.report import planned

    loaded, plan, cached, store = planned(project_path)
    try:
        needed = plan.graph.needed_for(list(plan.targets.values()))
        in_cut = {job.key for job in needed if job.kind == "generate"}
        pending = {job.key for job in needed if job.key not in cached}
        artifacts = [a for a in store.catalog.all() if a.kind == "generate"] if store else []
        in_flight = (
            [j for j in store.catalog.provider_jobs() if j["state"] == "submitted"] if store else []
        )
        charges = store.catalog.charges() if store else []
    finally:
        if store:
            store.close()
    departments: dict[str, dict[str, Any]] = {}
    backends: dict[str, dict[str, Any]] = {}
    total = _empty()
    takes = {"generated": 0, "used": 0}
    for artifact in artifacts:
        used = artifact.key in in_cut
        _add(departments.setdefault(artifact.department or "other", _empty()), artifact, used)
        _add(backends.setdefault(artifact.backend or "other", _empty()), artifact, used)
        _add(total, artifact, used)
        if artifact.take:
            takes["generated"] += 1
            takes["used"] += int(used)
    for charge in charges:  # billed, rejected: money spent, nothing made
        for entry in (
            departments.setdefault(charge.department or "other", _empty()),
            backends.setdefault(charge.backend or "other", _empty()),
            total,
        ):
            entry["money"] += charge.money
            entry["gpu_seconds"] += charge.gpu
    currency = loaded.project.prices.currency
    report: dict[str, Any] = {
        "title": plan.film.title,
        "currency": currency,
        "total": _finish(total),
        "departments": {k: _finish(v) for k, v in sorted(departments.items())},
        "backends": {k: _finish(v) for k, v in sorted(backends.items())},
        "takes": {
            **takes,
            "shooting_ratio": round(takes["generated"] / takes["used"], 2)
            if takes["used"]
            else None,
        },
        "to_finish": plan.estimate(pending),
        "in_flight": [
            {"backend": j["backend"], "provider_job": j["provider_id"]} for j in in_flight
        ],
        "rejected": {
            "count": len(charges),
            "money": round(sum(c.money for c in charges), 6),
            "gpu_seconds": round(sum(c.gpu for c in charges), 3),
            "attempts": [
                {
                    "job": c.label,
                    "backend": c.backend,
                    "state": c.state,
                    "money": round(c.money, 6),
                    "why": c.note,
                }
                for c in charges
            ],
        },
    }
    if chart:
        path = loaded.project.build_dir / CHART_FILE
        draw_chart(report, path)
        report["chart"] = str(path.resolve())
    return report


def draw_chart(report: dict[str, Any], path: Path) -> Path:
    """A bar chart of spend by department (actual, with the estimate as an outline)."""
    from PIL import Image, ImageDraw

    from cinecode.media.fonts import font

    rows = [(name, v["money"], v["estimated"]) for name, v in report["departments"].items()]
    rows = rows or [("nothing spent yet", 0.0, 0.0)]
    width, row_h, left, right, top = 960, 56, 190, 150, 96
    height = top + row_h * len(rows) + 56
    image = Image.new("RGB", (width, height), "#fbfaf7")
    draw = ImageDraw.Draw(image)
    title, label, small = font(30, weight="bold"), font(20), font(16)
    currency = report["currency"]
    draw.text((left, 28), f"{report['title']}: spend by department", font=title, fill="#222222")
    scale_max = max([max(m, e) for _, m, e in rows] + [1e-9])
    span = width - left - right
    for index, (name, money, estimated) in enumerate(rows):
        y = top + index * row_h
        draw.text((24, y + 14), name, font=label, fill="#333333")
        bar = span * money / scale_max
        draw.rectangle((left, y + 10, left + max(bar, 1), y + row_h - 14), fill="#c8553d")
        if estimated:
            edge = left + span * estimated / scale_max
            draw.rectangle((left, y + 8, edge, y + row_h - 12), outline="#2b4c7e", width=2)
        draw.text(
            (left + max(bar, span * estimated / scale_max) + 10, y + 16),
            f"{money:.2f} {currency}",
            font=small,
            fill="#333333",
        )
    total = report["total"]
    draw.text(
        (24, height - 40),
        f"total {total['money']:.2f} {currency} (estimated {total['estimated']:.2f}), "
        f"{total['gpu_seconds']:.0f} GPU-s; outline = estimate",
        font=small,
        fill="#555555",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.part")
    image.save(staged, format="PNG")
    staged.replace(path)
    return path


__all__ = ["draw_chart", "ledger_report"]
