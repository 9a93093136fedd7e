"""What trafficker organisations know and believe: route tables, risk beliefs, route and method
choice.

An organisation knows its itineraries and the baseline risk at each control point before the
run (`RouteTables`, a function of the scenario alone): the chance a courier is selected there in
normal times, and the chance a control finds the drugs, by concealment method. It believes the
risk at each airport is that baseline times a multiplier, learnt from evidence: its own
couriers' passages and losses, and public news of other organisations' seizures. Each evening it
chooses routes by a logit on expected profit per courier, and shifts its mix of concealment
methods by a logit on each method's change in expected profit per kg (`RouteChoice.choose`).

The evidence is unbiased in normal times, so that beliefs only move when risk does:
- an own courier of method m that reaches airport a adds d_m(a) / d0(a) passages there (its
  detectability relative to the organisation's usual mix) and, if seized there, one loss; the
  prior mean risk r0(a) is the flow-weighted mean the organisation expects per passage;
- news of other organisations' seizures at a (never its own, which it knows already) counts as
  losses, against the passages that would produce that many seizures at the prior risk: the
  traffic T(a) it believes passes there, nu(a) / r0(a), with nu(a) the seizures of others'
  couriers it expects at a a day in normal times.
In a world without an operation, E[losses] / E[passages] = r0(a) for both kinds of evidence.

All organisations' beliefs are held as one organisation x airport array and their choices are
computed together each evening, in a few numpy calls rather than a few per organisation. Every
number is computed exactly as it would be for the organisation alone (the same elementwise
operations; sums and maxima per organisation).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cocair_sim.scenario.schema import METHODS

if TYPE_CHECKING:
    from cocair_sim.model.model import CocairModel
    from cocair_sim.scenario.network import ControlPoints, Itinerary
    from cocair_sim.scenario.schema import KgDistribution, LargeConsignments, OrganisationSpec

MAX_CONTROLS = 4  # control points of an itinerary with at most two connections
RISK_CAP = 0.99  # no control point is believed certain death
N_METHODS = len(METHODS)
_NODES, _WEIGHTS = np.polynomial.hermite.hermgauss(48)


def cumulative(probabilities: np.ndarray) -> list[float]:
    """Cumulative probabilities as a list for `bisect.bisect_right`, the last set to exactly 1.

    The same sums as np.cumsum (it adds in sequence too), and bisect_right on it picks what
    np.searchsorted(side="right") picks: a handful of draws a day are cheaper looked up in Python
    than through numpy's per-call overhead."""
    cdf = list(itertools.accumulate(probabilities.tolist()))
    if cdf:
        cdf[-1] = 1.0
    return cdf


def _clipped_lognormal_mean(median: float, sigma: float, low: float, high: float) -> float:
    """Mean of median x exp(sigma Z), Z standard normal, clipped to [low, high] (by
    Gauss-Hermite quadrature)."""
    draws = median * np.exp(sigma * np.sqrt(2.0) * _NODES)
    return float(np.clip(draws, low, high) @ _WEIGHTS / np.sqrt(np.pi))


def expected_kg(kg: KgDistribution, large: LargeConsignments | None = None) -> float:
    """Mean load of a method: a lognormal around the median, clipped to [min, max]; with large
    consignments, their share drawn from their own lognormal, clipped to [min, their max]."""
    typical = _clipped_lognormal_mean(kg.median, kg.sigma, kg.min, kg.max)
    if large is None or large.share == 0.0:
        return typical
    big = _clipped_lognormal_mean(large.median, large.sigma, kg.min, large.max)
    return (1.0 - large.share) * typical + large.share * big


def _read_only(*arrays: np.ndarray) -> None:
    for value in arrays:
        value.flags.writeable = False  # shared by every model of the scenario


