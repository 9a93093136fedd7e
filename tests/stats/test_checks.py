"""The predictive check: calibrated under the model, powerful against a shifted world, and not
fooled by figures that duplicate each other."""

from __future__ import annotations

import numpy as np

from cocair_sim.stats.checks import predictive_check

SD = np.array([0.3, 0.3, 0.3])


def _replicates(rng, n=400, shift=0.0):
    base = rng.normal(3.0 + shift, 0.4, n)
    return np.column_stack([base, base + rng.normal(0, 0.05, n), rng.normal(1.0, 0.5, n)])


def test_under_the_model_the_check_rejects_at_its_nominal_rate():
    rng = np.random.default_rng(1)
    rejected = 0
    for trial in range(300):
        reps = _replicates(rng)
        truth = _replicates(rng, n=1)[0] + rng.normal(0, SD)  # the model's own figures
        rejected += predictive_check(reps, truth, SD, seed=trial).p_joint < 0.05
    assert 0.02 <= rejected / 300 <= 0.09


def test_a_shifted_world_is_rejected():
    rng = np.random.default_rng(2)
    rejected = 0
    for trial in range(100):
        reps = _replicates(rng)
        wrong = _replicates(rng, n=1, shift=2.0)[0] + rng.normal(0, SD)  # four sd away
        rejected += predictive_check(reps, wrong, SD, seed=trial).p_joint < 0.05
    assert rejected >= 90


def test_figures_that_move_together_count_once():
    """The first two figures measure one thing: moved together by two sd they are one figure
    two sd off, where two independent figures two sd off each are further from the model."""
    rng = np.random.default_rng(3)
    reps = _replicates(rng, n=2000)
    check = predictive_check(reps, np.array([4.0, 4.0, 1.0]), SD)
    assert check.correlation[0, 1] > 0.95 and check.groups == ((0, 1), (2,))
    independent = np.column_stack([reps[:, 0], rng.normal(3.0, 0.4, 2000), reps[:, 2]])
    apart = predictive_check(independent, np.array([4.0, 4.0, 1.0]), SD)
    assert apart.groups == ((0,), (1,), (2,))
    assert check.p_joint > 2 * apart.p_joint
    assert check.p_each.shape == (3,) and (check.p_each <= 1).all()


def test_a_wider_model_is_not_easier_to_pass():
    """Doubling the model's spread leaves the rejection rate under the model at its level: the
    check measures in the predictive's own units."""
    rng = np.random.default_rng(4)
    rejected = 0
    for trial in range(200):
        reps = _replicates(rng) * 2
        truth = _replicates(rng, n=1)[0] * 2 + rng.normal(0, SD)
        rejected += predictive_check(reps, truth, SD, seed=trial).p_joint < 0.05
    assert 0.01 <= rejected / 200 <= 0.1


def test_a_figure_far_beyond_every_replicate_scores_by_how_far():
    """Beyond the replicates' range the smoothed CDF still orders values: 10 sd is further than
    6 sd, which a plain rank would call equal."""
    rng = np.random.default_rng(5)
    reps = _replicates(rng)
    six = predictive_check(reps, np.array([5.4, 5.4, 1.0]), SD).normal_scores[0]
    ten = predictive_check(reps, np.array([7.0, 7.0, 1.0]), SD).normal_scores[0]
    assert 3 < six < ten and np.isfinite(ten)
