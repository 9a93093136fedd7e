"""Performance benchmarks of cocair-sim: `python -m benchmarks.run [--quick]` from the repository.

Runs the parts declared in `benchmarks/parts.py` (one module each: `default_run`, `scaling`,
`headline`, `memory`, `page`, `calibration`, `exercise`) on the machine it runs on, prints a
table and writes `benchmarks/results.json` (`--quick`: `results-quick.json`); a part run alone
(`--only-...`) updates its own entry and keeps the other parts' latest results. Runs timed in
this process are timed as the experiment's workers run them: with the libraries loaded before
them frozen out of garbage collection (`gc.freeze()`).

Not part of the test suite. Timings are medians; on a busy machine compare the ratio column.
What the figures mean and what they decided: docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from benchmarks import parts
from benchmarks.common import ROOT, SCENARIO, Settings, console, put, write_results


def options(argv: list[str] | None) -> argparse.Namespace:
    """The command line: the general options here, each part's flags from the registry."""
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--quick", action="store_true", help="fast smoke run (small samples)")
    parts.add_options(ap)
    ap.add_argument("--out", type=Path, help="results file [benchmarks/results.json]")
    ap.add_argument("--rounds", type=int, help="rounds of the experiment timings [5; quick 1]")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the selected parts, print the table, write the results; returns what was written."""
    args = options(argv)
    quick = args.quick
    out_path = args.out or ROOT / "benchmarks" / ("results-quick.json" if quick else "results.json")

    from cocair_sim.files.yamlio import load_yaml_mapping
    from cocair_sim.model.model import CocairModel  # noqa: F401  (imports excluded from timings)
    from cocair_sim.scenario import scenario_from_mapping

    raw = dict(load_yaml_mapping(SCENARIO))
    settings = Settings(quick, args.rounds, raw, scenario_from_mapping(raw, str(SCENARIO)))
    # What is loaded now is frozen, as the experiment's local pool freezes it before forking its
    # workers: the runs timed here then pay for no full collection of the libraries' objects.
    gc.freeze()
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "mesa": mesa.__version__,
            "numpy": np.__version__,
            "load_average": os.getloadavg(),
            "gc_frozen_before_runs": True,
        },
        "quick": quick,
    }
    todo = parts.selected(args)
    for part in todo:
        console.print(f"[bold]{part.number}[/] {part.title} ...")
        put(results, part.path, part.run(settings))
    results["machine"]["load_average_end"] = os.getloadavg()
    console.print(parts.table(results))
    merge = [part.path for part in todo] if parts.alone(args) else []
    return write_results(results, out_path, merge)


if __name__ == "__main__":
    main()
