"""ABC with regression adjustment on a model whose posterior is known, checked by simulation-
based calibration: calibrated intervals cover at their nominal rate, and an overconfident
posterior is caught."""

from __future__ import annotations

import numpy as np
import pytest

from cocair_sim.stats.abc import Bounds, abc_posterior, weighted_quantile
from cocair_sim.stats.sbc import calibration_of, coverage, rank_of

LOW, HIGH = np.array([0.0, 0.0]), np.array([10.0, 10.0])


def simulate(theta: np.ndarray, rng) -> np.ndarray:
    """Summaries: the first parameter seen well, the sum of both seen less well, and a summary
    that carries nothing."""
    n = len(theta)
    return np.column_stack(
        [
            theta[:, 0] + rng.normal(0, 0.5, n),
            theta[:, 0] + theta[:, 1] + rng.normal(0, 2.0, n),
            rng.normal(0, 1, n),
        ]
    )


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(1)
    theta = rng.uniform(LOW, HIGH, size=(20_000, 2))
    return theta, simulate(theta, rng)


def _sbc(table, datasets=500, shrink=1.0, accept=0.02):
    """Ranks of held-out truths in their posteriors (the last `datasets` rows are the truths;
    inference uses the others). `shrink` < 1 narrows every posterior around its mean."""
    theta, summaries = table
    ref_t, ref_s = theta[:-datasets], summaries[:-datasets]
    rng = np.random.default_rng(2)
    ranks = []
    for truth, observed in zip(theta[-datasets:], summaries[-datasets:], strict=True):
        post = abc_posterior(ref_s, ref_t, observed, accept, Bounds(LOW, HIGH))
        values = post.mean + shrink * (post.values - post.mean)
        ranks.append([rank_of(values[:, j], post.weights, truth[j], rng) for j in (0, 1)])
    return np.array(ranks)


def test_the_posterior_is_calibrated_for_every_parameter(table):
    ranks = _sbc(table)
    for j, name in enumerate(("theta_1", "theta_2")):
        result = calibration_of(name, ranks[:, j])
        assert result.within(5), (name, result.coverage_50, result.coverage_90)


def test_an_overconfident_posterior_is_caught(table):
    ranks = _sbc(table, shrink=0.4)
    assert coverage(ranks[:, 0], 0.9) < 0.85 and coverage(ranks[:, 1], 0.9) < 0.85
    assert not calibration_of("theta_1", ranks[:, 0]).within(5)


def test_regression_narrows_rejection_and_keeps_values_inside_the_prior(table):
    theta, summaries = table
    observed = np.array([9.8, 12.0, 0.0])  # near the upper bound of the first parameter
    bounds = Bounds(LOW, HIGH)
    adjusted = abc_posterior(summaries, theta, observed, 0.05, bounds)
    rejection = abc_posterior(summaries, theta, observed, 0.05, bounds, adjust=False)
    low, high = adjusted.interval(0.9)
    r_low, r_high = rejection.interval(0.9)
    assert high[0] - low[0] < r_high[0] - r_low[0]
    assert (adjusted.values >= LOW).all() and (adjusted.values <= HIGH).all()
    assert 8.5 < adjusted.mean[0] <= 10.0


def test_a_summary_that_carries_nothing_leaves_the_prior(table):
    theta, summaries = table
    only_noise = summaries[:, [2]]
    post = abc_posterior(only_noise, theta, np.array([0.3]), 0.05, Bounds(LOW, HIGH))
    low, high = post.interval(0.9)
    assert (high - low > 0.85 * 9.0).all()  # a uniform prior's 90 % interval is 9 wide


def test_weighted_quantiles_match_repeated_samples():
    x = np.array([1.0, 2.0, 3.0])
    w = np.array([1.0, 2.0, 1.0])
    repeated = np.array([1.0, 2.0, 2.0, 3.0])
    assert weighted_quantile(x, w, [0.5])[0] == pytest.approx(np.median(repeated))
