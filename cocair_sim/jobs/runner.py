"""Executing a job's tasks: sent in small batches to an executor, each result stored as it
comes back.

Work goes to a `concurrent.futures.Executor` (a local process pool, or a Dask cluster's
executor) or runs in this process; results do not depend on which, or on the number of
workers, because every task's randomness comes from its own seed.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from typing import Any

from cocair_sim.jobs.worker import Task, execute_batch


class RunFailed(Exception):
    """A task raised, or a worker died while doing it."""

    def __init__(self, tasks: Sequence[Task] | Sequence[str], cause: BaseException | str):
        self.run_ids = [t if isinstance(t, str) else t.task_id for t in tasks]
        self.cause = cause
        ids = ", ".join(self.run_ids[:8]) + (" ..." if len(self.run_ids) > 8 else "")
        what = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        label = "run" if len(self.run_ids) == 1 else "one of runs"
        super().__init__(f"{label} {ids} failed: {what}")


def batches(tasks: Sequence[Task], workers: int, max_size: int = 8) -> list[list[Task]]:
    """Small batches: enough to amortise the per-task overhead of a pool or a cluster, small
    enough that the last ones leave no worker idle for long."""
    if not tasks:
        return []
    size = max(1, min(max_size, math.ceil(len(tasks) / (workers * 8))))
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def run_all(
    tasks: Sequence[Task],
    execute: Callable[[Any], Any],
    executor: Executor | None,
    store: Callable[[Any], object],
    workers: int,
    on_done: Callable[[int], None] = lambda n: None,
    local: bool = False,
    then: Callable[[], object] | None = None,
) -> None:
    """Apply `execute` (a picklable, module-level function) to every task, handing each result
    to `store` as soon as it is back. Without an executor, in this process.

    If a task raises, nothing new is started, the tasks already under way are finished and
    stored, and `RunFailed` names the task. If a worker dies (`local=True`: a process pool on
    this machine), the task it was doing is found from its mark and named the same way.
    `then` (a picklable function) is queued once per worker behind the last batch, so workers
    that run out of tasks prepare what comes next (the report's imports) instead of idling."""
    if executor is None:
        for task in tasks:
            try:
                result = execute(task)
            except Exception as exc:
                raise RunFailed([task], exc) from exc
            store(result)
            on_done(1)
        return
    marker_dir = tempfile.mkdtemp(prefix="cocair-tasks-") if local else None
    pending: dict[Future, list[Task]] = {}
    queue = iter(batches(tasks, workers))
    in_flight = max(2, workers * 2)
    failure: RunFailed | None = None
    lost: list[Task] = []  # tasks of batches whose worker died
    lost_cause: BaseException | None = None

    def submit_next() -> bool:
        nonlocal then
        batch = next(queue, None)
        try:
            if batch is None:
                if then is not None:
                    for _ in range(workers):
                        executor.submit(then)
                    then = None
                return False
            pending[executor.submit(execute_batch, execute, batch, marker_dir)] = batch
        except BrokenExecutor:
            # A worker died and broke the pool before its own batch came back: submit nothing
            # more; that batch's future reports the crash (and names the task) below.
            return False
        return True

    try:
        for _ in range(in_flight):
            if not submit_next():
                break
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                batch = pending.pop(fut)
                try:
                    results, error = fut.result()
                except Exception as exc:  # the worker died (or the result was lost)
                    lost.extend(batch)
                    lost_cause = lost_cause or exc
                    continue
                for result in results:
                    store(result)
                on_done(len(results))
                if error is not None and failure is None:
                    failure = RunFailed([error[0]], error[1])
                if failure is None and not lost:
                    submit_next()
        if lost:
            crashed = _crashed_tasks(executor, marker_dir)
            if crashed:
                cause = f"the worker process died ({type(lost_cause).__name__}: {lost_cause})"
                raise RunFailed(crashed, cause) from lost_cause
            raise RunFailed(lost, lost_cause) from lost_cause
        if failure is not None:
            raise failure
    finally:
        for fut in pending:
            fut.cancel()
        if marker_dir is not None:
            shutil.rmtree(marker_dir, ignore_errors=True)


def _crashed_tasks(executor: Executor, marker_dir: str | None) -> list[str]:
    """Tasks whose worker died without removing its mark (local process pools only)."""
    if marker_dir is None:
        return []
    executor.shutdown(wait=True)  # the pool terminates its other workers; they unmark
    marks = []
    for name in sorted(os.listdir(marker_dir)):
        try:
            with open(os.path.join(marker_dir, name)) as fh:
                marks.append(fh.read().strip())
        except OSError:
            continue
    return [m for m in marks if m]
