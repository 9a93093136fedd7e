"""Scenario fields in words: what the reports print instead of dotted paths."""

from __future__ import annotations

import pytest

from cocair_sim.scenario import load_scenario
from cocair_sim.scenario.describe import describe_parameter
from tests.helpers import COCAIR3


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("relay.controls_per_alert", "controls a day each active alert uses on look-alike"),
        ("relay.alert_lifetime_hours", "alert lifetime (hours)"),
        ("organisations.Sahel network.couriers_per_week", "couriers (a week) (Sahel network)"),
        ("airports.CDG.customs.capacity_per_day", "capacity (a day) (CDG, customs)"),
        ("customs_defaults.detection.internal", "detection, internal"),
        ("relay.no_such_field", "relay.no_such_field"),
        ("organisations.No such.couriers_per_week", "organisations.No such.couriers_per_week"),
    ],
)
def test_a_path_in_words(path, words):
    assert describe_parameter(load_scenario(COCAIR3), path).startswith(words)
