"""Plain-function and batch-runner entry points, for EMA Workbench, SALib and `mesa.batch_run`.

`run_model(**params)` takes scenario fields as keyword arguments (dotted paths, or with `__` for
the dots so they are valid Python names) and returns a flat dict of scalar outcomes:

    run_model(seed=3, relay_mode="hub", relay__hub_latency_hours=24)["operation.kg_seized"]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cocair_sim import shipped
from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import flat_metrics, summarise
from cocair_sim.scenario.loading import cached_scenario
from cocair_sim.scenario.schema import Scenario


def scenario_with(scenario: str | Path | None = None, **params: Any) -> Scenario:
    """Load a scenario (a path, or the name of a shipped one; default cocair3) with keyword
    overrides (`relay__hub_latency_hours=6`); cached."""
    overrides = {k.replace("__", "."): v for k, v in params.items()}
    path = shipped.resolve(scenario, "scenarios", shipped.DEFAULT_SCENARIO)
    return cached_scenario(path, overrides)


def run_model(
    scenario: str | Path | None = None,
    seed: int = 0,
    relay_mode: str | None = None,
    days: int | None = None,
    **params: Any,
) -> dict[str, float]:
    """Run one simulation and return its scalar outcomes (see `outputs.flat_metrics`)."""
    spec = scenario_with(scenario, **params)
    model = CocairModel(spec, seed=int(seed), relay_mode=relay_mode, days=days).run()
    return flat_metrics(summarise(model))


class ScenarioModel(CocairModel):
    """`CocairModel` built from a scenario path and keyword overrides: what `mesa.batch_run`
    needs, since it passes every parameter as a plain keyword argument."""

    def __init__(
        self,
        scenario: str | None = None,
        seed: int | None = 0,
        relay_mode: str | None = None,
        days: int | None = None,
        **params: Any,
    ):
        super().__init__(
            scenario_with(scenario, **params),
            seed=0 if seed is None else int(seed),
            relay_mode=relay_mode,
            days=days,
        )
