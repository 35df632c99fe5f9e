"""The web player of a branching film: one page that plays the story graph gaplessly.

`write_story_site(out, story=…, scenes=…)` writes a static site:

```
out/index.html             the player page
out/story.json             the story graph, each scene's media, the codecs, credits, disclosure
out/media/<sha256>.mp4     each scene as fragmented MP4, named by its bytes (added, never rewritten)
out/media/c/<sha256>.mp4   or, signed (a `signer`), each scene with its C2PA manifest, named
                           by what it signs (cinecode.publish.credentials.StorySigner)
out/player/story.js|css    the player (copied from cinecode/publish/static/)
```
The player appends scenes to ONE <video> through Media Source Extensions in `sequence` mode,
so a switch between scenes is a continuation of the same stream: no black frame, no new
decoder. Each reel becomes fragmented MP4 by stream copy (no re-encoding).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cinecode.errors import MediaError, PublishError
from cinecode.media.ffmpeg import run_ffmpeg
from cinecode.publish.credentials import StorySigner

#: what story.json says it is
SCHEMA = "cinecode.StorySite.1"
#: the story graph's schema this player reads
STORY_SCHEMA = "cinecode.Story.1"
PLAYER_FILES = ("story.js", "story.css")
_CONDITION = re.compile(
    r"^\s*[A-Za-z_][\w]*\s*(==|!=|<=|>=|<|>)\s*-?\d+"
    r"(\s+(and|or)\s+[A-Za-z_][\w]*\s*(==|!=|<=|>=|<|>)\s*-?\d+)*\s*$",
    re.I,
)
_SET_OPS = ("=", "+", "-")


@dataclass(frozen=True)
class StorySite:
    """What `write_story_site` wrote: the page, every file of the site, and what was new."""

    index: Path
    files: tuple[Path, ...]  # every file the site needs
    added: tuple[Path, ...]  # the files written by this call (new or changed)
    bytes_added: int
    mime: str  # the SourceBuffer type the player asks for


def write_story_site(
    out: Path,
    *,
    story: dict[str, Any],
    scenes: Mapping[str, Path],
    title: str,
    credits: Sequence[str],
    disclosure: str,
    signer: StorySigner | None = None,
) -> StorySite:
    """Write the branching film's player site into `out` (see the module's docstring); with
    a `signer`, each scene's media carries content credentials and story.json says so."""
    # 1. check the story and that every scene has its reel
    check_story(story, scenes)
    out.mkdir(parents=True, exist_ok=True)
    (out / "media").mkdir(exist_ok=True)
    added: list[Path] = []

    def put(name: str, data: bytes) -> None:
        if _write_if_changed(out / name, data):
            added.append(out / name)

    # 2. each scene's media, fragmented, named by content (signed: by what it signs)
    media: dict[str, dict[str, Any]] = {}
    mimes: dict[str, str] = {}
    for scene in story["scenes"]:
        scene_id = scene["id"]
        if signer is None:
            path, new = add_fragmented(scenes[scene_id], out / "media")
            if new:
                added.append(path)
        else:
            data = fragmented(scenes[scene_id], out / "media")
            path = out / signer.scene(out, scene_id, data, put)
        mimes[scene_id] = mime_of(path.read_bytes())
        media[scene_id] = {"url": path.relative_to(out).as_posix(), "bytes": path.stat().st_size}
        if signer is not None:
            media[scene_id]["credentials"] = signer.said(scene_id)
    mime = _one_mime(mimes)
    # 3. the player's code, then the page and the story that name it
    versions = {}
    for name in PLAYER_FILES:
        data = resources.files("cinecode.publish").joinpath("static", name).read_bytes()
        versions[name] = hashlib.sha256(data).hexdigest()[:12]
        if _write_if_changed(out / "player" / name, data):
            added.append(out / "player" / name)
    site = {
        "schema": SCHEMA,
        "title": title,
        "story": story,
        "media": media,
        "mime": mime,
        "credits": list(credits),
        "disclosure": disclosure,
        **({"credentials": signer.summary()} if signer else {}),
    }
    story_json = json.dumps(site, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if _write_if_changed(out / "story.json", story_json.encode()):
        added.append(out / "story.json")
    page = render_page(title=title, versions=versions, story_version=_digest(story_json)[:12])
    if _write_if_changed(out / "index.html", page.encode()):
        added.append(out / "index.html")
    files = [
        out / "index.html",
        out / "story.json",
        *(out / "player" / name for name in PLAYER_FILES),
        *sorted({out / m["url"] for m in media.values()}),
    ]
    return StorySite(
        index=out / "index.html",
        files=tuple(files),
        added=tuple(added),
        bytes_added=sum(p.stat().st_size for p in added),
        mime=mime,
    )


# 1. the story


def check_story(story: Mapping[str, Any], scenes: Mapping[str, Path]) -> None:
    """A story the player can play: known schema, targets that exist, well-formed conditions,
    a reel for every scene. Raises PublishError naming the scene and what to fix."""
    if story.get("schema", STORY_SCHEMA) != STORY_SCHEMA:
        raise PublishError(
            f"the story is {story.get('schema')!r}, this player reads {STORY_SCHEMA}",
            hint="upgrade cinecode, or publish with the version that wrote the story",
        )
    listed = story.get("scenes") or []
    ids = [s.get("id") for s in listed]
    if not ids or story.get("start") not in ids:
        raise PublishError(
            f"the story starts at {story.get('start')!r}, which is not one of its scenes",
            hint="the story graph must list its start scene",
        )
    for scene in listed:
        _check_scene(scene, set(ids))
    missing = [i for i in ids if i not in scenes]
    if missing:
        raise PublishError(
            f"no reel for scene(s) {', '.join(map(str, missing))}",
            hint="build the film (cinecode make) so every scene of the story has its reel",
        )


def _check_scene(scene: Mapping[str, Any], ids: set[str]) -> None:
    where = f"scene {scene['id']}"
    targets = [scene.get("next")]
    choice = scene.get("choice")
    if choice is not None:
        options = choice.get("options") or []
        if not options or not 0 <= int(choice.get("default", 0)) < len(options):
            raise PublishError(f"{where}: a choice needs options and a default among them")
        targets += [o["target"] for o in options]
    unknown = [t for t in targets if t is not None and t not in ids]
    if unknown:
        raise PublishError(f"{where} goes to {', '.join(unknown)}, which is not in the story")
    when = scene.get("when")
    if when is not None and not _CONDITION.match(when):
        raise PublishError(
            f"{where}: condition {when!r} is not `name OP number` joined by and/or",
            hint="OP is one of == != < <= > >=",
        )
    bad = [s for s in scene.get("sets") or [] if len(s) != 3 or s[1] not in _SET_OPS]
    if bad:
        raise PublishError(f"{where}: cannot apply {bad[0]!r}", hint="a set is [name, =|+|-, n]")


# 2. media


def add_fragmented(reel: Path, media: Path) -> tuple[Path, bool]:
    """The reel as fragmented MP4 in `media`, named by its sha256; (path, whether it is new).
    The same reel gives the same bytes (see `fragmented`), so writing again adds nothing. The
    file appears whole (written aside, then renamed)."""
    data = fragmented(reel, media)
    target = media / f"{_digest(data)}.mp4"
    if target.exists():
        return target, False
    _write_if_changed(target, data)
    return target, True


def fragmented(reel: Path, scratch: Path) -> bytes:
    """The reel as fragmented MP4 (made in a folder under `scratch`): stream copy,
    bit-exact muxing.

    MSE ignores edit lists, so both tracks must start at 0 by their own timestamps: the AAC
    priming packet (pts < 0, which a reel's edit list skips) is dropped with the timestamps
    kept (`-copyts`), and B-frames' reordering is carried by negative composition offsets
    (`negative_cts_offsets`, `trun` version 1), so the first picture is presented at 0, not
    one frame late. (Without these the audio began 21 ms early, or the muxer stretched a
    track's first sample over the gap.) Appended scenes continue the decoder's state, as
    the master's concatenation does."""
    if not reel.is_file():
        raise PublishError(f"the reel {reel} does not exist", hint="build the film again")
    with tempfile.TemporaryDirectory(dir=scratch, prefix=".part-") as folder:
        staged = Path(folder) / "scene.mp4"
        run_ffmpeg(
            [
                "-copyts", "-i", str(reel),
                "-map", "0:v:0", "-map", "0:a:0?",
                "-c", "copy", "-bsf:a", r"noise=drop=lt(pts\,0)",
                "-map_metadata", "-1", "-map_chapters", "-1",
                "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
                "-movflags", "frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets",
                "-f", "mp4", str(staged),
            ]
        )  # fmt: skip
        return staged.read_bytes()


def mime_of(data: bytes) -> str:
    """The MSE type of a (fragmented) MP4, e.g. `video/mp4; codecs="avc1.64001f, mp4a.40.2"`,
    read from its avcC and esds boxes."""
    codecs: list[str] = []
    for kind, body in _sample_entries(data):
        if kind == b"avc1" or kind == b"avc3":
            config = _child(body[78:], b"avcC")  # a visual sample entry has 78 bytes of fields
            if config is None or len(config) < 4:
                raise MediaError("an H.264 track without its avcC configuration")
            codecs.append(f"{kind.decode()}.{config[1:4].hex()}")
        elif kind == b"mp4a":
            codecs.append(f"mp4a.40.{_aac_object_type(body)}")
        else:
            raise MediaError(
                f"a {kind.decode(errors='replace')} track: the story player plays H.264 + AAC",
                hint="build the film with its default video and audio codecs",
            )
    if not codecs:
        raise MediaError("no video track in a scene's reel")
    return f'video/mp4; codecs="{", ".join(codecs)}"'


def _boxes(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, body) of each box at this level."""
    at = 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        head = 8
        if size == 1:
            size, head = int.from_bytes(data[at + 8 : at + 16], "big"), 16
        elif size == 0:
            size = len(data) - at
        if size < head:
            raise MediaError("a broken MP4 box in a scene's media")
        yield kind, data[at + head : at + size]
        at += size


def _child(data: bytes, kind: bytes) -> bytes | None:
    return next((body for k, body in _boxes(data) if k == kind), None)


def _sample_entries(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    moov = _child(data, b"moov")
    if moov is None:
        raise MediaError("a scene's media has no moov box")
    for kind, trak in _boxes(moov):
        if kind != b"trak":
            continue
        stsd = trak
        for step in (b"mdia", b"minf", b"stbl", b"stsd"):
            found = _child(stsd, step)
            if found is None:
                break
            stsd = found
        else:
            yield from _boxes(stsd[8:])  # version, flags, entry count


def _aac_object_type(mp4a: bytes) -> int:
    """The audio object type in the esds DecoderSpecificInfo (2: AAC-LC)."""
    esds = _child(mp4a[28:], b"esds")  # an audio sample entry has 28 bytes of fields
    if esds is None:
        return 2
    at = esds.find(b"\x05", 4)  # DecoderSpecificInfo tag, then its length bytes
    while at != -1:
        size_at = at + 1
        while size_at < len(esds) and esds[size_at] & 0x80:
            size_at += 1
        if size_at + 1 < len(esds):
            return esds[size_at + 1] >> 3
        at = esds.find(b"\x05", at + 1)
    return 2


def _one_mime(mimes: Mapping[str, str]) -> str:
    kinds = sorted(set(mimes.values()))
    if len(kinds) != 1:
        detail = "; ".join(f"{s}: {m}" for s, m in mimes.items())
        raise PublishError(
            f"the scenes are encoded differently ({detail})",
            hint="every scene of a branching film must share its codec settings; build again",
        )
    return kinds[0]


# 3. files


def render_page(*, title: str, versions: Mapping[str, str], story_version: str) -> str:
    """index.html: the stage, the overlays the player fills, and the player's files."""
    name = html.escape(title)
    css, js = versions["story.css"], versions["story.js"]
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name}</title>
<link rel="stylesheet" href="player/story.css?v={css}">
</head>
<body>
<main class="story" data-story="story.json?v={story_version}">
  <div class="stage">
    <video class="picture front" playsinline preload="auto"></video>
    <div class="start">
      <h1>{name}</h1>
      <button class="play" type="button">&#9654; Play</button>
      <p class="hint">Choices appear over the picture: click or tap one, or press 1&ndash;9;
        Enter takes the default. B goes back to the last choice, Space pauses,
        F fills the screen.</p>
      <p class="disclosure"></p>
    </div>
    <div class="choice" role="group" aria-label="Choose what happens next" hidden>
      <div class="options"></div>
      <div class="countdown"><div class="bar"></div><span class="seconds"></span></div>
    </div>
    <div class="ending" hidden>
      <p class="kicker">The end</p>
      <h2 class="ending-title"></h2>
      <p class="found"></p>
      <div class="actions">
        <button class="again" type="button">Play again</button>
        <button class="back" type="button">Back to the last choice</button>
      </div>
      <ul class="credits"></ul>
      <p class="disclosure"></p>
    </div>
    <p class="problem" hidden></p>
  </div>
  <div class="bar-below">
    <details class="credentials" hidden>
      <summary>Content credentials <span class="credentials-short"></span></summary>
      <dl class="facts">
        <dt>Signed by</dt><dd class="credentials-signer"></dd>
        <dt>Trust</dt><dd class="credentials-trust"></dd>
        <dt>Scenes</dt><dd class="credentials-scenes"></dd>
        <dt>Disclosure</dt><dd class="credentials-disclosure"></dd>
      </dl>
      <p class="credentials-how"></p>
    </details>
    <button class="back" type="button" title="Back to the last choice (B)">
      &#8630; Back to the last choice</button>
  </div>
</main>
<noscript>This film's player needs JavaScript.</noscript>
<script src="player/story.js?v={js}" defer></script>
</body>
</html>
"""


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` atomically unless `path` holds it already; whether it wrote."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.part")
    staged.write_bytes(data)
    os.replace(staged, path)
    return True


def _digest(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()
