"""Every job as one function call: a job, its outputs, the life cycle (what the commands run).

    from cocair_sim import run_experiment
    result = run_experiment("relay_modes", workers=2, replications=20)
    result.summary  # the rows of summary.csv

Each function takes the job's file (a path, or the name of a shipped file), the results folder
(default `results/<name>`) and the options every job shares (`cocair_sim.jobs.Options`:
`workers`, `scheduler`, `resume`, `force`, `progress`, `start_method`). Bad input raises
`InputError`, an unusable folder `OutputError`, a failed run `RunFailed` naming it (the finished
runs stay stored: fix the cause and resume).

This is where the layers meet: a job and its tables come from the layer that computes them, its
figures and report from the report layer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cocair_sim import shipped
from cocair_sim.calibration.job import CalibrationJob, CalibrationResult, CalibrationTables
from cocair_sim.calibration.spec import load_calibration
from cocair_sim.calibration.table import TableFile, TableJob
from cocair_sim.errors import InputError
from cocair_sim.experiment.job import ExperimentJob, ExperimentTables
from cocair_sim.experiment.single import RunFiles, RunJob
from cocair_sim.experiment.spec import Experiment, load_experiment
from cocair_sim.jobs import MANIFEST, Options, rewrite, run_job
from cocair_sim.report.outputs import (
    CalibrationReport,
    ExperimentReport,
    RunFigures,
    SensitivityFigure,
)
from cocair_sim.science.sensitivity import SensitivityJob, SensitivityResult, SensitivityTables


@dataclass(frozen=True)
class ExperimentResult:
    """A finished experiment: its file, folder, summary rows and where it ran."""

    experiment: Experiment
    out: Path
    summary: list[dict[str, Any]]
    backend: str


@dataclass(frozen=True)
class RunResult:
    """A finished run: its summary (as summary.json) and folder."""

    summary: dict[str, Any]
    out: Path


def run_scenario(
    scenario: str | Path | None = None,
    out: str | Path | None = None,
    *,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    figures: bool = True,
    **options: Any,
) -> RunResult:
    """Run a scenario once and write summary.json, daily.csv, events.csv, figures/ and
    manifest.json (default folder results/runs/<scenario>-<mode>-seed<seed>)."""
    path = shipped.resolve(scenario, "scenarios", shipped.DEFAULT_SCENARIO)
    job = RunJob(path, seed, overrides or {})
    outputs = [RunFiles(), *([RunFigures()] if figures else [])]
    ctx = run_job(job, out, outputs, Options(**options))
    return RunResult(ctx.shared["summary"], ctx.out)


def run_experiment(
    experiment: str | Path | Experiment,
    out: str | Path | None = None,
    *,
    replications: int | None = None,
    report: bool = True,
    **options: Any,
) -> ExperimentResult:
    """Run every condition x sweep point x replicate of an experiment file and write its tables
    (and, with `report`, its figures and report)."""
    exp = (
        experiment
        if isinstance(experiment, Experiment)
        else load_experiment(shipped.resolve(experiment, "experiments", ""), replications)
    )
    outputs = [ExperimentTables(), *([ExperimentReport()] if report else [])]
    ctx = run_job(ExperimentJob(exp), out, outputs, Options(**options))
    return ExperimentResult(exp, ctx.out, ctx.shared["summary"], ctx.backend)


def run_sensitivity(
    file: str | Path, out: str | Path | None = None, **options: Any
) -> SensitivityResult:
    """Sample, run, analyse and write samples.csv, indices.csv and figures/sensitivity.*."""
    job = SensitivityJob(shipped.resolve(file, "experiments", ""))
    ctx = run_job(job, out, [SensitivityTables(), SensitivityFigure()], Options(**options))
    return job.analysis(ctx)


def run_table(
    calibration: str | Path,
    out: str | Path | None = None,
    *,
    draws: int | None = None,
    **options: Any,
) -> Path:
    """Simulate the reference table of a calibration file (resumable); returns its folder
    (default results/<name>_table)."""
    job = TableJob(load_calibration(shipped.resolve(calibration, "experiments", "")), draws)
    return run_job(job, out, [TableFile()], Options(**options)).out


def run_calibration(
    calibration: str | Path,
    out: str | Path | None = None,
    *,
    table: str | Path | None = None,
    observed: Mapping[str, float] | None = None,
    report: bool = True,
    **options: Any,
) -> CalibrationResult:
    """Infer from a finished reference table (default results/<name>_table) for the published
    figures, or for `observed` ones (target name -> value), and write the posterior, its
    calibration check, the analyses and (with `report`) the report."""
    job = CalibrationJob(shipped.resolve(calibration, "experiments", ""), table, observed)
    outputs = [CalibrationTables(), *([CalibrationReport()] if report else [])]
    run_job(job, out, outputs, Options(**options))
    return job.result


def rewrite_report(results_dir: str | Path, **options: Any) -> Path:
    """Write the figures and report of a finished experiment again from its store: the same
    files the experiment wrote. Returns the report's path."""
    results_dir = Path(results_dir)
    manifest_path = results_dir / MANIFEST
    if not manifest_path.is_file():
        raise InputError(str(results_dir), None, f"no {MANIFEST}: not a finished experiment")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("kind", "experiment") != "experiment":
            raise ValueError(f"it holds a {manifest['kind']}; cocair report rewrites experiments")
        job = ExperimentJob.from_manifest(manifest)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InputError(
            str(manifest_path), None, f"not an experiment's manifest ({exc})"
        ) from None
    rewrite(job, results_dir, [ExperimentReport()], Options(**options))
    return results_dir / "report.html"
