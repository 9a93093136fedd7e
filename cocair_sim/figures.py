"""Which figures an experiment report has, and getting them drawn (in a pool or here).

The drawing itself is in `plots` (matplotlib); this module does not import it, so the process
that only hands figure jobs to a pool and assembles the report never loads the plotting stack
(~0.5 s of CPU taken from the workers on a 2-core machine).
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FigureInfo:
    """One saved figure, with the data behind it."""

    name: str
    title: str
    caption: str
    png: Path
    svg: Path
    data: Any = field(default=None, repr=False)


# Independent jobs, each drawing and saving its own figures; the longest first, so that with a
# pool it does not start last and leave the other workers idle.
JOBS = ("map_and_alerts", "timeseries", "displacement", "paired", "kg_bars", "sweep")
# Jobs that need only the stored runs, not the summary table: a pool can draw them while the
# tables are being computed.
STORE_JOBS = ("map_and_alerts", "timeseries", "displacement")
# Figures in the order the report shows them.
REPORT_ORDER = (
    "timeseries",
    "paired_differences",
    "kg_flows",
    "map",
    "displacement",
    "sweep",
    "alerts",
)


def draw_job(job: str, exp, store_path, summary, folder) -> list[FigureInfo]:
    """One job in a worker process: it opens the store itself (a connection cannot travel)."""
    from cocair_sim.plots import figure_job
    from cocair_sim.store import Store

    with Store(store_path) as store:
        return figure_job(job, exp, store, summary, folder)


def start_figures(exp, store, folder, executor: Executor) -> dict[str, Future]:
    """Submit the store-only figure jobs now; `experiment_figures` collects them."""
    return {
        name: executor.submit(draw_job, name, exp, store.path, None, Path(folder))
        for name in STORE_JOBS
    }


def experiment_figures(
    exp, store, summary, folder, executor=None, started: dict[str, Future] | None = None
) -> list[FigureInfo]:
    """All experiment figures (PNG + SVG) in `folder`; returns them with their data.

    Saving print-quality PNG and SVG dominates the report's time, so with a local process
    pool the jobs are drawn in parallel (the store is a file every worker can open)."""
    folder = Path(folder)
    if executor is None:
        from cocair_sim.plots import figure_job

        figs = [f for job in JOBS for f in figure_job(job, exp, store, summary, folder)]
    else:
        started = started or {}
        futures = [
            started.get(name) or executor.submit(draw_job, name, exp, store.path, summary, folder)
            for name in JOBS
        ]
        figs = [f for fut in futures for f in fut.result()]
    figs = [f for f in figs if f is not None]
    return sorted(figs, key=lambda f: REPORT_ORDER.index(f.name))
