"""Performance benchmarks of cocair-sim: `python -m benchmarks.run [--quick]` from the repository.

Measures, on the machine it runs on:

1. one default run (`scenarios/cocair3.yaml`, scenario already parsed): median wall time of
   several runs and the cost per courier trip;
2. in the same process, one step of a trivial Mesa agent (an AgentSet of 10,000 agents each
   incrementing a counter, `shuffle_do`), and the ratio of the two: the model's cost per trip in
   units of Mesa's own floor, the machine-independent figure;
3. scaling: trafficking volume x1, x2, x5, x10 (and none, for the fixed cost of a run), and a
   synthetic 100-airport network against the 30-airport default;
4. the headline experiment (`experiments/relay_modes.yaml`, 600 runs) end to end with 1 and 2
   workers, and the same runs through `mesa.batch_run(number_processes=2)`;
5. peak memory (RSS) of the parent and the workers during a 2,000-run experiment, and whether
   the parent grows per run;
6. the classroom page: the server's work for one simulated day (both worlds stepped, both maps,
   the chart and the feed), and in headless Chromium how many days a second Play shows at the
   speed slider's top (10 days a second);
7. calibration: one model evaluation with new parameter values (through pyabc's single-core
   sampler, and alone) against a run of the already loaded scenario, and the shipped
   calibration (`experiments/calibration.yaml`) end to end on 2 workers;
8. the classroom exercise (`cocair exercise`): 30 team pages open at once in headless Chromium
   while the day clock plays at 1 day a second; days run per second, how far behind the
   exercise's day each page shows, and the server's CPU and memory.

Runs timed in this process (1-3) are timed as the experiment's workers run them: with the
libraries loaded before them frozen out of garbage collection (`gc.freeze()`).

Prints a table and writes `benchmarks/results.json` (`--quick`: `results-quick.json`). Not part
of the test suite. Timings are medians; on a busy machine compare the ratio column.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "cocair3.yaml"
EXPERIMENT = ROOT / "experiments" / "relay_modes.yaml"
PAGE = os.sysconf("SC_PAGE_SIZE")

# Targets of issue #7 on a 2-core machine.
TARGET_RUN_MS = 100.0
TARGET_RATIO = 20.0
TARGET_EXPERIMENT_S = 60.0
TARGET_SPEEDUP = 1.7
TARGET_SCALING = 11.0  # x10 volume within x11 time
# The classroom page's own: Play at the slider's top speed (10 days a second) shows them all.
PAGE_TOP_SPEED = 10
TARGET_PAGE_DAYS_PER_S = 9.0  # within 10 % of the top speed
# Calibration (issue "Calibration to the published operations").
CALIBRATION = ROOT / "experiments" / "calibration.yaml"
TARGET_EVALUATION_RATIO = 1.3  # one evaluation with new values, sampler included, vs a run
TARGET_CALIBRATION_S = 15 * 60  # the shipped calibration on 2 workers
# The classroom exercise: 30 team pages while the clock plays a day a second.
EXERCISE_PAGES = 30
TARGET_EXERCISE_DAYS_PER_S = 0.95
TARGET_EXERCISE_LAG_DAYS = 1  # 95 % of the pages' readings show the day or the one before

console = Console(width=120)


# -- helpers ------------------------------------------------------------------------------------


def timed(fn, repeat: int) -> tuple[float, float, Any]:
    """Median wall and CPU seconds of `fn()` over `repeat` calls (after one warm-up call)."""
    result = fn()
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(wall), statistics.median(cpu), result


def rss_bytes(pid: int | str = "self", field: str = "VmRSS") -> int:
    """Resident set size (or VmHWM, its peak) of a process, from /proc."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def mb(n: float) -> float:
    return round(n / 2**20, 1)


