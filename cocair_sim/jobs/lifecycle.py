"""One life cycle for every job: a run, an experiment, a sensitivity analysis, a calibration, a
reference table, and rewriting a report.

    prepare the results folder    new, or --resume (the same job only), or --force (results only)
    mark it unfinished            no manifest.json, no exports of an earlier session
    open the job's store          each finished result is stored at once (resumable jobs)
    compute                       what is missing, on the executor the job asks for
    publish                       every output written, all appearing together, manifest.json last

A folder without manifest.json is unfinished, whatever else it holds; a job killed at any
moment leaves such a folder, and `resume` continues it. A job that keeps no store (a single
run) is assembled in a hidden folder beside its target and renamed into place when complete.

A job says what it computes and what it stores (`Job`); what is written from its results is a
list of `Output`s, composed by the caller (`cocair_sim.workflows`): tables from the job's own
layer, reports from the report layer, which this module never imports.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any, ClassVar

from cocair_sim.errors import InputError, OutputError
from cocair_sim.files.atomic import atomic_write_json, published_together, written_file
from cocair_sim.files.folders import check_replaceable, check_target, holds_files, staged_folder
from cocair_sim.files.manifest import versions
from cocair_sim.jobs.executors import open_executor
from cocair_sim.jobs.progress import Progress
from cocair_sim.jobs.store import SQLiteStore

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Options:
    """How a job is executed and where its results go: the options every job command shares."""

    workers: int | None = None  # local worker processes (default: every core)
    scheduler: str | None = None  # a Dask scheduler's address: run there instead
    resume: bool = False  # continue the unfinished job in the folder
    force: bool = False  # replace the results in the folder
    progress: Progress = field(default_factory=Progress)
    start_method: str | None = None  # local pools: fork, forkserver or spawn (default: fork
    # on Linux while no other thread runs, else forkserver)

    @property
    def worker_count(self) -> int:
        """The local workers to use."""
        return self.workers or os.cpu_count() or 1


class Job(ABC):
    """What a job computes and stores. Subclasses declare:

    - `kind`: what the manifest calls it ("experiment", "calibration", ...);
    - `store_class` and `store_file`: its store and the file it lives in within the results
      folder (None: the job keeps no store, cannot be resumed, and its folder is assembled
      aside and renamed into place);
    - `markers`: files whose presence shows a folder holds results `--force` may replace;
    - `preload`: modules local workers import before their first task.
    """

    kind: ClassVar[str]
    store_class: ClassVar[type[SQLiteStore] | None] = None
    store_file: ClassVar[str | None] = "store.sqlite"
    markers: ClassVar[tuple[str, ...]] = (MANIFEST,)
    preload: ClassVar[tuple[str, ...]] = ()

    @property
    @abstractmethod
    def name(self) -> str:
        """The job's name: its default results folder is results/<name>."""

    def default_out(self) -> Path:
        """The results folder when none is given: results/<name>."""
        return Path("results") / self.name

    @abstractmethod
    def content_hash(self) -> str:
        """What decides the results (the file, its scenario, ...): a resumed store must match."""

    def open_store(self, path: Path) -> SQLiteStore:
        """The job's store at `path`, created if new."""
        if self.store_class is None:
            raise TypeError(f"a {self.kind} keeps no store")
        return self.store_class(path)

    def stored_hash(self, folder: Path) -> str | None:
        """The content hash recorded in the store of an earlier session (None if none)."""
        with self.open_store(folder / self.store_file) as store:
            if not store.integrity_ok():
                raise OutputError(f"{store.path} is damaged (integrity check failed)")
            return store.stored_hash()

    @abstractmethod
    def compute(self, ctx: JobContext) -> None:
        """Do what the store does not hold yet, storing each result as it comes, telling
        `ctx.options.progress`."""

    def manifest(self, ctx: JobContext) -> dict[str, Any]:
        """The job's own entries in manifest.json (what was run, with what)."""
        return {}


