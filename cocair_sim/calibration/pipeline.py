"""A whole calibration from Python: ABC-SMC generations, posterior, predictive check, report.

    from cocair_sim.calibration.pipeline import run_calibration
    result = run_calibration("experiments/calibration.yaml", workers=2)
    result.posterior  # one row per particle: a column per field, and `weight`

`cocair calibrate` is this function with a progress bar. pyabc stores every finished generation
in `OUT/history.sqlite`; a calibration that is killed continues from the last stored generation
with `resume=True`. The posterior, the tables, the figures, the report and `manifest.json` (the
completion mark, written last) appear together at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cocair_sim.calibration import smc
from cocair_sim.calibration.evaluate import Evaluator
from cocair_sim.calibration.spec import Calibration, load_calibration
from cocair_sim.errors import OutputError
from cocair_sim.experiment.pipeline import Progress
from cocair_sim.files.atomic import atomic_write_csv, atomic_write_json, published_together
from cocair_sim.files.folders import check_replaceable, holds_files
from cocair_sim.files.manifest import file_sha256, versions

MARKERS = ("history.sqlite", "manifest.json", "posterior.csv")
OUTPUTS = ("posterior.csv", "generations.csv", "predictive.csv", "report.html", "report.md")
STATE = "state.json"  # what is being calibrated here, and each generation's wall time

# Streams of the calibration's own randomness, apart from pyabc's generations.
_PREDICTIVE = 1


@dataclass(frozen=True)
class CalibrationResult:
    calibration: Calibration
    out: Path
    posterior: Any  # pandas.DataFrame: a column per field, and `weight`
    generations: list[dict[str, Any]]
    predictive: list[dict[str, Any]]  # per target: published value and the predictive interval
    backend: str


def run_calibration(
    calibration: str | Path | Calibration,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    report: bool = True,
    progress: Progress | None = None,
) -> CalibrationResult:
    """Run the ABC-SMC generations of a calibration file and write its outputs to `out`
    (default `results/<name>`).

    With one worker and no scheduler, pyabc's single-core sampler: the same file gives the same
    posterior every time. Raises `InputError` for a bad file and `OutputError` when `out`
    cannot be used as asked."""
    cal = calibration if isinstance(calibration, Calibration) else load_calibration(calibration)
    out = Path(out) if out is not None else Path("results") / cal.name
    state = _prepare(out, cal, resume, force)
    workers = workers or os.cpu_count() or 1
    progress = progress or Progress()
    started = time.perf_counter()
    spec = cal.spec
    evaluator = Evaluator.of(cal)
    with ExitStack() as stack:
        sampler, backend = smc.sampler(stack, workers, scheduler)
        db = smc.history_url(out / "history.sqlite")
        if state.get("abc_id") is not None:
            history = smc.abc_smc(cal, sampler).load(db, state["abc_id"])
        else:
            history = smc.abc_smc(cal, sampler).new(db, evaluator.observed())
            state["abc_id"] = history.id
            _save_state(out, state)
        progress.begin(cal.name, spec.max_generations, _generations_done(history), backend, workers)
        try:
            while not _finished(cal, history, state):
                t = _generations_done(history)
                # Each generation's randomness from its own seed: a resumed single-core
                # calibration repeats an uninterrupted one.
                np.random.seed(_seed(spec.base_seed, 100 + t))
                mark = time.perf_counter()
                abc = smc.abc_smc(cal, sampler)
                history = abc.load(db, state["abc_id"])
                abc.run(
                    max_nr_populations=1,
                    minimum_epsilon=spec.minimum_epsilon,
                    min_acceptance_rate=spec.min_acceptance_rate,
                )
                if _generations_done(history) == t:
                    # pyabc gave up on the generation: it would have accepted fewer than
                    # `min_acceptance_rate` of its runs. The last stored one is the posterior.
                    state["stopped"] = f"generation {t} accepted below min_acceptance_rate"
                    _save_state(out, state)
                    break
                state.setdefault("seconds", {})[str(t)] = round(time.perf_counter() - mark, 3)
                _save_state(out, state)
                progress.advance(1)
        finally:
            progress.end()
        posterior = _posterior(cal, history)
        generations = _generations(history, state)
        stopped = stop_reason(cal, history, state)
        predictive_rows = _predictive(cal, evaluator, posterior, stack, scheduler, workers)
    return _write(
        cal, out, posterior, generations, predictive_rows, backend, workers, started, report,
        stopped,
    )  # fmt: skip


def _seed(base_seed: int, stream: int) -> int:
    return int(np.random.SeedSequence([base_seed, stream]).generate_state(1)[0])


def _prepare(out: Path, cal: Calibration, resume: bool, force: bool) -> dict[str, Any]:
    """Refuse to mix or clobber results unless asked; a resumed folder must hold this
    calibration. Returns the folder's state (empty for a new calibration)."""
    state_path = out / STATE
    if resume and state_path.is_file():
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OutputError(f"{state_path} is not readable ({exc})") from None
        if state.get("calibration_hash") != cal.content_hash():
            raise OutputError(
                f"{out} holds a different calibration (the file or its scenario changed); use "
                "another --out or --force to start over"
            )
        _mark_unfinished(out)
        return state
    if holds_files(out):
        if resume:
            raise OutputError(f"{out} has no calibration to resume ({STATE} is missing)")
        if not force:
            raise OutputError(
                f"{out} already holds results; use --resume to continue them, or --force to "
                "replace them"
            )
        check_replaceable(out, MARKERS)
        shutil.rmtree(out)
    state = {"calibration": cal.name, "calibration_hash": cal.content_hash(), "abc_id": None}
    _save_state(out, state)
    return state


