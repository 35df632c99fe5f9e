"""Timings of the pieces on the hot paths: parsing, planning, drawing a frame.

    python bench/parts.py

Speed is shown here, not asserted in unit tests (shared machines are noisy).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FEATURE = ROOT.parent / "shared" / "screenplays" / "big-fish.fountain"


def best_of(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    from cinecode.backends.protocols import Composition, Figure, ImageRequest
    from cinecode.backends.sketch.backend import SketchBackend
    from cinecode.pipeline.plan import plan
    from cinecode.pipeline.session import load, state_for
    from cinecode.script.fountain import parse_fountain

    text = FEATURE.read_text(encoding="utf-8")
    parse = best_of(lambda: parse_fountain(text))
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "feature"
        project.mkdir()
        shutil.copy(FEATURE, project / "script.fountain")
        (project / "film.toml").write_text("[format]\nwidth = 320\nheight = 180\n")
        loaded = load(project)
        state = state_for(loaded, None)
        loading = best_of(lambda: load(project), runs=3)
        planning = best_of(lambda: plan(loaded.film, loaded.project, state), runs=3)
        jobs = len(plan(loaded.film, loaded.project, state).graph)
        comp = Composition(
            size="medium",
            setting="int",
            time_of_day="night",
            weather="rain",
            figures=(Figure("MARA", 0.34, "speaker"), Figure("ELI", 0.66, "listener")),
            caption="Rain on the window.",
        )
        backend = SketchBackend()
        frames = [
            best_of(
                lambda s=seed: backend.generate(  # type: ignore[misc]
                    ImageRequest("x", 1280, 720, seed=s, composition=comp), Path(tmp)
                ),
                runs=1,
            )
            for seed in range(5)
        ]
    print("| piece | time |")
    print("|---|---:|")
    print(f"| parse Big Fish (4,634 lines) | {parse * 1000:.0f} ms |")
    print(
        f"| load + break down Big Fish (190 scenes, {len(loaded.film.shots)} shots) "
        f"| {loading * 1000:.0f} ms |"
    )
    print(f"| plan Big Fish ({jobs} jobs) | {planning * 1000:.0f} ms |")
    print(f"| one 1280×720 storyboard frame (median) | {statistics.median(frames) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
