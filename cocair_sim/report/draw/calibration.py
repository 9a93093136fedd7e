"""The calibration report's figures: what the published results taught about each parameter.

Each figure is a function `(data, folder) -> FigureInfo`; `FIGURES` lists them in report order
(add one there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cocair_sim.report.draw.style import PALETTE, figure, info
from cocair_sim.report.registry import FigureInfo

PAIRS = 5  # parameters in the pairs plot: those the calibration narrowed most
_NICE = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]


@dataclass(frozen=True)
class CalibrationData:
    """What the calibration figures are drawn from: the calibration and its results."""

    calibration: Any  # cocair_sim.calibration.spec.Calibration
    posterior: Any  # DataFrame: a column per field, and `weight`
    generations: list[dict[str, Any]]
    predictive: list[list[Any]]  # predictive.csv rows
    summary: list[dict[str, Any]]  # per target: published, median, interval

    @property
    def parameters(self):
        """The calibrated parameters, in file order."""
        return self.calibration.spec.parameters

    def narrowing(self) -> dict[str, float]:
        """Posterior sd over prior sd per parameter (small: the targets pinned it down)."""
        w = self.posterior["weight"].to_numpy()
        out = {}
        for par in self.parameters:
            x = self.posterior[par.path].to_numpy(dtype=float)
            sd_post = math.sqrt(float(np.average((x - np.average(x, weights=w)) ** 2, weights=w)))
            low, high = par.prior.low, par.prior.high
            if par.prior.distribution == "uniform":
                sd_prior = (high - low) / math.sqrt(12)
            else:  # sd of a loguniform
                span = math.log(high / low)
                mean = (high - low) / span
                sd_prior = math.sqrt((high**2 - low**2) / (2 * span) - mean**2)
            out[par.path] = sd_post / sd_prior
        return out


def _panels(n: int, width: float, height: float):
    """A figure of `n` small panels, four to a row (the unused ones hidden), and the panels."""
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig = figure(width * cols + 0.5, height * rows + 0.3)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _small(ax, title: str, size: int) -> None:
    """A small panel: its title, small ticks, no density axis; the first one carries the legend."""
    ax.set_title(title, fontsize=size, loc="left")
    ax.tick_params(labelsize=6)
    ax.set_yticks([])
    if ax is ax.figure.axes[0]:
        ax.legend(fontsize=6, frameon=False)


def fig_marginals(data: CalibrationData, folder: Path) -> FigureInfo:
    """Each parameter's posterior against its prior."""
    pars = data.parameters
    fig, axes = _panels(len(pars), 2.4, 2.1)
    w = data.posterior["weight"].to_numpy()
    for ax, par in zip(axes, pars, strict=True):
        x = data.posterior[par.path].to_numpy(dtype=float)
        low, high = par.prior.low, par.prior.high
        log = par.prior.distribution == "loguniform"
        # Densities per unit of the prior's own scale: a loguniform prior is flat on a log axis.
        scale = np.log if log else np.asarray
        edges = np.linspace(scale(low), scale(high), 21)
        heights, _ = np.histogram(scale(x), bins=edges, weights=w, density=True)
        shown = np.exp(edges) if log else edges
        ax.stairs(heights, shown, fill=True, color=PALETTE[0], alpha=0.75, label="posterior")
        ax.stairs([1.0 / (edges[-1] - edges[0])], shown[[0, -1]], color="black", linestyle="--",
                  label="prior")  # fmt: skip
        if log:
            ax.set_xscale("log")
        _small(ax, par.path, 7)
    return info(
        fig,
        folder,
        "marginals",
        "What the published results say about each parameter",
        "Weighted histogram of the last generation's particles (posterior) against the prior "
        "(dashed). A posterior as flat as its prior means the published results do not "
        "constrain that parameter: its whole range is carried into every answer.",
        data.narrowing(),
    )


