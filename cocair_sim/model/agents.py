"""The agents: trafficker organisations, couriers, customs units, contact points and the hub.

Organisations act once a day (they send couriers); everything else reacts to timed events that
the model dispatches in hour order (a courier reaching a control point, a report reaching a
contact point or the hub, an alert reaching an airport).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, override

import mesa
import numpy as np

from cocair_sim.intel.reports import (
    FLAG,
    ORG,
    POLICE,
    PROFILE_FLIGHT,
    PROFILE_ROUTE,
    Alert,
    IntelReport,
    Match,
    passenger_key,
)
from cocair_sim.model import events as ev
from cocair_sim.scenario.schema import METHODS

if TYPE_CHECKING:
    from cocair_sim.model.beliefs import RouteTables
    from cocair_sim.model.model import CocairModel
    from cocair_sim.scenario.network import Airport, Network
    from cocair_sim.scenario.schema import OrganisationSpec, Scenario

# Layout of the uniform random numbers every courier is given when it is sent. Drawing them all
# up front from the organisation's own stream is what keeps replicate i's trafficking identical
# across conditions (common random numbers): a courier meets the same draws whatever the relay.
U_ROUTE, U_METHOD, U_START, U_PROFILE, U_TALK, U_RECOGNISE = range(6)
U_SELECT = 6  # + stop number (up to 4 control points)
U_DETECT = 10  # + stop number
U_LARGE = 14  # a large consignment rather than a typical load
U_EXPOSED = 15  # a companion's seizure exposes this courier
U_FLAG = 16  # passenger-data checks flag this courier
N_UNIFORMS = 17

PARTIES = 1  # the key of an organisation's party stream under its own

PROFILE_COUNT = 48  # 6 nationality groups x 4 age bands x 2 sexes

TRAVELLING = ("at_airport", "in_flight")  # a courier's states between launch and the end

DEPARTURE, TRANSIT, ARRIVAL = "departure", "transit", "arrival"
STAGE_INDEX = {DEPARTURE: 0, TRANSIT: 1, ARRIVAL: 2}
STAGES = (DEPARTURE, TRANSIT, ARRIVAL)


class TraffickerOrganisation(mesa.Agent):
    """Books couriers each day along the itineraries it believes most profitable, and sends off
    the ones booked for today.

    A trip is booked `booking_lead_days` before it leaves (recruiting, ticketing, loading), and
    its itinerary, method and load are fixed then: what the organisation learns afterwards
    changes only later bookings. Beliefs are a per-airport risk multiplier from a beta-binomial
    estimate: own passages and losses (plus public news of seizures) against a prior equal to
    the baseline risk it knows. Adaptation off keeps the prior, so route shares stay fixed. The
    evidence is this organisation's row of the model's organisation x airport arrays, and the
    model updates every organisation's route choice at once each evening (see `beliefs`).
    """

    def __init__(
        self,
        model: CocairModel,
        spec: OrganisationSpec,
        index: int,
        seed_seq: np.random.SeedSequence,
        tables: RouteTables,
    ):
        super().__init__(model)
        self.spec = spec
        self.name = spec.name
        self.stream = np.random.default_rng(seed_seq)
        # Party sizes from a stream of their own, so that travelling alone (group size 1) draws
        # exactly what it did before parties existed.
        self.party_stream = np.random.default_rng(
            np.random.SeedSequence(seed_seq.entropy, spawn_key=(*seed_seq.spawn_key, PARTIES))
        )
        self.profile_pool = self.stream.choice(
            PROFILE_COUNT, size=spec.profile_pool, replace=False
        ).tolist()
        self.tables = tables
        self.itineraries = tables.itineraries
        self.org_key = (ORG, self.name)  # what alerts naming this organisation match
        self.index = index
        self.losses = model.losses[index]  # views: updated in place
        self.passes = model.passes[index]
        self.revenue_usd = 0.0
        self.spent_usd = 0.0
        self.lead = spec.booking_lead_days
        self.rate = spec.couriers_per_week / 7.0 * model.spec.trafficking.volume_multiplier
        self.extra_companions = spec.group_size - 1.0  # mean companions of a party's leader
        self.party_rate = self.rate / spec.group_size  # parties a day
        self.relative_detection = model.route_choice.relative_detection[index].tolist()
        # Booked trips by departure day: (courier, departure hour, cost of the trip).
        self.bookings: dict[int, list[tuple[Courier, float, float]]] = {}

    def learn_passage(self, airports: tuple[int, ...], method: int, lost_at: int | None) -> None:
        """Own courier's fate: the control points it reached (each weighed by how detectable its
        method is there, relative to the organisation's usual mix), and where it was lost."""
        if not self.spec.adaptation.enabled:
            return
        passes, weight = self.passes, self.relative_detection[method]
        for a in airports:  # a few scalar updates: cheaper than numpy's fancy indexing
            passes[a] += weight[a]
        if lost_at is not None:
            self.losses[lost_at] += 1.0

    @override
    def step(self) -> None:
        """Book the trips leaving in `lead` days, on today's beliefs, then send off today's."""
        model = self.model
        if model.day == 0:  # the trips of the first days were booked before the run started
            for day in range(self.lead):
                self.book(day)
        self.book(model.day + self.lead)
        for courier, hour, cost in self.bookings.pop(model.day, ()):
            self.spent_usd += cost
            model.launch(courier, hour)

    def book(self, day: int) -> None:
        """Book the trips leaving on `day` (a Poisson number of couriers, in parties that fly
        together): itinerary, method, load and profile drawn now, with every random number the
        trip will need (see U_*)."""
        model, t = self.model, self.tables
        leaders = self._parties(int(self.stream.poisson(self.party_rate)))
        n = len(leaders)
        if n == 0 or not self.itineraries:
            return
        uniforms = self.stream.random((n, N_UNIFORMS)).tolist()
        normals = self.stream.standard_normal(n)
        # The day's picks are made on Python numbers (bisection on cumulative lists): numpy's
        # per-call overhead outweighs its speed on a handful of draws. Only the exponential stays
        # in numpy, on the whole day's array (np.exp gives the bits it gives on each scalar
        # there; math.exp would not).
        route_cdf = model.route_cdf[self.index]  # today's choices, cumulative (see beliefs)
        method_cdf, sigma = model.method_cdf[self.index], t.method_sigma
        # A party flies together: its companions take the leader's itinerary and departure.
        routes = [bisect_right(route_cdf, uniforms[k][U_ROUTE]) for k in leaders]
        starts = [uniforms[k][U_START] for k in leaders]
        methods = [bisect_right(method_cdf, u[U_METHOD]) for u in uniforms]
        large = t.large
        scale = [
            large[m][3] if large[m] is not None and u[U_LARGE] < large[m][0] else sigma[m]
            for u, m in zip(uniforms, methods, strict=True)
        ]
        spread = np.exp(np.array(scale) * normals).tolist()
        pool, n_pool = self.profile_pool, len(self.profile_pool)
        buy, fee = self.spec.buy_price_per_kg, self.spec.courier_fee
        day_start = day * 24.0
        terms, itineraries, costs = t.method_terms, t.itineraries, t.ticket_costs
        booked = self.bookings.setdefault(day, [])
        parties: dict[int, list[Courier]] = {}
        picks = zip(uniforms, routes, methods, spread, strict=True)
        for i, (u, r, m, lognormal) in enumerate(picks):
            method, method_index, lowest, highest, median = terms[m]
            big = large[m]
            if big is not None and u[U_LARGE] < big[0]:  # (share, median, max, sigma)
                kg = min(big[2], max(lowest, big[1] * lognormal))
            else:
                kg = min(highest, max(lowest, median * lognormal))
            party = parties.setdefault(leaders[i], [])
            courier = Courier(
                model.next_courier_id(),
                self,
                itineraries[r],
                method,
                method_index,
                round(kg * 1000),
                pool[int(u[U_PROFILE] * n_pool)],
                u,
                party,
            )
            party.append(courier)
            booked.append((courier, day_start + 24.0 * starts[i], kg * buy + fee + costs[r]))

    def _parties(self, parties: int) -> list[int]:
        """The day's couriers, as the index of each one's party leader: `parties` parties of
        1 + Poisson(group_size - 1) couriers each, so couriers a day average
        `couriers_per_week / 7`. Alone (group size 1), each leads itself and nothing is drawn."""
        if self.extra_companions <= 0.0:
            return list(range(parties))
        leaders: list[int] = []
        for _ in range(parties):
            size = 1 + int(self.party_stream.poisson(self.extra_companions))
            leaders.extend([len(leaders)] * size)
        return leaders


