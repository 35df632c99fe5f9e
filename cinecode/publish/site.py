"""The published folder: every release as HLS over shared, content-named segments.

```
site/index.html                 the player (static/index.html)
site/player/                    player.js, player.css, hls.min.js (+ its LICENSE)
site/releases.json              the feed: versions, notes, dates, durations, what changed
site/<version>/master.m3u8      session data (title, disclosure, credits), audio + video
site/<version>/video.m3u8       one segment per shot, a discontinuity before each
site/<version>/audio.m3u8       the same cuts, the scene reels' AAC
site/<version>/subtitles.vtt    chapters.vtt (one per scene)
site/<version>/scenes/<id>/     each scene's own playlists (a scene played on its own)
site/<version>/credentials.json what the segments' content credentials say (when signed)
site/<version>/poster.jpg       a frame of the film signed with the release's own manifest
site/media/{i,v,a}/<sha256>.*   inits, video and audio segments, named by their bytes
site/media/c/<sha256>.mp4       signed inits (C2PA), named by what they sign (credentials)
```

Publishing again writes only what is not there: a released version's folder is never
rewritten (releases are immutable), a content-named file that exists is the same bytes, and
the page, the player and the feed are rewritten only when their text changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from cinecode.errors import PublishError
from cinecode.media.subtitles import parse_srt, to_vtt
from cinecode.project.files import write_atomic
from cinecode.project.releases import Media, Release
from cinecode.publish import hls
from cinecode.publish.credentials import FOLDER as SIGNED
from cinecode.publish.credentials import ReleaseSigner, Signing, who
from cinecode.publish.feed import chapters_vtt, disclosure_of, feed, parts, version_entry

STATIC = Path(__file__).resolve().parent / "static"
PLAYER_FILES = ("player.js", "player.css", "hls.min.js", "hls.LICENSE")
CREDENTIALS = "credentials.json"  # in a version's folder, when its segments are signed
POSTER = "poster.jpg"  # in a version's folder, when signed: the release's own manifest
BANDWIDTH = re.compile(r"BANDWIDTH=(\d+)")
#: how far a release's stated times may sit from its media (one frame at 24 fps, and a bit)
TOLERANCE = 0.05

Resolve = Callable[[Media], Path]  # a released object's file in the store
Diff = Callable[[str, str], Mapping[str, Any]]  # `cinecode diff OLD NEW`'s report


@dataclass
class Site:
    """A published folder being written; counts what it adds."""

    root: Path
    added: list[str] = field(default_factory=list)  # paths (relative) written this time
    bytes_added: int = 0

    def _count(self, path: Path, size: int) -> None:
        self.added.append(path.relative_to(self.root).as_posix())
        self.bytes_added += size

    def named(self, folder: str, data: bytes, ext: str) -> str:
        """Store `data` as media/<folder>/<sha256>.<ext> unless there; its path from root."""
        name = f"media/{folder}/{hashlib.sha256(data).hexdigest()}.{ext}"
        path = self.root / name
        if path.is_file() and path.stat().st_size == len(data):
            return name
        self.put(name, data)
        return name

    def put(self, name: str, data: bytes) -> None:
        """Write `data` as `name` (its path from the root), atomically."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.part")
        staged.write_bytes(data)
        os.replace(staged, path)
        self._count(path, len(data))

    def text(self, name: str, text: str) -> None:
        """Write a text file when its content differs (atomically)."""
        path = self.root / name
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
        self._count(path, len(data))

    def copy(self, source: Path, name: str) -> None:
        path = self.root / name
        data = source.read_bytes()
        if path.is_file() and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.part")
        shutil.copyfile(source, staged)
        os.replace(staged, path)
        self._count(path, len(data))

    def size(self) -> int:
        """Bytes of every file in the folder."""
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


@dataclass(frozen=True)
class Published:
    """What one `publish` did."""

    out: Path
    versions: tuple[str, ...]  # every version in the site
    new: tuple[str, ...]  # the versions published this time
    files_added: int
    bytes_added: int
    total_bytes: int
    segments: int  # segments (video + audio) the new versions name, shared or not
    signed: int = 0  # segment inits signed this time (content credentials)
    signer: str = ""  # who signed them ("" when the site is not signed)
    development: bool = False  # signed by the development identity (validators: untrusted)

    def as_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "index": str(self.out / "index.html"),
            "versions": list(self.versions),
            "new": list(self.new),
            "files_added": self.files_added,
            "bytes_added": self.bytes_added,
            "total_bytes": self.total_bytes,
            "segments": self.segments,
            "signed": self.signed,
            "signer": self.signer,
            "development": self.development,
        }


