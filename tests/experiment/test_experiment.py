"""Experiments: paired seeds, determinism across workers and backends, resume, statistics."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from cocair_sim.experiment.plan import plan, run_seed
from cocair_sim.experiment.spec import load_experiment
from tests.helpers import CLASSROOM, ROOT, cocair, cocair_command, read_csv, stored_count


def write_experiment(tmp_path, replications=6, sweep=None, name="small", **extra) -> Path:
    doc = {
        "name": name,
        "scenario": str(CLASSROOM),
        "baseline": "none",
        "replications": replications,
        "base_seed": 99,
        "conditions": [
            {"name": "none", "set": {"relay.mode": "none"}},
            {"name": "hub", "set": {"relay.mode": "hub"}},
        ],
        "metrics": ["operation.kg_seized", "operation.alert_hits", "couriers_sent"],
        **extra,
    }
    if sweep:
        doc["sweep"] = sweep
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_seeds_depend_on_replicate_and_point_not_condition(tmp_path):
    exp = load_experiment(
        write_experiment(
            tmp_path, sweep=[{"parameter": "relay.hub_latency_hours", "values": [1, 48]}]
        )
    )
    runs = plan(exp)
    assert len(runs) == exp.run_count() == 2 * 2 * 6
    seeds = {}
    for r in runs:
        seeds.setdefault((r.point, r.replicate), set()).add(r.seed)
    assert all(len(s) == 1 for s in seeds.values())  # same seed for every condition
    assert len({next(iter(s)) for s in seeds.values()}) == len(seeds)  # distinct otherwise
    assert run_seed(99, 3, 1) == run_seed(99, 3, 1) != run_seed(99, 3, 0)


def test_workers_1_and_2_give_identical_results_and_runs_are_paired(tmp_path):
    exp = write_experiment(tmp_path)
    a, b = tmp_path / "w1", tmp_path / "w2"
    for out, workers in ((a, 1), (b, 2)):
        res = cocair("experiment", exp, "--workers", workers, "--out", out, "--no-report")
        assert res.returncode == 0, res.stderr
    for name in ("runs.csv", "summary.csv", "daily.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    rows = read_csv(a / "runs.csv")
    assert len(rows) == 12
    by_rep: dict[str, dict[str, dict]] = {}
    for r in rows:
        by_rep.setdefault(r["replicate"], {})[r["condition"]] = r
    for pair in by_rep.values():  # common random numbers: the same couriers in both conditions
        assert pair["none"]["seed"] == pair["hub"]["seed"]
        assert pair["none"]["couriers_sent"] == pair["hub"]["couriers_sent"]
    summary = read_csv(a / "summary.csv")
    hub = next(r for r in summary if r["condition"] == "hub" and r["metric"] == "couriers_sent")
    assert float(hub["diff_mean"]) == 0.0 and float(hub["wilcoxon_p"]) == 1.0


@pytest.mark.dask
def test_dask_localcluster_gives_the_same_results_as_local_processes(tmp_path):
    from distributed import LocalCluster

    exp = write_experiment(tmp_path)
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert cocair("experiment", exp, "--workers", 2, "--out", local, "--no-report").returncode == 0
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,
    ) as cluster:
        res = cocair(
            "experiment",
            exp,
            "--scheduler",
            cluster.scheduler_address,
            "--out",
            dask,
            "--no-report",
        )
    assert res.returncode == 0, res.stderr
    assert "backend dask" in res.stderr
    for name in ("runs.csv", "summary.csv", "daily.csv"):
        assert (local / name).read_bytes() == (dask / name).read_bytes(), name


@pytest.mark.slow
def test_kill_then_resume_gives_complete_identical_results(tmp_path):
    exp = write_experiment(tmp_path, replications=60)
    reference = tmp_path / "reference"
    assert (
        cocair("experiment", exp, "--workers", 2, "--out", reference, "--no-report").returncode == 0
    )
    out = tmp_path / "killed"
    store = out / "store.sqlite"
    for attempt in range(3):
        proc = subprocess.Popen(
            cocair_command(
                "experiment",
                exp,
                "--workers",
                2,
                "--out",
                out,
                "--no-report",
                *(["--resume"] if attempt else []),
            ),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        before = stored_count(store)
        deadline = time.time() + 60
        while stored_count(store) < before + 10 and proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, at once
        proc.wait()
    assert 0 < stored_count(store) < 120
    assert not (out / "runs.csv").exists()  # nothing that looks finished
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    res = cocair("experiment", exp, "--workers", 2, "--out", out, "--resume", "--no-report")
    assert res.returncode == 0, res.stderr
    for name in ("runs.csv", "summary.csv", "daily.csv"):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    with sqlite3.connect(store) as db:
        ids = [r[0] for r in db.execute("SELECT run_id FROM runs")]
    assert len(ids) == len(set(ids)) == 120


def test_existing_results_are_not_overwritten_without_resume_or_force(tmp_path):
    exp = write_experiment(tmp_path, replications=2)
    out = tmp_path / "o"
    assert cocair("experiment", exp, "--workers", 1, "--out", out, "--no-report").returncode == 0
    res = cocair("experiment", exp, "--workers", 1, "--out", out, "--no-report")
    assert res.returncode == 2 and "--resume" in res.stderr
    res = cocair("experiment", exp, "--workers", 1, "--out", out, "--resume", "--no-report")
    assert res.returncode == 0 and "4 already stored" in res.stderr
    changed = write_experiment(tmp_path, replications=3)
    res = cocair("experiment", changed, "--workers", 1, "--out", out, "--resume", "--no-report")
    assert res.returncode == 2 and "different experiment" in res.stderr


BAD = [
    ({"conditions": [{"name": "none", "sett": {}}]}, "conditions[0](none).sett", "unknown field"),
    ({"baseline": "nothing"}, "(top level)", "baseline 'nothing'"),
    ({"replications": 0}, "replications", "greater than or equal to 1"),
    (
        {"conditions": [{"name": "x", "set": {"relay.mode": "carrier-pigeon"}}], "baseline": "x"},
        "conditions[0](x)",
        "relay.mode",
    ),
    ({"scenario": "missing.yaml"}, "scenario", "not found"),
    ({"metrics": ["kg_teleported"]}, "metrics[0]", "unknown metric"),
    ({"name": "../../etc"}, "name", "pattern"),
]


@pytest.mark.parametrize(("change", "field", "problem"), BAD)
def test_bad_experiment_file_exits_2_with_one_clear_line(tmp_path, change, field, problem):
    path = write_experiment(tmp_path)
    doc = yaml.safe_load(path.read_text())
    doc.update(change)
    path.write_text(yaml.safe_dump(doc))
    res = cocair("experiment", path, "--out", tmp_path / "never")
    assert res.returncode == 2
    line = res.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in res.stderr
    assert str(path) in line and field in line and problem in line
    assert not (tmp_path / "never").exists()
