"""`cocair validate` and `cocair sensitivity` end to end."""

from __future__ import annotations

import csv

import yaml

from cocair_sim.scenario import load_scenario
from cocair_sim.science.validation import checks, simulate
from tests.helpers import CLASSROOM, COCAIR3, cocair


def test_default_scenario_is_plausible_against_published_operations():
    results = checks(simulate(load_scenario(COCAIR3), 20, 2011))
    assert [c.measure for c in results] == [
        "seizure cases per week",
        "kg cocaine per week",
        "arrests per week",
    ]
    for c in results:
        assert c.inside, c
        assert c.simulated_p05 <= c.simulated_mean <= c.simulated_p95


def test_validate_flags_an_implausible_scenario():
    # Customs that barely control anybody cannot produce COCAIR III's results.
    weak = {
        "customs_defaults.capacity_per_day": 1,
        "operation.capacity_multiplier": 1,
        "airports.DKR.customs.capacity_per_day": 1,
        "airports.BKO.customs.capacity_per_day": 1,
    }
    spec = load_scenario(COCAIR3, weak)
    results = checks(simulate(spec, 5, 1))
    assert not all(c.inside for c in results)


def test_validate_command_prints_the_table():
    res = cocair("validate", "--replications", 5)
    assert res.returncode == 0, res.stderr
    assert "kg cocaine per week" in res.stdout and "COCAIR III" in res.stdout


def test_sensitivity_morris_writes_indices_with_ci_and_a_chart(tmp_path):
    doc = {
        "name": "sa_small",
        "scenario": str(CLASSROOM),
        "method": "morris",
        "samples": 4,
        "replications": 2,
        "set": {"relay.mode": "hub"},
        "parameters": [
            {"name": "operation.capacity_multiplier", "bounds": [1, 6]},
            {"name": "relay.hub_latency_hours", "bounds": [1, 150]},
            {"name": "relay.follow_up_probability", "bounds": [0.0, 1.0]},
        ],
        "outputs": ["operation.kg_seized", "operation.arrests"],
    }
    path = tmp_path / "sa.yaml"
    path.write_text(yaml.safe_dump(doc))
    out = tmp_path / "out"
    res = cocair("sensitivity", path, "--workers", 2, "--out", out)
    assert res.returncode == 0, res.stderr
    with open(out / "indices.csv") as fh:
        rows = list(csv.DictReader(fh))
    mu = {(r["output"], r["parameter"]): float(r["value"]) for r in rows if r["index"] == "mu_star"}
    assert len(mu) == 6 and all(r["conf95"] != "" for r in rows if r["index"] == "mu_star")
    # Follow-up only makes arrests; it cannot move kg seized. Capacity moves both.
    assert mu[("operation.kg_seized", "relay.follow_up_probability")] == 0
    assert mu[("operation.arrests", "relay.follow_up_probability")] > 0
    assert mu[("operation.kg_seized", "operation.capacity_multiplier")] > 0
    assert (out / "figures" / "sensitivity.png").stat().st_size > 10_000
    with open(out / "samples.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 4 * (3 + 1)


def test_bad_sensitivity_file_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "x",
                "scenario": str(CLASSROOM),
                "parameters": [
                    {"name": "relay.hub_latency_hours", "bounds": [5, 1]},
                    {"name": "relay.coverage", "bounds": [0, 3]},
                ],
            }
        )
    )
    res = cocair("sensitivity", path)
    assert res.returncode == 2 and "bounds" in res.stderr and "Traceback" not in res.stderr


def test_sensitivity_sobol_gives_first_order_and_total_indices(tmp_path):
    doc = {
        "name": "sobol_small",
        "scenario": str(CLASSROOM),
        "method": "sobol",
        "samples": 64,
        "replications": 1,
        "set": {"relay.mode": "hub", "calendar.days": 14},
        "parameters": [
            {"name": "operation.capacity_multiplier", "bounds": [1, 8]},
            {"name": "relay.follow_up_probability", "bounds": [0.0, 1.0]},
        ],
        "outputs": ["operation.kg_seized"],
    }
    path = tmp_path / "sobol.yaml"
    path.write_text(yaml.safe_dump(doc))
    out = tmp_path / "out"
    res = cocair("sensitivity", path, "--workers", 2, "--out", out)
    assert res.returncode == 0, res.stderr
    with open(out / "indices.csv") as fh:
        rows = list(csv.DictReader(fh))
    by = {(r["parameter"], r["index"]): (float(r["value"]), float(r["conf95"])) for r in rows}
    assert {i for _, i in by} == {"S1", "ST"}
    # Capacity drives kg seized, clearly beyond its interval; the follow-up's arrests cannot
    # change the kg seized at all (its draws are made whatever the outcome).
    total, conf = by[("operation.capacity_multiplier", "ST")]
    assert total - conf > 0.5
    assert by[("relay.follow_up_probability", "ST")] == (0.0, 0.0)
    with open(out / "samples.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 64 * (2 + 2)
