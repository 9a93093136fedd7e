"""Scenarios: the file format, loading and validation, and the air network a scenario describes.

from cocair_sim.scenario import load_scenario
spec = load_scenario("scenarios/cocair3.yaml", {"relay.hub_latency_hours": 24})
"""

from cocair_sim.scenario.loading import (
    cached_scenario,
    load_scenario,
    scenario_from_mapping,
    scenario_hash,
    scenario_with_overrides,
)
from cocair_sim.scenario.schema import METHODS, Scenario, scenario_json_schema

__all__ = [
    "METHODS",
    "Scenario",
    "cached_scenario",
    "load_scenario",
    "scenario_from_mapping",
    "scenario_hash",
    "scenario_json_schema",
    "scenario_with_overrides",
]
