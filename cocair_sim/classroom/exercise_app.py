"""The classroom exercise's pages (`cocair exercise`): teams at `/`, the trainer at `/trainer`.

One `Exercise` is shared by every browser session of the server (it lives at module level, on
purpose: the class plays one world). A team's page shows only `Exercise.country_view` of its
own country; its link carries the team's token (`?team=...`), so a team that closes its browser
comes back to its country by opening the link again. The trainer's page needs the key printed by
`cocair exercise` (`/trainer?key=...`). Pages redraw when the exercise's version moves.
"""

from __future__ import annotations

import os
import threading
import time
from urllib.parse import parse_qs

import solara
import solara.lab

from cocair_sim import shipped
from cocair_sim.classroom import DEFAULT_SEED
from cocair_sim.classroom.exercise import (
    DEBRIEF_METRICS,
    Exercise,
    ExerciseError,
    Settings,
)
from cocair_sim.classroom.frames import IMAGE_FORMAT, MapFrame
from cocair_sim.intel.relay import automatic_mode_names
from cocair_sim.intel.relay.human import REPORT_CHOICES
from cocair_sim.scenario.loading import load_scenario

SCENARIO_ENV = "COCAIR_EXERCISE_SCENARIO"
SEED_ENV = "COCAIR_EXERCISE_SEED"
KEY_ENV = "COCAIR_EXERCISE_KEY"
DAY_ENV = "COCAIR_EXERCISE_SECONDS_PER_DAY"

HELP = {"font-size": "0.85em", "color": "#555", "display": "block", "margin-bottom": "6px"}
ROW = {"align-items": "center"}
LINE = {"min-width": "34em"}

_EXERCISE: Exercise | None = None
_LOCK = threading.Lock()
_HISTOGRAMS: dict[float, bytes] = {}  # the debrief's picture, by the class's difference
_MAP: MapFrame | None = None  # the trainer's map of the world, and its latest picture
_MAP_IMAGE: dict = {}


def exercise() -> Exercise:
    """The server's one exercise, made on first use from what `cocair exercise` set."""
    global _EXERCISE
    with _LOCK:
        if _EXERCISE is None:
            path = os.environ.get(SCENARIO_ENV) or str(shipped.scenario(shipped.CLASSROOM_SCENARIO))
            settings = Settings(seconds_per_day=float(os.environ.get(DAY_ENV, "60")))
            ex = Exercise(
                load_scenario(path), int(os.environ.get(SEED_ENV, DEFAULT_SEED)), settings
            )
            ex.start_draws()
            _EXERCISE = ex
        return _EXERCISE


def _query(router, name: str) -> str | None:
    values = parse_qs(router.search or "").get(name)
    return values[0] if values else None


def use_version(ex: Exercise) -> int:
    """Redraw this page whenever the exercise changes, and each second while the day clock runs
    (the countdown). Polled: each wait is a short task that ends, so a closed page leaves
    nothing running for long."""
    seen = solara.use_reactive(ex.version)
    tick = solara.use_reactive(0)

    def wait_for_change():
        deadline = time.monotonic() + (1.0 if ex.playing else 30.0)
        while time.monotonic() < deadline:
            if ex.version != seen.value:
                seen.set(ex.version)
                return
            time.sleep(0.2)
        tick.set(tick.value + 1)

    solara.lab.use_task(
        wait_for_change, dependencies=[seen.value, tick.value], prefer_threaded=True
    )
    return seen.value


def clock(ex: Exercise) -> None:
    """The day and the countdown (a plain function: it must redraw with the page)."""
    left = ex.seconds_left()
    state = "finished" if ex.finished else ("playing" if ex.playing else "paused")
    text = f"Day {ex.day} of {ex.model.days} ({state})"
    if left is not None:
        text += f"; decisions close in {left:.0f} s"
    solara.Text(text, classes=["clock"], style={"font-weight": "bold"})


def results_table(ex: Exercise) -> None:
    """The class beside each automatic mode on the same couriers, and where this world sits
    among the paired draws: the heart of the debrief."""
    debrief = ex.debrief()
    rows = [
        "| | " + " | ".join(label for _, label in DEBRIEF_METRICS) + " |",
        "|---" * (len(DEBRIEF_METRICS) + 1) + "|",
    ]
    for name, values in debrief["results"].items():
        who = "the class" if name == "class" else f"automatic: {name}"
        cells = [
            f"{values[k]:.1f}" if k.startswith("kg") else f"{values[k]:g}"
            for k, _ in DEBRIEF_METRICS
        ]
        rows.append(f"| {who} | " + " | ".join(cells) + " |")
    with solara.Div(classes=["debrief-results"]):
        solara.Markdown("\n".join(rows))
    if ex.draws.done:
        r = debrief["results"]
        klass = r["class"]["kg_seized_participants"] - r["none"]["kg_seized_participants"]
        if klass not in _HISTOGRAMS:  # the same picture for every page once the world ended
            _HISTOGRAMS[klass] = ex.draws.histogram_png({"the class": klass})
        solara.Image(_HISTOGRAMS[klass], format="png")
    else:
        solara.Text(
            f"The {len(ex.draws.seeds)} paired runs for comparison are still running "
            f"({len(ex.draws.values)} done) ..."
        )


