"""A small calibration of the classroom scenario, written on the fly for each test."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers import CLASSROOM

# Outside the operation, at participating airports, the classroom scenario's cases and kg grow
# with the customs capacity; with no relay outside the operation, the targeting uplift cannot
# matter: the calibration should pin the capacity down and leave the uplift as uncertain as its
# prior. A short calendar keeps the table quick.
SMALL = {
    "name": "small",
    "scenario": str(CLASSROOM),
    "parameters": [
        {
            "path": "customs_defaults.capacity_per_day",
            "integer": True,
            "prior": {"low": 2, "high": 60},
            "source": "[EST] test",
        },
        {
            "path": "relay.targeting_uplift",
            "prior": {"distribution": "loguniform", "low": 1, "high": 20},
            "source": "[EST] test",
        },
        {
            "path": "relay.controls_per_alert",
            "prior": {"low": 0.5, "high": 6},
            "source": "[EST] test",
        },
    ],
    "targets": [
        {
            "name": "kg",
            "statistic": "kg",
            "window": "baseline",
            "value": 22.6,
            "uncertainty": {"sd": 0.3},
            "source": "test",
        },
        {
            "name": "cases",
            "statistic": "cases",
            "window": "baseline",
            "value": 7.3,
            "uncertainty": {"sd": 0.15},
            "source": "test",
        },
    ],
    "set": {"calendar.days": 14, "calendar.operation_start": 7, "calendar.operation_days": 5},
    "draws": 600,
    "accept": 0.1,
    "sbc_datasets": 100,
    "evidence": [
        {
            "name": "test_hit_rate",
            "observable": "alert_hit_rate",
            "low": 0.03,
            "high": 0.31,
            "source": "test",
            "limits": "test",
        }
    ],
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
