"""New values for fields of an already validated scenario, without reading it again.

Calibration and experiments over a posterior run the same scenario with thousands of different
parameter values. Reading and validating the file for each (`load_scenario` with overrides)
costs as much as the run itself, so the values are set on the validated `Scenario` by copying
the models along each path (`model_copy`, which shares every unchanged part: the network built
for the original scenario serves the copies). Paths are written as for overrides
(`relay.targeting_uplift`, `airports.BKO.customs.capacity_per_day`,
`organisations.0.adaptation.rate`).

The values are not validated here: the caller checks them once, against the same rules as the
file (a calibration checks both ends of every prior, an experiment every posterior column).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from cocair_sim.scenario.overrides import find_in_list
from cocair_sim.scenario.schema import Scenario


def with_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """A copy of `scenario` with each dotted path set to its value."""
    for path, value in values.items():
        scenario = _set(scenario, path.split("."), value, path)
    return scenario


def _field(node: BaseModel, segment: str, path: str) -> str:
    """The attribute a path segment names (by field name or alias)."""
    fields = type(node).model_fields
    name = next((n for n, f in fields.items() if segment in (n, f.alias)), None)
    if name is None:
        raise KeyError(f"{path}: no field '{segment}'")
    return name


def value_at(scenario: Scenario, path: str) -> Any:
    """The value of a dotted path in a validated scenario."""
    node: Any = scenario
    for head in path.split("."):
        if isinstance(node, BaseModel):
            node = getattr(node, _field(node, head, path))
        elif isinstance(node, list):
            index = find_in_list(node, head)
            if index is None:
                raise KeyError(f"{path}: no list item '{head}'")
            node = node[index]
        elif isinstance(node, dict) and head in node:
            node = node[head]
        else:
            raise KeyError(f"{path}: '{head}' is inside a {type(node).__name__}")
    return node


def _set(node: Any, segments: list[str], value: Any, path: str) -> Any:
    head, rest = segments[0], segments[1:]
    if isinstance(node, BaseModel):
        name = _field(node, head, path)
        child = getattr(node, name)
        return node.model_copy(update={name: _set(child, rest, value, path) if rest else value})
    if isinstance(node, list):
        index = find_in_list(node, head)
        if index is None:
            raise KeyError(f"{path}: no list item '{head}'")
        copy = list(node)
        copy[index] = _set(node[index], rest, value, path) if rest else value
        return copy
    if isinstance(node, dict):
        if head not in node and rest:
            raise KeyError(f"{path}: no key '{head}'")
        copy = dict(node)
        copy[head] = _set(node[head], rest, value, path) if rest else value
        return copy
    raise KeyError(f"{path}: '{head}' is inside a {type(node).__name__}")
