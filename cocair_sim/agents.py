"""The agents: trafficker organisations, couriers, customs units, contact points and the hub.

Organisations act once a day (they send couriers); everything else reacts to timed events that
the model dispatches in hour order (a courier reaching a control point, a report reaching a
contact point or the hub, an alert reaching an airport).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from cocair_sim.intel import ORG, PROFILE_FLIGHT, PROFILE_ROUTE, Alert, IntelReport
from cocair_sim.scenario import METHODS

if TYPE_CHECKING:
    from cocair_sim.model import CocairModel
    from cocair_sim.network import Itinerary
    from cocair_sim.scenario import OrganisationSpec

# Layout of the uniform random numbers every courier is given when it is sent. Drawing them all
# up front from the organisation's own stream is what keeps replicate i's trafficking identical
# across conditions (common random numbers): a courier meets the same draws whatever the relay.
U_ROUTE, U_METHOD, U_START, U_PROFILE, U_TALK, U_RECOGNISE = range(6)
U_SELECT = 6  # + stop number (up to 4 control points)
U_DETECT = 10  # + stop number
N_UNIFORMS = 14

PROFILE_COUNT = 48  # 6 nationality groups x 4 age bands x 2 sexes

DEPARTURE, TRANSIT, ARRIVAL = "departure", "transit", "arrival"
STAGE_INDEX = {DEPARTURE: 0, TRANSIT: 1, ARRIVAL: 2}
STAGES = (DEPARTURE, TRANSIT, ARRIVAL)
MAX_CONTROLS = 4  # control points of an itinerary with at most two connections


@dataclass(frozen=True, slots=True)
class RouteTables:
    """What an organisation knows before the run starts: its itineraries, methods, costs and the
    baseline risk at each control point. A function of the scenario alone, so it is built once
    per scenario and shared (read-only) by every model of it (building it was ~40% of building
    a model)."""

    itineraries: list[Itinerary]
    method_cdf: np.ndarray
    method_sigma: np.ndarray
    method_terms: list[tuple[str, float, float, float]]  # (method, min, max, median kg)
    ticket_costs: list[float]  # per itinerary, Python floats for per-courier lookups
    mean_kg: float
    prior_mean: np.ndarray  # known baseline risk per airport
    prior_known: np.ndarray  # airports with a known risk
    prior_floor: np.ndarray  # prior_mean, kept away from 0 for division
    stop_index: np.ndarray  # itinerary x control point: the airports, ascending, padded
    stop_prior: np.ndarray  # itinerary x control point: prior risk, 0 in padding
    alpha0: np.ndarray  # beta-binomial prior pseudo-losses per airport
    pseudo_total: np.ndarray  # alpha0 + beta0
    trip_cost: np.ndarray  # expected cost of a trip per itinerary

    @classmethod
    def build(cls, model: CocairModel, spec: OrganisationSpec) -> RouteTables:
        net = model.network
        itineraries = net.itineraries_for(spec.sources, spec.markets)
        methods = [m for m in METHODS if m in spec.methods]
        method_cdf = np.cumsum([spec.methods[m].share for m in methods])
        method_cdf[-1] = 1.0
        mean_kg = sum(spec.methods[m].share * spec.methods[m].kg.median for m in methods)
        shares = np.array([spec.methods[m].share if m in spec.methods else 0.0 for m in METHODS])
        prior_risk = model.baseline_risk_matrix(itineraries, shares)  # itinerary x airport
        n_air, n_it = len(net.airports), len(itineraries)
        incidence = np.zeros((n_it, n_air))
        incidence[
            [i for i, it in enumerate(itineraries) for _ in it.airports],
            [a for it in itineraries for a in it.airports],
        ] = 1.0
        visits = incidence.sum(axis=0)
        prior_mean = np.where(visits > 0, prior_risk.sum(axis=0) / np.maximum(visits, 1), 0.0)
        # The same prior risk as a compact (itinerary x control point) matrix, control points in
        # ascending airport order and padded with risk-free cells. The daily route choice works
        # on it instead of the mostly-zero itinerary x airport matrix: measured 2.3x faster per
        # call. Same numbers: the product over a row meets the same factors in the same order
        # (the dense row only adds exact factors of 1.0).
        pad = [[0] * (MAX_CONTROLS - len(it.airports)) for it in itineraries]
        stop_index = np.array(
            [sorted(it.airports) + p for it, p in zip(itineraries, pad, strict=True)],
            dtype=np.intp,
        ).reshape(n_it, MAX_CONTROLS)
        n_stops = np.array([len(it.airports) for it in itineraries], dtype=np.intp)
        real = np.arange(MAX_CONTROLS) < n_stops.reshape(n_it, 1)
        stop_prior = np.where(real, np.take_along_axis(prior_risk, stop_index, axis=1), 0.0)
        strength = 1.0 / max(spec.adaptation.rate, 1e-9)
        alpha0 = strength * prior_mean
        costs = np.array([spec.ticket_cost_per_1000km * it.km / 1000.0 for it in itineraries])
        kg = {m: spec.methods[m].kg for m in methods}
        tables = cls(
            itineraries=itineraries,
            method_cdf=method_cdf,
            method_sigma=np.array([spec.methods[m].kg.sigma for m in methods]),
            method_terms=[(m, kg[m].min, kg[m].max, kg[m].median) for m in methods],
            ticket_costs=costs.tolist(),
            mean_kg=mean_kg,
            prior_mean=prior_mean,
            prior_known=prior_mean > 0,
            prior_floor=np.maximum(prior_mean, 1e-12),
            stop_index=stop_index,
            stop_prior=stop_prior,
            alpha0=alpha0,
            pseudo_total=alpha0 + strength * (1.0 - prior_mean),
            trip_cost=mean_kg * spec.buy_price_per_kg + spec.courier_fee + costs,
        )
        for value in (
            tables.method_cdf,
            tables.method_sigma,
            tables.prior_mean,
            tables.prior_known,
            tables.prior_floor,
            tables.stop_index,
            tables.stop_prior,
            tables.alpha0,
            tables.pseudo_total,
            tables.trip_cost,
        ):
            value.flags.writeable = False  # shared by every model of the scenario
        return tables


class TraffickerOrganisation(mesa.Agent):
    """Sends couriers each day along the itineraries it believes most profitable.

    Beliefs are a per-airport risk multiplier from a beta-binomial estimate: own passages and
    losses (plus public news of seizures, down-weighted) against a prior equal to the baseline
    risk it knows. Adaptation off keeps the prior, so route shares stay fixed.
    """

    def __init__(
        self,
        model: CocairModel,
        spec: OrganisationSpec,
        seed_seq: np.random.SeedSequence,
        tables: RouteTables,
    ):
        super().__init__(model)
        self.spec = spec
        self.name = spec.name
        self.stream = np.random.default_rng(seed_seq)
        self.profile_pool = self.stream.choice(PROFILE_COUNT, size=spec.profile_pool, replace=False)
        self.tables = tables
        self.itineraries = tables.itineraries
        self.org_key = (ORG, self.name)  # what alerts naming this organisation match
        n_air = len(model.network.airports)
        self.losses = np.zeros(n_air)
        self.passes = np.zeros(n_air)
        self.revenue_usd = 0.0
        self.spent_usd = 0.0
        self.route_probabilities = self._route_probabilities()

    # -- beliefs and choice -------------------------------------------------------------------
    def risk_multiplier(self) -> np.ndarray:
        t = self.tables
        if not self.spec.adaptation.enabled:
            return np.ones_like(t.prior_mean)
        posterior = (t.alpha0 + self.losses) / (t.pseudo_total + self.passes)
        return np.where(t.prior_known, posterior / t.prior_floor, 1.0)

    def _route_probabilities(self) -> np.ndarray:
        """Logit choice over itineraries by expected profit per courier."""
        spec, t = self.spec, self.tables
        risk = np.minimum(t.stop_prior * self.risk_multiplier()[t.stop_index], 0.99)
        survival = np.prod(1.0 - risk, axis=1)
        profit = survival * t.mean_kg * spec.sell_price_per_kg - t.trip_cost
        best = profit.max()
        scale = spec.choice_temperature * max(abs(best), 1.0)
        weights = np.exp((profit - best) / scale)
        return weights / weights.sum()

    def learn_passage(self, airports: tuple[int, ...], lost_at: int | None) -> None:
        """Own courier's fate: every control point passed, and where it was lost."""
        if not self.spec.adaptation.enabled:
            return
        passes = self.passes
        for a in airports:  # a few scalar updates: cheaper than fancy indexing (7 us a call)
            passes[a] += 1.0
        if lost_at is not None:
            self.losses[lost_at] += 1.0

    def learn_news(self, seizures_per_airport: np.ndarray) -> None:
        """Public news of the day's seizures, and slow forgetting of old evidence."""
        ad = self.spec.adaptation
        if not ad.enabled:
            return
        keep = 1.0 - ad.relax_per_day
        self.losses = keep * self.losses + ad.news_weight * seizures_per_airport
        self.passes = keep * self.passes + ad.news_weight * seizures_per_airport
        self.route_probabilities = self._route_probabilities()

    # -- daily action -------------------------------------------------------------------------
    def step(self) -> None:
        """Send today's couriers (a Poisson number) on sampled itineraries."""
        model, t = self.model, self.tables
        n = int(self.stream.poisson(self.spec.couriers_per_week / 7.0))
        if n == 0 or not self.itineraries:
            return
        uniforms = self.stream.random((n, N_UNIFORMS))
        normals = self.stream.standard_normal(n)
        cdf = np.cumsum(self.route_probabilities)
        cdf[-1] = 1.0
        routes = np.searchsorted(cdf, uniforms[:, U_ROUTE], side="right")
        methods = np.searchsorted(t.method_cdf, uniforms[:, U_METHOD], side="right")
        # The day's draws as whole arrays, then as Python numbers: per-courier numpy scalar
        # arithmetic was ~30% of this method. (np.exp on the array gives the same bits as on
        # each scalar; math.exp would not.)
        spread = np.exp(t.method_sigma[methods] * normals).tolist()
        pool = self.profile_pool.tolist()
        n_pool = len(pool)
        buy, fee = self.spec.buy_price_per_kg, self.spec.courier_fee
        day_start = model.day * 24.0
        terms, itineraries, costs = t.method_terms, t.itineraries, t.ticket_costs
        draws = zip(uniforms.tolist(), routes.tolist(), methods.tolist(), spread, strict=True)
        for u, r, m, lognormal in draws:
            method, lowest, highest, median = terms[m]
            kg = min(highest, max(lowest, median * lognormal))
            courier = Courier(
                model.next_courier_id(),
                self,
                itineraries[r],
                method,
                round(kg * 1000),
                pool[int(u[U_PROFILE] * n_pool)],
                u,
            )
            self.spent_usd += kg * buy + fee + costs[r]
            model.launch(courier, day_start + 24.0 * u[U_START])


