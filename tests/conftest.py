"""Shared fixtures: scenario paths and small helpers for writing broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXPERIMENTS = ROOT / "experiments"


@pytest.fixture(scope="session")
def classroom_path() -> Path:
    return SCENARIOS / "classroom.yaml"


@pytest.fixture(scope="session")
def cocair3_path() -> Path:
    return SCENARIOS / "cocair3.yaml"


@pytest.fixture(scope="session")
def classroom(classroom_path):
    from cocair_sim.scenario import load_scenario

    return load_scenario(classroom_path)


@pytest.fixture(scope="session")
def cocair3(cocair3_path):
    from cocair_sim.scenario import load_scenario

    return load_scenario(cocair3_path)


@pytest.fixture
def classroom_raw(classroom_path) -> dict:
    return yaml.safe_load(classroom_path.read_text())


@pytest.fixture
def write_yaml(tmp_path):
    """Write a mapping (or raw text) to a YAML file and return its path."""

    def _write(content, name="scenario.yaml") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text)
        return path

    return _write
