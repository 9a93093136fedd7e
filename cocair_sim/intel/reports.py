"""Seizure reports, alerts and the per-airport alert board.

A seizure produces an `IntelReport`. Contact points and the hub turn reports into `Alert`s for
other airports; an alert only exists on an airport's `AlertBoard` between its delivery and its
expiry, so it cannot be used before it arrives. The board indexes alerts by what they match
(organisation, courier profile, route, flight), so checking a courier costs a handful of dict
look-ups whatever the number of active alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What an alert can match. Profiles are only ever used together with a route or a flight
# ("a courier of this profile on this route"): a bare profile would flag far too many people.
# A courier presents one key of each kind; organisation keys need the courier to be recognised.
ORG, PROFILE_ROUTE, PROFILE_FLIGHT = "org", "profile+route", "profile+flight"


@dataclass(slots=True)
class IntelReport:
    """What customs learned from one seizure."""

    id: int
    time: float
    airport: int
    country: int
    courier_id: int
    organisation: str | None  # known only when the courier talks
    profile: int
    route: tuple[int, int]  # (origin airport, final destination airport)
    flight: str
    itinerary: tuple[int, ...]
    # What alerts made from this report match (set once: every alert posts and withdraws them).
    keys: tuple[tuple, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys: list[tuple] = [
            (PROFILE_ROUTE, self.profile, self.route),
            (PROFILE_FLIGHT, self.profile, self.flight),
        ]
        if self.organisation is not None:
            keys.append((ORG, self.organisation))
        self.keys = tuple(keys)

    def match_keys(self) -> tuple[tuple, ...]:
        return self.keys


@dataclass(slots=True)
class Alert:
    """One report as it reaches one airport through one channel."""

    id: int
    report: IntelReport
    channel: str  # "national", "bilateral" or "hub"
    airport: int
    issued: float
    delivered: float
    expires: float
    hits: int = 0

    @property
    def keys(self) -> tuple[tuple, ...]:
        return self.report.keys


@dataclass(slots=True)
class AlertBoard:
    """Active alerts at one airport, indexed by match key.

    Each key's alerts are a dict by alert id in posting order, so withdrawing an alert costs
    the same however many alerts share its key."""

    by_key: dict[tuple, dict[int, Alert]] = field(default_factory=dict)
    active: int = 0

    def post(self, alert: Alert) -> None:
        for key in alert.keys:
            self.by_key.setdefault(key, {})[alert.id] = alert
        self.active += 1

    def withdraw(self, alert: Alert) -> None:
        for key in alert.keys:
            bucket = self.by_key.get(key)
            if bucket is not None:
                bucket.pop(alert.id, None)
                if not bucket:
                    del self.by_key[key]
        self.active -= 1

    def match(self, keys: tuple[tuple, ...], org_key: tuple, recognised: bool) -> Alert | None:
        """The first active alert matching a courier; organisation keys only if recognised."""
        by_key = self.by_key
        for key in keys:
            bucket = by_key.get(key)
            if bucket:
                return next(iter(bucket.values()))  # the earliest posted
        if recognised:
            bucket = by_key.get(org_key)
            if bucket:
                return next(iter(bucket.values()))
        return None
