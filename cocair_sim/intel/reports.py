"""Intelligence reports, alerts and the per-airport alert board.

A report is what a country learned: from a seizure (the courier's profile, route and flight,
the organisation if the courier talked, and the companions still travelling if the booking
exposed them), or from a check of passenger data that flagged a passenger before any seizure.
Contact points and the hub turn reports into `Alert`s for airports; an alert only exists on an
airport's `AlertBoard` between its delivery and its expiry, so it cannot be used before it
arrives. The board indexes alerts by what they match, so checking a courier costs a handful of
dict look-ups whatever the number of active alerts.

Each agency alerts on what it can act on: customs on the courier's profile with the route or
the flight (risk profiling of passengers) and on named passengers, the police on the
organisation the courier named (checks of passenger data against INTERPOL's databases recognise
its members).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What an alert can match. Profiles are only ever used together with a route or a flight
# ("a courier of this profile on this route"): a bare profile would flag far too many people.
# A named passenger matches one courier only. A courier presents one key of each kind;
# organisation keys need the courier to be recognised.
ORG, PROFILE_ROUTE, PROFILE_FLIGHT, PASSENGER = (
    "org",
    "profile+route",
    "profile+flight",
    "passenger",
)
CUSTOMS, POLICE = "customs", "police"  # the agencies, each with its own channel
# What a report comes from: a seizure, or a check of passenger data that flagged someone.
SEIZURE, FLAG = "seizure", "flag"


def passenger_key(courier_id: int) -> tuple:
    """What an alert naming this courier matches."""
    return (PASSENGER, courier_id)


@dataclass(slots=True)
class IntelReport:
    """What a country learned, from a seizure or from a passenger-data flag."""

    id: int
    time: float
    airport: int  # where it was learned (the seizure, or the flagged passenger's departure)
    country: int
    courier_id: int  # the seized courier, or the flagged passenger
    organisation: str | None  # known only when a seized courier talks
    profile: int
    route: tuple[int, int]  # (origin airport, final destination airport)
    flight: str
    itinerary: tuple[int, ...]  # the courier's airports, start to end
    named: tuple[int, ...] = ()  # couriers still travelling whom the report names
    kind: str = SEIZURE
    grams: int = 0  # what was seized (none for a flag)
    method: int = -1  # its concealment method, an index into METHODS (-1 for a flag)
    # What each agency's alerts made from this report match (set once: every alert posts and
    # withdraws them). The police have nothing to alert on unless the courier named names.
    keys: dict[str, tuple[tuple, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        passengers = tuple(passenger_key(c) for c in self.named)
        if self.kind == FLAG:  # either agency can stop a named passenger
            self.keys = {CUSTOMS: passengers, POLICE: passengers}
            return
        profile = (
            (PROFILE_ROUTE, self.profile, self.route),
            (PROFILE_FLIGHT, self.profile, self.flight),
        )
        org = ((ORG, self.organisation),) if self.organisation is not None else ()
        self.keys = {CUSTOMS: passengers + profile, POLICE: org}

    @property
    def looks_alike(self) -> bool:
        """Whether acting on it means checking look-alike passengers (a profile or an
        organisation), which uses controls; a named passenger is one control."""
        return self.kind == SEIZURE

    def airports_ahead(self) -> tuple[int, ...]:
        """Where the couriers it names can still be met: after the seizing airport, or from
        the flagged passenger's airport on."""
        if self.airport not in self.itinerary:
            return self.itinerary
        here = self.itinerary.index(self.airport)
        return self.itinerary[here + (self.kind == SEIZURE) :]


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
    hits: int = 0  # seizures it prompted
    controls: int = 0  # controls of passengers it matched

    @property
    def keys(self) -> tuple[tuple, ...]:
        """What this alert matches: its report's keys for its agency."""
        return self.report.keys[self.agency]


@dataclass(frozen=True, slots=True)
class Match:
    """The alert that flagged a courier, and what of his matched it (PASSENGER: his name;
    PROFILE_ROUTE, PROFILE_FLIGHT or ORG: he looks like, or belongs to, what it describes)."""

    alert: Alert
    kind: str

    @property
    def named(self) -> bool:
        """Whether the alert named this very courier."""
        return self.kind == PASSENGER


@dataclass(slots=True)
class AlertBoard:
    """Active alerts at one airport, indexed by match key.

    Each key's alerts are a dict by alert id in posting order, so withdrawing an alert costs
    the same however many alerts share its key. `look_alike` counts the active alerts that use
    controls on look-alike passengers."""

    by_key: dict[tuple, dict[int, Alert]] = field(default_factory=dict)
    active: int = 0
    look_alike: int = 0

    def post(self, alert: Alert) -> None:
        """Make an alert active here, under each of its keys."""
        for key in alert.keys:
            self.by_key.setdefault(key, {})[alert.id] = alert
        self.active += 1
        self.look_alike += alert.report.looks_alike

    def withdraw(self, alert: Alert) -> None:
        """Remove an active alert (it expired), from under each of its keys."""
        for key in alert.keys:
            bucket = self.by_key.get(key)
            if bucket is not None:
                bucket.pop(alert.id, None)
                if not bucket:
                    del self.by_key[key]
        self.active -= 1
        self.look_alike -= alert.report.looks_alike

    def match(self, keys: tuple[tuple, ...], org_key: tuple, recognised: bool) -> Match | None:
        """The first active alert matching a courier (its own name first, then its profile),
        organisation keys only if recognised; None if none does."""
        by_key = self.by_key
        for key in keys:
            bucket = by_key.get(key)
            if bucket:
                return Match(next(iter(bucket.values())), key[0])  # the earliest posted
        if recognised:
            bucket = by_key.get(org_key)
            if bucket:
                return Match(next(iter(bucket.values())), ORG)
        return None
