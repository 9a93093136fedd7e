"""The relay's effect as a surface over two parameters, with the region the published figures
allow and the line where the hub stops paying off; and, when an experiment has no calibration
behind it, the spread of single-week differences. One of them opens an experiment report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import TwoSlopeNorm

from cocair_sim.missing import as_float
from cocair_sim.model.metrics import metric_better, metric_label, metric_unit
from cocair_sim.report.draw.data import FigureContext
from cocair_sim.report.draw.style import figure, info, style
from cocair_sim.report.registry import FigureInfo

ALLOWED = 0.9  # the region drawn holds this share of the posterior of the two parameters


@dataclass(frozen=True)
class Panel:
    """One surface: bin centres, the mean effect and the posterior mass per bin (y x x), and
    the axes' names in words."""

    x: np.ndarray
    y: np.ndarray
    mean: np.ndarray
    mass: np.ndarray
    x_label: str
    y_label: str


def allowed_region(mass: np.ndarray, share: float = ALLOWED) -> np.ndarray:
    """The most probable bins holding `share` of the mass."""
    order = np.argsort(-mass, axis=None)
    cum = np.cumsum(mass.ravel()[order])
    keep = np.zeros(mass.size, dtype=bool)
    keep[order[: int(np.searchsorted(cum, share * cum[-1])) + 1]] = True
    return keep.reshape(mass.shape)


def _geometric(centres: np.ndarray) -> bool:
    c = np.asarray(centres, dtype=float)
    if len(c) < 3 or (c <= 0).any():
        return False
    ratios = c[1:] / c[:-1]
    return bool(np.allclose(ratios, ratios[0], rtol=1e-3) and ratios[0] > 1.01)


def _edges(centres: np.ndarray) -> np.ndarray:
    c = np.asarray(centres, dtype=float)
    if _geometric(c):
        z = np.log(c)
        half = (z[1] - z[0]) / 2
        return np.exp(np.concatenate([z - half, [z[-1] + half]]))
    half = (c[1] - c[0]) / 2 if len(c) > 1 else 0.5
    return np.concatenate([c - half, [c[-1] + half]])


def draw_surfaces(panels: Sequence[Panel], colour_label: str):
    """A figure of one or more surfaces on a shared diverging scale (blue: the hub does
    better), the break-even line in black and the allowed region in dashed gold."""
    fig = figure(5.6 * len(panels) + 0.6, 4.8)
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    limit = max(float(np.nanmax(np.abs(p.mean))) for p in panels) or 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    image = None
    for ax, p in zip(axes, panels, strict=True):
        image = ax.pcolormesh(_edges(p.x), _edges(p.y), p.mean, cmap="RdBu", norm=norm)
        if np.nanmin(p.mean) < 0 < np.nanmax(p.mean):
            ax.contour(p.x, p.y, p.mean, levels=[0.0], colors="black", linewidths=1.6)
        region = allowed_region(p.mass).astype(float)
        if 0 < region.mean() < 1:
            ax.contour(p.x, p.y, region, levels=[0.5], colors="gold", linewidths=2,
                       linestyles="--")  # fmt: skip
        if _geometric(p.x):
            ax.set_xscale("log")
        if _geometric(p.y):
            ax.set_yscale("log")
        ax.set_xlabel(p.x_label, fontsize=8)
        ax.set_ylabel(p.y_label, fontsize=8)
    fig.colorbar(image, ax=axes, label=colour_label)
    return fig


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def fig_surface(ctx: FigureContext) -> FigureInfo | None:
    """Figure `surface`: the effect the experiment's calibration mapped (its `surface:`)."""
    evidence = ctx.exp.evidence
    if evidence is None or not evidence.surfaces:
        return None
    from cocair_sim.scenario.describe import describe_parameter  # noqa: PLC0415 - lazy

    scenario = ctx.scenario
    grid = evidence.surfaces[0]
    panel = Panel(
        grid.x, grid.y, grid.mean, grid.mass,
        _short(describe_parameter(scenario, grid.x_name)),
        _short(describe_parameter(scenario, grid.y_name)),
    )  # fmt: skip
    mode, _, outcome = grid.effect.split(":", 1)[1].partition(":")
    unit = metric_unit(outcome)
    fig = draw_surfaces([panel], f"{mode.replace('-', ' - ')}, mean effect ({unit or 'count'})")
    return info(
        fig, ctx.folder, "surface", "What the hub's effect depends on",
        f"The hub's expected effect on {metric_label(outcome)} against no relay, over two "
        "parameters no published figure measures (everything else averaged over what the "
        "published figures allow): blue where the hub does better, red where worse. Black line: "
        "where the hub stops paying off. Dashed gold line: the region holding 90 % of what the "
        "published figures allow for these two parameters; when it is missing, they allow the "
        f"whole plot. From the calibration in {evidence.folder.name}.",
        {"x": grid.x, "y": grid.y, "mean": grid.mean, "mass": grid.mass},
    )  # fmt: skip


def fig_week_differences(ctx: FigureContext) -> FigureInfo | None:
    """Figure `week_differences`: per condition, the paired single-week differences from the
    baseline in the first outcome, as a histogram."""
    baseline = ctx.exp.spec.baseline_condition
    metric = ctx.exp.spec.metrics[0]
    values: dict[str, dict[int, float]] = {}
    for run in ctx.runs():
        values.setdefault(run.condition, {})[run.replicate] = as_float(run.metrics.get(metric))
    base = values.get(baseline, {})
    others = [c for c in ctx.conditions if c != baseline and c in values]
    if not base or not others:
        return None
    fig = figure(8, 4.2)
    ax = fig.subplots()
    diffs = {
        c: np.array([values[c][k] - base[k] for k in sorted(base) if k in values[c]])
        for c in others
    }
    finite = np.concatenate([d[np.isfinite(d)] for d in diffs.values()])
    if finite.size == 0:
        return None
    bins = np.histogram_bin_edges(finite, bins=30)
    for c, d in diffs.items():
        st = style(ctx.conditions.index(c))
        ax.hist(d[np.isfinite(d)], bins=bins, histtype="step", linewidth=1.8, color=st.color,
                label=f"{c} - {baseline}")  # fmt: skip
    ax.axvline(0, color="black", linewidth=1)
    unit = metric_unit(metric)
    side = {"higher": "Right", "lower": "Left"}.get(metric_better(metric) or "")
    better = (
        f" {side} of the black line the condition did better than the baseline." if side else ""
    )
    ax.set_xlabel(f"difference in {metric_label(metric)}")
    ax.set_ylabel("simulated weeks")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return info(
        fig, ctx.folder, "week_differences", "How much the relay changes a single week",
        f"Each simulated week run with and without the change (the same couriers, the same "
        f"luck): the difference in {metric_label(metric)}{f' ({unit})' if unit else ''}."
        + better + ctx.sweep_note(),
        {c: d.tolist() for c, d in diffs.items()},
    )  # fmt: skip
