"""The air network: airports, a flight timetable and the itineraries couriers can take.

Built once per scenario (cheap, deterministic) and shared by every agent. Itineraries run from a
source airport to a destination airport with at most two connections, without revisiting an
airport. The timetable spreads each link's flights evenly over a cycle of whole weeks: one week
for a whole number of flights a week, two for 2.5 (alternate weeks of 2 and 3 flights), so that
every link keeps its weekly frequency on average. Couriers take the next departure with at least
`MIN_CONNECTION_HOURS` to connect.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from cocair_sim.scenario.schema import cycle_weeks

if TYPE_CHECKING:
    from cocair_sim.scenario.schema import Scenario

HOURS_PER_WEEK = 168.0
CRUISE_KMH = 800.0
TAXI_HOURS = 0.5
MIN_CONNECTION_HOURS = 2.0
MAX_LEGS = 3  # at most two connections


@dataclass(frozen=True, slots=True)
class Airport:
    """An airport of the network, as agents see it (`index` is its position everywhere)."""

    index: int
    iata: str
    name: str
    country: str
    lat: float
    lon: float
    role: str
    participant: bool
    hub_connected: bool


@dataclass(slots=True)
class Route:
    """One directed link with its departures over a cycle of whole weeks (hours since the
    cycle's first Monday 00:00, the run's start)."""

    index: int
    origin: int
    destination: int
    km: float
    departures: list[float]
    cycle_hours: float
    block_hours: float
    flight_codes: list[str] = field(default_factory=list)  # per slot of the cycle

    def next_departure(self, t: float) -> tuple[float, int]:
        """First departure at or after absolute hour `t`, and its slot number in the cycle."""
        cycle, within = divmod(t, self.cycle_hours)
        deps = self.departures
        k = bisect.bisect_left(deps, within)
        if k == len(deps):
            return (cycle + 1) * self.cycle_hours + deps[0], 0
        return cycle * self.cycle_hours + deps[k], k

    @property
    def weekly(self) -> float:
        """Flights a week, on average."""
        return len(self.departures) * HOURS_PER_WEEK / self.cycle_hours


@dataclass(frozen=True, slots=True)
class Itinerary:
    """A way from a source airport to a destination airport: its airports, the routes between
    them and how each stop is controlled."""

    index: int
    airports: tuple[int, ...]
    routes: tuple[int, ...]
    km: float
    # The last leg leaves a source airport (a direct flight): arrival controls then look harder.
    final_from_source: bool = False
    # Kind of control at each airport, as customs units index their selection rates: 0 departure,
    # 1 transit, 2 arrival, 3 arrival straight from a source country.
    control_stages: tuple[int, ...] = ()

    @property
    def connections(self) -> int:
        """Changes of flight on the way (0 for a direct flight)."""
        return len(self.routes) - 1


@dataclass
class Network:
    """A scenario's airports, routes with their timetables, and every itinerary couriers can
    take; built once and shared read-only by the agents (`network_for`)."""

    airports: list[Airport]
    routes: list[Route]
    itineraries: list[Itinerary]
    daily_passengers: np.ndarray  # through each airport per day, both directions of every route
    by_iata: dict[str, int] = field(default_factory=dict)
    route_between: dict[tuple[int, int], int] = field(default_factory=dict)
    _stops: dict[tuple, ControlPoints] = field(default_factory=dict, repr=False, compare=False)

    def itineraries_for(self, sources, markets) -> list[Itinerary]:
        """The itineraries from any of `sources` to any of `markets` (IATA codes; unknown ones
        are ignored)."""
        src = {self.by_iata[c] for c in sources if c in self.by_iata}
        dst = {self.by_iata[c] for c in markets if c in self.by_iata}
        return [it for it in self.itineraries if it.airports[0] in src and it.airports[-1] in dst]

    def control_points(self, sources, markets) -> ControlPoints:
        """The control points of the itineraries from `sources` to `markets`, as arrays (built
        once per network and organisation)."""
        key = (tuple(sources), tuple(markets))
        if key not in self._stops:
            self._stops[key] = ControlPoints.build(self.itineraries_for(sources, markets))
        return self._stops[key]

    @cached_property
    def countries(self) -> list[str]:
        """Countries in order of first appearance in the scenario."""
        return list(dict.fromkeys(a.country for a in self.airports))

    @cached_property
    def airport_country(self) -> np.ndarray:
        """Each airport's country, as its index in `countries`."""
        index = {c: i for i, c in enumerate(self.countries)}
        return np.array([index[a.country] for a in self.airports], dtype=np.int64)


