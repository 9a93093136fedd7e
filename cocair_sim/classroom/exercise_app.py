"""The classroom exercise's pages (`cocair exercise`).

- `/`: a team's page. A team takes a country (or enters the PIN on its card), then sees only
  what that country's contact points know, decides, and at the end reads its debrief.
- `/trainer?key=...`: the clock, the settings, the countries and their teams (assign, release,
  swap, lock joining), the world's map and the debrief.
- `/screen`: for the projector: the clock, the world's map and, at the end, the debrief; no
  secret in its address or on it.
- `/summary?key=...` (the printable debrief) and `/cards?key=...` (the PIN cards to print).

One `Exercise` is shared by every browser session of the server (at module level, on purpose:
the class plays one world). Pages wait on the exercise's condition (`Exercise.wait`): the clock
and every decision wake the pages they concern, and nothing else does. Every page and the
debrief speak the language chosen on it (`?lang=fr`; English, French, Portuguese, Spanish).
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from pathlib import Path
from urllib.parse import parse_qs

import ipyvuetify
import markdown
import solara
import solara.lab

from cocair_sim import shipped
from cocair_sim.classroom import DEFAULT_SEED
from cocair_sim.classroom.debrief import (
    alert_words,
    calibrated_view,
    comparisons,
    decision_words,
    mode_words,
    when,
)
from cocair_sim.classroom.exercise import (
    CLOCK,
    DEBRIEF_METRICS,
    END,
    EVERYTHING,
    TEAMS,
    Exercise,
    ExerciseError,
    Settings,
    same_secret,
)
from cocair_sim.classroom.frames import IMAGE_FORMAT, MapFrame
from cocair_sim.classroom.i18n import LANGUAGES, N_, Translate, language_of, translator
from cocair_sim.intel.relay import automatic_mode_names
from cocair_sim.intel.relay.human import REPORT_CHOICES

SCENARIO_ENV = "COCAIR_EXERCISE_SCENARIO"
SEED_ENV = "COCAIR_EXERCISE_SEED"
KEY_ENV = "COCAIR_EXERCISE_KEY"
DAY_ENV = "COCAIR_EXERCISE_SECONDS_PER_DAY"
FOLDER_ENV = "COCAIR_EXERCISE_FOLDER"  # the log's folder
RESUME_ENV = "COCAIR_EXERCISE_RESUME"

HELP = {"font-size": "0.85em", "color": "#555", "display": "block", "margin-bottom": "6px"}
ROW = {"align-items": "center"}
LINE = {"min-width": "34em"}

PHASES = {
    "baseline": N_("baseline"),
    "operation": N_("operation"),
    "after": N_("after the operation"),
}
METHODS = {"internal": N_("swallowed"), "luggage": N_("in luggage"), "cargo": N_("in cargo")}
AGENCIES = {"customs": N_("customs"), "police": N_("police")}
CHANNELS = {"national": N_("national"), "hub": N_("through the hub"),
            "bilateral": N_("bilateral")}  # fmt: skip
CHOICES = {"national": N_("national"), "itinerary": N_("itinerary"), "hub": N_("hub")}
METRIC_WORDS = {
    "kg_seized_participants": N_("kg seized at participating airports"),
    "kg_delivered": N_("kg that reached Europe"),
    "alerts_sent": N_("alerts sent"),
    "alerts_delivered": N_("alerts on an airport's board in time"),
}

_EXERCISE: Exercise | None = None
_LOCK = threading.Lock()
_HISTOGRAMS: dict[float, bytes] = {}  # the debrief's picture, by the class's difference
_MAP: MapFrame | None = None  # the world's map, and its latest picture
_MAP_IMAGE: dict = {}
# Pages' parts redraw one at a time. A new day or an alert can wake a part of every page at
# once, and their redraws share one interpreter: run together, they starve the clocks' small
# messages (which never wait on this), and the page then shows its new day late.
_REDRAW = threading.Lock()


def exercise() -> Exercise:
    """The server's one exercise: a new one from what `cocair exercise` set, or the one its
    log holds (`--resume`)."""
    global _EXERCISE
    with _LOCK:
        if _EXERCISE is None:
            folder = os.environ.get(FOLDER_ENV)
            if folder and os.environ.get(RESUME_ENV):
                ex = Exercise.resume(Path(folder))
            else:
                path = os.environ.get(SCENARIO_ENV) or str(
                    shipped.scenario(shipped.CLASSROOM_SCENARIO)
                )
                settings = Settings(seconds_per_day=float(os.environ.get(DAY_ENV, "60")))
                ex = Exercise.start(
                    Path(path), int(os.environ.get(SEED_ENV, DEFAULT_SEED)), settings,
                    Path(folder) if folder else None, key=os.environ.get(KEY_ENV),
                )  # fmt: skip
            ex.start_draws()
            _EXERCISE = ex
        return _EXERCISE


@functools.lru_cache(maxsize=4096)
def _html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables"])


def prose(text: str, classes: tuple[str, ...] = ()) -> None:
    """Markdown text, made HTML on the server. `solara.Markdown` sends each new text as a Vue
    template of its own, which every browser compiles and mounts with its maths and diagram
    scripts: when every country's part changes at once, pages fall behind the clock."""
    solara.HTML(unsafe_innerHTML=_html(text),
                classes=["prose", "rendered_html", "jp-RenderedHTMLCommon", *classes])  # fmt: skip


