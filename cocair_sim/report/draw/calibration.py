"""The calibration report's figures: what the published figures taught, whether the inference is
calibrated, the hub's effect over what it depends on, and what recording more would buy.

Each figure is a function `(result, folder) -> FigureInfo`; `FIGURES` lists them in report
order (add one there).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cocair_sim.report.draw.style import PALETTE, figure, info
from cocair_sim.report.draw.surface import Panel, draw_surfaces
from cocair_sim.report.registry import FigureInfo
from cocair_sim.stats.abc import weighted_quantile

if TYPE_CHECKING:
    from cocair_sim.calibration.job import CalibrationResult


def _panels(n: int, width: float, height: float, cols: int = 4):
    """A figure of `n` small panels, `cols` to a row (the unused ones hidden), and the panels."""
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    fig = figure(width * cols + 0.5, height * rows + 0.3)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _small(ax, title: str, size: int = 7) -> None:
    """A small panel: its title, small ticks, no density axis."""
    ax.set_title(title, fontsize=size, loc="left")
    ax.tick_params(labelsize=6)
    ax.set_yticks([])


def fig_marginals(r: CalibrationResult, folder: Path) -> FigureInfo:
    """Each parameter's posterior against its prior, on the scale it was drawn on."""
    problem = r.problem
    params = [(j, problem.quantities[j]) for j in problem.parameters]
    fig, axes = _panels(len(params), 2.4, 2.0)
    for ax, (j, q) in zip(axes, params, strict=True):
        low, high = problem.bounds.low[j], problem.bounds.high[j]
        edges = np.linspace(low, high, 21)
        heights, _ = np.histogram(r.samples.values[:, j], bins=edges, weights=r.samples.weights,
                                  density=True)  # fmt: skip
        shown = q.to_natural(edges)
        ax.stairs(heights, shown, fill=True, color=PALETTE[0], alpha=0.75, label="posterior")
        ax.stairs([1.0 / (high - low)], shown[[0, -1]], color="black", linestyle="--",
                  label="prior")  # fmt: skip
        if q.log:
            ax.set_xscale("log")
        _small(ax, q.name.replace("organisations.", "org."))
    axes[0].legend(fontsize=6, frameon=False)
    return info(
        fig, folder, "marginals", "What the published figures say about each parameter",
        "Posterior (weighted histogram) against the prior (dashed), on the scale each parameter "
        "was drawn on. A posterior as flat as its prior means the published figures do not "
        "constrain that parameter: its whole range is carried into every answer.",
        None,
    )  # fmt: skip


def fig_sbc(r: CalibrationResult, folder: Path) -> FigureInfo:
    """Rank histograms of simulation-based calibration, one per quantity."""
    results = r.sbc.results
    n = len(r.sbc.ranks)
    bins = 10
    fig, axes = _panels(len(results), 2.1, 1.7, cols=5)
    expected = n / bins
    band = 1.96 * math.sqrt(n * (1 / bins) * (1 - 1 / bins))
    for ax, res in zip(axes, results, strict=True):
        counts, edges = np.histogram(res.ranks, bins=bins, range=(0, 1))
        ax.axhspan(expected - band, expected + band, color="0.88", zorder=0)
        ax.stairs(counts, edges, fill=True, color=PALETTE[2], alpha=0.8)
        ax.set_ylim(0, max(counts.max(), expected + band) * 1.15)
        name = res.name.replace("organisations.", "org.").replace("effect:", "expected ")
        name = name.replace("week:", "one week ")
        ax.set_title(f"{name}\n50 %: {res.coverage_50:.0%}, 90 %: {res.coverage_90:.0%}",
                     fontsize=6, loc="left")  # fmt: skip
        ax.tick_params(labelsize=5)
        ax.set_yticks([])
    return info(
        fig, folder, "sbc", "Is the inference calibrated? Ranks of held-out truths",
        f"For each of {n} draws held out of the table, the posterior was inferred from the "
        "others as if its figures had been published, and the rank of its own value noted "
        "(the posterior mass below it). Calibrated posteriors give flat histograms: the grey "
        "band is where 95 % of bins fall if they are. Each panel gives the share of truths "
        "inside the 50 % and 90 % intervals.",
        None,
    )  # fmt: skip


