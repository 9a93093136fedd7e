"""Which figures an experiment report has: each declared once, as a `FigureSpec`.

The registry names each figure's drawing function by its import path instead of importing it, so
the process that plans the figures and assembles the report never loads matplotlib: the drawing
happens in the pool's workers (see `jobs`). The report shows the figures in registry order.

To add a figure: write `draw(ctx) -> FigureInfo | None` in a module of `cocair_sim.report.draw`
(`ctx` is a `draw.data.FigureContext`; return None when the figure does not apply) and register
a `FigureSpec` for it here, or declare the `FigureSpec` in a plug-in package under the entry
point group `cocair_sim.figures` (CONTRIBUTING.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cocair_sim import plugins


@dataclass
class FigureInfo:
    """One saved figure, with the data behind it."""

    name: str
    title: str
    caption: str
    png: Path
    svg: Path
    data: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the experiment report.

    `draw` is "module:function"; `needs_summary` says the figure reads the summary table (the
    others can be drawn while it is being computed); `reruns` says it is drawn from replicates
    re-run in process (figures that do are drawn together and share the runs); `cost` orders
    the work, costliest first, so that no worker starts a long figure last; `min_sweeps` is the
    number of swept parameters it needs (its drawing returns None with fewer); `needs_surface`
    says it draws the calibration an experiment names (`surface:`; None without one)."""

    name: str
    draw: str
    needs_summary: bool = False
    reruns: bool = False
    cost: int = 1
    min_sweeps: int = 0
    needs_surface: bool = False


_FIGURES: dict[str, FigureSpec] = {}


def register_figure(spec: FigureSpec) -> FigureSpec:
    """Add a figure to every experiment report (a name can be registered once)."""
    if not isinstance(spec, FigureSpec):
        raise TypeError(f"a figure must be a FigureSpec, not {type(spec).__name__}")
    if spec.name in _FIGURES and _FIGURES[spec.name] != spec:
        raise ValueError(f"figure '{spec.name}' is already registered")
    if ":" not in spec.draw:
        raise ValueError(f"figure '{spec.name}': draw must be 'module:function'")
    _FIGURES[spec.name] = spec
    return spec


def unregister_figure(name: str) -> None:
    """Remove a figure (for plug-ins and tests that add one for a while)."""
    _FIGURES.pop(name, None)


def figures() -> dict[str, FigureSpec]:
    """Every registered figure by name, in report order (plug-ins' after the built-in)."""
    plugins.load_group("figures", register_figure)
    return dict(_FIGURES)


_DRAW = "cocair_sim.report.draw"
for _spec in (
    FigureSpec("surface", f"{_DRAW}.surface:fig_surface", needs_surface=True),
    FigureSpec("week_differences", f"{_DRAW}.surface:fig_week_differences"),
    FigureSpec("timeseries", f"{_DRAW}.timeseries:fig_timeseries", cost=3),
    FigureSpec("paired_differences", f"{_DRAW}.comparisons:fig_paired", needs_summary=True),
    FigureSpec("kg_flows", f"{_DRAW}.comparisons:fig_kg_bars"),
    FigureSpec("map", f"{_DRAW}.maps:fig_map", reruns=True, cost=5),
    FigureSpec("displacement", f"{_DRAW}.displacement:fig_displacement", cost=2),
    FigureSpec("sweep", f"{_DRAW}.sweep:fig_sweep", needs_summary=True, min_sweeps=1),
    FigureSpec("sweep_map", f"{_DRAW}.sweep:fig_sweep_map", needs_summary=True, min_sweeps=2),
    FigureSpec("alerts", f"{_DRAW}.alerts:fig_alerts", reruns=True, cost=2),
):
    register_figure(_spec)


def report_order() -> list[str]:
    """Figure names in the order the report shows them."""
    return list(figures())


def jobs() -> list[tuple[str, ...]]:
    """Groups of figures drawn together, costliest first: every figure drawn from re-runs in
    one group (they share the runs), every other figure on its own."""
    specs = figures()
    reruns = tuple(name for name, spec in specs.items() if spec.reruns)
    groups = ([reruns] if reruns else []) + [
        (name,) for name, spec in specs.items() if not spec.reruns
    ]
    return sorted(groups, key=lambda g: -sum(specs[n].cost for n in g))


def needs_summary(job: tuple[str, ...]) -> bool:
    """Whether a group of figures reads the summary table (it waits for it)."""
    specs = figures()
    return any(specs[name].needs_summary for name in job)
