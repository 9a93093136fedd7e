"""One idiom for a missing value (a median of nothing, a ratio over zero runs).

Records, summaries, stored metrics and table rows say `None`; numbers that go into numpy arrays
or arithmetic say NaN (`as_float`); CSV files show an empty cell (`csv_cell`); what people read
shows "n/a". Everything that meets a value that may be missing goes through these functions.
"""

from __future__ import annotations

import math
from typing import Any

NOT_AVAILABLE = "n/a"  # what a report or a printed table shows


def is_missing(value: Any) -> bool:
    """None, NaN or an empty CSV cell."""
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def as_float(value: Any) -> float:
    """A number for arithmetic and arrays: NaN where the value is missing."""
    return math.nan if is_missing(value) else float(value)


def as_optional(value: Any) -> Any:
    """A value for a record or JSON: None where it is missing."""
    return None if is_missing(value) else value


def csv_cell(value: Any, digits: int = 6) -> Any:
    """A value for a CSV cell: empty where missing, floats rounded to `digits` decimals."""
    if is_missing(value):
        return ""
    if isinstance(value, float):
        return round(value, digits)
    return value