@dataclass(frozen=True)
class ControlPoints:
    """The control points of a list of itineraries as itinerary x control point arrays, in
    ascending airport order (so that rows of several organisations stack), padded to MAX_LEGS
    + 1 with cells that `real` marks false."""

    itineraries: list[Itinerary]
    airport: np.ndarray  # the airport of each control point (0 in padding)
    real: np.ndarray  # a control point, not padding
    stage: np.ndarray  # 0 departure, 1 transit, 2 arrival
    from_source: np.ndarray  # an arrival straight from a source airport
    order: np.ndarray  # position on the journey (0 first)
    travel: np.ndarray  # the columns in journey order (padding last)

    @classmethod
    def build(cls, itineraries: list[Itinerary]) -> ControlPoints:
        """Lay out the control points of `itineraries` (the arrays are made read-only)."""
        shape = (len(itineraries), MAX_LEGS + 1)
        airport = np.zeros(shape, dtype=np.intp)
        real = np.zeros(shape, dtype=bool)
        stage = np.zeros(shape, dtype=np.intp)
        from_source = np.zeros(shape, dtype=bool)
        order = np.full(shape, MAX_LEGS + 1, dtype=np.intp)
        for i, it in enumerate(itineraries):
            last = len(it.airports) - 1
            for j, (stop, a) in enumerate(sorted(enumerate(it.airports), key=lambda s: s[1])):
                airport[i, j], real[i, j], order[i, j] = a, True, stop
                stage[i, j] = 0 if stop == 0 else (2 if stop == last else 1)
                from_source[i, j] = stop == last and it.final_from_source
        travel = np.argsort(order, axis=1, kind="stable")
        for value in (airport, real, stage, from_source, order, travel):
            value.flags.writeable = False
        return cls(itineraries, airport, real, stage, from_source, order, travel)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance between two points on a spherical Earth (haversine): a link's length when the
    scenario gives none."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def _departures(weekly: float, hours: list[float] | None, salt: int, weeks: int) -> list[float]:
    """A link's departures over a cycle of `weeks` weeks, spread evenly over its days (flight k
    of n leaves on day floor(7 * weeks * k / n)); fixed hours cycle if given."""
    n = round(weekly * weeks)
    days = 7 * weeks
    deps = []
    for k in range(n):
        day = (k * days) // n
        hour = hours[k % len(hours)] if hours else 6.0 + ((k * 7 + salt * 5) % 17)
        deps.append(day * 24.0 + hour)
    return sorted(deps)


def _repeat(deps: list[float], weeks: int, times: int) -> list[float]:
    """A cycle of `weeks` weeks repeated `times` times (to merge links of different cycles)."""
    return [d + j * weeks * HOURS_PER_WEEK for j in range(times) for d in deps]


