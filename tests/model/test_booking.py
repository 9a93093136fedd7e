"""Trips are booked days ahead: what an organisation learns after booking a trip cannot change
it. Under common random numbers, trips booked before a change are the same in both worlds."""

from __future__ import annotations

import numpy as np

from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import daily_rows
from cocair_sim.scenario import load_scenario

CRACKDOWN_DAY = 14
LONG_OPERATION = {
    "relay.mode": "none",
    "calendar.days": 28,
    "calendar.operation_start": CRACKDOWN_DAY,
    "calendar.operation_days": 14,
    "operation.capacity_multiplier": 1,  # only the crackdown changes on day 14
}


def via_by_day(model: CocairModel) -> np.ndarray:
    """kg sent each day through each transit airport (days x airports)."""
    header, rows = daily_rows(model)
    columns = [i for i, name in enumerate(header) if name.startswith("kg_via_")]
    return np.array([[row[i] for i in columns] for row in rows])


def test_trips_booked_before_a_crackdown_are_the_same_with_and_without_it(cocair3_path):
    quiet = load_scenario(cocair3_path, LONG_OPERATION)
    crackdown = load_scenario(
        cocair3_path, {**LONG_OPERATION, "airports.CMN.customs.operation_multiplier": 20}
    )
    lead = quiet.organisations[0].booking_lead_days
    assert lead >= 2 and all(o.booking_lead_days == lead for o in quiet.organisations)
    later_differs = 0
    for seed in range(10):
        a = via_by_day(CocairModel(quiet, seed=seed).run())
        b = via_by_day(CocairModel(crackdown, seed=seed).run())
        # Every trip leaving before day D + lead was booked before the crackdown began.
        np.testing.assert_array_equal(a[: CRACKDOWN_DAY + lead], b[: CRACKDOWN_DAY + lead])
        later_differs += not np.array_equal(
            a[CRACKDOWN_DAY + lead + 1 :], b[CRACKDOWN_DAY + lead + 1 :]
        )
    assert later_differs >= 8  # after that the organisations have learnt and reroute


def test_a_booked_trip_leaves_on_its_day_with_its_itinerary(classroom):
    model = CocairModel(classroom, seed=2)
    model.step()
    org = model.organisations[0]
    lead = org.lead
    booked = [c for c, _hour, _cost in org.bookings[lead]]
    assert booked and all(c.state == "booked" for c in booked)
    itineraries = {c.unique_id: c.itinerary for c in booked}
    for _ in range(lead):
        model.step()
    launched = {c.unique_id: c for c in model.couriers.values()} | {
        c.unique_id: c for c in booked if c.state in ("delivered", "seized")
    }
    assert all(launched[i].itinerary is it for i, it in itineraries.items())
    assert all(c.state != "booked" for c in booked)
