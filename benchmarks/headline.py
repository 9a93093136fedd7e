"""Part 4: the headline experiment (`experiments/relay_modes.yaml`, 600 runs) end to end with 1
and 2 workers, with and without its report, and the same runs through
`mesa.batch_run(number_processes=2)`.

Every timing is of a fresh Python process, interpreter start and imports included. Run as
`python -m benchmarks.headline REPLICATIONS PROCESSES`, this module is the `mesa.batch_run`
process."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import mesa

from benchmarks.common import EXPERIMENT, ROOT, SCENARIO, Row, Settings, paired_median

TARGET_EXPERIMENT_S = 60.0
TARGET_SPEEDUP = 1.7
REPLICATIONS = 200  # the experiment file's own


def experiment_cli(workers: int, replications: int | None, report: bool) -> float:
    """Wall seconds of `python -m cocair_sim experiment` (imports, runs, tables, report)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "cocair_sim",
            "experiment",
            str(EXPERIMENT),
            "--workers",
            str(workers),
            "--out",
            str(Path(tmp) / "out"),
            "--force",
            "--report" if report else "--no-report",
        ]
        if replications:
            cmd += ["--replications", str(replications)]
        started = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
        return time.perf_counter() - started


def mesa_batch_run(replications: int, processes: int) -> float:
    """The same runs (conditions x replicate seeds) through `mesa.batch_run`, in this process."""
    from cocair_sim.api import ScenarioModel
    from cocair_sim.experiment.plan import run_seed

    seeds = [run_seed(2011, rep, 0) for rep in range(replications)]
    started = time.perf_counter()
    results = mesa.batch_run(
        ScenarioModel,
        parameters={"scenario": str(SCENARIO), "relay_mode": ["none", "bilateral", "hub"]},
        rng=seeds,
        number_processes=processes,
        data_collection_period=-1,
        display_progress=False,
    )
    elapsed = time.perf_counter() - started
    assert len(results) == 3 * replications, len(results)
    return elapsed


def batch_run_process(replications: int, processes: int) -> float:
    """Wall seconds of a fresh Python process running the same runs through `mesa.batch_run`
    (this module run as a program)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "benchmarks.headline", str(replications), str(processes)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return time.perf_counter() - started


def headline(replications: int | None, rounds: int) -> dict[str, Any]:
    """Rounds of: 1 worker, 2 workers (with and without the report) and mesa.batch_run, one
    after the other; speedups are medians of the rounds' ratios (pairs share machine speed)."""
    reps = replications or REPLICATIONS
    keys = ("workers1_s", "workers2_s", "workers1_no_report_s", "workers2_no_report_s")
    times: dict[str, list[float]] = {k: [] for k in (*keys, "batch_run2_s")}
    for _ in range(rounds):
        for w in (1, 2):
            times[f"workers{w}_s"].append(experiment_cli(w, replications, report=True))
            times[f"workers{w}_no_report_s"].append(experiment_cli(w, replications, report=False))
        times["batch_run2_s"].append(batch_run_process(reps, 2))
    out: dict[str, Any] = {"runs": 3 * reps, "rounds": rounds}
    out.update({k: statistics.median(v) for k, v in times.items()})
    out["all_s"] = times
    out["speedup"] = paired_median(times["workers1_s"], times["workers2_s"])
    out["speedup_no_report"] = paired_median(
        times["workers1_no_report_s"], times["workers2_no_report_s"]
    )
    out["batch_run_vs_experiment"] = paired_median(
        times["batch_run2_s"], times["workers2_no_report_s"]
    )
    return out


def run(settings: Settings) -> dict[str, Any]:
    """The part as the benchmark runs it (10 replications, one round with --quick)."""
    quick = settings.quick
    return headline(10 if quick else None, settings.rounds or (1 if quick else 5))


def rows(e: dict[str, Any], results: dict[str, Any]) -> list[Row]:
    """Its rows of the table."""
    runs = e["runs"]
    return [
        Row(f"experiment, {runs} runs, 1 worker", f"{e['workers1_s']:.1f} s"),
        Row(f"experiment, {runs} runs, 2 workers", f"{e['workers2_s']:.1f} s",
            f"< {TARGET_EXPERIMENT_S:.0f} s", e["workers2_s"] < TARGET_EXPERIMENT_S),
        Row("  speedup 2 vs 1 workers", f"{e['speedup']:.2f} x", f">= {TARGET_SPEEDUP}",
            e["speedup"] >= TARGET_SPEEDUP),
        Row("  without the report: 1 / 2 workers",
            f"{e['workers1_no_report_s']:.1f} / {e['workers2_no_report_s']:.1f} s "
            f"({e['speedup_no_report']:.2f} x)"),
        Row("mesa.batch_run, same runs, 2 processes",
            f"{e['batch_run2_s']:.1f} s ({e['batch_run_vs_experiment']:.2f}x ours)",
            f"> {e['workers2_no_report_s']:.1f} s", e["batch_run_vs_experiment"] > 1.0),
    ]  # fmt: skip


if __name__ == "__main__":
    mesa_batch_run(int(sys.argv[1]), int(sys.argv[2]))
