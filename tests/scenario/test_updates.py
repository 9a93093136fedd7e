"""`with_values`: new values on a validated scenario give what reading the file with the same
overrides gives, without reading it again."""

from __future__ import annotations

import pytest

from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import summarise
from cocair_sim.scenario import load_scenario
from cocair_sim.scenario.network import network_for
from cocair_sim.scenario.updates import value_at, with_values
from tests.helpers import CLASSROOM

VALUES = {
    "customs_defaults.capacity_per_day": 12,
    "airports.LIS.customs.capacity_per_day": 90,
    "customs_defaults.detection.luggage": 0.8,
    "organisations.0.adaptation.rate": 0.6,
    "relay.targeting_uplift": 3.5,
    "trafficking.load_multiplier": 1.4,
    "observation.cocaine_share_of_cases": 0.5,
}


def test_with_values_equals_loading_with_the_same_overrides(classroom):
    copied = with_values(classroom, VALUES)
    loaded = load_scenario(CLASSROOM, VALUES)
    assert copied == loaded
    a = CocairModel(copied, seed=3, event_log=False).run()
    b = CocairModel(loaded, seed=3, event_log=False).run()
    assert summarise(a) == summarise(b)
    assert classroom.customs_defaults.capacity_per_day != 12  # the original is untouched
    assert {p: value_at(copied, p) for p in VALUES} == VALUES
    assert {p: value_at(classroom, p) for p in VALUES} != VALUES


def test_changing_customs_keeps_the_shared_network(classroom):
    copied = with_values(classroom, {"airports.LIS.customs.capacity_per_day": 5})
    assert network_for(copied) is network_for(classroom)
    moved = with_values(classroom, {"airports.LIS.participant": True})
    assert network_for(moved) is not network_for(classroom)
    assert network_for(moved).airports[network_for(moved).by_iata["LIS"]].participant


@pytest.mark.parametrize(
    "path", ["relay.no_such_field", "airports.XXX.customs.capacity_per_day", "relay.mode.x"]
)
def test_an_unknown_path_is_refused(classroom, path):
    with pytest.raises(KeyError, match=r"relay|XXX"):
        with_values(classroom, {path: 1})
    with pytest.raises(KeyError, match=r"relay|XXX"):
        value_at(classroom, path)
