"""Content credentials on a published branching film: each scene's fragmented MP4 (the file
the story player appends) carries a C2PA manifest that validates and names the film, the
scene, the AI disclosure and the scene's ingredients; story.json says, per scene, who signed
it; publishing again adds no file; `[provenance] sign = false` publishes unsigned media.

On the bundled branching example (The Last Ferry), built once per session."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import c2pa
import pytest
from helpers import cinecode, copy_project

from cinecode.provenance.credentials import read_data
from cinecode.publish.hls import boxes

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("branching")]

TITLE = "The Last Ferry"


@pytest.fixture(scope="module")
def signed_site(branching_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("story-signed") / "site"
    run = cinecode("publish", branching_build, "--out", out, "--json")
    assert run.code == 0, run.err
    said = run.json()
    assert said["story"] and said["signed"] == said["scenes"] == 9
    assert said["development"] and "not trusted" in said["signer"]
    return out


def read(path: Path) -> tuple[str, dict[str, Any]]:
    """What c2pa-python says of a published scene file: (state, manifest store)."""
    with c2pa.Reader("video/mp4", io.BytesIO(path.read_bytes())) as reader:
        return reader.get_validation_state(), json.loads(reader.json())


def ours(store: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the active manifest, cinecode's assertion in it)."""
    manifest = store["manifests"][store["active_manifest"]]
    found = next(
        a["data"] for a in manifest["assertions"] if a["label"] == "org.cinecode.provenance"
    )
    return manifest, found


def test_each_scene_file_validates_and_names_the_film_scene_and_disclosure(
    signed_site: Path,
) -> None:
    site = json.loads((signed_site / "story.json").read_text(encoding="utf-8"))
    assert site["credentials"]["signer"] == "cinecode development signer (not trusted)"
    assert site["credentials"]["trusted"] is False and site["credentials"]["state"] == "valid"
    assert "generative AI" in site["credentials"]["disclosure"]
    scenes = [s["id"] for s in site["story"]["scenes"]]
    assert set(site["media"]) == set(scenes)
    for scene in scenes:
        media = site["media"][scene]
        assert media["url"].startswith("media/c/")
        assert media["credentials"]["signed"] is True and media["credentials"]["state"] == "valid"
        assert media["credentials"]["trusted"] is False
        assert media["credentials"]["signer"] == site["credentials"]["signer"]
        state, store = read(signed_site / media["url"])
        # every hash and the signature hold; only the development signer is on no trust list
        assert state == "Valid", store.get("validation_status")
        assert {s["code"] for s in store.get("validation_status", [])} == {
            "signingCredential.untrusted"
        }
        manifest, said = ours(store)
        assert manifest["title"] == f"{TITLE}: scene {scene}"
        assert said["film"] == TITLE and said["scene"] == scene
        assert "generative AI" in said["disclosure"]
        actions = next(a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions"))
        assert actions["data"]["actions"][0]["digitalSourceType"].startswith(
            "http://cv.iptc.org/newscodes/digitalsourcetype/"
        )
        # the scene's own ingredients: its keyframes (backend, seed), with their files
        steps = [i for i in said["ingredients"] if i["step"] == "keyframe"]
        assert steps and all(i["scene"] == scene and i["backend"] for i in steps)
        assert all("seed" in i for i in steps)
        titles = [i["title"] for i in manifest["ingredients"]]
        assert any(t.startswith(f"keyframe {scene}.") for t in titles)
    # the player still gets its codecs from the signed file (the C2PA box is skipped)
    assert site["mime"].startswith('video/mp4; codecs="avc1.64')
    # only signed media is published: no unsigned copy beside it
    assert not [p for p in (signed_site / "media").iterdir() if p.is_file()]


def test_a_changed_scene_file_does_not_validate(signed_site: Path, tmp_path: Path) -> None:
    site = json.loads((signed_site / "story.json").read_text(encoding="utf-8"))
    data = bytearray((signed_site / site["media"]["1"]["url"]).read_bytes())
    at = 0
    for kind, box in boxes(bytes(data)):  # a byte in the middle of the last mdat
        if kind == b"mdat":
            middle = at + len(box) // 2
        at += len(box)
    data[middle] ^= 0xFF  # a byte of a picture or a sound
    changed = tmp_path / "changed.mp4"
    changed.write_bytes(bytes(data))
    state, store = read(changed)
    assert state == "Invalid"
    assert "assertion.bmffHash.mismatch" in {s["code"] for s in store["validation_status"]}


def test_publishing_again_adds_no_file(branching_build: Path, signed_site: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in signed_site.rglob("*") if p.is_file()}
    again = cinecode("publish", branching_build, "--out", signed_site, "--json")
    assert again.code == 0, again.err
    said = again.json()
    assert said["files_added"] == 0 and said["bytes_added"] == 0 and said["signed"] == 0
    assert {p: p.stat().st_mtime_ns for p in signed_site.rglob("*") if p.is_file()} == before
    shown = cinecode("publish", branching_build, "--out", signed_site)
    assert "content credentials (C2PA): nothing new to sign" in shown.out


def test_the_page_has_the_credentials_panel(signed_site: Path) -> None:
    page = (signed_site / "index.html").read_text(encoding="utf-8")
    assert '<details class="credentials" hidden>' in page and "Content credentials" in page
    script = (signed_site / "player" / "story.js").read_text(encoding="utf-8")
    assert "site.credentials" in script


def test_sign_false_publishes_unsigned_media(branching_build: Path, tmp_path: Path) -> None:
    root = copy_project(branching_build, tmp_path / "film")
    toml = root / "film.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[provenance]\nsign = false\n")
    out = tmp_path / "site"
    run = cinecode("publish", root, "--out", out, "--json")
    assert run.code == 0, run.err
    said = run.json()
    assert said["signed"] == 0 and said["signer"] == ""
    assert not (out / "media" / "c").exists()
    site = json.loads((out / "story.json").read_text(encoding="utf-8"))
    assert "credentials" not in site
    for media in site["media"].values():
        assert "credentials" not in media
        path = out / media["url"]
        assert path.name == f"{hashlib.sha256(path.read_bytes()).hexdigest()}.mp4"
        assert read_data(path.read_bytes(), "video/mp4", name=path.name).state == "none"
