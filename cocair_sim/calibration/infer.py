"""Inference from a reference table: the posterior of the parameters and of the relay's effects
given published (or any) figures, and the proof that it is calibrated.

The summaries are the published figures on their own scales (the log for counts); each table
draw's summaries carry the figures' own uncertainty as noise (a fixed draw per row), so the
posterior accounts for how far a published figure may be from what it measures. Rejection with
local-linear regression adjustment (`cocair_sim.stats.abc`) gives weighted samples of every
parameter, on the scale it was drawn on (the logarithm for a loguniform prior, within the
prior's bounds).

The relay's effect comes in two kinds. The effect in one week is what a draw's paired runs
showed: the expected effect plus the luck of that week's couriers, kept as simulated (not
regression-adjusted, which would smear a count's ties). The expected effect is the mean over
weeks at given parameter values: a gradient-boosted regression of the table's one-week effects
on the parameters (scikit-learn), evaluated at each posterior sample's (adjusted) parameters.
It is a function of the parameters, so what the figures leave uncertain about it is exactly
what they leave uncertain about the parameters; it is the headline.

Simulation-based calibration holds out the table's last draws, infers each one's posterior from
the rest as if its figures had been published, and checks where its own values fall
(`cocair_sim.stats.sbc`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from cocair_sim.calibration.spec import Calibration
from cocair_sim.calibration.table import Table
from cocair_sim.model.observations import transform
from cocair_sim.stats.abc import Bounds, Posterior, abc_posterior, summary_scale
from cocair_sim.stats.sbc import Calibration as Coverage
from cocair_sim.stats.sbc import calibration_of, rank_of

NOISE_SEED = 20111128  # the fixed draw of the published figures' noise per table row
RANK_SEED = 2024
MAIN_MODE, BASELINE, SLOW = "hub", "none", "bilateral"


PARAMETER, EXPECTED, WEEK = "parameter", "expected", "week"


@dataclass(frozen=True)
class Quantity:
    """Something inferred: a parameter (on its sampled scale) or a paired effect (expected over
    weeks, or in one week)."""

    name: str
    label: str
    kind: str = PARAMETER
    log: bool = False  # sampled as its logarithm (a loguniform prior)
    integer: bool = False
    low: float = np.nan  # prior bounds on the natural scale (NaN: none)
    high: float = np.nan

    def to_sampled(self, x: np.ndarray) -> np.ndarray:
        """Natural values on the scale the inference works on."""
        return np.log(x) if self.log else np.asarray(x, dtype=float)

    def to_natural(self, z: np.ndarray) -> np.ndarray:
        """The inverse of `to_sampled`."""
        return np.exp(z) if self.log else np.asarray(z, dtype=float)


def effect_name(mode: str, baseline: str, outcome: str, kind: str = EXPECTED) -> str:
    """The name of a paired effect: `effect:` (expected over weeks) or `week:` (in one week)."""
    prefix = "effect" if kind == EXPECTED else "week"
    return f"{prefix}:{mode}-{baseline}:{outcome}"


def split_effect(name: str) -> tuple[str, str, str]:
    """(mode, baseline, outcome) of an effect's name."""
    modes, outcome = name.split(":", 1)[1].split(":", 1)
    mode, baseline = modes.split("-")
    return mode, baseline, outcome