@dataclass(frozen=True, slots=True)
class RouteTables:
    """What an organisation knows before the run starts: its itineraries, methods, costs and the
    baseline chances of selection and detection at each control point. A function of the
    scenario alone, so it is built once per scenario and shared (read-only) by every model."""

    itineraries: list[Itinerary]
    # The methods as Python numbers, read per courier: the lognormal spread of the load,
    # (method, index in METHODS, min, max, median kg), and large consignments (share, median,
    # max kg, spread; None without), in the organisation's own order.
    method_sigma: tuple[float, ...]
    method_terms: tuple[tuple[str, int, float, float, float], ...]
    large: tuple[tuple[float, float, float, float] | None, ...]
    method_index: np.ndarray  # the organisation's methods as indices into METHODS
    base_share: np.ndarray  # share of each method (METHODS order, 0 for unused ones)
    kg: np.ndarray  # mean load of each method (METHODS order)
    ticket_costs: list[float]  # per itinerary, Python floats for per-courier lookups
    stops: ControlPoints  # the itineraries' control points (see scenario.network)
    stop_select: np.ndarray  # itinerary x control point: selection chance, 0 in padding
    stop_detect: np.ndarray  # itinerary x control point x method: detection chance
    fixed_cost: np.ndarray  # per itinerary: courier fee and ticket

    @classmethod
    def build(cls, model: CocairModel, spec: OrganisationSpec) -> RouteTables:
        """An organisation's tables from the scenario and the model's customs units."""
        stops = model.network.control_points(spec.sources, spec.markets)
        itineraries = stops.itineraries
        methods = [m for m in METHODS if m in spec.methods]
        profiles = [unit.profile for unit in model.customs]
        # The routine selection chance of every control point, as CustomsProfile computes it
        # for a quiet day (the same operations in the same order).
        capacity = np.array([p.base_capacity for p in profiles])[stops.airport]
        passengers = np.array([p.passengers for p in profiles])[stops.airport]
        lift = np.array(profiles[0].stage_lift)[stops.stage] if profiles else 0.0
        selection = capacity / passengers * lift
        selection = np.where(
            stops.from_source, selection * model.spec.screening.arrival_from_source_lift, selection
        )
        select = np.where(stops.real, np.minimum(1.0, selection), 0.0)
        flagged = _flag_chance(model, stops) * model.spec.relay.named_control
        select = select + (1.0 - select) * flagged
        detection = np.array([p.detection for p in profiles]).reshape(len(profiles), N_METHODS)
        detect = np.where(stops.real[..., None], detection[stops.airport], 0.0)
        costs = np.array([spec.ticket_cost_per_1000km * it.km / 1000.0 for it in itineraries])
        loads = model.spec.trafficking.load_multiplier
        kg = {m: _scaled(spec.methods[m].kg, loads) for m in methods}
        large = {m: _scaled_large(spec.methods[m].large, loads) for m in methods}
        tables = cls(
            itineraries=itineraries,
            method_sigma=tuple(float(kg[m].sigma) for m in methods),
            method_terms=tuple(
                (m, METHODS.index(m), kg[m].min, kg[m].max, kg[m].median) for m in methods
            ),
            large=tuple(
                None
                if large[m] is None or large[m].share == 0.0
                else (large[m].share, large[m].median, large[m].max, large[m].sigma)
                for m in methods
            ),
            method_index=np.array([METHODS.index(m) for m in methods], dtype=np.intp),
            base_share=np.array(
                [spec.methods[m].share if m in spec.methods else 0.0 for m in METHODS]
            ),
            kg=np.array([expected_kg(kg[m], large[m]) if m in kg else 0.0 for m in METHODS]),
            ticket_costs=costs.tolist(),
            stops=stops,
            stop_select=select,
            stop_detect=detect,
            fixed_cost=spec.courier_fee + costs,
        )
        _read_only(
            *(v for v in (getattr(tables, f) for f in cls.__slots__) if isinstance(v, np.ndarray))
        )
        return tables


def _flag_chance(model: CocairModel, stops: ControlPoints) -> np.ndarray:
    """itinerary x control point: the chance a courier is named to this control point by the
    routine passenger-data checks of its country, which organisations count among the risks of
    normal times. A trip is flagged by the first country on its itinerary whose check hits (as
    `CocairModel._check_passenger_data` decides), and the name reaches that country's airports
    ahead; the hub's checks come with the operation, not with normal times."""
    data = model.spec.passenger_data
    out = np.zeros(stops.airport.shape)
    if data.hit_probability <= 0 or not data.countries:
        return out
    net = model.network
    checking = {net.countries.index(c) for c in data.countries}
    country = net.airport_country
    h = data.hit_probability
    for i, it in enumerate(stops.itineraries):
        chance, missed = {}, 1.0
        for k in model.countries_on(it.airports, exclude=-1):
            if k in checking:
                chance[k] = missed * h
                missed *= 1.0 - h
        for j in range(stops.airport.shape[1]):
            if stops.real[i, j]:
                out[i, j] = chance.get(int(country[stops.airport[i, j]]), 0.0)
    return out


def _scaled_large(large: LargeConsignments | None, factor: float) -> LargeConsignments | None:
    """Large consignments with their weights scaled (`trafficking.load_multiplier`)."""
    if large is None or factor == 1.0:
        return large
    return large.model_copy(update={"median": large.median * factor, "max": large.max * factor})


