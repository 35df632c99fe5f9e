"""The film model: scenes, shots, lines and characters, as the breakdown produced them.

Frozen values with stable ids. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cinecode.backends.protocols import SpeechSegment

#: character extensions of a voice that is not seen speaking
OFFSCREEN = ("V.O.", "O.S.", "O.C.", "VO", "OS")

# Shot sizes: extreme-wide, wide, full, medium, medium-close, close, extreme-close, insert.
# Camera moves: cinecode.media.video.MOVES. Angles: eye, high, low, overhead, dutch.


@dataclass(frozen=True)
class Line:
    """One dialogue block: a character's speech, with delivery."""

    id: str  # "<shot id>/<n>"
    character: str
    text: str  # the words, for subtitles
    delivery: tuple[SpeechSegment, ...]  # what the voice says, with pauses and styles
    line: int  # source line of the character cue
    extension: str = ""  # V.O., O.S., …
    dual: bool = False  # spoken over the previous block (dual dialogue)
    parenthetical: str = ""  # the first parenthetical, as written

    @property
    def offscreen(self) -> bool:
        """Whether the voice comes from outside the picture: (V.O.), (O.S.), (O.C.)."""
        return self.extension.upper().replace(" ", "") in OFFSCREEN


@dataclass(frozen=True)
class Directive:
    """What a `[[shot: …]]` note asked for; empty fields mean "decide automatically"."""

    size: str = ""
    angle: str = ""
    move: str = ""
    subjects: tuple[str, ...] = ()
    duration: float | None = None
    seed: int | None = None
    takes: int | None = None
    backend: str = ""
    model: str = ""
    prompt: str = ""
    source: str = ""  # the user's own photo or clip, relative to the project
    motion: str = ""  # the video engine of this shot ("camera": an animatic shot)
    continuous: bool = False  # the clip starts from the previous shot's last frame
    lipsync: bool = True  # `no lipsync`: the clip keeps its own mouth (see departments.lipsync)
    line: int = 0  # where the note is


@dataclass(frozen=True)
class Shot:
    """One shot of the cut."""

    id: str  # stable: "3.2", "12A.1", "title", "credits"
    scene: str  # scene id
    kind: str  # establishing | dialogue | action | insert | source | title | credits
    size: str
    angle: str
    move: str
    characters: tuple[str, ...]  # in frame, subject first
    speaker: str  # who speaks in this shot ("" if nobody)
    lines: tuple[Line, ...]
    action: str  # the action text this shot shows (caption, prompt)
    line: int  # source line where the shot starts
    duration: float | None = None  # fixed duration (action reading time / directive)
    directive: Directive | None = None
    signature: str = ""  # what identifies this shot across edits (ids lock)

    @property
    def estimated_duration(self) -> float:
        """Seconds, before the voices exist (words at 2.6 words per second)."""
        if self.duration is not None:
            return self.duration
        words = sum(len(line.text.split()) for line in self.lines)
        pauses = sum(s.pause for line in self.lines for s in line.delivery)
        return round(max(1.5, words / 2.6 + pauses + 0.7), 2)


@dataclass(frozen=True)
class Scene:
    id: str  # stable: "3", "12A"
    heading: str  # as written (plain text)
    line: int
    setting: str  # int | ext | int/ext
    location: str  # "LIGHTHOUSE - GALLERY"
    time_of_day: str  # day | night | dawn | dusk | morning | evening | continuous | …
    shots: tuple[Shot, ...]
    number: str = ""  # the script's own scene number (#12A#), if any
    synopsis: str = ""
    section: str = ""  # the innermost section it is in
    mood: str = ""  # [[mood: …]]
    ambience: str = ""  # [[ambience: …]]
    transition_in: str = ""  # CUT TO: / DISSOLVE TO: … before this scene
    transition_out: str = ""  # after it (FADE OUT.)
    effects: tuple[tuple[str, str, int], ...] = ()  # (shot id, description, line) from [[sfx:]]
    action_text: str = ""  # all action of the scene, for mood and ambience inference
    signature: str = ""


@dataclass(frozen=True)
class Character:
    name: str
    description: str = ""
    color: str = "#44484f"
    seed: int = 0
    references: tuple[str, ...] = ()
    first_line: int = 0  # where the screenplay first names them
    sheet: int = 0  # the seed of the picked cast sheet (cast.toml): the sketch draws its look


@dataclass(frozen=True)
class Location:
    name: str
    description: str = ""
    palette: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoryNote:
    """A branching directive as written (`[[choice: …]]`, `[[set: …]]`, `[[if: …]]`, …),
    with where it stands: read by `cinecode.script.branching`."""

    kind: str  # choice | set | if | end if | ending | label | go to
    body: str  # what follows the colon, as written
    line: int
    scene: int  # index of the scene it is in (0-based, screenplay order); -1 before the first
    last: bool  # no action or dialogue of its scene comes after it


@dataclass(frozen=True)
class Film:
    title: str
    credit: tuple[str, ...]  # title-page credit lines ("Written by", author …)
    scenes: tuple[Scene, ...]
    characters: dict[str, Character] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    script_path: str = ""
    # the screenplay's title page as written ("Author" → its lines), for the end credits
    title_page: dict[str, tuple[str, ...]] = field(default_factory=dict)
    story: tuple[StoryNote, ...] = ()  # the branching directives ( () : a linear film)

    @property
    def shots(self) -> tuple[Shot, ...]:
        return tuple(shot for scene in self.scenes for shot in scene.shots)

    def shot(self, shot_id: str) -> Shot:
        for shot in self.shots:
            if shot.id == shot_id:
                return shot
        raise KeyError(shot_id)

    def scene_of(self, shot_id: str) -> Scene:
        for scene in self.scenes:
            if any(shot.id == shot_id for shot in scene.shots):
                return scene
        raise KeyError(shot_id)

    def location(self, scene: Scene) -> Location | None:
        """The project's location entry that the scene heading names, if any."""
        return match_location(scene.location, self.locations)


def match_location(heading_location: str, locations: dict[str, Location]) -> Location | None:
    """Longest location key contained in the heading's location ("LIGHTHOUSE - GALLERY")."""
    text = heading_location.upper()
    best: Location | None = None
    for key, location in locations.items():
        if key.upper() in text and (best is None or len(key) > len(best.name)):
            best = location
    return best
