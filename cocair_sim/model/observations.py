"""What a run shows of a published result: the model's value of a `PublishedTarget`.

A target names a statistic (cases, kg, arrests, messages per case, a share of seizures by the
airport the courier came from, police database hits), a scope (participating airports,
destinations, all, or a list of airports) and a window (the operation, or the days outside it),
optionally scaled to the published period. Counts published for all drugs are compared with the
model's cocaine count divided by the scenario's `observation.cocaine_share_of_cases`.

Computed from the model's compact records of seizures and follow-ups (no event log needed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from cocair_sim.scenario.schema import STATISTICS, PublishedTarget

if TYPE_CHECKING:
    from cocair_sim.model.model import CocairModel


class _View:
    """The records of one run, restricted to a target's scope and window."""

    def __init__(self, model: CocairModel, target: PublishedTarget):
        net = model.network
        cal = model.spec.calendar
        start, end = cal.operation_start, cal.operation_start + cal.operation_days
        if target.scope == "participants":
            airports = {a.index for a in net.airports if a.participant}
        elif target.scope == "destinations":
            airports = {a.index for a in net.airports if a.role == "destination"}
        elif target.scope == "all":
            airports = {a.index for a in net.airports}
        else:
            airports = {net.by_iata[c] for c in target.scope}

        def inside(day: int) -> bool:
            return (start <= day < end) == (target.window == "operation")

        self.days = (end - start) if target.window == "operation" else model.days - (end - start)
        self.seizures = [
            r for r in model.seizure_records if r.airport in airports and inside(r.day)
        ]
        self.arrests = [r for r in model.arrest_records if r.airport in airports and inside(r.day)]
        self.model = model
        self.target = target


def _cases(v: _View) -> float:
    return float(len(v.seizures))


def _kg(v: _View) -> float:
    return sum(r.grams for r in v.seizures) / 1000.0


def _arrests(v: _View) -> float:
    return float(len(v.seizures) + sum(r.arrests for r in v.arrests))


def _messages_per_case(v: _View) -> float:
    counts = v.model.window_counts if v.target.window == "operation" else None
    messages = counts["messages"] if counts is not None else _outside(v.model, "messages")
    return messages / max(len(v.seizures), 1)


def _share_from(v: _View) -> float:
    net = v.model.network
    sources = {net.by_iata[c] for c in v.target.from_airports}
    if not v.seizures:
        return 0.0
    return sum(r.previous in sources for r in v.seizures) / len(v.seizures)


def _police_hits(v: _View) -> float:
    counts = v.model.window_counts if v.target.window == "operation" else None
    return float(counts["police_alert_hits"] if counts is not None else 0)


def _outside(model: CocairModel, tally: str) -> int:
    return model.counts[tally] - model.window_counts[tally]


STATISTIC_FUNCTIONS: dict[str, Callable[[_View], float]] = {
    "cases": _cases,
    "kg": _kg,
    "arrests": _arrests,
    "messages_per_case": _messages_per_case,
    "share_from": _share_from,
    "police_hits": _police_hits,
}
assert tuple(STATISTIC_FUNCTIONS) == STATISTICS  # the file format lists what is computed here

# Counts: scaled to the published period and, for all drugs, by the cocaine share.
_COUNTS = {"cases", "kg", "arrests", "police_hits"}


def observe(model: CocairModel, target: PublishedTarget) -> float:
    """The model's value of a published target, on the published figure's terms."""
    view = _View(model, target)
    value = STATISTIC_FUNCTIONS[target.statistic](view)
    if target.statistic in _COUNTS:
        if target.per_days is not None:
            value *= target.per_days / max(view.days, 1)
        if target.all_drugs:
            value /= model.spec.observation.cocaine_share_of_cases
    return value


def transform(value: float | np.ndarray, target: PublishedTarget) -> float | np.ndarray:
    """A value on the scale of the target's uncertainty (log1p for a log scale)."""
    return np.log1p(value) if target.uncertainty.scale == "log" else value
