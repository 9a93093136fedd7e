"""What the evidence does and does not determine about the relay, from a reference table.

- `drivers`: which parameters the hub's effect moves with, over the draws the published figures
  allow (rank correlation), and which of them the figures narrow at all.
- `surface`: the hub's effect over two parameters (by default the targeting uplift and the
  controls an alert uses), averaged over everything else as the published figures allow; where
  the figures put those two parameters; and where the hub stops paying off (the effect's zero).
- `value_of_information`: how narrow the interval of the hub's effect would be after an
  operation recorded more: the outcome of N alerts, the number of alerts, seizures by kind of
  airport, the methods of the seizures. Preposterior: for draws the published figures allow,
  what such records would show, and the posterior's 90 % interval of the effect given them.
- `evidence_weights`: an informative prior from a study of another setting on an observable
  (published hit rates of targeted controls), as weights on the draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cocair_sim.calibration.infer import BASELINE, MAIN_MODE, Problem, effect_name
from cocair_sim.calibration.spec import Evidence
from cocair_sim.stats import rank_correlation
from cocair_sim.stats.abc import weighted_quantile

LOG_SIZES = (25, 50, 100, 200, 400)  # alerts whose outcome an operation could record
VOI_TRUTHS = 100  # draws the published figures allow, for the preposterior
VOI_SEED = 7
ALL_RECORDS = "all of these records"
Z_90 = 1.6448536269514722  # the normal's 95th percentile


def main_effect(problem: Problem) -> int:
    """The column of the headline effect: the main mode against no relay, first outcome."""
    name = effect_name(MAIN_MODE, BASELINE, problem.calibration.spec.effects[0])
    return [q.name for q in problem.quantities].index(name)


def allowed(problem: Problem, accept: float) -> tuple[np.ndarray, np.ndarray]:
    """The draws the published figures allow at a wider acceptance (rows, kernel weights),
    without regression: what averages over "everything else" use, so that each part of the
    parameter space keeps enough draws."""
    post = problem.posterior(problem.observed(), accept=accept)
    return post.rows, post.weights


@dataclass(frozen=True)
class Driver:
    """How one parameter goes with the hub's effect, and how much the figures narrowed it."""

    parameter: str
    rho: float
    low: float
    high: float
    narrowing: float  # the posterior's 90 % interval over the prior's (1: not narrowed)


def drivers(problem: Problem, accept: float = 0.2) -> list[Driver]:
    """Every parameter's rank correlation with the hub's effect over the draws the figures
    allow (resampled by weight), strongest first, with how much the figures narrowed it."""
    rows, weights = allowed(problem, accept)
    rng = np.random.default_rng(11)
    pick = rows[rng.choice(len(rows), size=min(len(rows), 5000), p=weights)]
    effect = problem.values[pick, main_effect(problem)]
    posterior = problem.posterior(problem.observed())
    low90, high90 = posterior.interval(0.9)
    out = []
    for j, q in enumerate(problem.quantities):
        if j not in problem.parameters:
            continue
        rc = rank_correlation(problem.values[pick, j], effect)
        prior_width = problem.bounds.high[j] - problem.bounds.low[j]
        out.append(Driver(q.name, rc.rho, rc.low, rc.high, (high90[j] - low90[j]) / prior_width))
    return sorted(out, key=lambda d: -abs(np.nan_to_num(d.rho)))


@dataclass(frozen=True)
class Surface:
    """The mean effect over a grid of two parameters (bin centres, natural scales), and where
    the published figures put those parameters (posterior mass per bin)."""

    x_name: str
    y_name: str
    x: np.ndarray  # bin centres
    y: np.ndarray
    effect: np.ndarray  # y bins x x bins: weighted mean effect (NaN: no draw)
    se: np.ndarray  # its standard error
    mass: np.ndarray  # posterior mass per bin (sums to 1)
    effect_name: str


def surface(
    problem: Problem,
    x_name: str = "relay.targeting_uplift",
    y_name: str = "relay.controls_per_alert",
    effect: str | None = None,
    bins: int = 8,
    accept: float = 0.2,
) -> Surface:
    """The effect's weighted mean per bin of two parameters, over the draws the figures allow
    (everything else averaged over as they allow it)."""
    names = [q.name for q in problem.quantities]
    jx, jy = names.index(x_name), names.index(y_name)
    je = names.index(effect) if effect else main_effect(problem)
    rows, weights = allowed(problem, accept)
    edges_x = np.linspace(problem.bounds.low[jx], problem.bounds.high[jx], bins + 1)
    edges_y = np.linspace(problem.bounds.low[jy], problem.bounds.high[jy], bins + 1)
    ix = np.clip(np.searchsorted(edges_x, problem.values[rows, jx], side="right") - 1, 0, bins - 1)
    iy = np.clip(np.searchsorted(edges_y, problem.values[rows, jy], side="right") - 1, 0, bins - 1)
    values = problem.values[rows, je]
    mean = np.full((bins, bins), np.nan)
    se = np.full((bins, bins), np.nan)
    for a in range(bins):
        for b in range(bins):
            inside = (iy == a) & (ix == b)
            w = weights[inside]
            if w.sum() <= 0 or inside.sum() < 5:
                continue
            m = float(np.average(values[inside], weights=w))
            var = float(np.average((values[inside] - m) ** 2, weights=w))
            n_eff = w.sum() ** 2 / (w**2).sum()
            mean[a, b], se[a, b] = m, np.sqrt(var / n_eff)
    post = problem.posterior(problem.observed())
    px = np.clip(np.searchsorted(edges_x, post.values[:, jx], side="right") - 1, 0, bins - 1)
    py = np.clip(np.searchsorted(edges_y, post.values[:, jy], side="right") - 1, 0, bins - 1)
    mass = np.zeros((bins, bins))
    np.add.at(mass, (py, px), post.weights)
    qx, qy = problem.quantities[jx], problem.quantities[jy]
    centres_x = qx.to_natural((edges_x[:-1] + edges_x[1:]) / 2)
    centres_y = qy.to_natural((edges_y[:-1] + edges_y[1:]) / 2)
    return Surface(x_name, y_name, centres_x, centres_y, mean, se, mass, names[je])


