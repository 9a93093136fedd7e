"""`none`: intelligence stays in the seizing country (its contact point alerts its own airports
only)."""

from __future__ import annotations

from typing import override

from cocair_sim.intel.relay.base import RelayMode, register_relay_mode


@register_relay_mode
class NoRelay(RelayMode):
    """Nothing leaves the seizing country."""

    name = "none"
    label = "no relay"
    description = "intelligence stays in the seizing country"

    @override
    def forward(self, contact_point, report, t) -> None:
        """Nothing leaves the country."""