class Output(ABC):
    """Files written from a finished job's results (tables, figures, a report).

    `files` names what it writes into the results folder (files or folders): they are removed
    when a session begins, so that nothing of an earlier one passes for this one's. Outputs are
    written in order; `start` is called on all of them first, so that one can set background
    work going (figures drawn on the pool) while the others write."""

    files: ClassVar[tuple[str, ...]] = ()
    # Files among `files` whose checksums the manifest records (the data, not the pictures).
    checksummed: ClassVar[tuple[str, ...]] = ()
    # Whether it does work on a local pool (figures): the job then opens one even when it has
    # nothing left to compute.
    wants_pool: ClassVar[bool] = False
    # A picklable function that workers run once they have no more tasks: they prepare what
    # this output needs (imports) instead of idling.
    warm_up: ClassVar[Callable[[], object] | None] = None
    # Modules this process imports in the background while the workers compute, so that
    # writing the output does not start with a slow import.
    preload: ClassVar[tuple[str, ...]] = ()

    def start(self, ctx: JobContext) -> None:  # noqa: B027 - a hook, empty unless overridden
        """Set background work going before any output is written (default: none)."""

    @abstractmethod
    def write(self, ctx: JobContext) -> None:
        """Write this output's files into `ctx.folder`."""


@dataclass
class JobContext:
    """A job while it runs: its folder, its store, its executor and what outputs share."""

    job: Job
    out: Path  # the results folder
    options: Options
    stack: ExitStack
    outputs: Sequence[Output] = ()
    store: Any = None
    folder: Path | None = None  # where outputs write now (`out`, or the staged folder)
    executor: Executor | None = None
    backend: str = "in-process"
    phases: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    # What one output leaves for the next (the summary table for the report, say).
    shared: dict[str, Any] = field(default_factory=dict)
    _pool_opened: bool = False

    @property
    def workers(self) -> int:
        """The local workers (the cluster's when the backend is Dask)."""
        return self.options.worker_count

    def pool(self, tasks: int) -> Executor | None:
        """The job's executor, opened on first request: a Dask cluster, a local pool (when
        there are `tasks` to share between more than one worker, or an output works on the
        pool), or None for this process. With an executor, the outputs' own imports are done
        in the background meanwhile."""
        if not self._pool_opened:
            self._pool_opened = True
            parallel = tasks > 1 or any(o.wants_pool for o in self.outputs)
            self.executor, self.backend = open_executor(
                self.stack,
                self.options.scheduler,
                self.workers,
                parallel,
                self.job.preload,
                self.options.start_method,
            )
            modules = [m for o in self.outputs for m in o.preload]
            if self.executor is not None and modules:
                threading.Thread(
                    target=_import_all, args=(modules,), name="preload", daemon=True
                ).start()
        return self.executor

    @property
    def local_pool(self) -> Executor | None:
        """The executor when it is a pool on this machine (it can write into the folder)."""
        return self.executor if self.backend == "local" else None

    def warm_up(self) -> Callable[[], object] | None:
        """What workers should do once out of tasks, for the outputs to come (local only)."""
        ups = [o.warm_up for o in self.outputs if o.warm_up is not None]
        return ups[0] if ups and self.backend == "local" else None


def _import_all(modules: Sequence[str]) -> None:
    for module in modules:
        import_module(module)


def run_job(
    job: Job,
    out: str | Path | None = None,
    outputs: Sequence[Output] = (),
    options: Options | None = None,
) -> JobContext:
    """Prepare the folder, compute what is missing, publish the outputs and the manifest."""
    options = options or Options()
    out = Path(out) if out is not None else job.default_out()
    if job.store_file is None:
        if options.resume:
            raise InputError("--resume", None, f"a {job.kind} keeps no store to resume")
        check_target(out, options.force)
    else:
        prepare_folder(job, out, options.resume, options.force)
        mark_unfinished(out, outputs)
    with ExitStack() as stack:
        ctx = JobContext(job, out, options, stack, outputs)
        if job.store_file is not None:
            ctx.store = stack.enter_context(job.open_store(out / job.store_file))
            ctx.store.claim(job.content_hash(), job.name)
        mark = time.perf_counter()
        job.compute(ctx)
        ctx.phases["compute"] = round(time.perf_counter() - mark, 3)
        if job.store_file is None:
            with staged_folder(out, force=options.force) as staged:
                publish(ctx, staged)
        else:
            publish(ctx, out)
    return ctx


