"""Reliability: interrupted and failing experiments, safe outputs, long runs."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.helpers import (
    CLASSROOM,
    COCAIR3,
    ROOT,
    cocair,
    cocair_command,
    cocair_with_broken_run,
    stored_count,
)

EXPORTS = ("runs.csv", "daily.csv", "summary.csv")
SHORT = {"calendar.days": 10, "calendar.operation_start": 2, "calendar.operation_days": 5}


def write_experiment(tmp_path: Path, replications: int, name: str = "rel") -> Path:
    doc = {
        "name": name,
        "scenario": str(CLASSROOM),
        "baseline": "none",
        "replications": replications,
        "base_seed": 7,
        "set": SHORT,
        "conditions": [
            {"name": "none", "set": {"relay.mode": "none"}},
            {"name": "hub", "set": {"relay.mode": "hub"}},
        ],
        "metrics": ["operation.kg_seized", "kg_shipped"],
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def stored_ids(store: Path) -> list[str]:
    """Stored run ids. A kill right after SQLite created the file leaves it without tables:
    nothing stored yet (a resumed experiment creates them)."""
    with sqlite3.connect(store, timeout=10) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "runs" not in tables:
            return []
        return [r[0] for r in db.execute("SELECT run_id FROM runs")]


def integrity(store: Path) -> str:
    with sqlite3.connect(store, timeout=10) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def same_exports(a: Path, b: Path) -> None:
    for name in EXPORTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run of the 80-run experiment every test here compares with."""
    tmp = tmp_path_factory.mktemp("reference")
    exp = write_experiment(tmp, replications=40)
    out = tmp / "out"
    res = cocair("experiment", exp, "--workers", 2, "--out", out, "--no-report")
    assert res.returncode == 0, res.stderr
    return exp, out


# -- interrupted work ------------------------------------------------------------------------