def server_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process group (the server and its children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout
    for child in pids.split():
        with open(f"/proc/{child}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def group_rss_bytes(pid: int) -> int:
    pids = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout
    return sum(rss_bytes(child) for child in pids.split())


# -- 1 and 2: the default run against a trivial Mesa agent ---------------------------------------


class Counter(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.count = 0

    def step(self):
        self.count += 1


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


def run_vs_floor(spec, rounds: int) -> dict[str, float]:
    """The default run and the Mesa floor measured in alternation, `rounds` times.

    Each round times one run (a new seed each round) and then the trivial agent step, so both
    meet the same machine speed; the ratio is the median of the rounds' ratios. On a shared
    machine this is far steadier than two separate medians (the speed drifts by 10-30 %)."""
    from cocair_sim.model.model import CocairModel

    CocairModel(spec, seed=10_000).run()  # warm-up: caches built once per scenario
    floor_model = mesa.Model(rng=0)
    Counter.create_agents(floor_model, 10_000)
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
        floors.append((time.perf_counter() - w) / 10_000)
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


# -- 3: scaling ---------------------------------------------------------------------------------


def scaled(raw: dict, factor: float) -> dict:
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
    return {
        **raw,
        "name": "synthetic 100 airports",
        "airports": airports,
        "links": links,
        "organisations": orgs,
        "relay": relay,
    }


def scaling(raw: dict, rounds: int, factors: list[float]) -> dict[str, Any]:
    """Volume x1..x10 in rounds, judged on the median of the rounds' CPU-time ratios per run.

    Each round gives every volume the same work: x1 runs ten times (ten seeds), x2 five, x5
    twice, x10 once, so a slow spell of the machine hits them alike (one 20 ms run against one
    200 ms run made the ratio swing by 20 %). CPU time of one process is less disturbed by the
    neighbours than wall time.

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


# -- 4: the headline experiment -------------------------------------------------------------------


def experiment_cli(workers: int, replications: int | None, report: bool) -> float:
    """Wall seconds of `python -m cocair_sim experiment` (imports, runs, tables, report)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "cocair_sim",
            "experiment",
            str(EXPERIMENT),
            "--workers",
            str(workers),
            "--out",
            str(Path(tmp) / "out"),
            "--force",
            "--report" if report else "--no-report",
        ]
        if replications:
            cmd += ["--replications", str(replications)]
        started = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
        return time.perf_counter() - started


def mesa_batch_run(replications: int, processes: int) -> float:
    """The same runs (conditions x replicate seeds) through `mesa.batch_run`."""
    from cocair_sim.api import ScenarioModel
    from cocair_sim.experiment.plan import run_seed

    seeds = [run_seed(2011, rep, 0) for rep in range(replications)]
    started = time.perf_counter()
    results = mesa.batch_run(
        ScenarioModel,
        parameters={"scenario": str(SCENARIO), "relay_mode": ["none", "bilateral", "hub"]},
        rng=seeds,
        number_processes=processes,
        data_collection_period=-1,
        display_progress=False,
    )
    elapsed = time.perf_counter() - started
    assert len(results) == 3 * replications, len(results)
    return elapsed


def batch_run_process(replications: int, processes: int) -> float:
    """Wall seconds of a fresh Python process running the same runs through `mesa.batch_run`:
    interpreter start and imports included, as they are in the CLI timings."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--mesa-batch-run", str(replications), str(processes)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return time.perf_counter() - started


def headline(replications: int | None, rounds: int) -> dict[str, Any]:
    """Rounds of: 1 worker, 2 workers (with and without the report) and mesa.batch_run, one
    after the other; speedups are medians of the rounds' ratios (pairs share machine speed)."""
    reps = replications or 200
    keys = ("workers1_s", "workers2_s", "workers1_no_report_s", "workers2_no_report_s")
    times: dict[str, list[float]] = {k: [] for k in (*keys, "batch_run2_s")}
    for _ in range(rounds):
        for w in (1, 2):
            times[f"workers{w}_s"].append(experiment_cli(w, replications, report=True))
            times[f"workers{w}_no_report_s"].append(experiment_cli(w, replications, report=False))
        times["batch_run2_s"].append(batch_run_process(reps, 2))
    out: dict[str, Any] = {"runs": 3 * reps, "rounds": rounds}
    out.update({k: statistics.median(v) for k, v in times.items()})
    out["all_s"] = times

    def paired(a: str, b: str) -> float:
        return statistics.median([x / y for x, y in zip(times[a], times[b], strict=True)])

    out["speedup"] = paired("workers1_s", "workers2_s")
    out["speedup_no_report"] = paired("workers1_no_report_s", "workers2_no_report_s")
    out["batch_run_vs_experiment"] = paired("batch_run2_s", "workers2_no_report_s")
    return out


# -- 5: memory of a long experiment ---------------------------------------------------------------


def memory(runs: int) -> dict[str, Any]:
    """Run `runs` runs of the headline experiment in process (as the CLI does: its local pool,
    SQLite store) while sampling the parent's RSS every 0.2 s and per finished run."""
    from contextlib import ExitStack

    from cocair_sim.experiment.backends import open_executor
    from cocair_sim.experiment.plan import plan
    from cocair_sim.experiment.runner import run_all
    from cocair_sim.experiment.spec import load_experiment
    from cocair_sim.experiment.store import Store

    exp = load_experiment(EXPERIMENT, replications=-(-runs // 3))
    todo = plan(exp)[:runs]
    samples: list[tuple[int, int]] = []  # (runs done, parent RSS)
    worker_peak: dict[int, int] = {}
    done = 0
    stop = threading.Event()

    with (
        tempfile.TemporaryDirectory() as tmp,
        Store(Path(tmp) / "store.sqlite") as store,
        ExitStack() as stack,
    ):
        pool, _backend = open_executor(stack, None, 2, True)

        def sampler():
            while not stop.wait(0.2):
                samples.append((done, rss_bytes()))
                for pid in list(getattr(pool, "_processes", {}) or {}):
                    worker_peak[pid] = max(worker_peak.get(pid, 0), rss_bytes(pid, "VmHWM"))

        def on_done(n: int) -> None:
            nonlocal done
            done += n

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        started = time.perf_counter()
        run_all(todo, pool, store, 2, on_done)
        elapsed = time.perf_counter() - started
        for pid in list(getattr(pool, "_processes", {}) or {}):  # final peaks (VmHWM)
            worker_peak[pid] = max(worker_peak.get(pid, 0), rss_bytes(pid, "VmHWM"))
        stop.set()
        thread.join()
    # Growth per run: a straight-line fit of RSS against runs done, over the second half (the
    # first half includes warm-up: imports, the pool, SQLite's page cache filling).
    late = [(n, r) for n, r in samples if n >= runs // 2]
    runs_done, rss = zip(*late, strict=True) if late else ((), ())
    slope = float(np.polyfit(runs_done, rss, 1)[0]) if len(set(runs_done)) > 2 else 0.0
    at = {n: r for n, r in samples}
    return {
        "runs": runs,
        "seconds": elapsed,
        "parent_peak_mb": mb(rss_bytes("self", "VmHWM")),
        "parent_rss_at_10pct_mb": mb(next((r for n, r in samples if n >= runs // 10), 0)),
        "parent_rss_end_mb": mb(max(at.items())[1] if at else 0),
        "parent_growth_bytes_per_run": round(slope, 1),
        "worker_peak_mb": [mb(v) for v in worker_peak.values()],
        "children_maxrss_mb": mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024),
        "samples": len(samples),
    }


# -- 6: the classroom page ------------------------------------------------------------------------


def page_work(scenario: Path, runs: int) -> dict[str, Any]:
    """Server work of one simulated day on the classroom page, done as the page does it (both
    worlds stepped, then both maps, the chart and the feed drawn: `Twin.step`, `map_image`,
    `chart_image`), over whole runs. The first pictures of a run (drawn in full once) are
    reported apart."""
    from cocair_sim.classroom.app import build_twin

    def draw(twin) -> None:  # what the page draws after each day, in twin mode
        twin.map_image("relay", "With relay (hub)")
        twin.map_image("none", "Without relay (none)")
        twin.chart_image(True)

    days, first = [], []
    for seed in range(runs):
        twin = build_twin(str(scenario), "hub", 6.0, 10, 1.0, 30, str(seed + 1))
        w = time.perf_counter()
        draw(twin)
        first.append(time.perf_counter() - w)
        while True:
            w = time.perf_counter()
            if not twin.step():
                break
            draw(twin)
            days.append(time.perf_counter() - w)
    days.sort()
    return {
        "scenario": scenario.name,
        "runs": runs,
        "ms_per_day": statistics.median(days) * 1e3,
        "p90_ms_per_day": days[int(0.9 * (len(days) - 1))] * 1e3,
        "first_pictures_ms": statistics.median(first) * 1e3,
    }


def page_in_browser(scenario: Path, seconds: float, rounds: int) -> dict[str, Any] | None:
    """Play at the top speed in headless Chromium (the page served by `cocair viz`) for
    `seconds`, `rounds` times (Reset between them): days advanced and distinct days shown per
    second, and the server's CPU time per day (medians of the rounds). None when
    Chromium or Playwright is missing (scripts/ensure_browser.sh)."""
    from tests.browser import (
        VizServer,
        chromium_available,
        launch_chromium,
        new_local_page,
    )

    if not chromium_available():
        return None
    from playwright.sync_api import expect, sync_playwright

    status_text = re.compile(r"^Day (\d+) \(")
    rows = []
    with VizServer(scenario) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page, _ = new_local_page(browser, viewport={"width": 1500, "height": 1000})
            page.goto(server.url, wait_until="domcontentloaded")
            status = page.get_by_text(status_text).first
            expect(status).to_be_visible(timeout=60_000)
            page.locator(".v-slider").first.click()  # the speed slider, to its top
            page.keyboard.press("End")
            expect(page.get_by_text(f"Speed: {PAGE_TOP_SPEED} days per second")).to_be_visible()

            def day() -> int:
                return int(status_text.match(status.inner_text()).group(1))

            for _ in range(rounds):
                page.get_by_role("button", name="Reset").click()
                expect(status).to_have_text(re.compile(r"^Day 0 "), timeout=30_000)
                page.get_by_role("button", name="Play").click()
                page.wait_for_timeout(300)
                shown = [day()]
                start, cpu0 = time.monotonic(), server_cpu_seconds(server.proc.pid)
                while time.monotonic() - start < seconds:
                    page.wait_for_timeout(15)
                    if (d := day()) != shown[-1]:
                        shown.append(d)
                elapsed, cpu = time.monotonic() - start, server_cpu_seconds(server.proc.pid) - cpu0
                page.get_by_role("button", name="Pause").click()  # before the run's last day
                advanced = shown[-1] - shown[0]
                rows.append(
                    (
                        advanced / elapsed,
                        (len(shown) - 1) / elapsed,
                        cpu / max(advanced, 1) * 1e3,
                    )
                )
        finally:
            browser.close()
    days, frames, cpu_ms = (statistics.median(column) for column in zip(*rows, strict=True))
    return {
        "scenario": scenario.name,
        "seconds": seconds,
        "rounds": rounds,
        "days_per_s": days,
        "days_shown_per_s": frames,
        "server_cpu_ms_per_day": cpu_ms,
        "all_days_per_s": [r[0] for r in rows],
    }


def page(quick: bool) -> dict[str, Any]:
    classroom = ROOT / "scenarios" / "classroom.yaml"
    return {
        "work": {
            "classroom": page_work(classroom, 1 if quick else 5),
            "cocair3": page_work(SCENARIO, 1 if quick else 3),
        },
        # cocair3 has 35 days: at 10 a second a round must stop before the last one.
        "browser": page_in_browser(SCENARIO, 2.5, 1 if quick else 5),
        "top_speed": PAGE_TOP_SPEED,
    }


# -- 8: the classroom exercise ---------------------------------------------------------------------


def exercise_pages(scenario: Path, pages: int, seconds: float) -> dict[str, Any] | None:
    """`pages` team pages of `cocair exercise` (each free country taken by one, the others
    opened by a team's link, as a second trainee of a team would) while the trainer plays the
    clock at 1 day a second for `seconds`; every page's day is read in turn, over and over."""
    from tests.browser import ExerciseServer, chromium_available, launch_chromium, new_local_page

    if not chromium_available():
        return None
    from playwright.sync_api import expect, sync_playwright

    day_text = re.compile(r"^Day (\d+) of")

    def day(page) -> int:
        return int(day_text.match(page.locator(".clock").inner_text()).group(1))

    lags: list[int] = []
    with ExerciseServer(scenario, "--seconds-per-day", "1") as server, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            trainer, _ = new_local_page(browser)
            trainer.goto(server.trainer_url(), wait_until="domcontentloaded")
            expect(trainer.locator(".clock")).to_be_visible(timeout=60_000)
            teams, links = [], []
            for i in range(pages):
                page, _ = new_local_page(browser, viewport={"width": 900, "height": 700})
                page.goto(server.url, wait_until="domcontentloaded")
                join = page.locator("button.join")
                expect(
                    page.get_by_text("Choose your country").or_(page.locator(".clock"))
                ).to_be_visible(timeout=60_000)
                if join.count():
                    join.first.click()
                    expect(page).to_have_url(re.compile(r"\?team="), timeout=60_000)
                    links.append(page.url)
                else:
                    page.goto(links[i % len(links)], wait_until="domcontentloaded")
                    expect(page.locator(".clock")).to_be_visible(timeout=60_000)
                teams.append(page)
            rss0 = group_rss_bytes(server.proc.pid)
            trainer.get_by_role("button", name="Play").click()
            expect(trainer.locator(".clock")).to_have_text(re.compile(r"playing"), timeout=30_000)
            start, cpu0, first = time.monotonic(), server_cpu_seconds(server.proc.pid), day(trainer)
            while time.monotonic() - start < seconds:
                for page in teams:
                    now = day(trainer)
                    lags.append(now - day(page))
            elapsed = time.monotonic() - start
            advanced = day(trainer) - first
            cpu = server_cpu_seconds(server.proc.pid) - cpu0
            rss1 = group_rss_bytes(server.proc.pid)
            trainer.get_by_role("button", name="Pause").click()
        finally:
            browser.close()
    lags.sort()
    return {
        "scenario": scenario.name,
        "pages": pages,
        "teams": len(links),
        "seconds": seconds,
        "days_per_s": advanced / elapsed,
        "readings": len(lags),
        "lag_days_p95": lags[int(0.95 * (len(lags) - 1))],
        "lag_days_max": lags[-1],
        "share_current_day": sum(lag <= 0 for lag in lags) / len(lags),
        "server_cpu_share": cpu / elapsed,
        "server_rss_mb": mb(rss1),
        "server_rss_growth_mb": mb(rss1 - rss0),
    }


# -- 7: calibration -------------------------------------------------------------------------------


def evaluation_cost(particles: int, rounds: int) -> dict[str, Any]:
    """Seconds per model evaluation with new parameter values against a run of the loaded
    scenario, both at the scenario's own values (the same model work), measured in alternation.

    "With sampler": pyabc's single-core sampler runs one generation (its prior sample, then the
    generation) with priors narrowed to +-0.5 % around the scenario's values; its wall time per
    simulation holds the sampler, the copies of the scenario (`with_values`) and the targets'
    observations. "Alone": the evaluator called directly."""
    import logging

    import pyabc

    from cocair_sim.calibration.evaluate import Evaluator
    from cocair_sim.calibration.smc import abc_smc, sampler
    from cocair_sim.calibration.spec import Prior, load_calibration
    from cocair_sim.model.model import CocairModel
    from cocair_sim.scenario.updates import value_at

    cal = load_calibration(CALIBRATION)
    spec = cal.scenario
    here = {p.path: float(value_at(spec, p.path)) for p in cal.spec.parameters}
    # Uniform priors +-0.5 % around the scenario's values: sampled as they are, so `here` is a
    # particle as pyabc would pass it.
    narrow = [
        p.model_copy(update={"prior": Prior(low=here[p.path] * 0.995,
                                            high=here[p.path] * 1.005 + 1e-9)})
        for p in cal.spec.parameters
    ]  # fmt: skip
    cal = type(cal)(cal.spec.model_copy(update={"parameters": narrow}), cal.path,
                    cal.scenario_path, cal.targets)  # fmt: skip
    evaluator = Evaluator.of(cal)
    evaluator(here)  # warm-up: per-process caches
    CocairModel(spec, seed=0, event_log=False).run()
    logging.getLogger("ABC").setLevel(logging.WARNING)
    runs, alone, sampled = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(rounds):
            t = time.perf_counter()
            for s in range(particles):
                CocairModel(spec, seed=1000 * k + s, event_log=False).run()
            runs.append((time.perf_counter() - t) / particles)
            t = time.perf_counter()
            for _ in range(particles):
                evaluator(here)
            alone.append((time.perf_counter() - t) / particles)
            from contextlib import ExitStack

            with ExitStack() as stack:
                smp, _ = sampler(stack, 1, None)
                abc = abc_smc(cal, smp)
                np.random.seed(k)
                abc.new(f"sqlite:///{tmp}/h{k}.db", evaluator.observed())
                t = time.perf_counter()
                history = abc.run(max_nr_populations=1)
                sampled.append((time.perf_counter() - t) / history.total_nr_simulations)
    run_s, alone_s, sampled_s = (statistics.median(x) for x in (runs, alone, sampled))
    return {
        "run_ms": run_s * 1e3,
        "evaluation_ms": alone_s * 1e3,
        "evaluation_with_sampler_ms": sampled_s * 1e3,
        "ratio_alone": alone_s / run_s,
        "ratio_with_sampler": sampled_s / run_s,
        "particles": particles,
        "rounds": rounds,
        "pyabc": pyabc.__version__,
    }


def shipped_calibration(workers: int) -> dict[str, Any]:
    """The shipped calibration end to end (`cocair calibrate`), wall time and its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "calibration"
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cocair_sim", "calibrate", str(CALIBRATION), "--workers",
             str(workers), "--out", str(out)],
            check=True, capture_output=True,
        )  # fmt: skip
        seconds = time.perf_counter() - t
        manifest = json.loads((out / "manifest.json").read_text())
    return {
        "seconds": seconds,
        "workers": workers,
        "generations": manifest["generations"],
        "model_runs": manifest["model_runs"],
        "ms_per_model_run": seconds / manifest["model_runs"] * 1e3,
    }


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fast smoke run (small samples)")
    ap.add_argument("--skip-experiment", action="store_true", help="skip points 4 and 5")
    ap.add_argument("--skip-page", action="store_true", help="skip points 6 and 8 (the pages)")
    ap.add_argument(
        "--skip-calibration", action="store_true", help="skip point 7's shipped calibration"
    )
    ap.add_argument("--only-calibration", action="store_true", help="point 7 only")
    ap.add_argument("--only-exercise", action="store_true", help="point 8 only")
    ap.add_argument("--out", type=Path, help="results file [benchmarks/results.json]")
    ap.add_argument("--rounds", type=int, help="rounds of the experiment timings [5; quick 1]")
    ap.add_argument("--mesa-batch-run", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.mesa_batch_run:  # the child process of batch_run_process
        mesa_batch_run(*args.mesa_batch_run)
        return {}
    quick = args.quick
    out_path = args.out or ROOT / "benchmarks" / ("results-quick.json" if quick else "results.json")

    from cocair_sim.files.yamlio import load_yaml_mapping
    from cocair_sim.model.model import CocairModel  # noqa: F401  (imports excluded from timings)
    from cocair_sim.scenario import scenario_from_mapping

    raw = dict(load_yaml_mapping(SCENARIO))
    spec = scenario_from_mapping(raw, str(SCENARIO))
    # Runs are timed as the experiment's workers do them: with what was loaded before them
    # frozen out of garbage collection (cli_experiment._local_executor). Unfrozen, every full
    # collection scans the libraries' ~130,000 objects; at ten times the volume that happens a
    # few times a run and was up to a fifth of it, at random.
    gc.freeze()
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "mesa": mesa.__version__,
            "numpy": np.__version__,
            "load_average": os.getloadavg(),
            "gc_frozen_before_runs": True,
        },
        "quick": quick,
    }
    alone = args.only_calibration or args.only_exercise
    if not alone:
        console.print("[bold]1-2[/] default run and the Mesa floor ...")
        results["default_run"] = run_vs_floor(spec, 7 if quick else 41)
        console.print("[bold]3[/] scaling ...")
        results["scaling"] = scaling(raw, 3 if quick else 9, [1, 2] if quick else [1, 2, 5, 10])
        if not args.skip_experiment:
            console.print("[bold]4[/] headline experiment (1 and 2 workers, mesa.batch_run) ...")
            rounds = args.rounds or (1 if quick else 5)
            results["experiment"] = headline(10 if quick else None, rounds)
            console.print("[bold]5[/] memory during a long experiment ...")
            results["memory"] = memory(120 if quick else 2000)
        if not args.skip_page:
            console.print("[bold]6[/] the classroom page ...")
            results["page"] = page(quick)
    if not args.only_exercise:
        console.print("[bold]7[/] calibration: one evaluation with new values ...")
        results["calibration"] = {
            "evaluation": evaluation_cost(20 if quick else 60, 3 if quick else 5)
        }
        if not args.skip_calibration and not quick:
            console.print("[bold]7[/] the shipped calibration on 2 workers (about ten minutes) ...")
            results["calibration"]["shipped"] = shipped_calibration(2)
    if args.only_exercise or not (alone or args.skip_page):
        console.print(f"[bold]8[/] the classroom exercise, {EXERCISE_PAGES} team pages ...")
        results["exercise"] = exercise_pages(SCENARIO, EXERCISE_PAGES, 10 if quick else 20)
    merge = ("calibration",) if args.only_calibration else ()
    return finish(results, out_path, merge=("exercise",) if args.only_exercise else merge)


def finish(results: dict[str, Any], out_path: Path, merge: tuple[str, ...]) -> dict[str, Any]:
    """Print the table and write the results; a part run alone (`merge`) updates its own entry
    and keeps the other parts' latest results."""
    results["machine"]["load_average_end"] = os.getloadavg()
    print_table(results)
    if merge and out_path.exists():
        merged = json.loads(out_path.read_text())
        for part in merge:
            old = merged.get(part)
            new = results[part]
            merged[part] = (
                {**old, **new} if isinstance(old, dict) and isinstance(new, dict) else new
            )
        results = merged
    out_path.write_text(json.dumps(results, indent=2) + "\n")
    console.print(
        f"written {out_path.relative_to(ROOT) if out_path.is_relative_to(ROOT) else out_path}"
    )
    return results


def print_table(r: dict[str, Any]) -> None:
    def ok(flag: bool | None) -> str:
        return "" if flag is None else ("[green]met[/]" if flag else "[red]not met[/]")

    t = Table(
        title=f"cocair-sim performance ({r['machine']['cpus']} cores, Mesa {r['machine']['mesa']})"
    )
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_column("target", justify="right")
    t.add_column("")
    if "default_run" in r:
        d = r["default_run"]
        t.add_row(
            "default run (cocair3, median)",
            f"{d['ms']:.1f} ms",
            f"<= {TARGET_RUN_MS:.0f} ms",
            ok(d["ms"] <= TARGET_RUN_MS),
        )
        t.add_row("  courier trips per run", f"{d['trips']:.0f}", "", "")
        t.add_row("  cost per courier trip", f"{d['us_per_trip']:.1f} us", "", "")
        step = f"{d['mesa_agent_step_us']:.2f} us"
        t.add_row("trivial Mesa agent step (shuffle_do)", step, "", "")
        t.add_row(
            "  trip / Mesa agent step",
            f"{d['ratio']:.1f} x ({d['ratio_range'][0]:.0f}-{d['ratio_range'][1]:.0f})",
            f"<= {TARGET_RATIO:.0f} x",
            ok(d["ratio"] <= TARGET_RATIO),
        )
        s = r["scaling"]
        for k, v in s["volume"].items():
            t.add_row(
                f"volume {k} (CPU time)",
                f"{v['cpu_ms']:.1f} ms ({v['time_ratio']:.2f}x, "
                f"{v['cpu_ms'] / v['trips'] * 1e3:.1f} us/trip, "
                f"{v['events_per_trip']:.2f} ev/trip)",
                "",
                "",
            )
        if "x10" in s["volume"]:
            ratio = s["volume"]["x10"]["time_ratio"]
            t.add_row(
                "  x10 volume time",
                f"{ratio:.2f} x",
                f"<= {TARGET_SCALING:.0f} x",
                ok(ratio <= TARGET_SCALING),
            )
            t.add_row(
                "  x10 volume time net of fixed cost",
                f"{s['volume']['x10']['net_time_ratio']:.2f} x",
                "",
                "",
            )
            t.add_row(
                "  x10 time per queued event, net",
                f"{s['volume']['x10']['net_time_ratio_per_event']:.2f} x",
                "",
                "",
            )
        t.add_row(
            "run with no couriers (fixed cost)",
            f"{s['fixed']['cpu_ms']:.1f} ms ({s['fixed']['share_of_x1']:.0%} of x1)",
            "",
            "",
        )
        n = s["network100"]
        t.add_row(
            f"100 airports ({n['itineraries']} itineraries)",
            f"{n['ms']:.1f} ms ({n['us_per_trip']:.1f} us/trip)",
            f"vs {d['us_per_trip']:.1f} us/trip",
            "",
        )
    e = r.get("experiment")
    if e:
        t.add_row(f"experiment, {e['runs']} runs, 1 worker", f"{e['workers1_s']:.1f} s", "", "")
        t.add_row(
            f"experiment, {e['runs']} runs, 2 workers",
            f"{e['workers2_s']:.1f} s",
            f"< {TARGET_EXPERIMENT_S:.0f} s",
            ok(e["workers2_s"] < TARGET_EXPERIMENT_S),
        )
        t.add_row(
            "  speedup 2 vs 1 workers",
            f"{e['speedup']:.2f} x",
            f">= {TARGET_SPEEDUP}",
            ok(e["speedup"] >= TARGET_SPEEDUP),
        )
        t.add_row(
            "  without the report: 1 / 2 workers",
            f"{e['workers1_no_report_s']:.1f} / {e['workers2_no_report_s']:.1f} s "
            f"({e['speedup_no_report']:.2f} x)",
            "",
            "",
        )
        t.add_row(
            "mesa.batch_run, same runs, 2 processes",
            f"{e['batch_run2_s']:.1f} s ({e['batch_run_vs_experiment']:.2f}x ours)",
            f"> {e['workers2_no_report_s']:.1f} s",
            ok(e["batch_run_vs_experiment"] > 1.0),
        )
    m = r.get("memory")
    if m:
        t.add_row(f"memory, {m['runs']}-run experiment", f"{m['seconds']:.1f} s", "", "")
        t.add_row(
            "  parent RSS at 10% / end (peak)",
            f"{m['parent_rss_at_10pct_mb']} / {m['parent_rss_end_mb']} MB ({m['parent_peak_mb']})",
            "",
            "",
        )
        growth = m["parent_growth_bytes_per_run"]
        t.add_row(
            "  parent growth per run (2nd half)",
            f"{growth / 1024:.2f} KB",
            "flat",
            ok(abs(growth) < 10 * 1024),
        )
        t.add_row("  worker peak RSS", ", ".join(f"{v} MB" for v in m["worker_peak_mb"]), "", "")
    pg = r.get("page")
    if pg:
        for name, w in pg["work"].items():
            t.add_row(
                f"classroom page, server work per day ({name})",
                f"{w['ms_per_day']:.1f} ms (90 %: {w['p90_ms_per_day']:.1f}; "
                f"first pictures {w['first_pictures_ms']:.0f})",
                f"< {1000 / pg['top_speed']:.0f} ms",
                ok(w["p90_ms_per_day"] < 1000 / pg["top_speed"]),
            )
        b = pg["browser"]
        if b is None:
            t.add_row("classroom page in Chromium", "skipped (no /usr/bin/chromium)", "", "")
        else:
            t.add_row(
                f"  Play at {pg['top_speed']} days/s in Chromium ({b['scenario']})",
                f"{b['days_per_s']:.1f} days/s ({b['days_shown_per_s']:.1f} shown; server "
                f"{b['server_cpu_ms_per_day']:.0f} ms CPU/day)",
                f">= {TARGET_PAGE_DAYS_PER_S:.0f}",
                ok(b["days_per_s"] >= TARGET_PAGE_DAYS_PER_S),
            )
    c = r.get("calibration")
    if c:
        ev = c["evaluation"]
        t.add_row("run of the loaded scenario (no event log)", f"{ev['run_ms']:.1f} ms", "", "")
        t.add_row(
            "  evaluation with new values, pyabc sampler included",
            f"{ev['evaluation_with_sampler_ms']:.1f} ms ({ev['ratio_with_sampler']:.2f} x)",
            f"<= {TARGET_EVALUATION_RATIO} x",
            ok(ev["ratio_with_sampler"] <= TARGET_EVALUATION_RATIO),
        )
        t.add_row(
            "  evaluation alone",
            f"{ev['evaluation_ms']:.1f} ms ({ev['ratio_alone']:.2f} x)",
            "",
            "",
        )
        sh = c.get("shipped")
        if sh:
            t.add_row(
                f"shipped calibration, {sh['workers']} workers",
                f"{sh['seconds'] / 60:.1f} min ({sh['generations']} generations, "
                f"{sh['model_runs']:,} runs, {sh['ms_per_model_run']:.1f} ms/run)",
                f"< {TARGET_CALIBRATION_S / 60:.0f} min",
                ok(sh["seconds"] < TARGET_CALIBRATION_S),
            )
    x = r.get("exercise")
    if x:
        t.add_row(
            f"exercise: {x['pages']} team pages ({x['teams']} teams), clock at 1 day/s",
            f"{x['days_per_s']:.2f} days/s",
            f">= {TARGET_EXERCISE_DAYS_PER_S}",
            ok(x["days_per_s"] >= TARGET_EXERCISE_DAYS_PER_S),
        )
        t.add_row(
            "  pages behind the exercise's day (95 % / max)",
            f"{x['lag_days_p95']} / {x['lag_days_max']} days "
            f"({x['share_current_day']:.0%} of {x['readings']} readings current)",
            f"<= {TARGET_EXERCISE_LAG_DAYS}",
            ok(x["lag_days_p95"] <= TARGET_EXERCISE_LAG_DAYS),
        )
        t.add_row(
            "  server CPU / memory",
            f"{x['server_cpu_share']:.0%} of a core / {x['server_rss_mb']} MB "
            f"(+{x['server_rss_growth_mb']} MB while playing)",
            "",
            "",
        )
    elif "exercise" in r:
        t.add_row("classroom exercise in Chromium", "skipped (no /usr/bin/chromium)", "", "")
    console.print(t)


if __name__ == "__main__":
    main()
