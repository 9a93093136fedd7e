"""Conditions compared: paired differences against the baseline, and kg per condition."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocair_sim.missing import as_float
from cocair_sim.model.metrics import metric_label
from cocair_sim.report.draw.data import FigureContext
from cocair_sim.report.draw.style import figure, info, style
from cocair_sim.report.registry import FigureInfo
from cocair_sim.stats import bootstrap_mean_ci


def paired_difference_data(exp, summary, point: int) -> pd.DataFrame:
    """The summary rows of one sweep point that compare a condition with the baseline: each
    outcome's relative change, its CI and p-value."""
    rows = [
        {
            "point": r["point"],
            "metric": r["metric"],
            "condition": r["condition"],
            "rel_change": r["rel_change"],
            "rel_ci_low": r["rel_ci_low"],
            "rel_ci_high": r["rel_ci_high"],
            "wilcoxon_p": r["wilcoxon_p"],
        }
        for r in summary
        if r["point"] == point and "rel_change" in r
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "point",
            "metric",
            "condition",
            "rel_change",
            "rel_ci_low",
            "rel_ci_high",
            "wilcoxon_p",
        ],
    )


def fig_paired(ctx: FigureContext) -> FigureInfo:
    """Figure `paired_differences`: each condition's relative change against the baseline, per
    outcome, with its CI."""
    exp, point = ctx.exp, ctx.point
    data = paired_difference_data(exp, ctx.summary, point)
    baseline = exp.spec.baseline_condition
    metrics = list(exp.spec.metrics)
    others = [c for c in ctx.conditions if c != baseline]
    fig = figure(9, 1.2 + 0.42 * len(metrics) * max(1, len(others)) ** 0.5)
    ax = fig.subplots()
    ax.axvline(0, color="0.3", lw=1)
    offsets = np.linspace(-0.25, 0.25, len(others)) if len(others) > 1 else [0.0]
    for k, cond in enumerate(others):
        st = style(ctx.conditions.index(cond))
        sub = data[data["condition"] == cond].set_index("metric")
        ys, xs, lo, hi = [], [], [], []
        for j, m in enumerate(metrics):
            if m not in sub.index or not np.isfinite(sub.loc[m, "rel_change"]):
                continue
            ys.append(j + offsets[k])
            xs.append(100 * sub.loc[m, "rel_change"])
            lo.append(100 * sub.loc[m, "rel_ci_low"])
            hi.append(100 * sub.loc[m, "rel_ci_high"])
        xs_a = np.array(xs, dtype=float)
        err = np.abs(np.vstack([xs_a - np.array(lo, dtype=float), np.array(hi) - xs_a]))
        ax.errorbar(
            xs_a,
            ys,
            xerr=err if len(xs) else None,
            fmt=st.marker,
            color=st.color,
            ecolor=st.color,
            capsize=3,
            ms=6,
            label=f"{cond} vs {baseline}",
            linestyle="none",
        )
    ax.set_yticks(range(len(metrics)), [metric_label(m) for m in metrics], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"relative change vs {baseline} (%), paired replicates, 95 % CI")
    ax.set_ylabel("outcome")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    title = f"Paired differences of each condition against the baseline ({baseline})"
    ax.set_title(title, fontsize=10)
    caption = (
        f"Relative change of each outcome against '{baseline}' (same replicate, same random "
        "streams): point = mean difference / baseline mean, whiskers = 95 % bootstrap CI. "
        "Outcomes with a zero baseline mean are omitted." + ctx.sweep_note()
    )
    return info(fig, ctx.folder, "paired_differences", title, caption, data)


def fig_kg_bars(ctx: FigureContext) -> FigureInfo:
    """Figure `kg_flows`: kg shipped, seized and delivered per condition, with CIs."""
    keys = ["kg_shipped", "kg_seized", "kg_delivered"]
    values: dict[str, dict[str, list[float]]] = {}
    for run in ctx.runs():
        for k in keys:
            v = run.metrics.get(k)
            values.setdefault(run.condition, {}).setdefault(k, []).append(as_float(v))
    conds = [c for c in ctx.conditions if c in values]
    rows = []
    fig = figure(8, 4.2)
    ax = fig.subplots()
    width = 0.8 / max(1, len(conds))
    x = np.arange(len(keys))
    for i, cond in enumerate(conds):
        st = style(ctx.conditions.index(cond))
        cis = [bootstrap_mean_ci(values[cond][k]) for k in keys]
        means = np.array([ci.mean for ci in cis])
        err = np.abs(np.vstack([means - [ci.low for ci in cis], [ci.high for ci in cis] - means]))
        ax.bar(
            x + (i - (len(conds) - 1) / 2) * width,
            means,
            width,
            yerr=err,
            capsize=3,
            color=st.color,
            hatch=st.hatch,
            edgecolor="black",
            linewidth=0.6,
            label=cond,
        )
        for k, ci in zip(keys, cis, strict=True):
            rows.append(
                {"condition": cond, "quantity": k, "mean": ci.mean, "ci_low": ci.low,
                 "ci_high": ci.high}
            )  # fmt: skip
    ax.set_xticks(x, ["shipped", "seized", "delivered"])
    ax.set_xlabel("cocaine flow (whole run)")
    ax.set_ylabel("cocaine (kg, mean over replicates)")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    title = "Cocaine shipped, seized and delivered per condition"
    ax.set_title(title)
    caption = (
        "Cocaine shipped, seized and delivered over the whole run (kg), mean over replicates "
        "with 95 % bootstrap CI whiskers." + ctx.sweep_note()
    )
    return info(fig, ctx.folder, "kg_flows", title, caption, pd.DataFrame(rows))
