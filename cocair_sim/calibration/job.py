"""A calibration as a job: inference from a finished reference table, and what the evidence does
and does not determine.

    from cocair_sim import run_calibration
    result = run_calibration("calibration")      # reads results/cocair3_calibration_table/
    result.posterior  # one row per particle: a column per field, and `weight`

The job keeps no store: everything follows in minutes from the table (`cocair table FILE`),
which holds the simulations. It writes the posterior (what experiments draw from), the
simulation-based calibration of the inference, the hub's effect over the parameters it depends
on, the value of recording more, and the effect under each informative prior beside the vague
one; the report layer adds figures and the report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, override

import numpy as np
import pandas as pd

from cocair_sim.calibration.analyses import (
    Driver,
    Information,
    Surface,
    drivers,
    evidence_weights,
    main_effect,
    surface,
    value_of_information,
)
from cocair_sim.calibration.infer import Problem, SBCResult, simulation_based_calibration
from cocair_sim.calibration.spec import Calibration, load_calibration
from cocair_sim.calibration.table import Simulator, TableJob, load_table, table_hash
from cocair_sim.errors import InputError
from cocair_sim.files.atomic import atomic_write_csv
from cocair_sim.files.calibration_results import SURFACE_COLUMNS
from cocair_sim.jobs import Job, JobContext, Output
from cocair_sim.missing import csv_cell
from cocair_sim.stats.abc import Posterior, weighted_quantile

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
# How an alert is acted on: what no published figure measures (the first surface's axes).
ACTED_ON = ("relay.targeting_uplift", "relay.controls_per_alert")
METHOD = (
    "Approximate Bayesian computation from a reference table: rejection with local-linear "
    "regression adjustment (Beaumont, Zhang and Balding 2002), parameters regressed on the logit "
    "of their place within their prior's bounds; checked by simulation-based calibration "
    "(Talts et al. 2018) on held-out draws of the table"
)


@dataclass(frozen=True)
class Effect:
    """The hub's effect under one prior: its posterior quantiles and how often it is positive."""

    prior: str
    quantiles: np.ndarray  # at QUANTILES
    share_positive: float


@dataclass(frozen=True)
class CalibrationResult:
    """A finished calibration: every table the job wrote, as data."""

    calibration: Calibration
    out: Path
    problem: Problem
    posterior: pd.DataFrame  # a column per field, and `weight`
    samples: Posterior  # every quantity, on the sampled scales
    sbc: SBCResult
    drivers: list[Driver]
    surfaces: list[Surface]
    information: list[Information]
    effects: list[Effect]
    observed: dict[str, float]


class CalibrationJob(Job):
    """Inference from a reference table for published (or any) figures."""

    kind = "calibration"
    store_file = None
    markers = ("manifest.json", "posterior.csv")

    def __init__(
        self,
        calibration: str | Path | Calibration,
        table: str | Path | None = None,
        observed: Mapping[str, float] | None = None,
    ):
        self.calibration = (
            calibration if isinstance(calibration, Calibration) else load_calibration(calibration)
        )
        self.table_folder = Path(table) if table else TableJob(self.calibration).default_out()
        self.observed = dict(observed or {})
        names = {t.name for t in self.calibration.targets}
        for name in self.observed:
            if name not in names:
                raise InputError(
                    "--observed", name, f"not a target of the calibration ({', '.join(names)})"
                )
        self.result: CalibrationResult | None = None

    @property
    @override
    def name(self) -> str:
        return self.calibration.name

    @override
    def content_hash(self) -> str:
        return self.calibration.content_hash()

    @override
    def compute(self, ctx: JobContext) -> None:
        """Infer, check, and analyse (in this process: a few minutes at most)."""
        cal = self.calibration
        progress = ctx.options.progress
        steps = ["posterior", "calibration check", "drivers", "surfaces", "information", "priors"]
        progress.begin(cal.name, len(steps), 0, "in-process", 1)
        _check_table(cal, self.table_folder)
        try:
            problem = Problem(cal, load_table(self.table_folder))
            observed = problem.observed(self.observed)
            samples = problem.posterior(observed)
            progress.advance(1)
            sbc = simulation_based_calibration(problem)
            progress.advance(1)
            ranked = drivers(problem)
            progress.advance(1)
            surfaces = _surfaces(problem, ranked)
            progress.advance(1)
            information = value_of_information(problem)
            progress.advance(1)
            effects = _effects(problem, samples)
            progress.advance(1)
        finally:
            progress.end()
        figures = {t.name: self.observed.get(t.name, t.value) for t in cal.targets}
        self.result = CalibrationResult(
            cal, ctx.out, problem, _posterior_frame(problem, samples), samples, sbc, ranked,
            surfaces, information, effects, figures,
        )  # fmt: skip

    @override
    def manifest(self, ctx: JobContext) -> dict[str, Any]:
        cal, r = self.calibration, self.result
        return {
            **cal.provenance(),
            "table": str(self.table_folder),
            "table_draws": len(r.problem.table),
            "observed": r.observed,
            "accept": cal.spec.accept,
            "particles": len(r.posterior),
            "sbc_datasets": cal.spec.sbc_datasets,
            "sbc_worst_points": dict(
                zip(("coverage_50", "coverage_90"), r.sbc.worst(), strict=True)
            ),
            "method": METHOD,
        }


