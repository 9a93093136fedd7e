"""A predictive check against the results a scenario publishes (`published:`), and its power.

The scenario is run `replications` times (each replicate with its own seed and, given a
posterior, its own particle drawn by weight), and each published target is read from every run
on the published figure's terms and scale (the log for counts). The check is joint
(`cocair_sim.stats.checks.PredictiveCheck`): each figure's normal score in the runs' predictive
distribution (with the figure's own uncertainty), figures that move together scored as one, and
the energy score of the published figures against the runs', compared with the runs' own
scores. A figure the model barely moves is named as uninformative. Each figure also gets its
own two-sided p-value.

`power` asks what the check can tell apart: for worlds known to be wrong (ten times the
controls, a tenth of the trafficking, ...), the share of datasets simulated from them that the
check of the scenario rejects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cocair_sim.experiment.posterior import Posterior
from cocair_sim.model.model import CocairModel
from cocair_sim.model.observations import observe, transform
from cocair_sim.scenario.schema import METHODS, PublishedTarget, Scenario
from cocair_sim.scenario.updates import value_at, with_values
from cocair_sim.stats.checks import Check, PredictiveCheck

LEVEL = 0.05  # the check rejects below this joint p-value
UNINFORMATIVE = 0.5  # a figure whose runs spread less than this x its own sd decides nothing


@dataclass(frozen=True)
class Validation:
    """A scenario's runs against its published figures."""

    targets: tuple[PublishedTarget, ...]
    values: np.ndarray  # runs x targets, on the published figures' terms
    check: Check

    @property
    def rejected(self) -> bool:
        """Whether the published figures lie farther than the model's runs allow."""
        return self.check.p_joint < LEVEL

    def duplicates(self) -> list[tuple[tuple[str, ...], float]]:
        """Figures the model moves together, scored as one, with their smallest correlation."""
        names = [t.name for t in self.targets]
        r = self.check.correlation
        return [
            (tuple(names[i] for i in g), float(min(abs(r[i, j]) for i in g for j in g)))
            for g in self.check.groups
            if len(g) > 1
        ]

    def uninformative(self) -> list[str]:
        """Figures whose runs spread less than half their own uncertainty: however the model
        stands, the figure's own uncertainty decides."""
        shown = np.column_stack(
            [transform(self.values[:, k], t) for k, t in enumerate(self.targets)]
        )
        spread = shown.std(axis=0)
        return [t.name for t, s in zip(self.targets, spread, strict=True)
                if s < UNINFORMATIVE * t.uncertainty.sd]  # fmt: skip


def published_values(
    scenario: Scenario,
    replications: int,
    seed: int,
    posterior: Posterior | None = None,
    relay_mode: str | None = None,
    targets: tuple[PublishedTarget, ...] | None = None,
) -> np.ndarray:
    """runs x targets: each run's value of each published target, on the figure's terms."""
    targets = tuple(scenario.published) if targets is None else targets
    out = np.empty((replications, len(targets)))
    for rep in range(replications):
        spec = scenario
        if posterior is not None:
            spec = with_values(scenario, posterior.particle(posterior.draw(seed, rep)))
        run_seed = int(np.random.SeedSequence([seed, rep]).generate_state(1)[0])
        model = CocairModel(spec, seed=run_seed, relay_mode=relay_mode, event_log=False).run()
        out[rep] = [observe(model, t) for t in targets]
    return out


def _scale(values: np.ndarray, targets) -> np.ndarray:
    return np.column_stack([transform(values[:, k], t) for k, t in enumerate(targets)])


def validate(
    scenario: Scenario,
    replications: int,
    seed: int,
    posterior: Posterior | None = None,
    relay_mode: str | None = None,
) -> Validation:
    """Run the scenario and check its published figures jointly."""
    targets = tuple(scenario.published)
    values = published_values(scenario, replications, seed, posterior, relay_mode, targets)
    observed = np.array([float(transform(t.value, t)) for t in targets])
    sd = np.array([t.uncertainty.sd for t in targets])
    check = PredictiveCheck(_scale(values, targets), sd, seed).test(observed)
    return Validation(targets, values, check)


