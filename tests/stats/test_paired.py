"""Paired statistics on synthetic data: coverage, power, the null, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from cocair_sim.stats import (
    bootstrap_column_ci,
    bootstrap_mean_ci,
    paired_comparison,
    wilcoxon_p,
)

# 1,000 samples put the binomial standard error of a coverage near 95 % at 0.7 points: the
# band below holds a true 95 % interval (the percentile bootstrap covers ~94 % at n = 40) and
# rejects a 90 % one by more than five standard errors.
COVERAGE_SAMPLES = 1000
NOMINAL_95 = (0.925, 0.97)


def _coverage(level: float) -> float:
    rng = np.random.default_rng(1)
    covered = 0
    for _ in range(COVERAGE_SAMPLES):
        ci = bootstrap_mean_ci(rng.normal(10.0, 3.0, size=40), level=level, n_boot=1000)
        covered += ci.low <= 10.0 <= ci.high
    return covered / COVERAGE_SAMPLES


def test_bootstrap_ci_covers_the_truth_at_its_nominal_rate():
    low, high = NOMINAL_95
    assert low <= _coverage(0.95) <= high


def test_the_coverage_band_rejects_a_90_percent_interval_called_95():
    assert _coverage(0.90) < NOMINAL_95[0]


def test_paired_test_detects_a_planted_difference_and_not_a_null():
    rng = np.random.default_rng(7)
    base = rng.normal(50, 10, size=60)  # big between-replicate variation ...
    noise = rng.normal(0, 1, size=60)
    planted = paired_comparison(base + 2.0 + noise, base)  # ... small paired effect
    assert planted.diff_low > 0 and planted.wilcoxon_p < 1e-6
    assert planted.diff_low <= 2.0 <= planted.diff_high
    assert planted.rel_change == pytest.approx(planted.diff_mean / base.mean())
    assert planted.effect_size_dz > 1
    # Under the null, the test rejects at about its nominal 5 % rate, not more.
    rejections = sum(
        paired_comparison(base + rng.normal(0, 1, size=60), base, n_boot=500).wilcoxon_p < 0.05
        for _ in range(200)
    )
    assert rejections / 200 <= 0.09


def test_wilcoxon_handles_all_zero_differences():
    assert wilcoxon_p(np.zeros(10)) == 1.0
    cmp = paired_comparison([1, 2, 3], [1, 2, 3])
    assert cmp.diff_mean == 0 and cmp.wilcoxon_p == 1.0


def test_column_intervals_are_the_scalar_intervals_of_each_column():
    rng = np.random.default_rng(3)
    x = rng.normal(5.0, 2.0, size=(30, 4))
    columns = bootstrap_column_ci(x, n_boot=800)
    for j in range(4):
        ci = bootstrap_mean_ci(x[:, j], n_boot=800)
        assert columns.mean[j] == pytest.approx(ci.mean)
        assert columns.low[j] == pytest.approx(ci.low)
        assert columns.high[j] == pytest.approx(ci.high)
    one_row = bootstrap_column_ci(x[:1])
    assert (one_row.mean == one_row.low).all() and (one_row.low == one_row.high).all()
