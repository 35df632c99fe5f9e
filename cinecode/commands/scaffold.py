"""`cinecode new`: a project folder a filmmaker can start writing in.

Its film.toml casts the screenplay (see cinecode.commands.casting), ready to edit.
"""

from __future__ import annotations

from pathlib import Path

from cinecode.commands.casting import cast_toml, toml_string, voice_presets
from cinecode.errors import ProjectError
from cinecode.project.config import PROJECT_FILE, TEMPLATE_TOML

STARTER_SCRIPT = """\
Title: {title}
Credit: Written by
Author: {author}

EXT. HILLTOP - DAWN

[[mood: hopeful]]

Wind in the long grass. ANNA (30s), a woman in a green coat, climbs the last few steps
and stops, out of breath.

ANNA
There it is. Just like she said.

BEN (O.S.)
(shouting)
Wait for me!

BEN (40s), her brother, stumbles up beside her, laughing.

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

    cinecode plan        # scenes, shots, jobs and cost
    cinecode make        # build the film; the master's path is printed last
    cinecode status      # what is built and what is stale

(Run them anywhere in this folder, or name it: `cinecode plan path/to/this/folder`.)

Outputs go to `build/`; generated media live in `.cinecode/` (keep it: it is what makes
rebuilds instant). Commit `script.fountain`, `film.toml`, `shots.lock` and `picks.toml`.
"""

GITIGNORE = "build/\n.cinecode/\n"


def scaffold(folder: Path, *, from_script: Path | None = None, title: str | None = None) -> Path:
    """Create a project folder (it must not hold a project already)."""
    from cinecode.script.fountain import parse_fountain, read_script

    # 1. check inputs
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
    # 2. the screenplay: the writer's (ScriptError with file:line if it cannot be read), or ours
    if from_script is not None:
        script = read_script(from_script)
        source = from_script.read_bytes().removeprefix(b"\xef\xbb\xbf")
        title = title or script.title or None
    title = title or root.name.replace("-", " ").replace("_", " ").title()
    if from_script is None:
        source = STARTER_SCRIPT.format(title=title, author="You").encode()
        script = parse_fountain(source.decode(), path="script.fountain")
    # 3. cast it: who speaks, with which voice; where it happens, in which colours
    settings = TEMPLATE_TOML.format(title=toml_string(title)[1:-1])
    cast = cast_toml(script, presets=voice_presets())
    if cast:  # in place of the commented examples
        settings = settings.partition("# [characters.NAME]")[0] + cast
    # 4. write the files
    root.mkdir(parents=True, exist_ok=True)
    (root / "script.fountain").write_bytes(source)
    (root / PROJECT_FILE).write_text(settings, encoding="utf-8")
    (root / "README.md").write_text(README.format(title=title), encoding="utf-8")
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    return root
