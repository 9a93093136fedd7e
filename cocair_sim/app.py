"""The trainers' classroom page: two worlds side by side, with and without the intelligence relay.

Start it with ``cocair viz [SCENARIO]`` (which sets ``COCAIR_VIZ_SCENARIO``) or directly with
``COCAIR_VIZ_SCENARIO=scenarios/classroom.yaml solara run cocair_sim.app``.

Both worlds use the same seed, so they send the same couriers (common random numbers): every
difference between the panels comes from the relay. Each browser session builds its own pair of
models inside ``Page`` (never at module level, which would be shared by every trainee).

Day numbering on the page is 1-based: "Day 3" is the third simulated day (model day index 2).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import solara
import solara.lab
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from cocair_sim.errors import InputError
from cocair_sim.geo import bbox_for, draw_basemap
from cocair_sim.model import CocairModel
from cocair_sim.scenario import load_scenario

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = REPO_ROOT / "scenarios" / "classroom.yaml"
LEGEND = (
    "Blue dots: couriers in flight; cyan squares: couriers at an airport; red stars: seizures "
    "of the last day; lines: alerts delivered in the last day (orange via the hub, purple "
    "bilateral, blue national); orange hexagon: the hub; green rings: airports of countries "
    "connected to the hub."
)
RELAY_CHOICES = ["hub", "bilateral", "none"]
CHANNEL_COLOURS = {"hub": "tab:orange", "bilateral": "tab:purple", "national": "tab:blue"}


# -- pure helpers (tested without a browser) ----------------------------------------------------
def clock(t: float, day: int | None = None) -> str:
    """'14:00' for an absolute hour on ``day`` (0-based); 'day 5, 02:00' on another day."""
    d, h = divmod(t, 24.0)
    minutes = round(h * 60)
    hh, mm = divmod(minutes, 60)
    if hh == 24:
        d, hh = d + 1, 0
    text = f"{hh:02d}:{mm:02d}"
    if day is not None and int(d) != day:
        text = f"day {int(d) + 1}, {text}"
    return text


def _airport_label(model: CocairModel, index: int) -> str:
    ap = model.network.airports[index]
    return f"{ap.iata} ({ap.country})"


def describe_events(model: CocairModel, limit: int = 15) -> list[str]:
    """Plain-language sentences for the latest seizures (and follow-up arrests), newest first.

    A seizure sentence tells where and what was seized, by which organisation's courier, whether
    an alert had flagged the courier, and how far the seizure report travelled so far: when it
    reached the hub and how many airports received an alert by when.
    """
    report_of: dict[tuple, int] = {}  # (airport, courier id) -> report id
    hub_time: dict[int, float] = {}
    delivered: dict[int, list[tuple[float, int, str]]] = {}
    for ev in model.events:
        t, _, kind, airport, courier, _, _, _, channel, _, report = ev
        if kind == "report":
            report_of[(airport, courier)] = report
        elif kind == "hub_received":
            hub_time.setdefault(report, t)
        elif kind == "alert_delivered":
            delivered.setdefault(report, []).append((t, airport, channel))

    out: list[str] = []
    for ev in reversed(model.events):
        if len(out) >= limit:
            break
        t, day, kind, airport, courier, org, method, kg, channel, _, report = ev
        when = f"Day {day + 1}, {clock(t)}"
        if kind == "seizure":
            flagged = f" after a {channel} alert" if channel else ""
            text = (
                f"{when}: customs at {_airport_label(model, airport)} seized {kg:.1f} kg "
                f"({method}) from a courier of the {org}{flagged}"
            )
            rid = report_of.get((airport, courier))
            if rid is None:
                text += "; the report is on its way to the national contact point"
            else:
                parts = []
                if rid in hub_time:
                    parts.append(f"the report reached the hub at {clock(hub_time[rid], day)}")
                deliveries = delivered.get(rid, [])
                if deliveries:
                    last = max(d[0] for d in deliveries)
                    n = len({d[1] for d in deliveries})
                    noun = "airport" if n == 1 else "airports"
                    verb = "and" if parts else "the report alerted"
                    parts.append(f"{verb} {n} {noun} by {clock(last, day)}")
                if not parts:
                    parts.append("no other airport has been alerted yet")
                text += "; " + " ".join(parts)
            out.append(text)
        elif kind == "arrest":
            who = f"the {org}" if org else "the network"
            out.append(
                f"{when}: follow-up at {_airport_label(model, airport)}: {courier} more "
                f"arrest(s) in {who}"
            )
    return out


def phase(model: CocairModel) -> str:
    if model.steps == 0:
        return "not started"
    cal = model.spec.calendar
    day = model.steps - 1
    if day < cal.operation_start:
        return "baseline"
    if day < cal.operation_start + cal.operation_days:
        return "operation"
    return "after the operation"


def status_line(model: CocairModel) -> str:
    return (
        f"Day {model.steps} ({phase(model)}) — seized {model.kg_seized:.1f} kg in "
        f"{model.seizures} cases, delivered {model.kg_delivered:.1f} kg, "
        f"alert hits {model.alert_hits}"
    )


def courier_positions(model: CocairModel) -> list[tuple[float, float, bool]]:
    """(lon, lat, in_flight) of every courier under way, interpolated along its current leg."""
    airports = model.network.airports
    now = model.now
    out = []
    for c in model.active_couriers():
        stops = c.itinerary.airports
        if c.state == "planned":
            continue
        if c.stop == 0:
            a = airports[stops[0]]
            out.append((a.lon, a.lat, False))
            continue
        a, b = airports[stops[c.stop - 1]], airports[stops[c.stop]]
        if now <= c.leg_departure:
            out.append((a.lon, a.lat, False))
        elif now >= c.leg_arrival:
            out.append((b.lon, b.lat, False))
        else:
            f = (now - c.leg_departure) / max(c.leg_arrival - c.leg_departure, 1e-9)
            out.append((a.lon + f * (b.lon - a.lon), a.lat + f * (b.lat - a.lat), True))
    return out


def draw_map(model: CocairModel, title: str) -> Figure:
    """Airports, links, couriers, the last day's seizures and alerts over the offline basemap."""
    net = model.network
    airports = net.airports
    fig = Figure(figsize=(6.0, 4.6), dpi=80)
    ax = fig.add_subplot()
    bbox = bbox_for([(a.lon, a.lat) for a in airports], pad_deg=4.0)
    draw_basemap(ax, bbox)
    segments = [
        [
            (airports[r.origin].lon, airports[r.origin].lat),
            (airports[r.destination].lon, airports[r.destination].lat),
        ]
        for r in net.routes
    ]
    ax.add_collection(LineCollection(segments, colors="0.55", linewidths=0.6, zorder=1))

    connected = {
        a
        for cp in model.contact_points
        if cp.connected and model.relay_mode == "hub"
        for a in cp.airports
    }
    ax.scatter(
        [a.lon for a in airports],
        [a.lat for a in airports],
        s=55,
        c="white",
        edgecolors=["tab:green" if a.index in connected else "0.3" for a in airports],
        linewidths=[1.8 if a.index in connected else 1.0 for a in airports],
        zorder=3,
    )
    for a in airports:
        ax.text(a.lon + 0.6, a.lat + 0.6, a.iata, fontsize=7, zorder=6)
    hub = model.hub.airport if model.relay_mode == "hub" and model.hub is not None else None
    if hub is not None:
        ax.scatter(
            hub.lon,
            hub.lat,
            s=220,
            marker="h",
            facecolors="none",
            edgecolors="tab:orange",
            linewidths=2,
            zorder=4,
        )

    pos = courier_positions(model)
    if pos:
        flying = [(x, y) for x, y, f in pos if f]
        ground = [(x, y) for x, y, f in pos if not f]
        if flying:
            ax.scatter(*zip(*flying, strict=True), s=10, c="tab:blue", zorder=5)
        if ground:
            ax.scatter(*zip(*ground, strict=True), s=10, c="tab:cyan", marker="s", zorder=5)

    day = model.steps - 1
    seizing: dict[int, int] = {}
    for ev in model.events:
        if ev[2] == "report":
            seizing[ev[10]] = ev[3]
    stars = []
    for ev in model.events:
        if ev[1] != day:
            continue
        if ev[2] == "seizure":
            stars.append(airports[ev[3]])
        elif ev[2] == "alert_delivered":
            src = seizing.get(ev[10])
            if src is None:
                continue
            s, d = airports[src], airports[ev[3]]
            colour = CHANNEL_COLOURS.get(ev[8], "tab:blue")
            if ev[8] == "hub" and hub is not None:
                xs, ys = [s.lon, hub.lon, d.lon], [s.lat, hub.lat, d.lat]
            else:
                xs, ys = [s.lon, d.lon], [s.lat, d.lat]
            ax.plot(xs, ys, color=colour, lw=1.6, alpha=0.8, zorder=2)
    if stars:
        ax.scatter(
            [a.lon for a in stars],
            [a.lat for a in stars],
            s=160,
            marker="*",
            c="red",
            edgecolors="darkred",
            zorder=7,
        )
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.93)
    return fig


