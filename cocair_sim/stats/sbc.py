"""Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari and Gelman 2018): is an
inference method's posterior calibrated?

Draw a truth from the prior, simulate data from it, infer the posterior from the data, and note
where the truth falls in it (its rank: the posterior mass below it). Over many datasets the
ranks are uniform on [0, 1] exactly when the posteriors are calibrated; the share of truths
inside the central 50 % (or 90 %) intervals is then 50 % (90 %). A posterior too narrow piles
ranks at both ends and covers less; one too wide, in the middle, and covers more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def rank_of(
    samples: np.ndarray, weights: np.ndarray, truth: float, rng: np.random.Generator
) -> float:
    """Where `truth` falls in a posterior sample, on [0, 1]: uniform over datasets when the
    posterior is calibrated.

    With L equally weighted samples this is Talts et al.'s randomised rank, (r + u) / (L + 1)
    for r samples below the truth and u a uniform draw, so that a truth beyond every sample is
    not counted outside a 90 % interval more often than one in ten; weighted samples count as
    their effective number. Samples equal to the truth (a count, an effect of exactly 0) are
    split at random between below and above.
    """
    samples, weights = np.asarray(samples, dtype=float), np.asarray(weights, dtype=float)
    weights = weights / weights.sum()
    below = weights[samples < truth].sum() + rng.uniform() * weights[samples == truth].sum()
    size = 1.0 / float(np.sum(weights**2))
    return float((below * size + rng.uniform()) / (size + 1))


def coverage(ranks: np.ndarray, level: float) -> float:
    """The share of truths inside the central `level` interval of their posteriors."""
    ranks = np.asarray(ranks, dtype=float)
    tail = (1 - level) / 2
    return float(np.mean((ranks >= tail) & (ranks <= 1 - tail)))


def histogram(ranks: np.ndarray, bins: int = 10) -> np.ndarray:
    """Counts of ranks in `bins` equal bins of [0, 1]."""
    counts, _ = np.histogram(np.asarray(ranks, dtype=float), bins=bins, range=(0.0, 1.0))
    return counts


@dataclass(frozen=True)
class Calibration:
    """What simulation-based calibration found for one quantity."""

    name: str
    ranks: np.ndarray
    coverage_50: float
    coverage_90: float
    uniformity_p: float  # chi-square test of the rank histogram against uniform

    def within(self, points: float) -> bool:
        """Whether both coverages are within `points` percentage points of nominal."""
        return (
            abs(self.coverage_50 - 0.5) * 100 <= points
            and abs(self.coverage_90 - 0.9) * 100 <= points
        )


def calibration_of(name: str, ranks: np.ndarray, bins: int = 10) -> Calibration:
    """Coverage of the 50 % and 90 % intervals and the rank histogram's uniformity."""
    from scipy.stats import chisquare  # noqa: PLC0415 - scipy.stats on first use only

    counts = histogram(ranks, bins)
    p = float(chisquare(counts).pvalue) if len(ranks) >= bins else float("nan")
    return Calibration(name, np.asarray(ranks), coverage(ranks, 0.5), coverage(ranks, 0.9), p)
