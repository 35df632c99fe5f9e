"""Content credentials: the tiny project's delivered master carries a C2PA manifest that c2pa's
own Reader validates (its signer, the development identity, is on no trust list), listing its
reels, each with its own manifest listing the generated keyframes, voices and cues in it, and
the digital source type; a changed byte of its
picture breaks it; `cinecode verify FILE` says both; `cinecode provenance` follows a shot
from its keyframe to the master; the store keeps the unsigned master under its key."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from helpers import cinecode, copy_project

from cinecode.errors import ProvenanceError
from cinecode.media.audio import write_pcm_header
from cinecode.provenance.identity import CERT_ENV, KEY_ENV, development_identity, resolve

c2pa = pytest.importorskip("c2pa", reason="pip install 'cinecode[provenance]'")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


@pytest.fixture(scope="module")
def config_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A configuration folder of the tests' own: the development identity is made there."""
    home = tmp_path_factory.mktemp("config")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(home))
        patch.delenv(CERT_ENV, raising=False)
        patch.delenv(KEY_ENV, raising=False)
        yield home


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, config_home: Path) -> Path:
    root = tmp_path_factory.mktemp("provenance") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    assert "signed by the development identity (not trusted)" in run.err
    return root


def master(root: Path) -> Path:
    return root / "build" / "tiny.mp4"


def read(path: Path) -> tuple[str, dict[str, object], list[dict[str, str]]]:
    """c2pa's own reading: the validation state, the active manifest, the status list."""
    with c2pa.Reader(str(path)) as reader:
        store = json.loads(reader.json())
        state = reader.get_validation_state()
    return state, store["manifests"][store["active_manifest"]], store["validation_status"]


def reels(path: Path) -> dict[str, dict[str, Any]]:
    """A master's C2PA ingredients (its reels), each with its own manifest ({} for none)."""
    with c2pa.Reader(str(path)) as reader:
        store = json.loads(reader.json())
    active = store["manifests"][store["active_manifest"]]
    return {
        i["title"]: store["manifests"].get(i.get("active_manifest", ""), {})
        for i in active["ingredients"]
    }


def test_the_master_carries_credentials_that_validate(built: Path, config_home: Path) -> None:
    state, manifest, status = read(master(built))
    # valid, not trusted: the only status is the development signer's, on no trust list
    assert state == "Valid"
    assert [s["code"] for s in status] == ["signingCredential.untrusted"]
    assert manifest["signature_info"]["alg"] == "Ed25519"
    assert "development" in manifest["signature_info"]["common_name"]
    assert (
        config_home / "cinecode" / "identity" / "development-key.pem"
    ).stat().st_mode & 0o077 == 0
    assertions = {a["label"]: a["data"] for a in manifest["assertions"]}
    # the tiny film's voices come from a learned model (piper), its pictures, score and
    # effects from procedural engines: a composite with trained-algorithmic media
    [created] = assertions["c2pa.actions.v2"]["actions"]
    assert created == {
        "action": "c2pa.created",
        "digitalSourceType": IPTC + "compositeWithTrainedAlgorithmicMedia",
    }
    # its ingredients are its reels, in order, each with its own signed manifest listing
    # what is in its picture and sound: between them every generated keyframe, voice and cue
    # of the tiny film, and nothing rendered
    inside = reels(master(built))
    assert [i["title"] for i in manifest["ingredients"]] == list(inside)
    assert list(inside) == ["reel title", "reel 1", "reel 2", "reel credits"]
    titles = {i["title"] for reel in inside.values() for i in reel["ingredients"]}
    assert sum(t.startswith("keyframe ") for t in titles) == 5
    assert sum(t.startswith("voice ") for t in titles) == 3
    assert sum(t.startswith("cue ") for t in titles) == 4
    assert not any(t.startswith(("segment", "reel", "mix")) for t in titles)
    first = inside["reel 1"]
    pictures = [i["title"] for i in first["ingredients"] if i["title"].startswith("keyframe")]
    assert [t.split()[1] for t in pictures] == ["1.1", "1.2", "1.3"]  # scene 1's, not 2's
    assert first["title"] == "Tiny: reel 1" and first["signature_info"]["alg"] == "Ed25519"
    own = next(a["data"] for a in first["assertions"] if a["label"] == "org.cinecode.provenance")
    assert own["reel"]["label"] == "reel 1" and own["reel"]["scene"] == "1"
    assert any(i["step"] == "keyframe" and i["seed"] > 0 for i in own["ingredients"])
    ours = assertions["org.cinecode.provenance"]
    keyframe = next(i for i in ours["ingredients"] if i["label"].startswith("keyframe 1.1"))
    assert keyframe["backend"] == "sketch" and keyframe["seed"] > 0 and keyframe["prompt"]
    assert keyframe["model"] and keyframe["created"].endswith("Z")
    assert keyframe["source_type"] == IPTC + "algorithmicMedia"
    voice = next(i for i in ours["ingredients"] if i["step"] == "voice")
    assert voice["backend"] == "piper" and voice["source_type"] == IPTC + "trainedAlgorithmicMedia"
    assert "generative AI" in ours["disclosure"]


