"""`hub`: reports go through the coordination hub (the OCU), which relays them to the contact
point of every connected country (`CoordinationHub`: latency and a daily message capacity)."""

from __future__ import annotations

from typing import override

from cocair_sim.intel.relay.base import RelayMode, register_relay_mode


@register_relay_mode
class HubRelay(RelayMode):
    """Reports relayed through the coordination hub to every connected country."""

    name = "hub"
    label = "coordination hub (OCU)"
    description = "reports relayed by the OCU to every connected contact point within hours"
    colour = "tab:orange"

    @override
    @property
    def hub(self):
        return self.model.hub

    @override
    def forward(self, contact_point, report, t) -> None:
        """A connected country's contact point sends the report to the hub at once."""
        hub = self.model.hub
        if contact_point.connected and hub is not None:
            self.model.count("messages")
            self.model.schedule(t, hub.receive_report, (report, contact_point.agency))
