"""A calibration as a job: ABC-SMC generations, the posterior and its predictive check.

    from cocair_sim import run_calibration
    result = run_calibration("calibration", workers=2)
    result.posterior  # one row per particle: a column per field, and `weight`

pyabc stores every finished generation in `OUT/history.sqlite`; the job's own store
(`state.sqlite`) records which pyabc run that is and how long each generation took, so a
calibration that is killed continues from the last stored generation with `resume`. The
posterior, the tables, the report and `manifest.json` (the completion mark, written last) appear
together at the end (`cocair_sim.jobs`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, override

import numpy as np
import pandas as pd

from cocair_sim.calibration import smc
from cocair_sim.calibration.evaluate import Evaluator
from cocair_sim.calibration.spec import Calibration, load_calibration
from cocair_sim.files.atomic import atomic_write_csv
from cocair_sim.files.manifest import file_sha256
from cocair_sim.jobs import Job, JobContext, Output, SQLiteStore

# Streams of the calibration's own randomness, apart from pyabc's generations.
_PREDICTIVE = 1
GENERATION_COLUMNS = ("generation", "epsilon", "acceptance_rate", "model_runs", "seconds")


@dataclass(frozen=True)
class CalibrationResult:
    """What a finished calibration computed: the posterior, each generation's figures and the
    posterior predictive check (the tables and the report are written from it)."""

    calibration: Calibration
    out: Path
    posterior: pd.DataFrame  # a column per field, and `weight`
    generations: list[dict[str, Any]]
    predictive: list[dict[str, Any]]  # per target: published value and the predictive interval
    predictive_rows: list[list[Any]]  # per draw: particle, seed and every target's value
    stopped: str | None
    backend: str


class CalibrationStore(SQLiteStore):
    """Which pyabc run the folder's history.sqlite holds, why it stopped, and each
    generation's wall time (pyabc's history keeps the particles)."""

    WHAT = "calibration state"
    SCHEMA = """
        CREATE TABLE IF NOT EXISTS generation_seconds (
            generation INTEGER PRIMARY KEY,
            seconds REAL NOT NULL
        );
    """

    @property
    def abc_id(self) -> int | None:
        """pyabc's id of the run in history.sqlite (None before it starts)."""
        value = self.get_meta("abc_id")
        return None if value is None else int(value)

    @abc_id.setter
    def abc_id(self, value: int) -> None:
        self.set_meta("abc_id", str(value))

    @property
    def stopped(self) -> str | None:
        """Why pyabc gave up on a generation (None: it did not)."""
        return self.get_meta("stopped")

    @stopped.setter
    def stopped(self, reason: str) -> None:
        self.set_meta("stopped", reason)

    def record_seconds(self, generation: int, seconds: float) -> None:
        """A finished generation's wall time."""
        self.db.execute(
            "INSERT OR REPLACE INTO generation_seconds VALUES (?, ?)", (generation, seconds)
        )

    def seconds(self) -> dict[int, float]:
        """Each finished generation's wall time."""
        rows = self.db.execute("SELECT generation, seconds FROM generation_seconds")
        return {row["generation"]: row["seconds"] for row in rows}


