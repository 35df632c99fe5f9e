"""The director's cast choices: which sheet is each character's (and each location's) look,
in `cast.toml` beside the script. Written by `cinecode cast … --pick/--reject`:

```toml
[characters.MARA]
pick = "3f9a1c2b7d4e"   # the sheet take (its id: the first 12 hex digits of its key)
seed = 104233           # the take's seed
rejected = ["0c1d2e3f4a5b"]

[characters.MARA.views]  # the picked sheet cut into its views: store objects, by digest
front = "9be1…"
three-quarter = "41ac…"
profile = "c02d…"

[locations.LIGHTHOUSE]
pick = "77a0e4d1b2c3"
seed = 5021

[locations.LIGHTHOUSE.views]
plate = "e4f5…"
```
A picked sheet's views are the character's references unless film.toml names its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from cinecode.project.files import read_choices
from cinecode.project.picks import TAKE_ID

CAST_FILE = "cast.toml"
Kind = Literal["characters", "locations"]
KINDS: tuple[Kind, ...] = ("characters", "locations")


@dataclass(frozen=True)
class Sheet:
    """What the director decided for one character's (or location's) sheets."""

    pick: str = ""  # take id (key prefix)
    seed: int | None = None
    views: Mapping[str, str] = field(default_factory=dict)  # view → digest of its image
    rejected: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.pick or self.rejected)

    def rejects(self, key: str) -> bool:
        return any(key.startswith(r) for r in self.rejected)


@dataclass(frozen=True)
class Cast:
    """Every cast choice of the film: characters and locations, by name."""

    characters: Mapping[str, Sheet] = field(default_factory=dict)
    locations: Mapping[str, Sheet] = field(default_factory=dict)

    def of(self, kind: Kind) -> Mapping[str, Sheet]:
        return self.characters if kind == "characters" else self.locations

    def get(self, kind: Kind, name: str) -> Sheet:
        return self.of(kind).get(name, Sheet())

    def with_sheet(self, kind: Kind, name: str, sheet: Sheet) -> Cast:
        table = dict(self.of(kind))
        if sheet.empty:
            table.pop(name, None)
        else:
            table[name] = sheet
        return replace(self, **{kind: table})

    def pick(
        self, kind: Kind, name: str, key: str, *, seed: int | None, views: Mapping[str, str]
    ) -> Cast:
        current = self.get(kind, name)
        rejected = tuple(r for r in current.rejected if not key.startswith(r))
        return self.with_sheet(
            kind, name, Sheet(pick=key[:TAKE_ID], seed=seed, views=dict(views), rejected=rejected)
        )

    def reject(self, kind: Kind, name: str, key: str) -> Cast:
        current = self.get(kind, name)
        rejected = tuple(dict.fromkeys([*current.rejected, key[:TAKE_ID]]))
        if current.pick and key.startswith(current.pick):
            current = Sheet()
        return self.with_sheet(kind, name, replace(current, rejected=rejected))


def cast_path(root: Path) -> Path:
    return root / CAST_FILE


def read_cast(path: Path) -> Cast:
    """Read cast.toml (no choices when it does not exist)."""
    data = read_choices(path, "restore it from version control; `cinecode cast --pick` writes it")
    tables: dict[str, dict[str, Sheet]] = {}
    for kind in KINDS:
        tables[kind] = {}
        for name, table in (data.get(kind) or {}).items():
            if not isinstance(table, dict):
                continue
            seed = table.get("seed")
            views = table.get("views") or {}
            tables[kind][str(name)] = Sheet(
                pick=str(table.get("pick", "")),
                seed=seed if isinstance(seed, int) else None,
                views={str(k): str(v) for k, v in views.items()} if isinstance(views, dict) else {},
                rejected=tuple(str(r) for r in table.get("rejected", [])),
            )
    return Cast(characters=tables["characters"], locations=tables["locations"])


def format_cast(cast: Cast) -> str:
    """cast.toml text, names in alphabetical order."""
    out = [
        "# Written by cinecode: the director's cast sheets (picked and rejected).",
        "# Commit it with the screenplay. Change it with `cinecode cast … --pick/--reject`.",
    ]
    for kind in KINDS:
        for name in sorted(cast.of(kind)):
            sheet = cast.of(kind)[name]
            out += ["", f"[{kind}.{json.dumps(name)}]"]
            if sheet.pick:
                out.append(f"pick = {json.dumps(sheet.pick)}")
                if sheet.seed is not None:
                    out.append(f"seed = {sheet.seed}")
            if sheet.rejected:
                out.append(f"rejected = {json.dumps(list(sheet.rejected))}")
            if sheet.pick and sheet.views:
                out += ["", f"[{kind}.{json.dumps(name)}.views]"]
                out += [f"{json.dumps(v)} = {json.dumps(d)}" for v, d in sheet.views.items()]
    return "\n".join(out) + "\n"


def line_of(path: Path, kind: Kind, name: str) -> int | None:
    """The line of `name`'s table in cast.toml (for errors)."""
    if not path.is_file():
        return None
    header = f"[{kind}.{json.dumps(name)}]"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() == header:
            return number
    return None


__all__ = ["CAST_FILE", "KINDS", "Cast", "Kind", "Sheet", "cast_path", "format_cast", "read_cast"]
