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
        "Day 10, 01:13: customs at BKO (Mali) seized 1.2 kg (internal) from a courier of the "
        "Lusophone network; the report reached the hub at 02:13 and 4 airports by 09:13"
    ) in feed
    assert (
        "Day 12, 22:13: follow-up at BKO (Mali): 1 more arrest(s) in the Lusophone network" in feed
    )
    assert (
        "Day 3, 11:30: customs at FOR (Brazil) seized 1.1 kg (luggage) from a courier of the "
        "Sahel network; the report alerted 1 airport by 13:30"
    ) in feed
    assert len(describe_events(relay, 3)) == 3
    # The twin without relay sends the same couriers; its seizure reports stay national.
    none_feed = describe_events(twin.models["none"], 50)
    assert not any("hub" in line for line in none_feed)
    assert status_line(relay).startswith("Day 12 (operation) — seized ")


def test_bad_seed_is_reported_not_raised() -> None:
    twin = build_twin(str(CLASSROOM), "hub", 6, 10, 1.0, 30, "abc")
    assert "seed" in twin.error and not twin.models
