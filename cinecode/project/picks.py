"""The director's choices: picks, rejections and locks, in `picks.toml` beside the script.

Plain and diff-friendly, one table per shot, written by `cinecode pick/reject/lock`:

```toml
["3.2"]
pick = "3f9a1c2b7d4e"     # the take in the cut (its id: the first 12 hex digits of its key)
seed = 104233             # the take's seed: a deterministic backend remakes it from this
version = "a1b2c3d4e5f6"  # what the shot was when it was picked
rejected = ["0c1d2e3f4a5b"]
locked = true             # never regenerate this shot, whatever changes upstream
```
Shot ids are stable across script edits (`shots.lock`), so choices follow their shots.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from cinecode.project.files import read_choices

TAKE_ID = 12


@dataclass(frozen=True)
class Choice:
    """What the director decided for one shot."""

    pick: str = ""  # take id (key prefix)
    seed: int | None = None
    version: str = ""  # take_version of the shot when picked
    rejected: tuple[str, ...] = ()
    locked: bool = False

    @property
    def empty(self) -> bool:
        return not (self.pick or self.rejected or self.locked)

    def rejects(self, key: str) -> bool:
        """Whether the take with this key is rejected (rejections are key prefixes)."""
        return any(key.startswith(r) for r in self.rejected)


@dataclass(frozen=True)
class Picks:
    shots: Mapping[str, Choice] = field(default_factory=dict)

    def get(self, shot: str) -> Choice:
        return self.shots.get(shot, Choice())

    def with_choice(self, shot: str, choice: Choice) -> Picks:
        shots = dict(self.shots)
        if choice.empty:
            shots.pop(shot, None)
        else:
            shots[shot] = choice
        return Picks(shots)

    def pick(self, shot: str, take: str, *, seed: int | None, version: str) -> Picks:
        current = self.unreject(shot, take).get(shot)  # a picked take is never rejected
        return self.with_choice(
            shot, replace(current, pick=take[:TAKE_ID], seed=seed, version=version)
        )

    def reject(self, shot: str, take: str) -> Picks:
        current = self.get(shot)
        rejected = tuple(dict.fromkeys([*current.rejected, take[:TAKE_ID]]))
        pick = "" if current.pick and take.startswith(current.pick) else current.pick
        seed = None if not pick else current.seed
        version = "" if not pick else current.version
        return self.with_choice(
            shot, replace(current, pick=pick, seed=seed, version=version, rejected=rejected)
        )

    def unreject(self, shot: str, take: str) -> Picks:
        current = self.get(shot)
        rejected = tuple(r for r in current.rejected if not take.startswith(r))
        return self.with_choice(shot, replace(current, rejected=rejected))

    def lock(self, shot: str, locked: bool = True) -> Picks:
        return self.with_choice(shot, replace(self.get(shot), locked=locked))


def read_picks(path: Path) -> Picks:
    """Read picks.toml (no choices when it does not exist)."""
    data = read_choices(
        path, "restore it from version control; cinecode writes it, do not edit it by hand"
    )
    shots: dict[str, Choice] = {}
    for shot, table in data.items():
        if not isinstance(table, dict):
            continue
        seed = table.get("seed")
        shots[str(shot)] = Choice(
            pick=str(table.get("pick", "")),
            seed=int(seed) if isinstance(seed, int) else None,
            version=str(table.get("version", "")),
            rejected=tuple(str(r) for r in table.get("rejected", [])),
            locked=bool(table.get("locked", False)),
        )
    return Picks(shots)


def format_picks(picks: Picks, order: Sequence[str] = ()) -> str:
    """picks.toml text, shots in film order (unknown shots last)."""
    rank = {shot: i for i, shot in enumerate(order)}
    out = [
        "# Written by cinecode: the director's picks, rejections and locks.",
        "# Commit it with the screenplay. Change it with `cinecode pick/reject/lock`.",
    ]
    for shot in sorted(picks.shots, key=lambda s: (rank.get(s, 1 << 30), s)):
        choice = picks.shots[shot]
        out.append("")
        out.append(f"[{json.dumps(shot)}]")
        if choice.pick:
            out.append(f"pick = {json.dumps(choice.pick)}")
            if choice.seed is not None:
                out.append(f"seed = {choice.seed}")
            if choice.version:
                out.append(f"version = {json.dumps(choice.version)}")
        if choice.rejected:
            out.append(f"rejected = {json.dumps(list(choice.rejected))}")
        if choice.locked:
            out.append("locked = true")
    return "\n".join(out) + "\n"