class Courier:
    """One trip: an organisation's courier carrying `grams` by one concealment method.

    A plain object moved by the model's event queue rather than a Mesa agent: a courier lives
    for one trip of a few days and only acts at its control points, and registering and
    removing hundreds of short-lived Mesa agents a run cost more than the trips themselves. Its
    id continues the model's agent numbering, and the model keeps the couriers under way.
    """

    __slots__ = (
        "airports",
        "flight",
        "grams",
        "itinerary",
        "last_stop",
        "leg_arrival",
        "leg_departure",
        "method",
        "method_index",
        "organisation",
        "party",
        "profile",
        "stages",
        "state",
        "stop",
        "uniforms",
        "unique_id",
    )

    def __init__(
        self,
        unique_id,
        organisation,
        itinerary,
        method,
        method_index,
        grams,
        profile,
        uniforms,
        party=None,
    ):
        self.unique_id = unique_id
        self.organisation = organisation
        self.itinerary = itinerary
        self.airports = itinerary.airports
        self.stages = itinerary.control_stages
        self.last_stop = len(itinerary.airports) - 1  # the arrival control
        self.method = method
        self.method_index = method_index  # of `method` in METHODS
        self.grams = grams
        self.profile = profile
        self.uniforms = uniforms  # N_UNIFORMS numbers, laid out as U_* says
        self.party: list[Courier] = party if party is not None else [self]  # who flies together
        self.state = "booked"  # booked -> at_airport / in_flight -> delivered | seized
        self.stop = 0  # index into itinerary.airports of the next control point
        self.flight = ""  # flight code of the leg touching the current stop
        self.leg_departure = 0.0
        self.leg_arrival = 0.0

    @property
    def kg(self) -> float:
        """The load in kilograms (counted in grams, so that the mass balance is exact)."""
        return self.grams / 1000.0

    def match_keys(self) -> tuple[tuple, ...]:
        """What alerts on this courier would match (asked only where alerts are posted): his
        name first, then his profile on his route and on his flight."""
        route = (self.airports[0], self.airports[-1])
        return (
            passenger_key(self.unique_id),
            (PROFILE_ROUTE, self.profile, route),
            (PROFILE_FLIGHT, self.profile, self.flight),
        )

    def companions_travelling(self) -> list[Courier]:
        """The others of his party still on their way."""
        return [c for c in self.party if c is not self and c.state in TRAVELLING]

    @property
    def travelling(self) -> bool:
        """Whether he is still on his way (not yet delivered or seized)."""
        return self.state in TRAVELLING

    @property
    def airport(self) -> int:
        """Where the courier is now (for a courier in flight: where it is heading)."""
        return self.airports[self.stop]

    @property
    def stage(self) -> str:
        """Where on its trip the courier is controlled now: departure, transit or arrival."""
        return STAGES[self.stage_index]

    @property
    def stage_index(self) -> int:
        """0 departure, 1 transit, 2 arrival (see STAGE_INDEX)."""
        return min(self.stages[self.stop], 2)


