"""One model evaluation: parameter values in, the targets' statistics out.

The base scenario is read and validated once per process (`cached_scenario`); each evaluation
only sets its values on it (`with_values`), because reading the file again would cost as much as
the run. The evaluator pickles as a file path and a few small specs, so pyabc's local and Dask
samplers ship it cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cocair_sim.calibration.spec import CalibratedParameter, Calibration, parameter_value
from cocair_sim.model.model import CocairModel
from cocair_sim.model.observations import observe, transform
from cocair_sim.scenario.loading import cached_scenario
from cocair_sim.scenario.schema import PublishedTarget, Scenario
from cocair_sim.scenario.updates import with_values


@dataclass(frozen=True)
class Evaluator:
    """pyabc's model of a calibration: what a run needs, small enough to pickle."""

    scenario_path: str
    fixed: tuple[tuple[str, Any], ...]
    parameters: tuple[CalibratedParameter, ...]
    targets: tuple[PublishedTarget, ...]

    @classmethod
    def of(cls, calibration: Calibration) -> Evaluator:
        """The evaluator of a calibration: its scenario file, fixed overrides, parameters and
        targets."""
        return cls(
            str(calibration.scenario_path),
            tuple(calibration.spec.set.items()),
            tuple(calibration.spec.parameters),
            calibration.targets,
        )

    def natural(self, sampled: Mapping[str, float]) -> dict[str, float | int]:
        """A particle as pyabc samples it (the logarithm of a loguniform parameter) as the
        parameters' values."""
        return {
            par.path: parameter_value(par, par.prior.from_sampled(sampled[par.path]))
            for par in self.parameters
        }

    def values(self, point: Mapping[str, float]) -> dict[str, Any]:
        """Every scenario field a point (a value per parameter) sets, `also` paths included."""
        out: dict[str, Any] = {}
        for par in self.parameters:
            out.update(dict.fromkeys(par.paths, parameter_value(par, point[par.path])))
        return out

    def scenario(self, point: Mapping[str, float]) -> Scenario:
        """The scenario at a point: the validated base with the point's values set."""
        base = cached_scenario(self.scenario_path, dict(self.fixed))
        return with_values(base, self.values(point))

    def observe(self, point: Mapping[str, float], seed: int) -> dict[str, float]:
        """The targets' values, on their published terms, from one run at these values."""
        model = CocairModel(self.scenario(point), seed=seed, event_log=False).run()
        return {t.name: float(observe(model, t)) for t in self.targets}

    def observed(self) -> dict[str, float]:
        """The published values on the distance's scale."""
        return {t.name: float(transform(t.value, t)) for t in self.targets}

    def __call__(self, sampled: Mapping[str, float]) -> dict[str, float]:
        """pyabc's model: a run with its seed from the sampler's random stream (so the
        single-core sampler with a fixed seed repeats exactly), on the distance's scale."""
        seed = int(np.random.randint(0, 2**62))
        raw = self.observe(self.natural(sampled), seed)
        return {t.name: float(transform(raw[t.name], t)) for t in self.targets}
