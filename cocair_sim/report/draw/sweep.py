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
    """Figure `sweep`: up to four outcomes along the first swept parameter, one line per
    condition (None without a sweep)."""
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


def fig_sweep_map(ctx: FigureContext) -> FigureInfo | None:
    """Paired difference against the baseline over the first two swept parameters, one panel
    per condition (the first two metrics): where a condition beats the baseline, and where not.
    """
    exp = ctx.exp
    if len(exp.spec.sweep) < 2:
        return None
    first, second = exp.spec.sweep[:2]
    others = {s.parameter: s.values[0] for s in exp.spec.sweep[2:]}
    baseline = exp.spec.baseline_condition
    conditions = [c for c in ctx.conditions if c != baseline]
    metrics = exp.spec.metrics[:2]
    rows = [
        r
        for r in ctx.summary
        if "diff_mean" in r and all(r["sweep"].get(k) == v for k, v in others.items())
    ]
    panels = [(m, c) for m in metrics for c in conditions]
    ncols = min(2, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig = figure(5.6 * ncols, 4.4 * nrows)
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    data = []
    xs, ys = list(second.values), list(first.values)
    for ax, (metric, cond) in zip(axes, panels, strict=False):
        grid = np.full((len(ys), len(xs)), np.nan)
        verdict = np.zeros((len(ys), len(xs)), dtype=int)
        for r in rows:
            if r["metric"] != metric or r["condition"] != cond:
                continue
            i, j = ys.index(r["sweep"][first.parameter]), xs.index(r["sweep"][second.parameter])
            grid[i, j] = r["diff_mean"]
            significant = r["wilcoxon_p"] < 0.05 and (r["diff_ci_low"] > 0 or r["diff_ci_high"] < 0)
            verdict[i, j] = int(np.sign(r["diff_mean"])) if significant else 0
            data.append(
                {
                    "metric": metric,
                    "condition": cond,
                    first.parameter: r["sweep"][first.parameter],
                    second.parameter: r["sweep"][second.parameter],
                    "diff_mean": r["diff_mean"],
                    "diff_ci_low": r["diff_ci_low"],
                    "diff_ci_high": r["diff_ci_high"],
                    "wilcoxon_p": r["wilcoxon_p"],
                    "verdict": verdict[i, j],
                }
            )
        limit = np.nanmax(np.abs(grid)) if np.isfinite(grid).any() else 1.0
        image = ax.imshow(grid, cmap="RdBu", vmin=-limit, vmax=limit, origin="lower", aspect="auto")
        for i in range(len(ys)):
            for j in range(len(xs)):
                if np.isfinite(grid[i, j]):
                    mark = {1: " +", -1: " -", 0: ""}[verdict[i, j]]
                    ax.text(j, i, f"{grid[i, j]:+.3g}{mark}", ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(xs)), [str(v) for v in xs])
        ax.set_yticks(range(len(ys)), [str(v) for v in ys])
        ax.set_xlabel(second.label or second.parameter)
        ax.set_ylabel(first.label or first.parameter)
        ax.set_title(f"{cond} - {baseline}: {metric_label(metric)}", fontsize=8)
        fig.colorbar(image, ax=ax, shrink=0.8, label=f"paired difference vs {baseline}")
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    title = f"Where each condition beats '{baseline}', over the sweep"
    fig.suptitle(title, fontsize=11)
    caption = (
        f"Mean paired difference of each condition against '{baseline}' (same replicate, same "
        f"random streams) at every combination of {first.label or first.parameter} and "
        f"{second.label or second.parameter}; '+' or '-' marks a significant difference "
        "(Wilcoxon p < 0.05 and a 95 % bootstrap CI excluding zero), blank cells show none."
        + (f" Other swept parameters held at {others}." if others else "")
    )
    return info(fig, ctx.folder, "sweep_map", title, caption, pd.DataFrame(data))