def _query(router, name: str) -> str | None:
    values = parse_qs(router.search or "").get(name)
    return values[0] if values else None


def use_pushed(ex: Exercise, topics: tuple, read, dependencies=()):
    """What `read()` returns, kept up to date: read again whenever one of `topics` moves
    (pushed by the exercise, not polled) and at least once a second, and the component redraws
    only when it differs from what it shows. A page's parts each follow their own topics, so a
    new day redraws the clocks, and a country's page only when what it shows has changed."""
    value = solara.use_reactive(None)
    task: list = solara.use_memo(lambda: [None], dependencies=[])

    def follow():
        while task[0] is None or task[0].is_current():  # ends once the page is gone
            seen = ex.state(topics)
            now = read()
            if now != value.value:
                with _REDRAW:  # one page's part at a time: see _REDRAW
                    value.set(now)
            ex.wait(seen, topics, timeout=1.0)

    task[0] = solara.lab.use_task(
        follow, dependencies=[id(ex), topics, *dependencies], prefer_threaded=True
    )
    return read() if value.value is None else value.value


def use_exercise(ex: Exercise, topics: tuple = EVERYTHING) -> tuple:
    """Redraw this component when one of `topics` moves; returns where they are."""
    return use_pushed(ex, topics, lambda: ex.state(topics))


def use_language(router) -> tuple[Translate, solara.Reactive]:
    """The page's language (from `?lang=`, then its selector) and its translator."""
    lang = solara.use_reactive(language_of(_query(router, "lang")))
    solara.Select(
        "Language / Langue / Idioma",
        value=LANGUAGES[lang.value],
        values=list(LANGUAGES.values()),
        on_value=lambda v: lang.set(next(k for k, name in LANGUAGES.items() if name == v)),
        classes=["language"],
    )
    return translator(lang.value), lang


def clock_text(ex: Exercise, t: Translate) -> str:
    """The day, the hour and the phase, as every page shows them."""
    rest = ex.hour - 24.0 * ex.day  # the hour of the clock's day (24:00 on the last)
    state = t("finished") if ex.finished else t("playing") if ex.playing else t("paused")
    return t("Day {day} of {days}, {time} ({phase}, {state})", day=ex.day + 1,
             days=ex.model.days, time=f"{int(rest):02d}:{int((rest % 1) * 60):02d}",
             phase=t(PHASES[ex.phase()]), state=state)  # fmt: skip


