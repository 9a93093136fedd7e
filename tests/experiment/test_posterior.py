"""Experiments over a posterior: each replicate draws one particle by weight and uses it in every
condition; runs.csv records it; the report says which uncertainty its ranges hold."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import yaml

from cocair_sim.experiment.plan import plan
from cocair_sim.experiment.spec import load_experiment
from tests.helpers import CLASSROOM, cocair, hub_against_none, read_csv


def _posterior(
    folder, rows, header=("relay.targeting_uplift", "customs_defaults.capacity_per_day")
):
    path = folder / "posterior.csv"
    lines = [",".join([*header, "weight"])] + [",".join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _experiment(folder, replications=6, name="over_posterior", **extra):
    return hub_against_none(
        folder, name, CLASSROOM, replications, posterior="posterior.csv", **extra
    )


def test_replicates_draw_particles_by_weight_and_pairs_share_them(tmp_path):
    _posterior(tmp_path, [(2.0, 10, 0.8), (12.0, 50, 0.2)])
    exp = load_experiment(_experiment(tmp_path, replications=400))
    runs = plan(exp)
    by_rep: dict[int, set] = {}
    for run in runs:
        by_rep.setdefault(run.replicate, set()).add((run.particle, run.parameters))
    assert all(len(v) == 1 for v in by_rep.values())  # every condition of a replicate alike
    counts = Counter(next(iter(v))[0] for v in by_rep.values())
    assert counts[0] / 400 == pytest.approx(0.8, abs=0.06)
    first = next(r for r in runs if r.particle == 1)
    assert dict(first.parameters) == {
        "relay.targeting_uplift": 12.0,
        "customs_defaults.capacity_per_day": 50,
    }
    # The draws depend on the base seed and the replicate only: the same plan again.
    assert [r.particle for r in plan(load_experiment(exp.path))] == [r.particle for r in runs]


def test_a_condition_that_sets_a_posterior_field_keeps_its_own_value(tmp_path):
    _posterior(tmp_path, [(2.0, 10, 1.0)])
    path = _experiment(tmp_path)
    doc = yaml.safe_load(path.read_text())
    doc["conditions"][1]["set"]["relay.targeting_uplift"] = 7
    path.write_text(yaml.safe_dump(doc))
    runs = plan(load_experiment(path))
    hub = next(r for r in runs if r.condition == "hub")
    none = next(r for r in runs if r.condition == "none")
    assert dict(hub.parameters) == {"customs_defaults.capacity_per_day": 10}
    assert dict(none.parameters)["relay.targeting_uplift"] == 2.0


def test_runs_record_the_drawn_values_and_the_model_uses_them(tmp_path):
    # One control a day at the participating airports with defaults against two hundred: the
    # drawn values must reach the model.
    _posterior(tmp_path, [(1.0, 1, 0.5), (1.0, 200, 0.5)])
    out = tmp_path / "out"
    res = cocair("experiment", _experiment(tmp_path, replications=8), "--out", out, "--no-report")
    assert res.returncode == 0, res.stderr
    rows = read_csv(out / "runs.csv")
    assert {"particle", "param:customs_defaults.capacity_per_day"} <= set(rows[0])
    kg = {1: [], 200: []}
    for r in rows:
        kg[int(r["param:customs_defaults.capacity_per_day"])].append(
            float(r["operation.kg_seized_participants"])
        )
        assert r["param:relay.targeting_uplift"] == "1.0"
    assert kg[1] and kg[200]
    assert sum(kg[1]) / len(kg[1]) * 2 < sum(kg[200]) / len(kg[200])
    summary = read_csv(out / "summary.csv")
    hub = next(r for r in summary if r["condition"] == "hub")
    share = float(hub["share_above"]) + float(hub["share_below"])
    assert 0 <= share <= 1 and float(hub["diff_p05"]) <= float(hub["diff_p95"])


def test_the_report_says_which_uncertainty_its_ranges_hold(tmp_path):
    _posterior(tmp_path, [(3.0, 20, 0.5), (10.0, 40, 0.5)])
    out = tmp_path / "with"
    res = cocair("experiment", _experiment(tmp_path, replications=4), "--out", out)
    assert res.returncode == 0, res.stderr
    text = (out / "report.md").read_text()
    head = text.split("### What was run")[0]
    assert "## At a glance" in head and "combine two uncertainties" in head
    assert "did better than 'none' in" in head and "posterior.csv" in head
    plain = tmp_path / "plain"
    path = _experiment(tmp_path, replications=4, name="plain")
    doc = yaml.safe_load(path.read_text())
    del doc["posterior"]
    path.write_text(yaml.safe_dump(doc))
    assert cocair("experiment", path, "--out", plain).returncode == 0
    head = (plain / "report.md").read_text().split("### What was run")[0]
    assert "simulation's chance only" in head


@pytest.mark.parametrize(
    ("rows", "header", "words"),
    [
        ([(2.0, 10, "x")], None, "not a number"),
        ([(2.0, 10, 0.0)], None, "sum to zero"),
        ([(2.0, 10, 1.0)], ("relay.targeting_uplift", "relay.no_such_field"), "no_such_field"),
        ([(0.5, 10, 1.0)], None, "targeting_uplift"),  # below the field's minimum of 1
    ],
)
def test_a_bad_posterior_exits_2_naming_the_file(tmp_path, rows, header, words):
    _posterior(tmp_path, rows, **({"header": header} if header else {}))
    path = _experiment(tmp_path)
    res = cocair("experiment", path, "--out", tmp_path / "out")
    assert res.returncode == 2, res.stderr
    assert str(path) in res.stderr and "posterior" in res.stderr and words in res.stderr
    assert "Traceback" not in res.stderr


def test_drivers_rank_the_drawn_parameters_by_their_hold_on_the_effect(tmp_path):
    # In an experiment: the uplift decides what an alert does; a field drawn but unused by the
    # model (the cocaine share only rescales published counts) cannot move the difference.
    path = tmp_path / "posterior.csv"
    rows = ["relay.targeting_uplift,observation.cocaine_share_of_cases,weight"]
    pairs = zip(np.geomspace(1, 40, 12), np.linspace(0.2, 0.5, 12), strict=True)
    rows += [f"{u},{s},1" for u, s in pairs]
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    exp = _experiment(tmp_path, replications=40)
    assert cocair("experiment", exp, "--out", out, "--no-report").returncode == 0
    drivers = [r for r in read_csv(out / "drivers.csv") if r["metric"].endswith("participants")]
    assert drivers[0]["parameter"] == "relay.targeting_uplift"
    assert float(drivers[0]["ci_low"]) > 0