def fig_pairs(data: CalibrationData, folder: Path) -> FigureInfo:
    """Pairs plot of the parameters the calibration narrowed most."""
    narrow = data.narrowing()
    names = sorted(narrow, key=narrow.get)[: min(PAIRS, len(narrow))]
    k = len(names)
    fig = figure(2.0 * k + 0.5, 2.0 * k + 0.3)
    axes = np.array(fig.subplots(k, k, squeeze=False))
    w = data.posterior["weight"].to_numpy()
    size = 4 + 60 * w / max(w.max(), 1e-12)
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            x = data.posterior[xj].to_numpy(dtype=float)
            if i == j:
                ax.hist(x, bins=15, weights=w, color=PALETTE[0], alpha=0.75)
                ax.set_yticks([])
            else:
                y = data.posterior[yi].to_numpy(dtype=float)
                ax.scatter(x, y, s=size, color=PALETTE[0], alpha=0.35, linewidths=0)
            ax.tick_params(labelsize=5)
            if i == k - 1:
                ax.set_xlabel(xj, fontsize=6)
            if j == 0 and i != j:
                ax.set_ylabel(yi, fontsize=6)
    return info(
        fig,
        folder,
        "pairs",
        "How the best-constrained parameters trade off",
        f"The {k} parameters the calibration narrowed most, in pairs (dot size: particle "
        "weight). A diagonal band means the published results fix a combination of the two "
        "rather than each.",
        names,
    )


def fig_epsilon(data: CalibrationData, folder: Path) -> FigureInfo:
    """Tolerance and acceptance rate by generation."""
    fig = figure(6.5, 3.0)
    ax = fig.subplots()
    g = [r["generation"] for r in data.generations]
    ax.plot(g, [r["epsilon"] for r in data.generations], marker="o", color=PALETTE[0],
            label="tolerance (epsilon)")  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("generation")
    ax.set_ylabel("tolerance (distance)")
    ax2 = ax.twinx()
    ax2.plot(g, [r["acceptance_rate"] for r in data.generations], marker="s", linestyle="--",
             color=PALETTE[1], label="acceptance rate")  # fmt: skip
    ax2.set_ylabel("acceptance rate")
    ax2.set_ylim(0, 1)
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=7, frameon=False)
    return info(
        fig,
        folder,
        "epsilon",
        "Tolerance and acceptance by generation",
        "Each generation accepts simulations closer to the published results than the median "
        "of the previous one (distance in target uncertainties). A tolerance that stops "
        "falling means the model cannot get closer to all targets at once.",
        data.generations,
    )


def fig_predictive(data: CalibrationData, folder: Path) -> FigureInfo:
    """The posterior predictive of each target against its published value."""
    targets = data.calibration.targets
    fig, axes = _panels(len(targets), 2.5, 2.3)
    for j, (ax, target) in enumerate(zip(axes, targets, strict=True)):
        values = np.array([r[3 + j] for r in data.predictive], dtype=float)
        log = target.uncertainty.scale == "log"
        sd = target.uncertainty.sd
        if log:
            low, high = target.value * math.exp(-2 * sd), target.value * math.exp(2 * sd)
        else:
            low, high = target.value - 2 * sd, target.value + 2 * sd
        ax.axvspan(low, high, color="0.85", label="published ± 2 sd")
        # On the target's own scale (log1p for counts), as the distance sees it.
        to, back = (np.log1p, np.expm1) if log else (np.asarray, np.asarray)
        edges = back(np.linspace(to(values.min()), to(values.max()) + 1e-9, 20))
        ax.hist(values, bins=edges, color=PALETTE[0], alpha=0.75, label="posterior predictive")
        ax.axvline(target.value, color="black", linewidth=1.5, label="published")
        if log:
            ax.set_xscale("function", functions=(lambda v: np.log1p(np.maximum(v, 0)), np.expm1))
            top = max(float(values.max()), high) * 1.1
            ax.set_xlim(0, top)
            ticks = [t for t in _NICE if t <= top]
            ax.set_xticks(ticks[:: max(1, len(ticks) // 6)], minor=False)
            ax.xaxis.set_major_formatter("{x:g}")
        _small(ax, target.name, 8)
    return info(
        fig,
        folder,
        "predictive",
        "Posterior predictive against the published results",
        "Runs with parameters drawn from the posterior (blue) against each published value "
        "(black) and the band its uncertainty allows (grey, two standard deviations).",
        data.summary,
    )


FIGURES = (fig_marginals, fig_pairs, fig_epsilon, fig_predictive)
