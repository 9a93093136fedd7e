"""The trainers' classroom page: two worlds side by side, with and without the intelligence relay.

Start it with ``cocair viz [SCENARIO]`` (which sets ``COCAIR_VIZ_SCENARIO``) or directly with
``COCAIR_VIZ_SCENARIO=scenarios/classroom.yaml solara run cocair_sim.classroom.app``.

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

from cocair_sim import shipped
from cocair_sim.classroom.draws import DEFAULT_SEED, DRAWS, PairedDraws, draw_seeds
from cocair_sim.classroom.frames import IMAGE_FORMAT, ChartFrame, MapFrame
from cocair_sim.errors import InputError
from cocair_sim.intel.relay import automatic_mode_names
from cocair_sim.model import events as ev
from cocair_sim.model.model import CocairModel
from cocair_sim.scenario.loading import load_scenario

SCENARIO_ENV = "COCAIR_VIZ_SCENARIO"  # how `cocair viz` tells the page its scenario
LEGEND = (
    "Blue dots: couriers in flight; cyan squares: couriers at an airport; red stars: seizures "
    "of the last day; lines: alerts delivered in the last day (orange via the hub, purple "
    "bilateral, blue national); orange hexagon: the hub; green rings: airports of countries "
    "connected to the hub."
)


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
    for e in model.events:
        if e.event == ev.REPORT:
            report_of[(e.airport, e.courier)] = e.report
        elif e.event == ev.HUB_RECEIVED:
            hub_time.setdefault(e.report, e.time_h)
        elif e.event == ev.ALERT_DELIVERED:
            delivered.setdefault(e.report, []).append((e.time_h, e.airport, e.channel))

    out: list[str] = []
    for e in reversed(model.events):
        if len(out) >= limit:
            break
        day = e.day
        when = f"Day {day + 1}, {clock(e.time_h)}"
        if e.event == ev.SEIZURE:
            flagged = f" after a {e.channel} alert" if e.channel else ""
            text = (
                f"{when}: customs at {_airport_label(model, e.airport)} seized {e.kg:.1f} kg "
                f"({e.method}) from a courier of the {e.organisation}{flagged}"
            )
            rid = report_of.get((e.airport, e.courier))
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
        elif e.event == ev.ARREST:
            who = f"the {e.organisation}" if e.organisation else "the network"
            out.append(
                f"{when}: follow-up at {_airport_label(model, e.airport)}: {e.arrests} more "
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
        f"Day {model.steps} ({phase(model)}) — seized {model.value('kg_seized'):.1f} kg in "
        f"{model.value('seizures')} cases, delivered {model.value('kg_delivered'):.1f} kg, "
        f"alert hits {model.value('alert_hits')}"
    )


class Pacer:
    """Paces Play by the clock rather than by a pause after each day: the time a day takes to
    simulate and draw (the page draws in the thread that steps) counts toward its interval, so
    the speed chosen is the speed run while a day takes less than its interval. A day that took
    longer is not made up for by a burst of days."""

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self.clock, self.sleep = clock, sleep
        self.due = clock()

    def wait(self, days_per_second: float) -> None:
        """Sleep until the next day is due."""
        self.due = max(self.due + 1.0 / max(days_per_second, 1), self.clock())
        self.sleep(max(0.0, self.due - self.clock()))


@dataclass
class Twin:
    """The page's worlds and their pictures. Everything here is read and changed under `lock`:
    the play loop steps the worlds while the page draws them."""

    models: dict[str, CocairModel] = field(default_factory=dict)
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    frames: dict[tuple, MapFrame | ChartFrame] = field(default_factory=dict)
    draws: PairedDraws | None = None  # the same comparison on many seeds, this one first

    def step(self) -> bool:
        """Advance every world by one day; False when all have finished."""
        with self.lock:
            stepped = False
            for m in self.models.values():
                if m.running:
                    m.step()
                    stepped = True
            return stepped

    def _frame(self, key: tuple, make):
        """The picture for `key`, drawn in full the first time it is asked for."""
        if key not in self.frames:
            self.frames[key] = make()
        return self.frames[key]

    def map_image(self, which: str, title: str) -> tuple[bytes, str]:
        """One world's map as an image (`IMAGE_FORMAT`), and its status line."""
        with self.lock:
            model = self.models[which]
            frame = self._frame(("map", which, title), lambda: MapFrame(model, title))
            return frame.render(model), status_line(model)

    def chart_image(self, twin_mode: bool) -> tuple[bytes, float, list[str]]:
        """The chart (both worlds in twin mode) as an image, how many more kg the relay world has
        seized, and the relay world's event feed."""
        with self.lock:
            relay, none = self.models["relay"], self.models["none"]
            shown = self.models if twin_mode else {"relay": relay}
            frame = self._frame(("chart", twin_mode), lambda: ChartFrame(shown))
            feed = describe_events(relay, 15)
            diff = relay.value("kg_seized") - none.value("kg_seized")
            return frame.render(shown), diff, feed


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
        },
        draws=PairedDraws((relay_spec, mode), (none_spec, "none"), draw_seeds(seed, DRAWS)),
    )


