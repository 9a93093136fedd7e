"""The event log of a run: one typed row per thing that happened, in time order."""

from __future__ import annotations

from typing import NamedTuple

# What happened (the `event` field).
SEIZURE = "seizure"
REPORT = "report"
HUB_RECEIVED = "hub_received"
ALERT_SENT = "alert_sent"
ALERT_DELIVERED = "alert_delivered"
ALERT_LATE = "alert_late"
ALERT_EXPIRED = "alert_expired"
ALERT_HIT = "alert_hit"
ARREST = "arrest"
NATIONAL = "national"  # the channel of alerts a contact point sends to its own airports


class Event(NamedTuple):
    """One row of the event log (`events.csv`).

    `airport` is the airport's index in the network (the CSV shows its code and country). An
    `arrest` row is a police follow-up: how many were arrested is in `courier` (see `arrests`).
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

    @property
    def arrests(self) -> int:
        """People arrested: the follow-up's count, or one with each seizure (the courier)."""
        if self.event == ARREST:
            return int(self.courier or 0)
        return 1 if self.event == SEIZURE else 0


EVENT_FIELDS = Event._fields
