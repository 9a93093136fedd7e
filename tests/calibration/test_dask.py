"""Reference tables and experiments on a real Dask cluster (a LocalCluster of worker
processes): the same rows as on this machine, and no run lost or duplicated when a worker is
killed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time

import numpy as np
import pytest
import yaml

from cocair_sim import run_experiment, run_table
from cocair_sim.calibration.table import load_table
from tests.calibration.conftest import SMALL
from tests.helpers import CLASSROOM, read_csv

pytestmark = [pytest.mark.dask, pytest.mark.slow]


@pytest.fixture
def cluster():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=50,
        ) as c,
        Client(c) as client,
    ):
        yield c, client


def _kill_one_worker(client) -> None:
    pids = client.run(os.getpid)
    os.kill(next(iter(pids.values())), signal.SIGKILL)


def _write(folder, **changes):
    path = folder / "cal.yaml"
    path.write_text(yaml.safe_dump({**SMALL, **changes}, sort_keys=False))
    return path


def test_a_reference_table_on_dask_is_the_local_table(tmp_path, cluster):
    c, _ = cluster
    path = _write(tmp_path, draws=120)
    local = run_table(path, tmp_path / "local", workers=1)
    dask = run_table(path, tmp_path / "dask", scheduler=c.scheduler_address)
    np.testing.assert_array_equal(load_table(dask).data, load_table(local).data)
    manifest = json.loads((dask / "manifest.json").read_text())
    assert manifest["backend"] == "dask"


def _stored(db_path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM draws").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_reference_table_survives_a_killed_worker(tmp_path, cluster):
    c, client = cluster
    path = _write(tmp_path, draws=150)
    reference = run_table(path, tmp_path / "reference", workers=1)
    out = tmp_path / "out"
    result: dict = {}
    job = threading.Thread(
        target=lambda: result.update(r=run_table(path, out, scheduler=c.scheduler_address))
    )
    job.start()
    deadline = time.monotonic() + 120
    while _stored(out / "store.sqlite") < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.is_alive(), "the table was finished before a worker could be killed"
    _kill_one_worker(client)
    job.join(600)
    assert "r" in result
    assert _stored(out / "store.sqlite") == 150  # nothing lost, nothing stored twice
    np.testing.assert_array_equal(load_table(out).data, load_table(reference).data)


def test_an_experiment_survives_a_killed_worker(tmp_path, cluster):
    c, client = cluster
    doc = {
        "name": "killed_worker",
        "scenario": str(CLASSROOM),
        "baseline": "none",
        "replications": 40,
        "conditions": [
            {"name": "none", "set": {"relay.mode": "none"}},
            {"name": "hub", "set": {"relay.mode": "hub"}},
        ],
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(doc))
    reference = run_experiment(path, tmp_path / "reference", workers=1, report=False)
    out = tmp_path / "dask"
    done: dict = {}
    job = threading.Thread(
        target=lambda: done.update(
            r=run_experiment(path, out, scheduler=c.scheduler_address, report=False)
        )
    )
    job.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(out / "store.sqlite", timeout=5) as db:
                if db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] >= 5:
                    break
        except sqlite3.Error:
            pass
        time.sleep(0.02)
    assert job.is_alive(), "the experiment ended before a worker could be killed"
    _kill_one_worker(client)
    job.join(600)
    assert "r" in done
    rows = read_csv(out / "runs.csv")
    assert len(rows) == 80 and len({r["run_id"] for r in rows}) == 80
    assert (out / "runs.csv").read_bytes() == (reference.out / "runs.csv").read_bytes()
