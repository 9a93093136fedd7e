"""What drives a paired difference over a posterior: each drawn parameter against the effect.

In an experiment over a posterior, replicate i of every condition ran with the same particle, so
each replicate gives one paired difference (condition - baseline) and one set of parameter
values. The Spearman rank correlation of each parameter with the difference, with its 95 %
interval, says which of the remaining uncertainties the effect depends on:
a parameter with a correlation near zero could be known exactly without narrowing the answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cocair_sim.missing import as_float
from cocair_sim.stats import rank_correlation

DRIVER_COLUMNS = [
    "metric", "condition", "baseline", "parameter", "spearman_rho", "ci_low", "ci_high",
    "p_value", "n",
]  # fmt: skip


def driver_rows(exp, store) -> list[dict[str, Any]]:
    """Per sweep point, metric, non-baseline condition and posterior field: the rank correlation
    of the field's drawn value with the paired difference, strongest first."""
    if exp.posterior is None:
        return []
    baseline = exp.spec.baseline_condition
    runs: dict[tuple[int, str, int], Any] = {}
    for run in store.metric_rows():
        runs[run.point, run.condition, run.replicate] = run
    points = sorted({k[0] for k in runs})
    out = []
    for point in points:
        for cond in (c.name for c in exp.spec.conditions if c.name != baseline):
            reps = sorted(
                r for (p, c, r) in runs if p == point and c == cond and (p, baseline, r) in runs
            )
            if len(reps) < 3:
                continue
            pairs = [(runs[point, cond, r], runs[point, baseline, r]) for r in reps]
            drawn = _distinct_fields(exp.posterior.fields, pairs)
            for metric in exp.spec.metrics:
                diff = [_value(a, metric) - _value(b, metric) for a, b in pairs]
                rows = []
                for field, values in drawn.items():
                    rc = rank_correlation(values, diff)
                    rows.append(
                        {"point": point, "metric": metric, "condition": cond,
                         "baseline": baseline, "parameter": field, "spearman_rho": rc.rho,
                         "ci_low": rc.low, "ci_high": rc.high, "p_value": rc.p_value,
                         "n": len(reps)}
                    )  # fmt: skip
                rows.sort(key=lambda r: -abs(np.nan_to_num(r["spearman_rho"])))
                out.extend(rows)
    return out


def _distinct_fields(fields, pairs) -> dict[str, list]:
    """Each drawn field's values over the pairs, once per parameter: a field set to the same
    value as an earlier one (a calibration's `also` paths) is left out, as is one that the
    condition or the sweep set instead of the draw."""
    out: dict[str, list] = {}
    seen: list[list] = []
    for field in fields:
        values = [a.parameters.get(field) for a, _ in pairs]
        if any(v is None for v in values) or values in seen:
            continue
        seen.append(values)
        out[field] = values
    return out


def _value(run, metric: str) -> float:
    return as_float(run.metrics.get(metric))
