"""One run of a scenario as a job: summary.json, daily.csv, events.csv and manifest.json (last).

A run keeps no store (it takes a fraction of a second), so it cannot be resumed: the life cycle
assembles its folder under a hidden name beside its target and renames it into place when
complete, so an interrupted run never leaves a folder that looks finished.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, override

from cocair_sim.files.atomic import atomic_write_csv, atomic_write_json
from cocair_sim.files.manifest import file_sha256
from cocair_sim.jobs import Job, JobContext, Output
from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import daily_rows, event_rows, summarise
from cocair_sim.scenario.loading import load_scenario, scenario_hash


def default_run_dir(scenario: Path, mode: str, seed: int) -> Path:
    """results/runs/<scenario>-<mode>-seed<seed>."""
    return Path("results") / "runs" / f"{scenario.stem}-{mode}-seed{seed}"


class RunJob(Job):
    """One simulation of a scenario with overrides and a seed, its event log kept."""

    kind = "run"
    store_file = None
    markers = ("manifest.json", "summary.json")

    def __init__(self, scenario: str | Path, seed: int = 0, overrides: Mapping[str, Any] = ()):
        self.scenario = Path(scenario)
        self.seed = int(seed)
        self.overrides = dict(overrides)
        self.spec = load_scenario(self.scenario, self.overrides)
        self.model: CocairModel | None = None

    @override
    @property
    def name(self) -> str:
        return f"{self.scenario.stem}-{self.spec.relay.mode}-seed{self.seed}"

    @override
    def default_out(self) -> Path:
        """Where `cocair run` writes without --out."""
        return default_run_dir(self.scenario, self.spec.relay.mode, self.seed)

    @override
    def content_hash(self) -> str:
        return scenario_hash(self.spec)

    @override
    def compute(self, ctx: JobContext) -> None:
        """Run the model day by day, telling the progress after each day."""
        model = CocairModel(self.spec, seed=self.seed)
        progress = ctx.options.progress
        progress.begin(self.name, model.days, 0, "in-process", 1)
        try:
            while model.running:
                model.step()
                progress.advance(1)
        finally:
            progress.end()
        self.model = model

    @override
    def manifest(self, ctx: JobContext) -> dict[str, Any]:
        model = self.model
        return {
            "scenario_file": str(self.scenario),
            "scenario_sha256": file_sha256(self.scenario),
            "scenario_content_sha256": scenario_hash(self.spec),
            "overrides": [f"{k}={v}" for k, v in self.overrides.items()],
            "seed": self.seed,
            "relay_mode": model.relay_mode if model else self.spec.relay.mode,
            "days": model.days if model else self.spec.calendar.days,
        }


class RunFiles(Output):
    """summary.json, daily.csv and events.csv of the run."""

    files = ("summary.json", "daily.csv", "events.csv")
    checksummed = files

    @override
    def write(self, ctx: JobContext) -> None:
        model = ctx.job.model
        ctx.shared["summary"] = summary = summarise(model)
        atomic_write_json(ctx.folder / "summary.json", summary)
        atomic_write_csv(ctx.folder / "daily.csv", *daily_rows(model))
        atomic_write_csv(ctx.folder / "events.csv", *event_rows(model))
