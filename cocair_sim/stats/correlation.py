"""Rank correlation with an interval: which uncertain input an effect moves with."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z_95 = 1.959964  # two-sided 95 % quantile of the normal distribution


@dataclass(frozen=True, slots=True)
class RankCorrelation:
    """Spearman's rho with its 95 % interval and p-value (all NaN when undefined)."""

    rho: float
    low: float
    high: float
    p_value: float


def rank_correlation(x, y) -> RankCorrelation:
    """Spearman's rho of x and y, its 95 % interval (Fisher's z with Bonett and Wright's
    variance for Spearman's rho, Psychometrika 2000) and its p-value."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = x.size
    if n < 4 or np.all(x == x[0]) or np.all(y == y[0]):
        return RankCorrelation(math.nan, math.nan, math.nan, math.nan)
    from scipy import stats  # noqa: PLC0415 - on first use: see `paired.wilcoxon_p`

    res = stats.spearmanr(x, y)
    rho = float(res.statistic)
    z = math.atanh(max(min(rho, 0.999999), -0.999999))
    half = Z_95 * math.sqrt((1 + rho**2 / 2) / (n - 3))
    return RankCorrelation(rho, math.tanh(z - half), math.tanh(z + half), float(res.pvalue))
