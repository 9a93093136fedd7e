"""Calibration from a reference table: the file format, the table job (resumable, the same on
any number of workers), the inference and its check by simulation-based calibration, and the
analyses of what the figures determine."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import time

import numpy as np
import pytest
import yaml

from cocair_sim import run_calibration, run_table
from cocair_sim.calibration import load_calibration
from cocair_sim.calibration.analyses import value_of_information
from cocair_sim.calibration.infer import Problem, simulation_based_calibration
from cocair_sim.calibration.table import load_table
from tests.helpers import (
    CLASSROOM,
    EXPERIMENTS,
    ROOT,
    cocair,
    cocair_command,
    read_csv,
    stored_count,
)


def test_the_shipped_calibration_file_is_valid():
    cal = load_calibration(EXPERIMENTS / "calibration.yaml")
    paths = {p.path.split(".")[-1] for p in cal.spec.parameters}
    # The mechanisms whose strength nobody published are all estimated, the new ones included.
    assert {"group_size", "share", "companion_exposure", "hit_probability"} <= paths
    assert {t.name for t in cal.targets} >= {"cocair3_kg", "aircop_kg", "west_africa_share"}
    assert all(p.source for p in cal.spec.parameters)
    uplift = next(p for p in cal.spec.parameters if p.path == "relay.targeting_uplift")
    assert uplift.prior.low == 1  # from "an alert changes nothing"
    assert cal.spec.draws >= 50_000 and cal.spec.sbc_datasets >= 1000
    assert {e.observable for e in cal.spec.evidence} == {"alert_hit_rate"}


EVIDENCE_ON_NOTHING = {
    "name": "x", "observable": "no_such", "low": 1, "high": 2, "source": "s", "limits": "l"
}  # fmt: skip


def _one_parameter(path, low, high) -> dict:
    return {"parameters": [{"path": path, "prior": {"low": low, "high": high}, "source": "x"}]}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"targets": ["no_such_target"]}, "targets[0]", "publishes no target"),
        (
            _one_parameter("relay.talk_probability", 0.5, 0.2),
            "parameters[0].prior",
            "low must be below high",
        ),
        (
            _one_parameter("customs_defaults.detection.internal", 0.5, 1.5),
            "parameters[0](customs_defaults.detection.internal).prior",
            "at 1.5",
        ),
        (
            _one_parameter("relay.no_such_field", 0, 1),
            "parameters[0](relay.no_such_field).prior",
            "no_such_field",
        ),
        ({"draws": 3}, "draws", "greater than or equal to 50"),
        ({"effects": ["no_such_metric"]}, "effects[0]", "unknown metric"),
        (
            {"evidence": [EVIDENCE_ON_NOTHING]},
            "evidence[0].observable",
            "unknown observable",
        ),
    ],
)
def test_a_bad_calibration_file_exits_2_naming_the_field(small_calibration, change, field, words):
    path = small_calibration(**change)
    for command in ("table", "calibrate"):
        res = cocair(command, path, "--out", path.parent / "out")
        assert res.returncode == 2, res.stderr
        assert str(path) in res.stderr and field in res.stderr and words in res.stderr, res.stderr
        assert "Traceback" not in res.stderr
        assert not (path.parent / "out").exists()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small calibration's file, its table (two workers) and the inference from it."""
    from tests.calibration.conftest import SMALL

    folder = tmp_path_factory.mktemp("cal")
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL, sort_keys=False))
    table = run_table(path, folder / "table", workers=2)
    result = run_calibration(path, folder / "out", table=table)
    return path, table, result


def test_the_table_is_the_same_on_one_worker_or_two_and_extends_without_change(small, tmp_path):
    path, table, _ = small
    two = load_table(table)
    one = run_table(path, tmp_path / "one", workers=1, draws=300)
    np.testing.assert_array_equal(load_table(one).data, two.data[:300])
    # The same folder extended to more draws keeps its first rows.
    more = run_table(path, tmp_path / "one", workers=1, draws=320, resume=True)
    np.testing.assert_array_equal(load_table(more).data, two.data[:320])
    assert len(two) == 600 and not np.isnan(two.data).all(axis=0).any()


