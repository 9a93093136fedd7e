"""Part 7: calibration. One model evaluation with new parameter values (through pyabc's
single-core sampler, and alone) against a run of the already loaded scenario; and the shipped
calibration (`experiments/calibration.yaml`) end to end on 2 workers."""

from __future__ import annotations

import dataclasses
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import CALIBRATION, Row, Settings

TARGET_EVALUATION_RATIO = 1.3  # one evaluation with new values, sampler included, vs a run
TARGET_CALIBRATION_S = 15 * 60  # the shipped calibration on 2 workers
SHIPPED_WORKERS = 2
PRIOR_WIDTH = 0.005  # the narrowed priors: +-0.5 % around the scenario's values


def evaluation_cost(particles: int, rounds: int) -> dict[str, Any]:
    """Seconds per model evaluation with new parameter values against a run of the loaded
    scenario, both at the scenario's own values (the same model work), measured in alternation.

    "With sampler": pyabc's single-core sampler runs one generation (its prior sample, then the
    generation) with priors narrowed to +-0.5 % around the scenario's values; its wall time per
    simulation holds the sampler, the copies of the scenario (`with_values`) and the targets'
    observations. "Alone": the evaluator called directly."""
    import pyabc

    from cocair_sim.calibration.evaluate import Evaluator
    from cocair_sim.calibration.smc import abc_smc, sampler
    from cocair_sim.calibration.spec import Prior, load_calibration
    from cocair_sim.model.model import CocairModel
    from cocair_sim.scenario.updates import value_at

    cal = load_calibration(CALIBRATION)
    spec = cal.scenario
    here = {p.path: float(value_at(spec, p.path)) for p in cal.spec.parameters}
    # Priors this narrow are sampled as they are, so `here` is a particle as pyabc would pass it.
    narrow = [
        p.model_copy(update={"prior": Prior(low=here[p.path] * (1 - PRIOR_WIDTH),
                                            high=here[p.path] * (1 + PRIOR_WIDTH) + 1e-9)})
        for p in cal.spec.parameters
    ]  # fmt: skip
    cal = dataclasses.replace(cal, spec=cal.spec.model_copy(update={"parameters": narrow}))
    evaluator = Evaluator.of(cal)
    evaluator(here)  # warm-up: per-process caches
    CocairModel(spec, seed=0, event_log=False).run()
    logging.getLogger("ABC").setLevel(logging.WARNING)
    runs, alone, sampled = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(rounds):
            t = time.perf_counter()
            for s in range(particles):
                CocairModel(spec, seed=1000 * k + s, event_log=False).run()
            runs.append((time.perf_counter() - t) / particles)
            t = time.perf_counter()
            for _ in range(particles):
                evaluator(here)
            alone.append((time.perf_counter() - t) / particles)
            with ExitStack() as stack:
                smp, _ = sampler(stack, 1, None)
                abc = abc_smc(cal, smp)
                np.random.seed(k)
                abc.new(f"sqlite:///{tmp}/h{k}.db", evaluator.observed())
                t = time.perf_counter()
                history = abc.run(max_nr_populations=1)
                sampled.append((time.perf_counter() - t) / history.total_nr_simulations)
    run_s, alone_s, sampled_s = (statistics.median(x) for x in (runs, alone, sampled))
    return {
        "run_ms": run_s * 1e3,
        "evaluation_ms": alone_s * 1e3,
        "evaluation_with_sampler_ms": sampled_s * 1e3,
        "ratio_alone": alone_s / run_s,
        "ratio_with_sampler": sampled_s / run_s,
        "particles": particles,
        "rounds": rounds,
        "pyabc": pyabc.__version__,
    }


def shipped_calibration(workers: int) -> dict[str, Any]:
    """The shipped calibration end to end (`cocair calibrate`), wall time and its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "calibration"
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cocair_sim", "calibrate", str(CALIBRATION), "--workers",
             str(workers), "--out", str(out)],
            check=True, capture_output=True,
        )  # fmt: skip
        seconds = time.perf_counter() - t
        manifest = json.loads((out / "manifest.json").read_text())
    return {
        "seconds": seconds,
        "workers": workers,
        "generations": manifest["generations"],
        "model_runs": manifest["model_runs"],
        "ms_per_model_run": seconds / manifest["model_runs"] * 1e3,
    }


def run_evaluation(settings: Settings) -> dict[str, Any]:
    """The evaluation's cost as the benchmark measures it."""
    quick = settings.quick
    return evaluation_cost(20 if quick else 60, 3 if quick else 5)


def run_shipped(settings: Settings) -> dict[str, Any]:
    """The shipped calibration as the benchmark runs it."""
    return shipped_calibration(SHIPPED_WORKERS)


def evaluation_rows(ev: dict[str, Any], results: dict[str, Any]) -> list[Row]:
    """The evaluation's rows of the table."""
    return [
        Row("run of the loaded scenario (no event log)", f"{ev['run_ms']:.1f} ms"),
        Row("  evaluation with new values, pyabc sampler included",
            f"{ev['evaluation_with_sampler_ms']:.1f} ms ({ev['ratio_with_sampler']:.2f} x)",
            f"<= {TARGET_EVALUATION_RATIO} x",
            ev["ratio_with_sampler"] <= TARGET_EVALUATION_RATIO),
        Row("  evaluation alone", f"{ev['evaluation_ms']:.1f} ms ({ev['ratio_alone']:.2f} x)"),
    ]  # fmt: skip


def shipped_rows(sh: dict[str, Any], results: dict[str, Any]) -> list[Row]:
    """The shipped calibration's row of the table."""
    return [
        Row(f"shipped calibration, {sh['workers']} workers",
            f"{sh['seconds'] / 60:.1f} min ({sh['generations']} generations, "
            f"{sh['model_runs']:,} runs, {sh['ms_per_model_run']:.1f} ms/run)",
            f"< {TARGET_CALIBRATION_S / 60:.0f} min", sh["seconds"] < TARGET_CALIBRATION_S),
    ]  # fmt: skip
