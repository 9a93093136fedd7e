"""Exports of an experiment: runs.csv, daily.csv and summary.csv (with paired statistics).

summary.csv is tidy: one row per sweep point, condition and metric, with the mean and its 95 %
bootstrap CI, and for conditions other than the baseline the paired difference against the
baseline (same replicate, same sweep point) with its CI, the relative change, the Wilcoxon
signed-rank p-value, Cohen's d_z, the 90 % range of single paired differences and the shares of
pairs in which the condition came out above and below the baseline.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from cocair_sim.experiment.drivers import DRIVER_COLUMNS, driver_rows
from cocair_sim.experiment.plan import sweep_columns
from cocair_sim.experiment.spec import Experiment
from cocair_sim.experiment.store import Store
from cocair_sim.files.atomic import atomic_write_csv, publish
from cocair_sim.missing import as_float, csv_cell
from cocair_sim.stats import bootstrap_mean_ci, paired_comparison

SUMMARY_COLUMNS = [
    "metric",
    "condition",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "baseline",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "rel_change",
    "rel_ci_low",
    "rel_ci_high",
    "wilcoxon_p",
    "effect_size_dz",
    "diff_p05",
    "diff_p95",
    "share_above",
    "share_below",
]


def _sweep_values(exp: Experiment, sweep: dict[str, Any]) -> list[Any]:
    return [sweep.get(c) for c in sweep_columns(exp)]


def summary_rows(exp: Experiment, store: Store) -> list[dict[str, Any]]:
    """Statistics per sweep point, condition and metric, from the stored runs."""
    rows = store.metric_rows()
    baseline = exp.spec.baseline_condition
    by_key: dict[tuple[int, str], dict[int, dict]] = {}
    sweeps: dict[int, dict] = {}
    for run in rows:
        by_key.setdefault((run.point, run.condition), {})[run.replicate] = run.metrics
        sweeps[run.point] = run.sweep
    out = []
    for point in sorted(sweeps):
        base_runs = by_key.get((point, baseline), {})
        for cond in (c.name for c in exp.spec.conditions):
            runs = by_key.get((point, cond), {})
            if not runs:
                continue
            for metric in exp.spec.metrics:
                values = [as_float(runs[r].get(metric)) for r in sorted(runs)]
                ci = bootstrap_mean_ci(values)
                row: dict[str, Any] = {
                    "point": point,
                    "sweep": sweeps[point],
                    "metric": metric,
                    "condition": cond,
                    "n": len(values),
                    "mean": ci.mean,
                    "ci_low": ci.low,
                    "ci_high": ci.high,
                    "baseline": baseline,
                }
                common = sorted(set(runs) & set(base_runs))
                if cond != baseline and common:
                    cmp = paired_comparison(
                        [as_float(runs[r].get(metric)) for r in common],
                        [as_float(base_runs[r].get(metric)) for r in common],
                    )
                    row.update(
                        diff_mean=cmp.diff_mean,
                        diff_ci_low=cmp.diff_low,
                        diff_ci_high=cmp.diff_high,
                        rel_change=cmp.rel_change,
                        rel_ci_low=cmp.rel_low,
                        rel_ci_high=cmp.rel_high,
                        wilcoxon_p=cmp.wilcoxon_p,
                        effect_size_dz=cmp.effect_size_dz,
                        diff_p05=cmp.diff_p05,
                        diff_p95=cmp.diff_p95,
                        share_above=cmp.share_above,
                        share_below=cmp.share_below,
                    )
                out.append(row)
    return out


def write_tables(exp: Experiment, store: Store, out: Path, pool=None) -> list[dict[str, Any]]:
    """Write runs.csv, daily.csv and summary.csv atomically; return the summary rows.

    With `pool` (a local process pool) daily.csv, the largest, is written by a worker while
    this process computes the summary."""
    daily = pool.submit(write_daily_csv, exp, store.path, out) if pool is not None else None
    sweep_cols = sweep_columns(exp)
    metric_rows = store.metric_rows()
    metric_names = sorted({k for r in metric_rows for k in r.metrics})
    # Over a posterior: the particle each run drew and its values, one column per field.
    drawn = list(exp.posterior.fields) if exp.posterior is not None else []
    posterior_cols = ["particle", *(f"param:{f}" for f in drawn)] if drawn else []
    atomic_write_csv(
        out / "runs.csv",
        ["run_id", "condition", *sweep_cols, "replicate", "seed", *posterior_cols, *metric_names],
        (
            [
                r.run_id,
                r.condition,
                *_sweep_values(exp, r.sweep),
                r.replicate,
                r.seed,
                *(
                    [csv_cell(r.particle), *(csv_cell(r.parameters.get(f)) for f in drawn)]
                    if drawn
                    else []
                ),
                *(csv_cell(r.metrics.get(m)) for m in metric_names),
            ]
            for r in metric_rows
        ),
    )
    if daily is None:
        _write_daily(exp, store, out)
    summary = summary_rows(exp, store)
    sweeps = {r.point: r.sweep for r in metric_rows}
    atomic_write_csv(
        out / "summary.csv",
        [*sweep_cols, *SUMMARY_COLUMNS],
        (
            [*_sweep_values(exp, r["sweep"]), *(csv_cell(r.get(c, None)) for c in SUMMARY_COLUMNS)]
            for r in summary
        ),
    )
    if exp.posterior is not None:
        atomic_write_csv(
            out / "drivers.csv",
            [*sweep_cols, *DRIVER_COLUMNS],
            (
                [*_sweep_values(exp, sweeps[r["point"]]), *(csv_cell(r[c]) for c in DRIVER_COLUMNS)]
                for r in driver_rows(exp, store)
            ),
        )
    if daily is not None:
        publish(daily.result(), out / "daily.csv")
    return summary


def write_daily_csv(exp: Experiment, store_path: Path, out: Path) -> str:
    """daily.csv from the store file, in a worker process (a connection cannot travel): left
    under its temporary name, which is returned for the caller to publish with the rest."""
    unpublished: list[str] = []
    with Store(store_path) as store:
        _write_daily(exp, store, out, unpublished)
    return unpublished[0]


def _write_daily(exp: Experiment, store: Store, out: Path, unpublished=None) -> None:
    records = store.runs()
    first = next(records, None)
    daily_header = first.daily_header if first else []

    def daily_rows():  # streamed: the whole daily.csv never sits in memory
        for rec in itertools.chain([first] if first else [], records):
            for row in rec.daily_rows:
                yield [
                    rec.run_id,
                    rec.condition,
                    *_sweep_values(exp, rec.sweep),
                    rec.replicate,
                    *row,
                ]

    atomic_write_csv(
        out / "daily.csv",
        ["run_id", "condition", *sweep_columns(exp), "replicate", *daily_header],
        daily_rows(),
        unpublished,
    )


def sweep_label(sweep: dict[str, Any]) -> str:
    """A sweep point as `field=value, ...` for printed tables."""
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in sweep.items())
