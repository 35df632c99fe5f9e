"""The end crawl reads as a film's: the title, who wrote it, the cast with the voice and engine
that spoke each character, the departments' engines, every model that made the cut, the
cinecode that made it, and what in the film was generated with AI; long credits roll."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import frame_at
from PIL import Image
from test_titles import context  # a card's Context, shared with the title card's tests

from cinecode import __version__
from cinecode.departments import motion, titles
from cinecode.graph.executor import Input
from cinecode.graph.job import Job
from cinecode.media.ffmpeg import probe
from cinecode.pipeline.plan import Plan
from cinecode.pipeline.session import Session

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "the-lighthouse-keeper"

#: the models the offline engines report once they ran (the plan knows only their backends)
RAN = {"sketch": "pencil", "piper": "piper:en_US-joe-medium", "runway": "gen4_turbo"}


def example(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """A copy of the bundled example, its film.toml edited (old → new)."""
    project = tmp_path / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("build", ".cinecode"))
    toml = project / "film.toml"
    text = toml.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    toml.write_text(text, encoding="utf-8")
    return project


def planned(project: Path) -> Plan:
    with Session.open(project) as session:
        return session.replan()


def credits_job(plan: Plan) -> Job:
    return next(job for job in plan.graph if job.label == "end credits")


def made(plan: Plan, job: Job) -> dict[str, titles.Maker]:
    """What made each input of the credits, as the store would report it after a build."""
    out = {}
    for key in job.inputs:
        source = plan.graph.jobs[key]
        model = str(source.params.get("model", "")) or RAN.get(source.backend, "")
        out[key] = titles.Maker(source.step, source.backend, model)
    return out


def crawl(project: Path) -> titles.Sections:
    plan = planned(project)
    job = credits_job(plan)
    return titles.credit_sections(job.params, made(plan, job), version="9.9")


def test_the_crawl_of_the_example_names_writer_cast_departments_models_and_ai(
    tmp_path: Path,
) -> None:
    ordered = crawl(example(tmp_path))
    sections = dict(ordered)
    headings = [heading for heading, _ in ordered]
    assert headings == ["", "Written by", "Cast", "Departments", "Models used", "Made with", ""]
    assert ordered[0][1] == ["THE LIGHTHOUSE KEEPER"]
    # the script's title page: Credit, Author and Source
    assert sections["Written by"] == [
        "cinecode",
        "An original short film, the bundled cinecode example",
    ]
    # every speaking character, in order of appearance, with the voice and engine that spoke
    assert sections["Cast"] == [
        "TEO — voiced by child · piper en_US-joe-medium",
        "ELIAS — voiced by man-deep · piper en_US-joe-medium",
        "MARA — voiced by woman-warm · piper en_US-joe-medium",
    ]
    assert sections["Departments"] == [
        "Storyboard — sketch pencil",
        "Motion — camera moves over the keyframes",
        "Voices — piper en_US-joe-medium",
        "Music — composer",
        "Sound effects — foley",
    ]
    assert sections["Models used"] == [
        "sketch pencil",
        "piper en_US-joe-medium",
        "composer",
        "foley",
    ]
    assert sections["Made with"] == ["cinecode 9.9"]
    assert ordered[-1][1] == [
        "Voices in this film were generated with AI.",
        "Its pictures, music and sound effects were made by procedural engines, without AI.",
    ]


def test_hosted_engines_and_finishing_are_credited_with_their_models(tmp_path: Path) -> None:
    project = example(
        tmp_path,
        (
            '[storyboard]\nbackend = "sketch"',
            '[storyboard]\nbackend = "replicate"\nmodel = "black-forest-labs/flux-schnell"\n\n'
            '[motion]\nbackend = "runway"\nmodel = "gen4_turbo"',
        ),
        ('[voice]\nbackend = "piper"', '[voice]\nbackend = "elevenlabs"\nmodel = "eleven_v3"'),
        ('voice = "woman-warm"', 'voice = { voice_id = "21m00Tcm4TlvDq8ikWAM" }'),
        (
            '[music]\nbackend = "composer"',
            '[music]\nbackend = "elevenlabs"\nmodel = "music_v1"\n\n[effects]\nbackend = '
            '"elevenlabs"\n\n[finishing]\nupscale = 2\nupscaler = "lanczos"\nfps = 48\n',
        ),
    )
    sections = dict(crawl(project))
    assert "MARA — voiced by 21m00Tcm4TlvDq8ikWAM · elevenlabs eleven_v3" in sections["Cast"]
    assert "ELIAS — voiced by man-deep · elevenlabs eleven_v3" in sections["Cast"]
    assert sections["Departments"] == [
        "Storyboard — replicate black-forest-labs/flux-schnell",
        "Motion — runway gen4_turbo",
        "Voices — elevenlabs eleven_v3",
        "Music — elevenlabs music_v1",
        "Sound effects — elevenlabs",
        "Upscaling — lanczos",
        "Frame interpolation — minterpolate",
    ]
    assert sections["Models used"] == [
        "replicate black-forest-labs/flux-schnell",
        "runway gen4_turbo",
        "elevenlabs eleven_v3",
        "elevenlabs music_v1",
        "elevenlabs",
        "lanczos",
        "minterpolate",
    ]
    assert sections[""] == [
        "Pictures, video clips, voices, music and sound effects in this film were generated "
        "with AI."
    ]


def test_only_what_the_cut_used_is_credited(tmp_path: Path) -> None:
    project = example(
        tmp_path,
        (
            '[music]\nbackend = "composer"',
            '[music]\nbackend = "none"\n\n[effects]\nbackend = "none"',
        ),
        (
            'title = "The Lighthouse Keeper"',
            'title = "The Lighthouse Keeper"\n\n'
            '[backends.flux]\nbackend = "comfyui"\nmodel = "flux1-dev"',
        ),
    )
    sections = dict(crawl(project))
    assert not any(line.startswith(("Music", "Sound effects")) for line in sections["Departments"])
    assert sections["Models used"] == ["sketch pencil", "piper en_US-joe-medium"]
    assert "Its pictures were made by procedural engines, without AI." in sections[""]


def test_a_director_on_the_title_page_is_credited_after_the_writer(tmp_path: Path) -> None:
    project = example(tmp_path)
    script = project / "script.fountain"
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("Author: cinecode\n", "Author: Ada\nDirector: Bo\n"))
    plan = planned(project)
    sections = titles.credit_sections(credits_job(plan).params, {}, version="")
    assert sections[1] == (
        "Written by",
        ["Ada", "An original short film, the bundled cinecode example"],
    )
    assert sections[2] == ("Directed by", ["Bo"])
    assert sections[3][0] == "Cast"
    assert sections[-2] == ("Made with", ["cinecode"])
    # no generation was handed in: the AI line speaks only of the score and the effects
    assert sections[-1] == (
        "",
        ["Music and sound effects were made by procedural engines, without AI."],
    )


def test_the_ai_line_says_what_a_model_made_and_what_was_made_by_rule() -> None:
    said = titles.disclosure(
        {"Storyboard": {"sketch", "replicate"}, "Voices": {"piper"}, "Music": {"composer"}}
    )
    assert said == [
        "Some of the pictures and voices in this film were generated with AI.",
        "The other pictures and music were made by procedural engines, without AI.",
    ]
    assert titles.disclosure({"Voices": {"piper"}, "Upscaling": {"realesrgan"}}) == [
        "Voices in this film were generated with AI.",
        "Its frames were upscaled with AI.",
    ]


# --- rendered ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_examples_credits_roll_slowly_enough_to_read(tmp_path: Path) -> None:
    project = example(tmp_path, ("width = 1280\nheight = 720", "width = 320\nheight = 180"))
    plan = planned(project)
    job = credits_job(plan)
    inputs = [
        Input(key, tmp_path / "unused", {}, maker.step, maker.backend, maker.model)
        for key, maker in made(plan, job).items()
    ]
    card = titles.run_card(job, context(job, inputs, tmp_path))
    sections = titles.credit_sections(job.params, made(plan, job), version=__version__)
    assert card.meta["credits"] == [[h, lines] for h, lines in sections]
    assert card.meta["scroll"]  # too long for one card: a roll
    # the planned segment scrolls it for as long as the crawl needs
    segment = next(j for j in plan.graph if j.label == "segment credits")
    seconds = titles.crawl_seconds(sections)
    result = motion.run_segment(
        segment, context(segment, [Input(job.key, card.path, card.meta, "card")], tmp_path)
    )
    frames = int(result.meta["frames"])
    assert probe(result.path).frames == frames
    assert segment.params["shots"][0]["fixed"] == seconds
    assert seconds <= frames / 24 < seconds + segment.params["quantum"] / 24  # whole quanta
    assert seconds > titles.CREDITS_SECONDS + 10  # longer than the old, short credits
    # at its fastest (mid-roll: the scroll eases in and out) a line is on screen four seconds
    with Image.open(card.path) as picture:
        travel = picture.height - 180  # from the empty frame above to the final frame
    fastest = 1.5 * travel / (frames / 24)  # px/s: smoothstep's peak is 1.5 × its mean
    assert 180 / fastest >= 4.0
    first, middle, last = (
        frame_at(result.path, t) for t in (0.05, frames / 48, frames / 24 - 0.05)
    )
    assert first.std() < 3  # it rolls in from an empty frame
    assert middle.std() > 10  # the names roll past
    # and comes to rest on its closing lines, the AI line, in the middle of the last frame
    ink = np.flatnonzero((last.max(axis=2) > 90).any(axis=1))
    closing = np.split(ink, np.flatnonzero(np.diff(ink) > 15) + 1)[-1]  # the last block of type
    assert abs((closing.min() + closing.max()) / 2 - 90) < 8