def _save_state(out: Path, state: dict[str, Any]) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_json(out / STATE, state)
    except OSError as exc:
        raise OutputError(f"{out}: cannot use this folder ({exc.strerror or exc})") from None


def _mark_unfinished(out: Path) -> None:
    """A resumed folder is unfinished until its manifest is written again."""
    (out / "manifest.json").unlink(missing_ok=True)
    for name in OUTPUTS:
        (out / name).unlink(missing_ok=True)
    for tmp in out.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def _generations_done(history) -> int:
    return 0 if history.max_t < 0 else history.max_t + 1


def _finished(cal: Calibration, history, state: dict[str, Any]) -> bool:
    return stop_reason(cal, history, state) is not None


def stop_reason(cal: Calibration, history, state: dict[str, Any]) -> str | None:
    """Why the calibration stopped after its last generation (None: it goes on)."""
    spec = cal.spec
    if state.get("stopped"):
        return state["stopped"]
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


def _posterior(cal: Calibration, history):
    """The last generation: a column per field (values as the scenario takes them), `weight`."""
    import pandas as pd

    frame, weights = history.get_distribution(m=0, t=history.max_t)
    evaluator = Evaluator.of(cal)
    rows = [evaluator.values(evaluator.natural(row)) for row in frame.to_dict("records")]
    posterior = pd.DataFrame(rows)
    posterior["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
    return posterior


def _generations(history, state: dict[str, Any]) -> list[dict[str, Any]]:
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
                "seconds": state.get("seconds", {}).get(str(t)),
            }
        )
    return rows


def _predictive(cal, evaluator, posterior, stack, scheduler, workers) -> list[list[Any]]:
    """`predictive_draws` runs, each a particle drawn by weight and a fresh seed."""
    from cocair_sim.experiment.backends import open_executor

    n = cal.spec.predictive_draws
    rng = np.random.default_rng(np.random.SeedSequence([cal.spec.base_seed, _PREDICTIVE]))
    picks = rng.choice(len(posterior), size=n, p=posterior["weight"].to_numpy())
    seeds = rng.integers(0, 2**62, size=n)
    names = cal.parameter_names
    particles = [dict(zip(names, posterior.iloc[i][names], strict=True)) for i in picks]
    executor, _ = open_executor(stack, scheduler, workers, n > 1)
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


def _write(
    cal, out, posterior, generations, predictive_rows, backend, workers, started, report, stopped
):
    from cocair_sim.report.calibration import write_calibration_report

    summary = predictive_summary(cal, predictive_rows)
    columns = list(posterior.columns)
    with published_together():
        atomic_write_csv(
            out / "posterior.csv", columns, (list(r) for r in posterior.itertuples(index=False))
        )
        atomic_write_csv(
            out / "generations.csv",
            ["generation", "epsilon", "acceptance_rate", "model_runs", "seconds"],
            ([g[k] for k in ("generation", "epsilon", "acceptance_rate", "model_runs", "seconds")]
             for g in generations),
        )  # fmt: skip
        atomic_write_csv(
            out / "predictive.csv",
            ["draw", "particle", "seed", *(t.name for t in cal.targets)],
            predictive_rows,
        )
        if report:
            write_calibration_report(
                cal, out, posterior, generations, predictive_rows, summary, stopped
            )
        atomic_write_json(
            out / "manifest.json",
            {
                "calibration": cal.name,
                "calibration_file": str(cal.path),
                "calibration_sha256": file_sha256(cal.path),
                "calibration_content_sha256": cal.content_hash(),
                "scenario_file": str(cal.scenario_path),
                "scenario_sha256": file_sha256(cal.scenario_path),
                "base_seed": cal.spec.base_seed,
                "population_size": cal.spec.population_size,
                "generations": len(generations),
                "stopped": stopped,
                "model_runs": sum(g["model_runs"] for g in generations),
                "targets": [t.model_dump(mode="json", by_alias=True) for t in cal.targets],
                "predictive": summary,
                "method": "ABC-SMC (pyabc), Euclidean distance on each target's scale divided "
                "by its uncertainty, median-epsilon schedule, multivariate normal perturbation "
                "with 15 % of proposals from the prior",
                "backend": backend,
                "workers": workers,
                "seconds": round(time.perf_counter() - started, 2),
                "versions": versions(),
                "command": sys.argv,
            },
        )
    return CalibrationResult(cal, out, posterior, generations, summary, backend)
