"""Scenario files: schema, validation and loading.

A scenario is a YAML file describing the air network, the customs units, the trafficker
organisations, the relay settings and the calendar. `load_scenario` reads it, applies
overrides, validates it with pydantic (unknown keys are errors) and then checks what a schema
cannot (airports that exist, windows inside the calendar, reachable markets). Every problem is
raised as an `InputError` naming the file, the field path and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import math
import weakref
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from cocair_sim.errors import InputError
from cocair_sim.overrides import apply_overrides
from cocair_sim.yamlio import load_yaml_mapping

METHODS = ("internal", "luggage", "cargo")
Method = Literal["internal", "luggage", "cargo"]
Role = Literal["source", "transit", "destination"]
RelayMode = Literal["none", "bilateral", "hub"]
RELAY_MODES: tuple[str, ...] = ("none", "bilateral", "hub")

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


class Strict(BaseModel):
    """Base for every scenario block: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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


class MethodSpec(Strict):
    share: Probability = Field(description="Share of the organisation's couriers using it")
    kg: KgDistribution


class Detection(Strict):
    """Probability that a control finds the drugs, by concealment method, before training."""

    internal: Probability
    luggage: Probability
    cargo: Probability


class DetectionOverride(Strict):
    internal: Probability | None = None
    luggage: Probability | None = None
    cargo: Probability | None = None


class CustomsDefaults(Strict):
    capacity_per_day: Annotated[Capacity, Field(description="Controls per day")]
    detection: Detection
    training_level: Probability = 0.0


class CustomsOverride(Strict):
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


class LinkSpec(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    origin: Iata = Field(alias="from")
    destination: Iata = Field(alias="to")
    weekly: Annotated[float, Field(gt=0, le=200, description="Flights per week each way")]
    bidirectional: bool = True
    hours: list[Annotated[float, Field(ge=0, lt=24)]] | None = Field(
        None,
        max_length=200,
        description="Departure hours of day (cycled over the week's flights)",
    )
    km: Annotated[float, Field(gt=0.0, le=50_000, allow_inf_nan=False)] | None = Field(
        None, description="Distance; great-circle when omitted"
    )


class AdaptationSpec(Strict):
    """How an organisation learns where couriers get caught (the balloon effect)."""

    enabled: bool = True
    rate: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.3, description="Learning rate: the prior weighs 1/rate observed passages"
    )
    news_weight: Probability = Field(0.3, description="Weight of public seizure news vs own loss")
    relax_per_day: Probability = Field(0.02, description="Daily forgetting of observed evidence")