class Courier:
    """One trip: an organisation's courier carrying `grams` by one concealment method.

    A plain object moved by the model's event queue rather than a Mesa agent: a courier lives
    for one trip of a few days and only acts at its control points, and registering and
    removing ~900 short-lived Mesa agents was ~20% of a run (measured, issue #7). Its id
    continues the model's agent numbering, and the model keeps the couriers under way.
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
        "org_key",
        "organisation",
        "profile",
        "route_key",
        "stages",
        "state",
        "stop",
        "uniforms",
        "unique_id",
    )

    def __init__(self, unique_id, organisation, itinerary, method, grams, profile, uniforms):
        self.unique_id = unique_id
        self.organisation = organisation
        self.itinerary = itinerary
        self.airports = itinerary.airports
        self.stages = itinerary.control_stages
        self.last_stop = len(itinerary.airports) - 1  # the arrival control
        self.method = method
        self.method_index = METHODS.index(method)
        self.grams = grams
        self.profile = profile
        self.uniforms = uniforms  # N_UNIFORMS numbers, laid out as U_* says
        self.state = "planned"  # planned -> at_airport / in_flight -> delivered | seized
        self.stop = 0  # index into itinerary.airports of the next control point
        self.flight = ""  # flight code of the leg touching the current stop
        self.leg_departure = 0.0
        self.leg_arrival = 0.0
        self.route_key = (PROFILE_ROUTE, profile, (self.airports[0], self.airports[-1]))
        self.org_key = organisation.org_key

    @property
    def kg(self) -> float:
        return self.grams / 1000.0

    def match_keys(self) -> tuple[tuple, ...]:
        return (self.route_key, (PROFILE_FLIGHT, self.profile, self.flight))

    @property
    def airport(self) -> int:
        """Where the courier is now (for a courier in flight: where it is heading)."""
        return self.airports[self.stop]

    @property
    def stage(self) -> str:
        return STAGES[self.stage_index]

    @property
    def stage_index(self) -> int:
        """0 departure, 1 transit, 2 arrival (see STAGE_INDEX)."""
        return min(self.stages[self.stop], 2)


class CustomsUnit(mesa.Agent):
    """Customs (or a joint airport task force) controlling passengers at one airport."""

    def __init__(
        self, model, airport, capacity, detection, training_level, task_force, operation_multiplier
    ):
        super().__init__(model)
        self.operation_multiplier = operation_multiplier
        self.airport = airport
        self.base_capacity = capacity
        self.training_level = training_level
        self.task_force = task_force
        gain = model.spec.screening.training_gain
        self.detection = np.minimum(
            1.0, np.asarray(detection, dtype=float) * (1.0 + gain * training_level)
        )
        self.passengers = max(float(model.network.daily_passengers[airport.index]), 1.0)
        sc = model.spec.screening
        # Constants of every control decision, read once as Python floats: screening runs
        # ~3,300 times a run and numpy scalar indexing and scenario attribute chains were ~40%
        # of it. Same values, same IEEE arithmetic.
        self.stage_lift = tuple(
            (
                np.array([sc.stage_selection.get(s, 0.0) for s in (DEPARTURE, TRANSIT, ARRIVAL)])
                * sc.courier_profiling_lift
            ).tolist()
        )
        self._detection = tuple(self.detection.tolist())
        self._from_source_lift = sc.arrival_from_source_lift
        self._targeting_uplift = model.spec.relay.targeting_uplift
        self._org_recognition = model.spec.relay.org_recognition
        self.board = model.boards[airport.index]
        self.capacity = float(capacity)
        self.flagged_controls = 0
        self.controls_per_alert = model.spec.relay.controls_per_alert
        # The selection chance on a quiet day (no alert posted, none used) per control stage,
        # for normal and for operation capacity: what `selection_probability` returns then.
        self._quiet = tuple(
            tuple(
                min(1.0, self._base_selection(capacity * factor, min(key, 2), key == 3))
                for key in range(4)  # 0-2 the stages, 3 arrival straight from a source country
            )
            for factor in (1.0, operation_multiplier)
        )
        self.quiet_selection = self._quiet[0]

    def _base_selection(self, capacity: float, stage: int, from_source: bool) -> float:
        """Routine selection chance at a stage, before alerts focus any capacity."""
        base = capacity / self.passengers * self.stage_lift[stage]
        if from_source:
            base *= self._from_source_lift
        return base

    def step(self) -> None:
        """Start of day: today's capacity (raised during the operation) and fresh counters."""
        operation = self.model.in_operation
        self.capacity = self.base_capacity * (self.operation_multiplier if operation else 1.0)
        self.quiet_selection = self._quiet[operation]
        self.flagged_controls = 0

    def selection_probability(self, stage: int, from_source: bool, flagged: bool) -> float:
        """Chance a courier is picked for control. Alerts focus capacity, they never add to it."""
        base = self._base_selection(self.capacity, stage, from_source)
        load = self.board.active * self.controls_per_alert + self.flagged_controls
        spare = max(0.0, 1.0 - load / self.capacity)
        if flagged and self.flagged_controls < self.capacity:
            return min(1.0, base * self._targeting_uplift)
        return min(1.0, base * spare)

    def screen(self, courier: Courier) -> tuple[bool, Alert | None]:
        """Control decision for one courier at this airport: (seized, the alert that flagged it)."""
        stop = courier.stop
        u = courier.uniforms
        if self.board.active or self.flagged_controls:
            return self._screen_with_alerts(courier, stop, u)
        # A quiet airport: the day's plain selection chance (the same number the general case
        # computes when no alert takes capacity). Most controls take this path; measured ~3x
        # cheaper than the general one.
        if u[U_SELECT + stop] >= self.quiet_selection[courier.stages[stop]]:
            return False, None
        return u[U_DETECT + stop] < self._detection[courier.method_index], None

    def _screen_with_alerts(self, courier: Courier, stop: int, u: list[float]):
        stage_key = courier.stages[stop]
        recognised = u[U_RECOGNISE] < self._org_recognition
        alert = (
            self.board.match(courier.match_keys(), courier.org_key, recognised)
            if self.board.active
            else None
        )
        p_select = self.selection_probability(min(stage_key, 2), stage_key == 3, alert is not None)
        if u[U_SELECT + stop] >= p_select:
            return False, None
        if alert is not None:
            self.flagged_controls += 1
        seized = u[U_DETECT + stop] < self._detection[courier.method_index]
        return seized, alert


