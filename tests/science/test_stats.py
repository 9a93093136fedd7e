"""Paired statistics on synthetic data: coverage, power, the null, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from cocair_sim.science.stats import (
    bootstrap_column_ci,
    bootstrap_mean_ci,
    paired_comparison,
    wilcoxon_p,
)


def test_bootstrap_ci_covers_the_truth_at_about_the_nominal_rate():
    rng = np.random.default_rng(1)
    covered = 0
    for _ in range(300):
        x = rng.normal(10.0, 3.0, size=40)
        _, low, high = bootstrap_mean_ci(x, n_boot=1000)
        covered += low <= 10.0 <= high
    assert 0.90 <= covered / 300 <= 0.98


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
    mean, low, high = bootstrap_column_ci(x, n_boot=800)
    for j in range(4):
        m, lo, hi = bootstrap_mean_ci(x[:, j], n_boot=800)
        assert mean[j] == pytest.approx(m) and low[j] == pytest.approx(lo)
        assert high[j] == pytest.approx(hi)
    one_row = bootstrap_column_ci(x[:1])
    assert (one_row[0] == one_row[1]).all() and (one_row[1] == one_row[2]).all()
