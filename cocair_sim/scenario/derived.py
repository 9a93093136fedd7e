"""Values computed from a scenario alone, built once per scenario object and shared."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

_DERIVED: dict[int, tuple[weakref.ref, dict[Any, Any]]] = {}


def derived[T](scenario: BaseModel, key: Any, build: Callable[[], T]) -> T:
    """A value computed from a scenario alone (its network, an organisation's route tables),
    built once per scenario object and shared read-only by every model of it.

    Scenarios are frozen, so these cannot go stale; an experiment builds thousands of models
    from one scenario. Entries go away with their scenario.
    """
    sid = id(scenario)
    hit = _DERIVED.get(sid)
    if hit is None or hit[0]() is not scenario:
        ref = weakref.ref(scenario, lambda _ref, sid=sid: _DERIVED.pop(sid, None))
        hit = _DERIVED[sid] = (ref, {})
    values = hit[1]
    if key not in values:
        values[key] = build()
    return values[key]
