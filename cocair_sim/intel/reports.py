"""Seizure reports, alerts and the per-airport alert board.

A seizure produces an `IntelReport`. Contact points and the hub turn reports into `Alert`s for
other airports; an alert only exists on an airport's `AlertBoard` between its delivery and its
expiry, so it cannot be used before it arrives. The board indexes alerts by what they match
(organisation, courier profile, route, flight), so checking a courier costs a handful of dict
look-ups whatever the number of active alerts.

Each agency alerts on what it can act on: customs on the courier's profile with the route or the
flight (risk profiling of passengers), the police on the organisation the courier named (checks
of passenger data against INTERPOL's databases recognise its members).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What an alert can match. Profiles are only ever used together with a route or a flight
# ("a courier of this profile on this route"): a bare profile would flag far too many people.
# A courier presents one key of each kind; organisation keys need the courier to be recognised.
ORG, PROFILE_ROUTE, PROFILE_FLIGHT = "org", "profile+route", "profile+flight"
CUSTOMS, POLICE = "customs", "police"  # the agencies, each with its own channel


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
    # What each agency's alerts made from this report match (set once: every alert posts and
    # withdraws them). The police have nothing to alert on unless the courier named names.
    keys: dict[str, tuple[tuple, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        profile = (
            (PROFILE_ROUTE, self.profile, self.route),
            (PROFILE_FLIGHT, self.profile, self.flight),
        )
        named = ((ORG, self.organisation),) if self.organisation is not None else ()
        self.keys = {CUSTOMS: profile, POLICE: named}


@dataclass(slots=True)
class Alert:
    """One agency's alert from one report, as it reaches one airport through one channel."""

    id: int
    report: IntelReport
    agency: str  # CUSTOMS or POLICE
    channel: str  # "national", or the relay mode that brought it ("hub", "bilateral", ...)
    airport: int
    issued: float
    delivered: float
    expires: float
    hits: int = 0

    @property
    def keys(self) -> tuple[tuple, ...]:
        """What this alert matches: its report's keys for its agency."""
        return self.report.keys[self.agency]


@dataclass(slots=True)
class AlertBoard:
    """Active alerts at one airport, indexed by match key.

    Each key's alerts are a dict by alert id in posting order, so withdrawing an alert costs
    the same however many alerts share its key."""

    by_key: dict[tuple, dict[int, Alert]] = field(default_factory=dict)
    active: int = 0

    def post(self, alert: Alert) -> None:
        """Make an alert active here, under each of its keys."""
        for key in alert.keys:
            self.by_key.setdefault(key, {})[alert.id] = alert
        self.active += 1

    def withdraw(self, alert: Alert) -> None:
        """Remove an active alert (it expired), from under each of its keys."""
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
