"""One run of a scenario written to a folder: summary.json, daily.csv, events.csv, figures/ and
manifest.json (last, the completion mark).

The folder is assembled under a hidden name beside its target and renamed into place when
complete, so an interrupted run never leaves a folder that looks finished.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cocair_sim.files.atomic import atomic_write_csv, atomic_write_json, published_together
from cocair_sim.files.folders import check_target, staged_folder
from cocair_sim.files.manifest import file_sha256, versions
from cocair_sim.outputs import daily_rows, event_rows, summarise
from cocair_sim.scenario.loading import load_scenario, scenario_hash

if TYPE_CHECKING:
    from cocair_sim.model.model import CocairModel

RUN_FILES = ("summary.json", "daily.csv", "events.csv")


def default_run_dir(scenario: Path, mode: str, seed: int) -> Path:
    return Path("results") / "runs" / f"{scenario.stem}-{mode}-seed{seed}"


def run_scenario(
    scenario: str | Path,
    *,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    force: bool = False,
    figures: bool = True,
    on_day: Callable[[CocairModel], None] = lambda model: None,
) -> tuple[dict[str, Any], Path]:
    """Run `scenario` once with `overrides` and write its folder; returns (summary, folder).

    `on_day` is called after every simulated day (a progress bar)."""
    from cocair_sim.model.model import CocairModel

    scenario = Path(scenario)
    overrides = dict(overrides or {})
    spec = load_scenario(scenario, overrides)
    out = Path(out) if out is not None else default_run_dir(scenario, spec.relay.mode, seed)
    check_target(out, force)
    started = time.perf_counter()
    model = CocairModel(spec, seed=seed)
    while model.running:
        model.step()
        on_day(model)
    manifest = {
        "command": "run",
        "scenario_file": str(scenario),
        "scenario_sha256": file_sha256(scenario),
        "scenario_content_sha256": scenario_hash(spec),
        "overrides": [f"{k}={v}" for k, v in overrides.items()],
        "seed": seed,
        "relay_mode": model.relay_mode,
        "days": model.days,
        "seconds": round(time.perf_counter() - started, 3),
    }
    with staged_folder(out, force=force) as tmp:
        summary = write_run(model, tmp, manifest)
        if figures:
            from cocair_sim.report.draw.run import run_figures

            run_figures(model, tmp / "figures")
    return summary, out


def write_run(model: CocairModel, out: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write summary.json, daily.csv and events.csv, then manifest.json (the completion mark)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)  # unfinished until rewritten below
    summary = summarise(model)
    with published_together():  # all three appear together, then the manifest
        atomic_write_json(out / "summary.json", summary)
        atomic_write_csv(out / "daily.csv", *daily_rows(model))
        atomic_write_csv(out / "events.csv", *event_rows(model))
    files = {name: file_sha256(out / name) for name in RUN_FILES}
    manifest = {**manifest, "versions": versions(), "files": files, "argv": sys.argv}
    atomic_write_json(out / "manifest.json", manifest)
    return summary
