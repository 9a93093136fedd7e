"""Checks across fields that no schema expresses: one test each, naming the field."""

from __future__ import annotations

import copy
import math

import pytest
import yaml

from cocair_sim.errors import InputError
from cocair_sim.experiment.spec import load_experiment
from cocair_sim.scenario import scenario_from_mapping
from tests.files.hostile import CLASSROOM_RAW, experiment_doc


def _org(d, i=0):
    return d["organisations"][i]


SEMANTIC = [
    (
        "unknown airport in sources",
        lambda d: _org(d).update(sources=["GRU", "XXX"]),
        "organisations[0](Lusophone network).sources[1]",
        "unknown airport XXX",
    ),
    (
        "unknown airport in markets",
        lambda d: _org(d).update(markets=["QQQ"]),
        "organisations[0](Lusophone network).markets[0]",
        "unknown airport QQQ",
    ),
    (
        "link from undeclared airport",
        lambda d: d["links"].append({"from": "XYZ", "to": "LIS", "weekly": 3}),
        "links[14].from",
        "XYZ is not declared",
    ),
    (
        "link to itself",
        lambda d: d["links"].append({"from": "LIS", "to": "LIS", "weekly": 3}),
        "links[14]",
        "two different airports",
    ),
    ("hub not in network", lambda d: d["relay"].update(hub_airport="ACC"), "relay.hub_airport", ""),
    (
        "negative capacity",
        lambda d: d["customs_defaults"].update(capacity_per_day=-5),
        "customs_defaults.capacity_per_day",
        "greater than 0",
    ),
    (
        "zero airport capacity",
        lambda d: d["airports"][3]["customs"].update(capacity_per_day=0),
        "airports[3](DKR).customs.capacity_per_day",
        "greater than 0",
    ),
    (
        "zero hub capacity",
        lambda d: d["relay"].update(hub_capacity_per_day=0),
        "relay.hub_capacity_per_day",
        "greater than 0",
    ),
    (
        "negative probability",
        lambda d: d["customs_defaults"]["detection"].update(cargo=-0.1),
        "customs_defaults.detection.cargo",
        "greater than or equal to 0",
    ),
    (
        "probability above 1",
        lambda d: d["relay"].update(talk_probability=1.01),
        "relay.talk_probability",
        "less than or equal to 1",
    ),
    (
        "nan probability",
        lambda d: d["relay"].update(news_probability=math.nan),
        "relay.news_probability",
        "",
    ),
    (
        "operation starts after the calendar",
        lambda d: d["calendar"].update(operation_start=30),
        "calendar.operation_days",
        "ends after",
    ),
    (
        "operation runs past the calendar",
        lambda d: d["calendar"].update(operation_days=15),
        "calendar.operation_days",
        "ends after",
    ),
    (
        "no reachable market",
        lambda d: d["links"].__setitem__(
            slice(None), [lk for lk in d["links"] if "LIS" not in (lk["from"], lk["to"])]
        ),
        "organisations[0](Lusophone network).markets",
        "no itinerary",
    ),
    (
        "source that is not a source airport",
        lambda d: _org(d).update(sources=["GRU", "DKR"]),
        "organisations[0](Lusophone network).sources[1]",
        "role 'source'",
    ),
    (
        "market that is not a destination",
        lambda d: _org(d).update(markets=["LIS", "CMN"]),
        "organisations[0](Lusophone network).markets[1]",
        "role 'destination'",
    ),
    (
        "duplicate airport",
        lambda d: d["airports"].append(dict(d["airports"][1])),
        "airports[8].iata",
        "duplicate airport FOR",
    ),
    (
        "duplicate organisation",
        lambda d: d["organisations"].append(copy.deepcopy(_org(d, 1))),
        "organisations[2].name",
        "duplicate organisation",
    ),
    (
        "courier numbers beyond reason",
        lambda d: _org(d).update(couriers_per_week=1e12),
        "organisations[0](Lusophone network).couriers_per_week",
        "less than or equal",
    ),
    (
        "infinite price",
        lambda d: _org(d).update(sell_price_per_kg=math.inf),
        "organisations[0](Lusophone network).sell_price_per_kg",
        "",
    ),
]


@pytest.mark.parametrize(
    ("label", "mutate", "field", "problem"), SEMANTIC, ids=[c[0] for c in SEMANTIC]
)
def test_semantic_checks_name_the_field(label, mutate, field, problem):
    data = copy.deepcopy(CLASSROOM_RAW)
    mutate(data)
    with pytest.raises(InputError) as info:
        scenario_from_mapping(data, "semantic.yaml")
    err = info.value
    assert err.source == "semantic.yaml"
    assert err.field is not None and err.field.startswith(field), err.message
    assert problem in err.problem, err.message


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"conditions": [{"name": "a"}, {"name": "a"}]}, "conditions", "duplicate condition"),
        ({"conditions": [{"name": "../up"}]}, "conditions[0](../up).name", "pattern"),
        ({"conditions": [{"name": "a/b"}]}, "conditions[0](a/b).name", "pattern"),
        ({"conditions": [{"name": ".hidden"}]}, "conditions[0](.hidden).name", "pattern"),
        ({"name": "x/../../y"}, "name", "pattern"),
        ({"name": "/abs"}, "name", "pattern"),
        (
            {"sweep": [{"parameter": f"p{i}", "values": list(range(200))} for i in range(2)]},
            "(top level)",
            "limit",
        ),
        ({"replications": 10**9}, "replications", "less than or equal"),
        ({"scenario": "bad\x00name.yaml"}, "scenario", "not found"),
        ({"scenario": "."}, "scenario", "not found"),
        ({"set": {"a." * 40 + "b": 1}}, "conditions[0](none)", "deeper"),
    ],
)
def test_experiment_semantic_checks(tmp_path, change, field, problem):
    doc = {**experiment_doc(), **change}
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as info:
        load_experiment(path)
    assert info.value.field is not None and info.value.field.startswith(field), info.value.message
    assert problem in info.value.message, info.value.message