@solara.component
def Clock(ex: Exercise, t: Translate):
    """The clock on every page. It moves every second while the clock plays, on every page at
    once, so its text is set on its widget directly rather than by redrawing the page around
    it (which would cost the server a page's redraw per page per second)."""
    widget = solara.use_memo(
        lambda: ipyvuetify.Html(tag="span", class_="clock", style_="font-weight: bold",
                                children=[clock_text(ex, t)]),
        dependencies=[id(ex), t],
    )  # fmt: skip

    def start():
        stop = threading.Event()

        def follow():
            while not stop.is_set() and widget.comm is not None:  # until the page is gone
                seen = ex.state((CLOCK, END))
                text = clock_text(ex, t)
                if widget.children != [text]:
                    widget.children = [text]
                ex.wait(seen, (CLOCK, END), timeout=1.0)

        threading.Thread(target=follow, daemon=True, name="exercise-page-clock").start()
        return stop.set

    solara.use_effect(start, dependencies=[widget])
    solara.Div(children=[widget])  # a widget of its own: the page's redraws leave it alone


def results_table(ex: Exercise, t: Translate) -> None:
    """The class beside each automatic mode on the same couriers, in words, and where this
    world sits among the paired draws."""
    debrief = ex.debrief()
    results = debrief["results"]
    with solara.Div(classes=["debrief-sentences"]):
        for sentence in comparisons(results, t):
            prose(sentence)
    rows = [
        "| | " + " | ".join(t(METRIC_WORDS[k]) for k in DEBRIEF_METRICS) + " |",
        "|---" * (len(DEBRIEF_METRICS) + 1) + "|",
    ]
    for name, values in results.items():
        who = t("the class") if name == "class" else mode_words(name, t)
        cells = [f"{values[k]:.1f}" if k.startswith("kg") else f"{values[k]:g}"
                 for k in DEBRIEF_METRICS]  # fmt: skip
        rows.append(f"| {who} | " + " | ".join(cells) + " |")
    prose("\n".join(rows), classes=("debrief-results",))
    if ex.draws.done:
        klass = (results["class"]["kg_seized_participants"]
                 - results["none"]["kg_seized_participants"])  # fmt: skip
        if klass not in _HISTOGRAMS:  # the same picture for every page once the world ended
            _HISTOGRAMS[klass] = ex.draws.histogram_png({"the class": klass})
        prose(
            t(
                "This world among {n} others drawn the same way (the hub against no "
                "relay; the class's own difference marked):",
                n=len(ex.draws.seeds),
            )
        )
        solara.Image(_HISTOGRAMS[klass], format="png")
    else:
        solara.Text(t("The {n} paired runs for comparison are still running ({done} done) ...",
                      n=len(ex.draws.seeds), done=len(ex.draws.values)))  # fmt: skip
    with solara.Div(classes=["calibrated"]):
        prose("#### " + t("Beyond this classroom world"))
        for sentence in calibrated_view(ex.scenario, t):
            prose(sentence)


def team_log(team: dict, t: Translate) -> None:
    """One team's decisions, kept to the end, with what came of each."""
    prose(
        "**"
        + t("Team {n}: {country}", n=team["team"], country=team["country"])
        + "** — "
        + t(
            "{sent} of {total} reports sent abroad",
            sent=team["sent_abroad"],
            total=len(team["reports"]),
        )
    )
    rows = ["| " + " | ".join([t("report"), t("received"), t("seizure"), t("decision"),
                              t("decided"), t("outcome")]) + " |", "|---" * 6 + "|"]  # fmt: skip
    for r in team["reports"]:
        outcome = []
        if r["paid_off"]:
            outcome.append(t("paid off: {n} seizures abroad", n=r["paid_off"]))
        if r["too_late"]:
            outcome.append(t("too late: {n} alerts expired", n=r["too_late"]))
        rows.append("| " + " | ".join([
            str(r["id"]), when(r["received"], t), _seizure(r, t), decision_words(r, t),
            when(r["decided_at"], t), "; ".join(outcome),
        ]) + " |")  # fmt: skip
    prose("\n".join(rows), classes=("team-outcome",))
    if team["alerts"]:
        rows = [
            "| "
            + " | ".join(
                [t("alert"), t("received"), t("airport"), t("decision"), t("seizures it led to")]
            )
            + " |",
            "|---" * 5 + "|",
        ]
        for a in team["alerts"]:
            rows.append(f"| {a['id']} | {when(a['received'], t)} | {a['airport']} | "
                        f"{alert_words(a, t)} | {a['hits']} |")  # fmt: skip
        prose("\n".join(rows))


