"""The scenario file format: what a scenario may say, field by field.

A scenario describes the air network, the customs units, the trafficker organisations, the relay
settings and the calendar. These pydantic models check each field on its own (types, ranges,
unknown keys); `cocair_sim.scenario.loading` reads files, applies overrides and checks what
spans fields (airports that exist, reachable markets) on top of them.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from cocair_sim.files.schema import Strict, json_schema
from cocair_sim.intel.relay import automatic_mode_names, relay_mode_names

METHODS = ("internal", "luggage", "cargo")
Method = Literal["internal", "luggage", "cargo"]
Role = Literal["source", "transit", "destination"]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveFloat = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
# Upper bounds far beyond any real value, so hostile numbers fail validation instead of
# overflowing (or running for ever) inside the model.
Kg = Annotated[float, Field(gt=0.0, le=10_000, allow_inf_nan=False)]
Usd = Annotated[float, Field(ge=0.0, le=1e9, allow_inf_nan=False)]
Lift = Annotated[float, Field(gt=0.0, le=1000, allow_inf_nan=False)]
Capacity = Annotated[int, Field(gt=0, le=1_000_000)]
Text = Annotated[str, Field(max_length=200)]
MAX_AIRPORTS = 1000
MAX_ITINERARY_STEPS = 2_000_000
Iata = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="IATA airport code")]


class KgDistribution(Strict):
    """Kilograms carried per courier: a lognormal around `median`, truncated to [min, max]."""

    median: Kg
    min: Kg
    max: Kg
    sigma: Annotated[float, Field(gt=0.0, le=3.0)] = 0.4

    @model_validator(mode="after")
    def _ordered(self):
        if not self.min <= self.median <= self.max:
            raise ValueError("need min <= median <= max")
        return self


class LargeConsignments(Strict):
    """Occasional large consignments by a method: a share of its trips carry a load drawn from
    a lognormal of their own (a suitcase packed full, a cargo or mail shipment), capped at
    `max`. They give the heavy tail that single seizures of tens or hundreds of kilograms
    need."""

    share: Probability = Field(description="Share of the method's trips that carry one")
    median: Kg
    max: Kg
    sigma: Annotated[float, Field(gt=0.0, le=3.0)] = 0.7

    @model_validator(mode="after")
    def _ordered(self):
        if not self.median <= self.max:
            raise ValueError("need median <= max")
        return self


class MethodSpec(Strict):
    """One concealment method of an organisation: how many of its couriers use it, and their
    loads (typical ones, and occasionally a large consignment)."""

    share: Probability = Field(description="Share of the organisation's couriers using it")
    kg: KgDistribution
    large: LargeConsignments | None = Field(
        None, description="Occasional large consignments (none if left out)"
    )

    @model_validator(mode="after")
    def _large_is_larger(self):
        if self.large is not None and self.large.median < self.kg.median:
            raise ValueError("a large consignment's median must be at least the typical one's")
        return self


class Detection(Strict):
    """Probability that a control finds the drugs, by concealment method, before training."""

    internal: Probability
    luggage: Probability
    cargo: Probability


class DetectionOverride(Strict):
    """An airport's own detection probabilities; a method left out keeps the default."""

    internal: Probability | None = None
    luggage: Probability | None = None
    cargo: Probability | None = None


class CustomsDefaults(Strict):
    """The customs unit every airport has unless its own `customs` block says otherwise."""

    capacity_per_day: Annotated[Capacity, Field(description="Controls per day")]
    detection: Detection
    training_level: Probability = 0.0


class CustomsOverride(Strict):
    """An airport's `customs` block: what differs from `customs_defaults` there."""

    capacity_per_day: Capacity | None = None
    detection: DetectionOverride | None = None
    training_level: Probability | None = None
    task_force: bool | None = Field(
        None, description="Joint airport task force (customs and police, AIRCOP)"
    )
    operation_multiplier: Annotated[float, Field(ge=0, le=1000)] | None = Field(
        None,
        description="Capacity multiplier here during the operation window, participant or not "
        "(default: operation.capacity_multiplier for participants, 1 otherwise)",
    )


