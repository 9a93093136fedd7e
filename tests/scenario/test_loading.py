"""Scenario validation: every problem names the file, the field and what is wrong."""

from __future__ import annotations

import copy

import pytest

from cocair_sim.errors import InputError
from cocair_sim.scenario import load_scenario, scenario_json_schema
from cocair_sim.scenario.network import build_network
from cocair_sim.scenario.overrides import parse_set_options
from tests.helpers import SCENARIOS


def _mutate(raw, fn):
    data = copy.deepcopy(raw)
    fn(data)
    return data


CASES = [
    (
        "unknown key",
        lambda d: d["relay"].update(hub_latncy_hours=3),
        "relay.hub_latncy_hours",
        "unknown field",
    ),
    (
        "wrong type",
        lambda d: d["relay"].update(hub_latency_hours="soon"),
        "relay.hub_latency_hours",
        "number",
    ),
    (
        "probability > 1",
        lambda d: d["relay"].update(bilateral_probability=1.5),
        "relay.bilateral_probability",
        "less than or equal to 1",
    ),
    (
        "zero capacity",
        lambda d: d["customs_defaults"].update(capacity_per_day=0),
        "customs_defaults.capacity_per_day",
        "greater than 0",
    ),
    (
        "link to undeclared airport",
        lambda d: d["links"].append({"from": "GRU", "to": "XYZ", "weekly": 3}),
        "links[",
        "XYZ is not declared",
    ),
    (
        "hub not in network",
        lambda d: d["relay"].update(hub_airport="ACC"),
        "relay.hub_airport",
        "not declared",
    ),
    (
        "operation after calendar",
        lambda d: d["calendar"].update(days=10),
        "calendar.operation_days",
        "ends after",
    ),
    (
        "method shares",
        lambda d: d["organisations"][0]["methods"]["internal"].update(share=0.9),
        "organisations[0](Lusophone network).methods",
        "sum to 1",
    ),
    (
        "duplicate airport",
        lambda d: d["airports"].append(dict(d["airports"][0])),
        "airports[8]",
        "duplicate airport GRU",
    ),
    (
        "duplicate organisation",
        lambda d: d["organisations"].append(copy.deepcopy(d["organisations"][0])),
        "organisations[2].name",
        "duplicate",
    ),
    (
        "bad IATA code",
        lambda d: d["airports"][0].update(iata="gru"),
        "airports[0](gru).iata",
        "pattern",
    ),
    (
        "unreachable market",
        lambda d: d["organisations"][0].update(markets=["BKO"]),
        "organisations[0](Lusophone network).markets",
        "no itinerary",
    ),
    ("missing required", lambda d: d.pop("links"), "links", "required"),
    (
        "min above median",
        lambda d: d["organisations"][0]["methods"]["internal"]["kg"].update(min=5.0),
        "organisations[0](Lusophone network).methods.internal.kg",
        "min <= median",
    ),
]


@pytest.mark.parametrize(("label", "mutate", "field", "problem"), CASES, ids=[c[0] for c in CASES])
def test_malformed_scenarios_name_file_field_and_problem(
    classroom_raw, write_yaml, label, mutate, field, problem
):
    path = write_yaml(_mutate(classroom_raw, mutate))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    err = info.value
    assert err.source == str(path)
    assert err.field is not None and err.field.startswith(field), err.message
    assert problem in err.problem, err.message


def test_yaml_syntax_error_names_line(write_yaml):
    path = write_yaml("name: x\nairports: [\n  - {iata: GRU\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert "line" in info.value.problem and str(path) in info.value.message


def test_yaml_aliases_are_refused(write_yaml):
    path = write_yaml("a: &x [1, 2]\nb: *x\n")
    with pytest.raises(InputError, match="aliases"):
        load_scenario(path)


def test_missing_file_and_non_mapping(tmp_path, write_yaml):
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="mapping"):
        load_scenario(write_yaml("- just\n- a list\n"))


def test_airport_filled_from_airportsdata(classroom_raw, write_yaml):
    raw = copy.deepcopy(classroom_raw)
    raw["airports"][2] = {"iata": "RAI", "role": "transit", "participant": True}
    spec = load_scenario(write_yaml(raw))
    rai = next(a for a in spec.airports if a.iata == "RAI")
    assert rai.country == "Cape Verde"
    assert rai.lat == pytest.approx(14.92, abs=0.1) and rai.lon == pytest.approx(-23.49, abs=0.1)


def test_unknown_iata_without_coordinates(classroom_raw, write_yaml):
    raw = copy.deepcopy(classroom_raw)
    raw["airports"].append({"iata": "QQQ", "role": "transit"})
    with pytest.raises(InputError) as info:
        load_scenario(write_yaml(raw))
    assert info.value.field == "airports[8].iata" and "QQQ" in info.value.problem


def test_overrides_address_list_items_by_key(classroom_path):
    spec = load_scenario(
        classroom_path,
        parse_set_options(["airports.BKO.customs.capacity_per_day=99", "relay.mode=none"]),
    )
    assert next(a for a in spec.airports if a.iata == "BKO").customs.capacity_per_day == 99
    assert spec.relay.mode == "none"


def test_bad_override_is_named(classroom_path):
    with pytest.raises(InputError) as info:
        load_scenario(classroom_path, parse_set_options(["airports.ZZZ.participant=true"]))
    assert info.value.field == "airports.ZZZ"


def test_default_network_is_the_2011_one(cocair3, cocair3_path):
    net = build_network(cocair3)
    assert len(net.airports) == 30
    pairs = {(net.airports[r.origin].iata, net.airports[r.destination].iata) for r in net.routes}
    assert ("GRU", "LAD") in pairs and ("LAD", "GRU") in pairs
    assert ("GRU", "LFW") not in pairs and ("GRU", "CMN") not in pairs  # 2013 routes left out
    assert "EU statement" in cocair3_path.read_text()  # sources stay in the file
    participants = {a.iata for a in net.airports if a.participant}
    assert {"GRU", "DKR", "BKO", "OUA", "COO", "LOS"} <= participants
    assert not participants & {"LIS", "MAD", "CDG", "MPM", "JNB"}


def test_2014_network_adds_the_2013_routes():
    spec = load_scenario(SCENARIOS / "network2014.yaml")
    net = build_network(spec)
    pairs = {(net.airports[r.origin].iata, net.airports[r.destination].iata) for r in net.routes}
    assert {("GRU", "LFW"), ("GIG", "LFW"), ("GRU", "CMN")} <= pairs


def test_itineraries_have_at_most_two_connections(cocair3):
    net = build_network(cocair3)
    assert net.itineraries
    for it in net.itineraries:
        assert it.connections <= 2
        assert net.airports[it.airports[0]].role == "source"
        assert net.airports[it.airports[-1]].role == "destination"
        assert len(set(it.airports)) == len(it.airports)


def test_json_schema_forbids_unknown_keys():
    schema = scenario_json_schema()
    assert schema["additionalProperties"] is False
    assert "relay" in schema["properties"]
