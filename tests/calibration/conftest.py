"""A small calibration of the classroom scenario, written on the fly for each test."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers import CLASSROOM

# Outside the operation, at participating airports, the classroom scenario gives about 26 kg in
# 7 cases at a capacity of 30 controls a day (3 cases at 10, 16 at 90; 20 seeds each). With no
# relay outside the operation, the targeting uplift cannot matter: the calibration should pin
# the capacity down and leave the uplift as uncertain as its prior.
SMALL = {
    "name": "small",
    "scenario": str(CLASSROOM),
    "parameters": [
        {
            "path": "customs_defaults.capacity_per_day",
            "integer": True,
            "prior": {"low": 2, "high": 120},
            "source": "[EST] test",
        },
        {
            "path": "relay.targeting_uplift",
            "prior": {"distribution": "loguniform", "low": 1, "high": 20},
            "source": "[EST] test",
        },
    ],
    "targets": [
        {
            "name": "kg",
            "statistic": "kg",
            "window": "baseline",
            "value": 26,
            "uncertainty": {"sd": 0.3},
            "source": "test",
        },
        {
            "name": "cases",
            "statistic": "cases",
            "window": "baseline",
            "value": 7.4,
            "uncertainty": {"sd": 0.15},
            "source": "test",
        },
    ],
    "population_size": 40,
    "max_generations": 3,
    "predictive_draws": 20,
    "base_seed": 5,
}


@pytest.fixture
def small_calibration(tmp_path):
    def write(**changes):
        doc = {**SMALL, **changes}
        path = tmp_path / f"{doc['name']}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        return path

    return write