def draw_chart(models: dict[str, CocairModel]) -> Figure:
    fig = Figure(figsize=(7.0, 2.8), dpi=80)
    ax = fig.add_subplot()
    styles = {"relay": "-", "none": "--"}
    for key, model in models.items():
        df = model.datacollector.get_model_vars_dataframe()
        if df.empty:
            continue
        days = range(1, len(df) + 1)
        name = f"with relay ({model.relay_mode})" if key == "relay" else "without relay"
        ax.plot(days, df["kg_seized"], styles[key], color="tab:red", label=f"seized, {name}")
        ax.plot(
            days, df["kg_delivered"], styles[key], color="tab:green", label=f"delivered, {name}"
        )
    ax.set_xlabel("day")
    ax.set_ylabel("cumulative kg")
    if ax.lines:
        ax.legend(fontsize=7, loc="upper left")
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.17, top=0.96)
    return fig


# -- model pair --------------------------------------------------------------------------------
@dataclass
class Twin:
    models: dict[str, CocairModel] = field(default_factory=dict)
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def step(self) -> bool:
        """Advance every world by one day; False when all have finished."""
        with self.lock:
            stepped = False
            for m in self.models.values():
                if m.running:
                    m.step()
                    stepped = True
            return stepped


def build_twin(
    scenario: str,
    mode: str,
    latency: float,
    coverage: int,
    trained: float,
    capacity: int,
    seed_text: str,
) -> Twin:
    try:
        seed = int(str(seed_text).strip())
    except ValueError:
        return Twin(error=f"seed: '{seed_text}' is not a whole number")
    overrides = {
        "relay.hub_latency_hours": float(latency),
        "relay.coverage": int(coverage),
        "training.trained_share": float(trained),
        "customs_defaults.capacity_per_day": int(capacity),
    }
    try:
        relay_spec = load_scenario(Path(scenario), {**overrides, "relay.mode": mode})
        none_spec = load_scenario(Path(scenario), {**overrides, "relay.mode": "none"})
    except InputError as exc:
        return Twin(error=exc.message)
    return Twin(
        models={
            "relay": CocairModel(relay_spec, seed=seed, relay_mode=mode),
            "none": CocairModel(none_spec, seed=seed, relay_mode="none"),
        }
    )


