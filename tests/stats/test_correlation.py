"""Rank correlations with intervals: strength, direction, and intervals that cover."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from cocair_sim.stats import rank_correlation


def test_a_strong_monotone_relation_and_no_relation_are_told_apart():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=60)
    strong = rank_correlation(x, 3 * x + rng.normal(0, 0.3, 60))
    assert strong.rho > 0.8 and strong.low <= strong.rho <= strong.high
    assert strong.p_value < 1e-6
    none = rank_correlation(x, rng.normal(size=60))
    assert none.low < 0 < none.high and none.p_value > 0.01
    falling = rank_correlation(x, -x)
    assert falling.rho == -1.0 or math.isclose(falling.rho, -1.0)


def test_the_interval_covers_the_population_rho_about_95_times_in_100():
    # Bivariate normal with r = 0.5: Spearman's population rho is (6/pi) asin(r/2).
    truth = 6 / math.pi * math.asin(0.25)
    rng = np.random.default_rng(5)
    cov = [[1.0, 0.5], [0.5, 1.0]]
    covered = 0
    for _ in range(600):
        x, y = rng.multivariate_normal([0, 0], cov, size=50).T
        rc = rank_correlation(x, y)
        covered += rc.low <= truth <= rc.high
    # Standard error 0.9 points at 95 %: a 90 % interval would fall below 0.925.
    assert 0.925 <= covered / 600 <= 0.975


def test_constant_or_tiny_samples_give_nan_not_a_number_that_looks_real():
    assert math.isnan(rank_correlation([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]).rho)
    assert math.isnan(rank_correlation([1, 2, 3], [1, 2, 3]).rho)
    x = np.arange(10.0)
    assert rank_correlation(x, x**3).p_value == stats.spearmanr(x, x**3).pvalue
