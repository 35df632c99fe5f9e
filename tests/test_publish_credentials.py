"""Content credentials on a published site: every segment's init carries a C2PA manifest
bound to it and its fragment, so a validator given what the player fetches (the init and the
segment, joined) reads valid credentials that name the film, the version and the AI
disclosure; the fragments keep their bytes and names; publishing again signs nothing; a
one-line change signs only its new segments; `[provenance] sign = false` signs none.

On the tiny film released as v1.0 and, after a one-line change, v1.1 (tests/publish_film.py)."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import c2pa
import pytest
from publish_film import CHANGED_SHOT, Film, differ, released_film, resolver

from cinecode.graph.store import Store
from cinecode.provenance.chain import film_source_type, ingredients, under
from cinecode.provenance.identity import resolve as identity
from cinecode.publish.credentials import Signing
from cinecode.publish.site import publish_site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Film:
    return released_film(tmp_path_factory)


def signing(film: Film) -> Signing:
    store = Store(film.root / ".cinecode")
    return Signing(identity=identity(), catalog=store.catalog, path=store.path)


@pytest.fixture(scope="module")
def sites(film: Film, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """v1.0 published signed, again unchanged, then v1.1 beside it; v1.0 unsigned elsewhere."""
    base = tmp_path_factory.mktemp("signed")
    out, plain = base / "site", base / "plain"
    resolve, sign = resolver(film.root), signing(film)
    first = publish_site([film.v10], resolve, out, signing=sign)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = publish_site([film.v10], resolve, out, signing=sign)
    second = publish_site([film.v10, film.v11], resolve, out, diff=differ(film.root), signing=sign)
    unsigned = publish_site([film.v10], resolve, plain)
    return {
        "out": out,
        "plain": plain,
        "first": first,
        "again": again,
        "second": second,
        "unsigned": unsigned,
        "before": before,
    }


def pairs(folder: Path, track: str) -> list[tuple[Path, Path]]:
    """(init, segment) of each entry of a version's video or audio playlist."""
    out, init = [], None
    for line in (folder / f"{track}.m3u8").read_text(encoding="utf-8").splitlines():
        if line.startswith("#EXT-X-MAP:"):
            found = re.search(r'URI="([^"]+)"', line)
            assert found
            init = (folder / found[1]).resolve()
        elif line and not line.startswith("#"):
            assert init is not None
            out.append((init, (folder / line).resolve()))
    return out


def validate(init: Path, segment: Path) -> tuple[str, dict[str, object]]:
    """What c2pa-python says of the init and its segment joined: (state, manifest store)."""
    kind = "video/mp4"
    with c2pa.Reader(kind, io.BytesIO(init.read_bytes() + segment.read_bytes())) as reader:
        return reader.get_validation_state(), json.loads(reader.json())


def active(store: dict[str, object]) -> dict[str, object]:
    manifests = store["manifests"]
    assert isinstance(manifests, dict)
    found = manifests[store["active_manifest"]]
    assert isinstance(found, dict)
    return found


def assertion(manifest: dict[str, object], label: str) -> dict[str, object]:
    items = manifest["assertions"]
    assert isinstance(items, list)
    return next(a["data"] for a in items if a["label"].startswith(label))