def scenario_choices(current: str) -> list[str]:
    found = sorted(str(p) for p in (REPO_ROOT / "scenarios").glob("*.yaml"))
    return found if current in found else [current, *found]


def initial_scenario() -> str:
    path = os.environ.get("COCAIR_VIZ_SCENARIO") or str(DEFAULT_SCENARIO)
    return str(Path(path).resolve())


# -- components --------------------------------------------------------------------------------
@solara.component
def WorldPanel(twin: Twin, which: str, title: str, key: tuple):
    model = twin.models[which]

    def make():
        with twin.lock:
            return draw_map(model, title), status_line(model)

    fig, status = solara.use_memo(make, dependencies=[key, title])
    with solara.Column(gap="4px"):
        solara.Markdown(f"### {title}")
        solara.Text(status)
        solara.FigureMatplotlib(fig, format="png", dependencies=[key, title])
        solara.Markdown(LEGEND, style={"font-size": "0.8em"})


@solara.component
def ChartAndFeed(twin: Twin, twin_mode: bool, key: tuple):
    relay_model, none_model = twin.models["relay"], twin.models["none"]

    def make():
        with twin.lock:
            shown = twin.models if twin_mode else {"relay": relay_model}
            diff = relay_model.kg_seized - none_model.kg_seized
            return draw_chart(shown), diff, describe_events(relay_model, 15)

    chart, diff, feed = solara.use_memo(make, dependencies=[key, twin_mode])
    with solara.Columns([3, 2]):
        with solara.Column():
            solara.Markdown("### Cumulative kg seized and delivered")
            solara.Text(f"Relay has seized {diff:+.1f} kg so far")
            solara.FigureMatplotlib(chart, format="png", dependencies=[key, twin_mode])
        with solara.Column():
            solara.Markdown("### Event feed (relay world, newest first)")
            if not feed:
                solara.Text("No seizure yet: press Step or Play.")
            for line in feed:
                with solara.Div(style={"font-size": "0.85em", "margin-bottom": "4px"}):
                    solara.Text(line)