@dataclass(frozen=True, slots=True)
class CustomsProfile:
    """What a customs unit is, from the scenario: capacity, detection, traffic, selection rates.

    Built once per scenario and shared by every model of it. Change a unit through the scenario
    (`airports.<IATA>.customs.*`), not on a built model.
    """

    airport: Airport
    base_capacity: float  # targeted controls a day outside the operation
    operation_multiplier: float  # capacity factor during the operation
    training_level: float
    task_force: bool
    detection: tuple[float, ...]  # chance a control finds the drugs, per method (METHODS order)
    passengers: float  # through the airport a day
    stage_lift: tuple[float, ...]  # selection effort per stage (departure, transit, arrival)
    from_source_lift: float  # extra effort on arrivals straight from a source country
    # The selection chance on a quiet day (no alert posted, none used) per kind of control (0-2
    # the stages, 3 an arrival straight from a source country), at normal and at operation
    # capacity: what `CustomsUnit.selection_probability` returns then.
    quiet: tuple[tuple[float, ...], tuple[float, ...]] = field(init=False)

    def __post_init__(self) -> None:
        quiet = tuple(
            tuple(
                min(1.0, self.base_selection(self.base_capacity * factor, min(key, 2), key == 3))
                for key in range(4)
            )
            for factor in (1.0, self.operation_multiplier)
        )
        object.__setattr__(self, "quiet", quiet)  # frozen: set once, derived from the rest

    def base_selection(self, capacity: float, stage: int, from_source: bool) -> float:
        """Routine selection chance at a stage, before alerts focus any capacity."""
        base = capacity / self.passengers * self.stage_lift[stage]
        if from_source:
            base *= self.from_source_lift
        return base

    @classmethod
    def build_all(cls, spec: Scenario, network: Network) -> list[CustomsProfile]:
        """Every airport's unit, from the scenario's defaults and per-airport overrides."""
        levels = _training_levels(spec)
        sc = spec.screening
        # Constants of every control decision as Python floats: screening runs thousands of
        # times a run, and numpy scalar indexing and scenario attribute chains are slow there.
        lift = (
            np.array([sc.stage_selection.get(s, 0.0) for s in STAGES]) * sc.courier_profiling_lift
        )
        defaults = spec.customs_defaults
        profiles = []
        for i, ap in enumerate(spec.airports):
            c, over = ap.customs, ap.customs.detection
            detection = np.array(
                [
                    getattr(over, m)
                    if over is not None and getattr(over, m) is not None
                    else getattr(defaults.detection, m)
                    for m in METHODS
                ],
                dtype=float,
            )
            detection = np.minimum(1.0, detection * (1.0 + sc.training_gain * levels[i]))
            capacity = float(c.capacity_per_day or defaults.capacity_per_day)
            if c.operation_multiplier is not None:
                multiplier = c.operation_multiplier
            else:
                multiplier = spec.operation.capacity_multiplier if ap.participant else 1.0
            profile = cls(
                airport=network.airports[i],
                base_capacity=capacity,
                operation_multiplier=multiplier,
                training_level=levels[i],
                task_force=bool(c.task_force),
                detection=tuple(detection.tolist()),
                passengers=max(float(network.daily_passengers[i]), 1.0),
                stage_lift=tuple(lift.tolist()),
                from_source_lift=sc.arrival_from_source_lift,
            )
            profiles.append(profile)
        return profiles


