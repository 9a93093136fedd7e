"""Outcomes along a sweep, per condition, with bootstrap bands."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cocair_sim.model.metrics import metric_label
from cocair_sim.report.draw.data import FigureContext
from cocair_sim.report.draw.style import figure, info, style
from cocair_sim.report.registry import FigureInfo


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def fig_sweep(ctx: FigureContext) -> FigureInfo | None:
    exp = ctx.exp
    if not exp.spec.sweep:
        return None
    first = exp.spec.sweep[0]
    param = first.parameter
    others = {s.parameter: s.values[0] for s in exp.spec.sweep[1:]}
    rows = [r for r in ctx.summary if all(r["sweep"].get(k) == v for k, v in others.items())]
    metrics = exp.spec.metrics[:4]
    values = list(first.values)
    numeric = all(_is_number(v) for v in values)
    ncols = min(2, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    fig = figure(5.2 * ncols, 3.6 * nrows)
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    data = []
    xlabel = first.label or param
    for ax, metric in zip(axes, metrics, strict=False):
        for i, cond in enumerate(ctx.conditions):
            sub = [r for r in rows if r["metric"] == metric and r["condition"] == cond]
            if not sub:
                continue
            sub.sort(key=lambda r: values.index(r["sweep"][param]))
            xv = [r["sweep"][param] for r in sub]
            x = np.array(xv, dtype=float) if numeric else np.array([values.index(v) for v in xv])
            mean = np.array([r["mean"] for r in sub], dtype=float)
            lo = np.array([r["ci_low"] for r in sub], dtype=float)
            hi = np.array([r["ci_high"] for r in sub], dtype=float)
            st = style(i)
            ax.fill_between(x, lo, hi, color=st.color, alpha=0.2, linewidth=0)
            ax.plot(x, mean, color=st.color, ls=st.linestyle, marker=st.marker, label=cond)
            data += [
                {
                    "metric": metric,
                    "condition": cond,
                    param: v,
                    "mean": m,
                    "ci_low": a,
                    "ci_high": b,
                }
                for v, m, a, b in zip(xv, mean, lo, hi, strict=True)
            ]
        if not numeric:
            ax.set_xticks(range(len(values)), [str(v) for v in values])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(metric_label(metric), fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    title = f"Outcomes against {xlabel}, per condition"
    fig.suptitle(title, fontsize=11)
    caption = (
        f"Mean of each outcome with 95 % bootstrap CI bands as {xlabel} varies, one line per "
        "condition." + (f" Other swept parameters held at {others}." if others else "")
    )
    return info(fig, ctx.folder, "sweep", title, caption, pd.DataFrame(data))