def tags(release: Release) -> dict[str, str]:
    """Metadata of every init segment (udta): title, the disclosure, the credits."""
    return {
        "title": release.title,
        "comment": disclosure_of(release.credits),
        "description": "; ".join(release.credits),
    }


def session_data(release: Release) -> dict[str, str]:
    return {
        "com.cinecode.title": release.title,
        "com.cinecode.version": release.version,
        "com.cinecode.disclosure": disclosure_of(release.credits),
        "com.cinecode.credits": " / ".join(release.credits),
    }


@dataclass
class _Scene:
    video: list[hls.Entry]
    audio: list[hls.Entry]
    sizes: list[int]  # bytes of each segment pair


def _scene_media(
    site: Site, release: Release, resolve: Resolve, signer: ReleaseSigner | None
) -> dict[str, _Scene]:
    """Every part of the film as segments: a scene's shots (their segments) with its reel's
    AAC cut at them; a card (title, credits) cut from the master, picture and sound. With a
    `signer`, each segment's init is signed (see cinecode.publish.credentials)."""
    metadata = tags(release)
    film = parts(release)
    # 1. the cards, cut from the master in one reading, at their frames
    spans: list[tuple[Fraction, Fraction]] = []
    at = Fraction(0)
    for part in film:
        if part.scene is None:
            spans.append((_exact(part.start), _exact(part.start + part.duration)))
    cards = iter(hls.master_fragments(resolve(release.master), spans, tags=metadata))
    # 2. the scenes, shot by shot; every part checked against where the media put it
    out: dict[str, _Scene] = {}
    for part in film:
        _check(release.version, f"{part.heading or part.id}", part.start, at)
        cuts = [Fraction(0)]
        pictures: list[hls.Fragment] = []
        sounds: list[hls.Fragment] = []
        if part.scene is None:
            picture, sound = next(cards)
            pictures, sounds = [picture], [sound]
            cuts.append(picture.duration)
        else:
            if not part.shots:
                raise PublishError(f"release {release.version}: scene {part.id} has no shot")
            for shot in part.shots:
                _check(release.version, f"shot {shot.id}", shot.start, at + cuts[-1])
                pictures.append(hls.video_fragment(resolve(shot.segment), tags=metadata))
                cuts.append(cuts[-1] + pictures[-1].duration)
            sounds = hls.audio_fragments(resolve(part.scene.reel), cuts, tags=metadata)
        scene = _Scene([], [], [])
        pieces = signer.pieces(part) if signer else [None] * len(pictures)
        for picture, sound, piece in zip(pictures, sounds, pieces, strict=True):
            video = site.named("v", picture.media, "m4s")
            audio = site.named("a", sound.media, "m4s")
            if signer and piece:
                inits = (
                    signer.init(site.root, piece[0], picture, video, site.put),
                    signer.init(site.root, piece[1], sound, audio, site.put),
                )
            else:
                inits = (site.named("i", picture.init, "mp4"), site.named("i", sound.init, "mp4"))
            scene.video.append(hls.Entry(video, inits[0], picture.duration))
            # the audio is cut where the picture is
            scene.audio.append(hls.Entry(audio, inits[1], picture.duration))
            scene.sizes.append(len(picture.media) + len(sound.media))
        out[part.id] = scene
        at += cuts[-1]
    _check(release.version, "the end of the film", release.duration, at)
    return out


def _exact(seconds: float) -> Fraction:
    """A manifest's time as the fraction it rounds (16/3 s for 5.333333333333333)."""
    return Fraction(seconds).limit_denominator(100_000)


def _check(version: str, what: str, stated: float, measured: Fraction) -> None:
    if abs(stated - float(measured)) > TOLERANCE:
        raise PublishError(
            f"release {version}: {what} starts at {stated:.3f} s by its manifest but at "
            f"{float(measured):.3f} s in its media",
            hint="the release does not match its store objects: make and release again",
        )


def _relative(entries: Sequence[hls.Entry], up: str) -> list[hls.Entry]:
    return [hls.Entry(up + e.uri, up + e.init, e.duration) for e in entries]


def _variant(
    video: Sequence[hls.Entry], sizes: Sequence[int], form: dict[str, Any], channels: int
) -> hls.Variant:
    seconds = sum((e.duration for e in video), Fraction(0)) or Fraction(1)
    peak = max(
        (size * 8 / float(e.duration) for size, e in zip(sizes, video, strict=True)), default=0
    )
    return hls.Variant(
        video="video.m3u8",
        audio="audio.m3u8",
        codecs=form["codecs"],
        bandwidth=max(1, round(peak)),
        average=max(1, round(sum(sizes) * 8 / float(seconds))),
        width=form["width"],
        height=form["height"],
        fps=form["fps"],
        channels=channels,
    )


