"""`cinecode publish`: every release as HLS over content-named segments that releases share.

On the tiny film released as v1.0 and, after a one-line change, v1.1: the playlists add up to
the release; every media file is named by its bytes; publishing v1.1 beside v1.0 adds only the
changed shots' segments; and the playlists, decoded as a player places them, give the
master's pictures and sound at the same times."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from publish_film import CHANGED_SHOT, Film, differ, released_film, resolver

from cinecode.errors import PublishError
from cinecode.publish import hls
from cinecode.publish.feed import DISCLOSURE, disclosure_of
from cinecode.publish.site import publish_site

pytestmark = pytest.mark.slow
FPS = 24
FRAME = 1 / FPS


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Film:
    return released_film(tmp_path_factory)


@pytest.fixture(scope="module")
def sites(film: Film, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """v1.0 published alone, then v1.0 and v1.1 published into the same folder."""
    out = tmp_path_factory.mktemp("site") / "site"
    resolve = resolver(film.root)
    first = publish_site([film.v10], resolve, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = publish_site([film.v10, film.v11], resolve, out, diff=differ(film.root))
    again = publish_site([film.v10, film.v11], resolve, out, diff=differ(film.root))
    return {"out": out, "first": first, "second": second, "again": again, "before": before}


def playlist(path: Path) -> list[tuple[float, str, str]]:
    """(EXTINF seconds, segment path, init path) of a media playlist, paths resolved."""
    entries = []
    init = ""
    seconds = 0.0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#EXT-X-MAP:"):
            found = re.search(r'URI="([^"]+)"', line)
            assert found
            init = str((path.parent / found[1]).resolve())
        elif line.startswith("#EXTINF:"):
            seconds = float(line[8:].rstrip(","))
        elif line and not line.startswith("#"):
            entries.append((seconds, str((path.parent / line).resolve()), init))
    return entries


def feed_shots(out: Path, version: str) -> list[dict[str, object]]:
    """The shots of a version in releases.json (the cards, title and credits, as one each)."""
    feed = json.loads((out / "releases.json").read_text(encoding="utf-8"))
    return list(next(v for v in feed["versions"] if v["version"] == version)["shots"])


def test_the_playlists_add_up_to_each_release(film: Film, sites: dict[str, object]) -> None:
    out = sites["out"]
    assert isinstance(out, Path)
    for release in (film.v10, film.v11):
        folder = out / release.version
        video = playlist(folder / "video.m3u8")
        audio = playlist(folder / "audio.m3u8")
        shots = feed_shots(out, release.version)
        # one segment per shot, and one per card the master has beside the release's scenes
        assert [s["id"] for s in shots] == ["title", *(s.id for s in release.shots), "credits"]
        assert len(video) == len(audio) == len(shots)
        assert sum(s for s, _, _ in video) == pytest.approx(release.duration, abs=FRAME)
        assert sum(s for s, _, _ in audio) == pytest.approx(release.duration, abs=FRAME)
        for (seconds, _, _), shot in zip(video, shots, strict=True):
            assert seconds == pytest.approx(shot["duration"], abs=1e-5)
        text = (folder / "video.m3u8").read_text(encoding="utf-8")
        assert text.count("#EXT-X-DISCONTINUITY\n") == len(shots) - 1
        assert text.rstrip().endswith("#EXT-X-ENDLIST")
        master = (folder / "master.m3u8").read_text(encoding="utf-8")
        said = disclosure_of(release.credits)  # what the credits say AI made, and what not
        assert said.startswith(f"{DISCLOSURE}. ") and "generated with AI." in said
        assert f'DATA-ID="com.cinecode.disclosure",VALUE="{said}"' in master
        assert 'DATA-ID="com.cinecode.credits"' in master
        assert re.search(r'CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"', master)
        assert (folder / "subtitles.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
        chapters = (folder / "chapters.vtt").read_text(encoding="utf-8")
        assert "EXT. HILLTOP - DAWN" in chapters and "INT. CAR - NIGHT" in chapters
    feed = json.loads((out / "releases.json").read_text(encoding="utf-8"))
    assert [v["version"] for v in feed["versions"]] == ["v1.0", "v1.1"]
    assert feed["disclosure"] == disclosure_of(film.v11.credits) and feed["latest"] == "v1.1"
    assert [v["disclosure"] for v in feed["versions"]] == [
        disclosure_of(film.v10.credits),
        disclosure_of(film.v11.credits),
    ]
    assert (out / "index.html").read_text(encoding="utf-8").count(DISCLOSURE) >= 1
    assert (out / "player" / "hls.min.js").stat().st_size > 100_000


def test_the_disclosure_says_what_was_made_with_ai_and_what_was_not() -> None:
    from cinecode.departments.titles import disclosure

    offline = disclosure({"Storyboard": {"sketch"}, "Voices": {"piper"}, "Music": {"composer"}})
    assert disclosure_of(["Written by: X", *offline]) == (
        "Made with generative AI (cinecode). Voices in this film were generated with AI. "
        "Its pictures and music were made by procedural engines, without AI."
    )
    ruled = disclosure({"Storyboard": {"sketch"}, "Music": {"composer"}})
    assert disclosure_of(ruled) == (
        "Made with cinecode, without generative AI. "
        "Pictures and music were made by procedural engines, without AI."
    )
    assert disclosure_of(["Written by: X"]) == DISCLOSURE  # an older release: no such line


def test_media_files_are_named_by_their_bytes(film: Film, sites: dict[str, object]) -> None:
    out = sites["out"]
    assert isinstance(out, Path)
    files = [p for p in (out / "media").rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert path.stem == hashlib.sha256(path.read_bytes()).hexdigest(), path
    inits = list((out / "media" / "i").iterdir())
    assert len(inits) == 2  # every shot's video init is the same file, every audio init too
    for init in inits:
        data = init.read_bytes()
        # udta: the disclosure rides in the MP4 itself
        assert disclosure_of(film.v10.credits).encode() in data
        assert b"Tiny" in data


def test_a_one_line_change_adds_only_the_changed_shots(
    film: Film, sites: dict[str, object]
) -> None:
    out, first, second, again, before = (
        sites[k] for k in ("out", "first", "second", "again", "before")
    )
    assert isinstance(out, Path) and isinstance(before, dict)
    old = {s.id: s for s in film.v10.shots}
    changed = [s for s in film.v11.shots if s.segment.object != old[s.id].segment.object]
    # the line's shot, and the scene's establishing shot that holds its padding
    assert sorted(s.id for s in changed) == ["1.1", CHANGED_SHOT]
    new_files = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p not in before and "/media/" in f"/{p.relative_to(out)}"
    }
    resolve = resolver(film.root)
    fragments = [hls.video_fragment(resolve(s.segment), tags={}).media for s in changed]
    expected_video = {f"media/v/{hashlib.sha256(f).hexdigest()}.m4s" for f in fragments}
    assert {f for f in new_files if f.startswith("media/v/")} == expected_video
    assert not {f for f in new_files if f.startswith("media/i/")}  # the inits are shared
    # the changed line's audio, and otherwise only audio of scenes whose reel changed: the
    # line's scene, and its neighbours (a reel's first and last AAC frames carry a little of
    # the scene next to it; the next scene's mix carries the changed one's sound)
    audio = playlist(out / "v1.1" / "audio.m3u8")
    by_shot = {str(s["id"]): audio[i][1] for i, s in enumerate(feed_shots(out, "v1.1"))}
    reels = {s.id: s.reel.object for s in film.v10.scenes}
    moved = {s.id for s in film.v11.scenes if reels.get(s.id) != s.reel.object}
    allowed = {by_shot[s.id] for s in film.v11.shots if s.scene in moved}
    allowed |= {by_shot["title"], by_shot["credits"]}  # the cards beside scenes 1 and 2
    new_audio = {str((out / f).resolve()) for f in new_files if f.startswith("media/a/")}
    assert {by_shot[CHANGED_SHOT]} <= new_audio <= allowed
    # nothing v1.0 published was written again (the feed gains v1.1)
    for path, mtime in before.items():
        if path.name != "releases.json":
            assert path.stat().st_mtime_ns == mtime, path
    assert first.new == ("v1.0",) and second.new == ("v1.1",)  # type: ignore[union-attr]
    assert again.bytes_added == 0 and again.new == ()  # type: ignore[union-attr]
    # what v1.1 added: its segments above, its playlists and the feed; less than v1.0 took
    video_bytes = sum((out / f).stat().st_size for f in expected_video)
    assert video_bytes < second.bytes_added < first.bytes_added  # type: ignore[union-attr]


def first_sample(media: Path) -> tuple[int, int]:
    """(tfdt, the first sample's composition offset) of a one-fragment segment."""
    data = media.read_bytes()
    at = data.index(b"tfdt") - 4
    version = data[at + 8]
    tfdt = struct.unpack(">Q" if version else ">I", data[at + 12 : at + 20 if version else at + 16])
    trun = data.index(b"trun") - 4
    flags = int.from_bytes(data[trun + 9 : trun + 12], "big")
    offset = trun + 16 + 4 * bool(flags & 0x1) + 4 * bool(flags & 0x4)
    offset += 4 * sum(bool(flags & bit) for bit in (0x100, 0x200, 0x400))
    assert flags & 0x800 and data[trun + 8] == 1  # signed offsets: no edit list needed
    return tfdt[0], struct.unpack(">i", data[offset : offset + 4])[0]


def _decode(init: str, media: list[str]) -> list[av.AudioFrame | av.VideoFrame]:
    data = Path(init).read_bytes() + b"".join(Path(m).read_bytes() for m in media)
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams[0]
        return list(container.decode(stream))


def test_playlists_play_the_master_in_sync(film: Film, sites: dict[str, object]) -> None:
    out = sites["out"]
    assert isinstance(out, Path)
    release = film.v11
    resolve = resolver(film.root)
    master = resolve(release.master)
    video = playlist(out / "v1.1" / "video.m3u8")
    audio = playlist(out / "v1.1" / "audio.m3u8")
    starts = np.cumsum([0.0] + [s for s, _, _ in video])
    # 1. the picture: every shot's frames, and the frame a player shows at a given time
    with av.open(str(master)) as container:
        master_frames = [
            f.to_ndarray(format="gray") for f in container.decode(container.streams.video[0])
        ]
    frames: list[np.ndarray] = []
    for seconds, media, init in video:
        decoded = _decode(init, [media])
        assert len(decoded) == round(seconds * FPS)
        assert first_sample(Path(media)) == (0, 0)  # its own clock: decoded and shown at 0
        frames.extend(f.to_ndarray(format="gray") for f in decoded)  # type: ignore[union-attr]
    assert len(frames) == len(master_frames)
    index = [s["id"] for s in feed_shots(out, "v1.1")].index(CHANGED_SHOT)
    at = round((starts[index] + 0.5) * FPS)  # half a second into the changed shot
    for k in (0, at, len(frames) - 1):
        assert np.array_equal(frames[k], master_frames[k]), k
    # 2. the sound: each segment placed at its playlist start + its fragment's decode time
    rate = 48_000
    with av.open(str(master)) as container:
        reference = np.concatenate(
            [f.to_ndarray().reshape(2, -1) for f in container.decode(container.streams.audio[0])],
            axis=1,
        )
    placed = np.zeros((2, reference.shape[1] + rate), dtype=np.float32)
    # one decoder through every segment, as a player's audio buffer decodes them
    decoder = None
    total = Fraction(0)
    for (_seconds, media, init), start in zip(audio, starts, strict=False):
        with av.open(io.BytesIO(Path(init).read_bytes() + Path(media).read_bytes())) as one:
            stream = one.streams.audio[0]
            decoder = decoder or av.CodecContext.create("aac", "r")
            if not decoder.extradata:
                decoder.extradata = stream.codec_context.extradata
            packets = [p for p in one.demux(stream) if p.size]
            offset = packets[0].pts or 0  # tfdt: where the first AAC frame sits in the shot
            samples = np.concatenate(
                [f.to_ndarray().reshape(2, -1) for p in packets for f in decoder.decode(p)],
                axis=1,
            )
        assert 0 <= offset < 1024
        begin = round(start * rate) + offset
        placed[:, begin : begin + samples.shape[1]] = samples
        total += Fraction(samples.shape[1], rate)
    assert float(total) == pytest.approx(release.duration, abs=FRAME)  # A/V durations agree
    # the sound at a known time (the changed line) is the master's, sample for sample
    begin = round((starts[index] + 0.25) * rate)
    window = slice(begin, begin + rate // 2)
    assert np.abs(reference[:, window]).max() > 1e-3  # the line is audible there
    assert np.abs(placed[:, window] - reference[:, window]).max() < 1e-4
    # and everywhere after the film's first AAC frame (which the master primes)
    assert np.abs(placed[:, 2048 : reference.shape[1]] - reference[:, 2048:]).max() < 1e-4


def test_nothing_released_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="no release"):
        publish_site([], lambda m: tmp_path, tmp_path / "site")


def test_the_command_publishes_the_projects_releases(film: Film, tmp_path: Path) -> None:
    from helpers import cinecode, copy_project

    root = copy_project(film.root, tmp_path / "film")
    site = tmp_path / "site"
    run = cinecode("publish", root, "--out", site, "--json")
    assert run.code == 0, run.err
    first = run.json()
    assert first["new"] == ["v1.0", "v1.1"] and first["bytes_added"] > 0
    feed = json.loads((site / "releases.json").read_text(encoding="utf-8"))
    changed = {c["shot"]: c for c in feed["versions"][1]["changes"]}
    assert "script" in changed[CHANGED_SHOT]["reasons"]  # `cinecode diff`'s reasons
    start = next(s.start for s in film.v11.shots if s.id == CHANGED_SHOT)
    assert changed[CHANGED_SHOT]["start"] == pytest.approx(start)
    # a release made since: only it is published, the rest is there
    assert cinecode("release", root, "v1.2", "--notes", "the same cut").code == 0
    again = cinecode("publish", root, "--out", site, "--json").json()
    assert again["new"] == ["v1.2"]
    assert not any(f.startswith("media/") for f in again.get("added", []))
    assert again["bytes_added"] < first["bytes_added"] / 20  # playlists and the feed only
    # no release: refused, with what to do, no traceback
    shutil.rmtree(root / "releases")
    refused = cinecode("publish", root, "--out", tmp_path / "other")
    assert refused.code == 1 and "no release" in refused.err
    assert "cinecode release" in refused.err and "Traceback" not in refused.err


def test_a_lost_store_object_is_an_error_not_a_traceback(film: Film, tmp_path: Path) -> None:
    from helpers import cinecode, copy_project

    root = copy_project(film.root, tmp_path / "film")
    segment = film.v11.shots[0].segment
    obj = root / ".cinecode" / "objects" / segment.object[:2] / f"{segment.object[2:]}.mp4"
    obj.unlink()
    run = cinecode("publish", root, "--out", tmp_path / "site")
    assert run.code == 1 and "Traceback" not in run.err
    assert "lost" in run.err and "make" in run.err  # what is missing, and what to do
    assert not (tmp_path / "site" / "v1.1" / "master.m3u8").exists()  # no half version
