"""Releases on the tiny project: `release` freezes the built cut as a manifest, `releases`
lists them, `diff` says which shots changed and why (with timecodes in both), `--html` shows
them before | after, and gc never removes what a release names."""

from __future__ import annotations

import base64
import io
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import FIXTURES
from helpers import Run, cinecode, copy_project, frame_at

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tiny")]

OLD_LINE = "There it is."
NEW_LINE = "There it is, at last."
TIMECODE = re.compile(r"\d\d:\d\d:\d\d\.\d\d")


def ok(run: Run) -> Run:
    assert run.code == 0, run.err
    return run


def say(root: Path, words: str) -> None:
    script = root / "script.fountain"
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace(f"\n{OLD_LINE}\n", f"\n{words}\n"), encoding="utf-8")


def manifest(root: Path, version: str) -> dict[str, Any]:
    return tomllib.loads((root / "releases" / f"{version}.toml").read_text(encoding="utf-8"))


def stored(root: Path, media: dict[str, str]) -> Path:
    digest = media["object"]
    return root / ".cinecode" / "objects" / digest[:2] / f"{digest[2:]}.{media['ext']}"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny project built and released as v1.0; a line of dialogue changed, made, and
    released as v1.1."""
    root = tmp_path_factory.mktemp("releases") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    ok(cinecode("make", root))
    ok(cinecode("release", root, "v1.0", "--notes", "First cut"))
    say(root, NEW_LINE)
    ok(cinecode("make", root))
    ok(cinecode("release", root, "v1.1", "--notes", "A longer line"))
    return root


def test_releases_are_listed_and_their_manifests_name_what_the_store_holds(
    released: Path,
) -> None:
    listed = ok(cinecode("releases", released, "--json")).json()["releases"]
    assert [(r["version"], r["notes"]) for r in listed] == [
        ("v1.0", "First cut"),
        ("v1.1", "A longer line"),
    ]
    assert "A longer line" in ok(cinecode("releases", released)).out
    data = manifest(released, "v1.1")
    for field in ("version", "notes", "created", "screenplay", "picks", "master", "credits"):
        assert field in data
    assert data["title"] == "Tiny" and data["cost"] == 0.0
    assert data["duration"] > 0 and data["subtitles"]["ext"] == "srt"
    assert any("Written by" in line for line in data["credits"])
    assert [s["id"] for s in data["scenes"]] == ["1", "2"]
    assert [s["id"] for s in data["shots"]] == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    assert data["shots"][1]["text"] == f"ANNA: {NEW_LINE}"
    assert manifest(released, "v1.0")["shots"][1]["text"] == f"ANNA: {OLD_LINE}"
    for shot in data["shots"]:
        assert stored(released, shot["segment"]).is_file()
        assert stored(released, shot["take"]).is_file() and shot["backend"] == "sketch"
    assert stored(released, data["master"]).is_file()
    # the screenplay's digest is its bytes'
    import hashlib

    script = (released / "script.fountain").read_bytes()
    assert data["screenplay"] == hashlib.sha256(script).hexdigest()


def test_shot_starts_are_where_the_master_shows_them(released: Path) -> None:
    from cinecode.editorial.timeline import cells
    from cinecode.pipeline.session import Session

    data = manifest(released, "v1.1")
    with Session.open(released) as session:
        assert session.store is not None
        timeline = {c.placed.id: c for c in cells(session.plan, session.store)}
        master = session.store.get(session.plan.targets["master"])
        assert master is not None and master.object == data["master"]["object"]
    fps = 24
    for shot in data["shots"]:
        assert shot["start"] == pytest.approx(timeline[shot["id"]].start / fps)
        assert shot["duration"] == pytest.approx(timeline[shot["id"]].frames / fps)
    # and in the master's pictures: 1.2 begins where the manifest says, after 1.1
    shot = data["shots"][1]
    path = stored(released, data["master"])
    first = frame_at(path, shot["start"] + 0.5 / fps).astype(float)
    own = frame_at(stored(released, shot["segment"]), 0.5 / fps).astype(float)
    before = frame_at(path, shot["start"] - 1.5 / fps).astype(float)
    assert np.abs(first - own).mean() < np.abs(before - own).mean() / 3


def test_diff_names_the_changed_line_with_its_timecodes(released: Path) -> None:
    found = ok(cinecode("diff", released, "v1.0", "v1.1", "--json")).json()
    assert found["added"] == [] and found["removed"] == []
    scripted = [c for c in found["changed"] if "script" in c["reasons"]]
    assert [c["shot"] for c in scripted] == ["1.2"]
    (line,) = scripted
    assert line["reason"] == "script"
    assert line["script"] == {"line": 9, "from": f"ANNA: {OLD_LINE}", "to": f"ANNA: {NEW_LINE}"}
    # the only other change: the scene's first shot, which holds the scene's padding
    others = [c for c in found["changed"] if c is not line]
    assert all(c["scene"] == "1" and c["reasons"] == ["timing"] for c in others)
    v10 = {s["id"]: s for s in manifest(released, "v1.0")["shots"]}
    v11 = {s["id"]: s for s in manifest(released, "v1.1")["shots"]}
    for side, shots in (("from", v10), ("to", v11)):
        start = shots["1.2"]["start"]
        frames = round(start * 24)
        expected = f"00:00:{frames // 24:02d}.{frames % 24:02d}"
        assert line[side]["timecode"] == expected
    assert line["to"]["duration"] > line["from"]["duration"]  # the line is longer
    assert found["unchanged"] + len(found["moved"]) + len(found["changed"]) == 5
    assert TIMECODE.fullmatch(found["duration"]["to_timecode"])
    assert found["cost"]["update"] == 0.0 and found["cost"]["generations"] >= 1
    shown = ok(cinecode("diff", released, "v1.0", "v1.1")).out
    assert "1.2" in shown and "script" in shown and NEW_LINE in shown


def test_diff_html_shows_each_changed_shot_before_and_after(released: Path, tmp_path: Path) -> None:
    from PIL import Image

    page = tmp_path / "diff.html"
    found = ok(cinecode("diff", released, "v1.0", "v1.1", "--html", page, "--json")).json()
    text = page.read_text(encoding="utf-8")
    sections = re.findall(r"<section.*?</section>", text, flags=re.S)
    assert len(sections) == len(found["changed"]) >= 1
    pictures: list[list[bytes]] = []
    for section in sections:
        sources = re.findall(r'<img [^>]*src="data:image/jpeg;base64,([^"]+)"', section)
        assert len(sources) == 2
        pictures.append([base64.b64decode(s) for s in sources])
    assert "http" not in text.replace("http-equiv", "")  # self-contained
    for pair in pictures:
        for data in pair:
            with Image.open(io.BytesIO(data)) as image:
                assert image.format == "JPEG" and image.width > 0
    line = next(i for i, c in enumerate(found["changed"]) if c["shot"] == "1.2")
    assert "1.2" in sections[line]


def test_releasing_again_a_bad_name_or_an_unbuilt_film_are_refused(
    released: Path, tmp_path: Path
) -> None:
    before = (released / "releases" / "v1.0.toml").read_bytes()
    again = cinecode("release", released, "v1.0")
    assert again.code == 1 and "exists already" in again.err and "Traceback" not in again.err
    assert (released / "releases" / "v1.0.toml").read_bytes() == before
    for name in ("v 2", "../v2", "v2/3"):
        bad = cinecode("release", released, name)
        assert bad.code == 1 and "letters, digits" in bad.err and "Traceback" not in bad.err
    missing = cinecode("diff", released, "v1.0", "v9")
    assert missing.code == 1 and "no release 'v9'" in missing.err
    root = copy_project(released, tmp_path / "tiny")
    say_again = root / "script.fountain"
    say_again.write_text(
        say_again.read_text(encoding="utf-8").replace(NEW_LINE, "Look, there it is."),
        encoding="utf-8",
    )
    unbuilt = cinecode("release", root, "v2")
    assert unbuilt.code == 1 and "cinecode make" in unbuilt.err
    assert not (root / "releases" / "v2.toml").exists()


def test_another_take_shows_as_a_take_change(released: Path, tmp_path: Path) -> None:
    root = copy_project(released, tmp_path / "tiny")
    ok(cinecode("regen", root, "2.2", "--takes", "1"))
    takes = ok(cinecode("takes", root, "2.2", "--json")).json()
    other = next(t for t in takes if not t["in_cut"])
    ok(cinecode("pick", root, "2.2", other["id"]))
    ok(cinecode("make", root))
    ok(cinecode("release", root, "v1.2"))
    assert manifest(root, "v1.2")["picks"] == {"2.2": other["id"]}
    found = ok(cinecode("diff", root, "v1.1", "v1.2", "--json")).json()
    assert [(c["shot"], c["reason"]) for c in found["changed"]] == [("2.2", "take")]
    (change,) = found["changed"]
    assert change["from"]["seed"] != change["to"]["seed"]
    assert found["cost"]["generations"] == 1  # the new take


def test_gc_never_removes_what_a_release_names(released: Path, tmp_path: Path) -> None:
    root = copy_project(released, tmp_path / "tiny")
    first = manifest(root, "v1.0")
    usage = ok(cinecode("du", root, "--json")).json()
    assert usage["released"]["releases"] == 2 and usage["by_class"]["released"] > 0
    ok(cinecode("gc", root, "--keep-masters", "1", "--keep-takes", "none"))
    assert stored(root, first["master"]).is_file()
    for shot in first["shots"]:
        assert stored(root, shot["segment"]).is_file()
        assert stored(root, shot["take"]).is_file()
    for scene in first["scenes"]:
        assert stored(root, scene["reel"]).is_file()
    assert ok(cinecode("verify", root, "--json")).json()["released_missing"] == []
    # an object of v1.0 lost some other way: verify names the release
    old = next(s for s in first["shots"] if s["id"] == "1.2")
    stored(root, old["segment"]).unlink()
    checked = cinecode("verify", root)
    assert checked.code == 1 and "release v1.0 lost its segment 1.2" in checked.out


def test_an_editors_cut_shows_as_edit_removed_and_moved(released: Path, tmp_path: Path) -> None:
    root = copy_project(released, tmp_path / "tiny")
    (root / "cut.toml").write_text(
        'removed = ["1.3"]\n\n'
        '[[transition]]\nkind = "fade-out"\nafter = "2.2"\nbefore = ""\nframes = 12\n',
        encoding="utf-8",
    )
    ok(cinecode("make", root))
    ok(cinecode("release", root, "v2"))
    found = ok(cinecode("diff", root, "v1.1", "v2", "--json")).json()
    assert [r["shot"] for r in found["removed"]] == ["1.3"] and found["added"] == []
    reasons = {c["shot"]: c["reasons"] for c in found["changed"]}
    assert reasons["2.2"] == ["edit"]  # the fade: same picture, same length, another edit
    # 1.2 is the same segment, later (the scene's padding now goes to 1.1): moved, no change
    assert [m["shot"] for m in found["moved"]] == ["1.2"] and "1.2" not in reasons
    moved = found["moved"][0]
    assert moved["to"]["start"] > moved["from"]["start"]
    shown = ok(cinecode("diff", root, "v1.1", "v2")).out
    assert "removed" in shown and "1 shot(s) moved" in shown
    assert not re.search(r"│ 1\.2 ", shown)  # a moved shot is not a change on the console