def test_a_changed_line_signs_again_only_the_reels_it_touches(built: Path, tmp_path: Path) -> None:
    """Each reel's manifest is kept by what it signs: after one changed line in scene 2, a
    reel that did not change is listed with the very manifest signed before."""
    root = copy_project(built, tmp_path / "tiny")
    kept = root / ".cinecode" / "credentials" / "reels"
    before = {p.name for p in kept.glob("*.c2pa")}
    was = reels(master(root))
    script = root / "script.fountain"
    script.write_text(
        script.read_text(encoding="utf-8").replace("We made it.", "We made it after all."),
        encoding="utf-8",
    )
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    now = reels(master(root))
    assert list(now) == list(was)
    changed = [t for t in now if now[t]["instance_id"] != was[t]["instance_id"]]  # signed again
    # scene 2's reel, and the reels whose sound meets it (encoded with its first frames as
    # context) or recalls its voice (the credits); not the title's
    assert changed == ["reel 1", "reel 2", "reel credits"]
    for title in set(now) - set(changed):  # the same manifest: the same signature
        assert now[title]["signature_info"] == was[title]["signature_info"]
        assert now[title]["label"] == was[title]["label"]
    added = {p.name for p in kept.glob("*.c2pa")} - before
    assert len(added) == len(changed)  # one new manifest for each changed reel, no more
    state, _, _ = read(master(root))
    assert state == "Valid"


def test_a_changed_byte_of_the_picture_fails(built: Path, tmp_path: Path) -> None:
    data = bytearray(master(built).read_bytes())
    at = data.index(b"mdat") + 4 + (len(data) - data.index(b"mdat")) // 2
    data[at] ^= 0xFF
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    state, _, status = read(tampered)
    assert state == "Invalid"
    assert "assertion.bmffHash.mismatch" in {s["code"] for s in status}
    # cinecode verify FILE says so, and exits 1; on the delivered master, 0
    bad = cinecode("verify", tampered)
    assert bad.code == 1 and "INVALID" in bad.out and "bmffHash.mismatch" in bad.out
    good = cinecode("verify", master(built))
    assert good.code == 0, good.err
    assert "valid: the manifest and the file's bytes agree" in good.out
    assert "compositeWithTrainedAlgorithmicMedia" in good.out and "keyframe 1.1" in good.out
    report = cinecode("verify", master(built), "--json").json()
    assert report["ok"] and report["untrusted"] and report["state"] == "valid"
    assert not cinecode("verify", tampered, "--json").json()["ok"]