def _scaled(kg: KgDistribution, factor: float) -> KgDistribution:
    """A load distribution with every weight scaled (`trafficking.load_multiplier`)."""
    if factor == 1.0:
        return kg
    return kg.model_copy(
        update={"median": kg.median * factor, "min": kg.min * factor, "max": kg.max * factor}
    )


@dataclass(frozen=True, slots=True)
class Choice:
    """One evening's choices of every organisation."""

    routes: list[np.ndarray]  # per organisation: probability of each of its itineraries
    shares: np.ndarray  # organisation x method (METHODS order): the mix of methods


@dataclass(frozen=True, slots=True)
class RouteChoice:
    """The fixed terms of every organisation's choices, stacked: itinerary rows of all
    organisations one after the other, organisation x airport arrays for the beliefs. Built once
    per scenario and shared (read-only)."""

    segments: tuple[tuple[int, int], ...]  # itinerary rows of each organisation
    starts: np.ndarray  # first row of each organisation that has itineraries
    row_org: np.ndarray  # per row: its organisation
    row_segment: np.ndarray  # per row: its organisation's position in `starts`
    stop_index: np.ndarray  # row x control point: index into the flattened multiplier
    stop_select: np.ndarray  # row x control point
    stop_detect: np.ndarray  # row x control point x method
    kg: np.ndarray  # row x method: mean loads
    sell_price: np.ndarray  # row x 1
    buy_price: np.ndarray  # row x 1
    fixed_cost: np.ndarray  # per row
    temperature: np.ndarray  # per organisation with itineraries
    base_share: np.ndarray  # organisation x method
    alpha0: np.ndarray  # organisation x airport: prior pseudo-losses
    pseudo_total: np.ndarray  # organisation x airport: prior pseudo-passages
    prior_mean: np.ndarray  # organisation x airport: the risk expected per passage
    prior_floor: np.ndarray  # organisation x airport: prior_mean away from 0
    learns: np.ndarray  # organisation x airport: adaptive organisation, airport of known risk
    keep: np.ndarray  # organisation x 1: evidence kept from one day to the next
    news_weight: np.ndarray  # organisation x 1
    news_traffic: np.ndarray  # organisation x airport: the passages news counts against
    relative_detection: np.ndarray  # organisation x method x airport: d_m(a) / d0(a)
    method_adaptive: np.ndarray  # organisation x 1: shifts its mix of methods
    method_scale: np.ndarray  # organisation x 1: the methods' logit scale, USD per kg
    sell_per_org: np.ndarray  # organisation x 1: sell price per kg
    prior_survival: np.ndarray  # row x method: chance a courier gets through at the prior risk
    prior: Choice  # the choices on no evidence
    adaptive: bool  # any organisation learns at all

    @classmethod
    def build(
        cls,
        tables: list[RouteTables],
        specs: list[OrganisationSpec],
        n_air: int,
        volume: float = 1.0,
    ) -> RouteChoice:
        """`volume` scales every organisation's couriers (`trafficking.volume_multiplier`)."""
        n_org = len(tables)
        sizes = [len(t.itineraries) for t in tables]
        bounds = [0, *itertools.accumulate(sizes)]
        live = [k for k, n in enumerate(sizes) if n]
        row_org = np.concatenate([np.full(sizes[k], k) for k in live] or [np.zeros(0, int)])
        position = {k: i for i, k in enumerate(live)}

        def rows(arrays, shape) -> np.ndarray:
            return np.concatenate([arrays[k] for k in live] or [np.zeros((0, *shape))])

        def per_row(values) -> np.ndarray:
            return np.array([float(values[k]) for k in row_org.tolist()]).reshape(-1, 1)

        adaptive = np.array([s.adaptation.enabled for s in specs], dtype=bool)
        base_share = np.array([t.base_share for t in tables]).reshape(n_org, N_METHODS)
        fields = dict(
            segments=tuple(itertools.pairwise(bounds)),
            starts=np.array([bounds[k] for k in live], dtype=np.intp),
            row_org=row_org.astype(np.intp),
            row_segment=np.array([position[k] for k in row_org.tolist()], dtype=np.intp),
            stop_index=rows(
                [t.stops.airport + k * n_air for k, t in enumerate(tables)], (MAX_CONTROLS,)
            ).astype(np.intp),
            stop_select=rows([t.stop_select for t in tables], (MAX_CONTROLS,)),
            stop_detect=rows([t.stop_detect for t in tables], (MAX_CONTROLS, N_METHODS)),
            kg=np.array([tables[k].kg for k in row_org.tolist()]).reshape(-1, N_METHODS),
            sell_price=per_row([s.sell_price_per_kg for s in specs]),
            buy_price=per_row([s.buy_price_per_kg for s in specs]),
            fixed_cost=rows([t.fixed_cost for t in tables], ()),
            temperature=np.array([specs[k].choice_temperature for k in live], dtype=float),
            base_share=base_share,
            keep=np.array(
                [1.0 - s.adaptation.relax_per_day if s.adaptation.enabled else 1.0 for s in specs]
            ).reshape(n_org, 1),
            news_weight=np.array(
                [s.adaptation.news_weight if s.adaptation.enabled else 0.0 for s in specs]
            ).reshape(n_org, 1),
            method_adaptive=np.array(
                [s.adaptation.enabled and s.adaptation.method_choice for s in specs]
            ).reshape(n_org, 1),
        )
        # The prior: choices at multiplier 1 everywhere, with the methods' base shares.
        ones = np.ones((n_org, n_air))
        values = _method_values(fields, _survival(fields, ones))
        routes = _route_logit(fields, values, base_share)
        prior = Choice(routes, base_share)
        # What each organisation expects a courier to meet at each airport in normal times.
        passes, losses = _expected_evidence(tables, routes, n_air)
        prior_mean = np.divide(losses, passes, out=np.zeros_like(losses), where=passes > 0)
        prior_floor = np.maximum(prior_mean, 1e-12)
        detection = _detection_by_airport(tables, n_air)  # method x airport
        usual = base_share @ detection  # organisation x airport: its usual mix's
        relative = detection[None, :, :] / np.maximum(usual, 1e-12)[:, None, :]
        rate = (volume * np.array([s.couriers_per_week / 7.0 for s in specs])).reshape(n_org, 1)
        expected_news = rate * losses  # seizures a day of each organisation's couriers
        others = expected_news.sum(axis=0, keepdims=True) - expected_news
        learns = (prior_mean > 0) & adaptive[:, None]
        strength = np.array([1.0 / max(s.adaptation.rate, 1e-9) for s in specs]).reshape(n_org, 1)
        fields.update(
            alpha0=strength * prior_mean,
            pseudo_total=strength * np.ones((n_org, n_air)),
            prior_mean=prior_mean,
            prior_floor=prior_floor,
            learns=learns,
            news_traffic=np.where(learns, others / prior_floor, 0.0),
            relative_detection=relative,
            # A change in expected profit of `temperature` x the sell price per kg (a change of
            # `temperature` in the chance of getting through) shifts a method's weight by e.
            method_scale=np.array(
                [max(s.choice_temperature * s.sell_price_per_kg, 1e-9) for s in specs]
            ).reshape(n_org, 1),
            sell_per_org=np.array([s.sell_price_per_kg for s in specs]).reshape(n_org, 1),
            prior_survival=_survival(fields, ones),
            prior=prior,
            adaptive=bool(adaptive.any()),
        )
        choice = cls(**fields)
        _read_only(
            *(v for v in (getattr(choice, f) for f in cls.__slots__) if isinstance(v, np.ndarray))
        )
        for r in routes:
            r.flags.writeable = False
        return choice

    def multiplier(self, losses: np.ndarray, passes: np.ndarray) -> np.ndarray:
        """Each organisation's believed risk at each airport relative to the prior
        (organisation x airport)."""
        posterior = (self.alpha0 + losses) / (self.pseudo_total + passes)
        return np.where(self.learns, posterior / self.prior_floor, 1.0)

    def choose(self, losses: np.ndarray, passes: np.ndarray, shares: np.ndarray) -> Choice:
        """Every organisation's choices for tomorrow's bookings, given its evidence so far:
        routes by a logit on expected profit per courier under its current method mix; then
        its mix of methods, by a logit on each method's expected profit per kg shipped.

        The organisation's cocaine is what it has to move, so it compares methods per kg: a
        kilogram sent by method m earns its sell price times the chance of getting through,
        less its costs. Only the chance of getting through changes with beliefs, so the mix
        moves by each method's change in expected profit per kg since normal times, on today's
        routes: a risk that rises alike for every method (equal detection) moves nothing, and
        one that rises more for a method (it is detected more often where controls rose) moves
        kilograms away from it. The base shares hold everything else (skills, costs, habit)."""
        f = {name: getattr(self, name) for name in self.__slots__}
        survival = _survival(f, self.multiplier(losses, passes))
        values = _method_values(f, survival)
        routes = _route_logit(f, values, shares)
        change = _per_organisation(f, survival - self.prior_survival, routes)
        shift = np.exp(change * self.sell_per_org / self.method_scale)
        weights = self.base_share * shift
        adapted = weights / weights.sum(axis=1, keepdims=True)
        return Choice(routes, np.where(self.method_adaptive, adapted, self.base_share))

    def learn_news(
        self, losses: np.ndarray, passes: np.ndarray, others: np.ndarray, reported: float
    ) -> None:
        """Evening: the day's news of other organisations' seizures (organisation x airport,
        `others`, of which a share `reported` makes the news) and slow forgetting (in place)."""
        for evidence in (losses, passes):
            evidence *= self.keep
        losses += self.news_weight * reported * others
        passes += self.news_weight * reported * self.news_traffic


