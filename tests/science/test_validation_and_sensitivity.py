"""`cocair validate` and `cocair sensitivity` end to end."""

from __future__ import annotations

import sqlite3

import pytest
import yaml

from cocair_sim.scenario import load_scenario
from cocair_sim.science.validation import check_published
from tests.helpers import CLASSROOM, COCAIR3, cocair, read_csv


def _ten_times_the_capacity(scenario) -> dict:
    """Overrides multiplying every customs capacity of a scenario by ten."""
    out = {"customs_defaults.capacity_per_day": scenario.customs_defaults.capacity_per_day * 10}
    for a in scenario.airports:
        if a.customs is not None and a.customs.capacity_per_day is not None:
            out[f"airports.{a.iata}.customs.capacity_per_day"] = a.customs.capacity_per_day * 10
    return out


def test_the_default_scenario_passes_its_published_targets():
    res = cocair("validate", "--replications", 60)
    assert res.returncode == 0, res.stdout + res.stderr
    for name in ("cocair3_kg", "aircop_kg", "west_africa_share", "messages_per_case"):
        assert name in res.stdout


@pytest.mark.parametrize("change", ["capacity", "trafficking"])
def test_validate_fails_a_scenario_far_from_the_published_results(change):
    base = load_scenario(COCAIR3)
    overrides = (
        _ten_times_the_capacity(base)
        if change == "capacity"
        else {"trafficking.volume_multiplier": 0.1}
    )
    results = check_published(load_scenario(COCAIR3, overrides), 30, 2011)
    outside = {c.target.name for c in results if not c.inside}
    assert outside, [(c.target.name, c.z) for c in results]
    kg = next(c for c in results if c.target.name == "aircop_kg")
    assert (kg.z < -2) if change == "capacity" else (kg.z > 2 or not all(
        c.inside for c in results if c.target.name.startswith("cocair3")))  # fmt: skip


def test_validate_command_exit_codes(tmp_path, write_yaml):
    strong = write_yaml(
        yaml.safe_dump(
            {**yaml.safe_load(COCAIR3.read_text()), "trafficking": {"volume_multiplier": 0.1}}
        ),
        "weak_trafficking.yaml",
    )
    res = cocair("validate", strong, "--replications", 20)
    assert res.returncode == 1 and "outside:" in res.stderr and "no" in res.stdout
    res = cocair("validate", CLASSROOM)  # publishes nothing
    assert res.returncode == 2 and "published" in res.stderr and "Traceback" not in res.stderr
    bad = tmp_path / "posterior.csv"
    bad.write_text("relay.targeting_uplift,weight\n0.2,1\n")
    res = cocair("validate", "--posterior", bad)
    assert res.returncode == 2 and "--posterior" in res.stderr and "targeting_uplift" in res.stderr


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
    rows = read_csv(out / "indices.csv")
    mu = {(r["output"], r["parameter"]): float(r["value"]) for r in rows if r["index"] == "mu_star"}
    assert len(mu) == 6 and all(r["conf95"] != "" for r in rows if r["index"] == "mu_star")
    # Follow-up only makes arrests; it cannot move kg seized. Capacity moves both.
    assert mu[("operation.kg_seized", "relay.follow_up_probability")] == 0
    assert mu[("operation.arrests", "relay.follow_up_probability")] > 0
    assert mu[("operation.kg_seized", "operation.capacity_multiplier")] > 0
    assert (out / "figures" / "sensitivity.png").stat().st_size > 10_000
    assert len(read_csv(out / "samples.csv")) == 4 * (3 + 1)


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
    rows = read_csv(out / "indices.csv")
    by = {(r["parameter"], r["index"]): (float(r["value"]), float(r["conf95"])) for r in rows}
    assert {i for _, i in by} == {"S1", "ST"}
    # Capacity drives kg seized, clearly beyond its interval; the follow-up's arrests cannot
    # change the kg seized at all (its draws are made whatever the outcome).
    total, conf = by[("operation.capacity_multiplier", "ST")]
    assert total - conf > 0.5
    assert by[("relay.follow_up_probability", "ST")] == (0.0, 0.0)
    assert len(read_csv(out / "samples.csv")) == 64 * (2 + 2)


def test_sensitivity_of_a_paired_effect(tmp_path):
    doc = {
        "name": "sa_effect",
        "scenario": str(CLASSROOM),
        "method": "morris",
        "samples": 4,
        "replications": 2,
        "compare": {"condition": {"relay.mode": "hub"}, "baseline": {"relay.mode": "none"}},
        "parameters": [
            {"name": "relay.targeting_uplift", "bounds": [1, 30]},
            {"name": "operation.capacity_multiplier", "bounds": [1, 6]},
            {"name": "relay.follow_up_probability", "bounds": [0.0, 1.0]},
        ],
        "outputs": ["operation.kg_seized"],
    }
    path = tmp_path / "sa.yaml"
    path.write_text(yaml.safe_dump(doc))
    out = tmp_path / "out"
    res = cocair("sensitivity", path, "--workers", 2, "--out", out)
    assert res.returncode == 0, res.stderr
    rows = read_csv(out / "indices.csv")
    mu = {r["parameter"]: float(r["value"]) for r in rows if r["index"] == "mu_star"}
    # The uplift only acts through relayed alerts: it moves the hub's effect. Follow-up makes
    # arrests, never kg, in either condition: the difference cannot depend on it.
    assert mu["relay.targeting_uplift"] > 0
    assert mu["relay.follow_up_probability"] == 0
    samples = read_csv(out / "samples.csv")
    assert len(samples) == 4 * (3 + 1)
    with sqlite3.connect(out / "store.sqlite") as db:
        sides = {r[0] for r in db.execute("SELECT DISTINCT condition FROM runs")}
        assert sides == {"condition", "baseline"}
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 4 * 4 * 2 * 2
