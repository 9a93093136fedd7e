"""The COCAIR model: one step is one day; inside a day, events run in hour order.

`CocairModel.step()` opens the day (customs capacity, couriers sent), then dispatches the day's
timed events from a priority queue (controls, reports, relays, alert deliveries and expiries) in
time order, then closes the day (seizure news reaches the traffickers, the daily row is
collected, the mass balance is checked).
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Mapping
from copy import deepcopy
from types import MappingProxyType
from typing import Any

import mesa
import numpy as np

from cocair_sim.agents import (
    U_TALK,
    ContactPoint,
    CoordinationHub,
    Courier,
    CustomsProfile,
    CustomsUnit,
    TraffickerOrganisation,
)
from cocair_sim.beliefs import RouteChoice, RouteTables, cumulative
from cocair_sim.intel import Alert, AlertBoard, IntelReport
from cocair_sim.network import MIN_CONNECTION_HOURS, network_for
from cocair_sim.scenario import METHODS, Scenario, derived

DEPARTURE_CHECK_HOURS = 1.5  # control before boarding
ARRIVAL_CHECK_HOURS = 0.5  # control after landing

# Fields of one event-log row, as `log` stores them (the airport as an index).
EVENT_FIELDS = (
    "time_h",
    "day",
    "event",
    "airport",
    "courier",
    "organisation",
    "method",
    "kg",
    "channel",
    "alert",
    "report",
)

# Streams derived from the run seed. Trafficking streams do not depend on the condition, so
# replicate i sends the same couriers with the same draws under every relay mode.
STREAM_TRAFFIC, STREAM_INTEL = 1, 2


class MassBalanceError(AssertionError):
    """kg shipped != kg seized + kg delivered + kg in transit: a bookkeeping bug."""


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector for the daily row, storing immutable values as they are.

    Mesa deep-copies every model reporter's value on each collect (its agent reporters already
    skip immutable values). The daily row is ~30 numbers and flags, and the copies were ~8 % of
    a run (measured, issue #7); anything mutable is still copied."""

    IMMUTABLE = (str, int, bool, float, tuple)

    def collect(self, model) -> None:
        if not self._validated or self.agent_reporters or self.agenttype_reporters:
            super().collect(model)  # Mesa's own path validates the reporters on first use
            return
        self._collection_steps.append(model.time)
        for name, reporter in self.model_reporters.items():
            value = getattr(model, reporter) if isinstance(reporter, str) else reporter(model)
            self.model_vars[name].append(
                value if isinstance(value, self.IMMUTABLE) else deepcopy(value)
            )


