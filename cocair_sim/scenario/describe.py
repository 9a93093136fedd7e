"""Scenario fields in words, for readers who do not read dotted paths.

A report names a parameter such as `organisations.Lusophone network.couriers_per_week` as "couriers
a week (Lusophone network)": the field's own description in the schema where it has one, its name
in words otherwise, and the list items on the way (an organisation, an airport) in brackets.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from cocair_sim.scenario.overrides import find_in_list

UNITS = {"_hours": "hours", "_per_day": "a day", "_per_week": "a week", "_usd": "USD"}


def _words(name: str) -> str:
    for suffix, unit in UNITS.items():
        if name.endswith(suffix):
            return f"{name.removesuffix(suffix).replace('_', ' ')} ({unit})"
    return name.replace("_", " ")


def _item_name(item: Any) -> str | None:
    for key in ("name", "iata"):
        value = getattr(item, key, None)
        if isinstance(value, str):
            return value
    return None


def describe_parameter(scenario: BaseModel, path: str) -> str:
    """A scenario field's dotted path in words (the path itself when it cannot be followed)."""
    node: Any = scenario
    where: list[str] = []
    description = None
    parent_field: str | None = None
    heads = path.split(".")
    for depth, head in enumerate(heads):
        if isinstance(node, BaseModel):
            fields = type(node).model_fields
            name = next((n for n, f in fields.items() if head in (n, f.alias)), None)
            if name is None:
                return path
            own = fields[name].description
            if own is not None:  # its first clause, without asides
                own = re.sub(r" \([^)]*\)", "", own).split(": ")[0].split("; ")[0]
            if own is None and parent_field and not where and depth == len(heads) - 1 > 1:
                own = f"{_words(parent_field)}, {_words(name)}"  # detection, internal
            elif where and depth < len(heads) - 1:
                where.append(_words(name))  # the part of an organisation or an airport
            description = own or _words(name)
            parent_field = name
            node = getattr(node, name)
        elif isinstance(node, list):
            index = find_in_list(node, head)
            if index is None:
                return path
            node = node[index]
            where.append(_item_name(node) or head)
            parent_field = None
        elif isinstance(node, dict) and head in node:
            description, node = _words(head), node[head]
            if where and depth < len(heads) - 1:
                where.append(_words(head))
        else:
            return path
    if description is None:
        return path
    text = description[0].lower() + description[1:] if description[1:2].islower() else description
    return f"{text} ({', '.join(where)})" if where else text
