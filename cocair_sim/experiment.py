"""Experiments: conditions x sweep points x paired replicates, run in parallel, stored as they
finish, exported as tidy tables with paired statistics.

Seeds come from `SeedSequence([base_seed, replicate, point])`, never from the condition, so
replicate i of every condition draws the same trafficking randomness (common random numbers)
and conditions compare pairwise. Work is sent to a `concurrent.futures.Executor` in small
batches: local processes by default, a Dask cluster with a scheduler address; the results do not
depend on which, or on the number of workers.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import Field, field_validator, model_validator

from cocair_sim.errors import InputError
from cocair_sim.scenario import (
    Strict,
    cached_scenario,
    file_sha256,
    scenario_with_overrides,
    validate_model,
)
from cocair_sim.store import RunRecord, Store
from cocair_sim.yamlio import load_yaml_mapping

DEFAULT_METRICS = (
    "operation.kg_seized",
    "operation.seizures",
    "operation.arrests",
    "operation.alert_hits",
    "operation.kg_delivered",
    "operation.interdiction_rate",
    "kg_seized",
    "kg_delivered",
    "seizures",
    "interdiction_rate",
)

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
MAX_COMBINATIONS = 10_000  # sweep points x conditions, each validated up front
MAX_RUNS = 5_000_000

# Test hooks (see docs/reliability.md): comma-separated run ids that raise, or that kill the
# worker process with os._exit(1), inside execute_run.
FAIL_RUN_ENV = "COCAIR_TEST_FAIL_RUN"
CRASH_RUN_ENV = "COCAIR_TEST_CRASH_RUN"


class ConditionSpec(Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    set: dict[str, Any] = Field(default_factory=dict, description="Scenario overrides")
    description: Annotated[str, Field(max_length=10_000)] = ""


class SweepSpec(Strict):
    parameter: Annotated[
        str, Field(min_length=1, max_length=500, description="Dotted scenario field")
    ]
    values: list[Any] = Field(min_length=1, max_length=200)
    label: Annotated[str, Field(max_length=200)] | None = Field(
        None, description="Axis label for plots"
    )


class ExperimentSpec(Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN, description="Also the results folder")]
    description: Annotated[str, Field(max_length=100_000)] = ""
    scenario: Annotated[str, Field(min_length=1, max_length=4096)] = Field(
        description="Scenario file, relative to the experiment file"
    )
    conditions: list[ConditionSpec] = Field(min_length=1, max_length=50)
    baseline: str | None = Field(None, description="Condition the others are compared with")
    replications: Annotated[int, Field(ge=1, le=100_000)] = 30
    base_seed: Annotated[int, Field(ge=0, lt=2**63)] = 2011
    set: dict[str, Any] = Field(default_factory=dict, description="Overrides for every run")
    sweep: list[SweepSpec] = Field(default_factory=list, max_length=4)
    metrics: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=lambda: list(DEFAULT_METRICS), min_length=1, max_length=500
    )

    @field_validator("conditions")
    @classmethod
    def _unique_conditions(cls, conditions):
        names = [c.name for c in conditions]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate condition names: {', '.join(dupes)}")
        return conditions

    @model_validator(mode="after")
    def _baseline_known(self):
        if self.baseline is not None and self.baseline not in {c.name for c in self.conditions}:
            raise ValueError(f"baseline '{self.baseline}' is not one of the conditions")
        return self

    @model_validator(mode="after")
    def _bounded(self):
        points = math.prod(len(s.values) for s in self.sweep)
        combos = points * len(self.conditions)
        if combos > MAX_COMBINATIONS:
            raise ValueError(
                f"{combos:,} sweep points x conditions; the limit is {MAX_COMBINATIONS:,}"
            )
        if combos * self.replications > MAX_RUNS:
            raise ValueError(f"{combos * self.replications:,} runs; the limit is {MAX_RUNS:,}")
        params = [s.parameter for s in self.sweep]
        if len(set(params)) != len(params):
            raise ValueError("a sweep parameter is listed twice")
        return self

    @property
    def baseline_condition(self) -> str:
        return self.baseline or self.conditions[0].name

    def points(self) -> list[dict[str, Any]]:
        """Sweep points (the cross product of the sweep values); one empty point without sweep."""
        if not self.sweep:
            return [{}]
        names = [s.parameter for s in self.sweep]
        return [
            dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(s.values for s in self.sweep))
        ]

    def run_count(self) -> int:
        return len(self.points()) * len(self.conditions) * self.replications

    def run_overrides(self, point: dict[str, Any], condition: ConditionSpec) -> dict[str, Any]:
        """Overrides of one run: the common `set`, then the sweep point, then the condition."""
        return {**self.set, **point, **condition.set}


@dataclass(frozen=True)
class Experiment:
    """A validated experiment file with its resolved scenario path."""

    spec: ExperimentSpec
    path: Path
    scenario_path: Path

    @property
    def name(self) -> str:
        return self.spec.name

    def run_count(self) -> int:
        return self.spec.run_count()

    def content_hash(self) -> str:
        """Identity of what is computed (not of comments or formatting): guards --resume."""
        blob = json.dumps(
            {
                "spec": self.spec.model_dump(mode="json", exclude={"description", "metrics"}),
                "scenario": file_sha256(self.scenario_path),
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def load_experiment(path: str | Path, replications: int | None = None) -> Experiment:
    """Read and validate an experiment file, including every condition and sweep point."""
    path = Path(path)
    source = str(path)
    raw = load_yaml_mapping(path)
    if replications is not None:
        raw = {**raw, "replications": replications}
    spec = validate_model(ExperimentSpec, raw, source)
    try:
        scenario_path = (path.parent / spec.scenario).resolve()
        found = scenario_path.is_file()
    except (OSError, ValueError, RuntimeError):
        found = False
    if not found:
        raise InputError(source, "scenario", f"scenario file not found: {spec.scenario}")
    from cocair_sim.outputs import OPERATION_KEYS, TOTAL_KEYS

    known = set(TOTAL_KEYS) | {f"operation.{k}" for k in OPERATION_KEYS}
    for i, metric in enumerate(spec.metrics):
        if metric not in known and not metric.startswith("share_via."):
            raise InputError(source, f"metrics[{i}]", f"unknown metric '{metric}'")
    # Validate every combination up front: a bad override fails now, not after an hour. The
    # scenario file is read once; identical combinations are checked once.
    try:
        scenario_raw = load_yaml_mapping(scenario_path)
    except InputError as err:
        raise InputError(source, "scenario", err.message) from None
    checked: set[str] = set()
    for point in spec.points():
        for k, cond in enumerate(spec.conditions):
            overrides = spec.run_overrides(point, cond)
            key = json.dumps(overrides, sort_keys=True)
            if key in checked:
                continue
            try:
                scenario_with_overrides(
                    scenario_raw, str(scenario_path), overrides, override_source="overrides"
                )
            except InputError as err:
                field = f"conditions[{k}]({cond.name})"
                if point:
                    field += f" at {json.dumps(point)}"
                raise InputError(source, field, err.message) from None
            checked.add(key)
    return Experiment(spec, path, scenario_path)


# -- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    run_id: str
    scenario_path: str
    overrides: tuple[tuple[str, Any], ...]
    condition: str
    point: int
    sweep: tuple[tuple[str, Any], ...]
    replicate: int
    seed: int


def run_seed(base_seed: int, replicate: int, point: int) -> int:
    """Seed of replicate `replicate` at sweep point `point`; the same for every condition."""
    return int(
        np.random.SeedSequence([base_seed, replicate, point]).generate_state(1, np.uint64)[0]
        >> np.uint64(1)
    )


def plan(exp: Experiment) -> list[RunSpec]:
    spec = exp.spec
    runs = []
    for p, point in enumerate(spec.points()):
        for rep in range(spec.replications):
            seed = run_seed(spec.base_seed, rep, p)
            for cond in spec.conditions:
                overrides = spec.run_overrides(point, cond)
                runs.append(
                    RunSpec(
                        run_id=f"p{p}-{cond.name}-r{rep}",
                        scenario_path=str(exp.scenario_path),
                        overrides=tuple(overrides.items()),
                        condition=cond.name,
                        point=p,
                        sweep=tuple(point.items()),
                        replicate=rep,
                        seed=seed,
                    )
                )
    return runs


# -- running (in worker processes) -------------------------------------------------------------


def _test_hooks(run_id: str) -> None:
    """Test hooks: make chosen runs fail or kill their worker (documented in reliability.md)."""
    if run_id in os.environ.get(FAIL_RUN_ENV, "").split(","):
        raise RuntimeError(f"{FAIL_RUN_ENV} made run {run_id} fail")
    if run_id in os.environ.get(CRASH_RUN_ENV, "").split(","):
        os._exit(1)


def execute_run(run: RunSpec) -> RunRecord:
    """Run one simulation; importable by local and Dask workers alike."""
    from cocair_sim.model import CocairModel
    from cocair_sim.outputs import daily_rows, flat_metrics, summarise

    _test_hooks(run.run_id)
    started = time.perf_counter()
    spec = cached_scenario(run.scenario_path, dict(run.overrides))
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


class RunFailed(Exception):
    """A run raised, or a worker died while doing it."""

    def __init__(self, runs: list[RunSpec] | list[str], cause: BaseException | str):
        self.run_ids = [r if isinstance(r, str) else r.run_id for r in runs]
        self.cause = cause
        ids = ", ".join(self.run_ids[:8]) + (" ..." if len(self.run_ids) > 8 else "")
        what = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        label = "run" if len(self.run_ids) == 1 else "one of runs"
        super().__init__(f"{label} {ids} failed: {what}")


def batches(runs: list[RunSpec], workers: int, max_size: int = 8) -> list[list[RunSpec]]:
    """Small batches: enough to amortise task overhead (~1 ms against ~30 ms a run), small
    enough that the last ones leave no worker idle for long."""
    if not runs:
        return []
    size = max(1, min(max_size, math.ceil(len(runs) / (workers * 8))))
    return [runs[i : i + size] for i in range(0, len(runs), size)]


def run_all(
    runs: list[RunSpec],
    executor: Executor | None,
    store: Store,
    workers: int,
    on_done: Callable[[int], None] = lambda n: None,
    local: bool = False,
    then: Callable[[], object] | None = None,
) -> None:
    """Execute `runs`, storing each finished run at once. Without an executor, in process.

    If a run raises, nothing new is started, the runs already under way are finished and
    stored, and `RunFailed` names the run. If a worker dies (`local=True`: a process pool on
    this machine), the run it was doing is found from its mark and named the same way.
    `then` (a picklable function) is queued once per worker behind the last batch, so workers
    that run out of runs prepare what comes next (the report's imports) instead of idling."""
    if executor is None:
        for run in runs:
            try:
                rec = execute_run(run)
            except Exception as exc:
                raise RunFailed([run], exc) from exc
            store.add(rec)
            on_done(1)
        return
    marker_dir = tempfile.mkdtemp(prefix="cocair-runs-") if local else None
    pending: dict[Future, list[RunSpec]] = {}
    queue = iter(batches(runs, workers))
    in_flight = max(2, workers * 2)
    failure: RunFailed | None = None
    lost: list[RunSpec] = []  # runs of batches whose worker died
    lost_cause: BaseException | None = None

    def submit_next() -> bool:
        nonlocal then
        batch = next(queue, None)
        try:
            if batch is None:
                if then is not None:
                    for _ in range(workers):
                        executor.submit(then)
                    then = None
                return False
            pending[executor.submit(execute_batch, batch, marker_dir)] = batch
        except BrokenExecutor:
            # A worker died and broke the pool before its own batch came back: submit nothing
            # more; that batch's future reports the crash (and names the run) below.
            return False
        return True

    try:
        for _ in range(in_flight):
            if not submit_next():
                break
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                batch = pending.pop(fut)
                try:
                    records, error = fut.result()
                except Exception as exc:  # the worker died (or the result was lost)
                    lost.extend(batch)
                    lost_cause = lost_cause or exc
                    continue
                for rec in records:
                    store.add(rec)
                on_done(len(records))
                if error is not None and failure is None:
                    failure = RunFailed([error[0]], error[1])
                if failure is None and not lost:
                    submit_next()
        if lost:
            crashed = _crashed_runs(executor, marker_dir)
            if crashed:
                cause = f"the worker process died ({type(lost_cause).__name__}: {lost_cause})"
                raise RunFailed(crashed, cause) from lost_cause
            raise RunFailed(lost, lost_cause) from lost_cause
        if failure is not None:
            raise failure
    finally:
        for fut in pending:
            fut.cancel()
        if marker_dir is not None:
            import shutil

            shutil.rmtree(marker_dir, ignore_errors=True)


def _crashed_runs(executor: Executor, marker_dir: str | None) -> list[str]:
    """Runs whose worker died without removing its mark (local process pools only)."""
    if marker_dir is None:
        return []
    executor.shutdown(wait=True)  # the pool terminates its other workers; they unmark
    marks = []
    for name in sorted(os.listdir(marker_dir)):
        try:
            with open(os.path.join(marker_dir, name)) as fh:
                marks.append(fh.read().strip())
        except OSError:
            continue
    return [m for m in marks if m]


def iter_missing(exp: Experiment, store: Store) -> list[RunSpec]:
    done = store.done_ids()
    return [r for r in plan(exp) if r.run_id not in done]


def sweep_columns(exp: Experiment) -> list[str]:
    return [s.parameter for s in exp.spec.sweep]


def json_safe(values: Iterable[Any]) -> list[Any]:
    return [None if isinstance(v, float) and not math.isfinite(v) else v for v in values]


def experiment_json_schema() -> dict:
    schema = ExperimentSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cocair-sim experiment"
    return schema
