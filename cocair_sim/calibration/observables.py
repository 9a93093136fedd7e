"""What an operation could record beyond what it published, each declared once.

The reference table keeps, for every draw, these observables of the run under the scenario's
own relay mode (the operation as it ran): the outcome of the alerts (how many were acted on, how
many found something), where seizures were made, by which methods. They are what the value of
information asks about ("record the outcome of N alerts and the hub's effect is known within
+/- x kg"), and what evidence from other settings can bear on (the hit rate of the controls an
alert prompts). Each is counted over the operation window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cocair_sim.scenario.schema import METHODS

if TYPE_CHECKING:
    from cocair_sim.model.model import CocairModel


@dataclass(frozen=True)
class Observable:
    """One thing an operation could record: its name (the table's column `obs:<name>`), what it
    is, and how a run shows it."""

    name: str
    label: str
    value: Callable[[CocairModel], float]


def _window(tally: str) -> Callable[[CocairModel], float]:
    return lambda m: float(m.window_counts[tally])


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _seizures_by(role: str) -> Callable[[CocairModel], float]:
    def count(m: CocairModel) -> float:
        start = m.spec.calendar.operation_start
        end = start + m.spec.calendar.operation_days
        airports = m.network.airports
        return float(
            sum(
                1
                for r in m.seizure_records
                if start <= r.day < end and airports[r.airport].role == role
            )
        )

    return count


def _seized_by(method: str) -> Callable[[CocairModel], float]:
    index = METHODS.index(method)

    def count(m: CocairModel) -> float:
        start = m.spec.calendar.operation_start
        end = start + m.spec.calendar.operation_days
        return float(
            sum(1 for r in m.seizure_records if start <= r.day < end and r.method == index)
        )

    return count


def _alert_hit_rate(m: CocairModel) -> float:
    w = m.window_counts
    return _ratio(w["alert_hits"], w["flagged_controls"] + w["look_alike_controls"])


OBSERVABLES: dict[str, Observable] = {
    o.name: o
    for o in (
        Observable("alerts", "alerts delivered to airports", _window("alerts_delivered")),
        Observable(
            "alerts_controlled",
            "alerts that led to a control of a passenger they matched",
            _window("alerts_with_control"),
        ),
        Observable("alerts_found", "alerts that led to a seizure", _window("alerts_with_seizure")),
        Observable(
            "alert_hit_rate",
            "seizures per control an alert prompted (of a matched or a look-alike passenger)",
            _alert_hit_rate,
        ),
        Observable("seizures_source", "seizures at source airports", _seizures_by("source")),
        Observable("seizures_transit", "seizures at transit airports", _seizures_by("transit")),
        Observable(
            "seizures_destination", "seizures at destination airports", _seizures_by("destination")
        ),
        *(Observable(f"seized_{m}", f"seizures of {m} loads", _seized_by(m)) for m in METHODS),
    )
}


def observe_all(model: CocairModel) -> dict[str, float]:
    """Every observable of a finished run."""
    return {name: o.value(model) for name, o in OBSERVABLES.items()}