def _check_table(cal: Calibration, folder: Path) -> None:
    """The table must have been made for this calibration: its priors, targets and scenario
    (but for the calibrated fields' values, which every draw replaces)."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise InputError(str(folder), None, "no manifest.json: not a finished reference table")
    try:
        made_for = json.loads(manifest.read_text()).get("content_hash")
    except (OSError, ValueError) as exc:
        raise InputError(str(manifest), None, f"cannot read it ({exc})") from None
    if made_for != table_hash(cal, Simulator.of(cal)):
        raise InputError(
            str(folder), None, "the table was made for another calibration file or scenario; "
            f"run `cocair table {cal.path}` again"
        )  # fmt: skip


def _surfaces(problem: Problem, ranked: list[Driver]) -> list[Surface]:
    """The effect over how alerts are acted on (the targeting uplift and the controls per
    alert, when both are estimated), and over the two parameters it moves with most besides."""
    names = {q.name for q in problem.quantities}
    main = [p for p in ACTED_ON if p in names]
    others = [d.parameter for d in ranked if d.parameter not in main]
    pairs = ([tuple(main)] if len(main) == 2 else []) + (
        [tuple(others[:2])] if len(others) >= 2 else []
    )
    return [surface(problem, x, y) for x, y in pairs]


def _posterior_frame(problem: Problem, samples: Posterior) -> pd.DataFrame:
    """The posterior as experiments read it: every scenario field each parameter sets (its
    `also` paths included), on the natural scale, and `weight`."""
    natural = problem.natural(samples)
    columns: dict[str, np.ndarray] = {}
    for j, par in enumerate(problem.calibration.spec.parameters):
        for path in par.paths:
            columns[path] = natural[:, j]
    frame = pd.DataFrame(columns)
    frame["weight"] = samples.weights
    return frame


def _effects(problem: Problem, samples: Posterior) -> list[Effect]:
    """The headline effect under the vague prior and under each piece of evidence."""
    j = main_effect(problem)
    values = samples.values[:, j]
    out = [
        Effect(
            "vague (the calibration's priors)",
            weighted_quantile(values, samples.weights, QUANTILES),
            float(samples.weights @ (values > 0)),
        )
    ]
    for evidence in problem.calibration.spec.evidence:
        w = samples.weights * evidence_weights(problem, evidence)[samples.rows]
        w = w / w.sum()
        out.append(
            Effect(
                f"informative: {evidence.name}",
                weighted_quantile(values, w, QUANTILES),
                float(w @ (values > 0)),
            )
        )
    return out


class CalibrationTables(Output):
    """posterior.csv, inference.csv, sbc_ranks.csv, drivers.csv, surface.csv, information.csv,
    effects.csv and predictive.csv."""

    files = (
        "posterior.csv", "inference.csv", "sbc_ranks.csv", "drivers.csv", "surface.csv",
        "information.csv", "effects.csv", "predictive.csv",
    )  # fmt: skip
    checksummed = files

    @override
    def write(self, ctx: JobContext) -> None:
        r: CalibrationResult = ctx.job.result
        folder, problem = ctx.folder, r.problem
        atomic_write_csv(
            folder / "posterior.csv",
            list(r.posterior.columns),
            (list(row) for row in r.posterior.itertuples(index=False)),
        )
        atomic_write_csv(folder / "inference.csv", *_inference_rows(r))
        atomic_write_csv(
            folder / "sbc_ranks.csv",
            [q.name for q in r.sbc.quantities],
            (list(np.round(row, 6)) for row in r.sbc.ranks),
        )
        atomic_write_csv(
            folder / "drivers.csv",
            ["parameter", "spearman_rho", "ci_low", "ci_high", "narrowing"],
            ([d.parameter, *(csv_cell(v) for v in (d.rho, d.low, d.high, d.narrowing))]
             for d in r.drivers),
        )  # fmt: skip
        atomic_write_csv(
            folder / "surface.csv",
            list(SURFACE_COLUMNS),
            (
                [s.effect_name, s.x_name, csv_cell(float(s.x[b])), s.y_name,
                 csv_cell(float(s.y[a])), csv_cell(float(s.effect[a, b])),
                 csv_cell(float(s.se[a, b])), csv_cell(float(s.mass[a, b]))]
                for s in r.surfaces
                for a in range(len(s.y))
                for b in range(len(s.x))
            ),
        )  # fmt: skip
        atomic_write_csv(
            folder / "information.csv",
            ["measurement", "alerts_logged", "width_90", "width_p10", "width_p90"],
            ([i.measurement, csv_cell(i.size), csv_cell(i.width_90), csv_cell(i.low),
              csv_cell(i.high)] for i in r.information),
        )  # fmt: skip
        atomic_write_csv(
            folder / "effects.csv",
            ["prior", *(f"q{round(q * 100):02d}" for q in QUANTILES), "share_positive"],
            ([e.prior, *(csv_cell(float(v)) for v in e.quantiles), csv_cell(e.share_positive)]
             for e in r.effects),
        )  # fmt: skip
        cal = r.calibration
        exact = problem.exact_summaries[r.samples.rows]
        atomic_write_csv(
            folder / "predictive.csv",
            ["row", "weight", *(t.name for t in cal.targets)],
            (
                [int(row), csv_cell(float(w)),
                 *(csv_cell(float(np.expm1(v) if t.uncertainty.scale == "log" else v))
                   for v, t in zip(values, cal.targets, strict=True))]
                for row, w, values in zip(r.samples.rows, r.samples.weights, exact, strict=True)
            ),
        )  # fmt: skip


def _inference_rows(r: CalibrationResult) -> tuple[list[str], list[list[Any]]]:
    """Per quantity: prior and posterior quantiles (natural scales), how much the figures
    narrowed it, and the simulation-based calibration's coverages."""
    problem = r.problem
    natural = problem.natural(r.samples)
    prior_natural = np.column_stack(
        [q.to_natural(problem.values[:, j]) for j, q in enumerate(problem.quantities)]
    )
    uniform = np.full(len(prior_natural), 1.0 / len(prior_natural))
    sbc = {res.name: res for res in r.sbc.results}
    head = ["quantity", *(f"prior_q{round(q * 100):02d}" for q in QUANTILES),
            *(f"posterior_q{round(q * 100):02d}" for q in QUANTILES), "narrowing_90",
            "sbc_coverage_50", "sbc_coverage_90", "sbc_uniformity_p"]  # fmt: skip
    rows = []
    for j, q in enumerate(problem.quantities):
        prior_q = weighted_quantile(prior_natural[:, j], uniform, QUANTILES)
        post_q = weighted_quantile(natural[:, j], r.samples.weights, QUANTILES)
        width_prior = prior_q[-1] - prior_q[0]
        narrowing = (post_q[-1] - post_q[0]) / width_prior if width_prior else float("nan")
        s = sbc.get(q.name)
        rows.append(
            [q.name, *(csv_cell(float(v)) for v in prior_q),
             *(csv_cell(float(v)) for v in post_q), csv_cell(narrowing),
             *(csv_cell(v) for v in ((s.coverage_50, s.coverage_90, s.uniformity_p)
                                      if s else (None, None, None)))]
        )  # fmt: skip
    return head, rows