def test_kill_9_at_random_moments_then_resume_is_identical(tmp_path, reference):
    exp, ref = reference
    out = tmp_path / "killed"
    store = out / "store.sqlite"
    rng = random.Random(20110408)
    outcomes = []
    for attempt in range(10):
        proc = subprocess.Popen(
            cocair_command(
                "experiment", exp, "--workers", 2, "--out", out, "--no-report", "--resume"
            ),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # A random moment: early (start-up, the first commits) or after a random number of
        # further runs are stored, so every attempt dies mid-experiment however fast runs are.
        if rng.random() < 0.3:
            time.sleep(rng.uniform(0.05, 1.5))
        else:
            target = stored_count(store) + rng.randint(1, 6)
            deadline = time.time() + 60
            while proc.poll() is None and time.time() < deadline:
                if stored_count(store) >= target:
                    break
                time.sleep(0.01)
        finished = proc.poll() is not None
        if not finished:
            os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers at once
        proc.wait(timeout=60)
        outcomes.append("finished" if finished else "killed")
        if not store.exists():
            continue
        assert integrity(store) == "ok", attempt
        ids = stored_ids(store)
        assert len(ids) == len(set(ids)) <= 80
        if (out / "manifest.json").exists():  # looks finished only if it is
            assert len(ids) == 80
            same_exports(out, ref)
        else:
            assert not any((out / name).exists() for name in EXPORTS)
    assert outcomes.count("killed") >= 5, outcomes
    res = cocair("experiment", exp, "--workers", 2, "--out", out, "--resume", "--no-report")
    assert res.returncode == 0, res.stderr
    same_exports(out, ref)
    ids = stored_ids(store)
    assert len(ids) == len(set(ids)) == 80
    assert integrity(store) == "ok"
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(("how", "workers"), [("raise", 2), ("crash", 2), ("raise", 1)])
def test_failing_or_crashing_run_is_named_and_resume_completes(tmp_path, reference, how, workers):
    exp, ref = reference
    out = tmp_path / "out"
    bad = "p0-hub-r23"
    res = cocair_with_broken_run(
        bad, how, "experiment", exp, "--workers", workers, "--out", out, "--no-report"
    )
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    error_lines = [line for line in res.stderr.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and f"run {bad} failed" in error_lines[0], res.stderr
    ids = stored_ids(out / "store.sqlite")
    assert bad not in ids and len(ids) == len(set(ids)) >= 20  # finished runs are kept
    assert not (out / "manifest.json").exists()
    with (
        sqlite3.connect(out / "store.sqlite") as db,
        sqlite3.connect(ref / "store.sqlite") as ref_db,
    ):
        query = "SELECT run_id, metrics FROM runs"
        expected = dict(ref_db.execute(query).fetchall())
        for run_id, metrics in db.execute(query):
            assert json.loads(metrics) == json.loads(expected[run_id]), run_id
    res = cocair("experiment", exp, "--workers", 2, "--out", out, "--resume", "--no-report")
    assert res.returncode == 0, res.stderr
    same_exports(out, ref)


def test_continued_experiment_is_unfinished_until_manifest_is_rewritten(tmp_path, reference):
    exp, ref = reference
    out = tmp_path / "out"
    res = cocair("experiment", exp, "--workers", 1, "--out", out, "--no-report")
    assert res.returncode == 0 and (out / "manifest.json").exists()
    with sqlite3.connect(out / "store.sqlite") as db:  # lose some runs, as a crash would
        db.execute("DELETE FROM daily WHERE run_id LIKE 'p0-hub-r3%'")
        db.execute("DELETE FROM runs WHERE run_id LIKE 'p0-hub-r3%'")
    res = cocair_with_broken_run(
        "p0-hub-r35", "raise", "experiment", exp, "--workers", 1, "--out", out, "--resume",
        "--no-report",
    )  # fmt: skip
    assert res.returncode == 1 and "p0-hub-r35" in res.stderr
    assert not (out / "manifest.json").exists()  # removed before anything else was done
    assert not any((out / name).exists() for name in EXPORTS)  # no stale exports either
    res = cocair("experiment", exp, "--workers", 1, "--out", out, "--resume", "--no-report")
    assert res.returncode == 0, res.stderr
    same_exports(out, ref)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 80


def test_manifest_is_written_last_and_every_file_atomically(tmp_path, monkeypatch):
    """In process: record the order of the job's writes and check each goes through the
    temporary-file-then-rename writer."""
    from cocair_sim import run_experiment
    from cocair_sim.files import atomic

    path = write_experiment(tmp_path, replications=2)
    out = tmp_path / "out"
    written: list[str] = []
    real_replace = os.replace

    def spy_replace(src, dst):
        assert Path(src).name.startswith(f".{Path(dst).name}.") and str(src).endswith(".tmp")
        written.append(Path(dst).name)
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy_replace)
    run_experiment(path, out, report=False, workers=1)
    assert written[-1] == "manifest.json"
    assert set(EXPORTS) <= set(written)
    assert not list(out.glob(".*.tmp"))


def test_a_crash_while_writing_leaves_the_old_file_whole(tmp_path):
    from cocair_sim.files.atomic import atomic_write_csv

    path = tmp_path / "runs.csv"
    atomic_write_csv(path, ["a"], [[1], [2]])
    before = path.read_bytes()

    def rows():
        yield [3]
        raise KeyboardInterrupt  # interrupted half-way through the rows

    with pytest.raises(KeyboardInterrupt):
        atomic_write_csv(path, ["a"], rows())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["runs.csv"]


def test_run_outputs_are_published_whole(tmp_path):
    out = tmp_path / "run"
    res = cocair("run", CLASSROOM, "--days", 14, "--out", out, "--no-figures")
    assert res.returncode == 0, res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    import hashlib

    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# -- output safety ---------------------------------------------------------------------------


def test_force_never_replaces_a_folder_without_results(tmp_path, reference):
    exp, _ = reference
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    for args in (
        ("run", CLASSROOM, "--days", 14, "--out", precious, "--no-figures", "--force"),
        ("experiment", exp, "--out", precious, "--no-report", "--force"),
    ):
        res = cocair(*args)
        assert res.returncode == 2 and "does not hold cocair results" in res.stderr, res.stderr
        assert (precious / "thesis.tex").read_text() == "years of work"
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("keep")
    for args in (
        ("run", CLASSROOM, "--days", 14, "--out", ".", "--no-figures", "--force"),
        ("experiment", exp, "--out", ".", "--no-report", "--force"),
        ("experiment", exp, "--out", "..", "--no-report", "--force"),
    ):
        res = cocair(*args, cwd=work)
        assert res.returncode == 2 and "refusing to replace" in res.stderr, res.stderr
        assert (work / "notes.txt").read_text() == "keep"


def test_existing_results_need_resume_or_force(tmp_path, reference):
    exp, ref = reference
    run_out = tmp_path / "run"
    assert cocair("run", CLASSROOM, "--days", 14, "--out", run_out, "--no-figures").returncode == 0
    before = (run_out / "summary.json").read_bytes()
    res = cocair("run", CLASSROOM, "--days", 14, "--seed", 3, "--out", run_out, "--no-figures")
    assert res.returncode == 2 and "--force" in res.stderr
    assert (run_out / "summary.json").read_bytes() == before
    res = cocair(
        "run", CLASSROOM, "--days", 14, "--seed", 3, "--out", run_out, "--no-figures", "--force"
    )
    assert res.returncode == 0 and (run_out / "summary.json").read_bytes() != before
    exp_out = tmp_path / "exp"
    exp_out.mkdir()
    (exp_out / "store.sqlite").write_bytes((ref / "store.sqlite").read_bytes())
    res = cocair("experiment", exp, "--out", exp_out, "--no-report")
    assert res.returncode == 2 and "--resume" in res.stderr
    res = cocair("experiment", exp, "--workers", 1, "--out", exp_out, "--no-report", "--force")
    assert res.returncode == 0, res.stderr
    same_exports(exp_out, ref)


def test_damaged_results_folder_is_refused_not_trusted(tmp_path, reference):
    exp, _ = reference
    out = tmp_path / "out"
    out.mkdir()
    (out / "store.sqlite").write_bytes(b"\x80\x04\x95 not a database, maybe a pickle" * 100)
    res = cocair("experiment", exp, "--out", out, "--resume", "--no-report")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "store.sqlite" in res.stderr
    (out / "manifest.json").write_text("cos\nsystem\n(S'touch PWNED'\ntR.")  # a pickle
    res = cocair("report", out, cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert not (tmp_path / "PWNED").exists()


# -- long runs -------------------------------------------------------------------------------


@pytest.mark.slow
def test_365_day_runs_keep_the_mass_balance(tmp_path):
    out = tmp_path / "year"
    res = cocair("run", CLASSROOM, "--days", 365, "--out", out, "--no-figures")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["days"] == 365
    assert s["kg_shipped"] == pytest.approx(
        s["kg_seized"] + s["kg_delivered"] + s["kg_in_transit"], abs=1e-3
    )
    from cocair_sim.model.model import CocairModel
    from cocair_sim.scenario import load_scenario

    model = CocairModel(load_scenario(COCAIR3, {"calendar.days": 365}), seed=1).run()
    assert model.steps == 365
    model.check_mass_balance()  # also checked after every day of the run
    c = model.counts
    assert c["shipped_g"] == c["seized_g"] + c["delivered_g"] + model.in_transit_g


def _rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@pytest.mark.slow
def test_2000_run_experiment_has_bounded_memory(tmp_path):
    exp = write_experiment(tmp_path, replications=1000, name="big")
    out = tmp_path / "big-out"
    store = out / "store.sqlite"
    proc = subprocess.Popen(
        cocair_command("experiment", exp, "--workers", 2, "--out", out, "--no-report"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    at_quarter = at_end = None
    deadline = time.time() + 300
    while proc.poll() is None and time.time() < deadline:
        n = stored_count(store)
        rss = _rss_kb(proc.pid)
        if rss is not None:
            if at_quarter is None and n >= 500:
                at_quarter = rss
            if at_end is None and n >= 2000:  # all runs stored; the exports start now
                at_end = rss
        time.sleep(0.05)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert len(set(stored_ids(store))) == 2000
    assert at_quarter is not None and at_end is not None
    growth_mb = (at_end - at_quarter) / 1024
    assert growth_mb < 30, f"parent RSS grew {growth_mb:.1f} MB from 25 % to 100 % of runs"
    # Not asserted: the exports afterwards (tables.write_tables) hold daily.csv in memory.
    assert len((out / "runs.csv").read_text().splitlines()) == 2001


def test_csv_exports_are_streamed_not_built_in_memory(tmp_path):
    """daily.csv of a big experiment is written row by row: memory does not grow with rows."""
    import tracemalloc

    from cocair_sim.files.atomic import atomic_write_csv

    def rows(n):
        for i in range(n):
            yield [f"p0-hub-r{i}", "hub", i, 0.123456, 98.7654321, "x" * 40]

    tracemalloc.start()
    atomic_write_csv(tmp_path / "big.csv", ["a", "b", "c", "d", "e", "f"], rows(300_000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = (tmp_path / "big.csv").stat().st_size
    assert size > 20_000_000  # ~25 MB written ...
    assert peak < 2_000_000  # ... with under 2 MB of Python memory at any time


def test_exports_appear_together_and_only_when_all_are_written(tmp_path):
    """The experiment's exports and manifest are published together at the end (the kill test
    above relies on it): inside the block nothing is visible, a failure leaves nothing."""
    from cocair_sim.files.atomic import atomic_write_text, published_together, written_file

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    with published_together():
        atomic_write_text(a, "1")
        assert not a.exists() and written_file(a).read_text() == "1"
        atomic_write_text(b, "2")
        assert not b.exists()
    assert a.read_text() == "1" and b.read_text() == "2"
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(RuntimeError), published_together():
        atomic_write_text(tmp_path / "c.csv", "3")
        raise RuntimeError("killed half way")
    assert not (tmp_path / "c.csv").exists()
    assert not list(tmp_path.glob(".*.tmp"))
