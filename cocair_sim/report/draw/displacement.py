"""Displacement: the share of trafficked kg through each transit airport over time."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cocair_sim.report.draw.data import FigureContext
from cocair_sim.report.draw.style import HATCHES, PALETTE, figure, info
from cocair_sim.report.registry import FigureInfo


def via_shares(header: list[str], arr: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Per replicate and day, the share of kg sent through each transit airport."""
    cols = [i for i, h in enumerate(header) if h.startswith("kg_via_")]
    names = [header[i][len("kg_via_") :] for i in cols]
    via = arr[..., cols]  # (reps, days, airports)
    total = via.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, via / np.where(total > 0, total, 1), np.nan)
    return names, share


def top_airports(names, totals: np.ndarray, k: int = 6) -> list[int]:
    """Indices of the (at most) `k` transit airports with the most kg, busiest first; airports
    with none are left out."""
    order = np.argsort(-totals, kind="stable")
    return [int(i) for i in order[:k] if totals[i] > 0]


def stack(ax, days, shares, names, top, in_op):
    """Stacked shares of the top transit airports plus 'other'."""
    layers = [shares[:, i] for i in top]
    rest = [i for i in range(len(names)) if i not in top]
    labels = [names[i] for i in top]
    if rest:
        layers.append(np.nansum(shares[:, rest], axis=1))
        labels.append("other")
    layers = [np.nan_to_num(layer) * 100 for layer in layers]
    colors = [PALETTE[j % len(PALETTE)] for j in range(len(top))] + ["0.75"]
    polys = ax.stackplot(days, *layers, labels=labels, colors=colors[: len(layers)], alpha=0.9)
    for j, poly in enumerate(polys):
        poly.set_hatch(HATCHES[j % len(HATCHES)])
        poly.set_edgecolor("white")
    if np.any(in_op):
        idx = np.flatnonzero(in_op)
        ax.axvline(days[idx[0]] - 0.5, color="black", ls="--", lw=1)
        ax.axvline(days[idx[-1]] + 0.5, color="black", ls="--", lw=1)
    ax.set_ylim(0, 100)
    ax.set_xlim(days[0], days[-1])
    ax.set_xlabel("simulated day")
    ax.set_ylabel("share of kg sent via airport (%)")
    return dict(zip(labels, layers, strict=True))


def fig_displacement(ctx: FigureContext) -> FigureInfo:
    """Figure `displacement`: one panel per condition of the daily shares of kg through the
    busiest transit airports."""
    header, arrays = ctx.daily_arrays()
    col = {h: i for i, h in enumerate(header)}
    conds = [c for c in ctx.conditions if c in arrays]
    names: list[str] = []
    mean_shares = {}
    totals = None
    for cond in conds:
        names, share = via_shares(header, arrays[cond])
        with np.errstate(invalid="ignore"):
            mean_shares[cond] = np.nanmean(np.where(np.isnan(share), 0, share), axis=0)
        t = np.nansum(arrays[cond][..., [col[f"kg_via_{n}"] for n in names]], axis=(0, 1))
        totals = t if totals is None else totals + t
    top = top_airports(names, totals if totals is not None else np.zeros(len(names)))
    n = max(1, len(conds))
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = figure(4.4 * ncols, 3.6 * nrows + 0.6)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True)).ravel()
    rows = []
    for ax, cond in zip(axes, conds, strict=False):
        arr = arrays[cond]
        days = arr[0, :, col["day"]]
        layers = stack(ax, days, mean_shares[cond], names, top, arr[0, :, col["in_operation"]] > 0)
        ax.set_title(cond, fontsize=9)
        for label, vals in layers.items():
            rows += [
                {"condition": cond, "airport": label, "day": int(d), "share_pct": float(v)}
                for d, v in zip(days, vals, strict=True)
            ]
    for ax in axes[len(conds) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=8, title="transit airport")
    title = "Displacement: share of trafficked kg through each transit airport"
    fig.suptitle(title, fontsize=11)
    caption = (
        "Share of the kg sent each day on itineraries through each transit airport (%), averaged "
        "over replicates; the six busiest transit airports are shown, the rest as 'other'. "
        "Dashed lines bound the operation window." + ctx.sweep_note()
    )
    return info(fig, ctx.folder, "displacement", title, caption, pd.DataFrame(rows))