@dataclass(frozen=True)
class Problem:
    """What a calibration infers from its table: the quantities, the summaries, and each
    draw's values and (noisy) summaries."""

    calibration: Calibration
    table: Table

    @cached_property
    def quantities(self) -> list[Quantity]:
        """Every parameter, then each effect of the main mode against no relay and against
        bilateral exchange: expected, then in one week."""
        out = [
            Quantity(
                p.path,
                p.path,
                log=p.prior.distribution == "loguniform",
                integer=p.integer,
                low=p.prior.low,
                high=p.prior.high,
            )
            for p in self.calibration.spec.parameters
        ]
        modes = self.table.modes
        for outcome in self.calibration.spec.effects:
            for other in (BASELINE, SLOW):
                if MAIN_MODE in modes and other in modes:
                    label = f"{MAIN_MODE} - {other}, {outcome}"
                    out.append(Quantity(effect_name(MAIN_MODE, other, outcome), label, EXPECTED))
                    out.append(Quantity(effect_name(MAIN_MODE, other, outcome, WEEK),
                                        f"{label}, one week", WEEK))  # fmt: skip
        return out

    @property
    def parameters(self) -> list[int]:
        """The columns of the parameters."""
        return [j for j, q in enumerate(self.quantities) if q.kind == PARAMETER]

    @cached_property
    def values(self) -> np.ndarray:
        """Draws x quantities, on the sampled scales."""
        out = np.empty((len(self.table), len(self.quantities)))
        for j, q in enumerate(self.quantities):
            if q.kind == PARAMETER:
                out[:, j] = q.to_sampled(self.table.column(q.name))
            elif q.kind == WEEK:
                out[:, j] = self.table.effect(*split_effect(q.name))
        return self._with_expected(out)

    @cached_property
    def emulators(self) -> dict[int, Any]:
        """Per expected effect (by column): the regression of the one-week effects on the
        parameters (sampled scales) over the whole table."""
        from sklearn.ensemble import HistGradientBoostingRegressor  # noqa: PLC0415 - heavy

        params = np.column_stack(
            [q.to_sampled(self.table.column(q.name)) for q in self.quantities
             if q.kind == PARAMETER]
        )  # fmt: skip
        out = {}
        for j, q in enumerate(self.quantities):
            if q.kind == EXPECTED:
                model = HistGradientBoostingRegressor(max_iter=200, random_state=j)
                out[j] = model.fit(params, self.table.effect(*split_effect(q.name)))
        return out

    def _with_expected(self, samples: np.ndarray) -> np.ndarray:
        """`samples` (rows x quantities) with each expected effect computed from the rows'
        parameters."""
        params = samples[:, self.parameters]
        for j, model in self.emulators.items():
            samples[:, j] = model.predict(params)
        return samples

    @cached_property
    def bounds(self) -> Bounds:
        """The quantities' prior bounds on the sampled scales (effects: none)."""
        low = np.array([q.to_sampled(q.low) if np.isfinite(q.low) else np.nan
                        for q in self.quantities])  # fmt: skip
        high = np.array([q.to_sampled(q.high) if np.isfinite(q.high) else np.nan
                         for q in self.quantities])  # fmt: skip
        return Bounds(low, high)

    @cached_property
    def noise_sd(self) -> np.ndarray:
        """Each published figure's own uncertainty, on its scale."""
        return np.array([t.uncertainty.sd for t in self.calibration.targets])

    @cached_property
    def exact_summaries(self) -> np.ndarray:
        """Draws x targets: what each draw's run showed of each figure, on the figure's scale."""
        return np.column_stack(
            [transform(self.table.column(f"target:{t.name}"), t) for t in self.calibration.targets]
        )

    @cached_property
    def summaries(self) -> np.ndarray:
        """Draws x targets: as the figures would be published (with their own noise)."""
        rng = np.random.default_rng(NOISE_SEED)
        return (
            self.exact_summaries + rng.standard_normal(self.exact_summaries.shape) * self.noise_sd
        )

    def observed(self, figures: Mapping[str, float] | None = None) -> np.ndarray:
        """Published figures (default: the calibration's targets' own values) as summaries."""
        figures = figures or {}
        return np.array(
            [float(transform(figures.get(t.name, t.value), t)) for t in self.calibration.targets]
        )

    def posterior(
        self,
        observed: np.ndarray,
        rows: np.ndarray | None = None,
        extra: tuple[np.ndarray, np.ndarray] | None = None,
        accept: float | None = None,
        direct: bool = False,
    ) -> Posterior:
        """The posterior given observed summaries, from the table's `rows` (default: all).
        `extra` adds records (draws x more, observed more) to the summaries. The expected effects
        are computed from the adjusted parameters, or with `direct` adjusted themselves (so that
        the records' own bearing on them counts)."""
        rows = np.arange(len(self.table)) if rows is None else rows
        s, obs = self.summaries[rows], observed
        if extra is not None:
            s = np.column_stack([s, extra[0][rows]])
            obs = np.concatenate([obs, extra[1]])
        accept = self.calibration.spec.accept if accept is None else accept
        adjust = np.array([q.kind != WEEK for q in self.quantities])
        post = abc_posterior(
            s, self.values[rows], obs, accept, self.bounds, summary_scale(s), adjust
        )
        if direct:
            return post
        return replace(post, values=self._with_expected(post.values))

    def natural(self, posterior: Posterior) -> np.ndarray:
        """A posterior's samples on the quantities' natural scales (integers rounded)."""
        out = np.empty_like(posterior.values)
        for j, q in enumerate(self.quantities):
            col = q.to_natural(posterior.values[:, j])
            out[:, j] = np.round(col) if q.integer else col
        return out

    def reference_and_held_out(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows inference uses, and the last `sbc_datasets` held out to check it."""
        n, held = len(self.table), self.calibration.spec.sbc_datasets
        if n <= held + 50:
            raise ValueError(f"a table of {n} draws is too small to hold out {held}")
        return np.arange(n - held), np.arange(n - held, n)


@dataclass(frozen=True)
class SBCResult:
    """Simulation-based calibration of every quantity."""

    quantities: list[Quantity]
    ranks: np.ndarray  # held-out datasets x quantities
    results: list[Coverage]

    def worst(self) -> tuple[float, float]:
        """The largest distances (in points) of the 50 % and 90 % coverages from nominal."""
        return (
            max(abs(r.coverage_50 - 0.5) for r in self.results) * 100,
            max(abs(r.coverage_90 - 0.9) for r in self.results) * 100,
        )


def simulation_based_calibration(
    problem: Problem, shrink: float = 1.0, quantities: Sequence[int] | None = None
) -> SBCResult:
    """Infer each held-out draw from the others as if its figures were published, and note the
    rank of its own values in its posterior. `shrink` < 1 narrows every posterior around its
    mean: an overconfident posterior, which the check must catch."""
    reference, held = problem.reference_and_held_out()
    chosen = list(range(len(problem.quantities))) if quantities is None else list(quantities)
    rng = np.random.default_rng(RANK_SEED)
    ranks = np.empty((len(held), len(chosen)))
    for i, row in enumerate(held):
        post = problem.posterior(problem.summaries[row], reference)
        for k, j in enumerate(chosen):
            samples = post.values[:, j]
            samples = post.mean[j] + shrink * (samples - post.mean[j])
            ranks[i, k] = rank_of(samples, post.weights, problem.values[row, j], rng)
    quantities = [problem.quantities[j] for j in chosen]
    results = [calibration_of(q.name, ranks[:, k]) for k, q in enumerate(quantities)]
    return SBCResult(quantities, ranks, results)


def resample(posterior: Posterior, size: int, seed: int) -> np.ndarray:
    """`size` particles drawn by weight from a posterior (row indices into its samples)."""
    rng = np.random.default_rng(seed)
    return rng.choice(len(posterior.weights), size=size, p=posterior.weights)
