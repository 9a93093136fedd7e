"""What couriers carry: every load inside its method's [min, max] scaled by the load
multiplier, and the scenario's spread actually reaching both ends."""

from __future__ import annotations

import pytest

from cocair_sim.model.model import CocairModel
from cocair_sim.scenario import load_scenario


def _sent(spec, seed: int):
    """Couriers as they are sent: each one's method, grams and organisation's spec."""
    model = CocairModel(spec, seed=seed)
    sent = []
    real_launch = model.launch

    def launch(courier, t):
        sent.append((courier, courier.organisation.spec))
        real_launch(courier, t)

    model.launch = launch
    model.run()
    return sent


@pytest.mark.parametrize("multiplier", [0.5, 1.0, 2.0])
def test_every_load_lies_within_its_methods_bounds_times_the_multiplier(cocair3_path, multiplier):
    spec = load_scenario(cocair3_path, {"trafficking.load_multiplier": multiplier})
    sent = [x for seed in range(3) for x in _sent(spec, seed)]
    assert len(sent) > 1000
    at_max = at_min = 0
    for courier, org in sent:
        kg = org.methods[courier.method].kg
        low, high = kg.min * multiplier, kg.max * multiplier
        assert round(low * 1000) <= courier.grams <= round(high * 1000), (courier.method, kg)
        at_max += courier.grams == round(high * 1000)
        at_min += courier.grams == round(low * 1000)
    # The bounds bind (the spread reaches them), so the check above is not vacuous.
    assert at_max > 0 and at_min > 0
