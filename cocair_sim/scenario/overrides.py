"""Dotted-path overrides (`--set relay.mode=hub`, experiment conditions and sweeps).

Overrides are applied to the raw YAML mapping before validation, so an override is checked by
exactly the same rules as the file itself. List items are addressed by index or by their key:
`airports.BKO.customs.capacity_per_day`, `organisations.Andean.couriers_per_week`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from cocair_sim.errors import InputError
from cocair_sim.files.yamlio import parse_scalar

_LIST_KEYS = ("iata", "name", "id")
_INDEX = re.compile(r"-?[0-9]{1,9}")
MAX_PATH_CHARS = 500
MAX_PATH_SEGMENTS = 16


def find_in_list(items: list, segment: str) -> int | None:
    """The index of a list item named by `segment`: an index, or the item's key (`iata`,
    `name` or `id`; `FROM-TO` for links). Items are raw mappings or validated models."""
    if _INDEX.fullmatch(segment):
        idx = int(segment)
        return idx if -len(items) <= idx < len(items) else None
    for i, item in enumerate(items):
        get = item.get if isinstance(item, Mapping) else lambda k, d=None, o=item: getattr(o, k, d)
        for key in _LIST_KEYS:
            if str(get(key, "") or "").upper() == segment.upper():
                return i
        origin, destination = get("from") or get("origin"), get("to") or get("destination")
        if origin is not None and destination is not None and f"{origin}-{destination}" == segment:
            return i
    return None


def set_path(data: dict, path: str, value: Any, source: str) -> None:
    """Set `path` (dotted) in `data` in place; missing mapping levels are created."""
    if not isinstance(path, str):
        raise InputError(source, repr(path), "override path must be text like a.b.c")
    if len(path) > MAX_PATH_CHARS:
        raise InputError(source, path, f"override path longer than {MAX_PATH_CHARS} characters")
    segments = path.split(".")
    if not path or any(not s for s in segments):
        raise InputError(source, path or "(empty)", "override path must be like a.b.c")
    if len(segments) > MAX_PATH_SEGMENTS:
        raise InputError(source, path, f"override path deeper than {MAX_PATH_SEGMENTS} levels")
    node: Any = data
    for depth, seg in enumerate(segments):
        last = depth == len(segments) - 1
        here = ".".join(segments[: depth + 1])
        if isinstance(node, list):
            idx = find_in_list(node, seg)
            if idx is None:
                raise InputError(source, here, f"no list item '{seg}' (use an index or its key)")
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[seg] = value
            else:
                if node.get(seg) is None:
                    node[seg] = {}
                node = node[seg]
        else:
            parent = ".".join(segments[:depth]) or "(top)"
            raise InputError(source, parent, f"is a {type(node).__name__}, cannot set '{seg}'")


def apply_overrides(data: dict, overrides: Mapping[str, Any], source: str) -> dict:
    """Return a deep copy of `data` with every dotted-path override applied in order."""
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        set_path(out, path, copy.deepcopy(value), source)
    return out


def parse_set_options(items: list[str] | tuple[str, ...], source: str = "--set") -> dict[str, Any]:
    """Turn `["a.b=1", "c=hub"]` into `{"a.b": 1, "c": "hub"}` (values parsed as YAML)."""
    result: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise InputError(source, item, "expected path=value")
        path, raw = item.split("=", 1)
        result[path.strip()] = parse_scalar(raw, f"{source} {path.strip()}")
    return result