class AirportSpec(Strict):
    """One airport: its role on the routes, whether it takes part in the operation, its
    customs; country and coordinates are looked up by IATA code when omitted."""

    iata: Iata
    role: Role
    name: Text | None = None
    city: Text | None = None
    country: Text | None = Field(None, description="Filled from airportsdata when omitted")
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    participant: bool = Field(False, description="Takes part in the operation")
    hub_connected: bool | None = Field(
        None, description="Country linked to the hub; defaults to `participant`"
    )
    customs: CustomsOverride = CustomsOverride()


MAX_CYCLE_WEEKS = 52


def cycle_weeks(weekly: float) -> int | None:
    """Weeks after which a link's timetable repeats: the fewest whole weeks that hold a whole
    number of its flights (2.5 a week: 2 weeks, 5 flights). None if no year does."""
    for weeks in range(1, MAX_CYCLE_WEEKS + 1):
        if abs(weekly * weeks - round(weekly * weeks)) < 1e-6:
            return weeks
    return None


class LinkSpec(Strict):
    """A scheduled air link between two airports (both ways unless `bidirectional` is false)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    origin: Iata = Field(alias="from")
    destination: Iata = Field(alias="to")
    weekly: Annotated[float, Field(gt=0, le=200, description="Flights per week each way")]
    bidirectional: bool = True
    hours: list[Annotated[float, Field(ge=0, lt=24)]] | None = Field(
        None,
        max_length=200,
        description="Departure hours of day (cycled over the flights of the timetable)",
    )
    km: Annotated[float, Field(gt=0.0, le=50_000, allow_inf_nan=False)] | None = Field(
        None, description="Distance; great-circle when omitted"
    )

    @field_validator("weekly")
    @classmethod
    def _whole_flights(cls, weekly: float) -> float:
        if cycle_weeks(weekly) is None:
            raise ValueError(
                f"{weekly:g} flights a week fit no cycle of up to {MAX_CYCLE_WEEKS} weeks with a "
                "whole number of flights; give a frequency such as 2.5 or 0.25"
            )
        return weekly


class AdaptationSpec(Strict):
    """How an organisation learns where couriers get caught (the balloon effect)."""

    enabled: bool = True
    rate: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.3,
        description="How fast the organisation learns from its couriers' fate: the prior "
        "weighs 1/rate observed passages",
    )
    news_weight: Probability = Field(
        0.3, description="Weight of public news of others' seizures against own evidence"
    )
    method_choice: bool = Field(
        True, description="Shift the mix of concealment methods as the believed risks change"
    )
    relax_per_day: Probability = Field(0.02, description="Daily forgetting of observed evidence")


class OrganisationSpec(Strict):
    """A trafficker organisation: where it buys and sells, how many couriers it sends, by which
    methods, and its prices and costs."""

    name: Annotated[str, Field(min_length=1, max_length=80)]
    sources: list[Iata] = Field(min_length=1, max_length=MAX_AIRPORTS)
    markets: list[Iata] = Field(min_length=1, max_length=MAX_AIRPORTS)
    couriers_per_week: Annotated[float, Field(ge=0.0, le=100_000, allow_inf_nan=False)]
    methods: dict[Method, MethodSpec] = Field(min_length=1)
    buy_price_per_kg: Usd = Field(description="USD per kg at the source")
    sell_price_per_kg: Usd = Field(description="USD per kg wholesale in the market")
    courier_fee: Usd = Field(description="USD paid per trip")
    ticket_cost_per_1000km: Usd = 120.0
    choice_temperature: Annotated[float, Field(gt=0, le=10)] = Field(
        0.15,
        description="Randomness of the organisation's choice of route and method: logit noise; "
        "in route choice, as a share of the best route's profit; in method choice, the change "
        "in the chance of getting through that moves a method's weight by e",
    )
    profile_pool: Annotated[int, Field(ge=1, le=48)] = Field(
        8, description="How many courier profiles the organisation recruits from"
    )
    booking_lead_days: Annotated[int, Field(ge=0, le=60)] = Field(
        3,
        description="Days between booking a trip (itinerary, method and load fixed) and its "
        "departure",
    )
    group_size: Annotated[float, Field(ge=1.0, le=50, allow_inf_nan=False)] = Field(
        1.0,
        description="Mean couriers travelling together on the same flights (1: each alone); "
        "a party has 1 + Poisson(group_size - 1) couriers",
    )
    adaptation: AdaptationSpec = AdaptationSpec()

    @field_validator("methods")
    @classmethod
    def _shares(cls, methods):
        total = sum(m.share for m in methods.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"method shares must sum to 1, got {total:g}")
        return methods


class ScreeningSpec(Strict):
    """How controls are allocated among passengers (not per airport)."""

    seats_per_flight: Annotated[int, Field(gt=0, le=1000)] = 180
    load_factor: Annotated[float, Field(gt=0, le=1)] = 0.8
    stage_selection: dict[
        Literal["departure", "transit", "arrival"],
        Annotated[float, Field(ge=0.0, le=1000, allow_inf_nan=False)],
    ] = Field(
        default_factory=lambda: {"departure": 0.6, "transit": 0.25, "arrival": 1.0},
        description="Relative control effort on departing, transiting and arriving passengers",
    )
    courier_profiling_lift: Lift = Field(
        3.0, description="How much more often risk profiling selects a courier than a passenger"
    )
    arrival_from_source_lift: Lift = Field(
        4.0, description="Extra attention on flights arriving from source countries"
    )
    training_gain: Annotated[float, Field(ge=0.0, le=100, allow_inf_nan=False)] = Field(
        0.6, description="Detection multiplier at full training: p * (1 + gain * level)"
    )


class CalendarSpec(Strict):
    """The simulated days, and the operation's window among them (with its real date)."""

    days: Annotated[int, Field(gt=0, le=3650)] = 35
    operation_start: Annotated[int, Field(ge=0, le=3650)] = 14
    operation_days: Annotated[int, Field(gt=0, le=3650)] = 7
    operation_date: datetime.date | None = Field(
        None,
        description="The operation's first day as a date (YYYY-MM-DD): day `operation_start` "
        "of the run; places the operation in its year and network",
    )

    def date_of(self, day: int) -> datetime.date | None:
        """The date of simulated day `day` (None when the scenario gives no date)."""
        if self.operation_date is None:
            return None
        return self.operation_date + datetime.timedelta(days=day - self.operation_start)


