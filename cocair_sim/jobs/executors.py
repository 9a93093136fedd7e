"""Where a job's work executes: a local process pool, a Dask cluster, or this process.

Results never depend on the choice (every task carries its own seed); only speed does. Plug-ins
reach every worker whatever the choice, because each registry loads them on first use in the
process that uses it (`cocair_sim.plugins`).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from importlib import import_module

from cocair_sim.errors import InputError

START_METHODS = ("fork", "forkserver", "spawn")


def default_start_method() -> str:
    """fork on Linux while this process runs no other thread, else forkserver.

    A fork costs milliseconds and shares the already imported model with the workers; forking
    a process that runs threads can deadlock the child, and other systems do not fork safely."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver"


def local_pool(
    workers: int, preload: Sequence[str] = (), start_method: str | None = None
) -> ProcessPoolExecutor:
    """A local process pool whose workers have imported `preload` before their first task.

    With fork, the modules are imported here once and the workers start at once, before the
    progress bar and the background imports start their threads, so no thread is ever forked;
    what is loaded then is frozen (`gc.freeze`), so the workers' garbage collections skip it and
    its memory pages stay shared. A forkserver or spawn pool imports them in its server."""
    method = start_method or default_start_method()
    if method not in START_METHODS:
        raise InputError("start method", method, f"not one of {', '.join(START_METHODS)}")
    if method == "fork":
        for module in preload:
            import_module(module)
        gc.freeze()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"))
        pool.submit(int).result()  # forks every worker now (fork pools start all at once)
        return pool
    ctx = mp.get_context(method)
    if method == "forkserver" and preload:
        ctx.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


def dask_executor(address: str, stack: ExitStack) -> Executor:
    """An executor on the Dask cluster at `address` (closed with `stack`)."""
    from distributed import Client  # noqa: PLC0415 - only jobs sent to a cluster load Dask

    try:
        client = stack.enter_context(Client(address, timeout="20s"))
    except (OSError, TimeoutError) as exc:
        raise InputError("--scheduler", address, f"cannot reach the scheduler ({exc})") from None
    return client.get_executor()


def open_executor(
    stack: ExitStack,
    scheduler: str | None,
    workers: int,
    parallel_work: bool,
    preload: Sequence[str] = (),
    start_method: str | None = None,
) -> tuple[Executor | None, str]:
    """Where work goes: a Dask cluster, a local process pool, or this process (one worker, or
    nothing worth a pool). Returns (executor or None, backend name: dask, local, in-process)."""
    if scheduler:
        return dask_executor(scheduler, stack), "dask"
    if workers > 1 and parallel_work:
        return stack.enter_context(local_pool(workers, preload, start_method)), "local"
    return None, "in-process"
