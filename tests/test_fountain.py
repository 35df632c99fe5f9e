"""The Fountain reader: real screenplays agree with screenplain, every element knows its line."""

from __future__ import annotations

import io
import random
import re
import time
from pathlib import Path

import pytest
import screenplain.parsers.fountain as screenplain
import screenplain.richstring as richstring
from screenplain.types import (
    Action,
    Dialog,
    DualDialog,
    PageBreak,
    Section,
    Slug,
    Transition,
)

from cinecode.errors import ScriptError
from cinecode.script import fountain
from cinecode.script.elements import DialoguePart, Element, Note, Script
from cinecode.script.fountain import parse_fountain, read_script

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# scenes per shared screenplay, as ../shared/screenplays/SOURCES.md lists them (screenplain 0.12)
SCENES = {
    "brick-and-steel.fountain": 8,
    "big-fish.fountain": 190,
    "the-last-birthday-card.fountain": 48,
    "silent-as-murderers.fountain": 34,
    "my-living-memory.fountain": 9,
    "printing-trouble.fountain": 29,
    "syntax-edge-cases.fountain": 11,
}


def _screenplain(path: Path) -> screenplain.Screenplay:
    return screenplain.parse(io.StringIO(path.read_text(encoding="utf-8-sig")))


def _source_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n")


def _one(script: Script, kind: str, line: int) -> Element:
    found = [e for e in script.elements if e.kind == kind and e.line == line]
    assert len(found) == 1, f"no single {kind} at line {line}: {script.elements}"
    return found[0]


# --- the shared screenplays ------------------------------------------------------------------


def test_sources_table_lists_the_same_scene_counts(screenplays: Path) -> None:
    table = (screenplays / "SOURCES.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\S+\.fountain) \|[^|]*\| (\d+) \|", table, flags=re.MULTILINE)
    assert {name: int(count) for name, count in rows} == SCENES


@pytest.mark.parametrize("name", sorted(SCENES))
def test_scene_count_equals_screenplain(screenplays: Path, name: str) -> None:
    path = screenplays / name
    theirs = sum(isinstance(p, Slug) for p in _screenplain(path))
    ours = read_script(path).headings
    assert len(ours) == theirs == SCENES[name]


@pytest.mark.parametrize("name", sorted(SCENES))
def test_headings_and_cues_are_on_their_source_lines(screenplays: Path, name: str) -> None:
    path = screenplays / name
    script = read_script(path)
    source = _source_lines(path)
    dialogue = [e for e in script.elements if e.kind == "dialogue"]
    assert dialogue, "every shared screenplay has dialogue"
    for heading in script.headings:
        assert heading.markup in source[heading.line - 1].upper(), heading
        assert heading.end_line == heading.line
    for block in dialogue:
        assert block.character in source[block.line - 1], block
        for part in block.parts:
            first_word = re.findall(r"\w+", part.text)[0]
            assert first_word in source[part.line - 1], (block, part)


def _their_view(path: Path) -> tuple[bool, list[tuple[str, str]]]:
    """(has a title page, what screenplain sees), in our terms."""
    out: list[tuple[str, str]] = []

    def dialog(d: Dialog) -> tuple[str, str]:
        lines = [str(text).strip().removeprefix("~").strip() for _, text in d.blocks]
        return "dialogue", "\n".join(s for s in lines if s)

    ref = _screenplain(path)
    for p in ref:
        if isinstance(p, Slug):
            out.append(("heading", f"{p.line} #{p.scene_number or ''}"))
        elif isinstance(p, DualDialog):
            out += [dialog(p.left), dialog(p.right)]
        elif isinstance(p, Dialog):
            out.append(dialog(p))
        elif isinstance(p, Action):
            text = "\n".join(str(s) for s in p.lines).strip("\n").replace("\\_", "_")
            if p.centered:
                out.append(("centered", text))
            elif text.startswith("~"):
                out.append(("lyric", "\n".join(s.removeprefix("~") for s in text.split("\n"))))
            elif text.strip():
                out.append(("action", text))
        elif isinstance(p, Transition):
            out.append(("transition", str(p.line)))
        elif isinstance(p, Section):
            out.append(("section", f"{p.level} {str(p.text).strip()}"))
        elif isinstance(p, PageBreak):
            out.append(("page_break", ""))
    return bool(ref.title_page), out


