"""The provenance commands: `cinecode provenance` (where a film's pieces came from) and
`cinecode verify FILE` (a media file's content credentials; `cli.verify` hands files here)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinecode.front.shell import JsonOpt, ProjectArg, ProjectCommand, app, guard, report

if TYPE_CHECKING:
    from rich.console import Console

SOURCE_TYPES = {  # the IPTC digital source types, in words
    "trainedAlgorithmicMedia": "made by a trained AI model",
    "compositeWithTrainedAlgorithmicMedia": "a composite with AI-generated media",
    "algorithmicMedia": "made by an algorithm, without a trained model",
    "composite": "a composite",
    "digitalCapture": "captured by a camera or recorder",
}


@app.command(cls=ProjectCommand)
def provenance(
    project: ProjectArg,
    shot: Annotated[
        str | None, typer.Argument(help="One shot (e.g. 1.2): its chain up to the master.")
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Copy the generated keyframes and clips listed into this folder, each with "
            "its own signed manifest beside it (NAME.c2pa).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Where the film's pieces came from: each generated keyframe, clip, voice and cue with
    its backend, model, seed, prompt, cost and date; or one shot's chain
    (source → keyframe → clip → segment → reel → master)."""

    def run() -> None:
        from cinecode.commands.provenance import provenance_report

        found = provenance_report(project, shot, export=export)
        report(found, print_provenance, as_json=as_json)

    guard(run)


def verify_file(path: Path, *, as_json: bool, fragment: Path | None = None) -> None:
    """`cinecode verify FILE [--fragment SEGMENT]`: read and validate the file's C2PA
    manifest (an init segment's, with its fragment); exit 1 if it has none or it does not
    validate."""

    def run() -> None:
        from cinecode.commands.provenance import verify_file_report

        found = verify_file_report(path, fragment=fragment)
        report(found, print_credentials, as_json=as_json)
        if not found["ok"]:
            raise typer.Exit(1)

    guard(run)


def _within(contained: int) -> str:
    """What the ingredients' own manifests list: " (92 within them)"."""
    return f" ({contained} within them)" if contained else ""


def _source(uri: str) -> str:
    name = uri.rsplit("/", 1)[-1]
    return f"{name} ({SOURCE_TYPES[name]})" if name in SOURCE_TYPES else name or "not stated"


def print_credentials(found: dict[str, Any], console: Console) -> None:
    if not found["found"]:
        line = f"{found['path']}: no content credentials (no C2PA manifest)"
        console.print(line, markup=False, soft_wrap=True)  # a path is never broken
        return
    if found["ok"]:
        trust = (
            "; its signer is on no trust list (a development or private certificate)"
            if found["untrusted"]
            else ""
        )
        verdict = f"valid: the manifest and the file's bytes agree{trust}"
    else:
        verdict = "INVALID: the file or its manifest was changed after signing"
    lines = [
        f"{found['path']}: {verdict}",
        f"  title        {found['title']}",
        f"  signed by    {found['signer']} ({found['issuer']}, {found['algorithm']})",
        f"  made with    {found['generator']}",
        f"  source type  {_source(found['source_type'])}",
        f"  actions      {', '.join(found['actions']) or '-'}",
        f"  ingredients  {len(found['ingredients'])}{_within(found.get('contained', 0))}",
    ]
    for item in found["ingredients"][:12]:
        lines.append(f"    {item['title']}  ({item['format']})")
        if item.get("within"):  # a reel: what its own manifest lists
            lines.append(f"      {' · '.join(item['within'])}")
    if len(found["ingredients"]) > 12:
        lines.append(f"    … and {len(found['ingredients']) - 12} more")
    if found.get("sidecar"):
        lines.insert(
            1, f"  manifest     {found['sidecar']} (a sidecar: the file itself is untouched)"
        )
    ours = found.get("cinecode")
    if ours and "film" in ours:
        film, signer = ours.get("film", ""), ours.get("signer", "")
        part = f"{ours['export']} of " if ours.get("export") else ""
        part = f"{ours['part']} ({ours.get('track', '')}) of " if ours.get("part") else part
        release = f" {ours['release']}" if ours.get("release") else ""  # a published one's
        lines.append(f"  cinecode     {part}film {film!r}{release}, signer {signer}")
        if ours.get("disclosure"):
            lines.append(f"  disclosure   {ours['disclosure']}")
    elif ours:
        made = " · ".join(str(ours[k]) for k in ("backend", "model") if ours.get(k))
        seed = f", seed {ours['seed']}" if "seed" in ours else ""
        lines.append(f"  cinecode     {ours.get('step', '')} by {made}{seed}")
        if not ours.get("prompts", True):
            lines.append("               (prompts left out: [provenance] prompts = false)")
    problems = [f for f in found["failures"] if f["code"] != "signingCredential.untrusted"]
    lines += [f"  problem      {f['code']}: {f['explanation']}" for f in problems]
    for line in lines:
        console.print(line, markup=False, soft_wrap=True)


def print_provenance(found: dict[str, Any], console: Console) -> None:
    from rich.table import Table

    master, creds = found["master"], found["credentials"]
    console.print(f"{found['title']}: master {master['path']}", markup=False)
    state = creds["state"]
    if state in ("valid", "trusted"):
        untrusted = creds["untrusted"] and "not trusted" not in creds["signer"]
        signer = f"{creds['signer']}{' (on no trust list)' if untrusted else ''}"
        listed = f"{creds['ingredients']} ingredients"
        if creds.get("within"):
            listed = f"{creds['ingredients']} reels holding {creds['within']} ingredients"
        note = f"{state}, signed by {signer}, {listed}"
    else:
        note = creds.get("note", state)
    console.print(f"  content credentials: {note}", markup=False)
    rows = found["chain"] if "shot" in found else found["ingredients"]
    if "shot" not in found:
        console.print(f"  {len(rows)} ingredients:", markup=False)
        for (step, engine), count in _engines(rows).items():
            console.print(f"    {count:4d} × {step:<12} {engine}", markup=False)
    title = f"shot {found['shot']}: source to master" if "shot" in found else "ingredients"
    table = Table(title=title, title_justify="left", expand=True)
    fixed = {"step": 11, "seed": 10, "cost": 5, "made": 10}  # the rest share what is left
    shares = {"label": 2, "backend · model": 2, "prompt": 3}
    for column in ("step", "label", "backend · model", "seed", "prompt", "cost", "made"):
        table.add_column(
            column,
            no_wrap=True,
            overflow="ellipsis",
            min_width=fixed.get(column),
            ratio=shares.get(column),
        )
    for row in rows:
        model = " · ".join(x for x in (row.get("backend", ""), row.get("model", "")) if x)
        prompt = row.get("prompt", "")
        table.add_row(
            row["step"],
            row["label"],
            model,
            str(row.get("seed", "")),
            prompt if len(prompt) <= 48 else prompt[:47] + "…",
            f"{row['cost']['money']:.2f}" if row["cost"]["money"] else "",
            row["created"][:10],
        )
    console.print(table)
    cost = found["cost"]
    console.print(f"cost of the master: {cost['money']:.2f}, {cost['gpu_seconds']:.0f} GPU-s")
    for item in found.get("exported", []):
        console.print(f"exported {item['file']} (+ {Path(item['credentials']).name})", markup=False)


def _engines(rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """How many ingredients each step made with each engine, in the rows' order."""
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        engine = " · ".join(x for x in (row.get("backend", ""), row.get("model", "")) if x)
        name = (row["step"], engine or "the user's own")
        counts[name] = counts.get(name, 0) + 1
    return counts
