"""What trafficker organisations know and believe: route tables, risk beliefs, route choice.

An organisation knows its itineraries and the baseline risk at each control point before the run
(`RouteTables`, a function of the scenario alone). It learns from its own couriers' fates and
from public news of seizures: a beta-binomial estimate of the risk at each airport, from which it
chooses routes by a logit on expected profit per courier (`RouteChoice`).

All organisations' beliefs are held as one organisation x airport array and their route choices
are computed together each evening, in a few numpy calls rather than a few per organisation.
Every number is computed exactly as it would be for the organisation alone (the same elementwise
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
    from cocair_sim.scenario.network import Itinerary
    from cocair_sim.scenario.schema import OrganisationSpec

MAX_CONTROLS = 4  # control points of an itinerary with at most two connections
RISK_CAP = 0.99  # no control point is believed certain death


def cumulative(probabilities: np.ndarray) -> list[float]:
    """Cumulative probabilities as a list for `bisect.bisect_right`, the last set to exactly 1.

    The same sums as np.cumsum (it adds in sequence too), and bisect_right on it picks what
    np.searchsorted(side="right") picks: a handful of draws a day are cheaper looked up in Python
    than through numpy's per-call overhead."""
    cdf = list(itertools.accumulate(probabilities.tolist()))
    if cdf:
        cdf[-1] = 1.0
    return cdf


def _read_only(*arrays: np.ndarray) -> None:
    for value in arrays:
        value.flags.writeable = False  # shared by every model of the scenario


@dataclass(frozen=True, slots=True)
class RouteTables:
    """What an organisation knows before the run starts: its itineraries, methods, costs and the
    baseline risk at each control point. A function of the scenario alone, so it is built once
    per scenario and shared (read-only) by every model of it."""

    itineraries: list[Itinerary]
    # The methods as Python numbers, read per courier: cumulative shares (for bisect), the
    # lognormal spread of the load, and (method, index in METHODS, min, max, median kg).
    method_cdf: tuple[float, ...]
    method_sigma: tuple[float, ...]
    method_terms: tuple[tuple[str, int, float, float, float], ...]
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
        method_cdf = cumulative(np.array([spec.methods[m].share for m in methods]))
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
        # on it instead of the mostly-zero itinerary x airport matrix.
        # Same numbers: the product over a row meets the same factors in the same order
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
            method_cdf=tuple(method_cdf),
            method_sigma=tuple(float(spec.methods[m].kg.sigma) for m in methods),
            method_terms=tuple(
                (m, METHODS.index(m), kg[m].min, kg[m].max, kg[m].median) for m in methods
            ),
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
        _read_only(
            tables.prior_mean,
            tables.prior_known,
            tables.prior_floor,
            tables.stop_index,
            tables.stop_prior,
            tables.alpha0,
            tables.pseudo_total,
            tables.trip_cost,
        )
        return tables