@solara.component
def TeamPage():
    """A team's page: choose a country, then only what that country's contact points know,
    its decisions to take, and at the end its own debrief."""
    ex = exercise()
    use_version(ex)
    router = solara.use_router()
    token = solara.use_reactive(_query(router, "team"))
    error = solara.use_reactive("")
    team = ex.team_of(token.value) if token.value else None
    solara.Title("cocair-sim exercise: team")
    if team is None:
        solara.Markdown("## Choose your country")
        if token.value:
            solara.Warning("This team link is not known to this exercise.")
        free = ex.free_countries()
        if not free:
            solara.Info("Every country is taken.")
        for country in free:

            def take(country=country):
                try:
                    joined = ex.join(country)
                except ExerciseError as exc:
                    error.set(str(exc))
                    return
                token.set(joined.token)
                router.push(f"/?team={joined.token}")

            solara.Button(country, on_click=take, classes=["join"])
        if error.value:
            solara.Error(error.value)
        return
    view = ex.country_view(team)
    solara.Markdown(f"## {team.name}: your contact points")
    with solara.Div(classes=["team-link"]):
        solara.Markdown(f"Keep this link to come back to your country: `?team={team.token}`")
    clock(ex)
    open_reports = [r for r in view["reports"] if r["choice"] is None]
    open_alerts = [a for a in view["alerts"] if a["target"] is None]
    with solara.Card(f"Seizure reports to pass on ({len(open_reports)})"):
        solara.Text(
            "national: only your own airports are alerted. itinerary: sent to the countries on "
            "the courier's itinerary (bilateral: hours to days, and not always acted on). hub: "
            "to the coordination hub, which alerts every connected country within hours.",
            style=HELP,
        )
        for r in open_reports:
            with solara.Row(classes=["report"], style=ROW):
                named = "; the courier named the organisation" if r["named"] else ""
                solara.Text(
                    f"Report {r['id']} ({r['agency']}, day {r['held_since_day']}): seizure at "
                    f"{r['airport']}, itinerary {' > '.join(r['itinerary'])}{named}",
                    style=LINE,
                )
                for choice in REPORT_CHOICES:
                    solara.Button(
                        choice,
                        on_click=lambda r=r, c=choice: ex.decide_report(team, r["id"], c),
                        classes=[f"report-{choice}"],
                        small=True,
                    )
    active = [a for a in view["alerts"] if a["target"] is not None and a["expires_day"] > ex.day]
    earlier = len(view["alerts"]) - len(open_alerts) - len(active)
    with solara.Card(f"Alerts received ({len(open_alerts)} to decide)"):
        per_alert = ex.scenario.relay.controls_per_alert
        solara.Text(
            f"Target: the alert goes on the airport's board until it expires; passengers who "
            f"match it are controlled first, and it takes {per_alert:g} controls a day from the "
            "airport's capacity. Let go: nothing happens.",
            style=HELP,
        )
        for a in open_alerts + active:
            state = "open" if a["target"] is None else ("targeted" if a["target"] else "let go")
            with solara.Row(classes=["alert"], style=ROW):
                solara.Text(
                    f"Alert {a['id']} for {a['airport']} ({a['agency']}, {a['channel']}, "
                    f"from a seizure at {a['from']}), expires day {a['expires_day']}: {state}",
                    style=LINE,
                )
                if a["target"] is None:
                    solara.Button(
                        "Target",
                        on_click=lambda a=a: ex.decide_alert(team, a["id"], True),
                        classes=["alert-target"],
                        small=True,
                    )
                    solara.Button(
                        "Let go",
                        on_click=lambda a=a: ex.decide_alert(team, a["id"], False),
                        classes=["alert-ignore"],
                        small=True,
                    )
        if earlier:
            solara.Text(f"and {earlier} earlier alerts, decided and expired", style=HELP)
    with solara.Card("Your airports"):
        for c in view["controls"]:
            with solara.Div():
                solara.Text(
                    f"{c['airport']}: {c['capacity']:.0f} controls a day, "
                    f"{c['alerts_on_board']} alerts on the board"
                )
        seizures = view["seizures"]
        with solara.Div(classes=["seizures"]):
            solara.Text(
                f"Seizures so far: {len(seizures)}, {sum(s['kg'] for s in seizures):.1f} kg"
            )
        for s in seizures[::-1][:12]:
            with solara.Div():
                solara.Text(f"day {s['day']}: {s['kg']:.1f} kg at {s['airport']} ({s['method']})")
    if ex.finished:
        with solara.Card("Debrief"):
            results_table(ex)
            mine = [t for t in ex.debrief()["teams"] if t["country"] == team.name]
            for t in mine:  # only this team's own decisions
                with solara.Div(classes=["team-outcome"]):
                    solara.Markdown(team_summary(t))