def _seizure(r: dict, t: Translate) -> str:
    if r["flag"]:
        return t("a passenger flagged by a passenger-data check at {airport}",
                 airport=r["airport"])  # fmt: skip
    return t(
        "{kg} kg {method} at {airport}",
        kg=f"{r['kg']:.1f}",
        method=t(METHODS.get(r["method"], r["method"] or "")),
        airport=r["airport"],
    )


@solara.component
def TeamPage():
    """A team's page: choose a country, then only what its contact points know."""
    ex = exercise()
    router = solara.use_router()
    token = solara.use_reactive(_query(router, "team"))
    team = ex.team_of(token.value) if token.value else None
    use_exercise(ex, (TEAMS, END))
    t, lang = use_language(router)
    solara.Title(t("cocair-sim exercise: team"))
    if team is None:
        JoinPage(ex, t, token, router, lang.value)
        return
    for country in list(team.countries):
        CountrySection(ex, team, country, t).key(f"country-{country}")
    if ex.finished:
        with solara.Card(t("Debrief")):
            results_table(ex, t)
            for row in ex.debrief()["teams"]:
                if row["country"] in {ex.model.network.countries[c] for c in team.countries}:
                    team_log(row, t)


@solara.component
def JoinPage(ex: Exercise, t: Translate, token, router, lang: str):
    """Choose a country (every country stays where it is: a click joins the one clicked), or
    enter the PIN on your card."""
    error = solara.use_reactive("")
    pin = solara.use_reactive("")
    browser = solara.get_session_id()
    prose("## " + t("Choose your country"))
    if token.value:
        solara.Warning(t("This team link is not known to this exercise."))
    mine = ex.team_of_browser(browser)
    if mine is not None:
        solara.Info(t("This browser already plays a country."))
        solara.Button(t("Back to my country"), on_click=lambda: _go(router, token, mine, lang),
                      classes=["mine"])  # fmt: skip
        return

    def join(country: str | None):
        try:
            joined = ex.join(country, browser) if country else ex.join_by_pin(pin.value, browser)
        except ExerciseError as exc:
            error.set(str(exc))
            return
        _go(router, token, joined, lang)

    if ex.settings.locked:
        solara.Info(t("Joining is locked: enter the PIN on your card."))
    taken = {ex.model.network.countries[c] for team in ex.teams.values() for c in team.countries}
    with solara.Row(style={"flex-wrap": "wrap"}):
        for country in ex.countries:
            solara.Button(country, on_click=lambda c=country: join(c), classes=["join"],
                          disabled=country in taken or ex.settings.locked)  # fmt: skip
    with solara.Row(style=ROW):
        solara.InputText(t("PIN from your card"), value=pin, classes=["pin"])
        solara.Button(t("Join with the PIN"), on_click=lambda: join(None), classes=["pin-join"])
    if error.value:
        solara.Error(error.value)


def _go(router, token, team, lang: str) -> None:
    token.set(team.token)
    router.push(f"/?team={team.token}&lang={lang}")


def _view(ex: Exercise, team, country: int) -> dict | None:
    try:
        return ex.country_view(team, country)
    except ExerciseError:  # the trainer took the country away: the team page redraws
        return None