def test_a_table_row_holds_the_draw_every_modes_outcomes_and_the_observables(small):
    _, table, _ = small
    t = load_table(table)
    assert t.modes == ["none", "bilateral", "hub"]
    uplift = t.column("relay.targeting_uplift")
    assert (uplift >= 1).all() and (uplift <= 20).all()
    capacity = t.column("customs_defaults.capacity_per_day")
    assert np.array_equal(capacity, np.round(capacity))
    # The figures are read in the baseline, where no relay acts: they follow the draw's capacity.
    cases = t.column("target:cases")
    assert np.corrcoef(capacity, cases)[0, 1] > 0.6
    # In the operation the modes part, on common random numbers: the same draw, other outcomes.
    none = t.column("none:operation.kg_seized_participants")
    hub = t.column("hub:operation.kg_seized_participants")
    assert (hub != none).mean() > 0.3 and np.isfinite(hub - none).all()
    assert (t.column("obs:alerts_controlled") <= t.column("obs:alerts")).all()
    assert (t.column("obs:alerts_found") <= t.column("obs:alerts_controlled")).all()


def test_the_inference_pins_down_what_the_figures_inform_and_leaves_the_rest(small):
    _, _, result = small
    post = result.posterior
    w = post["weight"].to_numpy()
    capacity = post["customs_defaults.capacity_per_day"].to_numpy()
    median = float(np.interp(0.5, np.cumsum(w[np.argsort(capacity)]) / w.sum(),
                             np.sort(capacity)))  # fmt: skip
    assert 15 <= median <= 50, median  # the figures were made at 30
    assert (capacity >= 2).all() and (capacity <= 60).all()
    narrowing = {d.parameter: d.narrowing for d in result.drivers}
    assert narrowing["customs_defaults.capacity_per_day"] < 0.7
    assert narrowing["relay.targeting_uplift"] > 0.8  # no relay outside the operation


def test_inference_for_other_figures_moves_the_posterior(small, tmp_path):
    path, table, result = small
    heavy = run_calibration(path, tmp_path / "heavy", table=table,
                            observed={"kg": 70.0, "cases": 20.0})  # fmt: skip

    def capacity_median(r):
        post = r.posterior
        return float(np.average(post["customs_defaults.capacity_per_day"], weights=post["weight"]))

    assert capacity_median(heavy) > capacity_median(result) + 10
    res = cocair("calibrate", path, "--table", table, "--out", tmp_path / "bad",
                 "--observed", _figures(tmp_path, {"no_such": 1}))  # fmt: skip
    assert res.returncode == 2 and "no_such" in res.stderr and "Traceback" not in res.stderr


def _figures(folder, figures):
    path = folder / "observed.yaml"
    path.write_text(yaml.safe_dump(figures))
    return path


def test_simulation_based_calibration_passes_and_catches_an_overconfident_posterior(small):
    path, table, result = small
    for res in result.sbc.results:
        assert abs(res.coverage_90 - 0.9) <= 0.1 and abs(res.coverage_50 - 0.5) <= 0.12, res
    problem = Problem(load_calibration(path), load_table(table))
    narrow = simulation_based_calibration(problem, shrink=0.3)
    capacity = next(r for r in narrow.results if r.name == "customs_defaults.capacity_per_day")
    assert capacity.coverage_90 < 0.7 and capacity.coverage_50 < 0.35


def test_recording_more_alerts_narrows_the_effect(small):
    path, table, _ = small
    problem = Problem(load_calibration(path), load_table(table))
    info = value_of_information(problem, sizes=(5, 40, 400), truths=40)
    widths = {i.size: i.width_90 for i in info if i.size is not None}
    base = next(i for i in info if i.size is None).width_90
    assert widths[400] < widths[5] <= base * 1.05
    assert widths[400] < 0.9 * base


