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
    """A copy of `scenario` with each dotted path set to its value.

    The paths are merged into one tree first, so that a list or a model on several paths (the
    seven European airports' capacities, say) is copied once, not once per path."""
    tree: dict[str, Any] = {}
    for path, value in values.items():
        node = tree
        *parents, last = path.split(".")
        for head in parents:
            node = node.setdefault(head, {})
            if isinstance(node, _Value):
                raise KeyError(f"{path}: '{head}' is set as a whole by another path")
        node[last] = _Value(value)
    return _apply(scenario, tree, "")


class _Value:
    """A leaf of the tree of paths: the value to set."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def _apply(node: Any, tree: dict[str, Any], prefix: str) -> Any:
    """A copy of `node` with every path of `tree` set (copying each container once)."""

    def new(child: Any, sub: Any, path: str) -> Any:
        return sub.value if isinstance(sub, _Value) else _apply(child, sub, path)

    if isinstance(node, BaseModel):
        update = {}
        for head, sub in tree.items():
            name = _field(node, head, prefix + head)
            update[name] = new(getattr(node, name), sub, f"{prefix}{head}.")
        return node.model_copy(update=update)
    if isinstance(node, list):
        copy = list(node)
        keys = _list_keys(node)
        for head, sub in tree.items():
            index = find_in_list(node, head) if _is_index(head) else keys.get(head.upper())
            if index is None:
                raise KeyError(f"{prefix}{head}: no list item '{head}'")
            copy[index] = new(node[index], sub, f"{prefix}{head}.")
        return copy
    if isinstance(node, dict):
        copy = dict(node)
        for head, sub in tree.items():
            if head not in node and not isinstance(sub, _Value):
                raise KeyError(f"{prefix}{head}: no key '{head}'")
            copy[head] = new(node.get(head), sub, f"{prefix}{head}.")
        return copy
    head = next(iter(tree))
    raise KeyError(f"{prefix}{head}: '{head}' is inside a {type(node).__name__}")


def _is_index(segment: str) -> bool:
    return segment.lstrip("-").isdigit()


def _list_keys(items: list) -> dict[str, int]:
    """Every key a list item can be addressed by (as `find_in_list` reads them: `iata`,
    `name`, `id`, `FROM-TO`), upper-cased, the first item holding it winning."""
    out: dict[str, int] = {}
    for i, item in enumerate(items):
        fields = type(item).model_fields if isinstance(item, BaseModel) else {}
        for key in ("iata", "name", "id"):
            if key in fields and (value := getattr(item, key)):
                out.setdefault(str(value).upper(), i)
        if "origin" in fields and "destination" in fields:
            out.setdefault(f"{item.origin}-{item.destination}".upper(), i)
    return out


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