@solara.component
def CountrySection(ex: Exercise, team, country: int, t: Translate):
    """One country's contact points: reports to pass on, alerts to target, its airports.
    Redrawn when what they show changes (a report, an alert, a decision, a seizure, an alert
    expiring), not at every tick of the clock."""
    view = use_pushed(ex, (TEAMS, CLOCK, country), lambda: _view(ex, team, country),
                      dependencies=(team.token,))  # fmt: skip
    if view is None:
        return
    prose("## " + t("{country}: your contact points", country=view["country"]))
    prose(t("Keep this page's address to come back to your country."), classes=("team-link",))
    Clock(ex, t)
    open_reports = [r for r in view["reports"] if r["choice"] is None]
    decided = [r for r in view["reports"] if r["choice"] is not None]
    with solara.Card(t("Seizure reports to pass on ({n})", n=len(open_reports))):
        solara.Text(t("national: only your own airports are alerted. itinerary: sent to the "
                      "countries on the courier's itinerary (bilateral: hours to days, and not "
                      "always acted on). hub: to the coordination hub, which alerts every "
                      "connected country within hours. A report you do not decide in time "
                      "follows the trainer's default."), style=HELP)  # fmt: skip
        for r in open_reports:
            with solara.Row(classes=["report"], style=ROW).key(f"report-{r['id']}"):
                solara.Text(_report_line(r, t), style=LINE)
                for choice in REPORT_CHOICES:
                    solara.Button(
                        t(CHOICES[choice]),
                        on_click=lambda r=r, c=choice: _safe(ex.decide_report, team, r["id"], c),
                        classes=[f"report-{choice}"],
                        small=True,
                    )
        if decided:
            rows = [f"- {_report_line(r, t)}: **{decision_words(r, t)}** "
                    f"({when(r['decided_at'], t)})" for r in decided[::-1]]  # fmt: skip
            prose("\n".join(rows), classes=("decided-reports",))
    # What needs a click is a row with buttons; what is done is one text (a page is redrawn
    # whole, so the fewer its parts, the more pages a server keeps up with).
    open_alerts = [a for a in view["alerts"] if a["target"] is None]
    decided_alerts = [a for a in view["alerts"] if a["target"] is not None][::-1][:20]
    with solara.Card(t("Alerts received ({n} to decide)", n=len(open_alerts))):
        solara.Text(t("Target: the alert goes on the airport's board until it expires; "
                      "passengers who match it are controlled first, and it takes {n} controls "
                      "a day from the airport's capacity. Let go: nothing happens.",
                      n=f"{ex.scenario.relay.controls_per_alert:g}"), style=HELP)  # fmt: skip
        for a in open_alerts:
            with solara.Row(classes=["alert"], style=ROW).key(f"alert-{a['id']}"):
                solara.Text(_alert_line(a, t), style=LINE)
                solara.Button(
                    t("Target"),
                    small=True,
                    classes=["alert-target"],
                    on_click=lambda a=a: _safe(ex.decide_alert, team, a["id"], True),
                )
                solara.Button(
                    t("Let go"),
                    small=True,
                    classes=["alert-ignore"],
                    on_click=lambda a=a: _safe(ex.decide_alert, team, a["id"], False),
                )
        if decided_alerts:
            prose(
                "\n".join(f"- {_alert_line(a, t)}" for a in decided_alerts),
                classes=("decided-alerts",),
            )
    seizures = view["seizures"]
    lines = [
        "- "
        + t(
            "{airport}: {n} controls a day, {alerts} alerts on the board",
            airport=c["airport"],
            n=f"{c['capacity']:.0f}",
            alerts=c["alerts_on_board"],
        )
        for c in view["controls"]
    ]
    lines.append(
        "\n"
        + t(
            "Seizures so far: {n}, {kg} kg",
            n=len(seizures),
            kg=f"{sum(s['kg'] for s in seizures):.1f}",
        )
        + "\n"
    )
    lines += [
        "- "
        + t(
            "day {day}: {kg} kg {method} at {airport}",
            day=s["day"],
            kg=f"{s['kg']:.1f}",
            method=t(METHODS.get(s["method"], "")),
            airport=s["airport"],
        )
        for s in seizures[::-1][:12]
    ]
    with solara.Card(t("Your airports")):
        prose("\n".join(lines), classes=("seizures",))