class CalibrationJob(Job):
    """ABC-SMC generations until a stopping rule holds, then the posterior predictive."""

    kind = "calibration"
    store_class = CalibrationStore
    store_file = "state.sqlite"
    markers = ("history.sqlite", "manifest.json", "posterior.csv")

    def __init__(self, calibration: str | Path | Calibration):
        self.calibration = (
            calibration if isinstance(calibration, Calibration) else load_calibration(calibration)
        )
        self.result: CalibrationResult | None = None

    @override
    @property
    def name(self) -> str:
        """The calibration's name: its default results folder is results/<name>."""
        return self.calibration.name

    @override
    def content_hash(self) -> str:
        """What decides the results (the calibration's settings and its scenario file): a resumed
        store must match."""
        return self.calibration.content_hash()

    @override
    def compute(self, ctx: JobContext) -> None:
        """Run generations (with pyabc's single-core, multicore or Dask sampler) until a
        stopping rule holds, then the predictive draws. With one worker and no scheduler the
        same file gives the same posterior every time."""
        cal, store = self.calibration, ctx.store
        spec = cal.spec
        evaluator = Evaluator.of(cal)
        sampler, backend = smc.sampler(ctx.stack, ctx.workers, ctx.options.scheduler)
        db = smc.history_url(ctx.out / "history.sqlite")
        if store.abc_id is not None:
            history = smc.abc_smc(cal, sampler).load(db, store.abc_id)
        else:
            history = smc.abc_smc(cal, sampler).new(db, evaluator.observed())
            store.abc_id = history.id
        progress = ctx.options.progress
        progress.begin(cal.name, spec.max_generations, _generations_done(history), backend,
                       ctx.workers)  # fmt: skip
        try:
            while stop_reason(cal, history, store.stopped) is None:
                t = _generations_done(history)
                # Each generation's randomness from its own seed: a resumed single-core
                # calibration repeats an uninterrupted one.
                np.random.seed(_seed(spec.base_seed, 100 + t))
                mark = time.perf_counter()
                abc = smc.abc_smc(cal, sampler)
                history = abc.load(db, store.abc_id)
                abc.run(
                    max_nr_populations=1,
                    minimum_epsilon=spec.minimum_epsilon,
                    min_acceptance_rate=spec.min_acceptance_rate,
                )
                if _generations_done(history) == t:
                    # pyabc gave up on the generation: it would have accepted fewer than
                    # `min_acceptance_rate` of its runs. The last stored one is the posterior.
                    store.stopped = f"generation {t} accepted below min_acceptance_rate"
                    break
                store.record_seconds(t, round(time.perf_counter() - mark, 3))
                progress.advance(1)
        finally:
            progress.end()
        posterior = _posterior(cal, history)
        generations = _generations(history, store.seconds())
        rows = _predictive(cal, evaluator, posterior, ctx)
        self.result = CalibrationResult(
            cal, ctx.out, posterior, generations, predictive_summary(cal, rows), rows,
            stop_reason(cal, history, store.stopped), backend,
        )  # fmt: skip
        ctx.backend = backend

    @override
    def manifest(self, ctx: JobContext) -> dict[str, Any]:
        """The calibration's entries in manifest.json: its files, settings, how it stopped,
        the targets and the predictive check."""
        cal, result = self.calibration, self.result
        return {
            "calibration": cal.name,
            "calibration_file": str(cal.path),
            "calibration_sha256": file_sha256(cal.path),
            "calibration_content_sha256": cal.content_hash(),
            "scenario_file": str(cal.scenario_path),
            "scenario_sha256": file_sha256(cal.scenario_path),
            "base_seed": cal.spec.base_seed,
            "population_size": cal.spec.population_size,
            "generations": len(result.generations),
            "stopped": result.stopped,
            "model_runs": sum(g["model_runs"] for g in result.generations),
            "targets": [t.model_dump(mode="json", by_alias=True) for t in cal.targets],
            "predictive": result.predictive,
            "method": "ABC-SMC (pyabc), Euclidean distance on each target's scale divided "
            "by its uncertainty, median-epsilon schedule, multivariate normal perturbation "
            "with 15 % of proposals from the prior",
        }


class CalibrationTables(Output):
    """posterior.csv, generations.csv and predictive.csv."""

    files = ("posterior.csv", "generations.csv", "predictive.csv")
    checksummed = files

    @override
    def write(self, ctx: JobContext) -> None:
        """Write the three tables from the job's result."""
        result: CalibrationResult = ctx.job.result
        posterior = result.posterior
        atomic_write_csv(
            ctx.folder / "posterior.csv",
            list(posterior.columns),
            (list(r) for r in posterior.itertuples(index=False)),
        )
        atomic_write_csv(
            ctx.folder / "generations.csv",
            GENERATION_COLUMNS,
            ([g[k] for k in GENERATION_COLUMNS] for g in result.generations),
        )
        atomic_write_csv(
            ctx.folder / "predictive.csv",
            ["draw", "particle", "seed", *(t.name for t in result.calibration.targets)],
            result.predictive_rows,
        )


