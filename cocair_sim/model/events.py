"""The event log of a run: one typed row per thing that happened, in time order."""

from __future__ import annotations

from typing import NamedTuple

from cocair_sim.intel.relay.hub import HUB_RECEIVED

# What happened (the `event` field).
SEIZURE = "seizure"
REPORT = "report"
FLAG = "flag"  # a check of passenger data flagged a passenger (no seizure)
ALERT_SENT = "alert_sent"
ALERT_DELIVERED = "alert_delivered"
ALERT_LATE = "alert_late"
ALERT_EXPIRED = "alert_expired"
ALERT_HIT = "alert_hit"
ARREST = "arrest"
NATIONAL = "national"  # the channel of alerts a contact point sends to its own airports
EVENTS = (SEIZURE, REPORT, FLAG, HUB_RECEIVED, ALERT_SENT, ALERT_DELIVERED, ALERT_LATE,
          ALERT_EXPIRED, ALERT_HIT, ARREST)  # fmt: skip


class Event(NamedTuple):
    """One row of the event log (`events.csv`).

    `airport` is the airport's index in the network (the CSV shows its code and country).
    `arrests` is how many people the row's event arrested: one with each seizure (the courier),
    the follow-up's count on an `arrest` row, none otherwise. `match` says what of a courier an
    alert matched (`passenger`: his name; `profile+route`, `profile+flight`, `org`), on the
    rows of a seizure or an alert hit that an alert prompted.
    """

    time_h: float
    day: int
    event: str
    airport: int
    courier: int | None
    organisation: str | None
    method: str | None
    kg: float | None
    channel: str
    alert: int | None
    report: int | None
    agency: str  # the agency whose report or alert it is ("customs" or "police"), or ""
    match: str = ""
    arrests: int = 0


EVENT_FIELDS = Event._fields
