"""`hub`: reports go through the coordination hub (the OCU), which relays them to the contact
points it reaches, after a latency and within a daily message capacity.

Everything the hub does lives here: the mode (`HubRelay`) and the hub itself
(`CoordinationHub`, a Mesa agent at the hub's airport). Connected countries (the participants)
send their reports to the hub and receive its alerts; the scenario's `relay.reach` may extend,
per agency, whom it alerts (INTERPOL's channel reaches every country's National Central Bureau).
A seizure report goes to every country reached (with any companions it names); a passenger-data
flag goes to the countries reached that lie ahead on the flagged passenger's itinerary. With
passenger-data checks of its own (`passenger_data.hub`), the hub flags passengers of the
connected countries' flights itself.
Every message carries the name of the mode that sent it, so a mode derived from this one relays
on its own channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, override

import mesa

from cocair_sim.intel.relay.base import RelayMode, register_relay_mode
from cocair_sim.intel.reports import CUSTOMS, FLAG, POLICE, IntelReport

if TYPE_CHECKING:
    from cocair_sim.model.agents import ContactPoint
    from cocair_sim.model.model import CocairModel
    from cocair_sim.scenario.network import Airport

HUB_RECEIVED = "hub_received"  # the event logged when a report reaches the hub


class CoordinationHub(mesa.Agent):
    """The Operational Coordination Unit (customs and police officers together): relays each
    report to the same agency's contact points it reaches, after `latency` hours, sending at
    most `capacity` messages a day (the rest wait for the next day with room)."""

    def __init__(self, model: CocairModel, mode: HubRelay, airport: Airport):
        super().__init__(model)
        relay = model.spec.relay
        self.mode = mode
        self.airport = airport
        self.latency = relay.hub_latency_hours
        self.capacity = relay.hub_capacity_per_day
        self.connected = sorted(model.connected_countries)
        self.reach = {agency: mode.reach_of(agency) for agency in (CUSTOMS, POLICE)}
        self.sent_per_day: dict[int, int] = {}
        self.messages = 0

    def receive_report(self, payload: tuple[IntelReport, str]) -> None:
        """A report (and the agency that sent it) reaches the hub: relay it on."""
        report, agency = payload
        model = self.model
        t = model.now
        model.log(
            t,
            HUB_RECEIVED,
            self.airport.index,
            report=report.id,
            courier=report.courier_id,
            channel=self.mode.name,
            agency=agency,
        )
        peers = model.contact_points[agency]
        for country in self.targets(report, agency):
            send = self._next_slot(t)
            self.messages += 1
            model.relay_message(send + self.latency, peers[country], report, self.mode.name)

    def targets(self, report: IntelReport, agency: str) -> list[int]:
        """The countries a report goes to: every one reached, or, for a passenger-data flag,
        those reached that lie ahead on the passenger's itinerary; never the sender."""
        reached = self.reach[agency]
        if report.kind == FLAG:
            ahead = set(self.model.countries_on(report.airports_ahead(), exclude=report.country))
            reached = [k for k in reached if k in ahead]
        return [k for k in reached if k != report.country]

    def _next_slot(self, t: float) -> float:
        """Time the next message can leave: now, or the start of the first day with capacity."""
        day = int(t // 24)
        while self.sent_per_day.get(day, 0) >= self.capacity:
            day += 1
        self.sent_per_day[day] = self.sent_per_day.get(day, 0) + 1
        return t if day == int(t // 24) else day * 24.0


@register_relay_mode
class HubRelay(RelayMode):
    """Reports relayed through the coordination hub to the contact points it reaches."""

    name = "hub"
    label = "coordination hub (OCU)"
    description = "reports relayed by the OCU to every connected contact point within hours"
    colour = "tab:orange"

    def __init__(self, model: CocairModel):
        super().__init__(model)
        net = model.network
        self._hub = CoordinationHub(
            model, self, net.airports[net.by_iata[model.spec.relay.hub_airport]]
        )

    @override
    @property
    def hub(self) -> CoordinationHub:
        return self._hub

    def reach_of(self, agency: str) -> list[int]:
        """The countries (indices) the hub alerts for `agency`: the connected ones, and those
        `relay.reach` adds."""
        model = self.model
        reach = getattr(model.spec.relay.reach, agency)
        connected = set(model.connected_countries)
        if reach == "all":
            return list(range(len(model.network.countries)))
        if reach == "participants":
            return sorted(connected)
        named = {model.network.countries.index(name) for name in reach}
        return sorted(connected | named)

    @override
    def forward(self, contact_point: ContactPoint, report: IntelReport, t: float) -> None:
        """A connected country's contact point sends the report to the hub at once."""
        if contact_point.connected:
            self.model.count("messages")
            self.model.schedule(t, self._hub.receive_report, (report, contact_point.agency))

    @override
    def flag(self, report: IntelReport, t: float) -> None:
        """The hub's own check against INTERPOL's databases flagged a passenger: it alerts the
        police contact points (National Central Bureaus) it reaches ahead on the itinerary."""
        self.model.schedule(t, self._hub.receive_report, (report, POLICE))
