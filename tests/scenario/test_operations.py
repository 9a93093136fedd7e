"""The operations as they were: each shipped operation scenario carries its dates, length,
network, participants and coordination from the sources, and its estimated values are the
COCAIR III posterior's, as its header says."""

from __future__ import annotations

import csv
import datetime
import subprocess
import sys

import numpy as np
import pytest
import yaml

from cocair_sim.scenario import load_scenario
from cocair_sim.scenario.updates import value_at
from tests.helpers import EXPERIMENTS, ROOT, SCENARIOS

# From docs/sources/FACTS.md: first day, days, and the hub's airport.
OPERATIONS = {
    "cocair3.yaml": (datetime.date(2011, 11, 28), 7, "DKR"),
    "cocair4.yaml": (datetime.date(2013, 10, 26), 9, "BRU"),
    "cocair5.yaml": (datetime.date(2015, 12, 5), 9, "BRU"),
}


@pytest.fixture(scope="module")
def operations():
    return {name: load_scenario(SCENARIOS / name) for name in OPERATIONS}


def test_each_operation_has_its_dates_length_and_coordination(operations):
    for name, (first, days, hub) in OPERATIONS.items():
        cal = operations[name].calendar
        assert cal.operation_date == first and cal.operation_days == days, name
        assert cal.date_of(cal.operation_start + days - 1) == first + datetime.timedelta(days - 1)
        assert operations[name].relay.hub_airport == hub, name


def test_each_operation_flies_its_years_routes(operations):
    def routes(name):
        return {(link.origin, link.destination) for link in operations[name].links}

    casablanca, lome = ("GRU", "CMN"), ("GRU", "LFW")
    assert lome not in routes("cocair3.yaml") and casablanca not in routes("cocair3.yaml")
    assert lome in routes("cocair4.yaml") and casablanca not in routes("cocair4.yaml")
    assert lome in routes("cocair5.yaml") and casablanca in routes("cocair5.yaml")


def test_no_two_operations_differ_only_in_what_they_published(operations):
    def world(spec):
        return spec.model_dump(mode="json", exclude={"name", "description", "published"})

    names = list(operations)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert world(operations[a]) != world(operations[b]), (a, b)


def test_the_later_operations_are_written_from_cocair3():
    """cocair4, cocair5 and network2014 are cocair3's world in another year: the files are
    what scripts/operation_scenarios.py writes from cocair3.yaml now."""
    res = subprocess.run(
        [sys.executable, "scripts/operation_scenarios.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(0.5, cum, v))


def test_values_named_as_the_cocair3_posteriors_are_its_weighted_medians(operations):
    """Every calibrated field of each operation scenario (its header says they are the COCAIR
    III posterior's) equals that posterior's weighted median, as the scenario writes numbers
    (three significant figures, whole numbers for integer fields)."""
    calibration = yaml.safe_load((EXPERIMENTS / "calibration.yaml").read_text())
    with open(EXPERIMENTS / "posteriors" / "cocair3.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    weights = np.array([float(r["weight"]) for r in rows])
    checked = 0
    for parameter in calibration["parameters"]:
        median = _weighted_median(np.array([float(r[parameter["path"]]) for r in rows]), weights)
        expected = round(median) if parameter.get("integer") else float(f"{median:.3g}")
        for name, spec in operations.items():
            for path in [parameter["path"], *parameter.get("also", [])]:
                assert value_at(spec, path) == pytest.approx(expected, rel=1e-9), (name, path)
                checked += 1
    assert checked >= 3 * len(calibration["parameters"])
