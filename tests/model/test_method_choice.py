"""Method choice follows expected profit per kilogram: a risk that rises alike for every method
moves nothing; one that rises more for one method moves kilograms away from it."""

from __future__ import annotations

import numpy as np
import pytest

from cocair_sim.model.model import CocairModel
from cocair_sim.scenario import load_scenario

# Eight weeks of raised controls everywhere, no relay: organisations have time to learn.
LONG = {
    "relay.mode": "none",
    "calendar.days": 70,
    "calendar.operation_start": 14,
    "calendar.operation_days": 56,
    "operation.capacity_multiplier": 4.0,
}


def _everywhere(spec_path, detection: dict[str, float], overrides: dict | None = None):
    """The scenario with these detection chances at every airport (no airport's own)."""
    base = load_scenario(spec_path)
    changes = {**LONG, **(overrides or {})}
    for method, value in detection.items():
        changes[f"customs_defaults.detection.{method}"] = value
        for ap in base.airports:
            changes[f"airports.{ap.iata}.customs.detection.{method}"] = value
    for ap in base.airports:
        changes[f"airports.{ap.iata}.customs.operation_multiplier"] = 4.0
    return load_scenario(spec_path, changes)


def _final_shares(spec, seeds=range(4)) -> np.ndarray:
    return np.mean([CocairModel(spec, seed=s).run().choice.shares for s in seeds], axis=0)


def test_equal_detection_for_every_method_moves_no_method_share(cocair3_path):
    spec = _everywhere(cocair3_path, {"internal": 0.5, "luggage": 0.5, "cargo": 0.5})
    model = CocairModel(spec, seed=1).run()
    base = model.route_choice.base_share
    # The risk rose (the organisations learnt: their routes moved) ...
    assert not np.allclose(
        np.concatenate(model.choice.routes),
        np.concatenate(model.route_choice.prior.routes),
        atol=1e-3,
    )
    # ... alike for every method, so the mix of methods is where it started.
    np.testing.assert_allclose(model.choice.shares, base, atol=1e-12)


def test_a_method_detected_more_often_loses_share_to_the_others(cocair3_path):
    equal = _final_shares(
        _everywhere(cocair3_path, {"internal": 0.5, "luggage": 0.5, "cargo": 0.5})
    )
    luggage_seen = _final_shares(
        _everywhere(cocair3_path, {"internal": 0.5, "luggage": 0.9, "cargo": 0.5})
    )
    internal, luggage = 0, 1
    assert (luggage_seen[:, luggage] < equal[:, luggage] - 0.02).all()
    assert (luggage_seen[:, internal] > equal[:, internal]).all()


def test_without_method_choice_the_mix_stays_put(cocair3_path):
    off = {f"organisations.{k}.adaptation.method_choice": False for k in range(4)}
    spec = _everywhere(cocair3_path, {"luggage": 0.9}, off)
    model = CocairModel(spec, seed=1).run()
    np.testing.assert_array_equal(model.choice.shares, model.route_choice.base_share)


@pytest.mark.parametrize("temperature", [0.05, 0.5])
def test_the_shift_is_the_logit_of_the_change_in_profit_per_kg(cocair3_path, temperature):
    """Recomputed by hand for one organisation: its believed chances of getting through per
    itinerary and method, before and after, averaged over today's routes."""
    changes = {f"organisations.{k}.choice_temperature": temperature for k in range(4)}
    spec = _everywhere(cocair3_path, {"luggage": 0.9}, changes)
    model = CocairModel(spec, seed=2)
    for _ in range(40):
        model.step()
    rc, k = model.route_choice, 0
    a, b = rc.segments[k]
    mult = rc.multiplier(model.losses, model.passes).ravel()[rc.stop_index[a:b]]
    select, detect = rc.stop_select[a:b], rc.stop_detect[a:b]
    now = np.prod(1 - np.minimum(select[..., None] * detect * mult[..., None], 0.99), axis=1)
    before = np.prod(1 - np.minimum(select[..., None] * detect, 0.99), axis=1)
    routes = model.choice.routes[k]
    org = spec.organisations[k]
    profit_change = routes @ (now - before) * org.sell_price_per_kg  # USD per kg, per method
    weights = rc.base_share[k] * np.exp(profit_change / (temperature * org.sell_price_per_kg))
    np.testing.assert_allclose(model.choice.shares[k], weights / weights.sum(), rtol=1e-9)
