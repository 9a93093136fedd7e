"""Statistics for paired replications: bootstrap CIs, paired differences, Wilcoxon, effect size.

All resampling uses a fixed seed so that the same results always give the same intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

N_BOOT = 4000
BOOT_SEED = 20111128  # first day of COCAIR III; any fixed value would do


def _clean(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[np.isfinite(x)]


@lru_cache(maxsize=8)
def resample_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """The bootstrap's resampling rows for samples of size `n`. They depend only on (n, n_boot,
    seed), so the many intervals of an experiment table share one draw instead of making one
    each. Read-only: shared by every caller."""
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    idx.flags.writeable = False
    return idx


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean and its confidence interval (NaN when there was nothing to average)."""

    mean: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class ColumnIntervals:
    """Means and confidence intervals of every column of a matrix, as arrays."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


def bootstrap_mean_ci(
    values, level: float = 0.95, n_boot: int = N_BOOT, seed: int = BOOT_SEED
) -> Interval:
    """Percentile bootstrap CI of the mean. NaN-safe; one value gives a point.

    For a matrix of replicates (rows) by columns (days, say), see `bootstrap_column_ci`."""
    x = _clean(values)
    if x.size == 0:
        return Interval(math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if x.size == 1 or np.all(x == x[0]):
        return Interval(mean, mean, mean)
    means = x[resample_indices(x.size, n_boot, seed)].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return Interval(mean, float(low), float(high))


def bootstrap_column_ci(
    x, level: float = 0.95, n_boot: int = N_BOOT, seed: int = BOOT_SEED
) -> ColumnIntervals:
    """Mean and percentile bootstrap CI of every column of `x` (replicates are rows), all
    columns resampled by the same rows. One row gives points."""
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=0)
    if x.shape[0] < 2:
        return ColumnIntervals(mean, mean.copy(), mean.copy())
    means = x[resample_indices(x.shape[0], n_boot, seed)].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail], axis=0)
    return ColumnIntervals(mean, low, high)


@dataclass(frozen=True)
class PairedComparison:
    """A condition against the baseline over the same replicates."""

    n: int
    diff_mean: float
    diff_low: float
    diff_high: float
    rel_change: float  # mean difference / baseline mean
    rel_low: float
    rel_high: float
    wilcoxon_p: float
    effect_size_dz: float  # mean difference / SD of differences (Cohen's d_z)
    # Where single pairs fall, not the mean: the 90 % range of the paired differences and the
    # share of pairs in which the condition came out above the baseline. Over a posterior,
    # this spread holds the parameters' uncertainty as well as the simulation's chance.
    diff_p05: float = math.nan
    diff_p95: float = math.nan
    share_above: float = math.nan
    share_below: float = math.nan


def paired_comparison(
    treatment, baseline, level: float = 0.95, n_boot: int = N_BOOT, seed: int = BOOT_SEED
) -> PairedComparison:
    """Compare paired samples (same replicate, same random streams) of two conditions."""
    t = np.asarray(treatment, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if t.shape != b.shape:
        raise ValueError("paired samples must have the same length")
    ok = np.isfinite(t) & np.isfinite(b)
    t, b = t[ok], b[ok]
    n = int(t.size)
    if n == 0:
        nan = math.nan
        return PairedComparison(0, nan, nan, nan, nan, nan, nan, nan, nan)
    d = t - b
    interval = bootstrap_mean_ci(d, level, n_boot, seed)
    mean = interval.mean
    base_mean = float(b.mean())
    if n > 1 and not np.all(d == d[0]):
        idx = resample_indices(n, n_boot, seed + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = d[idx].mean(axis=1) / b[idx].mean(axis=1)
        ratios = ratios[np.isfinite(ratios)]
        tail = (1.0 - level) / 2.0
        rel_low, rel_high = (
            (float(np.quantile(ratios, tail)), float(np.quantile(ratios, 1 - tail)))
            if ratios.size
            else (math.nan, math.nan)
        )
    else:
        rel_low = rel_high = mean / base_mean if base_mean else math.nan
    rel = mean / base_mean if base_mean else math.nan
    p = wilcoxon_p(d)
    sd = float(d.std(ddof=1)) if n > 1 else 0.0
    dz = mean / sd if sd > 0 else (0.0 if mean == 0 else math.copysign(math.inf, mean))
    p05, p95 = np.quantile(d, [0.05, 0.95])
    above, below = float(np.mean(d > 0)), float(np.mean(d < 0))
    return PairedComparison(
        n, mean, interval.low, interval.high, rel, rel_low, rel_high, p, dz, float(p05),
        float(p95), above, below,
    )  # fmt: skip


def wilcoxon_p(differences) -> float:
    """Two-sided Wilcoxon signed-rank p-value; 1.0 when every difference is zero."""
    d = _clean(differences)
    if d.size == 0 or np.all(d == 0):
        return 1.0
    if np.count_nonzero(d) < 2:
        return 1.0
    # scipy.stats is imported on first use: the processes that draw figures use the bootstrap
    # above and nothing else, and would pay a slow import for nothing.
    from scipy import stats as sps  # noqa: PLC0415

    res = sps.wilcoxon(d, zero_method="wilcox", alternative="two-sided")
    return float(res.pvalue)
