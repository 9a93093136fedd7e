"""Global sensitivity analysis with SALib: Morris screening and Sobol indices.

Each SALib sample is one set of scenario overrides; each is run for `replications` replicates
(replicate r uses the same seed for every sample, so samples compare on common random numbers)
and the outcome is the mean over replicates. With `compare`, each replicate runs twice, as the
condition and as the baseline on the same seed, and the outcome is the mean paired difference:
the indices then say what drives an effect (the hub's against no relay), not a level.

Runs go through the job life cycle and the experiment store, so they run in parallel locally or
on Dask, and an interrupted analysis resumes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, override

import numpy as np
from pydantic import Field, field_validator

from cocair_sim.errors import InputError
from cocair_sim.experiment import runs
from cocair_sim.experiment.plan import RunSpec, run_seed
from cocair_sim.experiment.store import Store
from cocair_sim.files.atomic import atomic_write_csv
from cocair_sim.files.manifest import file_sha256
from cocair_sim.files.schema import Strict, validate_model
from cocair_sim.files.yamlio import load_yaml_mapping, referenced_file
from cocair_sim.jobs import Job, JobContext, Output, run_all
from cocair_sim.missing import as_float, csv_cell
from cocair_sim.scenario.loading import load_scenario


class ParameterRange(Strict):
    """A scenario field varied by the analysis, over [low, high]."""

    name: Annotated[str, Field(min_length=1, description="Dotted scenario field")]
    bounds: Annotated[list[float], Field(min_length=2, max_length=2)]
    integer: bool = Field(False, description="Round sampled values to whole numbers")

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, bounds):
        if not bounds[0] < bounds[1]:
            raise ValueError("bounds must be [low, high] with low < high")
        return bounds


class Comparison(Strict):
    """Analyse a paired difference: what the condition and its baseline each set."""

    condition: dict[str, Any] = Field(description="Overrides of the condition, e.g. the hub")
    baseline: dict[str, Any] = Field(description="Overrides of what it is compared with")
    label: Annotated[str, Field(max_length=200)] = "condition - baseline"


class SensitivitySpec(Strict):
    """A sensitivity file: the scenario, the method, the ranges and the outputs."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")]
    description: str = ""
    scenario: str
    method: Literal["morris", "sobol"] = "morris"
    samples: Annotated[int, Field(ge=2, le=100_000)] = Field(
        20, description="Morris: trajectories; Sobol: base sample size N (a power of 2 is best)"
    )
    morris_levels: Annotated[int, Field(ge=2, le=20)] = 4
    replications: Annotated[int, Field(ge=1, le=1000)] = 5
    base_seed: Annotated[int, Field(ge=0, lt=2**63)] = 2011
    set: dict[str, Any] = Field(default_factory=dict)
    parameters: list[ParameterRange] = Field(min_length=2, max_length=50)
    outputs: list[str] = Field(default_factory=lambda: ["operation.kg_seized"], min_length=1)
    compare: Comparison | None = Field(
        None, description="Analyse the paired difference condition - baseline of each output"
    )

    def sides(self) -> list[tuple[str, dict[str, Any]]]:
        """The runs of one replicate: one plain run, or the condition and its baseline."""
        if self.compare is None:
            return [("sample", {})]
        return [("condition", self.compare.condition), ("baseline", self.compare.baseline)]


def load_sensitivity(path: str | Path) -> tuple[SensitivitySpec, Path]:
    """Read and validate a sensitivity file (both ends of every range against the scenario);
    returns it with its scenario's path."""
    path = Path(path)
    spec = validate_model(SensitivitySpec, load_yaml_mapping(path), str(path))
    scenario = referenced_file(path, spec.scenario, "scenario")
    names = [p.name for p in spec.parameters]
    if len(set(names)) != len(names):
        raise InputError(str(path), "parameters", "a parameter is listed twice")
    for i, p in enumerate(spec.parameters):  # both ends must make a valid scenario
        for value in p.bounds:
            v = round(value) if p.integer else value
            for _, side in spec.sides():
                try:
                    load_scenario(
                        scenario, {**spec.set, **side, p.name: v}, override_source="parameters"
                    )
                except InputError as err:
                    field = f"parameters[{i}]({p.name})"
                    raise InputError(str(path), field, err.problem) from None
    return spec, scenario


def problem(spec: SensitivitySpec) -> dict[str, Any]:
    """SALib's problem description."""
    return {
        "num_vars": len(spec.parameters),
        "names": [p.name for p in spec.parameters],
        "bounds": [list(p.bounds) for p in spec.parameters],
    }


