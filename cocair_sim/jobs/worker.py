"""A batch of tasks in a worker process (local or on a Dask cluster).

A local worker marks the task it is doing, so that the parent can name the task whose worker
died: the mark is written to `<marker_dir>/<pid>` before the task and removed after it or when
the pool terminates the worker (SIGTERM). A worker that dies abruptly (a crash, `os._exit`, the
OOM killer) leaves its mark behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any, Protocol


class Task(Protocol):
    """What a job hands to its workers: anything picklable with an id of its own."""

    @property
    def task_id(self) -> str:
        """Unique within the job; names the task in errors and in the store."""
        ...


_marker_dir: str | None = None


def _on_sigterm(signum, frame):  # pragma: no cover - runs in a worker being shut down
    if _marker_dir is not None:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(_marker_dir, str(os.getpid())))
    os._exit(128 + signum)


def _mark(task_id: str | None) -> None:
    if _marker_dir is None:
        return
    path = os.path.join(_marker_dir, str(os.getpid()))
    if task_id is None:
        with contextlib.suppress(OSError):
            os.unlink(path)
    else:
        with open(path, "w") as fh:
            fh.write(task_id)


def execute_batch(
    execute: Callable[[Any], Any], tasks: Sequence[Task], marker_dir: str | None = None
) -> tuple[list[Any], tuple[str, str] | None]:
    """Run `execute` on each task; returns the finished results and, if a task raised,
    (task id, error text).

    Tasks after a failing one are not attempted (they are not lost: they are simply not
    stored, and a resumed job does them)."""
    global _marker_dir
    if marker_dir is not None and _marker_dir != marker_dir:
        _marker_dir = marker_dir
        signal.signal(signal.SIGTERM, _on_sigterm)
    results = []
    for task in tasks:
        _mark(task.task_id)
        try:
            results.append(execute(task))
        except Exception as exc:
            _mark(None)
            return results, (task.task_id, f"{type(exc).__name__}: {exc}")
        _mark(None)
    return results, None