def build_network(scenario: Scenario) -> Network:
    """Build a scenario's network afresh: airports, timetables (a duplicate link adds its
    flights to the first), daily passengers and itineraries. Models use `network_for`."""
    airports = []
    by_iata: dict[str, int] = {}
    for i, spec in enumerate(scenario.airports):
        connected = spec.participant if spec.hub_connected is None else spec.hub_connected
        airports.append(
            Airport(
                index=i,
                iata=spec.iata,
                name=spec.name or spec.city or spec.iata,
                country=spec.country or spec.iata,
                lat=float(spec.lat),
                lon=float(spec.lon),
                role=spec.role,
                participant=spec.participant,
                hub_connected=connected,
            )
        )
        by_iata.setdefault(spec.iata, i)
    routes: list[Route] = []
    route_between: dict[tuple[int, int], int] = {}
    pax_per_flight = scenario.screening.seats_per_flight * scenario.screening.load_factor
    passengers = np.zeros(len(airports))
    for link in scenario.links:
        a, b = by_iata[link.origin], by_iata[link.destination]
        km = link.km or great_circle_km(
            airports[a].lat, airports[a].lon, airports[b].lat, airports[b].lon
        )
        weeks = cycle_weeks(link.weekly)
        pairs = [(a, b), (b, a)] if link.bidirectional else [(a, b)]
        for o, d in pairs:
            if (o, d) in route_between:  # a duplicate link adds frequency to the first
                r = routes[route_between[(o, d)]]
                old_weeks = round(r.cycle_hours / HOURS_PER_WEEK)
                both = math.lcm(old_weeks, weeks)
                extra = _departures(link.weekly, link.hours, len(routes) + 7, weeks)
                r.departures = sorted(
                    _repeat(r.departures, old_weeks, both // old_weeks)
                    + _repeat(extra, weeks, both // weeks)
                )
                r.cycle_hours = both * HOURS_PER_WEEK
            else:
                idx = len(routes)
                routes.append(
                    Route(
                        idx,
                        o,
                        d,
                        km,
                        _departures(link.weekly, link.hours, idx, weeks),
                        weeks * HOURS_PER_WEEK,
                        km / CRUISE_KMH + TAXI_HOURS,
                    )
                )
                route_between[(o, d)] = idx
            passengers[o] += link.weekly * pax_per_flight / 7.0
            passengers[d] += link.weekly * pax_per_flight / 7.0
    # Flight codes are looked up at every boarding: format them once per route and slot.
    for r in routes:
        code = f"{airports[r.origin].iata}-{airports[r.destination].iata}"
        r.flight_codes = [f"{code}/{slot}" for slot in range(len(r.departures))]
    return Network(
        airports, routes, _itineraries(airports, routes), passengers, by_iata, route_between
    )


_NETWORKS: dict[tuple, tuple[Network, tuple]] = {}
MAX_NETWORKS = 16


def network_for(scenario: Scenario) -> Network:
    """The network of a scenario, built once and shared (read-only) by every model of it, and by
    copies of it that change no field the network depends on (`scenario.updates`): the key is
    what the network reads of each airport (not its customs), the identity of the links and the
    screening fields for passengers."""
    screening = scenario.screening
    key = (
        tuple(
            (
                a.iata,
                a.name,
                a.city,
                a.country,
                a.lat,
                a.lon,
                a.role,
                a.participant,
                a.hub_connected,
            )
            for a in scenario.airports
        ),
        id(scenario.links),
        screening.seats_per_flight,
        screening.load_factor,
    )
    hit = _NETWORKS.get(key)
    if hit is None:
        if len(_NETWORKS) >= MAX_NETWORKS:
            _NETWORKS.pop(next(iter(_NETWORKS)))
        # The links are kept alive with the entry, so their id cannot be reused.
        hit = _NETWORKS[key] = (build_network(scenario), scenario.links)
    return hit[0]


def _itineraries(airports: list[Airport], routes: list[Route]) -> list[Itinerary]:
    """All simple paths source -> destination with at most MAX_LEGS legs (depth-first)."""
    out_routes: dict[int, list[Route]] = {}
    for r in routes:
        out_routes.setdefault(r.origin, []).append(r)
    result: list[Itinerary] = []

    def extend(path: list[int], legs: list[int], km: float) -> None:
        here = path[-1]
        for r in out_routes.get(here, ()):
            nxt = r.destination
            if nxt in path or airports[nxt].role == "source":
                continue
            new_path, new_legs, new_km = [*path, nxt], [*legs, r.index], km + r.km
            if airports[nxt].role == "destination":
                from_source = airports[here].role == "source"
                stages = (0,) + (1,) * (len(new_path) - 2) + (3 if from_source else 2,)
                result.append(
                    Itinerary(
                        len(result), tuple(new_path), tuple(new_legs), new_km, from_source, stages
                    )
                )
            if len(new_legs) < MAX_LEGS:
                extend(new_path, new_legs, new_km)

    for a in airports:
        if a.role == "source":
            extend([a.index], [], 0.0)
    return result