def _write_version(
    site: Site, release: Release, resolve: Resolve, signing: Signing | None
) -> tuple[int, int]:
    """Write one release's folder; returns (its peak bandwidth, segments it names)."""
    version = release.version
    signer = ReleaseSigner.of(signing, release) if signing else None
    scenes = _scene_media(site, release, resolve, signer)
    form = hls.video_format(resolve(release.master))
    init_path = site.root / next(iter(scenes.values())).video[0].init
    form["codecs"] = f"{hls.avc_codec(init_path.read_bytes())},{hls.AAC_CODEC}"
    channels = hls.audio_channels(resolve(release.master))
    data = session_data(release)

    def playlists(folder: str, parts: Sequence[_Scene], up: str) -> int:
        video = [e for part in parts for e in part.video]
        audio = [e for part in parts for e in part.audio]
        sizes = [s for part in parts for s in part.sizes]
        variant = _variant(video, sizes, form, channels)
        site.text(f"{folder}/video.m3u8", hls.media_playlist(_relative(video, up)))
        site.text(f"{folder}/audio.m3u8", hls.media_playlist(_relative(audio, up)))
        site.text(f"{folder}/master.m3u8", hls.master_playlist(variant, data))
        return variant.bandwidth

    # the scenes first, the film last: a site with a version's master.m3u8 has all of it
    for part_id, part in scenes.items():
        playlists(f"{version}/scenes/{part_id}", [part], "../../../")
    if release.subtitles is not None:
        cues = parse_srt(resolve(release.subtitles).read_text(encoding="utf-8"))
        site.text(f"{version}/subtitles.vtt", to_vtt(cues))
    site.text(f"{version}/chapters.vtt", chapters_vtt(release))
    if signer is not None:
        first = release.shots[0].segment if release.shots else release.master
        signer.poster(hls.poster(resolve(first)), f"{version}/{POSTER}", site.put)
        site.text(f"{version}/{CREDENTIALS}", json.dumps(signer.summary()) + "\n")
    bandwidth = playlists(version, list(scenes.values()), "../")
    return bandwidth, 2 * sum(len(part.video) for part in scenes.values())


def _published_bandwidth(root: Path, version: str) -> int | None:
    master = root / version / "master.m3u8"
    if not master.is_file():
        return None
    found = BANDWIDTH.search(master.read_text(encoding="utf-8"))
    return int(found[1]) if found else 0


def publish_site(
    releases: Sequence[Release],
    resolve: Resolve,
    out: Path,
    *,
    diff: Diff | None = None,
    signing: Signing | None = None,
) -> Published:
    """Publish every release into `out` (incrementally): `resolve` finds a stored object,
    `diff` says what changed from one release to the next (none: no "what changed"),
    `signing` signs each new version's segments with content credentials (none: unsigned)."""
    if not releases:
        raise PublishError(
            "nothing to publish: the project has no release",
            hint="run `cinecode release PROJECT v1.0` first",
        )
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out} is a file", hint="publish into a folder")
    out.mkdir(parents=True, exist_ok=True)
    site = Site(out)
    entries: list[dict[str, Any]] = []
    new: list[str] = []
    segments = 0
    before: Release | None = None
    for release in releases:
        bandwidth = _published_bandwidth(out, release.version)
        if bandwidth is None:
            bandwidth, count = _write_version(site, release, resolve, signing)
            new.append(release.version)
            segments += count
        report = diff(before.version, release.version) if diff and before else None
        signed = (out / release.version / CREDENTIALS).is_file()
        entries.append(
            version_entry(
                release,
                before,
                bandwidth=bandwidth,
                diff=report,
                credentials=f"{release.version}/{CREDENTIALS}" if signed else None,
                poster=f"{release.version}/{POSTER}" if signed else None,
            )
        )
        before = release
    # 2. the page, the player, the feed
    for name in PLAYER_FILES:
        site.copy(STATIC / name, f"player/{name}")
    site.copy(STATIC / "index.html", "index.html")
    latest = releases[-1]
    site.text(
        "releases.json",
        json.dumps(feed(latest.title, entries, latest.credits), indent=1) + "\n",
    )
    return Published(
        out=out,
        versions=tuple(r.version for r in releases),
        new=tuple(new),
        files_added=len(site.added),
        bytes_added=site.bytes_added,
        total_bytes=site.size(),
        segments=segments,
        signed=sum(1 for name in site.added if name.startswith(f"{SIGNED}/")),
        signer=who(signing.identity) if signing else "",
        development=bool(signing and signing.identity.development),
    )