def sample(spec: SensitivitySpec) -> np.ndarray:
    """SALib's sample (Morris trajectories or Saltelli's Sobol design), seeded."""
    prob = problem(spec)
    # SALib is imported where it samples and analyses: it loads scipy.stats, which every
    # program that merely imports the jobs (`cocair experiment` among them) would pay for.
    from SALib.sample import morris as morris_sample  # noqa: PLC0415
    from SALib.sample import sobol as sobol_sample  # noqa: PLC0415

    if spec.method == "morris":
        return morris_sample.sample(
            prob, spec.samples, num_levels=spec.morris_levels, seed=spec.base_seed % 2**32
        )
    return sobol_sample.sample(
        prob, spec.samples, calc_second_order=False, seed=spec.base_seed % 2**32
    )


def sample_overrides(spec: SensitivitySpec, row: np.ndarray) -> dict[str, Any]:
    """One sample as scenario overrides (whole numbers where a range says so)."""
    values = {}
    for p, v in zip(spec.parameters, row, strict=True):
        values[p.name] = round(float(v)) if p.integer else float(v)
    return values


def plan(spec: SensitivitySpec, scenario: Path, X: np.ndarray) -> list[RunSpec]:
    """Every run: each sample x replicate (x both sides of a comparison), replicate r on the
    same seed for every sample."""
    runs = []
    for i, row in enumerate(X):
        values = sample_overrides(spec, row)
        for rep in range(spec.replications):
            for side, overrides in spec.sides():
                runs.append(
                    RunSpec(
                        run_id=f"s{i}-r{rep}" if spec.compare is None else f"s{i}-{side}-r{rep}",
                        scenario_path=str(scenario),
                        overrides=tuple({**spec.set, **overrides, **values}.items()),
                        condition=side,
                        point=i,
                        sweep=tuple(values.items()),
                        replicate=rep,
                        seed=run_seed(spec.base_seed, rep, 0),
                    )
                )
    return runs


