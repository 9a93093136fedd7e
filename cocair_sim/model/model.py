"""The COCAIR model: one step is one day; inside a day, events run in hour order.

`CocairModel.step()` opens the day (customs capacity, couriers sent), then dispatches the day's
timed events from a priority queue (controls, reports, relays, alert deliveries and expiries) in
time order, then closes the day (seizure news reaches the traffickers, the daily row is
collected, the mass balance is checked).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, override

import mesa
import numpy as np

from cocair_sim.intel.relay import get_relay_mode
from cocair_sim.intel.relay.base import RELAY_STREAM
from cocair_sim.intel.reports import (
    CUSTOMS,
    FLAG,
    POLICE,
    SEIZURE,
    Alert,
    AlertBoard,
    IntelReport,
    Match,
)
from cocair_sim.model import events as ev
from cocair_sim.model.agents import (
    U_EXPOSED,
    U_FLAG,
    U_TALK,
    ContactPoint,
    Courier,
    CustomsProfile,
    CustomsUnit,
    TraffickerOrganisation,
)
from cocair_sim.model.beliefs import RouteChoice, RouteTables, cumulative
from cocair_sim.model.events import Event
from cocair_sim.model.metrics import TALLIES, daily_metrics, get_metric
from cocair_sim.scenario.derived import derived
from cocair_sim.scenario.network import MIN_CONNECTION_HOURS, network_for
from cocair_sim.scenario.schema import METHODS, Scenario

DEPARTURE_CHECK_HOURS = 1.5  # control before boarding
ARRIVAL_CHECK_HOURS = 0.5  # control after landing

# Streams derived from the run seed, one per kind of decision, so that a condition's changes stay
# within its own draws: trafficking (one stream per organisation) sends the same couriers with
# the same draws under every relay mode; the agencies' stream decides police reporting and
# follow-ups; each relay mode has its own (RELAY_STREAM, keyed by its name; see relay.base).
STREAM_TRAFFIC, STREAM_AGENCIES = 1, 2
assert RELAY_STREAM not in (STREAM_TRAFFIC, STREAM_AGENCIES)

_new_event = tuple.__new__  # builds an Event from a tuple without NamedTuple's keyword parsing


class SeizureRecord(NamedTuple):
    """One seizure, compactly: what published targets are computed from."""

    day: int
    airport: int
    previous: int  # the airport the courier last left (-1 at its departure control)
    grams: int
    method: int  # index in METHODS


class ArrestRecord(NamedTuple):
    """Arrests from one police follow-up."""

    day: int
    airport: int  # of the seizure the follow-up came from
    arrests: int


class MassBalanceError(AssertionError):
    """kg shipped != kg seized + kg delivered + kg in transit: a bookkeeping bug."""


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector for the daily row, storing each value as its reporter returns it.

    Mesa deep-copies every model reporter's value on each collect, so that a reporter returning
    a mutable object cannot change rows already stored. The daily row's reporters (declared in
    `CocairModel._reporters`) return only numbers and flags, so copying them buys nothing and
    costs more than computing them. `mesa.batch_run` finds each step's row through the
    collector's list of collected times, `_collection_steps`, a private attribute that `collect`
    keeps as Mesa's own does: that is one reason Mesa is pinned (pyproject.toml), and
    tests/model/test_model.py fails on a Mesa whose collector no longer keeps it."""

    @override
    def collect(self, model) -> None:
        """Append today's value of every reporter to its column, and today's time to the
        collected times."""
        self._collection_steps.append(model.time)
        for name, reporter in self.model_reporters.items():
            self.model_vars[name].append(reporter(model))


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
        else changes. Experiments store totals and daily series only."""
        super().__init__(rng=int(seed))
        self.spec = spec
        self.seed = int(seed)
        self.relay_mode = relay_mode or spec.relay.mode
        self.days = int(days or spec.calendar.days)
        self.network = network_for(spec)  # shared by every model of this scenario
        self.agency_rng = np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(STREAM_AGENCIES,))
        )
        net = self.network
        n_air = len(net.airports)
        cal = spec.calendar
        self._window = (cal.operation_start, cal.operation_start + cal.operation_days)
        self.now = 0.0
        self.day = 0
        self._day_open = self._in_parts = False
        self._day_end = 0.0
        # Whether today is in the operation window; set when each day opens (read several times
        # per courier, so a plain attribute rather than a property).
        self.in_operation = self._in_window(0)
        self._queue: list[tuple[float, int, Any, Any]] = []
        self._seq = 0
        self.events: list[Event] = []
        self.boards = [AlertBoard() for _ in range(n_air)]

        # Tallies of the whole run and of the operation window (`metrics.TALLIES`), kg in grams
        # so that the mass balance holds exactly.
        self.counts = dict.fromkeys(TALLIES, 0)
        self.window_counts = dict.fromkeys(TALLIES, 0)
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
        self._own_seizures_today = np.zeros((len(spec.organisations), n_air))
        self.first_relay_delivery: dict[int, float] = {}  # report id -> hour
        self._reports: dict[int, IntelReport] = {}
        # Every seizure and follow-up, compactly: what calibration targets are computed from.
        self.seizure_records: list[SeizureRecord] = []
        self.arrest_records: list[ArrestRecord] = []

        if not event_log:
            self.log = self._skip_event
        self._build_agents()
        # Couriers are not Mesa agents (see Courier); their ids continue the numbering of the
        # agents every mode has, so that the same courier has the same id under every relay
        # mode. A mode's own agents (the hub) are numbered by Mesa after those, so an id may
        # name both a courier and such an agent: the two are never looked up together.
        self._courier_ids = itertools.count(len(self.agents) + 1)
        self.relay = get_relay_mode(self.relay_mode)(self)
        data = spec.passenger_data
        self._data_countries = (
            {net.countries.index(c) for c in data.countries} if data.hit_probability > 0 else set()
        )
        self._checks_passengers = bool(self._data_countries) or (
            data.hub and data.hub_hit_probability > 0
        )
        self.datacollector = DailyCollector(model_reporters=self._reporters())
        self.running = True

    def _build_agents(self) -> None:
        spec, net = self.spec, self.network
        profiles = derived(spec, "customs profiles", lambda: CustomsProfile.build_all(spec, net))
        self.customs = [CustomsUnit(self, profile) for profile in profiles]
        self.connected_countries = connected = self._connected_countries()
        # Two contact points per country, customs and police (see ContactPoint), each knowing
        # its peers of the same agency.
        self.contact_points = {
            agency: [
                ContactPoint(
                    self,
                    agency=agency,
                    country=k,
                    name=name,
                    airports=[a.index for a in net.airports if a.country == name],
                    connected=k in connected,
                )
                for k, name in enumerate(net.countries)
            ]
            for agency in (CUSTOMS, POLICE)
        }
        for peers in self.contact_points.values():
            for cp in peers:
                cp.peers = peers
        tables = [
            derived(spec, ("route tables", k), lambda org=org: RouteTables.build(self, org))
            for k, org in enumerate(spec.organisations)
        ]
        n_air = len(net.airports)
        volume = spec.trafficking.volume_multiplier
        self.route_choice = derived(
            spec,
            "route choice",
            lambda: RouteChoice.build(tables, spec.organisations, n_air, volume),
        )
        # Every organisation's evidence (organisation x airport) and choices; rows are the
        # organisations' own (see TraffickerOrganisation).
        shape = (len(tables), n_air)
        self.losses, self.passes = np.zeros(shape), np.zeros(shape)
        self.choice = self.route_choice.prior
        self.route_cdf, self.method_cdf = derived(
            spec, "prior cdfs", lambda: self._cdfs(self.choice, tables)
        )
        self.organisations = [
            TraffickerOrganisation(
                self, org, k, np.random.SeedSequence(self.seed, spawn_key=(STREAM_TRAFFIC, k)), t
            )
            for k, (org, t) in enumerate(zip(spec.organisations, tables, strict=True))
        ]
        self.transit_airports = [a.index for a in net.airports if a.role == "transit"]

    def _connected_countries(self) -> set[int]:
        """The countries linked to the hub (the participants, unless the scenario says
        otherwise), or the first `relay.coverage` of them."""
        net = self.network
        order = []
        for a in net.airports:
            k = int(net.airport_country[a.index])
            if a.hub_connected and k not in order:
                order.append(k)
        coverage = self.spec.relay.coverage
        return set(order if coverage is None else order[:coverage])

    def _reporters(self) -> dict[str, Any]:
        """The daily row: the day, whether it is in the operation, every daily metric (see
        `metrics`) and the kg sent that day through each transit airport."""
        reporters: dict[str, Any] = {
            "day": lambda m: m.day,
            "in_operation": lambda m: m.in_operation,
        }
        for metric in daily_metrics():
            reporters[metric.name] = lambda m, value=metric.value: value(m.counts, m)
        for idx in self.transit_airports:
            iata = self.network.airports[idx].iata
            reporters[f"kg_via_{iata}"] = lambda m, i=idx: m.via_g_today[i] / 1000.0
        return reporters

    def _in_window(self, day: int) -> bool:
        start, end = self._window
        return start <= day < end

    def relay_active(self, t: float) -> bool:
        """Whether contact points pass reports abroad at hour `t` (the operation window, or
        always)."""
        return self.spec.relay.active == "always" or self._in_window(int(t // 24))

    def count(self, tally: str, n: int = 1) -> None:
        """Add to a tally of the run, and of the operation window when today is in it."""
        self.counts[tally] += n
        if self.in_operation:
            self.window_counts[tally] += n

    def count_alert(self, alert: Alert, tally: str) -> None:
        """Add to a tally about an alert: of the run, and of the operation window when the alert
        reached its airport in it (so that an alert's outcomes are counted where it was)."""
        self.counts[tally] += 1
        if self._in_window(int(alert.delivered // 24)):
            self.window_counts[tally] += 1

    def value(self, metric: str) -> Any:
        """A declared metric's value for the run so far (see `metrics`)."""
        declared = get_metric(metric)
        if declared is None:
            raise KeyError(f"no metric '{metric}' is declared")
        return declared.value(self.counts, self)

    def schedule(self, t: float, handler, arg) -> None:
        """Call `handler(arg)` at hour `t` (ties run in the order they were scheduled)."""
        self._seq += 1
        heapq.heappush(self._queue, (t, self._seq, handler, arg))

    def _dispatch_until(self, end: float) -> None:
        queue = self._queue
        while queue and queue[0][0] < end:
            t, _, handler, arg = heapq.heappop(queue)
            self.now = t
            handler(arg)
        self.now = end

    @override
    def step(self) -> None:
        """One day: open it, run its events in hour order, close it. (`advance_to` runs a
        day's hours in parts, for the classroom exercise's clock: the same world.)"""
        self._open_day()
        if not self._in_parts:
            self._dispatch_until(self._day_end)
            self._close_day()

    def _open_day(self) -> None:
        """Morning: every unit's day and every organisation's bookings."""
        self.day = self.steps - 1
        self.in_operation = self._in_window(self.day)
        self.now = self.day * 24.0
        self._day_end = (self.day + 1) * 24.0
        self._day_open = True
        self.via_g_today = [0] * len(self.via_g_today)
        self._seizures_today[:] = 0
        self._own_seizures_today[:] = 0
        for unit in self.customs:
            unit.step()
        for org in self.organisations:  # fixed order: each draws from its own stream
            org.step()

    def _close_day(self) -> None:
        """Evening: what alerts cost, what organisations learnt, the day's data."""
        self._day_open = False
        self._count_look_alike_controls()
        self._learn()
        self.check_mass_balance()
        self.datacollector.collect(self)
        if self.steps >= self.days:
            self.running = False

    def advance_to(self, hour: float) -> None:
        """Run the world up to `hour` (hours since the start), opening and closing days on the
        way: what the exercise's clock does, so that a decision falls at the hour it is made.
        Advancing by whole days in any number of parts gives the world `step` gives."""
        while self.running and self.now < hour:
            if not self._day_open:
                self._in_parts = True
                try:
                    self.step()  # through Mesa, which counts the day; it only opens it
                finally:
                    self._in_parts = False
            self._dispatch_until(min(hour, self._day_end))
            if self.now >= self._day_end:
                self._close_day()

    def _count_look_alike_controls(self) -> None:
        """Evening: the controls the alerts then on the boards take each day from routine
        selection, to check passengers who look like what they describe (what an alert costs;
        counted at the day's end, as the boards stand then)."""
        used = 0.0
        for unit in self.customs:
            if unit.board.look_alike:
                used += min(unit.capacity, unit.board.look_alike * unit.controls_per_alert)
        if used:
            self.count("look_alike_controls", used)

    def _learn(self) -> None:
        """Evening: every organisation hears of the day's seizures of other organisations'
        couriers and revises its choices for tomorrow's bookings."""
        route_choice = self.route_choice
        if not route_choice.adaptive:
            return
        others = self._seizures_today[None, :] - self._own_seizures_today
        reported = self.spec.relay.news_probability
        route_choice.learn_news(self.losses, self.passes, others, reported)
        self.choice = route_choice.choose(self.losses, self.passes, self.choice.shares)
        self.route_cdf, self.method_cdf = self._cdfs(
            self.choice, [o.tables for o in self.organisations]
        )

    @staticmethod
    def _cdfs(choice, tables) -> tuple[list[list[float]], list[list[float]]]:
        """The choices as cumulative lists, which bookings pick from by bisection."""
        return (
            [cumulative(p) for p in choice.routes],
            [cumulative(s[t.method_index]) for s, t in zip(choice.shares, tables, strict=True)],
        )

    def run(self) -> CocairModel:
        """Step through every day of the run; returns the model."""
        while self.running:
            self.step()
        return self

    def next_courier_id(self) -> int:
        """A new courier's id (continuing the agents' numbering)."""
        return next(self._courier_ids)

    def launch(self, courier: Courier, t: float) -> None:
        """A courier sets off: its kg count as shipped from now on."""
        grams = courier.grams
        counts = self.counts
        counts["shipped_g"] += grams
        counts["couriers_sent"] += 1
        for a in courier.airports[1:-1]:
            self.via_g_today[a] += grams
            self.via_g_total[a] += grams
        if self.in_operation:
            window = self.window_counts
            window["shipped_g"] += grams
            window["couriers_sent"] += 1
        self.couriers[courier.unique_id] = courier
        courier.state = "at_airport"
        self._board(courier, t + MIN_CONNECTION_HOURS, check_before=DEPARTURE_CHECK_HOURS)
        if self._checks_passengers:
            self._check_passenger_data(courier, t)

    def _check_passenger_data(self, courier: Courier, t: float) -> None:
        """Passenger-data checks at the trip's start: each country with a unit on the
        itinerary, in order, flags the courier with `hit_probability` (the first that does
        raises the flag), and the hub, while relay is active, checks the trips through the
        connected countries. One uniform of the courier's own decides both."""
        data = self.spec.passenger_data
        u = courier.uniforms[U_FLAG]
        miss = 1.0  # chance no earlier check flagged him
        countries = self.countries_on(courier.airports, exclude=-1)
        for k in countries:
            if k in self._data_countries:
                miss_here = miss * (1.0 - data.hit_probability)
                if u >= miss_here:
                    self._flag(courier, t, k, self.contact_points[CUSTOMS][k].receive_report)
                    return
                miss = miss_here
        if (
            data.hub
            and self.relay.hub is not None
            and self.relay_active(t)
            and any(k in self.connected_countries for k in countries)
            and u >= miss * (1.0 - data.hub_hit_probability)
        ):
            self._flag(courier, t, -1, None)

    def _flag(self, courier: Courier, t: float, country: int, receive) -> None:
        """A check flagged `courier`: a report naming him, held by `country`'s customs contact
        point (`receive`), or by the hub (country -1)."""
        self.count("flags")
        report = self._new_report(
            courier, t, kind=FLAG, country=country, named=(courier.unique_id,)
        )
        self.log(
            t,
            ev.FLAG,
            report.airport,
            courier=courier.unique_id,
            report=report.id,
            channel=ev.NATIONAL if receive is not None else self.relay.hub.mode.name,
            agency=CUSTOMS if receive is not None else POLICE,
        )
        if receive is not None:  # the passenger-data unit tells its contact point
            self.count("messages")
            self.schedule(t + self.spec.relay.national_delay_hours / 2, receive, report)
        else:
            self.relay.flag(report, t)

    def _new_report(
        self,
        courier: Courier,
        t: float,
        kind: str = SEIZURE,
        country: int | None = None,
        organisation: str | None = None,
        named: tuple[int, ...] = (),
    ) -> IntelReport:
        """A report about `courier` at his current airport, kept by id."""
        a = courier.airport
        report = IntelReport(
            id=len(self._reports) + 1,
            time=t,
            airport=a,
            country=int(self.network.airport_country[a]) if country is None else country,
            courier_id=courier.unique_id,
            organisation=organisation,
            profile=courier.profile,
            route=(courier.itinerary.airports[0], courier.itinerary.airports[-1]),
            flight=courier.flight,
            itinerary=courier.itinerary.airports,
            named=named,
            kind=kind,
            grams=courier.grams if kind == SEIZURE else 0,
            method=courier.method_index if kind == SEIZURE else -1,
        )
        self._reports[report.id] = report
        return report

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
        seized, match = self.customs[courier.airports[stop]].screen(courier)
        if seized:
            self._seize(courier, match, t)
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
        counts = self.counts
        counts["delivered_g"] += courier.grams
        counts["couriers_delivered"] += 1
        if self.in_operation:
            window = self.window_counts
            window["delivered_g"] += courier.grams
            window["couriers_delivered"] += 1
        org = courier.organisation
        org.revenue_usd += courier.kg * org.spec.sell_price_per_kg
        org.learn_passage(courier.itinerary.airports, courier.method_index, None)
        courier.state = "delivered"
        del self.couriers[courier.unique_id]

    def _seize(self, courier: Courier, match: Match | None, t: float) -> None:
        alert = match.alert if match is not None else None
        a = courier.airport
        net = self.network
        grams = courier.grams
        self.count("seized_g", grams)
        self.count("seizures")
        self.count("arrests")
        airport = net.airports[a]
        if airport.participant:
            self.count("seizures_participants")
            self.count("seized_participants_g", grams)
        if airport.role == "destination":
            self.count("seizures_destinations")
            self.count("seized_destinations_g", grams)
        self.count("alert_hits" if alert is not None else "random_hits")
        if alert is not None and alert.agency == POLICE:
            self.count("police_alert_hits")
        if match is not None and match.named:
            self.count("named_alert_hits")
        previous = courier.airports[courier.stop - 1] if courier.stop else -1
        self.seizure_records.append(
            SeizureRecord(self.day, a, previous, grams, courier.method_index)
        )
        self.seized_g_by_airport[a] += grams
        self.seizures_by_airport[a] += 1
        self.seized_g_by_method[courier.method_index] += grams
        self._seizures_today[a] += 1
        self._own_seizures_today[courier.organisation.index, a] += 1
        if alert is not None:
            if not alert.hits:
                self.count_alert(alert, "alerts_with_seizure")
            alert.hits += 1
        org = courier.organisation
        self.log(
            t,
            ev.SEIZURE,
            a,
            courier=courier.unique_id,
            organisation=org.name,
            method=courier.method,
            kg=courier.kg,
            channel=alert.channel if alert else "",
            alert=alert.id if alert else None,
            agency=alert.agency if alert else "",
            match=match.kind if match else "",
            arrests=1,
        )
        if alert is not None:
            self.log(
                t,
                ev.ALERT_HIT,
                a,
                courier=courier.unique_id,
                organisation=org.name,
                kg=courier.kg,
                channel=alert.channel,
                alert=alert.id,
                report=alert.report.id,
                agency=alert.agency,
                match=match.kind,
            )
        org.learn_passage(courier.itinerary.airports[: courier.stop + 1], courier.method_index, a)
        talked = courier.uniforms[U_TALK] < self.spec.relay.talk_probability
        # The booking names the companions still travelling, each exposed by a draw of his own.
        exposure = self.spec.relay.companion_exposure
        named = tuple(
            c.unique_id for c in courier.companions_travelling() if c.uniforms[U_EXPOSED] < exposure
        )
        self.count("companions_named", len(named))
        report = self._new_report(
            courier, t, organisation=org.name if talked else None, named=named
        )
        courier.state = "seized"
        del self.couriers[courier.unique_id]
        self._report(report, t)

    def _report(self, report: IntelReport, t: float) -> None:
        """Customs report a seizure on their own channel; the police learn of it at once where a
        joint task force works, and otherwise only as often as the agencies share."""
        customs = self.contact_points[CUSTOMS][report.country]
        self.count("messages")
        self.schedule(t + self.spec.relay.national_delay_hours / 2, customs.receive_report, report)
        agencies = self.spec.agencies
        if agencies.task_forces and self.customs[report.airport].profile.task_force:
            delay = agencies.task_force_delay_hours
        elif self.agency_rng.random() < agencies.police_report_probability:
            delay = agencies.police_delay_hours
        else:
            return
        police = self.contact_points[POLICE][report.country]
        self.count("messages")
        self.schedule(t + delay, police.receive_report, report)

    def relay_message(
        self, t: float, contact_point: ContactPoint, report: IntelReport, channel: str
    ) -> None:
        """A relayed message reaches `contact_point` at hour `t` (relay modes send through this,
        so every message is counted)."""
        self.count("messages")
        self.schedule(t, contact_point.receive_alert, (report, channel))

    def record_arrests(self, n: int, t: float, report: IntelReport) -> None:
        """Follow-up arrests in an organisation after a contact point's enquiry."""
        self.count("arrests", n)
        self.arrest_records.append(ArrestRecord(int(t // 24), report.airport, n))
        self.log(
            t,
            ev.ARREST,
            report.airport,
            organisation=report.organisation,
            report=report.id,
            kg=None,
            channel="follow_up",
            agency=POLICE,
            arrests=n,
        )

    def countries_on(self, itinerary: tuple[int, ...], exclude: int) -> list[int]:
        """Countries of an itinerary's airports, in order, without `exclude`."""
        seen: list[int] = []
        for a in itinerary:
            k = int(self.network.airport_country[a])
            if k != exclude and k not in seen:
                seen.append(k)
        return seen

    def issue_alert(
        self, report: IntelReport, agency: str, airport: int, channel: str, t: float
    ) -> None:
        """A contact point alerts one airport: the alert arrives after the national delay and
        expires `alert_lifetime_hours` after the seizure."""
        relay = self.spec.relay
        deliver_at = t + relay.national_delay_hours / 2
        alert = Alert(
            id=self.counts["alerts_sent"] + 1,
            report=report,
            agency=agency,
            channel=channel,
            airport=airport,
            issued=t,
            delivered=deliver_at,
            expires=report.time + relay.alert_lifetime_hours,
        )
        self.count("alerts_sent")
        self.count("messages")
        self.log(
            t,
            ev.ALERT_SENT,
            airport,
            channel=channel,
            alert=alert.id,
            report=report.id,
            agency=agency,
        )
        self.schedule(deliver_at, self.customs[airport].receive_alert, alert)

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
        agency="",
        match="",
        arrests=0,
    ) -> None:
        """Record one row of the event log."""
        self.events.append(
            _new_event(
                Event,
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
                    agency,
                    match,
                    arrests,
                ),
            )
        )

    def _skip_event(self, *args, **fields) -> None:
        """`log` when the model records no event log."""

    @property
    def hub(self):
        """The coordination hub of the relay mode in force (None for modes without one)."""
        return self.relay.hub

    @property
    def reports(self) -> Mapping[int, IntelReport]:
        """The seizure reports so far, by id (a read-only view)."""
        return MappingProxyType(self._reports)

    @property
    def in_transit_g(self) -> int:
        """Grams carried by couriers still on their way (summed over the couriers themselves)."""
        return sum(c.grams for c in self.couriers.values())

    def check_mass_balance(self) -> None:
        """kg shipped = kg seized + kg delivered + kg in transit, exactly, or raise."""
        c = self.counts
        in_transit = self.in_transit_g
        if c["shipped_g"] != c["seized_g"] + c["delivered_g"] + in_transit:
            raise MassBalanceError(
                f"day {self.day}: shipped {c['shipped_g']} g != seized {c['seized_g']} + "
                f"delivered {c['delivered_g']} + in transit {in_transit}"
            )

    def active_couriers(self) -> list[Courier]:
        """The couriers under way now, in order of departure (for the page's map)."""
        return list(self.couriers.values())
