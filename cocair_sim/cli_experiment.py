"""`cocair experiment` and `cocair report`: paired replications, sweeps, statistics, reports."""

from __future__ import annotations

import os
import shutil
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from cocair_sim.cli import console, err_console, main
from cocair_sim.errors import InputError, OutputError


def _local_executor(workers: int) -> Executor:
    """A local process pool, its workers started at once.

    On Linux, and while this process runs no other thread, the workers are forked from it,
    after it has imported the model: a fork costs milliseconds, where a forkserver preloading
    the model took ~1 s before the first run could start. The pool is started by a first, empty
    task before the progress bar and the background imports start their threads, so no thread
    is ever forked. Elsewhere (or with threads already running, e.g. embedded in another
    program) a forkserver that has imported the model once.
    """
    import multiprocessing as mp
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        # Import the model (Mesa, pandas: ~0.8 s) once here rather than once in every worker:
        # on 2 cores the duplicate imports delayed the first runs by ~0.4 s.
        import gc

        import cocair_sim.model  # noqa: F401

        # What is loaded now lives as long as the workers: frozen, their garbage collections
        # skip it (~130,000 objects; a full collection took ~85 ms) and leave its pages shared.
        gc.freeze()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"))
        pool.submit(int).result()  # forks every worker now (fork pools start all at once)
        return pool
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["cocair_sim.experiment", "cocair_sim.model"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


def _dask_executor(address: str, stack: ExitStack) -> Executor:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask is a dependency
        raise InputError("--scheduler", None, "dask.distributed is not installed") from None
    try:
        client = stack.enter_context(Client(address, timeout="20s"))
    except (OSError, TimeoutError) as exc:
        raise InputError("--scheduler", address, f"cannot reach the scheduler ({exc})") from None
    return client.get_executor()


EXPORTS = ("runs.csv", "daily.csv", "summary.csv")


def open_executor(stack: ExitStack, scheduler: str | None, workers: int, parallel_work: bool):
    """Where runs go: a Dask cluster, a local process pool, or this process (one worker, or
    nothing worth a pool). Returns (executor or None, backend name)."""
    if scheduler:
        return _dask_executor(scheduler, stack), "dask"
    if workers > 1 and parallel_work:
        return stack.enter_context(_local_executor(workers)), "local"
    return None, "in-process"


def _warm_imports(report: bool) -> None:
    """Import what the tables and the report need here (scipy.stats: ~0.5 s) in the background
    while the workers compute, instead of after the last run. The figures are drawn by the
    workers when there are any (`figures`), so this process loads no plotting stack then."""
    import threading

    def work() -> None:
        import scipy.stats  # noqa: F401  (the tables' Wilcoxon tests)

        import cocair_sim.tables

        if report:
            import cocair_sim.report  # noqa: F401

    threading.Thread(target=work, name="warm-imports", daemon=True).start()


def _prepare_report() -> None:
    """In a worker that has run out of runs: load the plotting stack for the report's figures."""
    from cocair_sim.plots import warm_up

    warm_up()


def prepare_folder(out: Path, resume: bool, force: bool, exp_hash: str) -> None:
    """Refuse to mix or clobber results unless asked; check a resumed store is the same
    experiment."""
    from cocair_sim.runio import EXPERIMENT_MARKERS, check_replaceable, holds_files

    store_path = out / "store.sqlite"
    non_empty = holds_files(out)
    if resume:
        if not store_path.exists():
            if non_empty:
                raise OutputError(f"{out} has no store.sqlite to resume from")
            return
        stored = _stored_hash(store_path)
        if stored is not None and stored != exp_hash:
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
    import sqlite3

    from cocair_sim.store import Store

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
        for name in EXPORTS:
            (out / name).unlink(missing_ok=True)
        for tmp in out.glob(".*.tmp"):  # files a killed session was still writing
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot use this folder ({exc.strerror or exc})") from None


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes [all cores].")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://10.0.0.5:8786.")
@click.option("--resume", is_flag=True, help="Continue an interrupted experiment in --out.")
@click.option("--force", is_flag=True, help="Replace existing results in --out.")
@click.option("--out", type=click.Path(path_type=Path), help="Results folder [results/<name>].")
@click.option("--replications", type=click.IntRange(min=1), help="Override the file's count.")
@click.option("--report/--no-report", default=True, show_default=True, help="Figures + report.")
def experiment(file, workers, scheduler, resume, force, out, replications, report):
    """Run the experiment FILE: every condition x sweep point x replicate, paired by seed.

    Finished runs go to OUT/store.sqlite one by one; an interrupted experiment continues with
    --resume and ends with the same results as an uninterrupted one.
    """
    from cocair_sim.experiment import RunFailed, iter_missing, load_experiment, run_all

    exp = load_experiment(file, replications=replications)
    out = out or Path("results") / exp.name
    exp_hash = exp.content_hash()
    prepare_folder(out, resume, force, exp_hash)
    mark_unfinished(out)
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    with ExitStack() as stack:
        store = stack.enter_context(_open_store(out / "store.sqlite"))
        if store.get_meta("experiment_hash") is None:
            store.set_meta("experiment_hash", exp_hash)
            store.set_meta("experiment_name", exp.name)
        total = exp.run_count()
        missing = iter_missing(exp, store)
        # The report draws its figures on the local pool too, so it wants one even when
        # (resuming) no run is missing.
        executor, backend = open_executor(stack, scheduler, workers, len(missing) > 1 or report)
        err_console.print(
            f"{exp.name}: {total} runs ({total - len(missing)} already stored), "
            f"backend {backend}" + ("" if scheduler else f", {workers} worker(s)"),
            highlight=False,
        )
        progress = stack.enter_context(
            Progress(
                TextColumn("[bold]runs"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=err_console,
                disable=not err_console.is_terminal,
            )
        )
        task = progress.add_task("runs", total=total, completed=total - len(missing), rate="")
        t0 = time.perf_counter()
        done = 0

        def on_done(n: int) -> None:
            nonlocal done
            done += n
            rate = done / max(time.perf_counter() - t0, 1e-9)
            progress.update(task, advance=n, rate=f"{rate:.1f} runs/s")

        if executor is not None:
            _warm_imports(report)
        try:
            run_all(
                missing,
                executor,
                store,
                workers,
                on_done,
                local=backend == "local",
                then=_prepare_report if report and backend == "local" else None,
            )
        except RunFailed as exc:
            progress.stop()
            err_console.print(
                f"[bold red]error:[/] {escape(str(exc))}\n{store.count()} of {total} runs are "
                f"stored in {escape(str(out / 'store.sqlite'))}; fix the cause and rerun with "
                "--resume",
                highlight=False,
                soft_wrap=True,
            )
            sys.exit(1)
        except KeyboardInterrupt:
            err_console.print(
                f"interrupted: {store.count()} of {total} runs stored; continue with "
                f"cocair experiment {escape(str(file))} --out {escape(str(out))} --resume",
                highlight=False,
            )
            sys.exit(130)
        progress.stop()
        runs_seconds = time.perf_counter() - t0
        # Figures and exports need the results folder, so only local workers can help there.
        local_pool = executor if backend == "local" else None
        summary = finish(
            exp, store, out, started, backend, workers, report, local_pool, runs_seconds
        )
    print_summary(exp, summary, out)


def _open_store(path: Path):
    import sqlite3

    from cocair_sim.store import Store

    try:
        return Store(path)
    except sqlite3.Error as exc:
        raise OutputError(f"{path} is not a usable experiment store ({exc})") from None


def finish(
    exp,
    store,
    out: Path,
    started: float,
    backend: str,
    workers: int,
    report: bool,
    local_pool=None,
    runs_seconds: float | None = None,
):
    """Exports, (optionally) the report, then manifest.json last: all written atomically."""
    from cocair_sim.outputs import published_together
    from cocair_sim.tables import write_tables

    phases: dict[str, float] = {}
    if runs_seconds is not None:
        phases["runs"] = round(runs_seconds, 3)
    mark = time.perf_counter()
    # Exports, report and manifest appear together once all are written, the manifest last: a
    # session killed before then leaves nothing that could pass for results.
    with published_together():
        early = None
        if report and local_pool is not None:
            from cocair_sim.figures import start_figures

            # The pool draws the figures that need only the stored runs while the tables are
            # made.
            early = start_figures(exp, store, out / "figures", local_pool)
        # Without a report the pool is idle now: a worker writes daily.csv meanwhile.
        summary = write_tables(exp, store, out, pool=None if report else local_pool)
        phases["tables"] = round(time.perf_counter() - mark, 3)
        if report:
            from cocair_sim.report import write_report

            write_report(exp, store, out, summary, executor=local_pool, started=early)
            phases["report"] = round(time.perf_counter() - mark, 3)  # tables included
        write_manifest(exp, store, out, started, backend, workers, phases)
    return summary


def write_manifest(exp, store, out: Path, started, backend, workers, phases) -> None:
    """manifest.json: what was run, how, and the exports' checksums (the completion mark)."""
    import hashlib

    from cocair_sim.outputs import atomic_write_json, versions, written_file
    from cocair_sim.scenario import file_sha256

    run_seconds = sum(r[7] for r in store.metric_rows())
    files = {
        name: hashlib.sha256(written_file(out / name).read_bytes()).hexdigest()
        for name in ("runs.csv", "daily.csv", "summary.csv")
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


def _fmt(v: float) -> str:
    if v != v:
        return "-"
    return f"{v:,.3f}" if abs(v) < 1 else f"{v:,.1f}"


def print_summary(exp, summary: list[dict], out: Path) -> None:
    from cocair_sim.outputs import metric_label
    from cocair_sim.tables import sweep_label

    metrics = exp.spec.metrics[:5]
    points = sorted({r["point"] for r in summary})
    shown = points if len(points) <= 4 else points[:: max(1, len(points) // 4)]
    for metric in metrics:
        table = Table(title=escape(f"{metric_label(metric)} ({metric})"), title_justify="left")
        if exp.spec.sweep:
            table.add_column("sweep point")
        table.add_column("condition")
        table.add_column("mean [95% CI]", justify="right")
        table.add_column(f"vs {exp.spec.baseline_condition} [95% CI]", justify="right")
        table.add_column("change", justify="right")
        table.add_column("Wilcoxon p", justify="right")
        for r in summary:
            if r["metric"] != metric or r["point"] not in shown:
                continue
            cells = [sweep_label(r["sweep"])] if exp.spec.sweep else []
            cells += [
                r["condition"],
                f"{_fmt(r['mean'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]",
            ]
            if "diff_mean" in r:
                cells += [
                    f"{r['diff_mean']:+,.2f} [{r['diff_ci_low']:+,.2f}, {r['diff_ci_high']:+,.2f}]",
                    "-" if r["rel_change"] != r["rel_change"] else f"{r['rel_change']:+.1%}",
                    f"{r['wilcoxon_p']:.3g}",
                ]
            else:
                cells += ["(baseline)", "", ""]
            table.add_row(*cells)
        console.print(table)
    console.print(
        f"results in [bold]{out}[/]: runs.csv, daily.csv, summary.csv, manifest.json"
        + (", report.html" if (out / "report.html").exists() else ""),
        highlight=False,
    )


@main.command(name="report")
@click.argument("results_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
def report_cmd(results_dir):
    """Write figures/ and report.html/report.md for the experiment in RESULTS_DIR."""
    import json

    from cocair_sim.experiment import load_experiment
    from cocair_sim.store import Store
    from cocair_sim.tables import summary_rows

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
    from cocair_sim.report import write_report

    with Store(results_dir / "store.sqlite") as store:
        write_report(exp, store, results_dir, summary_rows(exp, store))
    console.print(f"report in [bold]{results_dir / 'report.html'}[/]", highlight=False)
