"""Loading scenarios: read the file, apply overrides, validate, and check the whole.

`load_scenario` reads a YAML file, applies dotted-path overrides to the raw mapping (so an
override is checked by the same rules as the file), fills airports a user adds by IATA code from
`airportsdata`, validates the result with the schema, and then checks what no schema can:
airports that exist, windows inside the calendar, a network small enough to search, and markets
each organisation can reach (for which it builds the network). Every problem is raised as an
`InputError` naming the file, the field path and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Container, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import airportsdata
import numpy as np

from cocair_sim.errors import InputError
from cocair_sim.files.schema import validate_model
from cocair_sim.files.yamlio import load_yaml_mapping
from cocair_sim.scenario.network import build_network
from cocair_sim.scenario.overrides import apply_overrides
from cocair_sim.scenario.schema import MAX_ITINERARY_STEPS, PublishedTarget, Scenario


@lru_cache(maxsize=1)
def _airportsdata() -> dict:
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
    names = set()
    for i, target in enumerate(sc.published):
        where = f"published[{i}]({target.name})"
        if target.name in names:
            problems.append((f"{where}.name", f"duplicate target '{target.name}'"))
        names.add(target.name)
        problems.extend((where + field, msg) for field, msg in target_problems(target, codes))
    if sc.relay.hub_airport not in codes:
        problems.append(("relay.hub_airport", f"airport {sc.relay.hub_airport} is not declared"))
    countries = {ap.country for ap in sc.airports}
    named_countries = [
        (f"relay.reach.{agency}[{j}]", name)
        for agency in ("customs", "police")
        if isinstance(reach := getattr(sc.relay.reach, agency), list)
        for j, name in enumerate(reach)
    ] + [
        (f"passenger_data.countries[{j}]", name)
        for j, name in enumerate(sc.passenger_data.countries)
    ]
    for field, name in named_countries:
        if name not in countries:
            problems.append((field, f"no airport of the scenario is in '{name}'"))
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


def target_problems(target: PublishedTarget, codes: Container[str]) -> list[tuple[str, str]]:
    """What is wrong with a published target for a scenario with these airports, as (field
    suffix, problem) pairs."""
    problems = []
    listed = target.scope if isinstance(target.scope, list) else []
    for code in [*listed, *target.from_airports]:
        if code not in codes:
            problems.append(("", f"unknown airport {code}"))
    if (target.statistic == "share_from") != bool(target.from_airports):
        problems.append((".from", "share_from needs `from` airports, and only it"))
    return problems


def _itinerary_search_size(sc: Scenario) -> float:
    """Upper bound of the partial paths the itinerary search visits (walks of 1 to 3 legs
    from a source through non-source airports), so a hostile network is refused before it is
    built."""
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


def scenario_hash(scenario: Scenario) -> str:
    """Hash of the validated content (after overrides), for manifests."""
    blob = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()