@pytest.mark.parametrize("name", sorted(SCENES))
def test_every_paragraph_is_what_screenplain_makes_of_it(screenplays: Path, name: str) -> None:
    script = read_script(screenplays / name)
    has_title_page, theirs = _their_view(screenplays / name)
    if script.title_page and not has_title_page:
        # a note above the title page hides it from screenplain, not from us (the spec's way)
        assert name == "syntax-edge-cases.fountain"
        assert theirs[0][1].startswith("Title:")
        theirs = theirs[1:]
    ours: list[tuple[str, str]] = []
    for e in script.elements:
        if e.kind == "heading":
            ours.append((e.kind, f"{e.text} #{e.scene_number}"))
        elif e.kind == "section":
            ours.append((e.kind, f"{e.level} {e.text}"))
        elif e.kind not in ("note", "synopsis"):
            ours.append((e.kind, e.text))
    assert ours == theirs


def test_a_note_above_the_title_page_does_not_hide_it(screenplays: Path) -> None:
    script = read_script(screenplays / "syntax-edge-cases.fountain")
    assert script.title == "Screenplay title Second line"
    assert script.title_page["Author"] == ["Author 1,", "Author 2 & Author 3"]
    first = script.elements[0]
    assert (first.kind, first.line, first.end_line) == ("note", 1, 4)
    assert first.text.startswith("Script note.\n- blah blah blah")


def test_rules_are_still_screenplains() -> None:
    pairs = [
        (fountain.BONEYARD_RE, screenplain.boneyard_re),
        (fountain.TITLE_PAGE_KEY_RE, screenplain.title_page_key_re),
        (fountain.TITLE_PAGE_VALUE_RE, screenplain.title_page_value_re),
        (fountain.CENTERED_RE, screenplain.centered_re),
        (fountain.DUAL_DIALOG_RE, screenplain.dual_dialog_re),
        (fountain.SLUG_RE, screenplain.slug_re),
        (fountain.SCENE_NUMBER_RE, screenplain.scene_number_re),
        (fountain.SECTION_RE, screenplain.section_re),
        (fountain.TRANSITION_RE, screenplain.transition_re),
        (fountain.PAGE_BREAK_RE, screenplain.page_break_re),
        (fountain.NOTE_RE, screenplain.note_re),
        (fountain._BOLD_RE, richstring.Bold.parse_re),
        (fountain._ITALIC_RE, richstring.Italic.parse_re),
        (fountain._UNDERLINE_RE, richstring.Underline.parse_re),
        *zip(fountain.SLUG_REGEXES, screenplain.slug_regexes, strict=True),
    ]
    for ours, theirs in pairs:
        assert (ours.pattern, ours.flags) == (theirs.pattern, theirs.flags)


# --- every syntax feature (tests/fixtures/syntax.fountain) -----------------------------------


@pytest.fixture(scope="module")
def syntax() -> Script:
    return read_script(FIXTURES / "syntax.fountain")


def test_title_page_keys_and_multi_line_values(syntax: Script) -> None:
    assert syntax.title_page == {
        "Title": ["The Test Film"],
        "Credit": ["written by"],
        "Author": ["A. Writer"],
        "Draft date": ["1 April 2026"],
        "Contact": ["Someone", "12 Street"],
    }
    assert syntax.title == "The Test Film"
    assert syntax.path.endswith("syntax.fountain")


