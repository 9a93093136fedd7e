"""Approximate Bayesian computation from a reference table: rejection with local-linear
regression adjustment (Beaumont, Zhang and Balding 2002, Genetics 162: 2025-2035).

A reference table holds parameter sets drawn from their prior and the summaries each produced
when simulated. For observed summaries `s_obs`:

1. each summary is scaled by its median absolute deviation over the table, and every row's
   distance to `s_obs` is the Euclidean distance on those scales;
2. the nearest share `accept` of the rows is kept, weighted by the Epanechnikov kernel of its
   distance (1 - (d / d_max)^2);
3. each quantity is regressed on `s - s_obs` by weighted least squares, and the kept rows'
   values are adjusted along the fitted slope to `s_obs`: theta* = theta - beta (s - s_obs).

The adjusted, weighted rows are the posterior. A parameter bounded by its prior is regressed on
the logit of its place within the bounds, so that adjusted values stay inside them (Hamilton,
Currat, Ray et al. 2005). A quantity may be left unadjusted: an outcome a draw's runs showed,
kept as simulated, is then its posterior predictive by rejection.

Pure numpy: arrays in, arrays out; nothing here knows of the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAD_TO_SD = 1.4826  # the median absolute deviation of a normal distribution, as its sd
EDGE = 1e-6  # bounded values are kept this far inside their bounds before the logit


@dataclass(frozen=True)
class Bounds:
    """Lower and upper bound of each quantity (NaN where a quantity is unbounded)."""

    low: np.ndarray
    high: np.ndarray

    @classmethod
    def unbounded(cls, k: int) -> Bounds:
        """No bounds on any of `k` quantities."""
        return cls(np.full(k, np.nan), np.full(k, np.nan))

    @property
    def bounded(self) -> np.ndarray:
        """Which quantities have both bounds."""
        return np.isfinite(self.low) & np.isfinite(self.high)

    def to_free(self, x: np.ndarray) -> np.ndarray:
        """Bounded columns as the logit of their place between the bounds; others unchanged."""
        out = np.array(x, dtype=float, copy=True)
        b = self.bounded
        if b.any():
            span = self.high[b] - self.low[b]
            u = np.clip((out[:, b] - self.low[b]) / span, EDGE, 1 - EDGE)
            out[:, b] = np.log(u) - np.log1p(-u)
        return out

    def from_free(self, z: np.ndarray) -> np.ndarray:
        """The inverse of `to_free`."""
        out = np.array(z, dtype=float, copy=True)
        b = self.bounded
        if b.any():
            out[:, b] = self.low[b] + (self.high[b] - self.low[b]) / (1 + np.exp(-out[:, b]))
        return out


@dataclass(frozen=True)
class Posterior:
    """Weighted samples of each quantity (rows: kept draws of the table)."""

    values: np.ndarray  # kept rows x quantities, adjusted
    weights: np.ndarray  # normalised
    rows: np.ndarray  # the table rows kept

    def quantiles(self, qs) -> np.ndarray:
        """Weighted quantiles: len(qs) x quantities."""
        return np.array([weighted_quantile(col, self.weights, qs) for col in self.values.T]).T

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """The central interval holding `level` of the posterior, per quantity."""
        tail = (1 - level) / 2
        q = self.quantiles([tail, 1 - tail])
        return q[0], q[1]

    @property
    def mean(self) -> np.ndarray:
        """The weighted mean of each quantity."""
        return self.weights @ self.values


def weighted_quantile(x: np.ndarray, w: np.ndarray, qs) -> np.ndarray:
    """Quantiles of a weighted sample (interpolating between the weights' midpoints)."""
    order = np.argsort(x)
    x, w = np.asarray(x, dtype=float)[order], np.asarray(w, dtype=float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(np.asarray(qs, dtype=float), cum, x)


def summary_scale(summaries: np.ndarray) -> np.ndarray:
    """Each summary's spread over the table: its median absolute deviation as an sd (the sd
    where half the values are equal, 1 where a summary never varies)."""
    s = np.asarray(summaries, dtype=float)
    mad = MAD_TO_SD * np.median(np.abs(s - np.median(s, axis=0)), axis=0)
    sd = s.std(axis=0)
    scale = np.where(mad > 0, mad, sd)
    return np.where(scale > 0, scale, 1.0)


def abc_posterior(
    summaries: np.ndarray,
    values: np.ndarray,
    observed: np.ndarray,
    accept: float | int,
    bounds: Bounds | None = None,
    scale: np.ndarray | None = None,
    adjust: bool | np.ndarray = True,
) -> Posterior:
    """The posterior of `values` (table rows x quantities) given `observed` summaries.

    `summaries` is the table's rows x summaries; `accept` the share of rows kept (or, above 1,
    their number); `bounds` the quantities' prior bounds (None: unbounded); `scale` the
    summaries' scales (default: `summary_scale` of the table); `adjust` whether to adjust, for
    all quantities or per quantity."""
    s = np.asarray(summaries, dtype=float)
    theta = np.asarray(values, dtype=float)
    obs = np.asarray(observed, dtype=float)
    if s.ndim != 2 or theta.ndim != 2 or s.shape[0] != theta.shape[0]:
        raise ValueError("summaries and values need one row per draw")
    if obs.shape != (s.shape[1],):
        raise ValueError("observed needs one value per summary")
    n = s.shape[0]
    k = int(accept) if accept > 1 else max(round(accept * n), s.shape[1] + 2)
    k = min(k, n)
    scale = summary_scale(s) if scale is None else np.asarray(scale, dtype=float)
    diff = (s - obs) / scale
    dist = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    kept = np.argpartition(dist, k - 1)[:k] if k < n else np.arange(n)
    kept = kept[np.argsort(dist[kept], kind="stable")]
    d = dist[kept]
    d_max = d[-1] if d[-1] > 0 else 1.0
    w = np.clip(1 - (d / (d_max * (1 + 1e-9))) ** 2, 0, None)
    if w.sum() <= 0:
        w = np.ones_like(d)
    bounds = bounds or Bounds.unbounded(theta.shape[1])
    z = bounds.to_free(theta[kept])
    adjust = np.broadcast_to(np.asarray(adjust, dtype=bool), (theta.shape[1],))
    if adjust.any():
        x = diff[kept] * scale  # s - s_obs, on the summaries' own scales
        z[:, adjust] = z[:, adjust] - x @ _slopes(x, z[:, adjust], w)
    return Posterior(bounds.from_free(z), w / w.sum(), kept)


def _slopes(x: np.ndarray, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares slopes of z on x (with an intercept): summaries x quantities. A
    tiny ridge keeps it defined when a summary does not vary among the kept rows."""
    design = np.column_stack([np.ones(len(x)), x])
    weighted = design * w[:, None]
    gram = design.T @ weighted
    gram += np.eye(gram.shape[0]) * 1e-10 * max(np.trace(gram), 1.0)
    coef = np.linalg.solve(gram, weighted.T @ z)
    return coef[1:]