def scenario_choices(current: str) -> list[str]:
    found = sorted(str(p) for p in shipped.folder("scenarios").glob("*.yaml"))
    return found if current in found else [current, *found]


def initial_scenario() -> str:
    path = os.environ.get(SCENARIO_ENV) or str(shipped.scenario(shipped.CLASSROOM_SCENARIO))
    return str(Path(path).resolve())


@solara.component
def WorldPanel(twin: Twin, which: str, title: str, key: tuple):
    image, status = solara.use_memo(lambda: twin.map_image(which, title), dependencies=[key, title])
    with solara.Column(gap="4px"):
        solara.Markdown(f"### {title}")
        solara.Text(status)
        solara.Image(image, format=IMAGE_FORMAT)
        solara.Markdown(LEGEND, style={"font-size": "0.8em"})


@solara.component
def ChartAndFeed(twin: Twin, twin_mode: bool, key: tuple):
    chart, diff, feed = solara.use_memo(
        lambda: twin.chart_image(twin_mode), dependencies=[key, twin_mode]
    )
    with solara.Columns([3, 2]):
        with solara.Column():
            solara.Markdown("### Cumulative kg seized and delivered")
            solara.Text(f"Relay has seized {diff:+.1f} kg so far")
            solara.Image(chart, format=IMAGE_FORMAT)
        with solara.Column():
            solara.Markdown("### Event feed (relay world, newest first)")
            if not feed:
                solara.Text("No seizure yet: press Step or Play.")
            for line in feed:
                with solara.Div(style={"font-size": "0.85em", "margin-bottom": "4px"}):
                    solara.Text(line)


@solara.component
def AmongMany(draws: PairedDraws, mode: str):
    """This world's difference among many paired draws: one world is one draw."""
    count = solara.use_reactive(0)

    def follow():  # redraw as the background runs finish (they take a few seconds)
        while count.value < len(draws.seeds) and not draws.stopped:
            time.sleep(0.5)
            count.set(len(draws.values))

    solara.lab.use_task(follow, dependencies=[draws], prefer_threaded=True)
    image = solara.use_memo(lambda: draws.histogram_png(), dependencies=[draws, count.value])
    with solara.Column(gap="4px", classes=["among-many"]):
        solara.Markdown(f"### This world among {len(draws.seeds)} paired draws")
        solara.Text(
            f"Relay ({mode}) minus no relay at the end of the operation window, each draw with "
            "its own seed and the same couriers in both worlds. The black line is this world "
            "(its seed). A single world can show no difference, or more than usual."
            + ("" if draws.done else f" Running: {len(draws.values)} of {len(draws.seeds)}.")
        )
        solara.Image(image, format="png")


@solara.component
def Page():
    scenario = solara.use_reactive(initial_scenario())
    mode = solara.use_reactive("hub")
    latency = solara.use_reactive(6.0)
    coverage = solara.use_reactive(10)
    trained = solara.use_reactive(1.0)
    capacity = solara.use_reactive(30)
    seed = solara.use_reactive(str(DEFAULT_SEED))
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

    def start_draws():
        if twin.draws is not None:
            twin.draws.start()
            return twin.draws.stop  # Reset or a closed page: stop the old world's draws

    solara.use_effect(start_draws, [twin])

    def step_once():
        if twin.step():
            tick.set(tick.value + 1)
        else:
            playing.set(False)

    def play_loop():
        pacer = Pacer()
        while playing.value:
            pacer.wait(speed.value)
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
            solara.Select(
                "Relay mode (with relay panel)", value=mode, values=automatic_mode_names()
            )
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
    AmongMany(twin.draws, relay_model.relay_mode)
