"""ABC-SMC with pyabc: priors, distance, sampler and history for a calibration.

The distance between a simulation and the published results is Euclidean on each target's own
scale (log for counts, linear for shares), each difference divided by the target's uncertainty:
a target published as "about 50, within a factor of 1.35" weighs as much as one published as
"0.15 plus or minus 0.1". Tolerances come from pyabc's default schedule (the median distance of
the previous generation).
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
from distributed import Client
from pyabc.sampler import (
    DaskDistributedSampler,
    MulticoreEvalParallelSampler,
    SingleCoreSampler,
)

from cocair_sim.calibration.evaluate import Evaluator
from cocair_sim.calibration.spec import Calibration
from cocair_sim.errors import InputError


def _quiet() -> None:
    """pyabc's own log lines would interleave with the progress bar; what they report is in
    generations.csv and the report."""
    for name in ("ABC", *(f"ABC.{n}" for n in ("Sampler", "Epsilon", "Distance", "History"))):
        logging.getLogger(name).setLevel(logging.WARNING)
    # Importance weights are products of many densities: their raw sum can be tiny, which pyabc
    # warns about before it normalises them (as it always does).
    logging.getLogger("ABC.Population").setLevel(logging.ERROR)


def prior(calibration: Calibration):
    """pyabc's prior: one independent uniform distribution per parameter, on the scale it is
    sampled on (`Prior.sampled_bounds`)."""

    rvs = {}
    for par in calibration.spec.parameters:
        low, high = par.prior.sampled_bounds()  # a loguniform prior is uniform in the log
        rvs[par.path] = pyabc.RV("uniform", low, high - low)
    return pyabc.Distribution(**rvs)


def distance(calibration: Calibration):
    """pyabc's distance: Euclidean over the targets, each target's difference divided by its
    uncertainty (on the target's own scale, as the evaluator reports it)."""
    weights = {t.name: 1.0 / t.uncertainty.sd for t in calibration.targets}
    return pyabc.PNormDistance(p=2, fixed_weights=weights)


def sampler(stack: ExitStack, workers: int, scheduler: str | None):
    """Single-core (repeatable with a seed), local processes, or a Dask cluster. Returns
    (sampler, backend name)."""
    _quiet()
    if scheduler:
        try:
            client = stack.enter_context(Client(scheduler, timeout="20s"))
        except (OSError, TimeoutError) as exc:
            raise InputError(
                "--scheduler", scheduler, f"cannot reach the scheduler ({exc})"
            ) from None
        cores = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        # Batches amortise the per-task overhead; a few per core keep every core busy.
        return DaskDistributedSampler(
            client, batch_size=4, client_max_jobs=max(4, 4 * cores)
        ), "dask"
    if workers > 1:
        return MulticoreEvalParallelSampler(n_procs=workers), "local"
    return SingleCoreSampler(), "in-process"


PRIOR_SHARE = 0.15


class DefensiveTransition(pyabc.MultivariateNormalTransition):
    """pyabc's multivariate normal perturbation, with a share of proposals drawn from the prior
    (defensive importance sampling, Hesterberg 1995, Technometrics).

    A particle's importance weight is its prior density over the proposal's. With some twenty
    parameters, a perturbation kernel alone makes that ratio vary by orders of magnitude, and
    after two generations a handful of particles carry the whole posterior: its intervals then
    look far narrower than the published results justify. With a share of the proposal from the
    prior (uniform on the sampled scale), no weight can exceed 1 / share times the prior's, and
    what the targets do not constrain stays as wide as it was."""

    def __init__(self, bounds: dict[str, tuple[float, float]], share: float = PRIOR_SHARE):
        super().__init__()
        self.bounds = bounds
        self.share = share

    def _box(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        cols = list(self.X.columns)
        lo = np.array([self.bounds[c][0] for c in cols])
        hi = np.array([self.bounds[c][1] for c in cols])
        return cols, lo, hi

    def _from_prior(self, size: int) -> pd.DataFrame:
        cols, lo, hi = self._box()
        return pd.DataFrame(
            lo + np.random.uniform(size=(size, len(cols))) * (hi - lo), columns=cols
        )

    def rvs_single(self) -> pyabc.Parameter:
        """One proposal: from the prior with probability `share`, else from the kernel."""
        if np.random.uniform() < self.share:
            return pyabc.Parameter(self._from_prior(1).iloc[0])
        return super().rvs_single()

    def rvs(self, size: int | None = None):
        """`size` proposals (a DataFrame), each from the prior with probability `share`; one
        Parameter when `size` is None."""
        if size is None:
            return self.rvs_single()
        out = super().rvs(size).reset_index(drop=True)
        mask = np.random.uniform(size=size) < self.share
        if mask.any():
            out.loc[mask] = self._from_prior(int(mask.sum())).to_numpy()
        return out

    def pdf(self, x):
        """The mixture's density at `x` (a Parameter or a DataFrame of them): what the
        importance weights divide by."""
        kernel = super().pdf(x)
        cols, lo, hi = self._box()
        if isinstance(x, pd.DataFrame):
            arr = x[cols].to_numpy(dtype=float)
        else:
            arr = np.array([x[c] for c in cols], dtype=float)
        inside = np.all((arr >= lo) & (arr <= hi), axis=-1)
        prior = np.where(inside, 1.0 / float(np.prod(hi - lo)), 0.0)
        mixed = (1 - self.share) * kernel + self.share * prior
        return float(mixed) if np.ndim(mixed) == 0 else mixed


def defensive_transition(calibration: Calibration) -> DefensiveTransition:
    """The perturbation of a calibration, its prior box on the sampled scale."""
    return DefensiveTransition(
        {p.path: p.prior.sampled_bounds() for p in calibration.spec.parameters}
    )


def abc_smc(calibration: Calibration, sampler_):
    """A new ABC-SMC object. A calibration makes one per generation and loads the history
    into it: pyabc then sets each generation's tolerance from the stored population, the same
    way whether the calibration ran on or was resumed."""

    _quiet()
    return pyabc.ABCSMC(
        Evaluator.of(calibration),
        prior(calibration),
        distance(calibration),
        population_size=calibration.spec.population_size,
        sampler=sampler_,
        transitions=defensive_transition(calibration),
    )


def history_url(path: Path) -> str:
    """The SQLAlchemy URL pyabc stores its history at, for a file path."""
    return f"sqlite:///{Path(path).resolve()}"
