"""`bilateral`: the seizing country's contact point writes to each other country on the
courier's itinerary, directly: a liaison officer's call or a direct message arrives within
hours, a letter through the usual channels after days. The delay of each message is drawn from
a lognormal distribution around `relay.bilateral_delay_hours`."""

from __future__ import annotations

import math
from typing import override

from cocair_sim.intel.relay.base import RelayMode, register_relay_mode
from cocair_sim.intel.reports import SEIZURE


@register_relay_mode
class BilateralRelay(RelayMode):
    """Reports sent by the seizing country to the countries on the courier's itinerary."""

    name = "bilateral"
    label = "bilateral exchange"
    description = "reports sent to the countries on the courier's itinerary, after hours to days"
    colour = "tab:purple"

    @override
    def forward(self, contact_point, report, t) -> None:
        """Each other country on the itinerary (for a passenger-data flag: ahead of the
        passenger) is told with `bilateral_probability`, after a delay of its own."""
        model = self.model
        relay = model.spec.relay
        rng = self.rng
        airports = report.itinerary if report.kind == SEIZURE else report.airports_ahead()
        for country in model.countries_on(airports, exclude=contact_point.country):
            if rng.random() < relay.bilateral_probability:
                delay = relay.bilateral_delay_hours * math.exp(
                    relay.bilateral_delay_spread * rng.standard_normal()
                )
                model.relay_message(t + delay, contact_point.peers[country], report, self.name)
