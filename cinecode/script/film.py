"""From screenplay + project to the film model, with stable ids and a check of everything the
project refers to (characters, voices, reference images, source media)."""

from __future__ import annotations

from pathlib import Path

from cinecode.errors import ScriptError
from cinecode.media.suffixes import IMAGE_SUFFIXES as STILLS
from cinecode.media.suffixes import VIDEO_SUFFIXES
from cinecode.project.backend_names import hint as backend_hint
from cinecode.project.backend_names import known_backends
from cinecode.project.config import CharacterConfig, LocationConfig, Project
from cinecode.script.branching import story_notes
from cinecode.script.breakdown import break_down
from cinecode.script.elements import Script
from cinecode.script.ids import IdLock, assign
from cinecode.script.model import Character, Directive, Film, Location

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def build_film(script: Script, project: Project, lock: IdLock) -> tuple[Film, IdLock]:
    """The film model of a screenplay, and the updated id lock."""
    config = project.config
    scenes = break_down(script, characters=list(config.characters))
    scenes, new_lock = assign(scenes, lock, script=script.path)
    first_lines: dict[str, int] = {}
    for element in script.elements:
        if element.kind == "dialogue" and element.character:
            first_lines.setdefault(element.character, element.line)
    names = list(dict.fromkeys([*config.characters, *first_lines]))
    characters = {
        name: Character(
            name=name,
            description=config.characters[name].description if name in config.characters else "",
            color=config.characters[name].color if name in config.characters else "",
            seed=(config.characters[name].seed or 0) if name in config.characters else 0,
            references=tuple(str(project.resolve(r)) for r in config.characters[name].references)
            if name in config.characters
            else (),
            first_line=first_lines.get(name, 0),
        )
        for name in names
    }
    locations = {
        name: Location(
            name=name,
            description=entry.description,
            palette=tuple(entry.palette),
            references=tuple(str(project.resolve(r)) for r in entry.references),
        )
        for name, entry in config.locations.items()
    }
    title = config.title or script.title or project.root.name
    credit = tuple(
        " ".join(script.title_page.get(key, []))
        for key in ("Credit", "Author", "Authors")
        if script.title_page.get(key)
    )
    film = Film(
        title=title,
        credit=credit,
        scenes=scenes,
        characters=characters,
        locations=locations,
        script_path=script.path,
        title_page={key: tuple(lines) for key, lines in script.title_page.items()},
        story=story_notes(script),
    )
    return film, new_lock


def check_project(film: Film, project: Project, script: Script) -> None:
    """Everything film.toml names must exist: characters in the script, reference files."""
    speakers = {e.character for e in script.elements if e.kind == "dialogue"}
    mentioned = " ".join(e.text.upper() for e in script.elements if e.kind == "action")
    for name in project.config.characters:
        if name not in speakers and name.upper() not in mentioned:
            close = sorted(s for s in speakers if s[:2] == name[:2].upper())
            raise project.error(
                f"character {name} does not appear in {Path(script.path).name}",
                "characters",
                name,
                hint=f"did you mean {' or '.join(close)}?"
                if close
                else "use the name exactly as in the character cues, or remove this entry",
            )
    entries: dict[str, CharacterConfig] | dict[str, LocationConfig]
    for kind, entries in (
        ("characters", project.config.characters),
        ("locations", project.config.locations),
    ):
        for name, entry in entries.items():
            for index, reference in enumerate(entry.references):
                path = project.resolve(reference)
                if not path.is_file():
                    raise project.error(
                        f"reference image {reference} does not exist",
                        kind,
                        name,
                        "references",
                        index,
                        hint=f"put the file at {path} or fix the path (relative to film.toml)",
                    )
                if path.suffix.lower() not in IMAGE_SUFFIXES or not _opens_as_image(path):
                    raise project.error(
                        f"reference {reference} is not an image (png, jpg, webp)"
                        if path.suffix.lower() not in IMAGE_SUFFIXES
                        else f"reference {reference} cannot be read as an image",
                        kind,
                        name,
                        "references",
                        index,
                        hint="give an image file (or `cinecode cast` makes a sheet to pick)",
                    )
    for shot in film.shots:
        if shot.directive and shot.directive.source:
            _check_source(shot.directive, project, script.path)


def _check_source(directive: Directive, project: Project, file: str) -> None:
    """A shot's own picture must be a photo or a clip (by its suffix; a photo is opened)."""
    path = project.resolve(directive.source)
    if not path.is_file():
        raise ScriptError(
            f"[[shot: source {directive.source}]]: no such file",
            file=file,
            line=directive.line,
            hint=f"put your photo or clip at {path}",
        )
    suffix = path.suffix.lower()
    if suffix not in STILLS + VIDEO_SUFFIXES or (suffix in STILLS and not _opens_as_image(path)):
        raise ScriptError(
            f"[[shot: source {directive.source}]] is not a photo or a video clip",
            file=file,
            line=directive.line,
            hint=f"give an image ({', '.join(s[1:] for s in STILLS)}) or a video "
            f"({', '.join(s[1:] for s in VIDEO_SUFFIXES)})",
        )


def _opens_as_image(path: Path) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path):
            return True
    except (UnidentifiedImageError, OSError):
        return False


def check_directive_backends(film: Film, project: Project, script: Script) -> None:
    """A shot's `backend` and `motion` must name a backend (or a [backends] entry)."""
    for shot in film.shots:
        directive = shot.directive
        if directive is None:
            continue
        for key, department, named in (
            ("backend", "storyboard", directive.backend),
            ("motion", "motion", directive.motion),
        ):
            known = known_backends(project.config.backends, department=department)
            if named and named not in known:
                raise ScriptError(
                    f"[[shot: {key} {named}]] names no backend",
                    file=script.path,
                    line=directive.line,
                    hint=backend_hint(named, known) + " (or add a [backends.NAME] to film.toml)",
                )