class OperationSpec(Strict):
    """What the operation adds at participating airports while it runs."""

    capacity_multiplier: Annotated[float, Field(ge=1, le=50)] = Field(
        2.0, description="Control capacity at participating airports during the operation"
    )


class TrainingSpec(Strict):
    """Which participating customs units were trained, and how well."""

    trained_share: Probability | None = Field(
        None, description="Share of participating customs units trained (overrides levels)"
    )
    level: Probability = Field(1.0, description="Training level given to trained units")


class TraffickingSpec(Strict):
    """Every organisation's volume and loads at once: what calibration and sweeps scale."""

    volume_multiplier: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] = Field(
        1.0, description="Multiplies every organisation's couriers_per_week"
    )
    load_multiplier: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] = Field(
        1.0,
        description="Size of every courier's load: a factor on the load distributions "
        "(median, min and max kg)",
    )


class ObservationSpec(Strict):
    """How the model's cocaine relates to what operations publish. Published counts of seizure
    cases and arrests cover all drugs; the model's are cocaine only."""

    cocaine_share_of_cases: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        0.35,
        description="Share of the seizure cases (and arrests) of all drugs at the participating "
        "airports that are cocaine",
    )


class AgenciesSpec(Strict):
    """Customs and police, each on its own channel. Customs seize and report to their national
    contact point (WCO CENcomm), which alerts the country's airports to courier profiles and
    routes; a report reaches the police contact point (the INTERPOL NCB, I-24/7), which alone
    can follow up on a named organisation (arrests, alerts on its members), only as the
    agencies share it. A joint airport task force (`customs.task_force`) shares at once."""

    police_report_probability: Probability = Field(
        0.5,
        description="A seizure report reaches the police at an airport without a joint task force",
    )
    police_delay_hours: Annotated[float, Field(ge=0, le=24 * 60)] = Field(
        24.0, description="Hours for it to get there"
    )
    task_force_delay_hours: Annotated[float, Field(ge=0, le=24 * 60)] = Field(
        1.0, description="Hours at an airport with a joint task force (it always gets there)"
    )
    task_forces: bool = Field(
        True, description="Airports marked customs.task_force have joint customs-police teams"
    )


