"""Breakdown: the screenplay's scenes become shots.

Rules, in order of authority:
1. `[[shot: …]]` directives decide where a shot starts and what it is.
2. Otherwise each scene opens on an establishing shot, then follows the script: each action
   beat is a shot (long paragraphs split at sentences), each dialogue block is a shot on its
   speaker in classical coverage (a two-shot opens the exchange, then over-the-shoulder shots
   and singles alternate, emotional lines push in on a close-up, heated ones go handheld),
   dual dialogue is one two-shot, (V.O.)/(O.S.) lines show who is listening.
3. Durations: dialogue shots last their real voice audio (decided at build time); action
   shots their reading time (2.5 words per second, 2–8 s); establishing shots 3 s at least.

Shot ids come from `ids.assign`, which keeps them stable across edits. A character cue with no
dialogue under it is read as action (Fountain's rule): `cue_warnings` says so at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from cinecode.errors import ScriptError
from cinecode.script.delivery import delivery
from cinecode.script.directives import parse_note
from cinecode.script.elements import Element, Script
from cinecode.script.heading import parse_heading
from cinecode.script.model import OFFSCREEN, Directive, Line, Scene, Shot

READING_WPS = 2.5
ACTION_MIN, ACTION_MAX = 2.0, 8.0
ESTABLISHING = 3.0
SPLIT_WORDS = 40


@dataclass
class _DraftShot:
    kind: str
    line: int
    size: str = ""
    angle: str = "eye"
    move: str = ""
    characters: list[str] = field(default_factory=list)
    speaker: str = ""
    blocks: list[Element] = field(default_factory=list)
    action: str = ""
    duration: float | None = None
    directive: Directive | None = None


@dataclass
class _DraftScene:
    heading: Element
    shots: list[_DraftShot] = field(default_factory=list)
    mood: str = ""
    ambience: str = ""
    synopsis: str = ""
    section: str = ""
    transition_in: str = ""
    transition_out: str = ""
    effects: list[tuple[int, str, int]] = field(default_factory=list)  # (shot index, what, line)
    action: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    pending: Directive | None = None


def reading_time(text: str) -> float:
    """Seconds an action paragraph holds the screen."""
    words = len(text.split())
    return round(min(ACTION_MAX, max(ACTION_MIN, words / READING_WPS)), 2)


@lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern[str]:
    """A character's name as a whole word (compiled once: a feature asks ~40,000 times)."""
    return re.compile(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", re.IGNORECASE)


def _names_in(text: str, names: list[str]) -> list[str]:
    found: list[tuple[int, str]] = []
    # in ASCII, ignoring case is lower-casing: a name that is not in the lower-cased text
    # cannot match (outside ASCII, IGNORECASE folds more, so the pattern alone decides)
    folded = text.lower() if text.isascii() else None
    for name in names:
        if folded is not None and name.isascii() and name.lower() not in folded:
            continue
        match = _name_pattern(name).search(text)
        if match:
            found.append((match.start(), name))
    return [name for _, name in sorted(found)]


def _split_beats(text: str) -> list[str]:
    """Long action paragraphs become several beats, split between sentences."""
    if len(text.split()) <= SPLIT_WORDS:
        return [text]
    sentences = re.split(r"(?<=[.!?])\s+", text)
    beats: list[str] = []
    current = ""
    for sentence in sentences:
        if current and len((current + " " + sentence).split()) > SPLIT_WORDS * 0.6:
            beats.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        beats.append(current)
    return beats


_MOVE_HINTS = (
    (r"\b(runs?|running|races?|chases?|flees?|stumbles?|fights?|struggles?)\b", "handheld"),
    (r"\b(stares?|looks? at|watches|realiz|notices?|reads?)\b", "push-in"),
    (r"\b(reveals?|alone|vast|empty|disappears?|walks? away)\b", "pull-out"),
    (r"\b(climbs?|rises?|looks? up)\b", "tilt-up"),
    (r"\b(walks?|crosses|moves? (across|along)|drives?)\b", "pan-right"),
)


def _move_for(text: str, default: str) -> str:
    low = text.lower()
    for pattern, move in _MOVE_HINTS:
        if re.search(pattern, low):
            return move
    return default


def _apply(shot: _DraftShot, directive: Directive | None) -> _DraftShot:
    if directive is None:
        return shot
    shot.directive = directive
    if directive.size:
        shot.size = directive.size
    if directive.angle:
        shot.angle = directive.angle
    if directive.move:
        shot.move = directive.move
    if directive.subjects:
        shot.characters = list(directive.subjects)
    if directive.duration is not None:
        shot.duration = directive.duration
    if directive.source:
        shot.kind = "source"
    return shot


def _scene_drafts(script: Script, characters: list[str]) -> list[_DraftScene]:
    scenes: list[_DraftScene] = []
    section = ""
    pending_transition = ""
    for element in script.elements:
        if element.kind == "section":
            section = element.text
            continue
        if element.kind == "heading":
            scene = _DraftScene(heading=element, section=section)
            scene.transition_in = pending_transition
            pending_transition = ""
            scenes.append(scene)
            _notes(scene, element, script.path, characters)
            continue
        if element.kind == "transition":
            if scenes:
                scenes[-1].transition_out = element.text
            pending_transition = element.text
            continue
        if not scenes:
            continue  # title matter, FADE IN:, prologue notes
        scene = scenes[-1]
        if element.kind == "synopsis":
            scene.synopsis = scene.synopsis or element.text
        elif element.kind == "note":
            _standalone_note(scene, element, script.path, characters)
        elif element.kind in ("action", "centered", "lyric"):
            _action(scene, element, script.path, characters)
        elif element.kind == "dialogue":
            _dialogue(scene, element, script.path, characters)
    return scenes


def _check_subjects(directive: Directive, known: list[str], file: str) -> None:
    for name in directive.subjects:
        if name not in known:
            close = [k for k in known if k.startswith(name[:2])]
            raise ScriptError(
                f"[[shot: … on {name}]] names nobody in the screenplay or film.toml",
                file=file,
                line=directive.line,
                hint=f"did you mean {' or '.join(close)}?" if close else "check the spelling",
            )


def _notes(scene: _DraftScene, element: Element, file: str, known: list[str]) -> Directive | None:
    """Handle the directives in an element's inline notes; return a shot directive, if any."""
    found: Directive | None = None
    for note in element.notes:
        parsed = parse_note(note.text, note.line, file=file)
        if parsed is None:
            continue
        if parsed.kind == "shot" and parsed.shot is not None:
            _check_subjects(parsed.shot, known, file)
            if element.kind == "heading":
                _hold(scene, parsed.shot, file)
            else:
                if found is not None:
                    raise _unused(found, parsed.shot, file)
                found = parsed.shot
        elif parsed.kind == "mood":
            scene.mood = parsed.value
        elif parsed.kind == "ambience":
            scene.ambience = parsed.value
        elif parsed.kind == "sfx":
            scene.effects.append((max(0, len(scene.shots) - 1), parsed.value, parsed.line))
    return found


def _standalone_note(scene: _DraftScene, element: Element, file: str, known: list[str]) -> None:
    parsed = parse_note(element.text, element.line, file=file)
    if parsed is None:
        return
    if parsed.kind == "shot" and parsed.shot is not None:
        _check_subjects(parsed.shot, known, file)
        _hold(scene, parsed.shot, file)
    elif parsed.kind == "mood":
        scene.mood = parsed.value
    elif parsed.kind == "ambience":
        scene.ambience = parsed.value
    elif parsed.kind == "sfx":
        # an effect written before a shot belongs to the shot that follows
        scene.effects.append((len(scene.shots), parsed.value, parsed.line))


def _hold(scene: _DraftScene, directive: Directive, file: str) -> None:
    """Keep a standalone `[[shot: …]]` for the next shot; one already kept would be lost."""
    if scene.pending is not None:
        raise _unused(scene.pending, directive, file)
    scene.pending = directive


def _unused(first: Directive, second: Directive, file: str) -> ScriptError:
    """A `[[shot: …]]` that the next one replaces before any shot takes it."""
    return ScriptError(
        f"[[shot: …]] is replaced by the [[shot: …]] at line {second.line} before any shot "
        "takes it, so it would be ignored",
        file=file,
        line=first.line,
        hint="a [[shot: …]] describes the action or dialogue paragraph right below it: merge "
        "the two into one note, or put a paragraph of action or dialogue between them",
    )


def _take_directive(scene: _DraftScene, inline: Directive | None, file: str) -> Directive | None:
    if inline is not None and scene.pending is not None:
        raise _unused(scene.pending, inline, file)
    directive = inline or scene.pending
    scene.pending = None
    return directive


def _ensure_establishing(scene: _DraftScene, first_text: str = "") -> None:
    if scene.shots or scene.pending is not None:
        return
    heading = parse_heading(scene.heading.text)
    size = "extreme-wide" if heading.setting == "ext" else "wide"
    duration = max(ESTABLISHING, reading_time(first_text)) if first_text else ESTABLISHING
    scene.shots.append(
        _DraftShot(
            kind="establishing",
            line=scene.heading.line,
            size=size,
            move="drift" if heading.setting == "ext" else "push-in",
            action=first_text,
            duration=duration,
        )
    )


def _action(scene: _DraftScene, element: Element, file: str, known: list[str]) -> None:
    inline = _notes(scene, element, file, known)
    text = element.text.strip()
    if not text:
        return
    scene.action.append(text)
    if not scene.shots and scene.pending is None and inline is None:
        # the opening action is what the establishing shot shows
        _ensure_establishing(scene, text)
        return
    for index, beat in enumerate(_split_beats(text)):
        present = _names_in(beat, known)
        size = "medium" if 0 < len(present) <= 2 else "wide"
        if element.kind == "centered":
            size = "insert"
        shot = _DraftShot(
            kind="action",
            line=element.line,
            size=size,
            move=_move_for(beat, "static" if size == "wide" else "drift"),
            characters=present[:4],
            action=beat,
            duration=reading_time(beat),
        )
        directive = _take_directive(scene, inline, file) if index == 0 else None
        scene.shots.append(_apply(shot, directive))


def _listener(scene: _DraftScene, speaker: str, known: list[str]) -> str:
    """Who the speaker talks to: the last other speaker, else someone the action put here."""
    for name in reversed(scene.speakers):
        if name != speaker:
            return name
    for name in reversed(_names_in(" ".join(scene.action), known)):
        if name != speaker:
            return name
    return ""


EMOTIONAL = ("whisper", "soft", "sad")
HEATED = ("shout", "angry")


def _coverage(scene: _DraftScene, element: Element, listener: str) -> tuple[str, str, list[str]]:
    """Size, move and who is in frame for a dialogue block, in classical continuity coverage:
    a two-shot opens the exchange, then over-the-shoulders and singles alternate; emotional
    lines get a slow push-in on a close-up, heated ones a handheld close-up."""
    speaker = element.character
    words = len(element.speech.split())
    styles = {part.style for part in delivery(element) if part.style}
    previous = next((shot for shot in reversed(scene.shots) if shot.kind == "dialogue"), None)
    if previous is None and listener:
        return "medium", "static", [speaker, listener]
    if styles & set(EMOTIONAL) or words > 28:
        return "close", "push-in", [speaker]
    if styles & set(HEATED):
        return "close", "handheld", [speaker]
    if previous is not None and previous.size == "medium-close" and len(previous.characters) == 2:
        return "close", "static", [speaker]
    if listener:
        return "medium-close", "static", [speaker, listener]  # over the listener's shoulder
    return "medium", "static", [speaker]


def _dialogue(scene: _DraftScene, element: Element, file: str, known: list[str]) -> None:
    inline = _notes(scene, element, file, known)
    _ensure_establishing(scene)
    speaker = element.character
    directive = _take_directive(scene, inline, file)
    if element.dual and scene.shots and scene.shots[-1].kind == "dialogue" and directive is None:
        two = scene.shots[-1]
        two.blocks.append(element)
        two.size = "medium"
        two.move = "static"
        two.characters = [two.speaker, speaker]
        scene.speakers.append(speaker)
        return
    offscreen = element.extension.upper().replace(" ", "") in OFFSCREEN
    listener = _listener(scene, speaker, known)
    if offscreen:
        # the voice comes from elsewhere: we watch who hears it
        size, move = ("medium", "static") if listener else ("wide", "drift")
        characters = [listener] if listener else []
    else:
        size, move, characters = _coverage(scene, element, listener)
    scene.speakers.append(speaker)
    shot = _DraftShot(
        kind="dialogue",
        line=element.line,
        size=size,
        move=move,
        characters=characters,
        speaker=speaker,
        blocks=[element],
    )
    scene.shots.append(_apply(shot, directive))


def break_down(script: Script, *, characters: list[str]) -> tuple[Scene, ...]:
    """Scenes and shots of a screenplay, with provisional ids ("1", "1.1", …).

    `characters` are the names known from film.toml; cue names are added.
    """
    known = list(dict.fromkeys([*characters, *_cue_names(script)]))
    drafts = _scene_drafts(script, known)
    if not drafts:
        raise ScriptError(
            "the screenplay has no scene",
            file=script.path,
            line=1,
            hint="start each scene with a heading such as `INT. KITCHEN - NIGHT`",
        )
    scenes: list[Scene] = []
    previous_time = "day"
    for number, draft in enumerate(drafts, start=1):
        _ensure_establishing(draft)
        if draft.pending is not None and not draft.shots:
            draft.shots.append(
                _apply(
                    _DraftShot(kind="action", line=draft.pending.line, size="wide"), draft.pending
                )
            )
        elif draft.pending is not None:
            raise ScriptError(
                "[[shot: …]] has no action or dialogue below it in its scene, so it would be "
                "ignored",
                file=script.path,
                line=draft.pending.line,
                hint="a [[shot: …]] describes the action or dialogue right below it: move it "
                "there, or delete it",
            )
        heading = parse_heading(draft.heading.text)
        time = heading.time_of_day
        if time in ("", "continuous"):
            time = previous_time
        previous_time = time
        scene_id = str(number)
        shots = tuple(
            _finish(draft_shot, f"{scene_id}.{index}", scene_id, draft)
            for index, draft_shot in enumerate(draft.shots, start=1)
        )
        scenes.append(
            Scene(
                id=scene_id,
                heading=draft.heading.text,
                line=draft.heading.line,
                setting=heading.setting,
                location=heading.location,
                time_of_day=time,
                shots=shots,
                number=draft.heading.scene_number,
                synopsis=draft.synopsis,
                section=draft.section,
                mood=draft.mood,
                ambience=draft.ambience,
                transition_in=draft.transition_in,
                transition_out=draft.transition_out,
                effects=tuple(
                    (shots[min(index, len(shots) - 1)].id, what, line)
                    for index, what, line in draft.effects
                ),
                action_text="\n".join(draft.action),
                signature=" ".join(draft.heading.text.upper().split()),
            )
        )
    return tuple(scenes)


def _cue_names(script: Script) -> list[str]:
    return [e.character for e in script.elements if e.kind == "dialogue" and e.character]


_LONE_CUE = re.compile(r"(?P<at>@)?(?P<name>[^()^]+?)\s*(?P<ext>(?:\([^()]*\)\s*)*)\^?")


def cue_warnings(script: Script, *, characters: list[str]) -> tuple[str, ...]:
    """`file:line: …` for each character cue with no dialogue under it.

    Fountain reads a cue alone in its paragraph as action, so the breakdown makes it a shot
    captioned with the name. A line counts as a cue when it is a name that speaks elsewhere
    (or is in film.toml), has an extension (`JUEN (V.O.)`) or is forced (`@Juen`); `!JUEN`
    (forced action) says the name is meant as action.
    """
    known = {name.upper() for name in [*characters, *_cue_names(script)]}
    warnings: list[str] = []
    in_scene = False
    for element in script.elements:
        in_scene = in_scene or element.kind == "heading"
        text = element.text.strip()
        if not in_scene or element.kind != "action" or element.forced or "\n" in text:
            continue
        cue = _LONE_CUE.fullmatch(text)
        if cue is None:
            continue
        name = cue["name"].strip()
        if not (cue["at"] or (name.isupper() and (name in known or cue["ext"]))):
            continue
        hint = "write the lines right under the cue, with no blank line between"
        if text == name:
            hint += (
                f"; if the name belongs to the action, join it to the paragraph or write `!{name}`"
            )
        warnings.append(
            f"{script.path}:{element.line}: {name} has no dialogue after the cue: it becomes "
            f"an action shot captioned '{text}'\n  → {hint}"
        )
    return tuple(warnings)


def _finish(draft: _DraftShot, shot_id: str, scene_id: str, scene: _DraftScene) -> Shot:
    lines = tuple(
        Line(
            id=f"{shot_id}/{n}",
            character=block.character,
            text=block.speech,
            delivery=delivery(block),
            line=block.line,
            extension=block.extension,
            dual=block.dual,
            parenthetical=next((p.text for p in block.parts if p.kind == "parenthetical"), ""),
        )
        for n, block in enumerate(draft.blocks, start=1)
    )
    text = draft.action or " ".join(line.text for line in lines)
    signature = f"{draft.kind}|{draft.speaker}|{' '.join(text.lower().split()[:8])}"
    return Shot(
        id=shot_id,
        scene=scene_id,
        kind=draft.kind,
        size=draft.size or "medium",
        angle=draft.angle or "eye",
        move=draft.move or "static",
        characters=tuple(dict.fromkeys(c for c in draft.characters if c)),
        speaker=draft.speaker,
        lines=lines,
        action=draft.action,
        line=draft.line,
        duration=draft.duration,
        directive=draft.directive,
        signature=signature,
    )


def renumber(scene: Scene, scene_id: str, shot_ids: list[str]) -> Scene:
    """The scene with its final id and its shots' final ids (lines and effects follow)."""
    mapping = {shot.id: new for shot, new in zip(scene.shots, shot_ids, strict=True)}
    shots = tuple(
        replace(
            shot,
            id=mapping[shot.id],
            scene=scene_id,
            lines=tuple(
                replace(line, id=f"{mapping[shot.id]}/{line.id.rsplit('/', 1)[1]}")
                for line in shot.lines
            ),
        )
        for shot in scene.shots
    )
    effects = tuple((mapping[sid], what, line) for sid, what, line in scene.effects)
    return replace(scene, id=scene_id, shots=shots, effects=effects)