class CocairModel(mesa.Model):
    """Couriers, customs, contact points and a coordination hub on an air network."""

    def __init__(
        self,
        spec: Scenario,
        seed: int = 0,
        relay_mode: str | None = None,
        days: int | None = None,
        event_log: bool = True,
    ):
        """`event_log=False` skips recording the event log (`events` stays empty); nothing
        else changes. Experiments store totals and daily series only, and recording ~1,000
        events was ~5 % of a run."""
        super().__init__(rng=int(seed))
        self.spec = spec
        self.seed = int(seed)
        self.relay_mode = relay_mode or spec.relay.mode
        self.days = int(days or spec.calendar.days)
        self.network = network_for(spec)  # shared by every model of this scenario
        self.intel_rng = np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(STREAM_INTEL,))
        )
        net = self.network
        n_air = len(net.airports)
        cal = spec.calendar
        self._window = (cal.operation_start, cal.operation_start + cal.operation_days)
        self.now = 0.0
        self.day = 0
        # Whether today is in the operation window; set when each day opens (read ~3 times per
        # courier, so a plain attribute rather than a property).
        self.in_operation = self._in_window(0)
        self._queue: list[tuple[float, int, Any, Any]] = []
        self._seq = 0
        self.events: list[tuple] = []
        self.boards = [AlertBoard() for _ in range(n_air)]

        # Mass balance and counters, in grams so the invariant holds exactly.
        self.shipped_g = self.seized_g = self.delivered_g = 0
        self.couriers_sent = self.couriers_delivered = self.seizures = self.arrests = 0
        self.alerts_sent = self.alerts_delivered = self.alerts_late = self.alerts_expired = 0
        self.alert_hits = self.random_hits = 0
        # Per airport / method / route, as Python lists: they are bumped per courier, and a
        # list item update is several times cheaper than a numpy scalar one (exact ints either
        # way). Readers take np.asarray of them.
        self.seized_g_by_airport = [0] * n_air
        self.seized_g_by_method = [0] * len(METHODS)
        self.seizures_by_airport = [0] * n_air
        self.via_g_today = [0] * n_air
        self.via_g_total = [0] * n_air
        self.route_g_flown = [0] * len(net.routes)
        self.couriers: dict[int, Courier] = {}  # under way, by id, in order of departure
        self._seizures_today = np.zeros(n_air)
        self._first_relay_delivery: dict[int, float] = {}
        self._reports: dict[int, IntelReport] = {}
        self._operation_totals: Counter = Counter()

        if not event_log:
            self.log = self._skip_event
        self._build_agents()
        # Couriers are not Mesa agents (see Courier); their ids continue the agents' numbering.
        self._courier_ids = itertools.count(len(self.agents) + 1)
        self.datacollector = DailyCollector(model_reporters=self._reporters())
        self.running = True

    # -- construction -------------------------------------------------------------------------
    def _build_agents(self) -> None:
        spec, net = self.spec, self.network
        profiles = derived(spec, "customs profiles", lambda: CustomsProfile.build_all(spec, net))
        self.customs = [CustomsUnit(self, profile) for profile in profiles]
        connected = self._connected_countries()
        self.contact_points = [
            ContactPoint(
                self,
                country=k,
                name=name,
                airports=[a.index for a in net.airports if a.country == name],
                connected=k in connected,
            )
            for k, name in enumerate(net.countries)
        ]
        hub_index = net.by_iata[spec.relay.hub_airport]
        self.hub = CoordinationHub(
            self,
            net.airports[hub_index],
            connected=sorted(connected),
            latency=spec.relay.hub_latency_hours,
            capacity=spec.relay.hub_capacity_per_day,
        )
        tables = [
            derived(spec, ("route tables", k), lambda org=org: RouteTables.build(self, org))
            for k, org in enumerate(spec.organisations)
        ]
        self.route_choice = derived(
            spec, "route choice", lambda: RouteChoice.build(tables, spec.organisations)
        )
        # Every organisation's evidence (organisation x airport) and route choice; rows are the
        # organisations' own (see TraffickerOrganisation).
        shape = (len(tables), len(net.airports))
        self.losses, self.passes = np.zeros(shape), np.zeros(shape)
        self.route_probabilities = derived(
            spec, "prior route choice", lambda: self.route_choice.prior(shape[1])
        )
        self.route_cdf = derived(
            spec, "prior route cdf", lambda: [cumulative(p) for p in self.route_probabilities]
        )
        self.organisations = [
            TraffickerOrganisation(
                self, org, k, np.random.SeedSequence(self.seed, spawn_key=(STREAM_TRAFFIC, k)), t
            )
            for k, (org, t) in enumerate(zip(spec.organisations, tables, strict=True))
        ]
        self.transit_airports = [a.index for a in net.airports if a.role == "transit"]

    def _connected_countries(self) -> set[int]:
        net = self.network
        order = []
        for a in net.airports:
            k = int(net.airport_country[a.index])
            if a.hub_connected and k not in order:
                order.append(k)
        coverage = self.spec.relay.coverage
        return set(order if coverage is None else order[:coverage])

    def _reporters(self) -> dict[str, Any]:
        reporters: dict[str, Any] = {
            name: name
            for name in (
                "day",
                "in_operation",
                "kg_shipped",
                "kg_seized",
                "kg_delivered",
                "kg_in_transit",
                "seizures",
                "arrests",
                "couriers_sent",
                "couriers_delivered",
                "alerts_sent",
                "alerts_delivered",
                "alert_hits",
                "random_hits",
            )
        }
        for idx in self.transit_airports:
            iata = self.network.airports[idx].iata
            reporters[f"kg_via_{iata}"] = lambda m, i=idx: m.via_g_today[i] / 1000.0
        return reporters

    def mean_detection(self, shares: np.ndarray) -> np.ndarray:
        """Detection probability per airport for a given method mix."""
        return np.array([float(np.array(unit.profile.detection) @ shares) for unit in self.customs])

    def baseline_risk_matrix(self, itineraries, shares: np.ndarray) -> np.ndarray:
        """Risk of losing a courier at each control point, as traffickers know it in normal times
        (no operation, no alerts). Shape: itineraries x airports."""
        # Built row by row on Python floats (one array at the end): numpy scalar updates made
        # this ~40% of building a model. Same arithmetic, same numbers.
        det = self.mean_detection(shares).tolist()
        source_lift = self.spec.screening.arrival_from_source_lift
        n_air = len(self.network.airports)
        rows = []
        for it in itineraries:
            last = len(it.airports) - 1
            row = [0.0] * n_air
            for stop, a in enumerate(it.airports):
                unit = self.customs[a].profile
                stage = 0 if stop == 0 else (2 if stop == last else 1)
                p = unit.base_capacity / unit.passengers * unit.stage_lift[stage]
                if stage == 2 and it.final_from_source:
                    p *= source_lift
                row[a] = 1.0 - (1.0 - row[a]) * (1.0 - min(1.0, p) * det[a])
            rows.append(row)
        return np.array(rows, dtype=float).reshape(len(itineraries), n_air)

    # -- calendar ------------------------------------------------------------------------------
    def _in_window(self, day: int) -> bool:
        start, end = self._window
        return start <= day < end

    def relay_active(self, t: float) -> bool:
        return self.spec.relay.active == "always" or self._in_window(int(t // 24))

    # -- event queue ---------------------------------------------------------------------------
    def schedule(self, t: float, handler, arg) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (t, self._seq, handler, arg))

    def _dispatch_until(self, end: float) -> None:
        queue = self._queue
        while queue and queue[0][0] < end:
            t, _, handler, arg = heapq.heappop(queue)
            self.now = t
            handler(arg)
        self.now = end

    # -- the day -------------------------------------------------------------------------------
    def step(self) -> None:
        self.day = self.steps - 1
        self.in_operation = self._in_window(self.day)
        self.now = self.day * 24.0
        self.via_g_today = [0] * len(self.via_g_today)
        self._seizures_today[:] = 0
        for unit in self.customs:
            unit.step()
        for org in self.organisations:  # fixed order: each draws from its own stream
            org.step()
        self._dispatch_until((self.day + 1) * 24.0)
        self._learn_news(self._seizures_today * self.spec.relay.news_probability)
        self.check_mass_balance()
        self.datacollector.collect(self)
        if self.steps >= self.days:
            self.running = False

    def _learn_news(self, seizures: np.ndarray) -> None:
        """Evening: every organisation hears of the day's seizures and revises its routes."""
        choice = self.route_choice
        if not choice.adaptive:
            return
        choice.learn_news(self.losses, self.passes, seizures)
        self.route_probabilities = choice.probabilities(self.losses, self.passes)
        self.route_cdf = [cumulative(p) for p in self.route_probabilities]

    def run(self) -> CocairModel:
        while self.running:
            self.step()
        return self

    # -- couriers ------------------------------------------------------------------------------
    def next_courier_id(self) -> int:
        return next(self._courier_ids)

    def launch(self, courier: Courier, t: float) -> None:
        """A courier sets off: its kg count as shipped from now on."""
        grams = courier.grams
        self.shipped_g += grams
        self.couriers_sent += 1
        for a in courier.airports[1:-1]:
            self.via_g_today[a] += grams
            self.via_g_total[a] += grams
        if self.in_operation:
            self._operation_totals["kg_shipped_g"] += grams
            self._operation_totals["couriers_sent"] += 1
        self.couriers[courier.unique_id] = courier
        courier.state = "at_airport"
        self._board(courier, t + MIN_CONNECTION_HOURS, check_before=DEPARTURE_CHECK_HOURS)

    def _board(self, courier: Courier, ready: float, check_before: float | None = None) -> None:
        """Book the next leg's first departure after `ready`; schedule the next control."""
        net = self.network
        route = net.routes[courier.itinerary.routes[courier.stop]]
        dep, slot = route.next_departure(ready)
        courier.leg_departure = dep
        courier.leg_arrival = dep + route.block_hours
        courier.flight = route.flight_codes[slot]
        if check_before is not None:  # departure control at the origin, before boarding
            self.schedule(
                max(dep - check_before, ready - MIN_CONNECTION_HOURS), self._control, courier
            )
        else:
            courier.stop += 1
            self.schedule(courier.leg_arrival + ARRIVAL_CHECK_HOURS, self._control, courier)

    def _control(self, courier: Courier) -> None:
        t = self.now
        stop = courier.stop
        seized, alert = self.customs[courier.airports[stop]].screen(courier)
        if seized:
            self._seize(courier, alert, t)
            return
        if stop == courier.last_stop:
            self._deliver(courier, t)
            return
        # Passed: the courier flies the itinerary's next leg (kg carried per route, for maps).
        self.route_g_flown[courier.itinerary.routes[stop]] += courier.grams
        if stop == 0:
            courier.stop = 1
            courier.state = "in_flight"
            self.schedule(courier.leg_arrival + ARRIVAL_CHECK_HOURS, self._control, courier)
        else:
            courier.state = "at_airport"
            self._board(courier, t + MIN_CONNECTION_HOURS - ARRIVAL_CHECK_HOURS)

    def _deliver(self, courier: Courier, t: float) -> None:
        self.delivered_g += courier.grams
        self.couriers_delivered += 1
        if self.in_operation:
            self._operation_totals["kg_delivered_g"] += courier.grams
        org = courier.organisation
        org.revenue_usd += courier.kg * org.spec.sell_price_per_kg
        org.learn_passage(courier.itinerary.airports, None)
        courier.state = "delivered"
        del self.couriers[courier.unique_id]

    def _seize(self, courier: Courier, alert: Alert | None, t: float) -> None:
        a = courier.airport
        net = self.network
        self.seized_g += courier.grams
        self.seizures += 1
        self.arrests += 1
        self.seized_g_by_airport[a] += courier.grams
        self.seizures_by_airport[a] += 1
        self.seized_g_by_method[courier.method_index] += courier.grams
        self._seizures_today[a] += 1
        if self.in_operation:
            ops = self._operation_totals
            ops["seizures"] += 1
            ops["arrests"] += 1
            ops["kg_seized_g"] += courier.grams
            if net.airports[a].participant:
                ops["seizures_participants"] += 1
                ops["kg_seized_participants_g"] += courier.grams
            ops["alert_hits" if alert is not None else "random_hits"] += 1
        if alert is not None:
            self.alert_hits += 1
            alert.hits += 1
        else:
            self.random_hits += 1
        org = courier.organisation
        self.log(
            t,
            "seizure",
            a,
            courier=courier.unique_id,
            organisation=org.name,
            method=courier.method,
            kg=courier.kg,
            channel=alert.channel if alert else "",
            alert=alert.id if alert else None,
        )
        if alert is not None:
            self.log(
                t,
                "alert_hit",
                a,
                courier=courier.unique_id,
                organisation=org.name,
                kg=courier.kg,
                channel=alert.channel,
                alert=alert.id,
                report=alert.report.id,
            )
        org.learn_passage(courier.itinerary.airports[: courier.stop + 1], a)
        u = courier.uniforms
        talked = u[U_TALK] < self.spec.relay.talk_probability
        report = IntelReport(
            id=len(self._reports) + 1,
            time=t,
            airport=a,
            country=int(net.airport_country[a]),
            courier_id=courier.unique_id,
            organisation=org.name if talked else None,
            profile=courier.profile,
            route=(courier.itinerary.airports[0], courier.itinerary.airports[-1]),
            flight=courier.flight,
            itinerary=courier.itinerary.airports,
        )
        self._reports[report.id] = report
        courier.state = "seized"
        del self.couriers[courier.unique_id]
        ncp = self.contact_points[report.country]
        self.schedule(
            t + self.spec.relay.national_delay_hours / 2, self._report_to_ncp, (ncp, report)
        )

    def _report_to_ncp(self, payload: tuple[ContactPoint, IntelReport]) -> None:
        ncp, report = payload
        ncp.receive_report(report, self.now)

    # -- intelligence --------------------------------------------------------------------------
    def record_arrests(self, n: int, t: float, report: IntelReport) -> None:
        self.arrests += n
        if self._in_window(int(t // 24)):
            self._operation_totals["arrests"] += n
        self.log(
            t,
            "arrest",
            report.airport,
            organisation=report.organisation,
            report=report.id,
            kg=None,
            channel="follow_up",
            courier=n,
        )

    def countries_on(self, itinerary: tuple[int, ...], exclude: int) -> list[int]:
        seen: list[int] = []
        for a in itinerary:
            k = int(self.network.airport_country[a])
            if k != exclude and k not in seen:
                seen.append(k)
        return seen

    def alert_country(self, report: IntelReport, ncp: ContactPoint, t: float, channel: str):
        """A contact point alerts its airports after the national delay. The seizing unit itself
        is not alerted: its own risk profiling already covers what it just found."""
        relay = self.spec.relay
        deliver_at = t + relay.national_delay_hours / 2
        for a in ncp.airports:
            if a == report.airport:
                continue
            alert = Alert(
                id=self.alerts_sent + 1,
                report=report,
                channel=channel,
                airport=a,
                issued=t,
                delivered=deliver_at,
                expires=report.time + relay.alert_lifetime_hours,
            )
            self.alerts_sent += 1
            if self._in_window(int(t // 24)):
                self._operation_totals["alerts_sent"] += 1
            self.log(t, "alert_sent", a, channel=channel, alert=alert.id, report=report.id)
            self.schedule(deliver_at, self._deliver_alert, alert)

    def _deliver_alert(self, alert: Alert) -> None:
        t = self.now
        if t >= alert.expires:
            self.alerts_late += 1
            self.log(
                t,
                "alert_late",
                alert.airport,
                channel=alert.channel,
                alert=alert.id,
                report=alert.report.id,
            )
            return
        self.boards[alert.airport].post(alert)
        self.alerts_delivered += 1
        if self._in_window(int(t // 24)):
            self._operation_totals["alerts_delivered"] += 1
        if alert.channel != "national":
            first = self._first_relay_delivery.get(alert.report.id)
            if first is None or t < first:
                self._first_relay_delivery[alert.report.id] = t
        self.log(
            t,
            "alert_delivered",
            alert.airport,
            channel=alert.channel,
            alert=alert.id,
            report=alert.report.id,
        )
        self.schedule(alert.expires, self._expire_alert, alert)

    def _expire_alert(self, alert: Alert) -> None:
        self.boards[alert.airport].withdraw(alert)
        self.alerts_expired += 1
        self.log(
            self.now,
            "alert_expired",
            alert.airport,
            channel=alert.channel,
            alert=alert.id,
            report=alert.report.id,
        )

    # -- observation ---------------------------------------------------------------------------
    def log(
        self,
        t: float,
        event: str,
        airport: int,
        *,
        courier=None,
        organisation=None,
        method=None,
        kg=None,
        channel="",
        alert=None,
        report=None,
    ) -> None:
        self.events.append(
            (
                round(t, 3),
                int(t // 24),
                event,
                airport,
                courier,
                organisation,
                method,
                kg,
                channel,
                alert,
                report,
            )
        )

    def _skip_event(self, *args, **fields) -> None:
        """`log` when the model records no event log."""

    @property
    def reports(self) -> Mapping[int, IntelReport]:
        """The seizure reports so far, by id (a read-only view)."""
        return MappingProxyType(self._reports)

    @property
    def kg_shipped(self) -> float:
        return self.shipped_g / 1000.0

    @property
    def kg_seized(self) -> float:
        return self.seized_g / 1000.0

    @property
    def kg_delivered(self) -> float:
        return self.delivered_g / 1000.0

    @property
    def in_transit_g(self) -> int:
        """Grams carried by couriers still on their way (summed over the couriers themselves)."""
        return sum(c.grams for c in self.couriers.values())

    @property
    def kg_in_transit(self) -> float:
        return self.in_transit_g / 1000.0

    def check_mass_balance(self) -> None:
        in_transit = self.in_transit_g
        if self.shipped_g != self.seized_g + self.delivered_g + in_transit:
            raise MassBalanceError(
                f"day {self.day}: shipped {self.shipped_g} g != seized {self.seized_g} + "
                f"delivered {self.delivered_g} + in transit {in_transit}"
            )

    def active_couriers(self) -> list[Courier]:
        return list(self.couriers.values())
