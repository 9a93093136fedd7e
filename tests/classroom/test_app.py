"""The classroom page's text, without a browser: the event feed and the status lines."""

from __future__ import annotations

from cocair_sim.classroom.app import build_twin, describe_events, status_line
from tests.helpers import CLASSROOM


def test_event_feed_sentence_for_a_classroom_run() -> None:
    twin = build_twin(str(CLASSROOM), "hub", 6, 10, 1.0, 30, "1")
    assert not twin.error
    for _ in range(12):
        twin.step()
    relay = twin.models["relay"]
    feed = describe_events(relay, 20)
    assert (
        "Day 11, 16:48: customs at DKR (Senegal) seized 0.9 kg (internal) from a courier of the "
        "Lusophone network after a hub alert; the report reached the hub at 17:48 and 4 airports "
        "by day 12, 00:48"
    ) in feed
    assert (
        "Day 11, 14:30: follow-up at FOR (Brazil): 1 more arrest(s) in the Lusophone network"
        in feed
    )
    assert (
        "Day 8, 12:30: customs at LIS (Portugal) seized 1.2 kg (internal) from a courier of the "
        "Lusophone network; no other airport has been alerted yet"
    ) in feed
    assert (
        "Day 3, 05:30: customs at GRU (Brazil) seized 1.5 kg (luggage) from a courier of the "
        "Sahel network; the report alerted 1 airport by 07:30"
    ) in describe_events(relay, 200)
    assert len(describe_events(relay, 3)) == 3
    # The twin without relay sends the same couriers; its seizure reports stay national.
    none_feed = describe_events(twin.models["none"], 50)
    assert not any("hub" in line for line in none_feed)
    assert status_line(relay).startswith("Day 12 (operation) — seized ")


def test_bad_seed_is_reported_not_raised() -> None:
    twin = build_twin(str(CLASSROOM), "hub", 6, 10, 1.0, 30, "abc")
    assert "seed" in twin.error and not twin.models