@dataclass(frozen=True, slots=True)
class RouteChoice:
    """The fixed terms of every organisation's route choice, stacked: itinerary rows of all
    organisations one after the other, organisation x airport arrays for the beliefs. Built once
    per scenario and shared (read-only)."""

    segments: tuple[tuple[int, int], ...]  # itinerary rows of each organisation
    starts: np.ndarray  # first row of each organisation that has itineraries
    row_segment: np.ndarray  # per row: its organisation's position in `starts`
    stop_index: np.ndarray  # row x control point: index into the flattened multiplier
    stop_prior: np.ndarray  # row x control point: prior risk, 0 in padding
    mean_kg: np.ndarray  # per row: its organisation's mean load
    sell_price: np.ndarray  # per row
    trip_cost: np.ndarray  # per row
    temperature: np.ndarray  # per organisation with itineraries
    alpha0: np.ndarray  # organisation x airport: prior pseudo-losses
    pseudo_total: np.ndarray  # organisation x airport: prior pseudo-passages
    prior_floor: np.ndarray  # organisation x airport
    learns: np.ndarray  # organisation x airport: adaptive organisation, airport of known risk
    keep: np.ndarray  # organisation x 1: evidence kept from one day to the next
    news_weight: np.ndarray  # organisation x 1: weight of a seizure in the news
    adaptive: bool  # any organisation learns at all

    @classmethod
    def build(cls, tables: list[RouteTables], specs: list[OrganisationSpec]) -> RouteChoice:
        n_air = len(tables[0].prior_mean) if tables else 0
        sizes = [len(t.itineraries) for t in tables]
        bounds = [0, *itertools.accumulate(sizes)]
        segments = tuple(itertools.pairwise(bounds))
        live = [k for k, n in enumerate(sizes) if n]
        rows = [np.full(sizes[k], k) for k in live]
        row_org = np.concatenate(rows) if rows else np.zeros(0, dtype=int)
        position = {k: i for i, k in enumerate(live)}

        def per_row(values) -> np.ndarray:
            return np.array([float(values[k]) for k in row_org.tolist()])

        def stacked(arrays) -> np.ndarray:
            return np.array(arrays, dtype=float).reshape(len(tables), n_air)

        enabled = np.array([s.adaptation.enabled for s in specs], dtype=bool)
        choice = cls(
            segments=segments,
            starts=np.array([bounds[k] for k in live], dtype=np.intp),
            row_segment=np.array([position[k] for k in row_org.tolist()], dtype=np.intp),
            stop_index=np.concatenate(
                [tables[k].stop_index + k * n_air for k in live] or [np.zeros((0, MAX_CONTROLS))]
            ).astype(np.intp),
            stop_prior=np.concatenate(
                [tables[k].stop_prior for k in live] or [np.zeros((0, MAX_CONTROLS))]
            ),
            mean_kg=per_row([t.mean_kg for t in tables]),
            sell_price=per_row([s.sell_price_per_kg for s in specs]),
            trip_cost=np.concatenate([t.trip_cost for t in tables] or [np.zeros(0)]),
            temperature=np.array([specs[k].choice_temperature for k in live], dtype=float),
            alpha0=stacked([t.alpha0 for t in tables]),
            pseudo_total=stacked([t.pseudo_total for t in tables]),
            prior_floor=stacked([t.prior_floor for t in tables]),
            learns=stacked([t.prior_known for t in tables]).astype(bool) & enabled[:, None],
            # An organisation that does not adapt keeps its (empty) evidence as it is: x 1 + 0.
            keep=np.array(
                [[1.0 - s.adaptation.relax_per_day if s.adaptation.enabled else 1.0] for s in specs]
            ).reshape(len(specs), 1),
            news_weight=np.array(
                [[s.adaptation.news_weight if s.adaptation.enabled else 0.0] for s in specs]
            ).reshape(len(specs), 1),
            adaptive=bool(enabled.any()),
        )
        _read_only(
            *(v for v in (getattr(choice, f) for f in cls.__slots__) if isinstance(v, np.ndarray))
        )
        return choice

    def probabilities(self, losses: np.ndarray, passes: np.ndarray) -> list[np.ndarray]:
        """Each organisation's logit choice over its itineraries by expected profit per courier,
        given its evidence so far (losses and passages per airport)."""
        posterior = (self.alpha0 + losses) / (self.pseudo_total + passes)
        multiplier = np.where(self.learns, posterior / self.prior_floor, 1.0)
        risk = np.minimum(self.stop_prior * multiplier.ravel()[self.stop_index], RISK_CAP)
        survival = np.prod(1.0 - risk, axis=1)
        profit = survival * self.mean_kg * self.sell_price - self.trip_cost
        best = np.maximum.reduceat(profit, self.starts) if len(self.starts) else profit
        scale = self.temperature * np.maximum(np.abs(best), 1.0)
        weights = np.exp((profit - best[self.row_segment]) / scale[self.row_segment])
        # Sums per organisation on its own slice: numpy's pairwise summation then groups the
        # terms exactly as for the organisation alone (np.add.reduceat adds them in sequence).
        return [weights[a:b] / weights[a:b].sum() for a, b in self.segments]

    def prior(self, n_air: int) -> list[np.ndarray]:
        """The route choice on no evidence (the same for every model of the scenario)."""
        empty = np.zeros((len(self.segments), n_air))
        probabilities = self.probabilities(empty, empty)
        _read_only(*probabilities)
        return probabilities

    def learn_news(self, losses: np.ndarray, passes: np.ndarray, seizures: np.ndarray) -> None:
        """Public news of the day's seizures, and slow forgetting of old evidence (in place)."""
        news = self.news_weight * seizures
        for evidence in (losses, passes):
            evidence *= self.keep
            evidence += news