def fig_surface(r: CalibrationResult, folder: Path) -> FigureInfo:
    """The hub's effect over two parameters, where the figures put them, and the break-even."""
    panels = [Panel(s.x, s.y, s.effect, s.mass, s.x_name, s.y_name) for s in r.surfaces]
    outcome = r.surfaces[0].effect_name.split(":", 2)[-1]
    fig = draw_surfaces(panels, f"mean effect of the hub against no relay, {outcome}")
    return info(
        fig, folder, "surface", "The hub's effect over what it depends on",
        "Mean paired effect of the hub against no relay (expected over weeks) over the draws "
        "the published figures allow, per bin of two parameters (everything else averaged as "
        "the figures allow): blue where the hub seizes more, red where less. Black line: where "
        "the hub stops paying off (no effect). Dashed gold line: the region holding 90 % of the "
        "posterior of those two parameters (none drawn: the figures do not narrow them).",
        None,
    )  # fmt: skip


def fig_information(r: CalibrationResult, folder: Path) -> FigureInfo:
    """The 90 % interval of the hub's effect after recording more."""
    fig = figure(7.2, 4.2)
    ax = fig.subplots()
    logged = [i for i in r.information if i.size is not None]
    others = [i for i in r.information if i.size is None]
    sizes = [i.size for i in logged]
    ax.plot(sizes, [i.width_90 for i in logged], marker="o", color=PALETTE[0],
            label="outcome of each alert, by alerts logged")  # fmt: skip
    ax.fill_between(sizes, [i.low for i in logged], [i.high for i in logged], color=PALETTE[0],
                    alpha=0.15)  # fmt: skip
    for k, i in enumerate(others):
        ax.axhline(i.width_90, color=PALETTE[(k + 1) % len(PALETTE)], linestyle="--",
                   label=i.measurement)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.set_xlabel("alerts whose outcome is recorded")
    ax.set_ylabel("width of the 90 % interval (kg)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    return info(
        fig, folder, "information", "What to measure next",
        "Expected width of the 90 % interval of the hub's effect on kg seized at participating "
        "airports in the operation week, after an operation records the outcome of each of N "
        "alerts (was the passenger controlled; was anything found), against what the published "
        "figures alone leave and what other records would leave (dashed). The band holds the "
        "middle 80 % over the worlds the published figures allow.",
        None,
    )  # fmt: skip


def fig_effects(r: CalibrationResult, folder: Path) -> FigureInfo:
    """The hub's effect under the vague prior and under each informative one."""
    fig = figure(7.2, 1.2 + 0.8 * len(r.effects))
    ax = fig.subplots()
    for k, e in enumerate(r.effects):
        q05, q25, q50, q75, q95 = e.quantiles
        ax.plot([q05, q95], [k, k], color=PALETTE[k % len(PALETTE)], lw=1.5)
        ax.plot([q25, q75], [k, k], color=PALETTE[k % len(PALETTE)], lw=6, alpha=0.6)
        ax.plot([q50], [k], marker="o", color="black")
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_yticks(range(len(r.effects)), [e.prior for e in r.effects], fontsize=7)
    ax.set_xlabel("hub - no relay, kg seized at participating airports (operation week)")
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    return info(
        fig, folder, "effects", "The hub's effect under each prior",
        "Median (dot), 50 % (thick) and 90 % (thin) posterior intervals of the hub's effect, "
        "with the calibration's vague priors and with each informative prior from evidence "
        "outside the operations.",
        None,
    )  # fmt: skip


def fig_predictive(r: CalibrationResult, folder: Path) -> FigureInfo:
    """Each published figure against the posterior predictive."""
    cal, problem = r.calibration, r.problem
    targets = cal.targets
    exact = problem.exact_summaries[r.samples.rows]
    fig, axes = _panels(len(targets), 2.6, 2.0)
    for j, (ax, t) in enumerate(zip(axes, targets, strict=True)):
        values = np.expm1(exact[:, j]) if t.uncertainty.scale == "log" else exact[:, j]
        q = weighted_quantile(values, r.samples.weights, [0.05, 0.5, 0.95])
        ax.hist(values, bins=30, weights=r.samples.weights, color=PALETTE[0], alpha=0.7)
        ax.axvline(r.observed[t.name], color="black", lw=1.6, label="published")
        ax.axvspan(q[0], q[2], color="0.85", zorder=0)
        _small(ax, t.name)
    axes[0].legend(fontsize=6, frameon=False)
    return info(
        fig, folder, "predictive", "The posterior predictive against the published figures",
        "What the model's runs show of each published figure over the posterior (its 90 % range "
        "shaded), against the figure itself (line).",
        None,
    )  # fmt: skip


FIGURES = (fig_effects, fig_surface, fig_information, fig_sbc, fig_marginals, fig_predictive)
