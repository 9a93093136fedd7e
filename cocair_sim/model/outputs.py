"""What one run produces, as plain data: the summary, the daily series and the event log.

The summary's totals and operation block are the declared metrics (`cocair_sim.model.metrics`)
evaluated on the run's tallies; the breakdowns by airport, country, method and transit airport
follow. Everything is JSON-ready and rounded the same way every time, so the same run always
gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from cocair_sim.missing import as_float
from cocair_sim.model.events import EVENT_FIELDS
from cocair_sim.model.metrics import OPERATION_PREFIX, operation_metrics, whole_run_metrics
from cocair_sim.scenario.schema import METHODS

if TYPE_CHECKING:  # the model (and Mesa) is imported only where a model is actually run
    from cocair_sim.model.model import CocairModel


def summarise(model: CocairModel) -> dict[str, Any]:
    """Totals of a finished (or running) model as plain JSON-ready values."""
    net = model.network
    cal = model.spec.calendar
    by_country: dict[str, float] = {}
    for a, g in zip(net.airports, model.seized_g_by_airport, strict=True):
        if g:
            by_country[a.country] = by_country.get(a.country, 0.0) + g / 1000.0
    via_total = model.via_g_total
    shipped_g = max(model.counts["shipped_g"], 1)
    return {
        "scenario": model.spec.name,
        "seed": model.seed,
        "relay_mode": model.relay_mode,
        "days": model.days,
        "operation_window": [cal.operation_start, cal.operation_start + cal.operation_days - 1],
        "operation_dates": (
            None
            if cal.operation_date is None
            else [
                cal.operation_date.isoformat(),
                cal.date_of(cal.operation_start + cal.operation_days - 1).isoformat(),
            ]
        ),
        **{m.name: _clean(m.value(model.counts, model)) for m in whole_run_metrics()},
        "operation": {
            m.name: _clean(m.value(model.window_counts, model)) for m in operation_metrics()
        },
        "kg_seized_by_airport": {
            a.iata: g / 1000.0
            for a, g in zip(net.airports, model.seized_g_by_airport, strict=True)
            if g
        },
        "seizures_by_airport": {
            a.iata: int(n)
            for a, n in zip(net.airports, model.seizures_by_airport, strict=True)
            if n
        },
        "kg_seized_by_country": {k: round(v, 3) for k, v in sorted(by_country.items())},
        "kg_seized_by_method": {
            m: g / 1000.0 for m, g in zip(METHODS, model.seized_g_by_method, strict=True)
        },
        "share_via_transit": {
            net.airports[i].iata: round(float(via_total[i]) / shipped_g, 6)
            for i in model.transit_airports
        },
    }


def _clean(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, np.integer):
        return int(v)
    return v


def flat_metrics(summary: dict[str, Any]) -> dict[str, float]:
    """Scalar outcomes of a summary, with the operation block as `operation.<key>` and the share
    of shipped kg through each transit airport as `share_via.<IATA>`; NaN where a metric has no
    value (a median of nothing)."""
    out: dict[str, float] = {}
    for m in whole_run_metrics():
        v = summary.get(m.name)
        out[m.name] = as_float(v)
    for m in operation_metrics():
        v = summary["operation"].get(m.name)
        out[OPERATION_PREFIX + m.name] = as_float(v)
    for iata, share in summary["share_via_transit"].items():
        out[f"share_via.{iata}"] = float(share)
    return out


def daily_rows(model: CocairModel) -> tuple[list[str], list[list[Any]]]:
    """The DataCollector's daily rows, read from its columns directly (a pandas DataFrame per
    run costs more than the rows themselves)."""
    columns = model.datacollector.model_vars
    header = list(columns)
    rows = [[_clean(v) for v in row] for row in zip(*columns.values(), strict=True)]
    return header, rows


def event_rows(model: CocairModel) -> tuple[list[str], Iterable[list[Any]]]:
    """The event log with airport codes and countries instead of indices."""
    net = model.network
    header = ["time_h", "day", "event", "airport", "country", *EVENT_FIELDS[4:]]

    def rows():
        for event in model.events:
            ap = net.airports[event.airport]
            yield [event.time_h, event.day, event.event, ap.iata, ap.country, *event[4:]]

    return header, rows()
