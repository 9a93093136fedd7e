"""`bilateral`: the seizing country's contact point writes to each other country on the
courier's itinerary, directly (liaison officers, messages between contact points)."""

from __future__ import annotations

from cocair_sim.intel.relay.base import RelayMode, register_relay_mode


@register_relay_mode
class BilateralRelay(RelayMode):
    name = "bilateral"
    label = "bilateral exchange"
    description = "reports sent to the countries on the courier's itinerary, slowly and not always"
    colour = "tab:purple"

    def forward(self, contact_point, report, t) -> None:
        """Each other country on the itinerary is told with `bilateral_probability`, after the
        bilateral delay."""
        model = self.model
        relay = model.spec.relay
        delay = relay.bilateral_delay_days * 24.0
        for country in model.countries_on(report.itinerary, exclude=contact_point.country):
            if model.intel_rng.random() < relay.bilateral_probability:
                model.schedule(
                    t + delay, model.contact_points[country].receive_alert, (report, self.name)
                )