def _seed(base_seed: int, stream: int) -> int:
    return int(np.random.SeedSequence([base_seed, stream]).generate_state(1)[0])


def _generations_done(history) -> int:
    return 0 if history.max_t < 0 else history.max_t + 1


def stop_reason(cal: Calibration, history, stopped: str | None) -> str | None:
    """Why the calibration stopped after its last generation (None: it goes on); `stopped` is
    the reason recorded when pyabc gave up on a generation."""
    spec = cal.spec
    if stopped:
        return stopped
    done = _generations_done(history)
    if done >= spec.max_generations:
        return f"max_generations ({spec.max_generations}) reached"
    if done == 0:
        return None
    last = history.get_all_populations().iloc[-1]
    acceptance = spec.population_size / max(float(last["samples"]), 1.0)
    if acceptance < spec.min_acceptance_rate:
        return (
            f"generation {done - 1} accepted {acceptance:.1%} of its runs, below "
            f"min_acceptance_rate ({spec.min_acceptance_rate:g})"
        )
    if float(last["epsilon"]) <= spec.minimum_epsilon:
        return f"the tolerance reached minimum_epsilon ({spec.minimum_epsilon:g})"
    return None


def _posterior(cal: Calibration, history) -> pd.DataFrame:
    """The last generation: a column per field (values as the scenario takes them), `weight`."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    evaluator = Evaluator.of(cal)
    rows = [evaluator.values(evaluator.natural(row)) for row in frame.to_dict("records")]
    posterior = pd.DataFrame(rows)
    posterior["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
    return posterior


def _generations(history, seconds: dict[int, float]) -> list[dict[str, Any]]:
    """epsilon, acceptance rate, model runs and seconds per generation. Generation 0 counts the
    prior sample that set its tolerance."""
    pops = history.get_all_populations()
    prior_runs = int(pops.loc[pops["t"] < 0, "samples"].sum())
    rows = []
    for _, pop in pops[pops["t"] >= 0].iterrows():
        t = int(pop["t"])
        runs = int(pop["samples"]) + (prior_runs if t == 0 else 0)
        rows.append(
            {
                "generation": t,
                "epsilon": float(pop["epsilon"]),
                "acceptance_rate": int(pop["particles"]) / max(int(pop["samples"]), 1),
                "model_runs": runs,
                "seconds": seconds.get(t),
            }
        )
    return rows


def _predictive(cal, evaluator, posterior, ctx: JobContext) -> list[list[Any]]:
    """`predictive_draws` runs, each a particle drawn by weight and a fresh seed."""
    n = cal.spec.predictive_draws
    rng = np.random.default_rng(np.random.SeedSequence([cal.spec.base_seed, _PREDICTIVE]))
    picks = rng.choice(len(posterior), size=n, p=posterior["weight"].to_numpy())
    seeds = rng.integers(0, 2**62, size=n)
    names = cal.parameter_names
    particles = [dict(zip(names, posterior.iloc[i][names], strict=True)) for i in picks]
    executor = ctx.pool(n)
    mapper = executor.map if executor is not None else map
    results = list(mapper(evaluator.observe, particles, [int(s) for s in seeds]))
    return [
        [k, int(picks[k]), int(seeds[k]), *(results[k][t.name] for t in cal.targets)]
        for k in range(n)
    ]


def predictive_summary(cal: Calibration, rows: list[list[Any]]) -> list[dict[str, Any]]:
    """Per target: the published value, the posterior predictive median and 90 % interval, and
    where the published value falls (its quantile in the predictive distribution)."""
    out = []
    for j, target in enumerate(cal.targets):
        values = np.array([r[3 + j] for r in rows], dtype=float)
        out.append(
            {
                "target": target.name,
                "published": target.value,
                "median": float(np.median(values)),
                "p05": float(np.percentile(values, 5)),
                "p95": float(np.percentile(values, 95)),
                "quantile": float(
                    np.mean(values < target.value) + 0.5 * np.mean(values == target.value)
                ),
            }
        )
    return out
