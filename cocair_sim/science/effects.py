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
from cocair_sim.outputs import summarise
from cocair_sim.scenario.loading import load_scenario

DEFAULT = shipped.scenario()
ORGS = 4  # organisations in the default scenario

# Eight weeks of raised controls at one transit hub, unannounced (a long operation window).
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


def interdiction_levels(multipliers=(1.0, 2.0, 4.0, 8.0), seeds=range(8)) -> list[dict]:
    """kg seized and kg per seizure case as control capacity rises everywhere."""
    rows = []
    base = load_scenario(DEFAULT)
    for mult in multipliers:
        # Every unit's capacity scaled by `mult` for the whole run (not only the operation).
        overrides = {
            "relay.mode": "none",
            "relay.active": "always",
            "customs_defaults.capacity_per_day": round(
                base.customs_defaults.capacity_per_day * mult
            ),
        }
        for ap in base.airports:
            if ap.customs.capacity_per_day:
                overrides[f"airports.{ap.iata}.customs.capacity_per_day"] = round(
                    ap.customs.capacity_per_day * mult
                )
        spec = load_scenario(DEFAULT, overrides)
        models = [CocairModel(spec, seed=s).run() for s in seeds]
        sums = [summarise(m) for m in models]
        rows.append(
            {
                "multiplier": mult,
                "kg_seized": float(np.mean([s["kg_seized"] for s in sums])),
                "seizures": float(np.mean([s["seizures"] for s in sums])),
                "kg_per_seizure": float(
                    np.sum([s["kg_seized"] for s in sums])
                    / max(1, np.sum([s["seizures"] for s in sums]))
                ),
            }
        )
    return rows


def latency_curve(latencies=(1, 6, 24, 72, 168), seeds=range(12)) -> list[dict]:
    """Hub alert hits and operation kg seized against hub latency, with no relay for reference."""
    none = [summarise(m)["operation"] for m in _runs({}, seeds, mode="none")]
    none_kg = np.array([o["kg_seized"] for o in none])
    rows = []
    for lat in latencies:
        runs = _runs({"relay.hub_latency_hours": lat}, seeds, mode="hub")
        hub_hits = [
            sum(1 for e in m.events if e.event == ev.ALERT_HIT and e.channel == "hub") for m in runs
        ]
        kg = np.array([summarise(m)["operation"]["kg_seized"] for m in runs])
        rows.append(
            {
                "latency_h": lat,
                "hub_alert_hits": float(np.mean(hub_hits)),
                "kg_seized_hub": float(kg.mean()),
                "kg_seized_none": float(none_kg.mean()),
                "paired_diff": kg - none_kg,
            }
        )
    return rows
