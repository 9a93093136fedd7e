"""`cocair validate` and `cocair sensitivity` end to end."""

from __future__ import annotations

import sqlite3

import yaml

from cocair_sim.scenario import load_scenario
from cocair_sim.science.validation import WRONG_WORLDS, power
from tests.helpers import CLASSROOM, COCAIR3, cocair, read_csv


def test_the_default_scenario_passes_its_published_targets():
    res = cocair("validate", "--replications", 200)
    assert res.returncode == 0, res.stdout + res.stderr
    for name in ("cocair3_kg", "aircop_kg", "west_africa_share", "messages_per_case"):
        assert name in res.stdout
    assert "aircop_kg and aircop_arrests move together" in res.stdout
    assert "cocair3_arrests move together" in res.stdout
    assert "messages_per_case is uninformative" in res.stdout


def test_the_check_rejects_ten_times_the_customs_capacity():
    """Datasets of published figures simulated from a world with ten times the controls (each
    with the figures' own uncertainty) are rejected by the check of the scenario's world, and
    datasets from the scenario's own world are rejected at about the check's level."""
    scenario = load_scenario(COCAIR3)
    worlds = {"customs capacity x10": WRONG_WORLDS["customs capacity x10"]}
    itself, wrong = power(scenario, worlds, datasets=60, replications=300)
    assert wrong.world == "customs capacity x10" and wrong.datasets == 60
    assert wrong.rejected >= 0.8, wrong
    assert itself.rejected <= 0.15, itself


def test_validate_set_rejects_a_world_the_published_figures_rule_out():
    res = cocair("validate", "--set", "trafficking.volume_multiplier=0.1", "--replications", 100)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "rejected" in res.stdout and "outside what the model allows" in res.stderr
    res = cocair("validate", "--set", "trafficking.volume_multiplier=-1")
    assert res.returncode == 2 and "volume_multiplier" in res.stderr
    assert "Traceback" not in res.stderr


def test_validate_command_bad_input(tmp_path):
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
