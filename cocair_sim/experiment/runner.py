"""Executing a plan: runs sent in small batches to an executor, each stored as it finishes.

Work goes to a `concurrent.futures.Executor` (a local process pool, or a Dask cluster's
executor); results do not depend on which, or on the number of workers, because every run's
randomness comes from its own seed.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait

from cocair_sim.experiment import worker
from cocair_sim.experiment.plan import RunSpec
from cocair_sim.experiment.store import Store


class RunFailed(Exception):
    """A run raised, or a worker died while doing it."""

    def __init__(self, runs: list[RunSpec] | list[str], cause: BaseException | str):
        self.run_ids = [r if isinstance(r, str) else r.run_id for r in runs]
        self.cause = cause
        ids = ", ".join(self.run_ids[:8]) + (" ..." if len(self.run_ids) > 8 else "")
        what = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        label = "run" if len(self.run_ids) == 1 else "one of runs"
        super().__init__(f"{label} {ids} failed: {what}")


def batches(runs: list[RunSpec], workers: int, max_size: int = 8) -> list[list[RunSpec]]:
    """Small batches: enough to amortise the per-task overhead of a pool or a cluster, small
    enough that the last ones leave no worker idle for long."""
    if not runs:
        return []
    size = max(1, min(max_size, math.ceil(len(runs) / (workers * 8))))
    return [runs[i : i + size] for i in range(0, len(runs), size)]


def run_all(
    runs: list[RunSpec],
    executor: Executor | None,
    store: Store,
    workers: int,
    on_done: Callable[[int], None] = lambda n: None,
    local: bool = False,
    then: Callable[[], object] | None = None,
) -> None:
    """Execute `runs`, storing each finished run at once. Without an executor, in process.

    If a run raises, nothing new is started, the runs already under way are finished and
    stored, and `RunFailed` names the run. If a worker dies (`local=True`: a process pool on
    this machine), the run it was doing is found from its mark and named the same way.
    `then` (a picklable function) is queued once per worker behind the last batch, so workers
    that run out of runs prepare what comes next (the report's imports) instead of idling."""
    if executor is None:
        for run in runs:
            try:
                rec = worker.execute_run(run)
            except Exception as exc:
                raise RunFailed([run], exc) from exc
            store.add(rec)
            on_done(1)
        return
    marker_dir = tempfile.mkdtemp(prefix="cocair-runs-") if local else None
    pending: dict[Future, list[RunSpec]] = {}
    queue = iter(batches(runs, workers))
    in_flight = max(2, workers * 2)
    failure: RunFailed | None = None
    lost: list[RunSpec] = []  # runs of batches whose worker died
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
            pending[executor.submit(worker.execute_batch, batch, marker_dir)] = batch
        except BrokenExecutor:
            # A worker died and broke the pool before its own batch came back: submit nothing
            # more; that batch's future reports the crash (and names the run) below.
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
                    records, error = fut.result()
                except Exception as exc:  # the worker died (or the result was lost)
                    lost.extend(batch)
                    lost_cause = lost_cause or exc
                    continue
                for rec in records:
                    store.add(rec)
                on_done(len(records))
                if error is not None and failure is None:
                    failure = RunFailed([error[0]], error[1])
                if failure is None and not lost:
                    submit_next()
        if lost:
            crashed = _crashed_runs(executor, marker_dir)
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


def _crashed_runs(executor: Executor, marker_dir: str | None) -> list[str]:
    """Runs whose worker died without removing its mark (local process pools only)."""
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
