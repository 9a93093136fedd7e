"""Getting an experiment's figures drawn: in a local process pool, or in this process.

Saving print-quality PNG and SVG dominates a report's time, so with a pool the registry's jobs
are drawn in parallel, and the ones that need only the stored runs start while the summary table
is still being computed. This module does not import the drawing code (`registry`).
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from importlib import import_module
from pathlib import Path

from cocair_sim.experiment.store import Store
from cocair_sim.report.registry import FigureInfo, figures, jobs, needs_summary, report_order


def draw_figures(names: tuple[str, ...], exp, store, summary, folder) -> list[FigureInfo]:
    """Draw some of the registered figures from an open store."""
    # The drawing code (`draw`: matplotlib, and the model for re-run figures) is imported only
    # by the process that draws the figures, never by the one assembling the report.
    from cocair_sim.report.draw.data import FigureContext  # noqa: PLC0415

    ctx = FigureContext(exp, store, summary, Path(folder))
    specs = figures()
    drawn_figures = []
    for name in names:
        module, function = specs[name].draw.split(":")
        drawn = getattr(import_module(module), function)(ctx)
        if drawn is not None:
            drawn_figures.append(drawn)
    return drawn_figures


def draw_job(names: tuple[str, ...], exp, store_path, summary, folder) -> list[FigureInfo]:
    """One job in a worker process: it opens the store itself (a connection cannot travel)."""
    with Store(store_path) as store:
        return draw_figures(names, exp, store, summary, folder)


def start_figures(exp, store, folder, executor: Executor) -> dict[tuple[str, ...], Future]:
    """Submit the jobs that need only the stored runs now; `experiment_figures` collects them."""
    return {
        job: executor.submit(draw_job, job, exp, store.path, None, Path(folder))
        for job in jobs()
        if not needs_summary(job)
    }


def experiment_figures(
    exp, store, summary, folder, executor=None, started: dict | None = None
) -> list[FigureInfo]:
    """All experiment figures (PNG + SVG) in `folder`, in report order, with their data."""
    folder = Path(folder)
    if executor is None:
        figures = [f for job in jobs() for f in draw_figures(job, exp, store, summary, folder)]
    else:
        started = started or {}
        futures = [
            started.get(job) or executor.submit(draw_job, job, exp, store.path, summary, folder)
            for job in jobs()
        ]
        figures = [f for future in futures for f in future.result()]
    order = report_order()
    return sorted(figures, key=lambda f: order.index(f.name) if f.name in order else len(order))