def content_hash(spec: SensitivitySpec, scenario: Path) -> str:
    """What decides the results (the file without its description, and the scenario)."""
    blob = json.dumps(
        {
            "spec": spec.model_dump(mode="json", exclude={"description"}),
            "scenario": file_sha256(scenario),
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def outcome_matrix(spec: SensitivitySpec, store: Store, n_samples: int) -> dict[str, np.ndarray]:
    """Mean over replicates of each output, per sample (rows in SALib's order); with `compare`,
    the mean of the condition less the mean of the baseline (the same seeds)."""
    sums = {(o, s): np.zeros(n_samples) for o in spec.outputs for s, _ in spec.sides()}
    counts = {s: np.zeros(n_samples) for s, _ in spec.sides()}
    for run in store.metric_rows():
        counts[run.condition][run.point] += 1
        for o in spec.outputs:
            v = run.metrics.get(o)
            sums[o, run.condition][run.point] += as_float(v)
    means = {k: v / np.maximum(counts[k[1]], 1) for k, v in sums.items()}
    if spec.compare is None:
        return {o: means[o, "sample"] for o in spec.outputs}
    return {o: means[o, "condition"] - means[o, "baseline"] for o in spec.outputs}


def analyse(spec: SensitivitySpec, X: np.ndarray, Y: dict[str, np.ndarray]) -> list[dict]:
    """Indices with 95 % confidence intervals, one row per output, parameter and index."""
    from SALib.analyze import morris as morris_analysis  # noqa: PLC0415 - see `sample`
    from SALib.analyze import sobol as sobol_analysis  # noqa: PLC0415

    prob = problem(spec)
    rows = []
    for output, y in Y.items():
        y = np.nan_to_num(y, nan=0.0)
        if spec.method == "morris":
            res = morris_analysis.analyze(
                prob,
                X,
                y,
                num_levels=spec.morris_levels,
                conf_level=0.95,
                num_resamples=1000,
                seed=spec.base_seed % 2**32,
            )
            for k, name in enumerate(prob["names"]):
                rows.append(
                    {
                        "output": output,
                        "parameter": name,
                        "index": "mu_star",
                        "value": float(res["mu_star"][k]),
                        "conf": float(res["mu_star_conf"][k]),
                    }
                )
                rows.append(
                    {
                        "output": output,
                        "parameter": name,
                        "index": "sigma",
                        "value": float(res["sigma"][k]),
                        "conf": float("nan"),
                    }
                )
        else:
            res = sobol_analysis.analyze(
                prob,
                y,
                calc_second_order=False,
                conf_level=0.95,
                num_resamples=1000,
                seed=spec.base_seed % 2**32,
            )
            for k, name in enumerate(prob["names"]):
                for index in ("S1", "ST"):
                    rows.append(
                        {
                            "output": output,
                            "parameter": name,
                            "index": index,
                            "value": float(res[index][k]),
                            "conf": float(res[f"{index}_conf"][k]),
                        }
                    )
    return rows


class SensitivityJob(Job):
    """The runs of a sensitivity analysis: each SALib sample x replicate (x both sides of a
    comparison), stored as they finish like an experiment's."""

    kind = "sensitivity"
    store_class = Store
    markers = ("store.sqlite", "manifest.json", "indices.csv")
    preload = runs.PRELOAD

    def __init__(self, file: str | Path):
        self.file = Path(file)
        self.spec, self.scenario = load_sensitivity(file)
        self.samples = sample(self.spec)

    @override
    @property
    def name(self) -> str:
        return self.spec.name

    @override
    def content_hash(self) -> str:
        return content_hash(self.spec, self.scenario)

    def plan(self) -> list[RunSpec]:
        """Every run of the analysis."""
        return plan(self.spec, self.scenario, self.samples)

    @override
    def compute(self, ctx: JobContext) -> None:
        """Run what the store does not hold, storing each run as it finishes."""
        planned = self.plan()
        done = ctx.store.done_ids()
        missing = [r for r in planned if r.run_id not in done]
        executor = ctx.pool(len(missing))
        progress = ctx.options.progress
        progress.begin(self.name, len(planned), len(planned) - len(missing), ctx.backend,
                       ctx.workers)  # fmt: skip
        try:
            run_all(missing, runs.execute_run, executor, ctx.store.add, ctx.workers,
                    progress.advance, local=ctx.backend == "local")  # fmt: skip
        finally:
            progress.end()

    def analysis(self, ctx: JobContext) -> SensitivityResult:
        """The indices from the stored runs, computed once and shared by the outputs."""
        if "analysis" not in ctx.shared:
            outcomes = outcome_matrix(self.spec, ctx.store, len(self.samples))
            rows = analyse(self.spec, self.samples, outcomes)
            ctx.shared["analysis"] = SensitivityResult(
                self.spec, ctx.out, rows, self.samples, outcomes
            )
        return ctx.shared["analysis"]

    @override
    def manifest(self, ctx: JobContext) -> dict[str, Any]:
        return {
            "analysis": self.spec.name,
            "file": str(self.file),
            "file_sha256": file_sha256(self.file),
            "scenario_file": str(self.scenario),
            "method": self.spec.method,
            "samples": len(self.samples),
            "replications": self.spec.replications,
            "runs": ctx.store.count(),
        }


@dataclass(frozen=True)
class SensitivityResult:
    """A finished analysis: its indices, the samples and each sample's outcomes."""

    spec: SensitivitySpec
    out: Path
    rows: list[dict]  # one per output, parameter and index (indices.csv)
    samples: np.ndarray
    outcomes: dict[str, np.ndarray]

    @property
    def main_index(self) -> str:
        """The index that ranks parameters: mu* (Morris) or the total-order index (Sobol)."""
        return "mu_star" if self.spec.method == "morris" else "ST"


class SensitivityTables(Output):
    """samples.csv (each sample's values and outcomes) and indices.csv."""

    files = ("samples.csv", "indices.csv")
    checksummed = files

    @override
    def write(self, ctx: JobContext) -> None:
        job: SensitivityJob = ctx.job  # type: ignore[assignment]
        result = job.analysis(ctx)
        spec, X, Y = result.spec, result.samples, result.outcomes
        names = [p.name for p in spec.parameters]
        atomic_write_csv(
            ctx.folder / "samples.csv",
            ["sample", *names, *spec.outputs],
            ([i, *X[i], *(Y[o][i] for o in spec.outputs)] for i in range(len(X))),
        )
        atomic_write_csv(
            ctx.folder / "indices.csv",
            ["method", "output", "parameter", "index", "value", "conf95"],
            (
                [spec.method, r["output"], r["parameter"], r["index"], csv_cell(r["value"]),
                 csv_cell(r["conf"])]
                for r in result.rows
            ),
        )  # fmt: skip
