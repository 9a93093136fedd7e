"""Part 5: peak memory (RSS) of the parent and the workers during a long run of the headline
experiment (2,000 runs), and whether the parent grows per run."""

from __future__ import annotations

import resource
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import EXPERIMENT, Row, Settings, mb, rss_bytes

WORKERS = 2
FLAT_BYTES_PER_RUN = 10 * 1024  # growth per run below this counts as flat


def memory(runs: int) -> dict[str, Any]:
    """Run `runs` runs of the headline experiment in process (as the CLI does: its local pool,
    SQLite store) while sampling the parent's RSS every 0.2 s and per finished run."""
    from cocair_sim.experiment import runs as experiment_runs
    from cocair_sim.experiment.plan import plan
    from cocair_sim.experiment.spec import load_experiment
    from cocair_sim.experiment.store import Store
    from cocair_sim.jobs import run_all
    from cocair_sim.jobs.executors import open_executor

    exp = load_experiment(EXPERIMENT, replications=-(-runs // 3))
    todo = plan(exp)[:runs]
    samples: list[tuple[int, int]] = []  # (runs done, parent RSS)
    worker_peak: dict[int, int] = {}
    done = 0
    stop = threading.Event()

    with (
        tempfile.TemporaryDirectory() as tmp,
        Store(Path(tmp) / "store.sqlite") as store,
        ExitStack() as stack,
    ):
        pool, _backend = open_executor(stack, None, WORKERS, True, experiment_runs.PRELOAD)

        def worker_peaks() -> None:
            for pid in list(getattr(pool, "_processes", {}) or {}):
                worker_peak[pid] = max(worker_peak.get(pid, 0), rss_bytes(pid, "VmHWM"))

        def sampler():
            while not stop.wait(0.2):
                samples.append((done, rss_bytes()))
                worker_peaks()

        def on_done(n: int) -> None:
            nonlocal done
            done += n

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        started = time.perf_counter()
        run_all(todo, experiment_runs.execute_run, pool, store.add, WORKERS, on_done, local=True)
        elapsed = time.perf_counter() - started
        worker_peaks()  # the final peaks (VmHWM), before the pool ends
        stop.set()
        thread.join()
    # Growth per run: a straight-line fit of RSS against runs done, over the second half (the
    # first half includes warm-up: imports, the pool, SQLite's page cache filling).
    late = [(n, r) for n, r in samples if n >= runs // 2]
    runs_done, rss = zip(*late, strict=True) if late else ((), ())
    slope = float(np.polyfit(runs_done, rss, 1)[0]) if len(set(runs_done)) > 2 else 0.0
    at = dict(samples)
    return {
        "runs": runs,
        "seconds": elapsed,
        "parent_peak_mb": mb(rss_bytes("self", "VmHWM")),
        "parent_rss_at_10pct_mb": mb(next((r for n, r in samples if n >= runs // 10), 0)),
        "parent_rss_end_mb": mb(max(at.items())[1] if at else 0),
        "parent_growth_bytes_per_run": round(slope, 1),
        "worker_peak_mb": [mb(v) for v in worker_peak.values()],
        "children_maxrss_mb": mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024),
        "samples": len(samples),
    }


def run(settings: Settings) -> dict[str, Any]:
    """The part as the benchmark runs it (120 runs with --quick)."""
    return memory(120 if settings.quick else 2000)


def rows(m: dict[str, Any], results: dict[str, Any]) -> list[Row]:
    """Its rows of the table."""
    growth = m["parent_growth_bytes_per_run"]
    return [
        Row(f"memory, {m['runs']}-run experiment", f"{m['seconds']:.1f} s"),
        Row("  parent RSS at 10% / end (peak)",
            f"{m['parent_rss_at_10pct_mb']} / {m['parent_rss_end_mb']} MB "
            f"({m['parent_peak_mb']})"),
        Row("  parent growth per run (2nd half)", f"{growth / 1024:.2f} KB", "flat",
            abs(growth) < FLAT_BYTES_PER_RUN),
        Row("  worker peak RSS", ", ".join(f"{v} MB" for v in m["worker_peak_mb"])),
    ]  # fmt: skip
