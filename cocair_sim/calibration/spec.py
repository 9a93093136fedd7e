"""Calibration files: which parameters are uncertain (priors), which published results they must
reproduce (targets), how large a reference table to simulate, and what else may inform them.

`load_calibration` reads and validates the file, then checks what no schema can: the scenario
exists, every target is one the scenario publishes (or is written out in full here), every
parameter path exists, and both ends of every prior make a valid scenario, so a bad bound fails
now and not after an hour of simulations.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from cocair_sim.calibration.observables import OBSERVABLES
from cocair_sim.errors import InputError
from cocair_sim.files.manifest import file_sha256
from cocair_sim.files.schema import Strict, json_schema, validate_model
from cocair_sim.files.yamlio import load_yaml_mapping, referenced_file
from cocair_sim.model.metrics import is_metric
from cocair_sim.scenario.loading import load_scenario, target_problems
from cocair_sim.scenario.schema import PublishedTarget, Scenario

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
PATH = Annotated[str, Field(min_length=1, max_length=500)]


class Prior(Strict):
    """What is believed about a parameter before calibration: a range, flat in the value
    (uniform) or in its logarithm (loguniform, for a factor whose order of magnitude is open)."""

    distribution: Literal["uniform", "loguniform"] = "uniform"
    low: Annotated[float, Field(allow_inf_nan=False)]
    high: Annotated[float, Field(allow_inf_nan=False)]

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError("low must be below high")
        if self.distribution == "loguniform" and self.low <= 0:
            raise ValueError("a loguniform prior needs low > 0")
        return self

    # Inference works where the prior is flat: a loguniform parameter is drawn and regressed as
    # its logarithm, so that a step from 2 to 4 counts as much as one from 10 to 20.
    def sampled_bounds(self) -> tuple[float, float]:
        """The range on the scale the sampler works on (the logarithm for loguniform)."""
        if self.distribution == "loguniform":
            return math.log(self.low), math.log(self.high)
        return self.low, self.high

    def from_sampled(self, x: float) -> float:
        """A value on the sampler's scale back on the parameter's own."""
        return math.exp(x) if self.distribution == "loguniform" else float(x)


class CalibratedParameter(Strict):
    """One entry of `parameters`: a scenario field to estimate, with its prior."""

    path: PATH = Field(description="Dotted scenario field, e.g. relay.targeting_uplift")
    also: list[PATH] = Field(
        default_factory=list,
        max_length=200,
        description="Other fields set to the same value (e.g. every organisation's learning rate)",
    )
    prior: Prior
    integer: bool = Field(False, description="The field takes whole numbers: values are rounded")
    source: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        description="Where the range comes from: a source, or [EST] and the reasoning"
    )

    @property
    def paths(self) -> list[str]:
        """Every scenario field this parameter sets: `path`, then `also`."""
        return [self.path, *self.also]


DEFAULT_EFFECTS = (
    "operation.kg_seized_participants",
    "operation.kg_delivered",
    "operation.seizures_participants",
    "operation.kg_seized_destinations",
)


class Evidence(Strict):
    """What a study from another setting says of an observable of the model, as the range its
    value falls in (the central 90 % of a lognormal, or of a normal with `scale: linear`), with
    its source and the limits of its transfer to these airports."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")]
    observable: Annotated[str, Field(max_length=60)] = Field(
        description="An observable the reference table records (see docs/experiment-format.md)"
    )
    low: Annotated[float, Field(allow_inf_nan=False)]
    high: Annotated[float, Field(allow_inf_nan=False)]
    scale: Literal["log", "linear"] = "log"
    source: Annotated[str, Field(min_length=1, max_length=2000)]
    limits: Annotated[str, Field(min_length=1, max_length=4000)] = Field(
        description="Why the figure may not transfer to the modelled airports"
    )

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError("low must be below high")
        if self.scale == "log" and self.low <= 0:
            raise ValueError("a log-scale range needs low > 0")
        return self


