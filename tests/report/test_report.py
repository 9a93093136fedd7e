"""Figures and the policy report of experiments (and the figures of `cocair run`)."""

from __future__ import annotations

import json
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.browser import artifacts_dir, free_port
from tests.helpers import CLASSROOM, cocair

EXPERIMENT_FIGURES = [
    "timeseries",
    "paired_differences",
    "kg_flows",
    "map",
    "displacement",
    "alerts",
]
RUN_FIGURES = ["flows", "seizures_by_airport", "map", "displacement"]
METRICS = ["operation.kg_seized", "operation.seizures", "operation.alert_hits", "kg_seized"]


def _experiment(tmp: Path, name: str, sweep: bool) -> Path:
    spec = {
        "name": name,
        "description": "test experiment",
        "scenario": str(CLASSROOM),
        "baseline": "none",
        "replications": 6,
        "base_seed": 7,
        "conditions": [
            {"name": "none", "description": "no relay", "set": {"relay.mode": "none"}},
            {"name": "hub", "description": "relay through the hub", "set": {"relay.mode": "hub"}},
        ],
        "metrics": METRICS,
    }
    if sweep:
        spec["sweep"] = [{"parameter": "relay.hub_latency_hours", "values": [1, 24, 96]}]
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    out = tmp / f"{name}_results"
    res = cocair("experiment", path, "--replications", 6, "--workers", 1, "--out", out)
    assert res.returncode == 0, res.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    return _experiment(tmp_path_factory.mktemp("plain"), "plain", sweep=False)


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    return _experiment(tmp_path_factory.mktemp("swept"), "swept", sweep=True)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _check_images(folder: Path, names: list[str]) -> None:
    for name in names:
        png, svg = folder / f"{name}.png", folder / f"{name}.svg"
        assert png.exists() and svg.exists(), name
        w, h = _png_size(png)
        assert w >= 600 and h >= 400, (name, w, h)
        assert png.stat().st_size > 10_000, name
        text = svg.read_text()
        assert "<svg" in text[:2000] and text.rstrip().endswith("</svg>"), name


def _in_process_figures(out: Path, folder: Path):
    from cocair_sim.experiment.spec import load_experiment
    from cocair_sim.experiment.store import Store
    from cocair_sim.experiment.tables import summary_rows
    from cocair_sim.report.jobs import experiment_figures

    manifest = json.loads((out / "manifest.json").read_text())
    exp = load_experiment(manifest["experiment_file"], replications=manifest["replications"])
    with Store(out / "store.sqlite") as store:
        summary = summary_rows(exp, store)
        return exp, experiment_figures(exp, store, summary, folder)


def test_experiment_figures_written(plain):
    _check_images(plain / "figures", EXPERIMENT_FIGURES)
    assert not (plain / "figures" / "sweep.png").exists()


def test_sweep_figures_written(swept):
    _check_images(swept / "figures", [*EXPERIMENT_FIGURES, "sweep"])
    html = (swept / "report.html").read_text()
    assert "Across the sweep" in html and "relay.hub_latency_hours" in html


def test_paired_difference_data_matches_summary_csv(plain, tmp_path):
    _exp, figs = _in_process_figures(plain, tmp_path / "figs")
    paired = next(f for f in figs if f.name == "paired_differences")
    summary = pd.read_csv(plain / "summary.csv")
    expected = summary[summary["condition"] != "none"].set_index(["metric", "condition"])
    data = paired.data.set_index(["metric", "condition"])
    assert sorted(data.index) == sorted(expected.index)
    for col in ("rel_change", "rel_ci_low", "rel_ci_high", "wilcoxon_p"):
        got = data.loc[expected.index, col].to_numpy(dtype=float)
        np.testing.assert_allclose(got, expected[col].to_numpy(dtype=float), atol=1e-6)
    assert {f.name for f in figs} == set(EXPERIMENT_FIGURES)
    for f in figs:
        assert f.title and f.caption and f.png.exists() and f.svg.exists()