def test_verify_a_file_without_credentials_and_a_project(built: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.wav"
    with plain.open("wb") as sink:
        write_pcm_header(sink, channels=2, rate=48000, width=3, frames=480)
        sink.write(bytes(480 * 6))
    bare = cinecode("verify", plain)
    assert bare.code == 1 and "no content credentials" in bare.out
    store = cinecode("verify", built)  # the store's objects, as before
    assert store.code == 0 and "all whole" in store.out


def test_the_store_keeps_the_unsigned_master(built: Path) -> None:
    """Signing changes no key: the store's master is the unsigned one, and the delivered file
    holds its very packets, with the disclosure in its metadata; a make with nothing changed
    leaves the delivered bytes alone."""
    import av

    from cinecode.graph.store import Store

    store = Store(built / ".cinecode")
    try:
        [row] = [a for a in store.catalog.all() if a.step == "master"]
        unsigned = store.path(row)
    finally:
        store.close()
    assert unsigned.read_bytes() != master(built).read_bytes()

    def packets(path: Path) -> tuple[list[tuple[str, int, bytes]], dict[str, str]]:
        with av.open(str(path)) as container:
            found = [(p.stream.type, p.pts, bytes(p)) for p in container.demux() if p.size]
            return found, dict(container.metadata)

    (ours, tags), (theirs, _) = packets(master(built)), packets(unsigned)
    assert ours == theirs
    assert "generative AI" in tags["comment"]
    assert tags["description"] == tags["comment"] and tags["title"] == "Tiny"
    before = master(built).read_bytes()
    again = cinecode("make", built, "--json")
    assert again.code == 0 and master(built).read_bytes() == before
    assert cinecode("status", built, "--json").json()["up_to_date"]


def test_the_stems_are_signed_in_place(built: Path, tmp_path: Path) -> None:
    """Each stem carries its own manifest (a C2PA chunk after its samples): the voices, cues
    or effects heard in it as ingredients; a make with nothing changed keeps its bytes, and a
    changed line patches the stem and signs it again."""
    stems = built / "build" / "stems"
    state, manifest, status = read(stems / "dialogue.wav")
    assert state == "Valid" and [s["code"] for s in status] == ["signingCredential.untrusted"]
    assertions = {a["label"]: a["data"] for a in manifest["assertions"]}
    # the dialogue stem holds piper's voices alone: trained-algorithmic media
    [created] = assertions["c2pa.actions.v2"]["actions"]
    assert created == {
        "action": "c2pa.created",
        "digitalSourceType": IPTC + "trainedAlgorithmicMedia",
    }
    titles = [i["title"] for i in manifest["ingredients"]]
    assert len(titles) == 3 and all(t.startswith("voice ") for t in titles)
    ours = assertions["org.cinecode.provenance"]
    assert ours["contains"]["stem"] == "dialogue"
    assert ours["film_source_type"] == IPTC + "compositeWithTrainedAlgorithmicMedia"
    music = read(stems / "music.wav")[1]
    assert all(i["title"].startswith("cue ") for i in music["ingredients"])
    said = cinecode("verify", stems / "dialogue.wav")
    assert said.code == 0 and "valid: the manifest and the file's bytes agree" in said.out
    assert "trainedAlgorithmicMedia" in said.out and "voice ANNA 1.2/1" in said.out
    # nothing changed: nothing to do, the same bytes
    root = copy_project(built, tmp_path / "tiny")
    before = {p.name: p.read_bytes() for p in (root / "build" / "stems").glob("*.wav")}
    slow = cinecode("make", root, "--json")  # a copy: the slow path, nothing to sign
    assert slow.code == 0, slow.err
    after = {p.name: p.read_bytes() for p in (root / "build" / "stems").glob("*.wav")}
    assert after == before
    fast = cinecode("make", root)
    assert fast.code == 0 and "nothing to do" in fast.out + fast.err
    # a changed line: the stem is patched and signed again, and validates
    script = root / "script.fountain"
    script.write_text(
        script.read_text(encoding="utf-8").replace("We made it.", "We made it home."), "utf-8"
    )
    assert cinecode("make", root, "--json").code == 0
    dialogue = root / "build" / "stems" / "dialogue.wav"
    assert dialogue.read_bytes() != before["dialogue.wav"]
    assert read(dialogue)[0] == "Valid"


def test_a_changed_line_signs_the_master_and_every_stem_once(built: Path, tmp_path: Path) -> None:
    """The master and the stems are signed side by side (threads) after a changed line: each
    validates, and the next make (the slow path: the no-op stamp removed) finds each one
    recorded as signed and leaves its bytes and its mtime alone."""
    root = copy_project(built, tmp_path / "tiny")
    script = root / "script.fountain"
    script.write_text(
        script.read_text(encoding="utf-8").replace("We made it.", "We made it home."), "utf-8"
    )
    assert cinecode("make", root, "--json").code == 0
    stems = root / "build" / "stems"
    delivered = [master(root), *(stems / f"{bus}.wav" for bus in ("dialogue", "music", "effects"))]
    for path in delivered:
        state, manifest, _ = read(path)
        assert state == "Valid", path.name
        ours = next(
            a["data"] for a in manifest["assertions"] if a["label"] == "org.cinecode.provenance"
        )
        if path.suffix == ".wav":
            assert ours["contains"]["stem"] == path.stem
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in delivered}
    (root / ".cinecode" / "last-make.json").unlink()
    again = cinecode("make", root, "--json")
    assert again.code == 0 and again.json()["rendered"] == 0
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in delivered} == before