def test_sections_with_levels_and_synopses(syntax: Script) -> None:
    sections = [(e.line, e.level, e.text) for e in syntax.elements if e.kind == "section"]
    assert sections == [(9, 1, "Act One"), (11, 2, "The morning"), (61, 3, "Deep section")]
    synopses = [(e.line, e.text) for e in syntax.elements if e.kind == "synopsis"]
    assert synopses == [(13, "We meet Ann."), (17, "Ann makes coffee.")]


def test_scene_headings_plain_forced_and_mixed(syntax: Script) -> None:
    headings = [(h.line, h.text, h.forced) for h in syntax.headings]
    assert headings == [
        (15, "INT. KITCHEN - DAY", False),
        (25, "INSIDE THE FRIDGE", True),
        (27, "EXT. GARDEN - DAY", False),
        (42, "INT./EXT. CAR - MOVING", False),
        (44, "I/E CAR - LATER", False),
        (57, "EXT. ROAD - NIGHT", False),
    ]


def test_emphasis_is_plain_in_text_and_kept_in_markup(syntax: Script) -> None:
    action = _one(syntax, "action", 19)
    assert action.text == "Ann pours hot coffee into a big mug, *not* a cup."
    assert action.markup == r"Ann pours *hot* coffee into a **big** _mug_, \*not\* a cup."


def test_action_keeps_tab_indent_and_forced_action(syntax: Script) -> None:
    assert _one(syntax, "action", 21).text == "    She hums, indented by a tab."
    forced = _one(syntax, "action", 23)
    assert (forced.text, forced.forced) == ("ALL CAPS BUT ACTION", True)
    assert not any(h.line == 23 for h in syntax.headings)


def test_notes_inside_elements_and_standing_alone(syntax: Script) -> None:
    heading = _one(syntax, "heading", 27)
    assert heading.notes == (Note("where the roses are", 27),)
    action = _one(syntax, "action", 59)
    assert action.text == "A note in the action."
    assert action.notes == (Note("about the road", 59),)
    notes = [(e.line, e.end_line, e.text) for e in syntax.elements if e.kind == "note"]
    assert notes == [(29, 29, "A note of its own."), (31, 32, "A note\nover two lines.")]


def test_boneyard_is_removed_without_shifting_lines(syntax: Script) -> None:
    assert syntax.boneyard_lines == ((34, 35), (37, 40))
    joined = _one(syntax, "action", 34)
    assert (joined.text, joined.end_line) == ("The rain stops.", 35)
    assert all("CUT SCENE" not in e.text for e in syntax.elements)
    assert _one(syntax, "heading", 42).text == "INT./EXT. CAR - MOVING"


def test_centered_transitions_lyrics_and_page_break(syntax: Script) -> None:
    assert _one(syntax, "centered", 46).text == "THE END"
    cut = _one(syntax, "transition", 48)
    assert (cut.text, cut.forced) == ("CUT TO:", False)
    fade = _one(syntax, "transition", 50)
    assert (fade.text, fade.forced) == ("FADE OUT.", True)
    lyric = _one(syntax, "lyric", 52)
    assert (lyric.text, lyric.end_line) == ("Happy birthday to you\nHappy birthday, dear Ann", 53)
    assert _one(syntax, "page_break", 55).text == ""
    # "Fade out." is not upper case and has no ">": it stays action
    assert _one(syntax, "action", 80).text == "Fade out."


def test_dialogue_parts_extensions_forced_and_dual(syntax: Script) -> None:
    ann = _one(syntax, "dialogue", 63)
    assert (ann.character, ann.extension, ann.contd, ann.end_line) == ("ANN", "V.O.", False, 67)
    assert ann.parts == (
        DialoguePart("speech", "I used to sing.", 64),
        DialoguePart("lyric", "Happy birthday to you", 65),
        DialoguePart("parenthetical", "beat", 66),
        DialoguePart("speech", "Not anymore.", 67),
    )
    assert ann.speech == "I used to sing. Happy birthday to you Not anymore."
    again = _one(syntax, "dialogue", 71)
    assert (again.character, again.extension, again.contd) == ("ANN", "V.O.", True)
    forced = _one(syntax, "dialogue", 74)
    assert (forced.character, forced.forced) == ("McCLANE", True)
    bob = _one(syntax, "dialogue", 77)
    assert (bob.character, bob.dual, forced.dual) == ("BOB", True, False)


