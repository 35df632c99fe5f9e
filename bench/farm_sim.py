"""Big Fish on a simulated render farm: the real scheduler, modelled durations (issue 21).

    python bench/farm_sim.py                  # 1, 2, 4, 8, 16 workers
    python bench/farm_sim.py --workers 8 --cpus 4 --api 4

Big Fish (the feature screenplay, 190 scenes) is planned by cinecode's own planner with
diffusers keyframes and clips (GPU jobs) and ElevenLabs voices (a hosted service, API jobs);
the score, the effects and every render are CPU jobs. Each job lasts its step's modelled
seconds (`MODEL`), times a factor between 0.75 and 1.25 drawn from its key (so the same plan
always gives the same durations). The farm: N workers of one GPU and `--cpus` CPU slots each,
and the service limited to `--api` requests at once for the whole farm. A diffusers job
holds a GPU and a CPU slot, a voice one service slot (it waits on the provider, at the
head), every other job a CPU slot. `cinecode.graph.simulate` runs the farm executor's
`Scheduler` on it, in simulated time: the run is deterministic. The scheduler ranks jobs by
their modelled seconds (as after a build that timed them all); the "first build" column
ranks them as a farm does when nothing was ever timed (each job one second: the longest
chain by jobs, then paid and GPU jobs first), while they last their modelled seconds.

The lower bound is max(the longest chain of modelled seconds, the GPU work / the GPUs, the
service's work / its limit, the CPU work (the GPU jobs' included) / the CPU slots); the table
gives the makespan over it (target ≤ 1.05 at 8 workers).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# bench/profile.py would shadow the standard library's `profile`, which torch imports when
# the planner asks the diffusers backend for its version
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).parent]

from cinecode.backends.registry import BACKENDS  # noqa: E402
from cinecode.graph.job import Job  # noqa: E402
from cinecode.graph.schedule import seconds_from, slots_by_pool  # noqa: E402
from cinecode.graph.simulate import lower_bound, simulate  # noqa: E402
from cinecode.pipeline.session import Session  # noqa: E402

FEATURE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "screenplays" / "big-fish.fountain"
)
FILM_TOML = """title = "Big Fish (farm simulation)"

[format]
width = 320
height = 180
fps = 24

[storyboard]
backend = "diffusers"
model = "stabilityai/sdxl-turbo"

[motion]
backend = "diffusers"
model = "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers"

[voice]
backend = "elevenlabs"
model = "eleven_multilingual_v2"
"""
#: Modelled seconds of a job of each step (before its key's factor).
MODEL = {
    "keyframe": 8.0,  # SDXL-turbo on one GPU
    "clip": 120.0,  # image-to-video, a few seconds of 480p
    "voice": 6.0,  # ElevenLabs, one line
    "music-cue": 20.0,  # the offline composer, one scene's cue
    "ambience": 4.0,
    "spot-effect": 2.0,
    "segment": 3.0,  # one shot's encode
    "scene-stems": 7.0,
    "scene-mix": 3.0,
    "reel": 5.0,
    "card": 1.0,
    "subtitles": 0.5,
    "master": 25.0,  # the 2-hour MP4: stream copy and +faststart
}
GPU_POOLS = ("diffusers", "realesrgan")  # ComfyUI and hosted jobs run at the head
#: The slots a job holds while it runs: the farm's own rule.
needs = slots_by_pool(gpu=GPU_POOLS, services=[n for n, e in BACKENDS.items() if e.hosted])


def seconds(job: Job) -> float:
    """The job's modelled seconds: its step's, times 0.75–1.25 from its key."""
    return MODEL.get(job.step, 1.0) * (0.75 + int(job.key[:8], 16) / 0xFFFFFFFF / 2)


def plan_feature() -> list[Job]:
    """Big Fish's real plan with GPU keyframes and clips and hosted voices."""
    with tempfile.TemporaryDirectory(prefix="cinecode-farm-sim-") as tmp:
        project = Path(tmp) / "big-fish"
        project.mkdir()
        shutil.copy(FEATURE, project / "script.fountain")
        (project / "film.toml").write_text(FILM_TOML, encoding="utf-8")
        with Session.open(project) as session:
            graph = session.plan.graph
            return graph.needed_for(list(graph.targets.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--cpus", type=int, default=4, help="CPU slots per worker")
    parser.add_argument("--api", type=int, default=4, help="the service's requests at once")
    args = parser.parse_args()
    t0 = time.perf_counter()
    jobs = plan_feature()
    kinds = Counter("gpu" if "gpu" in needs(job) else next(iter(needs(job))) for job in jobs)
    api = "elevenlabs"
    print(
        f"Big Fish: {len(jobs)} jobs ({kinds['gpu']} GPU, {kinds[api]} API, "
        f"{kinds['cpu']} CPU), planned in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    print(
        "| workers | lower bound | bound by | makespan | makespan / bound "
        "| first build: makespan / bound | API at once (max) |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|")
    first_build = seconds_from({})  # nothing timed yet: every job counts as one second
    for workers in args.workers:
        capacity = {"gpu": workers, "cpu": args.cpus * workers, api: args.api}
        run = simulate(jobs, seconds=seconds, needs=needs, capacity=capacity)
        first = simulate(
            jobs, seconds=seconds, needs=needs, capacity=capacity, estimate=first_build
        )
        bound, parts = lower_bound(jobs, seconds=seconds, needs=needs, capacity=capacity)
        by = max(parts, key=lambda name: parts[name])
        print(
            f"| {workers} | {bound:,.0f} s | {by} | {run.makespan:,.0f} s "
            f"| {run.makespan / bound:.3f} | {first.makespan / bound:.3f} "
            f"| {max(run.peak[api], first.peak[api])} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