def test_each_segment_of_v10_carries_valid_credentials(
    film: Film, sites: dict[str, object]
) -> None:
    out = sites["out"]
    assert isinstance(out, Path)
    store = Store(film.root / ".cinecode")
    film_type = film_source_type(ingredients(under(store.catalog, film.v10.master.key)))
    video, audio = pairs(out / "v1.0", "video"), pairs(out / "v1.0", "audio")
    assert len(video) == len(film.v10.shots) + 2  # the title and the credits too
    for init, segment in video + audio:
        assert init.parent.name == "c" and segment.parent.name in ("v", "a")
        state, manifests = validate(init, segment)
        # the signature and every hash hold; the development signer is on no trust list
        assert state == "Valid", manifests.get("validation_status")
        codes = {s["code"] for s in manifests.get("validation_status", [])}  # type: ignore[attr-defined]
        assert codes == {"signingCredential.untrusted"}
        manifest = active(manifests)
        ours = assertion(manifest, "org.cinecode.provenance")
        assert ours["film"] == "Tiny" and ours["release"] == "v1.0"
        assert "AI" in str(ours["disclosure"]) and ours["film_source_type"] == film_type
        actions = assertion(manifest, "c2pa.actions")["actions"]
        assert isinstance(actions, list) and "digitalSourceType" in actions[0]
    # a shot's picture names its keyframe (backend, seed) as the master's manifest does
    shot = next(s for s in film.v10.shots if s.id == CHANGED_SHOT)
    init, segment = video[1 + film.v10.shots.index(shot)]
    manifest = active(validate(init, segment)[1])
    ours = assertion(manifest, "org.cinecode.provenance")
    steps = {i["step"]: i for i in ours["ingredients"]}  # type: ignore[attr-defined]
    assert steps["keyframe"]["shot"] == CHANGED_SHOT and steps["keyframe"]["backend"]
    assert "seed" in steps["keyframe"]
    titles = [i["title"] for i in manifest["ingredients"]]  # type: ignore[attr-defined]
    assert any(t.startswith(f"keyframe {CHANGED_SHOT}") for t in titles)
    # its sound names the line's voice
    init, segment = audio[1 + film.v10.shots.index(shot)]
    heard = assertion(active(validate(init, segment)[1]), "org.cinecode.provenance")
    assert any(i["step"] == "voice" for i in heard["ingredients"])  # type: ignore[attr-defined]


def test_a_tampered_segment_does_not_validate(sites: dict[str, object], tmp_path: Path) -> None:
    out = sites["out"]
    assert isinstance(out, Path)
    init, segment = pairs(out / "v1.0", "video")[1]
    data = bytearray(segment.read_bytes())
    data[-50] ^= 0xFF  # inside the mdat: a picture's byte
    changed = tmp_path / "changed.m4s"
    changed.write_bytes(bytes(data))
    state, manifests = validate(init, changed)
    assert state == "Invalid"
    codes = {s["code"] for s in manifests["validation_status"]}  # type: ignore[attr-defined]
    assert "assertion.bmffHash.mismatch" in codes


def test_the_fragments_keep_their_bytes_and_names(sites: dict[str, object]) -> None:
    out, plain = sites["out"], sites["plain"]
    assert isinstance(out, Path) and isinstance(plain, Path)
    for track in ("video", "audio"):
        signed = [segment.name for _, segment in pairs(out / "v1.0", track)]
        unsigned = [segment.name for _, segment in pairs(plain / "v1.0", track)]
        assert signed == unsigned
    assert not (plain / "media" / "c").exists()
    assert not (plain / "v1.0" / "credentials.json").exists()
    # what the credentials cost: the signed inits, less the shared unsigned ones
    first, plain_first = sites["first"], sites["unsigned"]
    extra = first.bytes_added - plain_first.bytes_added  # type: ignore[attr-defined]
    signed_inits = sum(p.stat().st_size for p in (out / "media" / "c").iterdir())
    assert 0 < extra <= signed_inits + 20_000  # + credentials.json


