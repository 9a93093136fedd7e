"""`cocair run`, `check` and `schema` end to end, through the installed console script."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
import yaml

from cocair_sim.model.metrics import operation_metrics, whole_run_metrics
from tests.helpers import ROOT, cocair, cocair_command


def test_run_writes_outputs_and_is_byte_identical(tmp_path, classroom_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        res = cocair(
            "run", classroom_path, "--seed", 5, "--relay", "hub", "--out", out, "--no-figures"
        )
        assert res.returncode == 0, res.stderr
    for name in ("summary.json", "daily.csv", "events.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    summary = json.loads((a / "summary.json").read_text())
    assert summary.keys() >= {m.name for m in whole_run_metrics()} | {"operation"}
    assert summary["operation"].keys() == {m.name for m in operation_metrics()}
    assert summary["kg_seized"] > 0 and summary["operation"]["seizures"] > 0
    assert summary["relay_mode"] == "hub" and summary["seed"] == 5
    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["versions"]["mesa"] == "3.5.1"
    assert len(manifest["scenario_sha256"]) == 64
    assert "seizure cases" in res.stdout  # the summary table


def test_run_refuses_to_overwrite(tmp_path, classroom_path):
    out = tmp_path / "r"
    assert cocair("run", classroom_path, "--out", out, "--no-figures").returncode == 0
    res = cocair("run", classroom_path, "--out", out, "--no-figures")
    assert res.returncode == 2 and "--force" in res.stderr
    assert cocair("run", classroom_path, "--out", out, "--no-figures", "--force").returncode == 0


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--set", "relay.hub_latency_hours=-3"], "relay.hub_latency_hours"),
        (["--set", "relay.mode=sometimes"], "relay.mode"),
        (["--set", "nonsense"], "expected path=value"),
        (["--set", "relay.hub_latncy=3"], "unknown field"),
    ],
)
def test_bad_override_exits_2_without_traceback(tmp_path, classroom_path, args, expect):
    out = tmp_path / "never"
    res = cocair("run", classroom_path, *args, "--out", out)
    assert res.returncode == 2
    assert expect in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_bad_scenario_file_exits_2_naming_file_and_field(tmp_path, classroom_raw):
    classroom_raw["organisations"][0]["couriers_per_wek"] = 3
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(classroom_raw))
    res = cocair("run", path, "--out", tmp_path / "o")
    assert res.returncode == 2
    assert str(path) in res.stderr and "couriers_per_wek" in res.stderr
    assert "Traceback" not in res.stderr
    res = cocair("check", path)
    assert res.returncode == 2 and "unknown field" in res.stderr


def test_check_and_schema(classroom_path):
    res = cocair("check", classroom_path)
    assert res.returncode == 0 and "valid scenario" in res.stdout
    res = cocair("schema", "scenario")
    schema = json.loads(res.stdout)
    assert schema["title"] == "cocair-sim scenario"
    res = cocair("check", "experiments/calibration.yaml")
    assert res.returncode == 0 and "valid calibration" in res.stdout
    schema = json.loads(cocair("schema", "calibration").stdout)
    assert schema["title"] == "cocair-sim calibration" and "targets" in schema["properties"]


def test_interrupted_run_leaves_nothing_that_looks_complete(tmp_path, cocair3_path):
    """Kill the process mid-run: no output folder appears (it is published by one rename)."""
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        cocair_command("run", cocair3_path, "--days", 3650, "--out", out, "--no-figures"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill once the run has started writing its staging folder, or after 2 s at the latest.
    deadline = time.time() + 2.0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not out.exists()
    visible = [p for p in tmp_path.rglob("*") if not any(x.startswith(".") for x in p.parts)]
    assert not any(p.name == "summary.json" for p in visible)
