"""One planned run in a worker process (local or on a Dask cluster): the model run, its metrics
and daily series as a record for the store."""

from __future__ import annotations

import time

from cocair_sim.experiment.plan import RunSpec
from cocair_sim.experiment.store import RunRecord
from cocair_sim.missing import as_optional
from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import daily_rows, flat_metrics, summarise
from cocair_sim.scenario.loading import cached_scenario
from cocair_sim.scenario.updates import with_values

# What local workers import before their first run.
PRELOAD = ("cocair_sim.experiment.runs",)


def execute_run(run: RunSpec) -> RunRecord:
    """Run one simulation and return what the store keeps; importable by local and Dask
    workers alike."""
    started = time.perf_counter()
    spec = cached_scenario(run.scenario_path, dict(run.overrides))
    if run.parameters:
        spec = with_values(spec, dict(run.parameters))
    model = CocairModel(spec, seed=run.seed, event_log=False).run()  # stored: totals, days
    header, rows = daily_rows(model)
    metrics = {k: as_optional(v) for k, v in flat_metrics(summarise(model)).items()}
    return RunRecord(
        run_id=run.run_id,
        condition=run.condition,
        point=run.point,
        sweep=dict(run.sweep),
        replicate=run.replicate,
        seed=run.seed,
        metrics=metrics,
        seconds=round(time.perf_counter() - started, 4),
        parameters=dict(run.parameters),
        particle=run.particle,
        daily_header=header,
        daily_rows=rows,
    )
