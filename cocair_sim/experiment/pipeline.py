"""A whole experiment from Python: plan, run, store, tables, report, manifest.

    from cocair_sim.experiment.pipeline import run_experiment
    result = run_experiment("experiments/relay_modes.yaml", workers=2, replications=20)
    result.summary  # the rows of summary.csv

`cocair experiment` is this function with a progress bar. Finished runs go to
`OUT/store.sqlite` one by one; an interrupted experiment continues with `resume=True` and ends
with the same results as an uninterrupted one. The exports, the report and `manifest.json` (the
completion mark, written last) appear together at the end.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cocair_sim.errors import OutputError
from cocair_sim.experiment.backends import open_executor
from cocair_sim.experiment.plan import RunSpec, iter_missing
from cocair_sim.experiment.runner import run_all
from cocair_sim.experiment.spec import Experiment, load_experiment
from cocair_sim.experiment.store import Store
from cocair_sim.files.atomic import atomic_write_json, published_together, written_file
from cocair_sim.files.folders import EXPERIMENT_MARKERS, check_replaceable, holds_files
from cocair_sim.files.manifest import file_sha256, versions

EXPORTS = ("runs.csv", "daily.csv", "summary.csv")
OPTIONAL_EXPORTS = ("drivers.csv",)  # over a posterior only


class Progress:
    """What a caller hears while runs execute; the defaults say nothing."""

    def begin(self, name: str, total: int, stored: int, backend: str, workers: int) -> None:
        """`total` runs planned, `stored` of them already in the store."""

    def advance(self, n: int) -> None:
        """`n` more runs are stored."""

    def end(self) -> None:
        """No more runs (finished or stopped)."""


@dataclass(frozen=True)
class ExperimentResult:
    experiment: Experiment
    out: Path
    summary: list[dict[str, Any]]
    backend: str


def run_experiment(
    experiment: str | Path | Experiment,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    replications: int | None = None,
    report: bool = True,
    progress: Progress | None = None,
) -> ExperimentResult:
    """Run every condition x sweep point x replicate of an experiment file and write its tables
    (and, with `report`, its figures and report) to `out` (default `results/<name>`).

    Raises `InputError` for a bad file, `OutputError` when `out` cannot be used as asked, and
    `RunFailed` naming the run when a run raises or its worker dies (the finished runs stay
    stored; fix the cause and resume)."""
    exp = (
        experiment
        if isinstance(experiment, Experiment)
        else load_experiment(experiment, replications=replications)
    )
    out = Path(out) if out is not None else Path("results") / exp.name
    exp_hash = exp.content_hash()
    prepare_folder(out, resume, force, exp_hash)
    mark_unfinished(out)
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    progress = progress or Progress()
    with ExitStack() as stack:
        store = stack.enter_context(open_store(out / "store.sqlite"))
        claim_store(store, exp_hash, exp.name)
        missing = iter_missing(exp, store)
        # The report draws its figures on the local pool too, so it wants one even when
        # (resuming) no run is missing.
        executor, backend = open_executor(stack, scheduler, workers, len(missing) > 1 or report)
        if executor is not None:
            _warm_imports(report)
        t0 = time.perf_counter()
        execute(
            missing,
            exp.name,
            exp.run_count(),
            store,
            executor,
            backend,
            workers,
            progress,
            then=_prepare_report if report and backend == "local" else None,
        )
        runs_seconds = time.perf_counter() - t0
        # Figures and exports need the results folder, so only local workers can help there.
        local_pool = executor if backend == "local" else None
        summary = finish(
            exp, store, out, started, backend, workers, report, local_pool, runs_seconds
        )
    return ExperimentResult(exp, out, summary, backend)


def execute(
    missing: list[RunSpec],
    name: str,
    total: int,
    store: Store,
    executor,
    backend: str,
    workers: int,
    progress: Progress,
    then=None,
) -> None:
    """Run what is missing, storing each run as it finishes, telling `progress`."""
    progress.begin(name, total, total - len(missing), backend, workers)
    try:
        run_all(
            missing,
            executor,
            store,
            workers,
            progress.advance,
            local=backend == "local",
            then=then,
        )
    finally:
        progress.end()


def open_store(path: Path) -> Store:
    try:
        return Store(path)
    except sqlite3.Error as exc:
        raise OutputError(f"{path} is not a usable experiment store ({exc})") from None


def claim_store(store: Store, content_hash: str, name: str) -> None:
    """Mark a new store as holding this experiment (what `resume` checks)."""
    if store.get_meta("experiment_hash") is None:
        store.set_meta("experiment_hash", content_hash)
        store.set_meta("experiment_name", name)


def prepare_folder(out: Path, resume: bool, force: bool, content_hash: str) -> None:
    """Refuse to mix or clobber results unless asked; check a resumed store holds the same
    experiment."""
    store_path = out / "store.sqlite"
    non_empty = holds_files(out)
    if resume:
        if not store_path.exists():
            if non_empty:
                raise OutputError(f"{out} has no store.sqlite to resume from")
            return
        stored = _stored_hash(store_path)
        if stored is not None and stored != content_hash:
            raise OutputError(
                f"{out} holds results of a different experiment (the file, its scenario or "
                "the replications changed); use another --out or --force to start over"
            )
        return
    if non_empty:
        if not force:
            raise OutputError(
                f"{out} already holds results; use --resume to continue them, or --force to "
                "replace them"
            )
        check_replaceable(out, EXPERIMENT_MARKERS)
        shutil.rmtree(out)


def _stored_hash(store_path: Path) -> str | None:
    try:
        with Store(store_path) as store:
            if not store.integrity_ok():
                raise OutputError(f"{store_path} is damaged (integrity check failed)")
            return store.get_meta("experiment_hash")
    except sqlite3.Error as exc:
        raise OutputError(f"{store_path} is not a usable experiment store ({exc})") from None


def mark_unfinished(out: Path) -> None:
    """Before anything is run or rewritten: a folder without manifest.json is unfinished, and
    exports of an earlier session must not pass for the results of this one."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").unlink(missing_ok=True)
        for name in (*EXPORTS, *OPTIONAL_EXPORTS):
            (out / name).unlink(missing_ok=True)
        for tmp in out.glob(".*.tmp"):  # files a killed session was still writing
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot use this folder ({exc.strerror or exc})") from None


