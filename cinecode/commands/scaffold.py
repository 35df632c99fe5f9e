"""`cinecode new`: a project folder a filmmaker can start writing in."""

from __future__ import annotations

import re
from pathlib import Path

from cinecode.errors import ProjectError
from cinecode.project.config import PROJECT_FILE, TEMPLATE_TOML

STARTER_SCRIPT = """\
Title: {title}
Credit: Written by
Author: {author}

EXT. HILLTOP - DAWN

[[mood: hopeful]]

Wind in the long grass. ANNA (30s) climbs the last few steps and stops, out of breath.

ANNA
There it is. Just like she said.

BEN (O.S.)
(shouting)
Wait for me!

BEN (40s) stumbles up beside her, laughing.

BEN
You could have waited.

ANNA
(softly)
I did. For ten years.

FADE OUT.
"""

README = """\
# {title}

A film built with [cinecode](https://github.com/): the screenplay is `script.fountain`,
the project settings are `film.toml`.

    cinecode plan .      # scenes, shots, jobs and cost
    cinecode make .      # build the film; the master's path is printed last
    cinecode status .    # what is built and what is stale

Outputs go to `build/`; generated media live in `.cinecode/` (keep it: it is what makes
rebuilds instant). Commit `script.fountain`, `film.toml`, `shots.lock` and `picks.toml`.
"""

GITIGNORE = "build/\n.cinecode/\n"


def scaffold(folder: Path, *, from_script: Path | None = None, title: str | None = None) -> Path:
    """Create a project folder (it must not hold a project already)."""
    root = folder.expanduser().resolve()
    if (root / PROJECT_FILE).exists():
        raise ProjectError(
            "a project already exists here",
            file=str(root / PROJECT_FILE),
            hint="pick another folder",
        )
    if from_script is not None and not from_script.is_file():
        raise ProjectError(
            "no such screenplay", file=str(from_script), hint="give the path of a .fountain file"
        )
    root.mkdir(parents=True, exist_ok=True)
    if from_script is not None:
        text = from_script.read_bytes().decode("utf-8-sig", errors="strict")
        match = re.search(r"(?im)^title:\s*(.+)$", text.split("\n\n", 1)[0])
        title = title or (match.group(1).strip() if match else None)
    title = title or root.name.replace("-", " ").replace("_", " ").title()
    if from_script is None:
        text = STARTER_SCRIPT.format(title=title, author="You")
    (root / "script.fountain").write_text(text, encoding="utf-8")
    (root / PROJECT_FILE).write_text(
        TEMPLATE_TOML.format(title=title.replace('"', "'")), encoding="utf-8"
    )
    (root / "README.md").write_text(README.format(title=title), encoding="utf-8")
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    return root
