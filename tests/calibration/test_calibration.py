"""`cocair calibrate`: the file format, what ABC-SMC learns, its outputs, repeatability and
resumption."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time

import numpy as np
import pytest
import yaml

from cocair_sim import run_calibration
from cocair_sim.calibration import load_calibration
from cocair_sim.report.calibration import weighted_quantiles
from tests.helpers import EXPERIMENTS, cocair, cocair_command, read_csv


def test_the_shipped_calibration_file_is_valid():
    cal = load_calibration(EXPERIMENTS / "calibration.yaml")
    paths = {p.path.split(".")[-1] for p in cal.spec.parameters}
    # The mechanisms whose strength nobody published are all estimated, the new ones included.
    assert {"group_size", "share", "companion_exposure", "hit_probability"} <= paths
    assert {t.name for t in cal.targets} >= {"cocair3_kg", "aircop_kg", "west_africa_share"}
    assert all(p.source for p in cal.spec.parameters)
    uplift = next(p for p in cal.spec.parameters if p.path == "relay.targeting_uplift")
    assert uplift.prior.low == 1  # from "an alert changes nothing"


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
        ({"population_size": 3}, "population_size", "greater than or equal to 10"),
    ],
)
def test_a_bad_calibration_file_exits_2_naming_the_field(small_calibration, change, field, words):
    path = small_calibration(**change)
    res = cocair("calibrate", path, "--out", path.parent / "out")
    assert res.returncode == 2, res.stderr
    assert str(path) in res.stderr and field in res.stderr and words in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert not (path.parent / "out").exists()


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """The small calibration, run once with the single-core sampler."""
    from tests.calibration.conftest import SMALL

    folder = tmp_path_factory.mktemp("cal")
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL, sort_keys=False))
    result = run_calibration(path, folder / "out", workers=1)
    return path, result


def test_calibration_pins_down_what_the_targets_inform_and_leaves_the_rest(calibrated):
    _, result = calibrated
    post = result.posterior
    w = post["weight"].to_numpy()
    capacity = post["customs_defaults.capacity_per_day"].to_numpy()
    (median,) = weighted_quantiles(capacity, w, (0.5,))
    assert 15 <= median <= 60, median  # the targets were made at 30
    prior_sd = (120 - 2) / np.sqrt(12)
    sd = np.sqrt(np.average((capacity - np.average(capacity, weights=w)) ** 2, weights=w))
    assert sd < 0.6 * prior_sd
    # The uplift does nothing outside the operation: it stays spread over its prior (uniform
    # in the log on [0, log 20]): as wide, and reaching both ends.
    uplift = np.log(post["relay.targeting_uplift"].to_numpy())
    uplift_sd = np.sqrt(np.average((uplift - np.average(uplift, weights=w)) ** 2, weights=w))
    assert uplift_sd > 0.75 * np.log(20) / np.sqrt(12)
    low, high = weighted_quantiles(uplift, w, (0.1, 0.9))
    assert low < 0.25 * np.log(20) and high > 0.75 * np.log(20)
    eps = [g["epsilon"] for g in result.generations]
    assert eps == sorted(eps, reverse=True) and len(eps) == 3


def test_calibration_writes_every_output(calibrated):
    _, result = calibrated
    out = result.out
    post = read_csv(out / "posterior.csv")
    assert len(post) == 40
    assert list(post[0]) == [
        "customs_defaults.capacity_per_day",
        "relay.targeting_uplift",
        "weight",
    ]
    assert sum(float(r["weight"]) for r in post) == pytest.approx(1.0)
    assert all(2 <= float(r["customs_defaults.capacity_per_day"]) <= 120 for r in post)
    assert all(1 <= float(r["relay.targeting_uplift"]) <= 20 for r in post)  # not its logarithm
    assert all(float(r["customs_defaults.capacity_per_day"]).is_integer() for r in post)
    gens = read_csv(out / "generations.csv")
    assert [g["generation"] for g in gens] == ["0", "1", "2"]
    assert all(float(g["seconds"]) > 0 and 0 < float(g["acceptance_rate"]) <= 1 for g in gens)
    # Generation 0 also counts the prior sample that set its tolerance.
    assert int(gens[0]["model_runs"]) >= 80
    predictive = read_csv(out / "predictive.csv")
    assert len(predictive) == 20 and set(predictive[0]) >= {"draw", "particle", "seed", "kg"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["generations"] == 3 and manifest["population_size"] == 40
    assert manifest["model_runs"] == sum(int(g["model_runs"]) for g in gens)
    assert "pyabc" in manifest["versions"]
    with sqlite3.connect(out / "history.sqlite") as db:  # pyabc's own history
        assert db.execute("SELECT COUNT(*) FROM populations WHERE t >= 0").fetchone()[0] == 3
    report = (out / "report.html").read_text()
    for figure in ("marginals", "pairs", "epsilon", "predictive"):
        assert f'id="fig-{figure}"' in report
        assert (out / "figures" / f"{figure}.png").stat().st_size > 5_000
    assert "customs_defaults.capacity_per_day" in report and "published" in report


def test_the_single_core_sampler_repeats_exactly(calibrated, tmp_path):
    path, first = calibrated
    again = run_calibration(path, tmp_path / "again", workers=1)
    for name in ("posterior.csv", "predictive.csv"):
        assert (first.out / name).read_bytes() == (again.out / name).read_bytes(), name


def test_a_refused_rerun_changes_nothing(calibrated):
    path, result = calibrated
    before = {p: p.stat().st_mtime_ns for p in result.out.rglob("*")}
    res = cocair("calibrate", path, "--out", result.out)
    assert res.returncode == 2 and "--resume" in res.stderr and "--force" in res.stderr
    assert {p: p.stat().st_mtime_ns for p in result.out.rglob("*")} == before


def _populations(db_path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM populations WHERE t >= 0").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_kill_9_then_resume_continues_and_ends_as_an_uninterrupted_run(calibrated, tmp_path):
    path, reference = calibrated
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        cocair_command("calibrate", path, "--workers", 1, "--out", out),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while _populations(out / "history.sqlite") < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = _populations(out / "history.sqlite")
    assert 1 <= stored < 3, "the kill came too late to test resumption"
    assert not (out / "manifest.json").exists() and not (out / "posterior.csv").exists()
    exported = tmp_path / "posteriors" / "small.csv"
    res = cocair("calibrate", path, "--workers", 1, "--out", out, "--resume", "--export", exported)
    assert res.returncode == 0, res.stderr
    assert exported.read_bytes() == (out / "posterior.csv").read_bytes()
    assert f"({stored} already stored)" in res.stderr
    assert _populations(out / "history.sqlite") == 3
    for name in ("posterior.csv", "predictive.csv"):
        assert (out / name).read_bytes() == (reference.out / name).read_bytes(), name


def test_a_calibration_stops_when_too_few_runs_are_accepted(small_calibration, tmp_path):
    path = small_calibration(min_acceptance_rate=0.45, max_generations=8, population_size=30)
    result = run_calibration(path, tmp_path / "out", workers=1)
    gens = result.generations
    assert len(gens) < 8 and gens[-1]["acceptance_rate"] < 0.45
    assert all(g["acceptance_rate"] >= 0.45 for g in gens[:-1])
    manifest = json.loads((result.out / "manifest.json").read_text())
    assert "min_acceptance_rate" in manifest["stopped"]


def test_the_proposal_keeps_a_share_of_the_prior_so_weights_stay_bounded():
    import pandas as pd

    from cocair_sim.calibration.smc import DefensiveTransition

    rng = np.random.default_rng(3)
    particles = pd.DataFrame({"a": rng.normal(5, 0.1, 50), "b": rng.normal(0.5, 0.01, 50)})
    t = DefensiveTransition({"a": (0.0, 10.0), "b": (0.0, 1.0)}, share=0.2)
    t.fit(particles, np.full(50, 1 / 50))
    np.random.seed(1)
    draws = t.rvs(4000)
    far = ((draws["a"] - 5).abs() > 1) | ((draws["b"] - 0.5).abs() > 0.1)
    assert far.mean() == pytest.approx(0.2 * 0.96, abs=0.03)  # prior draws away from the cloud
    # Far from every particle the proposal density is the prior's share: the importance weight
    # prior / proposal is at most 1 / share there.
    corner = pd.DataFrame({"a": [0.5], "b": [0.95]})
    assert t.pdf(corner)[0] == pytest.approx(0.2 * (1 / 10), rel=1e-6)
    assert t.pdf(pd.DataFrame({"a": [11.0], "b": [0.5]}))[0] == pytest.approx(0.0, abs=1e-12)


def test_the_proposal_density_where_the_particles_are_is_the_normalised_mixture():
    """Among the particles, the density is (1 - share) x the kernel (a normal around each
    particle, computed here with scipy) + share x the prior's: what importance weights divide
    by. A mixture that dropped either factor would be wrong exactly where most proposals fall."""
    import pandas as pd
    from scipy.stats import multivariate_normal

    from cocair_sim.calibration.smc import DefensiveTransition

    rng = np.random.default_rng(4)
    particles = pd.DataFrame({"a": rng.normal(5, 0.5, 30), "b": rng.normal(0.5, 0.05, 30)})
    weights = rng.uniform(0.5, 1.5, 30)
    weights /= weights.sum()
    share = 0.2
    t = DefensiveTransition({"a": (0.0, 10.0), "b": (0.0, 1.0)}, share=share)
    t.fit(particles, weights)
    points = particles.iloc[:5].reset_index(drop=True)
    kernel = sum(
        w * multivariate_normal(mean=row, cov=t.cov).pdf(points.to_numpy())
        for w, row in zip(weights, particles.to_numpy(), strict=True)
    )
    expected = (1 - share) * kernel + share * (1 / 10) * (1 / 1)
    np.testing.assert_allclose(t.pdf(points), expected, rtol=1e-9)
    assert (kernel > 5 * (1 / 10)).all()  # the kernel outweighs the prior here: a real test
