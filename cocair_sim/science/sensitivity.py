"""Global sensitivity analysis with SALib: Morris screening and Sobol indices.

Each SALib sample is one set of scenario overrides; each is run for `replications` replicates
(replicate r uses the same seed for every sample, so samples compare on common random numbers)
and the outcome is the mean over replicates. With `compare`, each replicate runs twice, as the
condition and as the baseline on the same seed, and the outcome is the mean paired difference:
the indices then say what drives an effect (the hub's against no relay), not a level.

Runs go through the experiment runner and store, so
they run in parallel locally or on Dask, and an interrupted analysis resumes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator

from cocair_sim.errors import InputError
from cocair_sim.experiment.plan import RunSpec, run_seed
from cocair_sim.experiment.store import Store
from cocair_sim.files.manifest import file_sha256
from cocair_sim.files.schema import Strict, validate_model
from cocair_sim.files.yamlio import load_yaml_mapping, referenced_file
from cocair_sim.scenario.loading import load_scenario


class ParameterRange(Strict):
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
    condition: dict[str, Any] = Field(description="Overrides of the condition, e.g. the hub")
    baseline: dict[str, Any] = Field(description="Overrides of what it is compared with")
    label: Annotated[str, Field(max_length=200)] = "condition - baseline"


class SensitivitySpec(Strict):
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
    return {
        "num_vars": len(spec.parameters),
        "names": [p.name for p in spec.parameters],
        "bounds": [list(p.bounds) for p in spec.parameters],
    }


def sample(spec: SensitivitySpec) -> np.ndarray:
    prob = problem(spec)
    if spec.method == "morris":
        from SALib.sample import morris

        return morris.sample(
            prob, spec.samples, num_levels=spec.morris_levels, seed=spec.base_seed % 2**32
        )
    from SALib.sample import sobol

    return sobol.sample(prob, spec.samples, calc_second_order=False, seed=spec.base_seed % 2**32)


def sample_overrides(spec: SensitivitySpec, row: np.ndarray) -> dict[str, Any]:
    values = {}
    for p, v in zip(spec.parameters, row, strict=True):
        values[p.name] = round(float(v)) if p.integer else float(v)
    return values


def plan(spec: SensitivitySpec, scenario: Path, X: np.ndarray) -> list[RunSpec]:
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
            sums[o, run.condition][run.point] += np.nan if v is None else float(v)
    means = {k: v / np.maximum(counts[k[1]], 1) for k, v in sums.items()}
    if spec.compare is None:
        return {o: means[o, "sample"] for o in spec.outputs}
    return {o: means[o, "condition"] - means[o, "baseline"] for o in spec.outputs}


def analyse(spec: SensitivitySpec, X: np.ndarray, Y: dict[str, np.ndarray]) -> list[dict]:
    """Indices with 95 % confidence intervals, one row per output, parameter and index."""
    prob = problem(spec)
    rows = []
    for output, y in Y.items():
        y = np.nan_to_num(y, nan=0.0)
        if spec.method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(
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
            from SALib.analyze import sobol

            res = sobol.analyze(
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


@dataclass(frozen=True)
class SensitivityResult:
    spec: SensitivitySpec
    out: Path
    rows: list[dict]  # one per output, parameter and index (indices.csv)
    samples: np.ndarray
    outcomes: dict[str, np.ndarray]

    @property
    def main_index(self) -> str:
        return "mu_star" if self.spec.method == "morris" else "ST"


def run_sensitivity(
    file: str | Path,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    progress=None,
) -> SensitivityResult:
    """Sample, run (in parallel, stored as they finish, resumable), analyse and write
    samples.csv, indices.csv, figures/sensitivity.* and manifest.json (last) to `out`."""
    from cocair_sim.experiment.backends import open_executor
    from cocair_sim.experiment.pipeline import (
        Progress,
        claim_store,
        execute,
        open_store,
        prepare_folder,
    )
    from cocair_sim.files.atomic import atomic_write_csv, atomic_write_json, published_together
    from cocair_sim.files.manifest import versions
    from cocair_sim.report.draw.sensitivity import bar_chart

    spec, scenario = load_sensitivity(file)
    out = Path(out) if out is not None else Path("results") / spec.name
    prepare_folder(out, resume, force, content_hash(spec, scenario))
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    X = sample(spec)
    runs = plan(spec, scenario, X)
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    with ExitStack() as stack:
        store = stack.enter_context(open_store(out / "store.sqlite"))
        claim_store(store, content_hash(spec, scenario), spec.name)
        done_ids = store.done_ids()
        missing = [r for r in runs if r.run_id not in done_ids]
        executor, backend = open_executor(stack, scheduler, workers, len(missing) > 1)
        execute(missing, spec.name, len(runs), store, executor, backend, workers,
                progress or Progress())  # fmt: skip
        Y = outcome_matrix(spec, store, len(X))
    rows = analyse(spec, X, Y)
    names = [p.name for p in spec.parameters]
    with published_together():
        atomic_write_csv(
            out / "samples.csv",
            ["sample", *names, *spec.outputs],
            ([i, *X[i], *(Y[o][i] for o in spec.outputs)] for i in range(len(X))),
        )
        atomic_write_csv(
            out / "indices.csv",
            ["method", "output", "parameter", "index", "value", "conf95"],
            (
                [
                    spec.method,
                    r["output"],
                    r["parameter"],
                    r["index"],
                    round(r["value"], 6),
                    "" if r["conf"] != r["conf"] else round(r["conf"], 6),
                ]
                for r in rows
            ),
        )
        bar_chart(spec, rows, out / "figures")
        atomic_write_json(
            out / "manifest.json",
            {
                "analysis": spec.name,
                "file": str(file),
                "method": spec.method,
                "samples": len(X),
                "replications": spec.replications,
                "runs": len(runs),
                "versions": versions(),
                "seconds": round(time.perf_counter() - started, 2),
                "command": sys.argv,
            },
        )
    return SensitivityResult(spec, out, rows, X, Y)
