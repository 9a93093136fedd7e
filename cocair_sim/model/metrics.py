"""The outcomes a run reports, each declared once.

The model keeps tallies (counts, and grams so that the mass balance holds exactly) for the whole
run and for the operation window. A `Metric` says how one outcome follows from a set of tallies,
where it appears and what it is called; every list the program needs is derived from the
declarations (`declared()`):

- the model's daily series (`daily=True`: the whole-run value at the end of each day),
- the run summary's totals (`whole_run=True`) and its operation block (`operation=True`, the
  same formula on the window's tallies),
- the scalar outcomes experiments compare (`operation.<name>` for the window),
- the labels of tables, figures and reports.

To add an outcome, declare it here with `declare(Metric(...))`, or in a plug-in package under the
entry point group `cocair_sim.metrics` (see `cocair_sim.plugins`); if it needs a count the model
does not keep yet, add the tally where the model counts things (CONTRIBUTING.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from cocair_sim import plugins

if TYPE_CHECKING:
    from cocair_sim.model.model import CocairModel

# What the model counts, for the whole run and for the operation window alike (grams for kg).
TALLIES = (
    "shipped_g",
    "seized_g",
    "delivered_g",
    "seizures",
    "arrests",
    "couriers_sent",
    "couriers_delivered",
    "alerts_sent",
    "alerts_delivered",
    "alerts_late",
    "alert_hits",
    "random_hits",
    "seizures_participants",
    "seized_participants_g",
    "seizures_destinations",
    "seized_destinations_g",
    "messages",
    "police_alert_hits",
    "named_alert_hits",
    "flags",
    "companions_named",
    "alerts_with_control",  # alerts that prompted at least one control of a passenger they matched
    "alerts_with_seizure",  # alerts that prompted at least one seizure
    "flagged_controls",  # controls of passengers an alert matched
    "look_alike_controls",  # controls spent on passengers who look like an alert's description
)

OPERATION_PREFIX = "operation."

Value = Callable[[Mapping[str, int], "CocairModel"], Any]


@dataclass(frozen=True)
class Metric:
    """One outcome of a run.

    `value(tallies, model)` computes it from a set of tallies (the whole run's or the operation
    window's) and, for outcomes of the model's state, the model itself. `label` names the
    quantity ("cocaine seized") and `unit` its unit; the labels of both scopes are derived from
    them unless `whole_run_label` says otherwise.
    """

    name: str
    label: str
    value: Value
    unit: str = ""
    whole_run: bool = True
    operation: bool = False
    daily: bool = False
    whole_run_label: str | None = None
    share: bool = False  # a fraction, shown as a percentage
    better: Literal["higher", "lower"] | None = None  # which way interdiction succeeds

    def format(self, value: Any) -> str:
        """A value of this metric for a table."""
        if value is None:
            return "-"
        if self.share:
            return f"{value:.1%}"
        if isinstance(value, int):
            return f"{value:,}"
        return f"{value:,.1f}"

    def label_for(self, scope: str) -> str:
        """The label of `operation.<name>` (scope "operation") or of `<name>` (the whole run)."""
        if scope == "operation":
            unit = f" ({self.unit})" if self.unit else ""
            return f"{self.label} in the operation window{unit}"
        if self.whole_run_label:
            return self.whole_run_label
        return (
            f"{self.label} ({self.unit}, whole run)" if self.unit else f"{self.label} (whole run)"
        )


_METRICS: dict[str, Metric] = {}


def declare(metric: Metric) -> Metric:
    """Register an outcome (a name can be declared once)."""
    if not isinstance(metric, Metric):
        raise TypeError(f"a metric must be a Metric, not {type(metric).__name__}")
    if metric.name in _METRICS and _METRICS[metric.name] is not metric:
        raise ValueError(f"metric '{metric.name}' is already declared")
    if not (metric.whole_run or metric.operation):
        raise ValueError(f"metric '{metric.name}' must be reported for the run or the window")
    _METRICS[metric.name] = metric
    return metric


def withdraw(name: str) -> None:
    """Remove a declared outcome (for plug-ins and tests that add one for a while)."""
    _METRICS.pop(name, None)


def declared() -> dict[str, Metric]:
    """Every declared outcome by name, in declaration order (plug-ins' after the built-in)."""
    plugins.load_group("metrics", declare)
    return dict(_METRICS)


def get_metric(name: str) -> Metric | None:
    """The declared outcome `name` (without an `operation.` prefix), or None."""
    return declared().get(name)


def _kg(key: str) -> Value:
    return lambda t, m: t[key] / 1000.0


def _count(key: str) -> Value:
    return lambda t, m: t[key]


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _interdiction_rate(t: Mapping[str, int], m) -> float:
    seized, delivered = t["seized_g"] / 1000.0, t["delivered_g"] / 1000.0
    return _ratio(seized, seized + delivered)


def _median_hours_to_relay(t: Mapping[str, int], m: CocairModel) -> float | None:
    reports = m.reports
    hours = sorted(time - reports[rid].time for rid, time in m.first_relay_delivery.items())
    return float(np.median(hours)) if hours else None


def _trafficker_profit(t: Mapping[str, int], m: CocairModel) -> float:
    return round(sum(o.revenue_usd - o.spent_usd for o in m.organisations), 2)


for _metric in (
    Metric("kg_shipped", "cocaine shipped", _kg("shipped_g"), "kg", operation=True, daily=True),
    Metric(
        "kg_seized",
        "cocaine seized",
        _kg("seized_g"),
        "kg",
        operation=True,
        daily=True,
        better="higher",
    ),
    Metric(
        "kg_delivered",
        "cocaine that reached its markets (Europe)",
        _kg("delivered_g"),
        "kg",
        operation=True,
        daily=True,
        better="lower",
    ),
    Metric(
        "kg_in_transit",
        "cocaine in transit",
        lambda t, m: m.in_transit_g / 1000.0,
        "kg",
        daily=True,
        whole_run_label="cocaine still in transit at the end (kg)",
    ),
    Metric(
        "seizures", "seizure cases", _count("seizures"), operation=True, daily=True, better="higher"
    ),
    Metric("arrests", "arrests", _count("arrests"), operation=True, daily=True, better="higher"),
    Metric("couriers_sent", "couriers sent", _count("couriers_sent"), operation=True, daily=True),
    Metric(
        "couriers_delivered",
        "couriers delivered",
        _count("couriers_delivered"),
        daily=True,
        better="lower",
    ),
    Metric("alerts_sent", "alerts sent", _count("alerts_sent"), operation=True, daily=True),
    Metric(
        "alerts_delivered",
        "alerts delivered",
        _count("alerts_delivered"),
        operation=True,
        daily=True,
    ),
    Metric("alerts_late", "alerts arriving after expiry", _count("alerts_late")),
    Metric(
        "alert_hits",
        "seizures prompted by alerts",
        _count("alert_hits"),
        operation=True,
        daily=True,
        better="higher",
    ),
    Metric(
        "police_alert_hits",
        "seizures prompted by police alerts (INTERPOL database hits)",
        _count("police_alert_hits"),
        operation=True,
        better="higher",
    ),
    Metric(
        "named_alert_hits",
        "seizures of passengers an alert named (companions, passenger-data flags)",
        _count("named_alert_hits"),
        operation=True,
        better="higher",
    ),
    Metric(
        "flags",
        "passengers flagged by passenger-data checks",
        _count("flags"),
        operation=True,
    ),
    Metric(
        "companions_named",
        "companions still travelling named by a seizure",
        _count("companions_named"),
        operation=True,
    ),
    Metric(
        "messages",
        "messages sent (reports, relayed reports, alerts)",
        _count("messages"),
        operation=True,
    ),
    Metric(
        "random_hits",
        "seizures from routine controls",
        _count("random_hits"),
        operation=True,
        daily=True,
    ),
    Metric(
        "interdiction_rate",
        "share of cocaine interdicted",
        _interdiction_rate,
        operation=True,
        share=True,
        better="higher",
    ),
    Metric(
        "kg_per_seizure",
        "kg per seizure",
        lambda t, m: _ratio(t["seized_g"] / 1000.0, t["seizures"]),
        operation=True,
    ),
    Metric(
        "median_hours_to_relay",
        "median hours from seizure to first relayed alert",
        _median_hours_to_relay,
        "h",
        whole_run_label="median hours from seizure to first relayed alert (h)",
    ),
    Metric(
        "trafficker_profit_usd",
        "traffickers' profit",
        _trafficker_profit,
        "USD",
        whole_run_label="traffickers' profit (USD)",
        better="lower",
    ),
    Metric(
        "seizures_participants",
        "seizure cases at participating airports",
        _count("seizures_participants"),
        whole_run=False,
        operation=True,
        better="higher",
    ),
    Metric(
        "kg_seized_participants",
        "cocaine seized at participating airports",
        _kg("seized_participants_g"),
        "kg",
        whole_run=False,
        operation=True,
        better="higher",
    ),
    Metric(
        "seizures_destinations",
        "seizure cases at European destination airports",
        _count("seizures_destinations"),
        whole_run=False,
        operation=True,
        better="higher",
    ),
    Metric(
        "kg_seized_destinations",
        "cocaine seized at European destination airports",
        _kg("seized_destinations_g"),
        "kg",
        whole_run=False,
        operation=True,
        better="higher",
    ),
):
    declare(_metric)


def daily_metrics() -> list[Metric]:
    """Outcomes in the daily series, in declaration order."""
    return [m for m in declared().values() if m.daily]


def whole_run_metrics() -> list[Metric]:
    """Outcomes of the whole run (the summary's totals), in declaration order."""
    return [m for m in declared().values() if m.whole_run]


def operation_metrics() -> list[Metric]:
    """Outcomes of the operation window (`operation.<name>`), in declaration order."""
    return [m for m in declared().values() if m.operation]


def metric_names() -> list[str]:
    """Every scalar outcome an experiment can compare (besides `share_via.<IATA>`)."""
    return [m.name for m in whole_run_metrics()] + [
        OPERATION_PREFIX + m.name for m in operation_metrics()
    ]


def is_metric(name: str) -> bool:
    """Whether an experiment file may name this outcome."""
    return name in metric_names() or (name.startswith("share_via.") and len(name) > 10)


def metric_unit(name: str) -> str:
    """The unit of an outcome (kg, hours, USD; empty for counts and shares)."""
    metric = get_metric(name.removeprefix(OPERATION_PREFIX))
    return "" if metric is None else metric.unit


def metric_better(name: str) -> str | None:
    """ "higher" or "lower": which way a change of the outcome counts as interdiction doing
    better (None for outcomes that are neither, e.g. alerts sent)."""
    metric = get_metric(name.removeprefix(OPERATION_PREFIX))
    return None if metric is None else metric.better


def metric_label(name: str) -> str:
    """Readable name of a scalar outcome (falls back to the name itself)."""
    if name.startswith("share_via."):
        return f"share of shipped kg routed via {name.split('.', 1)[1]}"
    scope = "operation" if name.startswith(OPERATION_PREFIX) else "whole_run"
    metric = get_metric(name.removeprefix(OPERATION_PREFIX))
    if metric is None:
        return name.replace(OPERATION_PREFIX, "operation ").replace("_", " ")
    return metric.label_for(scope)
