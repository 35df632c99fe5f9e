"""write_story_site writes the branching film's player: media named by content, written once."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from story_clips import make_reel, make_reels, story

from cinecode.errors import PublishError
from cinecode.publish.branching import mime_of, write_story_site

CREDITS = ["Written by A. Writer", "Made with cinecode"]
DISCLOSURE = "Made with generative AI (cinecode): the pictures and voices are machine-made."


def test_the_site_names_media_by_content_and_a_second_write_adds_nothing(tmp_path: Path) -> None:
    reels = make_reels(tmp_path / "reels")
    out = tmp_path / "site"

    first = write_story_site(
        out, story=story(), scenes=reels, title="The Lighthouse", credits=CREDITS,
        disclosure=DISCLOSURE,
    )  # fmt: skip

    media = sorted((out / "media").iterdir())
    assert len(media) == 8  # eight different reels, eight files
    for path in media:
        assert path.name == f"{hashlib.sha256(path.read_bytes()).hexdigest()}.mp4"
        assert b"moof" in path.read_bytes()  # fragmented: MSE can append it
    assert {p.name for p in (out / "player").iterdir()} == {"story.js", "story.css"}
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<title>The Lighthouse</title>" in page and "player/story.js?v=" in page
    site = json.loads((out / "story.json").read_text(encoding="utf-8"))
    assert site["story"] == story()
    assert site["credits"] == CREDITS and site["disclosure"] == DISCLOSURE
    assert {m["url"] for m in site["media"].values()} == {f"media/{p.name}" for p in media}
    assert site["mime"] == first.mime
    assert first.mime.startswith('video/mp4; codecs="avc1.') and "mp4a.40.2" in first.mime
    assert set(first.added) == set(first.files) and first.bytes_added > 0
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}

    second = write_story_site(
        out, story=story(), scenes=reels, title="The Lighthouse", credits=CREDITS,
        disclosure=DISCLOSURE,
    )  # fmt: skip

    assert second.added == () and second.bytes_added == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps
    assert not [p for p in out.rglob(".*")]  # no staged file left behind


def test_a_changed_scene_adds_only_its_own_media(tmp_path: Path) -> None:
    reels = make_reels(tmp_path / "reels")
    out = tmp_path / "site"
    write_story_site(out, story=story(), scenes=reels, title="T", credits=[], disclosure=DISCLOSURE)
    reels["5"] = make_reel(tmp_path / "reels" / "new-5.mp4", "orange")

    again = write_story_site(
        out, story=story(), scenes=reels, title="T", credits=[], disclosure=DISCLOSURE
    )

    added_media = [p for p in again.added if p.parent.name == "media"]
    # the new scene, the story that names it, the page that names the story's version
    assert len(added_media) == 1
    assert again.added == (*added_media, out / "story.json", out / "index.html")
    assert len(list((out / "media").iterdir())) == 9  # the old file stays for old pages


def test_the_codec_string_is_read_from_the_file(tmp_path: Path) -> None:
    reel = make_reel(tmp_path / "a.mp4", "red")
    # x264's ultrafast preset with B-frames writes Main (profile 77, constraint 0x40), level 1.1
    assert mime_of(reel.read_bytes()) == 'video/mp4; codecs="avc1.4d400b, mp4a.40.2"'


def test_a_story_with_a_scene_without_its_reel_is_refused(tmp_path: Path) -> None:
    reels = make_reels(tmp_path / "reels")
    del reels["8"]
    with pytest.raises(PublishError, match="no reel for scene"):
        write_story_site(
            tmp_path / "site", story=story(), scenes=reels, title="T", credits=[],
            disclosure=DISCLOSURE,
        )  # fmt: skip


def test_a_malformed_condition_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    broken = story()
    broken["scenes"][4]["when"] = "courage >= two"
    with pytest.raises(PublishError, match="scene 5: condition"):
        write_story_site(
            tmp_path / "site", story=broken, scenes={}, title="T", credits=[],
            disclosure=DISCLOSURE,
        )  # fmt: skip
    assert not (tmp_path / "site").exists()