Reach = Literal["participants", "all"] | list[Text]


class ReachSpec(Strict):
    """Whom the hub can alert, per agency: the countries connected to it (`participants`), every
    country with a contact point of that agency (`all`: INTERPOL's National Central Bureaus
    reach every country), or a list of country names. Countries reached but not connected
    receive the hub's alerts; they do not send it reports."""

    customs: Reach = "participants"
    police: Reach = "participants"


class PassengerDataSpec(Strict):
    """Checks of passenger data (advance passenger information and booking records, and
    INTERPOL's databases) that flag a courier before any seizure. A flag names the passenger;
    its alert goes to the airports ahead on the itinerary like any other report."""

    countries: list[Text] = Field(
        default_factory=list,
        max_length=MAX_AIRPORTS,
        description="Countries whose units check the data of passengers flying to, from or "
        "through them (every trip, every day)",
    )
    hit_probability: Probability = Field(
        0.0, description="Chance one country's check flags a courier"
    )
    hub: bool = Field(
        False,
        description="The hub checks the passengers of the connected countries' flights against "
        "INTERPOL's databases while relay is active",
    )
    hub_hit_probability: Probability = Field(
        0.0, description="Chance the hub's check flags a courier"
    )


class RelaySpec(Strict):
    """How seizure reports travel between countries (the relay mode, the hub, the bilateral
    channel) and what the alerts they become do at airports."""

    mode: str = Field(
        "hub", json_schema_extra=lambda schema: schema.update(enum=automatic_mode_names())
    )
    active: Literal["operation", "always"] = "operation"
    hub_airport: Iata = "DKR"
    hub_latency_hours: Annotated[float, Field(ge=0, le=24 * 60)] = 6.0
    hub_capacity_per_day: Capacity = 400
    coverage: Annotated[int, Field(ge=0, le=MAX_AIRPORTS)] | None = Field(
        None, description="Connect only the first N hub-connected countries (None: all)"
    )
    reach: ReachSpec = Field(
        default_factory=ReachSpec, description="Whom the hub can alert, per agency"
    )
    national_delay_hours: Annotated[float, Field(ge=0, le=240)] = 2.0
    bilateral_delay_hours: Annotated[float, Field(ge=0, le=24 * 60)] = Field(
        24.0, description="Median hours for a report to reach another country bilaterally"
    )
    bilateral_delay_spread: Annotated[float, Field(ge=0, le=3)] = Field(
        1.0,
        description="Lognormal spread of the bilateral delay (1: 90 % of messages between a "
        "fifth and five times the median)",
    )
    bilateral_probability: Probability = Field(
        0.5, description="A country on the itinerary is told at all"
    )
    alert_lifetime_hours: Annotated[float, Field(gt=0, le=24 * 365)] = 96.0
    targeting_uplift: Annotated[float, Field(ge=1, le=1000)] = Field(
        8.0, description="How much an alert raises a matching passenger's chance of control"
    )
    controls_per_alert: Annotated[float, Field(ge=0.0, le=10_000, allow_inf_nan=False)] = Field(
        2.0, description="Controls a day each active alert uses on look-alike passengers"
    )
    talk_probability: Probability = Field(0.4, description="Courier names the organisation")
    org_recognition: Probability = Field(
        0.25, description="Chance an organisation alert picks out one of its couriers"
    )
    follow_up_probability: Probability = Field(
        0.5, description="A contact point's follow-up leads to arrests in the organisation"
    )
    follow_up_arrests_max: Annotated[int, Field(ge=0, le=100)] = 3
    news_probability: Probability = Field(1.0, description="A seizure becomes public news")
    companion_exposure: Probability = Field(
        0.0,
        description="Chance a seizure exposes each companion still travelling with the courier "
        "(the booking and onward flights name them)",
    )
    named_control: Probability = Field(
        0.9,
        description="Chance a passenger named by an alert on the board is controlled there",
    )

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, mode: str) -> str:
        names = automatic_mode_names()
        if mode in relay_mode_names() and mode not in names:  # `human`: the class decides
            raise ValueError(f"relay mode '{mode}' needs people: it is played in `cocair exercise`")
        if mode not in names:
            raise ValueError(f"unknown relay mode '{mode}' (known: {', '.join(names)})")
        return mode


