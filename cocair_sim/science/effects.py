"""The published qualitative effects the model should reproduce, as reusable computations.

Used by the tests (tests/science/test_effects.py) and by scripts/findings.py, which writes
docs/findings.md; each function runs real replications of the default scenario.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from cocair_sim import shipped
from cocair_sim.model import events as ev
from cocair_sim.model.model import CocairModel
from cocair_sim.scenario.loading import load_scenario

DEFAULT = shipped.scenario()
ORGS = 4  # organisations in the default scenario

# Eight weeks of raised controls, unannounced (a long operation window).
LATE_DAY = 42  # the last four weeks of it
LONG_OPERATION = {
    "relay.mode": "none",
    "calendar.days": 70,
    "calendar.operation_start": 14,
    "calendar.operation_days": 56,
}
NO_ADAPTATION = {f"organisations.{i}.adaptation.enabled": False for i in range(ORGS)}


def _runs(overrides: dict, seeds: Iterable[int], mode: str | None = None, path=DEFAULT):
    spec = load_scenario(path, overrides)
    return [CocairModel(spec, seed=s, relay_mode=mode).run() for s in seeds]


def late_shares(model: CocairModel, weeks: int = 2) -> dict[str, float]:
    """Share of kg routed through each transit airport over the last `weeks` weeks."""
    df = model.datacollector.get_model_vars_dataframe().iloc[-7 * weeks :]
    via = {c[len("kg_via_") :]: df[c].sum() for c in df.columns if c.startswith("kg_via_")}
    total = sum(via.values()) or 1.0
    return {k: v / total for k, v in via.items()}


def displacement(hub: str = "CMN", multiplier: float = 10.0, seeds=range(6)) -> dict:
    """Share of kg through `hub` and the others, without and with a crackdown there,
    for adaptive and non-adaptive traffickers."""
    out = {}
    for label, extra in (("adaptive", {}), ("fixed", NO_ADAPTATION)):
        for crack in (False, True):
            overrides = {**LONG_OPERATION, **extra}
            if crack:
                overrides[f"airports.{hub}.customs.operation_multiplier"] = multiplier
            shares = [late_shares(m) for m in _runs(overrides, seeds)]
            keys = shares[0].keys()
            out[(label, crack)] = {k: float(np.mean([s[k] for s in shares])) for k in keys}
    return out


def interdiction_levels(
    multipliers=(1.0, 2.0, 4.0, 8.0),
    seeds=range(8),
    method_choice: bool = True,
    detection: dict[str, float] | None = None,
) -> list[dict]:
    """Cases, kg seized and kg per case as every unit's controls are raised, unannounced, for
    eight weeks (relay off), counted over the last four weeks, when organisations have learnt.
    With `method_choice` off, organisations keep their mix of concealment methods; `detection`
    sets the chance a control finds each method, at every airport."""
    base = load_scenario(DEFAULT)
    found = {}
    for method, value in (detection or {}).items():
        found[f"customs_defaults.detection.{method}"] = value
        found |= {f"airports.{ap.iata}.customs.detection.{method}": value for ap in base.airports}
    rows = []
    for mult in multipliers:
        overrides = {
            **LONG_OPERATION,
            **found,
            "operation.capacity_multiplier": mult,
            **{f"airports.{ap.iata}.customs.operation_multiplier": mult for ap in base.airports},
            **{f"organisations.{k}.adaptation.method_choice": method_choice for k in range(ORGS)},
        }
        cases, kg, shares = [], [], []
        for model in _runs(overrides, seeds):
            late = [e for e in model.events if e.event == ev.SEIZURE and e.day >= LATE_DAY]
            cases.append(len(late))
            kg.append(sum(e.kg for e in late))
            shares.append(model.choice.shares)
        rows.append(
            {
                "multiplier": mult,
                "seizures": float(np.mean(cases)),
                "kg_seized": float(np.mean(kg)),
                "kg_per_seizure": float(np.sum(kg) / max(1, np.sum(cases))),
                "internal_share": float(np.mean([s[:, 0] for s in shares])),
            }
        )
    return rows


def latency_curve(latencies=(1, 6, 24, 72, 168), seeds=range(12)) -> list[dict]:
    """Hub alert hits and operation kg seized at participating airports against hub latency,
    paired with no relay on the same seeds."""
    none = np.array(
        [m.window_counts["seized_participants_g"] / 1000.0 for m in _runs({}, seeds, mode="none")]
    )
    rows = []
    for lat in latencies:
        runs = _runs({"relay.hub_latency_hours": lat}, seeds, mode="hub")
        hub_hits = [
            sum(1 for e in m.events if e.event == ev.ALERT_HIT and e.channel == "hub") for m in runs
        ]
        kg = np.array([m.window_counts["seized_participants_g"] / 1000.0 for m in runs])
        rows.append(
            {
                "latency_h": lat,
                "hub_alert_hits": float(np.mean(hub_hits)),
                "kg_seized_hub": kg,
                "kg_seized_none": none,
            }
        )
    return rows