def _training_levels(spec: Scenario) -> list[float]:
    """Training level of each airport's unit: the scenario's, or a trained share of the
    participants spread evenly over their list."""
    default = spec.customs_defaults.training_level
    levels = [
        ap.customs.training_level if ap.customs.training_level is not None else default
        for ap in spec.airports
    ]
    share = spec.training.trained_share
    if share is None:
        return levels
    participants = [i for i, ap in enumerate(spec.airports) if ap.participant]
    n_trained = round(share * len(participants))
    picks = np.linspace(0, len(participants) - 1, n_trained).round().astype(int)
    trained = {participants[p] for p in picks} if n_trained else set()
    return [
        (spec.training.level if i in trained else 0.0) if i in participants else levels[i]
        for i in range(len(levels))
    ]


class CustomsUnit(mesa.Agent):
    """Customs (or a joint airport task force) controlling passengers at one airport."""

    def __init__(self, model: CocairModel, profile: CustomsProfile):
        super().__init__(model)
        self.profile = profile
        self.airport = profile.airport
        self.board = model.boards[profile.airport.index]
        self.capacity = profile.base_capacity  # today's
        self.flagged_controls = 0  # today's controls of alerted passengers
        self.quiet_selection = profile.quiet[0]  # today's
        self._detection = profile.detection
        relay = model.spec.relay
        self._targeting_uplift = relay.targeting_uplift
        self._org_recognition = relay.org_recognition
        self._named_control = relay.named_control
        self.controls_per_alert = relay.controls_per_alert

    @override
    def step(self) -> None:
        """Start of day: today's capacity (raised during the operation) and fresh counters."""
        operation = self.model.in_operation
        p = self.profile
        self.capacity = p.base_capacity * (p.operation_multiplier if operation else 1.0)
        self.quiet_selection = p.quiet[operation]
        self.flagged_controls = 0

    def selection_probability(self, stage: int, from_source: bool, flagged: bool) -> float:
        """Chance a courier is picked for control. Alerts focus capacity, they never add to it."""
        base = self.profile.base_selection(self.capacity, stage, from_source)
        load = self.board.look_alike * self.controls_per_alert + self.flagged_controls
        spare = max(0.0, 1.0 - load / self.capacity)
        if flagged and self.flagged_controls < self.capacity:
            return min(1.0, base * self._targeting_uplift)
        return min(1.0, base * spare)

    def receive_alert(self, alert: Alert) -> None:
        """An alert arrives: posted on the board until it expires (or logged late if it already
        has), unless the relay mode holds it for a decision (the classroom exercise)."""
        if self.model.now < alert.expires and not self.model.relay.admits(alert):
            return
        self.post_alert(alert)

    def post_alert(self, alert: Alert) -> None:
        """Post an alert on this airport's board from now until it expires (logged late if it
        already has)."""
        model = self.model
        t = model.now
        if t >= alert.expires:
            model.count("alerts_late")
            model.log(
                t,
                ev.ALERT_LATE,
                alert.airport,
                channel=alert.channel,
                alert=alert.id,
                report=alert.report.id,
                agency=alert.agency,
            )
            return
        self.board.post(alert)
        model.count("alerts_delivered")
        if alert.channel != ev.NATIONAL:
            first = model.first_relay_delivery.get(alert.report.id)
            if first is None or t < first:
                model.first_relay_delivery[alert.report.id] = t
        model.log(
            t,
            ev.ALERT_DELIVERED,
            alert.airport,
            channel=alert.channel,
            alert=alert.id,
            report=alert.report.id,
            agency=alert.agency,
        )
        model.schedule(alert.expires, self.expire_alert, alert)

    def expire_alert(self, alert: Alert) -> None:
        """The alert's lifetime is over: it leaves the board."""
        self.board.withdraw(alert)
        self.model.log(
            self.model.now,
            ev.ALERT_EXPIRED,
            alert.airport,
            channel=alert.channel,
            alert=alert.id,
            report=alert.report.id,
            agency=alert.agency,
        )

    def screen(self, courier: Courier) -> tuple[bool, Match | None]:
        """Control decision for one courier at this airport: (seized, the alert that flagged
        him and how it matched)."""
        stop = courier.stop
        u = courier.uniforms
        if self.board.active or self.flagged_controls:
            return self._screen_with_alerts(courier, stop, u)
        # A quiet airport: the day's plain selection chance (the same number the general case
        # computes when no alert takes capacity). Most controls take this path.
        if u[U_SELECT + stop] >= self.quiet_selection[courier.stages[stop]]:
            return False, None
        return u[U_DETECT + stop] < self._detection[courier.method_index], None

    def _screen_with_alerts(self, courier: Courier, stop: int, u: list[float]):
        stage_key = courier.stages[stop]
        recognised = u[U_RECOGNISE] < self._org_recognition
        match = (
            self.board.match(courier.match_keys(), courier.organisation.org_key, recognised)
            if self.board.active
            else None
        )
        if match is not None and match.named:  # they know whom to stop
            p_select = self._named_control
        else:
            p_select = self.selection_probability(
                min(stage_key, 2), stage_key == 3, match is not None
            )
        if u[U_SELECT + stop] >= p_select:
            return False, None
        if match is not None:
            self.flagged_controls += 1
            alert = match.alert
            if not alert.controls:
                self.model.count_alert(alert, "alerts_with_control")
            alert.controls += 1
            self.model.count("flagged_controls")
        seized = u[U_DETECT + stop] < self._detection[courier.method_index]
        return seized, match


