"""Experiment files: conditions x sweep points x paired replicates of one scenario.

`load_experiment` reads and validates the file, then validates every condition at every sweep
point against the scenario before anything runs, so a bad override fails at once, not after an
hour of runs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from cocair_sim.errors import InputError
from cocair_sim.experiment.posterior import Posterior, load_posterior
from cocair_sim.files.calibration_results import CalibrationResults, read_results
from cocair_sim.files.manifest import file_sha256
from cocair_sim.files.schema import Strict, json_schema, validate_model
from cocair_sim.files.yamlio import load_yaml_mapping, referenced_file
from cocair_sim.model.metrics import is_metric
from cocair_sim.scenario.loading import scenario_with_overrides

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


class ConditionSpec(Strict):
    """A condition: its name and the scenario overrides that make it (e.g. the relay mode)."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    set: dict[str, Any] = Field(default_factory=dict, description="Scenario overrides")
    description: Annotated[str, Field(max_length=10_000)] = ""


class SweepSpec(Strict):
    """A swept scenario field and its values (every condition runs at each)."""

    parameter: Annotated[
        str, Field(min_length=1, max_length=500, description="Dotted scenario field")
    ]
    values: list[Any] = Field(min_length=1, max_length=200)
    label: Annotated[str, Field(max_length=200)] | None = Field(
        None, description="Axis label for plots"
    )


class ExperimentSpec(Strict):
    """An experiment file: a scenario, conditions, sweeps and paired replicates."""

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
    posterior: Annotated[str, Field(min_length=1, max_length=4096)] | None = Field(
        None,
        description="A calibration's posterior.csv, relative to the experiment file: each "
        "replicate draws its parameter values from it",
    )
    surface: Annotated[str, Field(min_length=1, max_length=4096)] | None = Field(
        None,
        description="A calibration's surface.csv, relative to the experiment file: the report "
        "then says what the published figures determine about the effect, and shows where",
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
        """The condition the others are compared with (the first, unless named)."""
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
        """Runs in all: sweep points x conditions x replications."""
        return len(self.points()) * len(self.conditions) * self.replications

    def run_overrides(self, point: dict[str, Any], condition: ConditionSpec) -> dict[str, Any]:
        """Overrides of one run: the common `set`, then the sweep point, then the condition."""
        return {**self.set, **point, **condition.set}


@dataclass(frozen=True)
class Experiment:
    """A validated experiment file with its resolved scenario path (and posterior)."""

    spec: ExperimentSpec
    path: Path
    scenario_path: Path
    posterior: Posterior | None = None
    scenario_name: str = ""  # the scenario's own name (its `name:` field)
    evidence: CalibrationResults | None = None  # the calibration's analyses (`surface:`)

    @property
    def name(self) -> str:
        """The experiment's name: also its results folder."""
        return self.spec.name

    def run_count(self) -> int:
        """Runs in all: conditions x sweep points x replications."""
        return self.spec.run_count()

    def content_hash(self) -> str:
        """Identity of what is computed (not of comments or formatting): guards --resume."""
        blob = json.dumps(
            {
                "spec": self.spec.model_dump(mode="json", exclude={"description", "metrics"}),
                "scenario": file_sha256(self.scenario_path),
                "posterior": file_sha256(self.posterior.path) if self.posterior else None,
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
    scenario_path = referenced_file(path, spec.scenario, "scenario")
    for i, metric in enumerate(spec.metrics):
        if not is_metric(metric):
            raise InputError(source, f"metrics[{i}]", f"unknown metric '{metric}'")
    # Validate every combination up front: a bad override fails now, not after an hour. The
    # scenario file is read once; identical combinations are checked once.
    try:
        scenario_raw = load_yaml_mapping(scenario_path)
    except InputError as err:
        raise InputError(source, "scenario", err.message) from None
    posterior = _posterior(spec, path, source, scenario_raw, scenario_path)
    checked: set[str] = set()
    scenario_name = ""
    for point in spec.points():
        for k, cond in enumerate(spec.conditions):
            overrides = spec.run_overrides(point, cond)
            key = json.dumps(overrides, sort_keys=True)
            if key in checked:
                continue
            try:
                scenario = scenario_with_overrides(
                    scenario_raw, str(scenario_path), overrides, override_source="overrides"
                )
            except InputError as err:
                field = f"conditions[{k}]({cond.name})"
                if point:
                    field += f" at {json.dumps(point)}"
                raise InputError(source, field, err.message) from None
            checked.add(key)
            scenario_name = scenario_name or scenario.name
    evidence = None
    if spec.surface is not None:
        evidence = read_results(referenced_file(path, spec.surface, "surface"), source, "surface")
    return Experiment(spec, path, scenario_path, posterior, scenario_name, evidence)


def _posterior(spec, path: Path, source: str, scenario_raw, scenario_path) -> Posterior | None:
    if spec.posterior is None:
        return None
    posterior_path = referenced_file(path, spec.posterior, "posterior")
    return load_posterior(posterior_path, source, scenario_raw, scenario_path, spec.set)


def experiment_json_schema() -> dict:
    """The JSON Schema of experiment files (`cocair schema experiment`), for editors."""
    return json_schema(ExperimentSpec, "cocair-sim experiment")