def _detection_by_airport(tables: list[RouteTables], n_air: int) -> np.ndarray:
    """method x airport: the detection chance at every airport on some itinerary."""
    out = np.zeros((N_METHODS, n_air))
    for t in tables:
        real = t.stops.real
        out[:, t.stops.airport[real]] = t.stop_detect[real].T
    return out


def _survival(f: dict, multiplier: np.ndarray) -> np.ndarray:
    """row x method: the chance a courier on the row's itinerary gets through with each
    method, given the believed multipliers."""
    mult = multiplier.ravel()[f["stop_index"]]  # row x control point
    risk = np.minimum(f["stop_select"][..., None] * f["stop_detect"] * mult[..., None], RISK_CAP)
    return np.prod(1.0 - risk, axis=1)


def _method_values(f: dict, survival: np.ndarray) -> np.ndarray:
    """row x method: what a courier on the row's itinerary is worth with each method (expected
    sales if it survives, minus the drugs' cost)."""
    return f["kg"] * (survival * f["sell_price"] - f["buy_price"])


def _route_logit(f: dict, values: np.ndarray, shares: np.ndarray) -> list[np.ndarray]:
    """Each organisation's logit choice over its itineraries by expected profit per courier."""
    if not len(f["starts"]):
        return [np.zeros(0) for _ in f["segments"]]
    profit = (values * shares[f["row_org"]]).sum(axis=1) - f["fixed_cost"]
    best = np.maximum.reduceat(profit, f["starts"])
    scale = f["temperature"] * np.maximum(np.abs(best), 1.0)
    weights = np.exp((profit - best[f["row_segment"]]) / scale[f["row_segment"]])
    # Sums per organisation on its own slice: numpy's pairwise summation then groups the terms
    # exactly as for the organisation alone (np.add.reduceat adds them in sequence).
    return [weights[a:b] / weights[a:b].sum() for a, b in f["segments"]]


