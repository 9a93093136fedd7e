"""Parts 1 and 2: one default run (`scenarios/cocair3.yaml`, already parsed) against one step of
a trivial Mesa agent, measured in the same process: the model's cost per courier trip in units
of Mesa's own floor, the machine-independent figure."""

from __future__ import annotations

import statistics
import time
from typing import Any

import mesa

from benchmarks.common import Row, Settings

TARGET_RUN_MS = 100.0
TARGET_RATIO = 20.0
FLOOR_AGENTS = 10_000


class Counter(mesa.Agent):
    """The trivial agent: a step increments a counter."""

    def __init__(self, model):
        super().__init__(model)
        self.count = 0

    def step(self):
        self.count += 1


def run_vs_floor(spec, rounds: int) -> dict[str, Any]:
    """The default run and the Mesa floor measured in alternation, `rounds` times.

    Each round times one run (a new seed each round) and then the trivial agent step, so both
    meet the same machine speed; the ratio is the median of the rounds' ratios, which a
    shared machine's drifting speed disturbs far less than two separate medians."""
    from cocair_sim.model.model import CocairModel

    CocairModel(spec, seed=10_000).run()  # warm-up: caches built once per scenario
    floor_model = mesa.Model(rng=0)
    Counter.create_agents(floor_model, FLOOR_AGENTS)
    floor_model.agents.shuffle_do("step")
    runs, cpus, floors, trips, ratios = [], [], [], [], []
    for k in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        model = CocairModel(spec, seed=k).run()
        cpus.append(time.process_time() - c)
        runs.append(time.perf_counter() - w)
        trips.append(model.counts["couriers_sent"])
        w = time.perf_counter()
        floor_model.agents.shuffle_do("step")
        floors.append((time.perf_counter() - w) / FLOOR_AGENTS)
        ratios.append(runs[-1] / trips[-1] / floors[-1])
    n = statistics.median(trips)
    ms = statistics.median(runs) * 1e3
    return {
        "ms": ms,
        "cpu_ms": statistics.median(cpus) * 1e3,
        "trips": n,
        "us_per_trip": ms / n * 1e3,
        "mesa_agent_step_us": statistics.median(floors) * 1e6,
        "ratio": statistics.median(ratios),
        "ratio_range": [min(ratios), max(ratios)],
        "rounds": rounds,
    }


def run(settings: Settings) -> dict[str, Any]:
    """The part as the benchmark runs it."""
    return run_vs_floor(settings.spec, 7 if settings.quick else 41)


def rows(d: dict[str, Any], results: dict[str, Any]) -> list[Row]:
    """Its rows of the table."""
    low, high = d["ratio_range"]
    return [
        Row("default run (cocair3, median)", f"{d['ms']:.1f} ms", f"<= {TARGET_RUN_MS:.0f} ms",
            d["ms"] <= TARGET_RUN_MS),
        Row("  courier trips per run", f"{d['trips']:.0f}"),
        Row("  cost per courier trip", f"{d['us_per_trip']:.1f} us"),
        Row("trivial Mesa agent step (shuffle_do)", f"{d['mesa_agent_step_us']:.2f} us"),
        Row("  trip / Mesa agent step", f"{d['ratio']:.1f} x ({low:.0f}-{high:.0f})",
            f"<= {TARGET_RATIO:.0f} x", d["ratio"] <= TARGET_RATIO),
    ]  # fmt: skip