def test_element_order_and_kinds(syntax: Script) -> None:
    kinds = [e.kind for e in syntax.elements]
    assert kinds.count("heading") == 6
    assert kinds.count("dialogue") == 4
    lines = [e.line for e in syntax.elements]
    assert lines == sorted(lines)


# --- dialogue (tests/fixtures/dialogue.fountain) ---------------------------------------------


@pytest.fixture(scope="module")
def dialogue() -> Script:
    return read_script(FIXTURES / "dialogue.fountain")


def test_parenthetical_over_two_lines_mid_speech(dialogue: Script) -> None:
    maya = _one(dialogue, "dialogue", 3)
    assert (maya.character, maya.extension) == ("MAYA", "O.S.")
    assert maya.parts == (
        DialoguePart("speech", "Hello?", 4),
        DialoguePart("parenthetical", "whispering,", 5),
        DialoguePart("parenthetical", "barely audible", 6),
        DialoguePart("speech", "Is anyone there?", 7),
    )
    assert maya.markup.endswith("Is anyone *there*?")


def test_two_space_line_keeps_dialogue_together_and_notes_keep_their_lines(
    dialogue: Script,
) -> None:
    maya = _one(dialogue, "dialogue", 9)
    assert (maya.contd, maya.extension, maya.end_line) == (True, "", 12)
    assert [(p.line, p.text) for p in maya.parts] == [(10, "I can hear you."), (12, "Still here.")]
    assert maya.notes == (Note("she can't", 10),)
    theo = _one(dialogue, "dialogue", 14)
    assert (theo.extension, theo.notes) == ("on the phone", (Note("Theo is lying", 15),))
    assert theo.parts == (DialoguePart("speech", "I'm not here.", 16),)


def test_contd_in_lower_case_after_an_extension(dialogue: Script) -> None:
    theo = _one(dialogue, "dialogue", 18)
    assert (theo.character, theo.extension, theo.contd) == ("THEO", "V.O.", True)


def test_dual_dialogue_pairs_only_two_blocks(dialogue: Script) -> None:
    blocks = [(e.line, e.character, e.dual) for e in dialogue.elements if e.line >= 21]
    assert blocks == [(21, "MAYA", False), (24, "THEO", True), (27, "MAYA", False)]


# --- scene numbers (tests/fixtures/scene-numbers.fountain) -----------------------------------


def test_scene_numbers() -> None:
    script = read_script(FIXTURES / "scene-numbers.fountain")
    found = [(h.line, h.text, h.scene_number) for h in script.headings]
    assert found == [
        (1, "INT. HOUSE - DAY", "1"),
        (3, "EXT. GARDEN - NIGHT", "12A"),
        (5, "FLASHBACK", "I-1-A"),
        (7, "INT. HOUSE - DAY - FLASHBACK (1998)", "1-A"),
        (9, "INT. HALL - DAY", "2B"),
        (11, "INT. NO NUMBER - DAY", ""),
    ]
    theirs = [p for p in _screenplain(FIXTURES / "scene-numbers.fountain") if isinstance(p, Slug)]
    assert [str(p.scene_number or "") for p in theirs] == [h.scene_number for h in script.headings]


# --- lines through boneyard and notes --------------------------------------------------------


def test_boneyard_ending_mid_line_gives_the_heading_its_own_line() -> None:
    script = parse_fountain("/* cut\nstill cut */INT. HOUSE - DAY\n\nBOB\nHi.\n")
    assert [(e.kind, e.line) for e in script.elements] == [("heading", 2), ("dialogue", 4)]
    assert script.boneyard_lines == ((1, 2),)