def _per_organisation(f: dict, rows: np.ndarray, routes: list[np.ndarray]) -> np.ndarray:
    """organisation x method: a row x method quantity averaged over each organisation's
    routes, weighted by its route choice."""
    out = np.zeros((len(routes), N_METHODS))
    for k, (a, b) in enumerate(f["segments"]):
        if b > a:
            out[k] = routes[k] @ rows[a:b]
    return out


def _expected_evidence(
    tables: list[RouteTables], routes: list[np.ndarray], n_air: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per organisation and airport, in normal times and per courier sent: the passages it
    expects to record (weighted by detectability relative to its usual mix) and the losses."""
    passes = np.zeros((len(tables), n_air))
    losses = np.zeros((len(tables), n_air))
    for k, t in enumerate(tables):
        if not t.itineraries:
            continue
        travel = t.stops.travel  # control points in journey order
        real = np.take_along_axis(t.stops.real, travel, axis=1)
        airport = np.take_along_axis(t.stops.airport, travel, axis=1)
        detect = np.take_along_axis(t.stop_detect, travel[..., None], axis=1)
        risk = np.take_along_axis(t.stop_select, travel, axis=1)[..., None] * detect
        survive = np.where(real[..., None], 1.0 - risk, 1.0)
        # Of the couriers of each method, the share still carrying when they reach the point.
        reach = t.base_share * np.concatenate(
            [np.ones_like(survive[:, :1]), np.cumprod(survive, axis=1)[:, :-1]], axis=1
        )
        usual = np.maximum(detect @ t.base_share, 1e-12)
        weight = routes[k][:, None]
        np.add.at(passes[k], airport[real], (weight * (reach * detect).sum(-1) / usual)[real])
        np.add.at(losses[k], airport[real], (weight * (reach * risk).sum(-1))[real])
    return passes, losses
