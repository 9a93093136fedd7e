"""Experiments: conditions x sweep points x paired replicates, run in parallel, stored as they
finish, exported as tidy tables with paired statistics.

Seeds come from `SeedSequence([base_seed, replicate, point])`, never from the condition, so
replicate i of every condition draws the same trafficking randomness (common random numbers)
and conditions compare pairwise. Work is sent to a `concurrent.futures.Executor` in small
batches: local processes by default, a Dask cluster with a scheduler address; the results do not
depend on which, or on the number of workers.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import Field, field_validator, model_validator

from cocair_sim.errors import InputError
from cocair_sim.scenario import Strict, file_sha256, load_scenario, validate_model
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


class ConditionSpec(Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    set: dict[str, Any] = Field(default_factory=dict, description="Scenario overrides")
    description: str = ""


class SweepSpec(Strict):
    parameter: Annotated[str, Field(min_length=1, description="Dotted scenario field")]
    values: list[Any] = Field(min_length=1, max_length=200)
    label: str | None = Field(None, description="Axis label for plots")


class ExperimentSpec(Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN, description="Also the results folder")]
    description: str = ""
    scenario: str = Field(description="Scenario file, relative to the experiment file")
    conditions: list[ConditionSpec] = Field(min_length=1, max_length=50)
    baseline: str | None = Field(None, description="Condition the others are compared with")
    replications: Annotated[int, Field(ge=1, le=100_000)] = 30
    base_seed: Annotated[int, Field(ge=0, lt=2**63)] = 2011
    set: dict[str, Any] = Field(default_factory=dict, description="Overrides for every run")
    sweep: list[SweepSpec] = Field(default_factory=list, max_length=4)
    metrics: list[str] = Field(default_factory=lambda: list(DEFAULT_METRICS), min_length=1)

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
    scenario_path = (path.parent / spec.scenario).resolve()
    if not scenario_path.is_file():
        raise InputError(source, "scenario", f"scenario file not found: {spec.scenario}")
    from cocair_sim.outputs import OPERATION_KEYS, TOTAL_KEYS

    known = set(TOTAL_KEYS) | {f"operation.{k}" for k in OPERATION_KEYS}
    for i, metric in enumerate(spec.metrics):
        if metric not in known and not metric.startswith("share_via."):
            raise InputError(source, f"metrics[{i}]", f"unknown metric '{metric}'")
    # Validate every combination up front: a bad override fails now, not after an hour.
    for point in spec.points():
        for k, cond in enumerate(spec.conditions):
            overrides = {**spec.set, **point, **cond.set}
            try:
                load_scenario(scenario_path, overrides, override_source="overrides")
            except InputError as err:
                field = f"conditions[{k}]({cond.name})"
                if point:
                    field += f" at {json.dumps(point)}"
                raise InputError(source, field, err.message) from None
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
                overrides = {**spec.set, **point, **cond.set}
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


@lru_cache(maxsize=64)
def _scenario(path: str, overrides_json: str):
    return load_scenario(path, json.loads(overrides_json))


def execute_run(run: RunSpec) -> RunRecord:
    """Run one simulation; importable by local and Dask workers alike."""
    from cocair_sim.model import CocairModel
    from cocair_sim.outputs import daily_rows, flat_metrics, summarise

    started = time.perf_counter()
    spec = _scenario(run.scenario_path, json.dumps(dict(run.overrides), sort_keys=True))
    model = CocairModel(spec, seed=run.seed).run()
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


def execute_batch(runs: list[RunSpec]) -> list[RunRecord]:
    return [execute_run(r) for r in runs]


class RunFailed(Exception):
    """A worker raised or died while doing a batch of runs."""

    def __init__(self, runs: list[RunSpec], cause: BaseException):
        self.runs = runs
        self.cause = cause
        ids = ", ".join(r.run_id for r in runs[:3]) + (" ..." if len(runs) > 3 else "")
        super().__init__(f"run(s) {ids} failed: {type(cause).__name__}: {cause}")


def batches(runs: list[RunSpec], workers: int, max_size: int = 16) -> list[list[RunSpec]]:
    """Small batches: enough to amortise task overhead, enough of them to balance workers."""
    if not runs:
        return []
    size = max(1, min(max_size, math.ceil(len(runs) / (workers * 4))))
    return [runs[i : i + size] for i in range(0, len(runs), size)]


def run_all(
    runs: list[RunSpec],
    executor: Executor | None,
    store: Store,
    workers: int,
    on_done: Callable[[int], None] = lambda n: None,
) -> None:
    """Execute `runs`, storing each finished run at once. Without an executor, in process."""
    if executor is None:
        for run in runs:
            store.add(execute_run(run))
            on_done(1)
        return
    pending: dict[Future, list[RunSpec]] = {}
    queue = iter(batches(runs, workers))
    in_flight = max(2, workers * 2)

    def submit_next() -> bool:
        batch = next(queue, None)
        if batch is None:
            return False
        pending[executor.submit(execute_batch, batch)] = batch
        return True

    for _ in range(in_flight):
        if not submit_next():
            break
    try:
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                batch = pending.pop(fut)
                try:
                    records = fut.result()
                except Exception as exc:  # a worker raised or died: name the runs, stop cleanly
                    raise RunFailed(batch, exc) from exc
                for rec in records:
                    store.add(rec)
                on_done(len(records))
                submit_next()
    finally:
        for fut in pending:
            fut.cancel()


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