FINDING = re.compile(
    r"^- Condition '(?P<cond>[^']+)'.*? (?:raised|lowered|made no significant difference to) "
    r"(?P<label>.+?) (?:by [\d.]+ % )?compared with '(?P<base>[^']+)' \(change (?P<rel>-?[\d.]+) "
    r"%, 95 % CI (?P<lo>-?[\d.]+) % to (?P<hi>-?[\d.]+) %, Wilcoxon p (?P<op>[=<]) "
    r"(?P<p>[\d.e-]+), (?P<n>\d+) paired replications; mean (?P<mean>[-\d.,]+) vs"
)


def test_report_numbers_match_summary_csv(plain):
    from cocair_sim.model.metrics import metric_label

    md = (plain / "report.md").read_text()
    summary = pd.read_csv(plain / "summary.csv")
    labels = {metric_label(m): m for m in METRICS}
    found = [m for line in md.splitlines() if (m := FINDING.match(line))]
    assert len(found) == len(METRICS), md
    for m in found:
        row = summary[(summary["metric"] == labels[m["label"]]) & (summary["condition"] == "hub")]
        assert len(row) == 1
        row = row.iloc[0]
        assert m["base"] == "none" and m["cond"] == "hub"
        assert float(m["rel"]) == pytest.approx(100 * row["rel_change"], abs=0.051)
        assert float(m["lo"]) == pytest.approx(100 * row["rel_ci_low"], abs=0.051)
        assert float(m["hi"]) == pytest.approx(100 * row["rel_ci_high"], abs=0.051)
        if m["op"] == "<":
            assert row["wilcoxon_p"] < 0.0001
        else:
            assert float(m["p"]) == pytest.approx(row["wilcoxon_p"], rel=0.05)
        assert int(m["n"]) == row["n"]
        assert float(m["mean"].replace(",", "")) == pytest.approx(row["mean"], rel=0.01)
        significant = row["wilcoxon_p"] < 0.05 and (
            row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0
        )
        assert ("no significant difference" not in m.group(0)) == significant
    html = (plain / "report.html").read_text()
    assert "Assumptions that matter" in html and "docs/ODD.md" in html
    assert "<table>" in html and "http://" not in html and "https://" not in html
    assert html.count('src="data:image/png;base64,') == len(EXPERIMENT_FIGURES)
    for name in EXPERIMENT_FIGURES:
        assert f"figures/{name}.png" in md


def test_report_command_is_reproducible(plain):
    before = (plain / "report.md").read_text()
    res = cocair("report", plain)
    assert res.returncode == 0, res.stderr[-3000:]
    after = (plain / "report.md").read_text()
    # The rerun adds the manifest line (absent while the experiment was finishing).
    strip = [line for line in after.splitlines() if not line.startswith("- Manifest:")]
    assert strip == before.splitlines()


def test_run_figures_offline(monkeypatch, tmp_path):
    from cocair_sim.model.model import CocairModel
    from cocair_sim.report.draw.run import run_figures
    from cocair_sim.scenario import load_scenario

    def refuse(*_a, **_k):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    model = CocairModel(load_scenario(CLASSROOM), seed=3).run()
    figs = run_figures(model, tmp_path / "figures")
    assert [f.name for f in figs] == RUN_FIGURES
    _check_images(tmp_path / "figures", RUN_FIGURES)
    map_data = next(f for f in figs if f.name == "map").data
    assert sum(map_data["kg_seized"].values()) == pytest.approx(model.value("kg_seized"), rel=1e-6)


def test_cocair_run_writes_figures(tmp_path):
    out = tmp_path / "run"
    res = cocair("run", CLASSROOM, "--out", out)
    assert res.returncode == 0, res.stderr[-3000:]
    _check_images(out / "figures", RUN_FIGURES)


@pytest.mark.browser
def test_report_html_renders_in_chromium(plain, local_page):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=plain,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/report.html", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        page, log = local_page()
        page.goto(f"http://127.0.0.1:{port}/report.html")
        page.wait_for_load_state("load")
        widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
        assert len(widths) == len(EXPERIMENT_FIGURES)
        assert all(w > 0 for w in widths), widths
        shot = artifacts_dir() / "report.png"
        page.screenshot(path=str(shot), full_page=False)
        assert not log.problems(), log.problems()
    finally:
        server.terminate()
        server.wait(timeout=10)
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[0] > 100 and float(pixels[..., :3].std()) > 0.02
