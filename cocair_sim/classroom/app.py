"""The trainers' classroom page: two worlds side by side, with and without the intelligence relay.

Start it with ``cocair viz [SCENARIO]`` (which sets ``COCAIR_VIZ_SCENARIO``) or directly with
``COCAIR_VIZ_SCENARIO=scenarios/classroom.yaml solara run cocair_sim.classroom.app``.

Both worlds use the same seed, so they send the same couriers (common random numbers): every
difference between the panels comes from the relay. Each browser session builds its own pair of
models inside ``Page`` (never at module level, which would be shared by every trainee).

The scenario settings a trainer can change are declared once, in `CONTROLS`: each control
starts from the chosen scenario's own value, and only a value changed on the page becomes a
scenario override. Untouched, the page shows the world of ``cocair run SCENARIO --seed N`` and
of the exercise.

Day numbering on the page is 1-based: "Day 3" is the third simulated day (model day index 2).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import solara
import solara.lab

from cocair_sim import shipped
from cocair_sim.classroom import DEFAULT_SEED
from cocair_sim.classroom.draws import DRAWS, PairedDraws, draw_seeds
from cocair_sim.classroom.frames import IMAGE_FORMAT, ChartFrame, MapFrame
from cocair_sim.errors import InputError
from cocair_sim.intel.relay import automatic_mode_names
from cocair_sim.intel.relay.none import NoRelay
from cocair_sim.model import events as ev
from cocair_sim.model.model import CocairModel
from cocair_sim.scenario.loading import load_scenario
from cocair_sim.scenario.network import network_for
from cocair_sim.scenario.schema import Scenario
from cocair_sim.scenario.updates import value_at

SCENARIO_ENV = "COCAIR_VIZ_SCENARIO"  # how `cocair viz` tells the page its scenario
LEGEND = (
    "Blue dots: couriers in flight; cyan squares: couriers at an airport; red stars: seizures "
    "of the last day; lines: alerts delivered in the last day (orange via the hub, purple "
    "bilateral, blue national); orange hexagon: the hub; green rings: airports of countries "
    "connected to the hub."
)


def connected_countries(spec: Scenario) -> int:
    """How many countries the scenario links to the hub: the top of "countries connected"."""
    net = network_for(spec)
    return len({int(net.airport_country[a.index]) for a in net.airports if a.hub_connected})


def coverage_of(spec: Scenario) -> int:
    """Countries the scenario connects to the hub: `relay.coverage`, where none means all."""
    every = connected_countries(spec)
    coverage = spec.relay.coverage
    return every if coverage is None else min(coverage, every)


def trained_share_of(spec: Scenario) -> float:
    """The scenario's trained share of participating units: `training.trained_share`, or, when
    the file gives training levels instead, the share of participants with some training."""
    share = spec.training.trained_share
    if share is not None:
        return share
    default = spec.customs_defaults.training_level
    levels = [
        ap.customs.training_level if ap.customs.training_level is not None else default
        for ap in spec.airports
        if ap.participant
    ]
    return sum(level > 0 for level in levels) / len(levels) if levels else 0.0


@dataclass(frozen=True)
class Control:
    """One scenario setting a trainer can change on the page, declared once: the widget, where
    it starts (the scenario's own value) and the override it becomes all come from here, so the
    page cannot drift from the scenario, `cocair run` or the exercise."""

    label: str
    field: str  # the scenario field it sets, as a dotted override path
    widget: Literal["select", "int", "float"]  # a drop-down list, or a slider
    show: str = "{}"  # the value after the label (format fields: the value, `high`)
    low: float = 0
    high: float | Callable[[Scenario], float] = 0  # the slider's top, or how to get it
    step: float = 1
    choices: Callable[[], list[str]] | None = None  # a drop-down list's values
    read: Callable[[Scenario], Any] | None = None  # the scenario's own value, if not the field's

    def own(self, spec: Scenario) -> Any:
        """The value the scenario itself gives: where the control starts."""
        return self.read(spec) if self.read is not None else value_at(spec, self.field)

    def bounds(self, spec: Scenario) -> tuple[float, float]:
        """The slider's range, widened if need be to take in the scenario's own value."""
        high = self.high(spec) if callable(self.high) else self.high
        own = self.own(spec)
        return min(self.low, own), max(high, own)

    def step_at(self, spec: Scenario, value: float) -> float:
        """The slider's step, made finer when `value` falls between its marks: a slider moves
        its value to the nearest mark, which would change the scenario unasked."""
        low, _ = self.bounds(spec)
        step = self.step
        while step > 1e-6 and not math.isclose(
            (value - low) / step, round((value - low) / step), abs_tol=1e-9
        ):
            step /= 10
        return step

    def text(self, spec: Scenario, value: Any) -> str:
        """The widget's label, with the value it shows."""
        if self.widget == "select":
            return self.label
        return f"{self.label}: {self.show.format(value, high=self.bounds(spec)[1])}"


RELAY_MODE = Control(
    "Relay mode (with relay panel)", "relay.mode", "select", choices=automatic_mode_names
)
# Every range covers the shipped scenarios' values with room to explore: the hub latency past
# the alerts' lifetime (96 hours in most scenarios), where the hub can no longer help.
CONTROLS = (
    RELAY_MODE,
    Control("Hub latency", "relay.hub_latency_hours", "float", show="{:g} hours", high=120, step=1),
    Control(
        "Countries connected to the hub",
        "relay.coverage",
        "int",
        show="{} of {high}",
        high=connected_countries,
        read=coverage_of,
    ),
    Control(
        "Trained share of units",
        "training.trained_share",
        "float",
        show="{:.0%}",
        high=1,
        step=0.05,
        read=trained_share_of,
    ),
    Control(
        "Screening capacity",
        "customs_defaults.capacity_per_day",
        "int",
        show="{} controls/day",
        low=5,
        high=120,
    ),
)


def scenario_settings(spec: Scenario) -> dict[str, Any]:
    """Every control's starting value, by scenario field: what the scenario itself says."""
    return {c.field: c.own(spec) for c in CONTROLS}


def overrides_for(spec: Scenario, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario overrides for the page's settings (by field): only the values that differ
    from the scenario's own, so that untouched controls leave the scenario as it is."""
    by_field = {c.field: c for c in CONTROLS}
    unknown = set(settings) - set(by_field)
    if unknown:
        raise KeyError(f"no control sets {', '.join(sorted(unknown))}")
    return {f: v for f, v in settings.items() if v != by_field[f].own(spec)}


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
    """Where the last day run falls in the calendar, for the panels' status lines."""
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
    """One world's day and totals in a line, to compare the two panels at a glance."""
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
    scenario: str, settings: Mapping[str, Any] | None = None, seed_text: str = str(DEFAULT_SEED)
) -> Twin:
    """The page's two worlds for a scenario file, the controls' settings (by scenario field;
    a control not given keeps the scenario's value) and the seed as typed: a mistake in either
    becomes the page's error message rather than an exception."""
    try:
        seed = int(str(seed_text).strip())
    except ValueError:
        return Twin(error=f"seed: '{seed_text}' is not a whole number")
    path = Path(scenario)
    try:
        own = load_scenario(path)
        changed = overrides_for(own, settings or {})
        relay_spec = load_scenario(path, changed) if changed else own
        none_spec = load_scenario(path, {**changed, RELAY_MODE.field: NoRelay.name})
    except InputError as exc:
        return Twin(error=exc.message)
    mode = relay_spec.relay.mode
    return Twin(
        models={
            "relay": CocairModel(relay_spec, seed=seed),
            "none": CocairModel(none_spec, seed=seed),
        },
        draws=PairedDraws((relay_spec, mode), (none_spec, NoRelay.name), draw_seeds(seed, DRAWS)),
    )


def scenario_choices(current: str) -> list[str]:
    """The scenario files the page offers: the shipped ones, and the one it was started with."""
    found = sorted(str(p) for p in shipped.folder("scenarios").glob("*.yaml"))
    return found if current in found else [current, *found]


def initial_scenario() -> str:
    """The scenario the page opens on: the one `cocair viz` was given, else the classroom's."""
    path = os.environ.get(SCENARIO_ENV) or str(shipped.scenario(shipped.CLASSROOM_SCENARIO))
    return str(Path(path).resolve())


@solara.component
def WorldPanel(twin: Twin, which: str, title: str, key: tuple):
    """One world's panel: its title, status line, map and legend, redrawn when `key` moves."""
    image, status = solara.use_memo(lambda: twin.map_image(which, title), dependencies=[key, title])
    with solara.Column(gap="4px"):
        solara.Markdown(f"### {title}")
        solara.Text(status)
        solara.Image(image, format=IMAGE_FORMAT)
        solara.Markdown(LEGEND, style={"font-size": "0.8em"})


@solara.component
def ChartAndFeed(twin: Twin, twin_mode: bool, key: tuple):
    """The kg chart of both worlds beside the relay world's event feed, to narrate from."""
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


def read_scenario(path: str) -> Scenario | str:
    """The scenario a file holds, or what is wrong with it (shown on the page, not raised)."""
    try:
        return load_scenario(Path(path))
    except InputError as exc:
        return exc.message


def control_widget(control: Control, spec: Scenario, changes: solara.Reactive[dict]) -> None:
    """The widget of one control: it shows the trainer's value, else the scenario's own, and
    records a change by the scenario field it sets."""
    value = changes.value.get(control.field, control.own(spec))

    def change(new: Any) -> None:
        changes.set({**changes.value, control.field: new})

    label = control.text(spec, value)
    if control.widget == "select":
        solara.Select(label, value=value, values=control.choices(), on_value=change)
        return
    low, high = control.bounds(spec)
    if control.widget == "int":
        solara.SliderInt(label, value=value, min=low, max=high, on_value=change, thumb_label=False)
    else:
        solara.SliderFloat(
            label,
            value=value,
            min=low,
            max=high,
            step=control.step_at(spec, value),
            on_value=change,
            thumb_label=False,
        )


@solara.component
def Page():
    """The classroom page: the run's buttons and the scenario's controls in the sidebar, the
    two worlds, their chart and feed, and this world among many paired draws."""
    scenario = solara.use_reactive(initial_scenario())
    spec = solara.use_memo(lambda: read_scenario(scenario.value), dependencies=[scenario.value])
    changes = solara.use_reactive({})  # scenario field -> the value a trainer set (CONTROLS)
    seed = solara.use_reactive(str(DEFAULT_SEED))
    twin_mode = solara.use_reactive(True)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(2)
    generation = solara.use_reactive(0)
    tick = solara.use_reactive(0)

    twin = solara.use_memo(
        lambda: build_twin(scenario.value, changes.value, seed.value),
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

    def choose_scenario(path: str) -> None:
        scenario.set(path)
        changes.set({})  # every control starts again from the new scenario's own value

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
            solara.Select(
                "Scenario",
                value=scenario.value,
                values=scenario_choices(scenario.value),
                on_value=choose_scenario,
            )
            if isinstance(spec, str):
                solara.Error(spec)
            else:
                for control in CONTROLS:
                    control_widget(control, spec, changes)
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