def _safe(action, *args) -> None:
    """A click that came too late (the default decided first) changes nothing."""
    with contextlib.suppress(ExerciseError):
        action(*args)


def _report_line(r: dict, t: Translate) -> str:
    what = t("Report {id} ({agency}, {received}): {seizure}; itinerary {itinerary}", id=r["id"],
             agency=t(AGENCIES[r["agency"]]), received=when(r["received"], t),
             seizure=_seizure(r, t), itinerary=" > ".join(r["itinerary"]))  # fmt: skip
    if r["named_organisation"]:
        what += "; " + t("the courier named the organisation")
    if r["names"] and not r["flag"]:
        what += "; " + t("the booking names {n} companions still travelling", n=r["names"])
    if r["choice"] is None:
        what += "; " + t("decide by {deadline}", deadline=when(r["deadline"], t))
    return what


def _alert_line(a: dict, t: Translate) -> str:
    text = t("Alert {id} for {airport} ({agency}, {channel}, from {origin}), received {received}, "
             "expires {expires}", id=a["id"], airport=a["airport"],
             agency=t(AGENCIES[a["agency"]]), channel=t(CHANNELS.get(a["channel"], a["channel"])),
             origin=a["from"], received=when(a["received"], t),
             expires=when(a["expires"], t))  # fmt: skip
    if a["names_passenger"]:
        text += "; " + t("it names the passenger")
    if a["target"] is None:
        return text + "; " + t("decide by {deadline}", deadline=when(a["deadline"], t))
    return text + ": " + alert_words(a, t)


@solara.component
def TrainerPage():
    """The trainer's page (with the key): the clock, the settings, the countries and teams, the
    world's map and the debrief."""
    ex = exercise()
    router = solara.use_router()
    use_exercise(ex, EVERYTHING)
    t, lang = use_language(router)
    solara.Title(t("cocair-sim exercise: trainer"))
    if not trainer_allowed(ex, router, t):
        return
    s = ex.settings
    key = _query(router, "key")
    prose("## " + t("Trainer: {scenario}", scenario=ex.scenario.name))
    Clock(ex, t)
    with solara.Row():
        solara.Button(t("Step a day"), on_click=ex.step_day, disabled=ex.playing or ex.finished,
                      classes=["step"])  # fmt: skip
        solara.Button(t("Pause") if ex.playing else t("Play"), classes=["play"],
                      on_click=lambda: ex.play(not ex.playing), disabled=ex.finished)  # fmt: skip
    with solara.Column(style={"max-width": "40em"}):
        solara.SliderInt(t("Seconds of real time per simulated day: {n}",
                           n=f"{s.seconds_per_day:g}"), value=int(s.seconds_per_day), min=1,
                         max=max(600, int(s.seconds_per_day)),
                         on_value=lambda v: ex.configure(seconds_per_day=float(v)))  # fmt: skip
        solara.SliderInt(
            t("Simulated hours a team has for each decision: {n}", n=f"{s.hours_to_decide:g}"),
            value=int(s.hours_to_decide),
            min=1,
            max=72,
            on_value=lambda v: ex.configure(hours_to_decide=float(v)),
        )
        solara.Select(
            t("Countries without a team follow"),
            value=mode_words(s.automatic, t),
            values=[mode_words(m, t) for m in automatic_mode_names()],
            on_value=lambda v: ex.configure(
                automatic=next(m for m in automatic_mode_names() if mode_words(m, t) == v)
            ),
        )
        solara.Select(
            t("A report not decided in time is"),
            value=t(CHOICES[s.report_default]),
            values=[t(CHOICES[c]) for c in REPORT_CHOICES],
            on_value=lambda v: ex.configure(
                report_default=next(c for c in REPORT_CHOICES if t(CHOICES[c]) == v)
            ),
        )
        solara.Switch(
            label=t("Alerts not decided in time are targeted"),
            value=s.target_by_default,
            on_value=lambda v: ex.configure(target_by_default=v),
        )
        solara.Switch(label=t("Lock joining (teams then need their card's PIN)"),
                      value=s.locked, on_value=lambda v: ex.configure(locked=v),
                      classes=["lock"])  # fmt: skip
    with solara.Columns([1, 1]):
        with solara.Div(classes=["teams"]):
            Overview(ex, t)
            TeamControls(ex, t)
        WorldMap(ex)
    prose(
        f"[{t('PIN cards to print')}](/cards?key={key}&lang={lang.value}) · "
        f"[{t('Projector view')}](/screen?lang={lang.value}) · "
        f"[{t('Printable debrief')}](/summary?key={key}&lang={lang.value})"
    )
    if ex.finished:
        with solara.Card(t("Debrief")):
            debrief(ex, t)