@dataclass(frozen=True)
class Information:
    """What recording one more thing would leave of the uncertainty about the hub's effect."""

    measurement: str
    size: int | None  # alerts logged, for the alert outcomes
    width_90: float  # mean width of the 90 % interval of the effect
    low: float  # its 10th and 90th percentiles over the truths
    high: float


def _alert_log(problem: Problem, size: int, rng) -> np.ndarray:
    """Each draw's record of `size` alerts: the shares acted on and that found something (a
    binomial sample of its run's rates)."""
    alerts = problem.table.column("obs:alerts")
    rates = []
    for name in ("obs:alerts_controlled", "obs:alerts_found"):
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(alerts > 0, problem.table.column(name) / alerts, 0.0)
        rates.append(rng.binomial(size, np.clip(p, 0, 1)) / size)
    return np.column_stack(rates)


def _records(problem: Problem) -> dict[str, np.ndarray]:
    """The other records an operation could keep, per draw (counts on the log scale)."""
    t = problem.table
    seizures = t.select(["obs:seizures_source", "obs:seizures_transit", "obs:seizures_destination"])
    methods = t.select(["obs:seized_internal", "obs:seized_luggage", "obs:seized_cargo"])
    return {
        "number of alerts the relay delivered": np.log1p(t.select(["obs:alerts"])),
        "seizures by kind of airport (source, transit, destination)": np.log1p(seizures),
        "seizures by concealment method": np.log1p(methods),
    }


def value_of_information(
    problem: Problem, sizes: Sequence[int] = LOG_SIZES, truths: int = VOI_TRUTHS
) -> list[Information]:
    """The expected width of the 90 % interval of the hub's effect after recording each
    measurement, for truths drawn from what the published figures allow (each inferred from the
    other draws, leave-one-out), against the published figures alone. A record joins the
    published figures as further summaries, in the rejection and the regression alike; the
    effect is adjusted itself (`direct`), so that a record bearing on it counts in full.
    """
    rng = np.random.default_rng(VOI_SEED)
    post = problem.posterior(problem.observed())
    chosen = post.rows[rng.choice(len(post.rows), size=truths, p=post.weights)]
    j = main_effect(problem)
    everyone = np.arange(len(problem.table))
    logs = {n: _alert_log(problem, n, rng) for n in sizes}
    records = _records(problem)
    measurements: list[tuple[str, int | None, np.ndarray | None]] = [
        ("the published figures only", None, None),
        *(("outcome of each alert", n, log) for n, log in logs.items()),
        *((name, None, values) for name, values in records.items()),
        (ALL_RECORDS, max(sizes), np.column_stack([logs[max(sizes)], *records.values()])),
    ]
    out = []
    for name, size, extra in measurements:
        widths = []
        for truth in chosen:
            rows = everyone[everyone != truth]
            added = None if extra is None else (extra, extra[truth])
            p = problem.posterior(problem.summaries[truth], rows, added, direct=True)
            low, high = weighted_quantile(p.values[:, j], p.weights, [0.05, 0.95])
            widths.append(high - low)
        widths = np.array(widths)
        out.append(
            Information(
                name,
                size,
                float(widths.mean()),
                float(np.quantile(widths, 0.1)),
                float(np.quantile(widths, 0.9)),
            )
        )
    return out


def evidence_weights(problem: Problem, evidence: Evidence) -> np.ndarray:
    """Weights on the table's draws from evidence on an observable: a normal (on the log scale
    for `scale: log`) whose central 90 % is [low, high]. A draw whose run gives the observable
    no value (no control was prompted by an alert) keeps the mean weight: the evidence says
    nothing of it."""
    x = problem.table.column(f"obs:{evidence.observable}")
    if evidence.scale == "log":
        lo, hi = np.log(evidence.low), np.log(evidence.high)
        with np.errstate(divide="ignore"):
            z = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
    else:
        lo, hi, z = evidence.low, evidence.high, x.astype(float)
    centre, sd = (lo + hi) / 2, (hi - lo) / (2 * Z_90)
    w = np.exp(-0.5 * ((z - centre) / sd) ** 2)
    known = np.isfinite(w)
    w = np.where(known, w, w[known].mean() if known.any() else 1.0)
    return w / w.mean()