def _warm_imports(report: bool) -> None:
    """Import what the tables and the report need (scipy.stats) in the background while the
    workers compute, instead of after the last run. The figures are drawn by the workers when
    there are any, so this process loads no plotting stack then."""

    def work() -> None:
        import scipy.stats  # noqa: F401  (the tables' Wilcoxon tests)

        import cocair_sim.experiment.tables

        if report:
            import cocair_sim.report.html  # noqa: F401

    threading.Thread(target=work, name="warm-imports", daemon=True).start()


def _prepare_report() -> None:
    """In a worker that has run out of runs: load the plotting stack for the report's figures."""
    from cocair_sim.report.draw.style import warm_up

    warm_up()


def finish(
    exp: Experiment,
    store: Store,
    out: Path,
    started: float,
    backend: str,
    workers: int,
    report: bool,
    local_pool=None,
    runs_seconds: float | None = None,
) -> list[dict[str, Any]]:
    """Exports, (optionally) the report, then manifest.json last: all written atomically."""
    from cocair_sim.experiment.tables import write_tables

    phases: dict[str, float] = {}
    if runs_seconds is not None:
        phases["runs"] = round(runs_seconds, 3)
    mark = time.perf_counter()
    # Exports, report and manifest appear together once all are written, the manifest last: a
    # session killed before then leaves nothing that could pass for results.
    with published_together():
        early = None
        if report and local_pool is not None:
            from cocair_sim.report.jobs import start_figures

            # The pool draws the figures that need only the stored runs while the tables are
            # made.
            early = start_figures(exp, store, out / "figures", local_pool)
        # Without a report the pool is idle now: a worker writes daily.csv meanwhile.
        summary = write_tables(exp, store, out, pool=None if report else local_pool)
        phases["tables"] = round(time.perf_counter() - mark, 3)
        if report:
            from cocair_sim.report.html import write_report

            write_report(exp, store, out, summary, executor=local_pool, started=early)
            phases["report"] = round(time.perf_counter() - mark, 3)  # tables included
        write_manifest(exp, store, out, started, backend, workers, phases)
    return summary


def write_manifest(exp, store, out: Path, started, backend, workers, phases) -> None:
    """manifest.json: what was run, how, and the exports' checksums (the completion mark)."""
    run_seconds = sum(r.seconds for r in store.metric_rows())
    files = {
        name: hashlib.sha256(written_file(out / name).read_bytes()).hexdigest()
        for name in (*EXPORTS, *OPTIONAL_EXPORTS)
        if written_file(out / name).exists()
    }
    atomic_write_json(
        out / "manifest.json",
        {
            "experiment": exp.name,
            "experiment_file": str(exp.path),
            "experiment_sha256": file_sha256(exp.path),
            "experiment_content_sha256": exp.content_hash(),
            "scenario_file": str(exp.scenario_path),
            "scenario_sha256": file_sha256(exp.scenario_path),
            "base_seed": exp.spec.base_seed,
            "replications": exp.spec.replications,
            "conditions": [c.model_dump(mode="json") for c in exp.spec.conditions],
            "baseline": exp.spec.baseline_condition,
            "sweep": [s.model_dump(mode="json") for s in exp.spec.sweep],
            "runs": store.count(),
            "seeding": "numpy SeedSequence([base_seed, replicate, sweep_point]); see runs.csv",
            "backend": backend,
            "workers": workers,
            "timings": {
                "wall_seconds_this_session": round(time.perf_counter() - started, 3),
                "sum_of_run_seconds": round(run_seconds, 3),
                "phase_seconds": phases,  # this session's runs, then tables and report
            },
            "versions": versions(),
            "command": sys.argv,
            "files": files,
        },
    )


def rewrite_report(results_dir: str | Path) -> Path:
    """(Re)write the figures and report of a finished experiment from its store; returns the
    report's path."""
    import json

    from cocair_sim.errors import InputError
    from cocair_sim.experiment.tables import summary_rows
    from cocair_sim.report.html import write_report

    results_dir = Path(results_dir)
    manifest_path = results_dir / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(str(results_dir), None, "no manifest.json: not a finished experiment")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        experiment_file = manifest["experiment_file"]
        replications = int(manifest["replications"])
        if not isinstance(experiment_file, str):
            raise TypeError("experiment_file is not text")
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise InputError(str(manifest_path), None, f"not a cocair manifest ({exc})") from None
    exp = load_experiment(experiment_file, replications=replications)
    with Store(results_dir / "store.sqlite") as store:
        write_report(exp, store, results_dir, summary_rows(exp, store))
    return results_dir / "report.html"