@solara.component
def Page():
    scenario = solara.use_reactive(initial_scenario())
    mode = solara.use_reactive("hub")
    latency = solara.use_reactive(6.0)
    coverage = solara.use_reactive(10)
    trained = solara.use_reactive(1.0)
    capacity = solara.use_reactive(30)
    seed = solara.use_reactive("1")
    twin_mode = solara.use_reactive(True)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(2)
    generation = solara.use_reactive(0)
    tick = solara.use_reactive(0)

    twin = solara.use_memo(
        lambda: build_twin(
            scenario.value,
            mode.value,
            latency.value,
            coverage.value,
            trained.value,
            capacity.value,
            seed.value,
        ),
        dependencies=[generation.value],
    )

    def step_once():
        if twin.step():
            tick.set(tick.value + 1)
        else:
            playing.set(False)

    def play_loop():
        while playing.value:
            time.sleep(1.0 / max(speed.value, 1))
            if not playing.value:
                break
            step_once()

    solara.lab.use_task(
        play_loop, dependencies=[playing.value, generation.value], prefer_threaded=True
    )

    def reset():
        playing.set(False)
        tick.set(0)
        generation.set(generation.value + 1)

    solara.Title("cocair-sim classroom")
    with solara.AppBar():
        solara.AppBarTitle("cocair-sim classroom: the intelligence relay, day by day")

    with solara.Sidebar():
        with solara.Card("Run"):
            with solara.Row():
                solara.Button("Step", on_click=step_once, disabled=playing.value)
                solara.Button(
                    "Pause" if playing.value else "Play",
                    on_click=lambda: playing.set(not playing.value),
                )
                solara.Button("Reset", on_click=reset)
            solara.SliderInt(
                f"Speed: {speed.value} days per second",
                value=speed,
                min=1,
                max=10,
                thumb_label=False,
            )
            solara.Switch(label="Twin mode (with and without relay)", value=twin_mode)
        with solara.Card("Scenario (applied on Reset)"):
            solara.Select("Scenario", value=scenario, values=scenario_choices(scenario.value))
            solara.Select("Relay mode (with relay panel)", value=mode, values=RELAY_CHOICES)
            solara.SliderFloat(
                f"Hub latency: {latency.value:g} hours",
                value=latency,
                min=0,
                max=72,
                step=1,
                thumb_label=False,
            )
            solara.SliderInt(
                f"Countries connected to the hub: {coverage.value}",
                value=coverage,
                min=0,
                max=10,
                thumb_label=False,
            )
            solara.SliderFloat(
                f"Trained share of units: {trained.value:.0%}",
                value=trained,
                min=0,
                max=1,
                step=0.05,
                thumb_label=False,
            )
            solara.SliderInt(
                f"Screening capacity: {capacity.value} controls/day",
                value=capacity,
                min=5,
                max=120,
                thumb_label=False,
            )
            solara.InputText("Seed", value=seed)

    if twin.error:
        solara.Error(f"Cannot build the run: {twin.error} (fix the control and press Reset)")
        return

    relay_model = twin.models["relay"]
    key = (generation.value, tick.value, relay_model.steps)
    relay_title = f"With relay ({relay_model.relay_mode})"
    if twin_mode.value:
        with solara.Columns([1, 1]):
            WorldPanel(twin, "relay", relay_title, key)
            WorldPanel(twin, "none", "Without relay (none)", key)
    else:
        WorldPanel(twin, "relay", relay_title, key)
    ChartAndFeed(twin, twin_mode.value, key)
