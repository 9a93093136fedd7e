"""The timetable: every link keeps its weekly frequency on average, fractional ones included."""

from __future__ import annotations

import pytest

from cocair_sim.errors import InputError
from cocair_sim.scenario import load_scenario
from cocair_sim.scenario.network import HOURS_PER_WEEK, network_for


def departures_between(route, start: float, end: float) -> list[float]:
    """Every departure of a route in [start, end), found through `next_departure`."""
    found, t = [], start
    while True:
        dep, _ = route.next_departure(t)
        if dep >= end:
            return found
        found.append(dep)
        t = dep + 1e-6


def test_half_weekly_frequencies_alternate_weeks(classroom_path):
    spec = load_scenario(classroom_path, {"links.0.weekly": 2.5})
    net = network_for(spec)
    link = spec.links[0]
    route = net.routes[net.route_between[(net.by_iata[link.origin], net.by_iata[link.destination])]]
    weeks = 20
    deps = departures_between(route, 0.0, weeks * HOURS_PER_WEEK)
    assert len(deps) == 50  # 2.5 a week, not 2 (rounded half to even) nor 3
    per_week = [sum(w * 168 <= d < (w + 1) * 168 for d in deps) for w in range(weeks)]
    assert sorted(set(per_week)) == [2, 3] and sum(per_week[:2]) == 5
    assert route.weekly == 2.5


def test_every_link_of_the_default_network_keeps_its_frequency(cocair3):
    net = network_for(cocair3)
    for link in cocair3.links:
        a, b = net.by_iata[link.origin], net.by_iata[link.destination]
        for o, d in [(a, b), (b, a)] if link.bidirectional else [(a, b)]:
            route = net.routes[net.route_between[(o, d)]]
            assert route.weekly == pytest.approx(link.weekly), (link.origin, link.destination)
            deps = departures_between(route, 0.0, 52 * HOURS_PER_WEEK)
            assert len(deps) == pytest.approx(52 * link.weekly, abs=1)
    assert any(link.weekly % 1 for link in cocair3.links)  # fractional ones are there


def test_a_frequency_that_fits_no_cycle_is_refused(classroom_path):
    with pytest.raises(InputError, match=r"links\[0\]\.weekly: 2.333 flights a week fit no cycle"):
        load_scenario(classroom_path, {"links.0.weekly": 2.333})
    assert network_for(load_scenario(classroom_path, {"links.0.weekly": 0.25}))
