"""The opening screen of an experiment report, for policy staff: plain sentences, numbers rounded
to what the runs support, one figure; and what a calibration's surface adds to it."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from cocair_sim.files.calibration_results import (
    SURFACE_COLUMNS,
    CalibrationResults,
    SurfaceGrid,
    read_results,
)
from cocair_sim.report.glance import evidence_sentences, rounded
from cocair_sim.scenario import load_scenario
from tests.helpers import CLASSROOM, COCAIR3, EXPERIMENTS, cocair, hub_against_none

SHIPPED_SURFACE = EXPERIMENTS / "posteriors" / "cocair3" / "surface.csv"


@pytest.mark.parametrize(
    ("value", "half", "text"),
    [(19.83, 3.5, "20"), (2.234, 0.31, "2.2"), (-0.04, 1.2, "0"), (1234.5, 420, "1,200")],
)
def test_numbers_keep_the_digits_their_interval_supports(value, half, text):
    assert rounded(value, half) == text


def _experiment(folder, scenario, **extra):
    return hub_against_none(folder, "glance", scenario, replications=8, **extra)


def _opening(report_md: str) -> str:
    return report_md.split("## At a glance")[1].split("## For analysts")[0]


def test_a_report_opens_in_plain_words_with_one_figure(tmp_path):
    out = tmp_path / "out"
    res = cocair("experiment", _experiment(tmp_path, CLASSROOM), "--out", out, "--workers", 2)
    assert res.returncode == 0, res.stderr
    opening = _opening((out / "report.md").read_text())
    # Modes in words, no quoted condition names, no dotted parameter paths, no p-values.
    assert "coordination hub (OCU)" in opening and "no relay" in opening
    assert "'hub'" not in opening and "relay.mode" not in opening and "p =" not in opening
    assert "Single weeks vary" in opening
    assert opening.count("![") == 1 and "figures/week_differences.png" in opening
    # No number with more digits than its interval supports: nothing like 12.34 kg.
    assert not re.search(r"\d+\.\d{2,} kg", opening), opening
    html = (out / "report.html").read_text()
    assert html.index('id="fig-week_differences"') < html.index("For analysts")


def test_a_calibrations_surface_says_what_the_figures_do_not_determine(tmp_path):
    out = tmp_path / "out"
    surface = str(SHIPPED_SURFACE)
    path = _experiment(tmp_path, COCAIR3, surface=surface)
    res = cocair("experiment", path, "--out", out, "--workers", 2)
    assert res.returncode == 0, res.stderr
    opening = _opening((out / "report.md").read_text())
    assert "published figures do not determine the hub's effect" in opening
    assert "depends most on" in opening and "alert raises" in opening
    assert "figures/surface.png" in opening and opening.count("![") == 1
    html = (out / "report.html").read_text()
    assert 'id="fig-surface"' in html and 'id="fig-week_differences"' in html


def _grid(mean: np.ndarray) -> SurfaceGrid:
    x = np.array([1.5, 3.0, 6.0, 12.0])
    y = np.array([0.5, 1.5, 2.5, 3.5])
    mass = np.full(mean.shape, 1 / mean.size)
    return SurfaceGrid("effect:hub-none:operation.kg_seized_participants",
                       "relay.targeting_uplift", "relay.controls_per_alert", x, y, mean,
                       np.zeros_like(mean), mass)  # fmt: skip


def test_where_the_hub_stops_paying_off_is_said_in_words():
    # The hub loses where the uplift is low and alerts use many controls (bottom right of y).
    uplift = np.array([1.5, 3.0, 6.0, 12.0])[None, :]
    controls = np.array([0.5, 1.5, 2.5, 3.5])[:, None]
    mean = 4 * np.log(uplift) - 3 * controls
    effects = [{"prior": "vague (the calibration's priors)", "q05": "-9", "q25": "-3",
                "q50": "1", "q75": "5", "q95": "9", "share_positive": "0.55"}]  # fmt: skip
    drivers = [{"parameter": "relay.targeting_uplift", "spearman_rho": "0.6", "narrowing": "0.97"}]
    results = CalibrationResults(SHIPPED_SURFACE.parent, [_grid(mean)], effects, [], drivers)
    words = " ".join(evidence_sentences(None, results, load_scenario(COCAIR3)))
    assert "do not determine" in words and "about 45 %" in words
    assert re.search(r"alert raises a matching passenger's chance of control is low and "
                     r"controls a day each active alert uses .* high", words), words  # fmt: skip
    positive = CalibrationResults(SHIPPED_SURFACE.parent, [_grid(np.abs(mean) + 1)],
                                  [{**effects[0], "share_positive": "1"}], [], drivers)  # fmt: skip
    words = " ".join(evidence_sentences(None, positive, load_scenario(COCAIR3)))
    assert "about 0 %" in words and "stops paying off" not in words


def test_a_bad_surface_file_exits_2_naming_it(tmp_path):
    bad = tmp_path / "surface.csv"
    with open(bad, "w", newline="") as fh:
        csv.writer(fh).writerow(["effect", "x"])
    res = cocair("experiment", _experiment(tmp_path, CLASSROOM, surface="surface.csv"))
    assert res.returncode == 2 and "surface" in res.stderr and "Traceback" not in res.stderr
    assert "x_parameter" in res.stderr
    res = cocair("experiment", _experiment(tmp_path, CLASSROOM, surface="missing.csv"))
    assert res.returncode == 2 and "file not found: missing.csv" in res.stderr


def test_the_shipped_surface_reads_back_as_written():
    results = read_results(SHIPPED_SURFACE, "x", "surface")
    grid = results.surfaces[0]
    assert grid.x_name == "relay.targeting_uplift" and grid.mean.shape == (8, 8)
    assert grid.mass.sum() == pytest.approx(1.0, abs=1e-3)
    assert {"vague (the calibration's priors)"} <= {e["prior"] for e in results.effects}
    with open(SHIPPED_SURFACE, newline="") as fh:
        assert tuple(next(csv.reader(fh))) == SURFACE_COLUMNS
