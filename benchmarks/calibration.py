"""Part 7: calibration from a reference table. One table draw (every automatic relay mode on
common random numbers) against as many plain runs; the shipped reference table on 2 local
workers; the same table's draws on a Dask LocalCluster of 1 and 2 workers (near-linear); and
every analysis of the table (`cocair calibrate`)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import CALIBRATION, ROOT, Row, Settings

TARGET_DRAW_RATIO = 1.15  # one table draw vs the plain runs of its modes
TARGET_TABLE_S = 60 * 60  # the shipped table (50,000 draws x 3 modes) on 2 workers
TARGET_ANALYSES_S = 5 * 60  # every analysis of items 2-6 from the table
TARGET_DASK_SPEEDUP = 1.7  # 2 Dask workers against 1 on the same draws
SHIPPED_WORKERS = 2
QUICK_DRAWS = 1_000  # --quick: this many draws, the full table's time projected from them
DASK_DRAWS = 600


def draw_cost(draws: int, rounds: int) -> dict[str, Any]:
    """Seconds per table draw against plain runs of its modes with the draw's values set
    beforehand (the same model work: the draw adds setting the values, reading the figures and
    the observables), measured in alternation."""
    from cocair_sim.calibration import load_calibration
    from cocair_sim.calibration.table import Simulator, prior_draw, simulate
    from cocair_sim.model.model import CocairModel
    from cocair_sim.scenario.loading import cached_scenario
    from cocair_sim.scenario.updates import with_values

    cal = load_calibration(CALIBRATION)
    simulator = Simulator.of(cal)
    modes = simulator.modes
    simulate(prior_draw(cal, simulator, 0))  # warm-up: per-process caches
    plain, drawn = [], []
    for k in range(rounds):
        batch = [prior_draw(cal, simulator, 1000 * k + i) for i in range(draws)]
        base = cached_scenario(simulator.scenario_path, dict(simulator.fixed))
        specs = [with_values(base, simulator.scenario_values(d.values)) for d in batch]
        t = time.perf_counter()
        for d, spec in zip(batch, specs, strict=True):
            for mode in modes:
                CocairModel(spec, seed=d.seed, relay_mode=mode, event_log=False).run()
        plain.append((time.perf_counter() - t) / draws)
        t = time.perf_counter()
        for d in batch:
            simulate(d)
        drawn.append((time.perf_counter() - t) / draws)
    plain_s, drawn_s = statistics.median(plain), statistics.median(drawn)
    return {"plain_ms": plain_s * 1e3, "draw_ms": drawn_s * 1e3, "ratio": drawn_s / plain_s,
            "modes": list(modes), "draws": draws, "rounds": rounds}  # fmt: skip


def _cocair(*args: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cocair_sim", *args], check=True, capture_output=True,
                   cwd=ROOT)  # fmt: skip
    return time.perf_counter() - t


def shipped_table(draws: int | None, folder: Path) -> dict[str, Any]:
    """`cocair table` of the shipped calibration (or its first `draws`) on 2 local workers,
    then `cocair calibrate` from it: wall times."""
    from cocair_sim.calibration import load_calibration

    full = load_calibration(CALIBRATION).spec.draws
    n = draws or full
    table = folder / "table"
    table_s = _cocair("table", str(CALIBRATION), "--workers", str(SHIPPED_WORKERS), "--out",
                      str(table), "--draws", str(n))  # fmt: skip
    manifest = json.loads((table / "manifest.json").read_text())
    out = {"draws": n, "full_draws": full, "modes": len(manifest["modes"]),
           "table_s": table_s, "projected_table_s": table_s * full / n}  # fmt: skip
    if n == full:
        out["analyses_s"] = _cocair("calibrate", str(CALIBRATION), "--table", str(table),
                                    "--out", str(folder / "calibration"))  # fmt: skip
    return out


def dask_scaling(draws: int) -> dict[str, Any]:
    """The same draws on a Dask LocalCluster of 1 and of 2 worker processes."""
    from distributed import LocalCluster

    from cocair_sim import run_table

    seconds = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp, LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=50,
        ) as cluster:  # fmt: skip
            t = time.perf_counter()
            run_table(CALIBRATION, Path(tmp) / "t", draws=draws,
                      scheduler=cluster.scheduler_address)  # fmt: skip
            seconds[workers] = time.perf_counter() - t
    return {"draws": draws, "one_s": seconds[1], "two_s": seconds[2],
            "speedup": seconds[1] / seconds[2]}  # fmt: skip


def run_draw(settings: Settings) -> dict[str, Any]:
    """One draw's cost as the benchmark measures it."""
    return draw_cost(10 if settings.quick else 30, 3 if settings.quick else 5)


def run_shipped(settings: Settings) -> dict[str, Any]:
    """The shipped table and its analyses (--quick: a part of the table, projected)."""
    with tempfile.TemporaryDirectory() as tmp:
        return shipped_table(QUICK_DRAWS if settings.quick else None, Path(tmp))


def run_dask(settings: Settings) -> dict[str, Any]:
    """Draws on Dask, 1 worker against 2."""
    return dask_scaling(DASK_DRAWS // (3 if settings.quick else 1))


def draw_rows(d: dict[str, Any], results: dict[str, Any]) -> list[Row]:
    """The draw's rows of the table."""
    return [
        Row(f"plain runs of the {len(d['modes'])} modes", f"{d['plain_ms']:.1f} ms"),
        Row("  one table draw (values, runs, figures, observables)",
            f"{d['draw_ms']:.1f} ms ({d['ratio']:.2f} x)", f"<= {TARGET_DRAW_RATIO} x",
            d["ratio"] <= TARGET_DRAW_RATIO),
    ]  # fmt: skip


def shipped_rows(sh: dict[str, Any], results: dict[str, Any]) -> list[Row]:
    """The shipped table's and analyses' rows of the table."""
    measured = sh["draws"] == sh["full_draws"]
    value = (
        f"{sh['table_s'] / 60:.1f} min"
        if measured
        else f"{sh['projected_table_s'] / 60:.1f} min (projected from {sh['draws']:,} draws)"
    )
    rows = [
        Row(f"reference table, {sh['full_draws']:,} draws x {sh['modes']} modes, "
            f"{SHIPPED_WORKERS} workers", value, f"<= {TARGET_TABLE_S / 60:.0f} min",
            sh["projected_table_s"] <= TARGET_TABLE_S),
    ]  # fmt: skip
    if "analyses_s" in sh:
        rows.append(
            Row("  every analysis from it (cocair calibrate)", f"{sh['analyses_s']:.0f} s",
                f"<= {TARGET_ANALYSES_S / 60:.0f} min", sh["analyses_s"] <= TARGET_ANALYSES_S)
        )  # fmt: skip
    return rows


def dask_rows(dk: dict[str, Any], results: dict[str, Any]) -> list[Row]:
    """The Dask scaling row of the table."""
    return [
        Row(f"table of {dk['draws']} draws on Dask, 2 workers vs 1",
            f"{dk['two_s']:.0f} s vs {dk['one_s']:.0f} s ({dk['speedup']:.2f} x)",
            f">= {TARGET_DASK_SPEEDUP} x", dk["speedup"] >= TARGET_DASK_SPEEDUP),
    ]  # fmt: skip