class ContactPoint(mesa.Agent):
    """A national contact point (INTERPOL NCB / police): alerts at home, relay abroad, follow-up."""

    def __init__(self, model, country: int, name: str, airports: list[int], connected: bool):
        super().__init__(model)
        self.country = country
        self.name = name
        self.airports = airports
        self.connected = connected

    def receive_report(self, report: IntelReport, t: float) -> None:
        model = self.model
        relay = model.spec.relay
        model.log(
            t,
            "report",
            report.airport,
            courier=report.courier_id,
            report=report.id,
            organisation=report.organisation,
            channel="national",
        )
        model.alert_country(report, self, t, "national")
        if (
            report.organisation is not None
            and model.intel_rng.random() < relay.follow_up_probability
        ):
            extra = 1 + int(model.intel_rng.integers(0, max(relay.follow_up_arrests_max, 1)))
            model.record_arrests(extra, t, report)
        if not model.relay_active(t):
            return
        if model.relay_mode == "bilateral":
            delay = relay.bilateral_delay_days * 24.0
            for country in model.countries_on(report.itinerary, exclude=self.country):
                if model.intel_rng.random() < relay.bilateral_probability:
                    model.schedule(
                        t + delay,
                        model.contact_points[country].receive_alert,
                        (report, "bilateral"),
                    )
        elif model.relay_mode == "hub" and self.connected and model.hub is not None:
            model.schedule(t, model.hub.receive_report, report)

    def receive_alert(self, payload: tuple[IntelReport, str]) -> None:
        report, channel = payload
        self.model.alert_country(report, self, self.model.now, channel)


class CoordinationHub(mesa.Agent):
    """The Operational Coordination Unit: relays each report to every connected contact point
    after `latency` hours, sending at most `capacity` messages a day (the rest wait)."""

    def __init__(self, model, airport, connected: list[int], latency: float, capacity: int):
        super().__init__(model)
        self.airport = airport
        self.connected = connected
        self.latency = latency
        self.capacity = capacity
        self.sent_per_day: dict[int, int] = {}
        self.messages = 0

    def receive_report(self, report: IntelReport) -> None:
        model = self.model
        t = model.now
        model.log(
            t,
            "hub_received",
            self.airport.index,
            report=report.id,
            courier=report.courier_id,
            channel="hub",
        )
        for country in self.connected:
            if country == report.country:
                continue
            send = self._next_slot(t)
            self.messages += 1
            model.schedule(
                send + self.latency, model.contact_points[country].receive_alert, (report, "hub")
            )

    def _next_slot(self, t: float) -> float:
        """Time the next message can leave: now, or the start of the first day with capacity."""
        day = int(t // 24)
        while self.sent_per_day.get(day, 0) >= self.capacity:
            day += 1
        self.sent_per_day[day] = self.sent_per_day.get(day, 0) + 1
        return t if day == int(t // 24) else day * 24.0
