"""A predictive check of several published figures at once, that does not reward spread.

The model's replicates give a predictive distribution of the figures (on each figure's own
scale: the log for counts); each published figure also carries its own uncertainty, an sd on
that scale, added to every replicate as independent noise. The check then works in three steps:

1. Each figure becomes a normal score: its place in the predictive distribution (a kernel-
   smoothed CDF, so that a figure beyond every replicate still counts by how far beyond),
   mapped to the standard normal. Heavy-tailed figures (two years of seizures) count by rank,
   not by their long tail.
2. Figures the model moves together (correlation above `TOGETHER` across replicates, before the
   figures' own noise) form one group, scored by the standardised mean of its members: cases
   and arrests, which measure the same thing, count once, with their correlation.
3. The score of the published figures is the energy score (Gneiting and Raftery 2007, a proper
   score) against the predictive, in the space of the groups' scores; its p-value is the share
   of the replicates whose own (leave-one-out) score is at least as bad.

A wider model does not pass more easily: every figure is measured in units of the predictive's
own spread and the p-value compares like with like, so a model whose runs spread wide is
rejected as often as any other when it is right (at the nominal level) and when it is wrong the
rejection rate is its power, which `cocair validate --power` measures. Each figure also gets a
two-sided p-value of its own.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

TOGETHER = 0.7  # figures whose replicates correlate beyond this are scored as one group
GRID = 512  # points on which each figure's smoothed predictive CDF is tabulated
CHUNK = 256  # replicates per block of the reference scores' pairwise distances


@dataclass(frozen=True)
class Check:
    """The joint and per-figure results of a predictive check."""

    score: float  # energy score of the published figures (lower is better)
    p_joint: float
    p_each: np.ndarray  # two-sided, per figure
    normal_scores: np.ndarray  # per figure: where the published figure sits, in sd units
    groups: tuple[tuple[int, ...], ...]  # figures scored together
    correlation: np.ndarray  # of the model's replicates (without the figures' own noise)


class PredictiveCheck:
    """The predictive distribution of a set of figures, ready to check any number of datasets.

    Built once from the model's replicates (runs x figures) and each figure's noise sd; every
    array is on the figures' own scales. `seed` draws the figures' noise.
    """

    def __init__(
        self, replicates: np.ndarray, noise_sd: np.ndarray, seed: int = 0, together=TOGETHER
    ):
        reps = np.asarray(replicates, dtype=float)
        sd = np.asarray(noise_sd, dtype=float)
        if reps.ndim != 2 or sd.shape != (reps.shape[1],) or len(reps) < 10:
            raise ValueError("need at least 10 replicates with one column per figure's sd")
        self.noisy = reps + np.random.default_rng(seed).standard_normal(reps.shape) * sd
        n = len(reps)
        spread = self.noisy.std(axis=0)
        # Silverman's rule; a figure the model never moves still has its own noise as spread
        self.bandwidth = 1.06 * np.where(spread > 0, spread, 1.0) * n**-0.2
        self._table = []
        for k in range(reps.shape[1]):
            h = self.bandwidth[k]
            grid = np.linspace(self.noisy[:, k].min() - 4 * h, self.noisy[:, k].max() + 4 * h, GRID)
            self._table.append((grid, *self._log_tails(grid, k)))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.atleast_2d(np.corrcoef(reps, rowvar=False))
        self.correlation = np.nan_to_num(r)
        self.groups = _groups(self.correlation, together)
        # a member that moves against its group's first figure counts with its sign turned
        self.signs = np.sign(self.correlation[[g[0] for g in self.groups for _ in g],
                                              [i for g in self.groups for i in g]])  # fmt: skip
        grouped = self._grouped(self._normal_scores(self.noisy))
        self.group_sd = grouped.std(axis=0)
        self.points = grouped / self.group_sd
        # each replicate's own score against the others (its distance to itself is 0)
        self.reference = np.concatenate([
            np.linalg.norm(self.points[a : a + CHUNK, None, :] - self.points[None], axis=2).sum(1)
            for a in range(0, n, CHUNK)
        ]) / (n - 1)  # fmt: skip

    def _normal_scores(self, values: np.ndarray) -> np.ndarray:
        """Standard-normal scores of `values` (rows x figures) under the smoothed predictive.

        The smoothed CDF is tabulated on a grid over the replicates' range and interpolated
        (in logs, for the tails); a value beyond the grid is computed exactly.
        """
        values = np.atleast_2d(values)
        below = np.empty(values.shape)
        above = np.empty(values.shape)
        for k in range(values.shape[1]):
            grid, grid_below, grid_above = self._table[k]
            inside = (values[:, k] >= grid[0]) & (values[:, k] <= grid[-1])
            below[inside, k] = np.interp(values[inside, k], grid, grid_below)
            above[inside, k] = np.interp(values[inside, k], grid, grid_above)
            below[~inside, k], above[~inside, k] = self._log_tails(values[~inside, k], k)
        # the smaller tail gives the accurate score far out on either side
        return np.where(below < above, stats.norm.ppf(np.exp(below)), stats.norm.isf(np.exp(above)))

    def _log_tails(self, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """log P(X <= x) and log P(X >= x) under figure k's smoothed predictive."""
        z = (x[:, None] - self.noisy[None, :, k]) / self.bandwidth[k]
        log_n = np.log(len(self.noisy))
        return (
            special.logsumexp(special.log_ndtr(z), axis=1) - log_n,
            special.logsumexp(special.log_ndtr(-z), axis=1) - log_n,
        )

    def _grouped(self, scores: np.ndarray) -> np.ndarray:
        signed = scores[:, [i for g in self.groups for i in g]] * self.signs
        edges = np.cumsum([0, *(len(g) for g in self.groups)])
        return np.column_stack([signed[:, a:b].mean(axis=1) for a, b in itertools.pairwise(edges)])

    def test(self, observed: np.ndarray) -> Check:
        """Check one set of figures (on the figures' scales) against the predictive."""
        obs = np.asarray(observed, dtype=float)
        if obs.shape != (self.noisy.shape[1],):
            raise ValueError("observed needs one value per figure")
        scores = self._normal_scores(obs)
        point = self._grouped(scores)[0] / self.group_sd
        score = float(np.linalg.norm(self.points - point, axis=1).mean())
        p_joint = float((1 + np.sum(self.reference >= score)) / (1 + len(self.reference)))
        p_each = np.minimum(1.0, 2 * stats.norm.sf(np.abs(scores[0])))
        return Check(score, p_joint, p_each, scores[0], self.groups, self.correlation)


def _groups(correlation: np.ndarray, together: float) -> tuple[tuple[int, ...], ...]:
    """Connected groups of figures whose replicates correlate beyond `together`."""
    k = len(correlation)
    label = list(range(k))
    for i in range(k):
        for j in range(i + 1, k):
            if abs(correlation[i, j]) > together:
                old, new = label[j], label[i]
                label = [new if x == old else x for x in label]
    return tuple(tuple(i for i in range(k) if label[i] == g) for g in dict.fromkeys(label))


def predictive_check(
    replicates: np.ndarray, observed: np.ndarray, noise_sd: np.ndarray, seed: int = 0
) -> Check:
    """Check `observed` (figures) against the model's `replicates` (runs x figures), each
    figure with its own noise sd; every array on the figures' own scales."""
    return PredictiveCheck(replicates, noise_sd, seed).test(observed)