class CalibrationSpec(Strict):
    """A whole calibration file: the scenario, the parameters and targets, the reference table
    and what is inferred from it."""

    name: Annotated[str, Field(pattern=NAME_PATTERN, description="Also the results folder")]
    description: Annotated[str, Field(max_length=100_000)] = ""
    scenario: Annotated[str, Field(min_length=1, max_length=4096)] = Field(
        description="Scenario file, relative to the calibration file"
    )
    set: dict[str, Any] = Field(default_factory=dict, description="Fixed overrides for every run")
    parameters: list[CalibratedParameter] = Field(min_length=1, max_length=60)
    targets: list[Annotated[str, Field(max_length=60)] | PublishedTarget] = Field(
        min_length=1,
        max_length=100,
        description="Names of targets the scenario publishes, or targets written out in full",
    )
    draws: Annotated[int, Field(ge=50, le=10_000_000)] = Field(
        50_000,
        description="Parameter sets drawn from the priors for the reference table, each run "
        "under every automatic relay mode on common random numbers",
    )
    accept: Annotated[float, Field(gt=0, le=0.5)] = Field(
        0.02, description="Share of the table's draws the inference keeps (nearest first)"
    )
    sbc_datasets: Annotated[int, Field(ge=10, le=100_000)] = Field(
        200, description="Held-out draws the inference is checked on (simulation-based calibration)"
    )
    effects: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=lambda: list(DEFAULT_EFFECTS),
        min_length=1,
        max_length=20,
        description="Outcomes whose paired differences between relay modes the table records",
    )
    evidence: list[Evidence] = Field(
        default_factory=list,
        max_length=20,
        description="Evidence from outside the operations on an observable of the model: an "
        "optional informative prior, shown beside the vague one",
    )
    base_seed: Annotated[int, Field(ge=0, lt=2**32)] = 2011

    @model_validator(mode="after")
    def _unique(self):
        paths = [p for par in self.parameters for p in par.paths]
        dupes = sorted({p for p in paths if paths.count(p) > 1})
        if dupes:
            raise ValueError(f"a field is calibrated twice: {', '.join(dupes)}")
        fixed = sorted(set(paths) & set(self.set))
        if fixed:
            raise ValueError(f"a field is both fixed in `set` and calibrated: {', '.join(fixed)}")
        names = [t if isinstance(t, str) else t.name for t in self.targets]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"a target is listed twice: {', '.join(dupes)}")
        return self


@dataclass(frozen=True)
class Calibration:
    """A validated calibration file with its scenario and resolved targets."""

    spec: CalibrationSpec
    path: Path
    scenario_path: Path
    targets: tuple[PublishedTarget, ...]

    @property
    def name(self) -> str:
        """The calibration's name: also its results folder."""
        return self.spec.name

    @cached_property
    def scenario(self) -> Scenario:
        """The scenario with the calibration's fixed overrides (not its parameters)."""
        return load_scenario(self.scenario_path, self.spec.set, override_source="set")

    @property
    def parameter_names(self) -> list[str]:
        """Each parameter's `path`, in file order: its column in the table and the posterior."""
        return [p.path for p in self.spec.parameters]

    def provenance(self) -> dict[str, str]:
        """The files a result came from, with their digests: every calibration job's manifest
        starts with them."""
        return {
            "calibration": self.name,
            "calibration_file": str(self.path),
            "calibration_sha256": file_sha256(self.path),
            "scenario_file": str(self.scenario_path),
            "scenario_sha256": file_sha256(self.scenario_path),
        }

    def content_hash(self) -> str:
        """Identity of what is computed (not comments or formatting): guards --resume."""
        blob = json.dumps(
            {
                "spec": self.spec.model_dump(mode="json", exclude={"description"}),
                "scenario": file_sha256(self.scenario_path),
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def parameter_value(parameter: CalibratedParameter, value: float) -> float | int:
    """A sampled value as the scenario takes it (whole numbers for integer fields)."""
    return round(float(value)) if parameter.integer else float(value)


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration file, including both ends of every prior."""
    path = Path(path)
    source = str(path)
    spec = validate_model(CalibrationSpec, load_yaml_mapping(path), source)
    scenario_path = referenced_file(path, spec.scenario, "scenario")
    try:
        scenario = load_scenario(scenario_path, spec.set, override_source="set")
    except InputError as err:
        raise InputError(source, "scenario", err.message) from None
    published = {t.name: t for t in scenario.published}
    targets = []
    for i, target in enumerate(spec.targets):
        if isinstance(target, str):
            if target not in published:
                known = ", ".join(published) or "none"
                raise InputError(
                    source,
                    f"targets[{i}]",
                    f"the scenario publishes no target '{target}' (it has: {known})",
                )
            target = published[target]
        targets.append(target)
    _check_targets(source, scenario, targets)
    for i, effect in enumerate(spec.effects):
        if not is_metric(effect):
            raise InputError(source, f"effects[{i}]", f"unknown metric '{effect}'")
    for i, evidence in enumerate(spec.evidence):
        if evidence.observable not in OBSERVABLES:
            known = ", ".join(OBSERVABLES)
            raise InputError(
                source,
                f"evidence[{i}].observable",
                f"unknown observable '{evidence.observable}' (one of {known})",
            )
    for i, par in enumerate(spec.parameters):
        for end in (par.prior.low, par.prior.high):
            value = parameter_value(par, end)
            try:
                load_scenario(
                    scenario_path,
                    {**spec.set, **dict.fromkeys(par.paths, value)},
                    override_source="parameters",
                )
            except InputError as err:
                raise InputError(
                    source, f"parameters[{i}]({par.path}).prior", f"at {value}: {err.problem}"
                ) from None
    return Calibration(spec, path, scenario_path, tuple(targets))


def _check_targets(source: str, scenario: Scenario, targets: list[PublishedTarget]) -> None:
    """Targets written in the calibration file name airports of its scenario."""
    codes = {a.iata for a in scenario.airports}
    for i, target in enumerate(targets):
        for field, problem in target_problems(target, codes):
            raise InputError(source, f"targets[{i}]({target.name}){field}", problem)


def calibration_json_schema() -> dict:
    """The JSON Schema of calibration files, for editors (`cocair schema calibration`)."""
    return json_schema(CalibrationSpec, "cocair-sim calibration")