def rewrite(
    job: Job, out: str | Path, outputs: Sequence[Output], options: Options | None = None
) -> JobContext:
    """Write `outputs` again from the store of a finished job (`cocair report`): the files
    they write are exactly what the job wrote, and the manifest, which records how the results
    were made, stays as it is."""
    out = Path(out)
    if not (out / MANIFEST).is_file():
        raise InputError(str(out), None, f"no {MANIFEST}: not a finished {job.kind}")
    if job.store_file is None or not (out / job.store_file).is_file():
        raise InputError(str(out), None, f"no {job.store_file} to rewrite the outputs from")
    if job.stored_hash(out) != job.content_hash():
        raise InputError(
            str(out), None, f"the {job.kind} file or its scenario changed since these results"
        )
    with ExitStack() as stack:
        ctx = JobContext(job, out, options or Options(workers=1), stack, outputs)
        ctx.store = stack.enter_context(job.open_store(out / job.store_file))
        _remove(out, [f for o in outputs for f in o.files])
        with published_together():
            _write_outputs(ctx, out)
    return ctx


def publish(ctx: JobContext, folder: Path) -> None:
    """Write every output, then the manifest; all appear together at the end (the manifest
    last), so a session killed meanwhile leaves nothing that could pass for results."""
    with published_together():
        _write_outputs(ctx, folder)
        write_manifest(ctx, folder)


def _write_outputs(ctx: JobContext, folder: Path) -> None:
    ctx.folder = folder
    for output in ctx.outputs:
        output.start(ctx)
    for output in ctx.outputs:
        mark = time.perf_counter()
        output.write(ctx)
        ctx.phases[type(output).__name__] = round(time.perf_counter() - mark, 3)


def write_manifest(ctx: JobContext, folder: Path) -> None:
    """manifest.json: what was run, how, and the checksums of its data files (the completion
    mark, written last)."""
    files = {}
    for output in ctx.outputs:
        for name in output.checksummed:
            path = written_file(folder / name)
            if path.exists():
                files[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "kind": ctx.job.kind,
        **ctx.job.manifest(ctx),
        "backend": ctx.backend,
        "workers": ctx.workers,
        "seconds": round(time.perf_counter() - ctx.started, 3),
        "phase_seconds": dict(ctx.phases),
        "versions": versions(),
        "command": sys.argv,
        "files": files,
    }
    atomic_write_json(folder / MANIFEST, manifest)


def prepare_folder(job: Job, out: Path, resume: bool, force: bool) -> None:
    """Refuse to mix or clobber results unless asked; a resumed store must hold this job."""
    store_path = out / job.store_file
    non_empty = holds_files(out)
    if resume:
        if not store_path.exists():
            if non_empty:
                raise OutputError(f"{out} has no {job.store_file} to resume from")
            return
        stored = job.stored_hash(out)
        if stored is not None and stored != job.content_hash():
            raise OutputError(
                f"{out} holds results of a different {job.kind} (the file, its scenario or its "
                "size changed); use another --out or --force to start over"
            )
        return
    if non_empty:
        if not force:
            raise OutputError(
                f"{out} already holds results; use --resume to continue them, or --force to "
                "replace them"
            )
        check_replaceable(out, (*job.markers, job.store_file))
        shutil.rmtree(out)


def mark_unfinished(out: Path, outputs: Sequence[Output]) -> None:
    """Before anything is computed or rewritten: a folder without manifest.json is unfinished,
    and outputs of an earlier session must not pass for this one's."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        _remove(out, [MANIFEST, *(f for o in outputs for f in o.files)])
        for tmp in out.glob(".*.tmp"):  # files a killed session was still writing
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot use this folder ({exc.strerror or exc})") from None


def _remove(out: Path, names: Sequence[str]) -> None:
    for name in names:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
