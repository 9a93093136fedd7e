"""Strict pydantic models for input files, and their errors as one line naming the field.

Scenario, experiment, sensitivity and calibration files are all validated this way: unknown keys
are errors, and the first problem is reported as an `InputError` with a readable field path
(`airports[3](BKO).customs.capacity_per_day`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from cocair_sim.errors import InputError


class Strict(BaseModel):
    """Base for every scenario block: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _loc_to_path(loc: tuple, data: Any) -> str:
    """Turn a pydantic error location into `airports[3](BKO).customs.capacity_per_day`."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and 0 <= item < len(node):
                node = node[item]
                key = node.get("iata") or node.get("name") if isinstance(node, dict) else None
                if isinstance(key, str):
                    label += f"({key})"
            else:
                node = None
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def _first_error(exc: ValidationError, data: Any) -> tuple[str, str]:
    err = exc.errors(include_url=False)[0]
    loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    extra = len(exc.errors()) - 1
    if extra:
        msg += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    return _loc_to_path(loc, data), msg


def validate_model[T: BaseModel](cls: type[T], data: Any, source: str) -> T:
    """Validate raw data into `cls`, raising one `InputError` for the first problem."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        field, msg = _first_error(exc, data)
        raise InputError(source, field, msg) from None


def json_schema(cls: type[BaseModel], title: str, **kwargs: Any) -> dict:
    """The JSON Schema of a file format, for editors."""
    schema = cls.model_json_schema(**kwargs)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema
