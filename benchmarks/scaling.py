"""Part 3: scaling with trafficking volume (x1, x2, x5, x10, and none for the fixed cost of a run)
and with network size (a synthetic 100-airport network against the 30-airport default)."""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np

from benchmarks.common import Row, Settings, timed

TARGET_SCALING = 11.0  # x10 volume within x11 time


def scaled(raw: dict, factor: float) -> dict:
    """The scenario with every organisation's couriers per week times `factor`."""
    out = dict(raw)
    out["organisations"] = [
        {**org, "couriers_per_week": org["couriers_per_week"] * factor}
        for org in raw["organisations"]
    ]
    return out


def synthetic_network(raw: dict, n_src=20, n_transit=60, n_dst=20, seed=7) -> dict:
    """A 100-airport scenario with random links (fixed seed) and the default's other settings."""
    rng = np.random.default_rng(seed)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def codes(prefix: str, n: int) -> list[str]:
        return [prefix + letters[i // 26] + letters[i % 26] for i in range(n)]

    src, tr, dst = codes("S", n_src), codes("T", n_transit), codes("D", n_dst)
    airports = []
    for role, group, lat, lon in (
        ("source", src, (-30, 5), (-80, -35)),
        ("transit", tr, (-10, 35), (-20, 20)),
        ("destination", dst, (36, 58), (-10, 20)),
    ):
        for k, code in enumerate(group):
            airports.append(
                {
                    "iata": code,
                    "role": role,
                    "country": f"{role[:3]}-{k // 3}",  # three airports a country
                    "lat": float(rng.uniform(*lat)),
                    "lon": float(rng.uniform(*lon)),
                    "participant": role == "transit" and k % 2 == 0,
                }
            )
    links, seen = [], set()

    def link(a: str, b: str) -> None:
        if a != b and (a, b) not in seen and (b, a) not in seen:
            seen.add((a, b))
            links.append({"from": a, "to": b, "weekly": int(rng.integers(2, 15))})

    for s in src:
        for t in rng.choice(tr, 3, replace=False):
            link(s, str(t))
        if rng.random() < 0.3:
            link(s, str(rng.choice(dst)))
    for t in tr:
        for d in rng.choice(dst, 2, replace=False):
            link(t, str(d))
        link(t, str(rng.choice(tr)))
    orgs = []
    for k, org in enumerate(raw["organisations"]):  # same volume as the default, spread around
        orgs.append(
            {
                **org,
                "sources": [str(c) for c in rng.choice(src, 5, replace=False)],
                "markets": [str(c) for c in rng.choice(dst, 5, replace=False)],
                "name": f"{org['name']} {k}",
            }
        )
    relay = {**raw.get("relay", {}), "hub_airport": tr[0], "coverage": None}
    # Published results about the default's own airports name none of this network's.
    codes = {a["iata"] for a in airports}
    published = [
        target
        for target in raw.get("published", [])
        if {*_airports_named(target.get("scope")), *_airports_named(target.get("from"))} <= codes
    ]
    return {
        **raw,
        "name": "synthetic 100 airports",
        "airports": airports,
        "links": links,
        "organisations": orgs,
        "relay": relay,
        "published": published,
    }


def _airports_named(value: Any) -> list[str]:
    """The airports a published target's `scope` or `from` lists (a role name lists none)."""
    return list(value) if isinstance(value, list) else []


def run_cost(spec, repeat: int, seed0: int = 0) -> dict[str, float]:
    """Median seconds of one run (construction included) and the cost per courier trip."""
    from cocair_sim.model.model import CocairModel

    seeds = iter(range(seed0, seed0 + repeat + 1))
    trips: list[int] = []

    def one():
        model = CocairModel(spec, seed=next(seeds)).run()
        trips.append(model.counts["couriers_sent"])
        return model

    wall, cpu, _ = timed(one, repeat)
    n = statistics.median(trips)
    return {"ms": wall * 1e3, "cpu_ms": cpu * 1e3, "trips": n, "us_per_trip": wall / n * 1e6}


def scaling(raw: dict, rounds: int, factors: list[float]) -> dict[str, Any]:
    """Volume x1..x10 in rounds, judged on the median of the rounds' CPU-time ratios per run.

    Each round gives every volume the same work: x1 runs ten times (ten seeds), x2 five, x5
    twice, x10 once, so a slow spell of the machine hits them alike. CPU time of one process is
    less disturbed by the neighbours than wall time.

    A run with no couriers at all (as many runs as x1) measures the run's fixed cost (building
    the model, the daily route choice and data collection): it weighs more at x1 than at x10,
    so the ratio net of it is the growth of the simulated work itself."""
    from cocair_sim.model.model import CocairModel
    from cocair_sim.scenario import scenario_from_mapping
    from cocair_sim.scenario.network import network_for

    specs = {f"x{f:g}": scenario_from_mapping(scaled(raw, f), f"volume x{f:g}") for f in factors}
    repeats = {f"x{f:g}": max(1, round(max(factors) / f)) for f in factors}
    specs["x0"] = scenario_from_mapping(scaled(raw, 0.0), "no couriers")
    repeats["x0"] = repeats["x1"]
    for spec in specs.values():
        CocairModel(spec, seed=10_000).run()  # warm-up
    wall: dict[str, list[float]] = {k: [] for k in specs}
    cpu: dict[str, list[float]] = {k: [] for k in specs}
    trips: dict[str, list[float]] = {k: [] for k in specs}
    events: dict[str, list[float]] = {k: [] for k in specs}
    for r in range(rounds):
        for key, spec in specs.items():
            n = repeats[key]
            w, c = time.perf_counter(), time.process_time()
            models = [CocairModel(spec, seed=r * n + i).run() for i in range(n)]
            cpu[key].append((time.process_time() - c) / n)
            wall[key].append((time.perf_counter() - w) / n)
            trips[key].append(sum(m.counts["couriers_sent"] for m in models) / n)
            events[key].append(sum(m._seq for m in models) / n)  # events queued in a run
    fixed = cpu.pop("x0")
    rows = {}
    for key in cpu:
        n = statistics.median(trips[key])
        ms = statistics.median(wall[key]) * 1e3
        rows[key] = {
            "ms": ms,
            "cpu_ms": statistics.median(cpu[key]) * 1e3,
            "trips": n,
            "us_per_trip": ms / n * 1e3,
            "time_ratio": statistics.median(
                [a / b for a, b in zip(cpu[key], cpu["x1"], strict=True)]
            ),
            "wall_ratio": statistics.median(
                [a / b for a, b in zip(wall[key], wall["x1"], strict=True)]
            ),
            "net_time_ratio": statistics.median(
                [(a - f) / (b - f) for a, b, f in zip(cpu[key], cpu["x1"], fixed, strict=True)]
            ),
            # The simulated work grows faster than volume (more seizures, more alerts per
            # courier): events per trip, and the time ratio per queued event net of the fixed
            # cost (what each event costs at this volume against x1).
            "events_per_trip": statistics.median(events[key]) / n,
            "net_time_ratio_per_event": statistics.median(
                [
                    ((a - f) / e) / ((b - f) / e1)
                    for a, e, b, e1, f in zip(
                        cpu[key], events[key], cpu["x1"], events["x1"], fixed, strict=True
                    )
                ]
            ),
        }
    spec100 = scenario_from_mapping(synthetic_network(raw), "synthetic")
    net = network_for(spec100)
    big = run_cost(spec100, max(5, rounds))
    big.update(airports=len(net.airports), routes=len(net.routes), itineraries=len(net.itineraries))
    fixed_ms = statistics.median(fixed) * 1e3
    return {
        "volume": rows,
        "fixed": {"cpu_ms": fixed_ms, "share_of_x1": fixed_ms / rows["x1"]["cpu_ms"]},
        "network100": big,
        "rounds": rounds,
    }


def run(settings: Settings) -> dict[str, Any]:
    """The part as the benchmark runs it (x1 and x2 only with --quick)."""
    quick = settings.quick
    return scaling(settings.raw, 3 if quick else 9, [1, 2] if quick else [1, 2, 5, 10])


def rows(s: dict[str, Any], results: dict[str, Any]) -> list[Row]:
    """Its rows of the table; the 100-airport network is compared with the default run's cost
    per trip when part 1 ran too."""
    out = [
        Row(f"volume {k} (CPU time)",
            f"{v['cpu_ms']:.1f} ms ({v['time_ratio']:.2f}x, "
            f"{v['cpu_ms'] / v['trips'] * 1e3:.1f} us/trip, {v['events_per_trip']:.2f} ev/trip)")
        for k, v in s["volume"].items()
    ]  # fmt: skip
    x10 = s["volume"].get("x10")
    if x10:
        out += [
            Row("  x10 volume time", f"{x10['time_ratio']:.2f} x", f"<= {TARGET_SCALING:.0f} x",
                x10["time_ratio"] <= TARGET_SCALING),
            Row("  x10 volume time net of fixed cost", f"{x10['net_time_ratio']:.2f} x"),
            Row("  x10 time per queued event, net", f"{x10['net_time_ratio_per_event']:.2f} x"),
        ]  # fmt: skip
    fixed, n = s["fixed"], s["network100"]
    default = results.get("default_run")
    out += [
        Row("run with no couriers (fixed cost)",
            f"{fixed['cpu_ms']:.1f} ms ({fixed['share_of_x1']:.0%} of x1)"),
        Row(f"100 airports ({n['itineraries']} itineraries)",
            f"{n['ms']:.1f} ms ({n['us_per_trip']:.1f} us/trip)",
            f"vs {default['us_per_trip']:.1f} us/trip" if default else ""),
    ]  # fmt: skip
    return out
