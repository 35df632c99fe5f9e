"""Content credentials on a timeline export's media: the shots, voices and mixes in the folder
beside an FCPXML (and inside an .otioz bundle) each carry a manifest that c2pa's own Reader
validates, naming the store artifact the file is and its digital source type; exported again
unchanged they keep their bytes; `[provenance] sign = false` leaves them the store's."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from helpers import cinecode, copy_project

from cinecode.provenance.chain import IPTC
from cinecode.provenance.identity import CERT_ENV, KEY_ENV

c2pa = pytest.importorskip("c2pa", reason="pip install 'cinecode[provenance]'")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tiny project built and exported as FCPXML, with the tests' own identity."""
    home = tmp_path_factory.mktemp("config")
    root = tmp_path_factory.mktemp("exports") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(home))
        patch.delenv(CERT_ENV, raising=False)
        patch.delenv(KEY_ENV, raising=False)
        run = cinecode("export", root, "fcpxml")
        assert run.code == 0, run.err
        yield root


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def manifest_of(path: Path) -> tuple[str, dict[str, Any]]:
    """c2pa's own reading: the validation state and the active manifest."""
    with c2pa.Reader(str(path)) as reader:
        store = json.loads(reader.json())
        state = reader.get_validation_state()
    return state, store["manifests"][store["active_manifest"]]


def said(manifest: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The digital source type a manifest declares, and the artifact cinecode says it is."""
    assertions = {a["label"]: a["data"] for a in manifest["assertions"]}
    [created] = assertions["c2pa.actions.v2"]["actions"]
    return created["digitalSourceType"], assertions["org.cinecode.provenance"]["contains"]


def test_every_media_file_of_the_timeline_is_signed(exported: Path) -> None:
    folder = exported / "build" / "tiny.media"
    media = files(folder)
    assert {p.suffix for p in media} == {".mp4", ".wav"} and len(media) == 14
    steps = {}
    for path in media:
        state, manifest = manifest_of(path)
        assert state == "Valid", path
        kind, contains = said(manifest)
        assert kind.startswith(IPTC), path
        artifact = contains["artifact"]
        assert contains["timeline"] == "tiny.fcpxml"
        steps[path.relative_to(folder).as_posix()] = (artifact["step"], kind.removeprefix(IPTC))
    # a voice is a learned model's (piper); a shot's segment holds a keyframe and its voice
    assert steps["dialogue/ANNA_1.2_1.wav"] == ("voice", "trainedAlgorithmicMedia")
    assert steps["1.2.mp4"] == ("segment", "compositeWithTrainedAlgorithmicMedia")
    assert steps["mix/title.wav"] == ("scene-mix", "algorithmicMedia")
    _, manifest = manifest_of(folder / "1.2.mp4")
    titles = [i["title"] for i in manifest["ingredients"]]
    assert any(t.startswith("keyframe 1.2") for t in titles), titles


def test_a_signed_shot_still_decodes_to_its_frames(exported: Path) -> None:
    import av

    def frames(path: Path) -> int:
        with av.open(str(path)) as container:
            return sum(1 for _ in container.decode(video=0))

    signed = exported / "build" / "tiny.media" / "1.1.mp4"
    obj = said(manifest_of(signed)[1])[1]["artifact"]["object"]
    [original] = (exported / ".cinecode" / "objects" / obj[:2]).glob(f"{obj[2:]}.*")
    assert signed.read_bytes() != original.read_bytes()
    assert frames(signed) == frames(original) > 0


def test_exporting_again_keeps_the_bytes(exported: Path, tmp_path: Path) -> None:
    root = copy_project(exported, tmp_path / "tiny")
    folder = root / "build" / "tiny.media"
    before = {p: p.read_bytes() for p in files(folder)}
    assert cinecode("export", root, "fcpxml").code == 0
    assert {p: p.read_bytes() for p in files(folder)} == before


def test_the_bundles_media_are_signed(exported: Path, tmp_path: Path) -> None:
    root = copy_project(exported, tmp_path / "tiny")
    run = cinecode("export", root, "otioz")
    assert run.code == 0, run.err
    with zipfile.ZipFile(root / "build" / "tiny.otioz") as bundle:
        bundle.extractall(tmp_path / "unzipped")
    media = files(tmp_path / "unzipped" / "media")
    assert len(media) == 14
    for path in media:
        state, manifest = manifest_of(path)
        assert state == "Valid", path
        assert said(manifest)[0].startswith(IPTC)


def test_sign_false_leaves_the_media_unsigned(exported: Path, tmp_path: Path) -> None:
    root = copy_project(exported, tmp_path / "tiny")
    with (root / "film.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[provenance]\nsign = false\n")
    assert cinecode("export", root, "fcpxml").code == 0
    for path in files(root / "build" / "tiny.media"):
        with pytest.raises(c2pa.C2paError):
            c2pa.Reader(str(path))