@solara.component
def Overview(ex: Exercise, t: Translate):
    """Every country, who plays it, its open decisions and seizures: redrawn when one of them
    changes, not with the clock."""
    rows = ["| " + " | ".join([t("country"), t("team"), t("open reports"), t("open alerts"),
                              t("seizures"), "kg"]) + " |", "|---" * 6 + "|"]  # fmt: skip
    automatic = mode_words(ex.settings.automatic, t)
    for r in use_pushed(ex, (TEAMS, *ex.countries_index()), ex.overview):
        if not r["playable"]:
            who = t("not in the operation")
        elif r["team"] is None:
            who = automatic
        else:
            who = t("team {n}", n=r["team"])
        rows.append(f"| {r['country']} | {who} | {r['open_reports']} | {r['open_alerts']} "
                    f"| {r['seizures']} | {r['kg']:.1f} |")  # fmt: skip
    prose("\n".join(rows))


@solara.component
def WorldMap(ex: Exercise):
    """The whole world (the trainer and the projector), redrawn once a simulated day."""
    day = use_pushed(ex, (CLOCK, END), lambda: (ex.day, ex.finished))
    with solara.Div(classes=["world-map"]):
        solara.Image(world_map(ex, day), format=IMAGE_FORMAT)


@solara.component
def TeamControls(ex: Exercise, t: Translate):
    """Assign a country to a new or existing team, release a country, swap two countries."""
    country = solara.use_reactive(ex.countries[0])
    other = solara.use_reactive(ex.countries[-1])
    team_number = solara.use_reactive(t("a new team"))
    message = solara.use_reactive("")
    teams = ex.team_list()
    choices = [t("a new team")] + [t("team {n}", n=k) for k in range(1, len(teams) + 1)]

    def act(action):
        try:
            message.set(action() or "")
        except ExerciseError as exc:
            message.set(str(exc))

    def assign():
        chosen = choices.index(team_number.value) if team_number.value in choices else 0
        team = ex.assign(country.value, teams[chosen - 1].token if chosen else None)
        if chosen:
            return ""
        pin = ex.pins[ex.country_index(country.value)]
        return (
            t(
                "{country} is kept for a new team: give it the card with PIN {pin}.",
                country=country.value,
                pin=pin,
            )
            if team
            else ""
        )

    prose("#### " + t("Teams and countries"))
    with solara.Row(style=ROW):
        solara.Select(t("Country"), value=country, values=ex.countries)
        solara.Select(t("to"), value=team_number, values=choices)
        solara.Button(t("Assign"), on_click=lambda: act(assign), classes=["assign"], small=True)
        solara.Button(t("Release"), on_click=lambda: act(lambda: ex.release(country.value)),
                      classes=["release"], small=True)  # fmt: skip
    with solara.Row(style=ROW):
        solara.Select(t("and"), value=other, values=ex.countries)
        solara.Button(
            t("Swap the two countries' teams"),
            classes=["swap"],
            small=True,
            on_click=lambda: act(lambda: ex.swap(country.value, other.value)),
        )
    if message.value:
        solara.Info(message.value)