# Worlds known to be wrong, as changes to a scenario: what the published figures should be able
# to tell from the scenario's own world, and what they may not.
WrongWorld = Callable[[Scenario], dict[str, Any]]


def _times(path: str, factor: float) -> WrongWorld:
    return lambda s: {path: value_at(s, path) * factor}


def _capacity(factor: float) -> WrongWorld:
    def change(s: Scenario) -> dict[str, Any]:
        out = {
            "customs_defaults.capacity_per_day": round(s.customs_defaults.capacity_per_day * factor)
        }
        for ap in s.airports:
            if ap.customs.capacity_per_day is not None:
                out[f"airports.{ap.iata}.customs.capacity_per_day"] = round(
                    ap.customs.capacity_per_day * factor
                )
        return out

    return change


def _detection(chance: float) -> WrongWorld:
    def change(s: Scenario) -> dict[str, Any]:
        out = {f"customs_defaults.detection.{m}": chance for m in METHODS}
        for ap in s.airports:
            detection = ap.customs.detection
            for m in METHODS:
                if detection is not None and getattr(detection, m) is not None:
                    out[f"airports.{ap.iata}.customs.detection.{m}"] = chance
        return out

    return change


def _both(a: WrongWorld, b: WrongWorld) -> WrongWorld:
    return lambda s: {**a(s), **b(s)}


WRONG_WORLDS: dict[str, WrongWorld] = {
    "customs capacity x10": _capacity(10),
    "customs capacity /3": _capacity(1 / 3),
    "trafficking x5": _times("trafficking.volume_multiplier", 5),
    "trafficking /10": _times("trafficking.volume_multiplier", 0.1),
    "detection 0.05 for every method": _detection(0.05),
    "loads x5": _times("trafficking.load_multiplier", 5),
    "no operation (no raised controls)": lambda s: {"operation.capacity_multiplier": 1.0},
    "no relay at all": lambda s: {"relay.mode": "none"},
    "alerts change nothing (uplift 1, no controls per alert)": lambda s: {
        "relay.targeting_uplift": 1.0,
        "relay.controls_per_alert": 0.0,
    },
    "trafficking x5 with detection 0.05": _both(
        _times("trafficking.volume_multiplier", 5), _detection(0.05)
    ),
    "capacity x10 with trafficking /10": _both(
        _capacity(10), _times("trafficking.volume_multiplier", 0.1)
    ),
    "loads x5 with trafficking /5": _both(
        _times("trafficking.load_multiplier", 5), _times("trafficking.volume_multiplier", 0.2)
    ),
}


@dataclass(frozen=True)
class Power:
    """How often the check of a scenario rejects datasets simulated from a wrong world."""

    world: str
    rejected: float  # share of datasets
    datasets: int


def power(
    scenario: Scenario,
    worlds: Mapping[str, WrongWorld] = WRONG_WORLDS,
    datasets: int = 50,
    replications: int = 200,
    seed: int = 2011,
    posterior: Posterior | None = None,
) -> list[Power]:
    """For each wrong world: datasets of published figures simulated from it (one run each,
    with each figure's own noise), and the share the check of `scenario` rejects. The scenario
    itself is the first row: its rejection rate should be the check's level."""
    targets = tuple(scenario.published)
    sd = np.array([t.uncertainty.sd for t in targets])
    reference = _scale(published_values(scenario, replications, seed, posterior), targets)
    check = PredictiveCheck(reference, sd, seed)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 99]))
    out = []
    rows = [("the scenario itself", scenario), *(
        (name, with_values(scenario, change(scenario))) for name, change in worlds.items()
    )]  # fmt: skip
    for k, (name, world) in enumerate(rows):
        simulated = _scale(published_values(world, datasets, seed + 1 + k, posterior), targets)
        noisy = simulated + rng.standard_normal(simulated.shape) * sd
        rejected = [check.test(d).p_joint < LEVEL for d in noisy]
        out.append(Power(name, float(np.mean(rejected)), datasets))
    return out