def test_note_over_lines_inside_action() -> None:
    script = parse_fountain("INT. HOUSE - DAY\n\nAnn [[she\nthinks]] waits.\nThen leaves.\n")
    action = script.elements[1]
    assert (action.text, action.line, action.end_line) == ("Ann waits.\nThen leaves.", 3, 5)
    assert action.notes == (Note("she\nthinks", 3),)


def test_unclosed_boneyard_is_kept_as_text() -> None:
    script = parse_fountain("INT. HOUSE - DAY\n\nA /* not closed.\n")
    assert script.elements[1].text == "A /* not closed."
    assert script.boneyard_lines == ()


# --- files: encodings and line endings -------------------------------------------------------


def test_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "crlf.fountain"
    path.write_bytes("\ufeffTitle: Café\r\n\r\nINT. HOUSE - DAY\r\n\r\nBOB\r\nHi.\r\n".encode())
    script = read_script(path)
    assert script.title_page == {"Title": ["Café"]}
    assert [(e.kind, e.line) for e in script.elements] == [("heading", 3), ("dialogue", 5)]
    assert script.elements[1].parts == (DialoguePart("speech", "Hi.", 6),)


def test_old_mac_cr_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "cr.fountain"
    path.write_bytes(b"INT. HOUSE - DAY\r\rBOB\rHi.\r")
    script = read_script(path)
    assert [(e.kind, e.line, e.text) for e in script.elements] == [
        ("heading", 1, "INT. HOUSE - DAY"),
        ("dialogue", 3, "Hi."),
    ]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_non_utf8_names_file_and_line(tmp_path: Path, newline: bytes) -> None:
    path = tmp_path / "latin1.fountain"
    lines = [b"Title: Test", b"", b"INT. CAFE - DAY", b"", "Café au lait.".encode("latin-1")]
    path.write_bytes(newline.join(lines) + newline)
    with pytest.raises(ScriptError) as caught:
        read_script(path)
    message = str(caught.value)
    assert f"{path}:5:" in message
    assert "UTF-8" in message
    assert caught.value.line == 5


def test_missing_file_is_a_script_error(tmp_path: Path) -> None:
    with pytest.raises(ScriptError) as caught:
        read_script(tmp_path / "nope.fountain")
    assert str(tmp_path / "nope.fountain") in str(caught.value)


def test_notes_go_to_the_line_they_sit_on_and_synopses_stand_anywhere() -> None:
    script = parse_fountain(
        "= An idea first.\n\n# Act [[a]]\n= Why [[b]]\n## Seq\n\nINT. X - DAY\n"
    )
    found = [(e.kind, e.line, e.text, e.level, e.notes) for e in script.elements]
    assert found == [
        ("synopsis", 1, "An idea first.", 0, ()),
        ("section", 3, "Act", 1, (Note("a", 3),)),
        ("synopsis", 4, "Why", 0, (Note("b", 4),)),
        ("section", 5, "Seq", 2, ()),
        ("heading", 7, "INT. X - DAY", 0, ()),
    ]


def test_notes_are_found_as_the_regex_finds_them_in_linear_time() -> None:
    rng = random.Random(17)
    for _ in range(3000):
        text = "".join(rng.choice("[]a \n") for _ in range(rng.randrange(30)))
        spans = [m.span() for m in fountain.NOTE_RE.finditer(text)]
        assert fountain._note_spans(text) == spans, text
        assert fountain._without_notes(text) == fountain.NOTE_RE.sub("", text), text
    started = time.perf_counter()
    script = parse_fountain("INT. ROOM - DAY\n\nA chair. " + "[[" * 50_000 + "\n")
    assert time.perf_counter() - started < 5  # the regex took about a minute on this line
    assert script.elements[-1].text.startswith("A chair. [[[[")
