"""Running planned runs in a worker process (local or on a Dask cluster).

A worker marks the run it is doing, so that the parent can name the run whose worker died.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import time

from cocair_sim.experiment.plan import RunSpec
from cocair_sim.experiment.store import RunRecord
from cocair_sim.scenario.loading import cached_scenario
from cocair_sim.scenario.updates import with_values


def execute_run(run: RunSpec) -> RunRecord:
    """Run one simulation; importable by local and Dask workers alike."""
    from cocair_sim.model.model import CocairModel
    from cocair_sim.outputs import daily_rows, flat_metrics, summarise

    started = time.perf_counter()
    spec = cached_scenario(run.scenario_path, dict(run.overrides))
    if run.parameters:
        spec = with_values(spec, dict(run.parameters))
    model = CocairModel(spec, seed=run.seed, event_log=False).run()  # stored: totals, days
    header, rows = daily_rows(model)
    metrics = {
        k: (None if isinstance(v, float) and math.isnan(v) else v)
        for k, v in flat_metrics(summarise(model)).items()
    }
    return RunRecord(
        run_id=run.run_id,
        condition=run.condition,
        point=run.point,
        sweep=dict(run.sweep),
        replicate=run.replicate,
        seed=run.seed,
        metrics=metrics,
        daily_header=header,
        daily_rows=rows,
        seconds=round(time.perf_counter() - started, 4),
        parameters=dict(run.parameters),
        particle=run.particle,
    )


# A worker marks the run it is doing in `<marker_dir>/<pid>` and removes the mark when the run
# ends or when the pool terminates it (SIGTERM). A worker that dies abruptly (a crash, os._exit,
# the OOM killer) leaves its mark behind, which names the run it was doing.
_marker_dir: str | None = None


def _on_sigterm(signum, frame):  # pragma: no cover - runs in a worker being shut down
    if _marker_dir is not None:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(_marker_dir, str(os.getpid())))
    os._exit(128 + signum)


def _mark(run_id: str | None) -> None:
    if _marker_dir is None:
        return
    path = os.path.join(_marker_dir, str(os.getpid()))
    if run_id is None:
        with contextlib.suppress(OSError):
            os.unlink(path)
    else:
        with open(path, "w") as fh:
            fh.write(run_id)


def execute_batch(
    runs: list[RunSpec], marker_dir: str | None = None
) -> tuple[list[RunRecord], tuple[str, str] | None]:
    """Run a batch; returns the finished records and, if a run raised, (run_id, error text).

    Runs after a failing one are not attempted (they are not lost: they are simply not stored,
    and a resumed experiment does them)."""
    global _marker_dir
    if marker_dir is not None and _marker_dir != marker_dir:
        _marker_dir = marker_dir
        signal.signal(signal.SIGTERM, _on_sigterm)
    records = []
    for run in runs:
        _mark(run.run_id)
        try:
            records.append(execute_run(run))
        except Exception as exc:
            _mark(None)
            return records, (run.run_id, f"{type(exc).__name__}: {exc}")
        _mark(None)
    return records, None