@solara.component
def TrainerPage():
    """The trainer's page (with the key): the day clock, the defaults for what is left
    undecided, every country's state, the world's map and the debrief."""
    ex = exercise()
    version = use_version(ex)
    router = solara.use_router()
    solara.Title("cocair-sim exercise: trainer")
    if not trainer_allowed(router):
        return
    s = ex.settings
    solara.Markdown(f"## Trainer: {ex.scenario.name}")
    clock(ex)
    with solara.Row():
        solara.Button(
            "Step a day", on_click=ex.step_day, disabled=ex.playing or ex.finished, classes=["step"]
        )
        solara.Button(
            "Pause" if ex.playing else "Play",
            on_click=lambda: ex.play(not ex.playing),
            disabled=ex.finished,
            classes=["play"],
        )
    with solara.Column(style={"max-width": "36em"}):
        solara.SliderInt(
            f"Seconds per day for decisions: {s.seconds_per_day:g}",
            value=int(s.seconds_per_day),
            min=1,
            max=max(300, int(s.seconds_per_day)),
            on_value=lambda v: ex.configure(seconds_per_day=v),
        )
        solara.Select(
            "Countries without a team follow",
            value=s.automatic,
            values=automatic_mode_names(),
            on_value=lambda v: ex.configure(automatic=v),
        )
        solara.Select(
            "An undecided report is",
            value=s.report_default,
            values=list(REPORT_CHOICES),
            on_value=lambda v: ex.configure(report_default=v),
        )
        solara.Switch(
            label="Undecided alerts are targeted",
            value=s.target_by_default,
            on_value=lambda v: ex.configure(target_by_default=v),
        )
    rows = [
        "| country | played by | open reports | open alerts | seizures | kg |",
        "|---|---|---|---|---|---|",
    ]
    for r in ex.overview():
        played_by = r["played_by"]
        if r["token"]:  # a team that lost its link gets it back from the trainer
            played_by = f"[a team](/?team={r['token']})"
        rows.append(
            f"| {r['country']} | {played_by} | {r['open_reports']} | {r['open_alerts']} "
            f"| {r['seizures']} | {r['kg']:.1f} |"
        )
    with solara.Columns([1, 1]):
        with solara.Div(classes=["teams"]):
            solara.Markdown("\n".join(rows))
        with solara.Div(classes=["world-map"]):
            solara.Image(world_map(ex, version), format=IMAGE_FORMAT)
    if ex.finished:
        with solara.Card("Debrief"):
            solara.Markdown(f"[Printable summary](/summary?key={_query(router, 'key')})")
            debrief(ex)


@solara.component
def SummaryPage():
    """The debrief on a page of its own, without controls: for printing."""
    ex = exercise()
    use_version(ex)
    router = solara.use_router()
    solara.Title("cocair-sim exercise: debrief")
    if not trainer_allowed(router):
        return
    solara.Markdown(f"## Debrief: {ex.scenario.name}, seed {ex.seed}")
    if not ex.finished:
        solara.Info(f"The exercise is on day {ex.day} of {ex.model.days}: the debrief is ready at "
                    "its end.")  # fmt: skip
        return
    debrief(ex)


def world_map(ex: Exercise, version: int) -> bytes:
    """The whole world on the trainer's page: the classroom page's map, drawn once per change."""
    global _MAP
    with _LOCK:
        if _MAP is None:
            _MAP = ex.draw(lambda model: MapFrame(model, "The world (trainer only)"))
        if _MAP_IMAGE.get("version") != version:
            _MAP_IMAGE.update(version=version, image=ex.draw(_MAP.render))
        return _MAP_IMAGE["image"]


def trainer_allowed(router) -> bool:
    """The trainer's pages need the key `cocair exercise` printed (none when run without it)."""
    key = os.environ.get(KEY_ENV)
    if key is not None and _query(router, "key") != key:
        solara.Error("This page needs the trainer's link printed by `cocair exercise`.")
        return False
    return True


def debrief(ex: Exercise) -> None:
    """The whole debrief, on the trainer's page and the printable summary: results and every
    team's decisions."""
    results_table(ex)
    solara.Markdown("#### Each team's decisions")
    for t in ex.debrief()["teams"]:
        with solara.Div(classes=["team-outcome"]):
            solara.Markdown(team_summary(t))


def team_summary(t: dict) -> str:
    """One team's decisions in a line: how many it took, which paid off and which came late."""
    paid = ", ".join(
        f"report {p['report']} ({p['seizures']} seizure{'s' if p['seizures'] > 1 else ''})"
        for p in t["paid_off"]
    )
    late = ", ".join(f"report {p['report']}" for p in t["too_late"])
    return (
        f"**{t['country']}**: {t['reports_decided']} reports decided, "
        f"{t['reports_sent_abroad']} sent abroad; paid off: {paid or 'none'}; "
        f"too late: {late or 'none'}"
    )


@solara.component
def Layout(children):
    """No navigation between the pages: a team must not find the trainer's."""
    solara.Column(children=children, style={"padding": "1em 2em"})


routes = [
    solara.Route(path="/", component=TeamPage, layout=Layout),
    solara.Route(path="trainer", component=TrainerPage),
    solara.Route(path="summary", component=SummaryPage),
]
