"""A posterior predictive check against the results a scenario publishes (`published:`).

For each target the scenario is run `replications` times (each replicate with its own seed and,
given a posterior, its own particle drawn by weight) and the target is read from every run on
the published figure's terms. On the target's scale (log for counts), the published value must
lie within `Z_LIMIT` standard deviations of the runs' mean, the deviation combining the target's
own uncertainty with the runs' spread: a figure published as "about 50, within a third" and a
model whose weeks vary a lot are both given their due, and nothing else widens the band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cocair_sim.experiment.posterior import Posterior
from cocair_sim.model.model import CocairModel
from cocair_sim.model.observations import observe, transform
from cocair_sim.scenario.schema import PublishedTarget, Scenario
from cocair_sim.scenario.updates import with_values

Z_LIMIT = 2.0  # about 95 % of a normal distribution


@dataclass(frozen=True)
class TargetCheck:
    """One published target against the runs' values of it."""

    target: PublishedTarget
    values: np.ndarray  # one per run, on the published figure's terms

    @property
    def median(self) -> float:
        """The runs' median."""
        return float(np.median(self.values))

    @property
    def p05(self) -> float:
        """The runs' 5th percentile."""
        return float(np.percentile(self.values, 5))

    @property
    def p95(self) -> float:
        """The runs' 95th percentile."""
        return float(np.percentile(self.values, 95))

    @property
    def z(self) -> float:
        """(published - mean of the runs) / combined sd, on the target's scale."""
        shown = np.asarray(transform(self.values, self.target), dtype=float)
        published = float(transform(self.target.value, self.target))
        sd = math.sqrt(self.target.uncertainty.sd**2 + float(shown.var(ddof=1)))
        return (published - float(shown.mean())) / sd

    @property
    def inside(self) -> bool:
        """Whether the published value lies within `Z_LIMIT` combined sds."""
        return abs(self.z) <= Z_LIMIT


def check_published(
    scenario: Scenario,
    replications: int,
    seed: int,
    posterior: Posterior | None = None,
    relay_mode: str | None = None,
) -> list[TargetCheck]:
    """Run the scenario and compare it with each of its published targets."""

    values: dict[str, list[float]] = {t.name: [] for t in scenario.published}
    for rep in range(replications):
        spec = scenario
        if posterior is not None:
            spec = with_values(scenario, posterior.particle(posterior.draw(seed, rep)))
        run_seed = int(np.random.SeedSequence([seed, rep]).generate_state(1)[0])
        model = CocairModel(spec, seed=run_seed, relay_mode=relay_mode, event_log=False).run()
        for target in scenario.published:
            values[target.name].append(observe(model, target))
    return [TargetCheck(t, np.array(values[t.name], dtype=float)) for t in scenario.published]