@solara.component
def ScreenPage():
    """For the projector: the clock, the world and, at the end, the debrief; no secret."""
    ex = exercise()
    router = solara.use_router()
    use_exercise(ex, (CLOCK, END))
    t, _ = use_language(router)
    solara.Title(t("cocair-sim exercise"))
    prose("## " + t("{scenario}: the class plays the contact points",
                    scenario=ex.scenario.name))  # fmt: skip
    Clock(ex, t)
    if ex.finished:
        results_table(ex, t)
    else:
        WorldMap(ex)


@solara.component
def SummaryPage():
    """The debrief on a page of its own, without controls: for printing."""
    ex = exercise()
    router = solara.use_router()
    use_exercise(ex, (CLOCK, END))
    t, _ = use_language(router)
    solara.Title(t("cocair-sim exercise: debrief"))
    if not trainer_allowed(ex, router, t):
        return
    prose("## " + t("Debrief: {scenario}, seed {seed}", scenario=ex.scenario.name,
                    seed=ex.seed))  # fmt: skip
    if not ex.finished:
        solara.Info(t("The exercise is on day {day} of {days}: the debrief is ready at its end.",
                      day=ex.day + 1, days=ex.model.days))  # fmt: skip
        return
    debrief(ex, t)


@solara.component
def CardsPage():
    """One card per country with its PIN, to print and hand out."""
    ex = exercise()
    router = solara.use_router()
    t, _ = use_language(router)
    solara.Title(t("cocair-sim exercise: PIN cards"))
    if not trainer_allowed(ex, router, t):
        return
    with solara.Row(style={"flex-wrap": "wrap"}):
        for country in ex.countries:
            with solara.Card(country, classes=["card"], style={"width": "16em"}):
                prose(t("Your PIN: **{pin}**", pin=ex.pins[ex.country_index(country)]))
                solara.Text(t("Open the teams' page and enter this PIN."), style=HELP)


def world_map(ex: Exercise, version) -> bytes:
    """The whole world's picture (the classroom page's map), drawn once for every page that
    shows it at `version`."""
    global _MAP
    with _LOCK:
        if _MAP is None:
            _MAP = ex.draw(lambda model: MapFrame(model, ""))
        if _MAP_IMAGE.get("version") != version:
            _MAP_IMAGE.update(version=version, image=ex.draw(_MAP.render))
        return _MAP_IMAGE["image"]


def trainer_allowed(ex: Exercise, router, t: Translate) -> bool:
    """The trainer's pages need the key `cocair exercise` printed."""
    if not same_secret(_query(router, "key"), ex.key):
        solara.Error(t("This page needs the trainer's link printed by `cocair exercise`."))
        return False
    return True


def debrief(ex: Exercise, t: Translate) -> None:
    """The whole debrief: results in words, the calibrated view, every team's decisions."""
    results_table(ex, t)
    prose("#### " + t("Each team's decisions"))
    for team in ex.debrief()["teams"]:
        team_log(team, t)


@solara.component
def Layout(children):
    """No navigation between the pages: a team must not find the trainer's."""
    solara.Column(children=children, style={"padding": "1em 2em"})


routes = [
    solara.Route(path="/", component=TeamPage, layout=Layout),
    solara.Route(path="trainer", component=TrainerPage),
    solara.Route(path="screen", component=ScreenPage),
    solara.Route(path="summary", component=SummaryPage),
    solara.Route(path="cards", component=CardsPage),
]