def test_the_storyboard_and_a_contact_sheet_are_signed(built: Path, tmp_path: Path) -> None:
    """The storyboard PDF and a contact sheet carry their own manifests (embedded), their
    pictures as ingredients; written again unchanged, they keep their bytes."""
    root = copy_project(built, tmp_path / "tiny")
    pdf = root / "build" / "tiny.pdf"
    assert cinecode("export", root, "pdf").code == 0
    state, manifest, _ = read(pdf)
    assert state == "Valid"
    titles = [i["title"] for i in manifest["ingredients"]]
    assert len(titles) == 5 and all(t.startswith("keyframe ") for t in titles), titles
    ours = next(
        a["data"] for a in manifest["assertions"] if a["label"] == "org.cinecode.provenance"
    )
    # five shots, the title card and the credits
    assert ours["contains"]["storyboard"] == 7 and ours["export"] == "tiny.pdf"
    first = pdf.read_bytes()
    assert cinecode("export", root, "pdf").code == 0 and pdf.read_bytes() == first
    sheet = cinecode("contact", root, "1.1")
    assert sheet.code == 0, sheet.err
    png = root / "build" / "contact" / "1.1.png"
    said = cinecode("verify", png)
    assert said.code == 0 and "keyframe 1.1 seed 791295" in said.out
    before = png.read_bytes()
    assert cinecode("contact", root, "1.1").code == 0 and png.read_bytes() == before
    assert sorted(p.name for p in png.parent.iterdir()) == ["1.1.png"]


def test_picking_back_delivers_the_same_signed_bytes(built: Path, tmp_path: Path) -> None:
    root = copy_project(built, tmp_path / "tiny")
    first = master(root).read_bytes()
    script = root / "script.fountain"
    original = script.read_text(encoding="utf-8")
    script.write_text(original.replace("There it is.", "There it is, at last."), "utf-8")
    changed = cinecode("make", root, "--json")
    assert changed.code == 0 and master(root).read_bytes() != first
    assert read(master(root))[0] == "Valid"
    script.write_text(original, encoding="utf-8")
    back = cinecode("make", root, "--json")
    assert back.code == 0 and back.json()["generated"] == 0
    assert master(root).read_bytes() == first


def test_provenance_follows_a_shot_to_the_master(built: Path) -> None:
    report = cinecode("provenance", built, "1.2", "--json").json()
    steps = [link["step"] for link in report["chain"]]
    assert steps[0] == "keyframe" and steps[-1] == "master"
    assert {"voice", "segment", "scene-mix", "reel"} <= set(steps)
    assert all(link.get("shot", "1.2") == "1.2" for link in report["chain"])
    keyframe = report["chain"][0]
    assert keyframe["label"].startswith("keyframe 1.2") and keyframe["seed"] > 0
    assert keyframe["model"] == "pencil" and keyframe["prompt"]
    assert report["credentials"]["state"] == "valid"
    text = cinecode("provenance", built, "1.2")
    assert text.code == 0 and "shot 1.2: source to master" in text.out
    film = cinecode("provenance", built, "--json").json()
    assert len(film["ingredients"]) == 14
    missing = cinecode("provenance", built, "9.9")
    assert missing.code == 1 and "no shot 9.9" in missing.err


