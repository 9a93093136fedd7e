"""Where runs execute: a local process pool, a Dask cluster, or this process.

Results never depend on the choice (every run carries its own seed); only speed does.
"""

from __future__ import annotations

import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack

from cocair_sim.errors import InputError


def _local_executor(workers: int) -> Executor:
    """A local process pool, its workers started at once.

    On Linux, and while this process runs no other thread, the workers are forked from it,
    after it has imported the model: a fork costs milliseconds, where a forkserver has to
    import the model again before the first run can start. The pool is started by a first, empty
    task before the progress bar and the background imports start their threads, so no thread
    is ever forked. Elsewhere (or with threads already running, e.g. embedded in another
    program) a forkserver that has imported the model once.
    """
    import multiprocessing as mp
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        # Import the model (Mesa, pandas) once here rather than once in every worker.
        import gc

        import cocair_sim.model.model  # noqa: F401

        # What is loaded now lives as long as the workers: frozen, their garbage collections
        # skip it (over a hundred thousand objects) and leave its pages shared.
        gc.freeze()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"))
        pool.submit(int).result()  # forks every worker now (fork pools start all at once)
        return pool
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["cocair_sim.experiment.worker", "cocair_sim.model.model"])
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


def open_executor(stack: ExitStack, scheduler: str | None, workers: int, parallel_work: bool):
    """Where runs go: a Dask cluster, a local process pool, or this process (one worker, or
    nothing worth a pool). Returns (executor or None, backend name)."""
    if scheduler:
        return _dask_executor(scheduler, stack), "dask"
    if workers > 1 and parallel_work:
        return stack.enter_context(_local_executor(workers)), "local"
    return None, "in-process"