class OrganisationSpec(Strict):
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
        0.15, description="Logit noise in route choice, as a share of the best route's profit"
    )
    profile_pool: Annotated[int, Field(ge=1, le=48)] = Field(
        8, description="How many courier profiles the organisation recruits from"
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
    days: Annotated[int, Field(gt=0, le=3650)] = 35
    operation_start: Annotated[int, Field(ge=0, le=3650)] = 14
    operation_days: Annotated[int, Field(gt=0, le=3650)] = 7


class OperationSpec(Strict):
    capacity_multiplier: Annotated[float, Field(ge=1, le=50)] = Field(
        2.0, description="Control capacity at participating airports during the operation"
    )


class TrainingSpec(Strict):
    trained_share: Probability | None = Field(
        None, description="Share of participating customs units trained (overrides levels)"
    )
    level: Probability = Field(1.0, description="Training level given to trained units")


class RelaySpec(Strict):
    mode: RelayMode = "hub"
    active: Literal["operation", "always"] = "operation"
    hub_airport: Iata = "DKR"
    hub_latency_hours: Annotated[float, Field(ge=0, le=24 * 60)] = 6.0
    hub_capacity_per_day: Capacity = 400
    coverage: Annotated[int, Field(ge=0, le=MAX_AIRPORTS)] | None = Field(
        None, description="Connect only the first N hub-connected countries (None: all)"
    )
    national_delay_hours: Annotated[float, Field(ge=0, le=240)] = 2.0
    bilateral_delay_days: Annotated[float, Field(ge=0, le=60)] = 3.0
    bilateral_probability: Probability = 0.5
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


class Scenario(Strict):
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


# --------------------------------------------------------------------------------------------
# Loading


def _loc_to_path(loc: tuple, data: Any) -> str:
    """Turn a pydantic error location into `airports[3](BKO).customs.capacity_per_day`."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and 0 <= item < len(node):
                node = node[item]
                key = node.get("iata") or node.get("name") if isinstance(node, dict) else None
                if isinstance(key, str):
                    label += f"({key})"
            else:
                node = None
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def _first_error(exc: ValidationError, data: Any) -> tuple[str, str]:
    err = exc.errors(include_url=False)[0]
    loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    extra = len(exc.errors()) - 1
    if extra:
        msg += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    return _loc_to_path(loc, data), msg


def validate_model[T: BaseModel](cls: type[T], data: Any, source: str) -> T:
    """Validate raw data into `cls`, raising one `InputError` for the first problem."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        field, msg = _first_error(exc, data)
        raise InputError(source, field, msg) from None


@lru_cache(maxsize=1)
def _airportsdata() -> dict:
    import airportsdata

    return airportsdata.load("IATA")


# ISO 3166 alpha-2 codes of countries a user is likely to add by code, for readable names.
_COUNTRY_NAMES = {
    "AO": "Angola",
    "BE": "Belgium",
    "BF": "Burkina Faso",
    "BJ": "Benin",
    "BO": "Bolivia",
    "BR": "Brazil",
    "CD": "DR Congo",
    "CG": "Congo",
    "CH": "Switzerland",
    "CI": "Côte d'Ivoire",
    "CM": "Cameroon",
    "CO": "Colombia",
    "CV": "Cape Verde",
    "DE": "Germany",
    "EC": "Ecuador",
    "ES": "Spain",
    "ET": "Ethiopia",
    "FR": "France",
    "GA": "Gabon",
    "GB": "United Kingdom",
    "GH": "Ghana",
    "GM": "Gambia",
    "GN": "Guinea",
    "GQ": "Equatorial Guinea",
    "GW": "Guinea-Bissau",
    "IT": "Italy",
    "KE": "Kenya",
    "LR": "Liberia",
    "MA": "Morocco",
    "ML": "Mali",
    "MR": "Mauritania",
    "MZ": "Mozambique",
    "NE": "Niger",
    "NG": "Nigeria",
    "NL": "Netherlands",
    "PE": "Peru",
    "PT": "Portugal",
    "SL": "Sierra Leone",
    "SN": "Senegal",
    "TD": "Chad",
    "TG": "Togo",
    "TR": "Turkey",
    "AE": "United Arab Emirates",
    "US": "United States",
    "VE": "Venezuela",
    "ZA": "South Africa",
}


def _fill_airport(raw: dict, source: str, index: int) -> dict:
    """Fill country and coordinates of an airport from airportsdata when the file omits them."""
    if not isinstance(raw, dict) or all(raw.get(k) is not None for k in ("country", "lat", "lon")):
        return raw
    code = raw.get("iata")
    info = _airportsdata().get(code) if isinstance(code, str) else None
    if info is None:
        raise InputError(
            source,
            f"airports[{index}].iata",
            f"'{code}' is not a known IATA code; give country, lat and lon explicitly",
        )
    filled = dict(raw)
    for key in ("lat", "lon", "city", "name"):
        if filled.get(key) is None:
            filled[key] = info.get(key)
    if filled.get("country") is None:
        filled["country"] = _COUNTRY_NAMES.get(info["country"], info["country"])
    return filled


def _semantic_problems(sc: Scenario) -> list[tuple[str, str]]:
    """Checks across fields that a schema cannot express."""
    problems: list[tuple[str, str]] = []
    codes: dict[str, int] = {}
    for i, ap in enumerate(sc.airports):
        if ap.iata in codes:
            problems.append((f"airports[{i}].iata", f"duplicate airport {ap.iata}"))
        codes[ap.iata] = i
    for i, link in enumerate(sc.links):
        for end, code in (("from", link.origin), ("to", link.destination)):
            if code not in codes:
                problems.append((f"links[{i}].{end}", f"airport {code} is not declared"))
        if link.origin == link.destination:
            problems.append((f"links[{i}]", "a link must join two different airports"))
    names: set[str] = set()
    for i, org in enumerate(sc.organisations):
        if org.name in names:
            problems.append((f"organisations[{i}].name", f"duplicate organisation '{org.name}'"))
        names.add(org.name)
        for field in ("sources", "markets"):
            for j, code in enumerate(getattr(org, field)):
                if code not in codes:
                    problems.append(
                        (f"organisations[{i}]({org.name}).{field}[{j}]", f"unknown airport {code}")
                    )
    if sc.relay.hub_airport not in codes:
        problems.append(("relay.hub_airport", f"airport {sc.relay.hub_airport} is not declared"))
    cal = sc.calendar
    if cal.operation_start + cal.operation_days > cal.days:
        problems.append(
            (
                "calendar.operation_days",
                f"operation (day {cal.operation_start} + {cal.operation_days} days) ends after "
                f"the last simulated day ({cal.days})",
            )
        )
    if not problems:
        steps = _itinerary_search_size(sc)
        if steps > MAX_ITINERARY_STEPS:
            problems.append(
                (
                    "links",
                    f"the network is too dense: itinerary search would visit about {steps:,.0f} "
                    f"paths (limit {MAX_ITINERARY_STEPS:,})",
                )
            )
    return problems


def _itinerary_search_size(sc: Scenario) -> float:
    """Upper bound of the partial paths the itinerary search visits (walks of 1 to 3 legs
    from a source through non-source airports), so a hostile network is refused before it is
    built."""
    import numpy as np

    index = {ap.iata: i for i, ap in enumerate(sc.airports)}
    n = len(index)
    adj = np.zeros((n, n))
    for link in sc.links:
        a, b = index[link.origin], index[link.destination]
        adj[a, b] = 1.0
        if link.bidirectional:
            adj[b, a] = 1.0
    not_source = np.array([ap.role != "source" for ap in sc.airports], dtype=float)
    reach = 1.0 - not_source  # walks of length 0 ending at each airport
    total = 0.0
    for _ in range(3):
        reach = (reach @ adj) * not_source
        total += float(reach.sum())
    return total


def scenario_from_mapping(data: Mapping[str, Any], source: str) -> Scenario:
    """Validate an already parsed mapping (the file plus any overrides)."""
    data = dict(data)
    airports = data.get("airports")
    if isinstance(airports, list):
        data["airports"] = [_fill_airport(a, source, i) for i, a in enumerate(airports)]
    scenario = validate_model(Scenario, data, source)
    problems = _semantic_problems(scenario)
    if problems:
        field, msg = problems[0]
        raise InputError(source, field, msg)
    from cocair_sim.network import build_network  # late: network depends on this module

    network = build_network(scenario)  # checks reachability of every organisation's markets
    roles = {ap.iata: ap.role for ap in scenario.airports}
    for i, org in enumerate(scenario.organisations):
        if not network.itineraries_for(org.sources, org.markets):
            raise InputError(
                source,
                f"organisations[{i}]({org.name}).markets",
                "no itinerary with at most two connections joins its sources to its markets "
                "(itineraries run from airports with role 'source' to role 'destination')",
            )
        # An airport of the wrong role would be silently ignored by the route choice.
        for field, role in (("sources", "source"), ("markets", "destination")):
            for j, code in enumerate(getattr(org, field)):
                if roles[code] != role:
                    raise InputError(
                        source,
                        f"organisations[{i}]({org.name}).{field}[{j}]",
                        f"airport {code} has role '{roles[code]}'; {field} must be airports "
                        f"with role '{role}'",
                    )
    return scenario


def load_scenario(
    path: str | Path, overrides: Mapping[str, Any] | None = None, override_source: str = "--set"
) -> Scenario:
    """Load and validate a scenario file, applying dotted-path overrides first."""
    return scenario_with_overrides(load_yaml_mapping(path), str(path), overrides, override_source)


@lru_cache(maxsize=128)
def _cached(path: str, overrides_json: str) -> Scenario:
    return load_scenario(path, json.loads(overrides_json))


def cached_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """`load_scenario`, remembered per (file, overrides): workers and the plain-function API
    run many replicates of the same few scenarios, and a Scenario is immutable."""
    key = json.dumps(dict(overrides or {}), sort_keys=True, default=str)
    return _cached(str(path), key)


_DERIVED: dict[int, tuple[weakref.ref, dict[Any, Any]]] = {}


def derived[T](scenario: Scenario, key: Any, build: Callable[[], T]) -> T:
    """A value computed from a scenario alone (its network, an organisation's route tables),
    built once per scenario object and shared read-only by every model of it.

    Scenarios are frozen, so these cannot go stale; an experiment builds thousands of models
    from one scenario. Entries go away with their scenario.
    """
    sid = id(scenario)
    hit = _DERIVED.get(sid)
    if hit is None or hit[0]() is not scenario:
        ref = weakref.ref(scenario, lambda _ref, sid=sid: _DERIVED.pop(sid, None))
        hit = _DERIVED[sid] = (ref, {})
    values = hit[1]
    if key not in values:
        values[key] = build()
    return values[key]


def scenario_with_overrides(
    raw: Mapping[str, Any],
    source: str,
    overrides: Mapping[str, Any] | None = None,
    override_source: str = "--set",
) -> Scenario:
    """Validate an already read scenario mapping after applying `overrides` (not in place)."""
    if not overrides:
        return scenario_from_mapping(raw, source)
    raw = apply_overrides(dict(raw), overrides, override_source)
    # Name the override in errors about fields it touched, the file otherwise.
    try:
        return scenario_from_mapping(raw, source)
    except InputError as err:
        touched = [p for p in overrides if err.field and err.field.startswith(p.split(".")[0])]
        if touched:
            raise InputError(f"{source} (with {override_source})", err.field, err.problem) from None
        raise


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def scenario_hash(scenario: Scenario) -> str:
    """Hash of the validated content (after overrides), for manifests."""
    blob = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def scenario_json_schema() -> dict:
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cocair-sim scenario"
    return schema