def test_prompts_can_be_left_out(built: Path, tmp_path: Path) -> None:
    root = copy_project(built, tmp_path / "tiny")
    with (root / "film.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[provenance]\nprompts = false\n")
    run = cinecode("make", root, "--json")
    assert run.code == 0 and run.json()["generated"] == 0, run.err
    ours = cinecode("verify", master(root), "--json").json()["cinecode"]
    assert ours["prompts"] is False
    assert ours["ingredients"] and not any("prompt" in i for i in ours["ingredients"])
    assert all("seed" in i for i in ours["ingredients"] if i["step"] == "keyframe")


def test_the_development_identity_is_made_once_by_threads_at_once(tmp_path: Path) -> None:
    """A make signs its master and its stems in two threads: the first use of a fresh
    configuration folder makes one identity, and every thread gets it."""
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_path / "identity"
    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(lambda _: development_identity(folder), range(4)))
    assert {m.fingerprint() for m in made} == {made[0].fingerprint()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["identity"]


def test_a_real_identity_comes_from_the_environment(tmp_path: Path) -> None:
    made = development_identity(tmp_path / "mine")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CERT_ENV, str(made.chain))
        patch.setenv(KEY_ENV, str(made.key))
        found = resolve()
        assert found.source == CERT_ENV and not found.development
        assert found.algorithm() == "ED25519"
        patch.setenv(KEY_ENV, str(tmp_path / "absent.pem"))
        with pytest.raises(ProvenanceError, match=r"absent\.pem"):
            resolve()
        patch.delenv(KEY_ENV)
        with pytest.raises(ProvenanceError, match="both"):
            resolve()


def test_the_users_own_photo_is_marked_as_such(built: Path, tmp_path: Path) -> None:
    from PIL import Image

    root = copy_project(built, tmp_path / "tiny")
    (root / "footage").mkdir()
    Image.new("RGB", (320, 180), (20, 40, 200)).save(root / "footage" / "pier.png")
    script = root / "script.fountain"
    text = script.read_text(encoding="utf-8")
    script.write_text(
        text.replace(
            "BEN drives.", "[[shot: source footage/pier.png]]\nThe pier at night.\n\nBEN drives."
        ),
        encoding="utf-8",
    )
    run = cinecode("make", root, "--json")
    assert run.code == 0, run.err
    _, manifest, _ = read(master(root))
    inside = [i for reel in reels(master(root)).values() for i in reel.get("ingredients", [])]
    photos = [i for i in inside if "pier.png" in i["title"]]  # its scene's reel (and credits)
    assert photos
    for photo in photos:
        assert photo["format"] == "image/png" and photo["description"] == "the user's own media"
    ours = next(
        a["data"] for a in manifest["assertions"] if a["label"] == "org.cinecode.provenance"
    )
    [mine] = [i for i in ours["ingredients"] if i["origin"] == "user"]
    assert mine["step"] == "source" and mine["source_type"] == "" and "seed" not in mine