def test_the_calibration_writes_every_output(small):
    _, _, result = small
    out = result.out
    post = read_csv(out / "posterior.csv")
    assert list(post[0]) == [
        "customs_defaults.capacity_per_day", "relay.targeting_uplift",
        "relay.controls_per_alert", "weight",
    ]  # fmt: skip
    assert sum(float(r["weight"]) for r in post) == pytest.approx(1.0)
    inference = {r["quantity"]: r for r in read_csv(out / "inference.csv")}
    assert "effect:hub-none:operation.kg_seized_participants" in inference
    assert all(r["sbc_coverage_90"] for r in inference.values())
    effects = read_csv(out / "effects.csv")
    assert [e["prior"] for e in effects] == [
        "vague (the calibration's priors)", "informative: test_hit_rate",
    ]  # fmt: skip
    surface = read_csv(out / "surface.csv")
    assert len(surface) >= 64 and {"mean", "posterior_mass"} <= set(surface[0])
    mass = sum(float(r["posterior_mass"]) for r in surface
               if r["x_parameter"] == "relay.targeting_uplift")  # fmt: skip
    assert mass == pytest.approx(1.0)
    info = read_csv(out / "information.csv")
    assert [r["alerts_logged"] for r in info][1:6] == ["25", "50", "100", "200", "400"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["table_draws"] == 600 and "regression" in manifest["method"]
    report = (out / "report.html").read_text()
    for figure in ("effects", "surface", "information", "sbc", "marginals", "predictive"):
        assert f'id="fig-{figure}"' in report
    assert "do not determine" in report and not math.isnan(float(effects[0]["q50"]))


@pytest.mark.slow
def test_a_table_killed_twice_then_resumed_is_the_table_run_at_once(small, tmp_path):
    path, table, _ = small
    out = tmp_path / "killed"
    store = out / "store.sqlite"
    for attempt in range(2):
        command = cocair_command("table", path, "--workers", 2, "--out", out)
        proc = subprocess.Popen(
            command + (["--resume"] if attempt else []),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        before = stored_count(store, "draws")
        deadline = time.time() + 60
        while stored_count(store, "draws") < before + 40 and proc.poll() is None:
            if time.time() > deadline:
                break
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, at once
        proc.wait()
    assert 0 < stored_count(store, "draws") < 600
    assert not (out / "table.npz").exists()  # nothing that looks finished
    res = cocair("table", path, "--workers", 2, "--out", out, "--resume")
    assert res.returncode == 0, res.stderr
    assert (out / "table.npz").read_bytes() == (table / "table.npz").read_bytes()


def test_the_table_is_tied_to_its_calibration_but_not_to_the_calibrated_values(small, tmp_path):
    from cocair_sim.calibration.table import Simulator, table_hash

    path, table, _ = small
    scenario = yaml.safe_load(CLASSROOM.read_text())

    def hash_with(changes: dict) -> str:
        changed = tmp_path / f"scenario{len(list(tmp_path.iterdir()))}.yaml"
        changed.write_text(yaml.safe_dump({**scenario, **changes}, sort_keys=False))
        doc = {**yaml.safe_load(path.read_text()), "scenario": str(changed)}
        cal_path = tmp_path / f"cal{len(list(tmp_path.iterdir()))}.yaml"
        cal_path.write_text(yaml.safe_dump(doc, sort_keys=False))
        cal = load_calibration(cal_path)
        return table_hash(cal, Simulator.of(cal))

    same = hash_with({})
    relay = {**scenario["relay"], "targeting_uplift": 17.0}  # calibrated: every draw sets it
    assert hash_with({"relay": relay}) == same
    relay = {**scenario["relay"], "talk_probability": 0.05}  # not calibrated: other rows
    other = hash_with({"relay": relay})
    assert other != same
    cal_path = sorted(tmp_path.glob("cal*.yaml"))[-1]
    res = cocair("calibrate", cal_path, "--table", table, "--out", tmp_path / "out")
    assert res.returncode == 2 and "made for another calibration" in res.stderr