STATISTICS = ("cases", "kg", "arrests", "messages_per_case", "share_from", "police_hits")


class Uncertainty(Strict):
    """How far a published figure may be from what it measures: its tolerance in calibration
    and in the posterior predictive check."""

    sd: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
    scale: Literal["log", "linear"] = Field(
        "log", description="log: sd of the log of the value (0.3: about 30 %); linear: absolute"
    )


class PublishedTarget(Strict):
    """A published result this scenario should reproduce, and how to read it from a run."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")]
    statistic: Literal[STATISTICS] = Field(  # type: ignore[valid-type]
        description="cases, kg, arrests, messages_per_case, share_from (share of the scope's "
        "seizures whose last leg came from the `from` airports), police_hits"
    )
    scope: Literal["participants", "destinations", "all"] | list[Iata] = Field(
        "participants", description="Where: participating airports, destinations, all, or a list"
    )
    window: Literal["operation", "baseline"] = Field(
        "operation", description="The operation window, or the days outside it"
    )
    per_days: Annotated[float, Field(gt=0, le=36500)] | None = Field(
        None, description="Express the model's value per this many days (the published period)"
    )
    all_drugs: bool = Field(
        False,
        description="The published count covers all drugs: compared with the model's cocaine "
        "count divided by observation.cocaine_share_of_cases",
    )
    from_airports: list[Iata] = Field(
        default_factory=list, alias="from", description="For share_from: the previous airports"
    )
    value: Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]
    uncertainty: Uncertainty
    source: Annotated[str, Field(min_length=1, max_length=2000)]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Scenario(Strict):
    """A whole scenario file: the network, customs, organisations, relay and calendar."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=100_000)] = ""
    calendar: CalendarSpec = CalendarSpec()
    customs_defaults: CustomsDefaults
    airports: list[AirportSpec] = Field(min_length=2, max_length=MAX_AIRPORTS)
    links: list[LinkSpec] = Field(min_length=1, max_length=20_000)
    organisations: list[OrganisationSpec] = Field(min_length=1, max_length=200)
    screening: ScreeningSpec = ScreeningSpec()
    operation: OperationSpec = OperationSpec()
    training: TrainingSpec = TrainingSpec()
    relay: RelaySpec = RelaySpec()
    passenger_data: PassengerDataSpec = PassengerDataSpec()
    agencies: AgenciesSpec = AgenciesSpec()
    trafficking: TraffickingSpec = TraffickingSpec()
    observation: ObservationSpec = ObservationSpec()
    published: list[PublishedTarget] = Field(
        default_factory=list,
        max_length=100,
        description="What was published about this scenario's operation (cocair validate)",
    )


def scenario_json_schema() -> dict:
    """The JSON Schema of scenario files, for editors (`cocair schema scenario`)."""
    return json_schema(Scenario, "cocair-sim scenario", by_alias=True)