class ContactPoint(mesa.Agent):
    """A national contact point of one agency: customs (on the WCO's CENcomm) or the police
    (the INTERPOL National Central Bureau, on I-24/7). It alerts its country's airports to what
    its agency can act on, passes reports abroad as the relay mode says, and, for the police,
    follows up on a named organisation."""

    def __init__(
        self, model, agency: str, country: int, name: str, airports: list[int], connected: bool
    ):
        super().__init__(model)
        self.agency = agency
        self.country = country
        self.name = name
        self.airports = airports
        self.connected = connected
        self.peers: list[ContactPoint] = []  # the same agency's contact points, by country

    def receive_report(self, report: IntelReport) -> None:
        """A seizure report from this country: alert the other airports at home, follow up on a
        named organisation (police), and pass it on abroad as the relay mode says."""
        model = self.model
        t = model.now
        model.log(
            t,
            ev.REPORT,
            report.airport,
            courier=report.courier_id,
            report=report.id,
            organisation=report.organisation,
            channel=ev.NATIONAL,
            agency=self.agency,
        )
        if not report.keys[self.agency]:
            return  # nothing this agency can act on (the police, when the courier said nothing)
        self.alert_airports(report, t, ev.NATIONAL)
        if self.agency == POLICE:
            # Both numbers are drawn whatever the outcome, so that the follow-up's parameters
            # change no other draw of the run.
            relay, rng = model.spec.relay, model.agency_rng
            success = rng.random() < relay.follow_up_probability
            extra = 1 + int(rng.integers(0, max(relay.follow_up_arrests_max, 1)))
            if success:
                model.record_arrests(extra, t, report)
        if model.relay_active(t):
            model.relay.forward(self, report, t)

    def receive_alert(self, payload: tuple[IntelReport, str]) -> None:
        """A report relayed from abroad (through `channel`): alert every airport at home."""
        report, channel = payload
        self.alert_airports(report, self.model.now, channel)

    def alert_airports(self, report: IntelReport, t: float, channel: str) -> None:
        """Alert this country's airports: all of them for a seizure (but the seizing unit, whose
        own risk profiling already covers what it found), those ahead on the itinerary for a
        passenger-data flag (nobody else can meet the passenger)."""
        targets = self.airports
        if report.kind == FLAG:
            ahead = set(report.airports_ahead())
            targets = [a for a in self.airports if a in ahead]
        for a in targets:
            if a != report.airport or report.kind == FLAG:
                self.model.issue_alert(report, self.agency, a, channel, t)
