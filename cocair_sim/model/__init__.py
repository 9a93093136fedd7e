"""The model: trafficker organisations, couriers, customs units, contact points and the
coordination hub (`agents`), what organisations believe (`beliefs`), the day and its events
(`model`), what a run measures (`metrics`) and its event log (`events`).

`CocairModel` is imported on first use, so that reading the metric declarations or the event
fields does not load Mesa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cocair_sim.model.model import CocairModel

__all__ = ["CocairModel"]


def __getattr__(name: str):
    if name == "CocairModel":
        # On first use: see the docstring (reading metrics or events does not load Mesa).
        from cocair_sim.model.model import CocairModel  # noqa: PLC0415

        return CocairModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
