"""What experiment figures are drawn from: the stored runs of the first sweep point, their
daily series, and a few replicates re-run in process (for maps and alert timing)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from cocair_sim.missing import as_float
from cocair_sim.model.model import CocairModel
from cocair_sim.scenario.loading import cached_scenario

RERUNS = 3  # replicates per condition re-run in process for the map and alert timeliness


@dataclass
class FigureContext:
    """One experiment's figures are drawn from this: its file, its store, the summary table (None
    for figures drawn while the table is being made) and the folder they go to."""

    exp: Any
    store: Any
    summary: list[dict] | None
    folder: Path

    @cached_property
    def point(self) -> int:
        """The sweep point figures show: the first one."""
        points = sorted({r["point"] for r in self.summary or ()}) or sorted(
            {r.point for r in self.store.metric_rows()}
        )
        return points[0] if points else 0

    @cached_property
    def conditions(self) -> list[str]:
        """Condition names in the experiment file's order (each keeps its style in every
        figure)."""
        return [c.name for c in self.exp.spec.conditions]

    def runs(self) -> list:
        """Stored runs (without daily series) of the figures' sweep point."""
        return [r for r in self.store.metric_rows() if r.point == self.point]

    def daily_arrays(self) -> tuple[list[str], dict[str, np.ndarray]]:
        """Daily series of the sweep point: the header and, per condition, an array of
        (replicates, days, columns)."""
        header: list[str] = []
        runs: dict[str, list[np.ndarray]] = {}
        for rec in self.store.runs():
            if rec.point != self.point:
                continue
            header = header or rec.daily_header
            arr = np.array([[as_float(v) for v in row] for row in rec.daily_rows])
            runs.setdefault(rec.condition, []).append(arr)
        out = {}
        for cond, arrs in runs.items():
            n = min(a.shape[0] for a in arrs)
            out[cond] = np.stack([a[:n] for a in arrs])
        return header, out

    def point_label(self) -> str:
        """The swept values of the figures' point, `a = 1, b = 2` (empty without a sweep)."""
        if not self.exp.spec.sweep:
            return ""
        if self.summary:
            sweep = next((r["sweep"] for r in self.summary if r["point"] == self.point), {})
        else:  # a figure drawn before the summary table exists
            sweep = next((r.sweep for r in self.runs()), {})
        return ", ".join(f"{k} = {v}" for k, v in sweep.items())

    def sweep_note(self) -> str:
        """A sentence for captions naming the sweep point shown (empty without a sweep)."""
        label = self.point_label()
        return f" Shown for the first sweep point ({label})." if label else ""

    @cached_property
    def scenario(self):
        """The experiment's scenario with its overrides for every run."""
        return cached_scenario(self.exp.scenario_path, self.exp.spec.set)

    @cached_property
    def models(self) -> dict[str, list]:
        """The first stored replicates of each condition re-run in process (same seeds), with
        their event logs."""
        by_cond: dict[str, list[tuple[int, int, dict]]] = {}
        for r in self.runs():
            by_cond.setdefault(r.condition, []).append((r.replicate, r.seed, r.sweep))
        models: dict[str, list] = {}
        for c in self.exp.spec.conditions:
            runs = sorted(by_cond.get(c.name, []))[:RERUNS]
            spec = None
            for _rep, seed, sweep in runs:
                if spec is None:
                    spec = cached_scenario(
                        self.exp.scenario_path, self.exp.spec.run_overrides(sweep, c)
                    )
                models.setdefault(c.name, []).append(CocairModel(spec, seed=seed).run())
        return models