def test_the_page_data_says_who_signed_and_the_disclosure(sites: dict[str, object]) -> None:
    out = sites["out"]
    assert isinstance(out, Path)
    feed = json.loads((out / "releases.json").read_text(encoding="utf-8"))
    entry = feed["versions"][0]
    assert entry["credentials"] == "v1.0/credentials.json"
    said = json.loads((out / entry["credentials"]).read_text(encoding="utf-8"))
    assert said["version"] == "v1.0" and said["state"] == "valid" and said["trusted"] is False
    assert said["signer"] == "cinecode development signer (not trusted)"
    assert "generative AI" in said["disclosure"]
    assert len(said["segments"]) == 2 * len(pairs(out / "v1.0", "video"))
    assert {s["state"] for s in said["segments"]} == {"valid"}
    assert {s["release"] for s in said["segments"]} == {"v1.0"}
    # the release's own manifest, in its poster: the version, every segment it plays
    assert entry["poster"] == "v1.0/poster.jpg"
    assert said["release_manifest"] == {"file": "v1.0/poster.jpg", "state": "valid"}
    with c2pa.Reader("image/jpeg", io.BytesIO((out / "v1.0" / "poster.jpg").read_bytes())) as r:
        assert r.get_validation_state() == "Valid"
        ours = assertion(active(json.loads(r.json())), "org.cinecode.provenance")
    assert ours["release"] == "v1.0" and ours["notes"] == "First cut"
    plays = {(s["init"], s["segment"]) for s in said["segments"]}
    named = ours["segments"]
    assert isinstance(named, list) and {(s["init"], s["segment"]) for s in named} == plays
    for item in named:
        data = (out / item["init"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item["init_sha256"]


def test_publishing_again_signs_nothing_and_a_change_signs_only_its_segments(
    film: Film, sites: dict[str, object]
) -> None:
    out, again, second, before = (sites[k] for k in ("out", "again", "second", "before"))
    assert isinstance(out, Path) and isinstance(before, dict)
    assert again.bytes_added == 0 and again.files_added == 0  # type: ignore[attr-defined]
    for path, mtime in before.items():
        if path.name != "releases.json":
            assert path.stat().st_mtime_ns == mtime, path
    new = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p not in before}
    new_segments = {f for f in new if f.startswith(("media/v/", "media/a/"))}
    new_inits = {f for f in new if f.startswith("media/c/")}
    assert new_segments and len(new_inits) == len(new_segments)
    assert second.files_added == len(new) + 1  # type: ignore[attr-defined]  # + releases.json
    # in v1.1, a shared segment keeps its v1.0 init (naming v1.0), a new one names v1.1
    said = json.loads((out / "v1.1" / "credentials.json").read_text(encoding="utf-8"))
    for item in said["segments"]:
        fresh = item["segment"] in new_segments
        assert item["release"] == ("v1.1" if fresh else "v1.0"), item
        assert (item["init"] in new_inits) == fresh
        assert item["state"] == "valid"
    shot = next(i for i in said["segments"] if i["part"] == f"shot {CHANGED_SHOT}")
    assert shot["release"] == "v1.1"


def test_sign_false_publishes_without_credentials(film: Film, tmp_path: Path) -> None:
    from helpers import cinecode, copy_project

    root = copy_project(film.root, tmp_path / "film")
    toml = root / "film.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[provenance]\nsign = false\n")
    site = tmp_path / "site"
    run = cinecode("publish", root, "--out", site, "--json")
    assert run.code == 0, run.err
    assert not (site / "media" / "c").exists()
    assert not list(site.glob("*/credentials.json"))
    feed = json.loads((site / "releases.json").read_text(encoding="utf-8"))
    assert [v["credentials"] for v in feed["versions"]] == [None, None]
    assert [v["poster"] for v in feed["versions"]] == [None, None]
    assert not list(site.glob("*/poster.jpg"))


def test_cinecode_verify_reads_what_the_player_fetches(
    sites: dict[str, object], tmp_path: Path
) -> None:
    from helpers import cinecode

    out = sites["out"]
    assert isinstance(out, Path)
    init, segment = pairs(out / "v1.0", "audio")[2]
    joined = tmp_path / "shot.mp4"
    joined.write_bytes(init.read_bytes() + segment.read_bytes())
    run = cinecode("verify", joined)
    assert run.code == 0, run.err
    assert "valid: the manifest and the file's bytes agree" in run.out
    assert "not trusted" in run.out and "voice" in run.out
    assert "(audio) of film 'Tiny' v1.0" in run.out and "generative AI" in run.out
    alone = tmp_path / "init.mp4"
    alone.write_bytes(init.read_bytes())
    assert cinecode("verify", alone).code == 1  # the init without its fragment: no binding
    # or the init and the segment as they are published
    both = cinecode("verify", init, "--fragment", segment, "--json")
    assert both.code == 0, both.err
    said = both.json()
    assert said["ok"] and said["untrusted"] and said["cinecode"]["release"] == "v1.0"
    video_init, _ = pairs(out / "v1.0", "video")[2]
    assert cinecode("verify", video_init, "--fragment", segment).code == 1  # not its init
    folder = cinecode("verify", out, "--fragment", segment)  # a folder, not an init segment
    assert folder.code == 1 and "--fragment goes with a published init segment" in folder.err
