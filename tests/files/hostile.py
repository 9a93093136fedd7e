"""Hostile and broken inputs shared by the tests of input handling."""

from __future__ import annotations

import yaml

from cocair_sim.errors import InputError
from tests.helpers import CLASSROOM

CLASSROOM_RAW = yaml.safe_load(CLASSROOM.read_text())
CLASSROOM_TEXT = CLASSROOM.read_text()

BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def experiment_doc():
    return {
        "name": "fuzz",
        "scenario": str(CLASSROOM),
        "replications": 2,
        "base_seed": 1,
        "set": {"calendar.days": 10, "calendar.operation_start": 2, "calendar.operation_days": 5},
        "conditions": [
            {"name": "none", "set": {"relay.mode": "none"}},
            {"name": "hub", "set": {"relay.mode": "hub"}},
        ],
        "sweep": [{"parameter": "relay.hub_latency_hours", "values": [1, 24]}],
        "metrics": ["operation.kg_seized", "kg_shipped"],
    }


def assert_one_line_naming(err: InputError, source: str) -> None:
    msg = err.message
    assert len(msg.splitlines()) == 1, msg
    assert source in msg, msg
    assert len(msg) < 3000