def test_a_take_exported_carries_its_own_manifest(built: Path, tmp_path: Path) -> None:
    """A generated keyframe keeps its bytes in the store; its own manifest is a sidecar."""
    folder = tmp_path / "takes"
    run = cinecode("provenance", built, "1.1", "--export", folder, "--json")
    assert run.code == 0, run.err
    [item] = run.json()["exported"]
    picture, sidecar = Path(item["file"]), Path(item["credentials"])
    assert picture.name == "keyframe-1.1-seed-791295.png" and sidecar.suffix == ".c2pa"
    state, manifest, _ = read_sidecar(picture, sidecar)
    assert state == "Valid"
    ours = next(
        a["data"] for a in manifest["assertions"] if a["label"] == "org.cinecode.provenance"
    )
    assert ours["step"] == "keyframe" and ours["seed"] == 791295 and ours["prompt"]
    good = cinecode("verify", picture)
    assert good.code == 0 and "a sidecar" in good.out and "seed 791295" in good.out
    data = bytearray(picture.read_bytes())
    data[len(data) // 2] ^= 0xFF
    picture.write_bytes(bytes(data))
    assert read_sidecar(picture, sidecar)[0] == "Invalid"
    assert cinecode("verify", picture).code == 1


def read_sidecar(path: Path, sidecar: Path) -> tuple[str, dict[str, object], list[object]]:
    with path.open("rb") as stream, c2pa.Reader("image/png", stream, sidecar.read_bytes()) as r:
        store = json.loads(r.json())
        state = r.get_validation_state()
    return state, store["manifests"][store["active_manifest"]], store["validation_status"]


def test_sign_false_delivers_the_stores_master(built: Path, tmp_path: Path) -> None:
    root = copy_project(built, tmp_path / "tiny")
    with (root / "film.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[provenance]\nsign = false\n")
    run = cinecode("make", root, "--json")
    assert run.code == 0 and run.json()["generated"] == 0, run.err
    [unsigned] = (root / ".cinecode" / "objects").rglob(f"*{read_master_object(root)}")
    assert master(root).read_bytes() == unsigned.read_bytes()
    bare = cinecode("verify", master(root))
    assert bare.code == 1 and "no content credentials" in bare.out
    stem = cinecode("verify", root / "build" / "stems" / "dialogue.wav")
    assert stem.code == 1 and "no content credentials" in stem.out


def test_a_long_films_stems_are_left_unsigned_and_the_make_says_why(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stems longer than cinecode signs (c2pa holds a WAV whole in memory, and cannot sign
    one over 2 GiB: a feature's make failed at its end) are left unsigned, their old chunk
    taken off; the make succeeds, says why, and the master is still signed."""
    from cinecode.graph.reporter import RecordingReporter
    from cinecode.pipeline.build import make

    root = copy_project(built, tmp_path / "tiny")
    stems = root / "build" / "stems"
    assert read(stems / "dialogue.wav")[0] == "Valid"  # signed while it was short enough
    monkeypatch.setattr("cinecode.provenance.inplace.WAV_LIMIT", 1000)  # any stem is "long"
    reporter = RecordingReporter()
    result = make(root, reporter=reporter)
    assert result.master == master(root).resolve()
    [said] = [w for w in reporter.of("warning") if "is not signed" in w]
    assert said.startswith("build/stems/ is not signed") and "The master is signed" in said
    for bus in ("dialogue", "music", "effects"):
        bare = cinecode("verify", stems / f"{bus}.wav")
        assert bare.code == 1 and "no content credentials" in bare.out, bus
    assert read(master(root))[0] == "Valid"


def test_a_features_thousands_of_ingredients_are_listed_within_c2pas_limit() -> None:
    """c2pa refuses a manifest whose JSON is over about 1 MB: a long list is described
    briefly, and a feature's thousands only counted by step (the C2PA ingredients beside it
    still name each one)."""
    from cinecode.graph.catalog import Artifact
    from cinecode.provenance.chain import LISTING_BUDGET, listing

    def voices(count: int) -> list[Artifact]:
        return [
            Artifact(
                key=f"{i:064x}",
                object=f"{i + 1:064x}",
                ext="wav",
                size=1,
                step="voice",
                kind="generate",
                label=f"voice ANNA {i}/1",
                backend="piper",
                model="en_US",
                seed=i,
                prompt="a long direction for the actor " * 8,
                created=1.7e9,
            )
            for i in range(count)
        ]

    few = listing(voices(3), prompts=True)
    assert len(few["ingredients"]) == 3 and "listing" not in few
    assert few["ingredients"][0]["prompt"].startswith("a long direction")
    some = listing(voices(2000), prompts=True)
    assert some["listing"] == "brief" and len(some["ingredients"]) == 2000
    assert set(some["ingredients"][0]) == {
        "step",
        "label",
        "origin",
        "backend",
        "model",
        "seed",
        "object",
    }
    many = listing(voices(6000), prompts=True)
    assert many == {"ingredients": [], "listing": "counted", "counted": {"voice": 6000}}
    for listed in (few, some, many):
        assert len(json.dumps(listed)) <= LISTING_BUDGET + 100


def read_master_object(root: Path) -> str:
    from cinecode.graph.store import Store

    store = Store(root / ".cinecode")
    try:
        [row] = [a for a in store.catalog.all() if a.step == "master"]
        return store.path(row).name
    finally:
        store.close()


def test_the_opening_notice_comes_before_the_title(built: Path, tmp_path: Path) -> None:
    """`[provenance] notice = true`: the film opens on a silent card with the AI disclosure,
    before the title card; the master is longer by the card, the subtitles move with it;
    without it, the film is the one it was."""
    import av
    import numpy as np
    from helpers import decode_audio, frame_at
    from PIL import Image

    from cinecode.graph.store import Store

    root = copy_project(built, tmp_path / "tiny")
    with (root / "film.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[provenance]\nnotice = true\n")
    run = cinecode("make", root, "--json")
    assert run.code == 0 and run.json()["generated"] == 0, run.err

    def frames(path: Path) -> tuple[int, float]:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            return int(stream.frames), float(stream.average_rate or 24)

    (before, fps), (after, _) = frames(master(built)), frames(master(root))
    added = (after - before) / fps
    assert 3.5 <= added <= 6.0  # the notice: a few seconds
    # the first frames are the notice card itself (not the title card)
    store = Store(root / ".cinecode")
    try:
        [card] = [a for a in store.catalog.all() if a.step == "card" and a.scene == "notice"]
        assert card.meta["notice"][0] == "This film was made with generative AI."
        assert "Voices in this film were generated with AI." in card.meta["notice"]
        with Image.open(store.path(card)) as image:
            drawn = np.asarray(image.convert("RGB"), dtype=np.float32)
    finally:
        store.close()
    shown = frame_at(master(root), 1.0).astype(np.float32)
    title = frame_at(master(built), 1.0).astype(np.float32)
    assert np.abs(shown - drawn).mean() < 2.0
    assert np.abs(title - drawn).mean() > 2 * np.abs(shown - drawn).mean()
    # silent: the title's theme starts after it
    audio, rate = decode_audio(master(root))
    assert np.abs(audio[: int(rate * (added - 0.3))]).max() < 1e-3
    assert np.abs(audio[int(rate * added) : int(rate * (added + 2))]).max() > 1e-3
    # the subtitles move by the notice's length

    def first_start(path: Path) -> float:
        stamp = path.read_text(encoding="utf-8").splitlines()[1].split(" --> ")[0]
        h, m, s = stamp.replace(",", ".").split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    shift = first_start(root / "build" / "tiny.srt") - first_start(built / "build" / "tiny.srt")
    assert abs(shift - added) < 0.002
    # and without it, the very master of before
    toml_path = root / "film.toml"
    toml_path.write_text(
        toml_path.read_text(encoding="utf-8").replace("notice = true", "notice = false"), "utf-8"
    )
    back = cinecode("make", root, "--json")
    assert back.code == 0 and back.json()["rendered"] == 0, back.err
    # the same signed bytes: the same master object, the same ingredients
    assert master(root).read_bytes() == master(built).read_bytes()


def test_old_reel_manifests_go_with_the_deliveries_that_used_them(tmp_path: Path) -> None:
    """The store keeps three signed masters, and the reels' manifests used since the oldest
    of them was signed; older ones go (signed again if ever needed)."""
    import os

    from cinecode.provenance.delivery import KEEP, _prune

    deliveries, kept = tmp_path / "deliveries", tmp_path / "reels"
    deliveries.mkdir()
    kept.mkdir()
    for second in range(1, 5):  # four masters, delivered at 1 s, 2 s, 3 s and 4 s
        (deliveries / f"{second}.mp4").write_bytes(b"")
        os.utime(deliveries / f"{second}.mp4", ns=(second * 10**9, second * 10**9))
    for second in (0, 1, 2, 4):  # reel manifests last used then
        (kept / f"{second}.c2pa").write_bytes(b"")
        os.utime(kept / f"{second}.c2pa", ns=(second * 10**9, second * 10**9))
    _prune(deliveries, kept)
    assert KEEP == 3
    assert sorted(p.name for p in deliveries.iterdir()) == ["2.mp4", "3.mp4", "4.mp4"]
    assert sorted(p.name for p in kept.iterdir()) == ["2.c2pa", "4.c2pa"]
