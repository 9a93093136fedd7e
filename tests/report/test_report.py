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

from cocair_sim.classroom.browser import free_port
from cocair_sim.report.registry import figures
from tests.browser import artifacts_dir
from tests.helpers import CLASSROOM, cocair


def figures_for(sweeps: int, surface: bool = False) -> list[str]:
    """The registered figures an experiment with `sweeps` swept parameters (and a calibration's
    surface, or not) has, in order."""
    return [
        name
        for name, spec in figures().items()
        if spec.min_sweeps <= sweeps and (surface or not spec.needs_surface)
    ]


EXPERIMENT_FIGURES = figures_for(0)
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
    from matplotlib.image import imread

    for name in names:
        png, svg = folder / f"{name}.png", folder / f"{name}.svg"
        assert png.exists() and svg.exists(), name
        w, h = _png_size(png)
        assert w >= 600 and h >= 400, (name, w, h)
        # Something is drawn: many pixels are neither the background nor one flat colour.
        pixels = imread(png)[..., :3]
        assert float(pixels.std()) > 0.05, name
        assert (pixels.min(axis=-1) < 0.9).mean() > 0.01, name
        text = svg.read_text()
        assert "<svg" in text[:2000] and text.rstrip().endswith("</svg>"), name
        assert text.count("<path") + text.count("<use") > 20, name


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
    _check_images(swept / "figures", figures_for(1))
    assert figures_for(1) != EXPERIMENT_FIGURES
    html = (swept / "report.html").read_text()
    assert "Across the sweep" in html and "relay.hub_latency_hours" in html


def test_paired_difference_figure_shows_the_paired_differences_of_runs_csv(plain, tmp_path):
    """The figure's numbers, recomputed here from the runs themselves (runs.csv) with numpy and
    scipy: the relative change is the mean paired difference over the baseline's mean, the p
    value the Wilcoxon signed-rank test of the replicates' differences."""
    from scipy.stats import wilcoxon

    _exp, figs = _in_process_figures(plain, tmp_path / "figs")
    paired = next(f for f in figs if f.name == "paired_differences")
    runs = pd.read_csv(plain / "runs.csv")
    hub = runs[runs["condition"] == "hub"].set_index("replicate").sort_index()
    none = runs[runs["condition"] == "none"].set_index("replicate").sort_index()
    data = paired.data.set_index(["metric", "condition"])
    assert sorted(data.index) == sorted(("hub", m)[::-1] for m in METRICS)
    for metric in METRICS:
        diff = (hub[metric] - none[metric]).to_numpy(dtype=float)
        row = data.loc[(metric, "hub")]
        if none[metric].mean():
            assert row["rel_change"] == pytest.approx(diff.mean() / none[metric].mean())
        if np.count_nonzero(diff) >= 2:
            assert row["wilcoxon_p"] == pytest.approx(wilcoxon(diff).pvalue)
        assert row["rel_ci_low"] <= row["rel_change"] <= row["rel_ci_high"]
    assert [f.name for f in figs] == EXPERIMENT_FIGURES
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


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_cocair_report_writes_exactly_what_the_experiment_wrote(plain):
    before = _files(plain)
    (plain / "report.html").unlink()
    for figure in (plain / "figures").iterdir():
        figure.unlink()
    res = cocair("report", plain)
    assert res.returncode == 0, res.stderr[-3000:]
    after = _files(plain)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    assert changed in ([], ["store.sqlite-shm"]), changed  # SQLite's own index of the WAL
    assert "report.html" in after and "figures/map.png" in after


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
