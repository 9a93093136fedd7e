"""The classroom page's text, without a browser: the event feed and the status lines."""

from __future__ import annotations

from cocair_sim.classroom.app import build_twin, describe_events, status_line
from tests.helpers import CLASSROOM


def test_event_feed_sentence_for_a_classroom_run() -> None:
    twin = build_twin(str(CLASSROOM), "hub", 6, 10, 1.0, 30, "1")
    assert not twin.error
    for _ in range(9):
        twin.step()
    relay = twin.models["relay"]
    feed = describe_events(relay, 15)
    assert (
        "Day 8, 17:30: customs at FOR (Brazil) seized 4.1 kg (luggage) from a courier of the "
        "Lusophone network; the report reached the hub at 18:30 and 4 airports by day 9, 01:30"
    ) in feed
    assert (
        "Day 2, 04:30: customs at GRU (Brazil) seized 3.5 kg (luggage) from a courier of the "
        "Sahel network; the report alerted 1 airport by 06:30"
    ) in feed
    assert len(describe_events(relay, 3)) == 3
    # The twin without relay sends the same couriers; its seizure reports stay national.
    none_feed = describe_events(twin.models["none"], 50)
    assert not any("hub" in line for line in none_feed)
    assert status_line(relay).startswith("Day 9 (operation) — seized ")


def test_bad_seed_is_reported_not_raised() -> None:
    twin = build_twin(str(CLASSROOM), "hub", 6, 10, 1.0, 30, "abc")
    assert "seed" in twin.error and not twin.models
