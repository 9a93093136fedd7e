"""The classroom exercise: one shared world in which teams play their countries' contact points.

An `Exercise` holds the world (a `CocairModel` with the `human` relay mode), the teams and the
trainer's settings. The clock runs the world's hours as real time passes (`seconds_per_day` of
real time for a simulated day); a report reaches a team at its own hour, and a team's decision
acts at the simulated hour it is taken, so a team that decides fast catches couriers a slow one
misses, as in a real operation. A decision left open for `hours_to_decide` simulated hours
follows the trainer's default; countries without a team follow the automatic mode the trainer
picked.

Everything that changes the world (a team joining or leaving, each decision, each change of the
settings) is written to the exercise's log as it happens (`classroom.log`), with the simulated
hour: `Exercise.resume` rebuilds the same world at the same hour, with the same trainer key and
team links, after a crash.

What a team may see is `country_view`: its airports, its seizures, the reports and alerts it
holds or decided, its controls; nothing of another country's. `debrief` sets the class's result
beside the automatic modes run on the same seed (common random numbers), with each team's
decisions and which of them paid off or came too late.

Every method takes the exercise's lock: the clock and the pages call them from many threads.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cocair_sim.classroom import DEFAULT_SEED
from cocair_sim.classroom.draws import DRAWS, PairedDraws, draw_seeds
from cocair_sim.classroom.log import ExerciseLog
from cocair_sim.files.manifest import file_sha256
from cocair_sim.intel.relay import automatic_mode_names
from cocair_sim.intel.relay.human import REPORT_CHOICES, AlertDecision, HumanRelay, ReportDecision
from cocair_sim.intel.relay.none import NoRelay
from cocair_sim.model import events as ev
from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import summarise
from cocair_sim.scenario.loading import load_scenario
from cocair_sim.scenario.schema import METHODS, Scenario

DEBRIEF_METRICS = ("kg_seized_participants", "kg_delivered", "alerts_sent", "alerts_delivered")
PIN_DIGITS = 6
TICK = 0.05  # seconds of real time between two advances of the clock
CLOCK_WRITE = 1.0  # seconds of real time between two writes of the clock's hour to the log
PHASES = ("baseline", "operation", "after")
# What pages wait for (besides each country, by its index): the clock's day and state, the teams
# and settings, the end of the world and its debrief.
CLOCK, TEAMS, END = "clock", "teams", "end"
EVERYTHING = (CLOCK, TEAMS, END)


class ExerciseError(Exception):
    """A team or the trainer asked for something the exercise does not allow."""


@dataclass
class Team:
    """A team: its token (what lets its browsers act), the countries it plays (one unless the
    trainer gives it more) and the browser that made it."""

    token: str
    countries: list[int]
    browser: str | None = None


@dataclass
class Settings:
    """The trainer's settings."""

    automatic: str = "hub"  # what countries without a team do
    report_default: str = "national"  # a report left open too long
    target_by_default: bool = False  # an alert left open too long
    seconds_per_day: float = 60.0  # real seconds per simulated day while the clock plays
    hours_to_decide: float = 24.0  # simulated hours a decision stays open
    locked: bool = False  # joining needs a country's PIN


def same_secret(given: str | None, expected: str) -> bool:
    """Whether a token, key or PIN from a browser is the expected one: constant-time, and any
    text (a pasted curly quote, an accent) is simply not it."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def phase_of(scenario: Scenario, day: int) -> str:
    """Where a day (from 0) falls in the calendar: baseline, operation or after."""
    start = scenario.calendar.operation_start
    if day < start:
        return "baseline"
    return "operation" if day < start + scenario.calendar.operation_days else "after"


@dataclass
class Exercise:
    """One world for a class: the model in the `human` mode, its teams, the clock, the log."""

    scenario: Scenario
    seed: int = DEFAULT_SEED
    settings: Settings = field(default_factory=Settings)
    key: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    pins: dict[int, str] = field(default_factory=dict)
    log: ExerciseLog | None = None

    def __post_init__(self):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.model = CocairModel(self.scenario, seed=self.seed, relay_mode="human")
        self.relay: HumanRelay = self.model.relay
        self.relay.automatic = self.settings.automatic
        self.teams: dict[str, Team] = {}  # by token
        self.versions: dict[str | int, int] = {}  # by topic (CLOCK, ...) and country index
        self._seizures: dict[str, list[dict[str, Any]]] = {}  # by country, as they happened
        self._events_indexed = 0
        self.playing = False
        self._anchor: tuple[float, float] | None = None  # (real time, hour) the clock runs from
        self._clock: threading.Thread | None = None
        self._clock_written = 0.0
        self._debrief: dict[str, Any] | None = None
        self._replaying = False
        self._seen = (0, 0)  # decisions of each kind already announced to the pages
        for country in self.countries_index():
            self.pins.setdefault(country, _pin(set(self.pins.values())))
        self.draws = PairedDraws(
            (self.scenario, "hub"), (self.scenario, "none"), draw_seeds(self.seed, DRAWS)
        )

    # -- starting, and resuming after a crash -----------------------------------------------

    @classmethod
    def start(
        cls,
        scenario_path: Path,
        seed: int,
        settings: Settings,
        folder: Path | None,
        key: str | None = None,
    ) -> Exercise:
        """A new exercise, logged in `folder` (None: not logged), its trainer's `key` given
        (the one `cocair exercise` printed) or made here."""
        ex = cls(load_scenario(scenario_path), seed, settings)
        if key:
            ex.key = key
        if folder is not None:
            log = ExerciseLog.at(folder)
            if log.setup() is not None:
                log.close()
                raise ExerciseError(f"{folder} already holds an exercise: resume it, or start "
                                    "the new one in another folder")  # fmt: skip
            log.start(
                {"scenario": str(scenario_path), "sha256": file_sha256(scenario_path),
                 "seed": seed, "key": ex.key,
                 "pins": {str(k): v for k, v in ex.pins.items()}, "settings": asdict(settings)}
            )  # fmt: skip
            ex.log = log
        return ex

    @classmethod
    def resume(cls, folder: Path) -> Exercise:
        """The exercise logged in `folder`, rebuilt at the hour its clock had reached: the same
        world, key, PINs and team links."""
        log = ExerciseLog.at(folder)
        setup = log.setup()
        if setup is None:
            log.close()
            raise ExerciseError(f"{folder} holds no exercise to resume")
        if (
            not Path(setup["scenario"]).is_file()
            or file_sha256(setup["scenario"]) != setup["sha256"]
        ):
            log.close()
            raise ExerciseError(
                f"the scenario {setup['scenario']} changed or went away since the exercise began"
            )
        ex = cls(
            load_scenario(setup["scenario"]),
            int(setup["seed"]),
            Settings(**setup["settings"]),
            setup["key"],
            {int(k): v for k, v in setup["pins"].items()},
        )
        entries = log.entries()
        with ex.lock:
            ex._replaying = True
            try:
                for entry in entries:
                    ex._advance_to(entry.hour)
                    ex._apply(entry.kind, entry.data)
            finally:
                ex._replaying = False
            ex._advance_to(max(log.clock(), entries[-1].hour if entries else 0.0))
            ex.log = log
        return ex

    def _record(self, kind: str, data: dict[str, Any]) -> None:
        """Apply a change and log it at the current hour (nothing is logged while replaying)."""
        self._apply(kind, data)
        if self.log is not None and not self._replaying:
            self.log.add(self.hour, kind, data)

    def _apply(self, kind: str, data: dict[str, Any]) -> None:
        """One logged change, applied to the world (live, or again when resuming)."""
        if kind == "join":
            team = self.teams.get(data["token"]) or Team(data["token"], [], data.get("browser"))
            self.teams[team.token] = team
            team.countries.append(data["country"])
            self.relay.teams.add(data["country"])
        elif kind == "release":
            self._release(data["country"])
        elif kind == "swap":
            a, b = data["countries"]
            ta, tb = self.team_playing(a), self.team_playing(b)
            for team, old, new in ((ta, a, b), (tb, b, a)):
                if team is not None:
                    team.countries[team.countries.index(old)] = new
            for country, team in ((a, tb), (b, ta)):
                if team is None:
                    self._settle_as_automatic(country)
                    self.relay.teams.discard(country)
                else:
                    self.relay.teams.add(country)
        elif kind == "configure":
            for name, value in data.items():
                setattr(self.settings, name, value)
            self.relay.automatic = self.settings.automatic
        elif kind == "report":
            d = self._decision(self.relay.decisions.reports, data["id"])
            self.relay.decide_report(d, data["choice"], by_default=data["default"])
            self._changed(d.country)
            return
        elif kind == "alert":
            d = self._decision(self.relay.decisions.alerts, data["id"])
            self.relay.decide_alert(d, data["target"], by_default=data["default"])
            self._changed(d.country)
            return
        else:
            raise ExerciseError(f"unknown log entry '{kind}'")
        self._changed(TEAMS)

    @staticmethod
    def _decision(decisions, decision_id: int):
        if not 1 <= decision_id <= len(decisions):
            raise ExerciseError(f"no decision {decision_id}")
        return decisions[decision_id - 1]

    def close(self) -> None:
        """Stop the clock and close the log (the exercise stays resumable)."""
        with self.lock:
            self.playing = False
            if self.log is not None:
                self.log.set_clock(self.hour)
                self.log.close()
                self.log = None

    # -- what pages wait for ---------------------------------------------------------------

    def _changed(self, *topics: str | int) -> None:
        """Some topics moved (CLOCK, TEAMS, END, or a country's index): wake their pages."""
        for topic in topics:
            self.versions[topic] = self.versions.get(topic, 0) + 1
        self.changed.notify_all()

    def state(self, topics=EVERYTHING) -> tuple:
        """Where the topics a page shows are, as a value that moves when one of them does."""
        return tuple(self.versions.get(topic, 0) for topic in topics)

    def wait(self, seen: tuple, topics=EVERYTHING, timeout: float = 1.0) -> tuple:
        """Block until the topics move from `seen`, or `timeout` seconds pass (pushed, not
        polled: the clock and every decision notify the waiting pages)."""
        with self.changed:
            self.changed.wait_for(lambda: self.state(topics) != seen, timeout)
            return self.state(topics)

    # -- teams ------------------------------------------------------------------------------

    def countries_index(self) -> list[int]:
        """Countries a team can play (those with a participating airport), by index."""
        net = self.model.network
        playing = {a.country for a in net.airports if a.participant}
        return [i for i, c in enumerate(net.countries) if c in playing]

    @property
    def countries(self) -> list[str]:
        """Countries a team can play, by name."""
        return [self.model.network.countries[i] for i in self.countries_index()]

    def country_index(self, name: str) -> int:
        """A playable country's index (an `ExerciseError` for any other name)."""
        net = self.model.network
        if name not in self.countries:
            raise ExerciseError(f"'{name}' is not a country of this exercise")
        return net.countries.index(name)

    def team_playing(self, country: int) -> Team | None:
        """The team playing a country (None: automatic)."""
        return next((t for t in self.teams.values() if country in t.countries), None)

    def team_of(self, token: str | None) -> Team | None:
        """The team a browser's link belongs to (any other text: none)."""
        with self.lock:
            return next((t for k, t in self.teams.items() if same_secret(token, k)), None)

    def team_of_browser(self, browser: str | None) -> Team | None:
        """The team a browser made (one browser, one team)."""
        with self.lock:
            if not browser:
                return None
            return next((t for t in self.teams.values() if t.browser == browser), None)

    def join(self, country: str, browser: str | None = None, pin: str | None = None) -> Team:
        """Take a country, or with its PIN (from the trainer's cards) join the team playing
        it. A browser that already plays a country cannot take another one by itself."""
        with self.lock:
            index = self.country_index(country)
            with_pin = pin is not None and same_secret(pin.strip(), self.pins[index])
            if pin is not None and not with_pin:
                raise ExerciseError("this PIN is not the one of that country")
            playing = self.team_playing(index)
            if playing is not None:
                if with_pin:
                    return playing
                raise ExerciseError(f"{country} is already played by another team")
            if self.settings.locked and not with_pin:
                raise ExerciseError("joining is locked: ask the trainer for your country's PIN")
            mine = self.team_of_browser(browser)
            if mine is not None and not with_pin:
                raise ExerciseError("this browser already plays a country")
            token = secrets.token_urlsafe(16)
            self._record("join", {"country": index, "token": token, "browser": browser})
            return self.teams[token]

    def join_by_pin(self, pin: str, browser: str | None = None) -> Team:
        """Join the country whose PIN this is (the trainer's cards)."""
        with self.lock:
            index = next((c for c, p in self.pins.items() if same_secret(pin.strip(), p)), None)
            if index is None:
                raise ExerciseError("this PIN is not known to this exercise")
            return self.join(self.model.network.countries[index], browser, pin)

    def assign(self, country: str, token: str | None = None) -> Team:
        """The trainer gives a free country to a team (an existing one, or a new one whose link
        the trainer hands out)."""
        with self.lock:
            index = self.country_index(country)
            if self.team_playing(index) is not None:
                raise ExerciseError(f"{country} is played by a team: release it first")
            if token is not None and self.team_of(token) is None:
                raise ExerciseError("no such team")
            token = token or secrets.token_urlsafe(16)
            self._record("join", {"country": index, "token": token, "browser": None})
            return self.teams[token]

    def release(self, country: str) -> None:
        """The trainer takes a country from its team: it follows the automatic mode again."""
        with self.lock:
            index = self.country_index(country)
            if self.team_playing(index) is None:
                raise ExerciseError(f"{country} has no team")
            self._record("release", {"country": index})

    def swap(self, first: str, second: str) -> None:
        """The trainer exchanges the teams of two countries (either may have none)."""
        with self.lock:
            a, b = self.country_index(first), self.country_index(second)
            if a == b:
                raise ExerciseError("choose two different countries")
            self._record("swap", {"countries": [a, b]})

    def _release(self, country: int) -> None:
        team = self.team_playing(country)
        if team is not None:
            team.countries.remove(country)
            if not team.countries:
                del self.teams[team.token]
        self._settle_as_automatic(country)
        self.relay.teams.discard(country)

    def _settle_as_automatic(self, country: int) -> None:
        """A country's open decisions, decided as its automatic mode would."""
        for d in self.relay.decisions.open_reports(country):
            self.relay.decide_report(d, self.relay.automatic_choice(), by_default=True)
        for d in self.relay.decisions.open_alerts(country):
            self.relay.decide_alert(d, True, by_default=True)

    def configure(self, **changes: Any) -> None:
        """The trainer's settings (`Settings` fields); each applies at once."""
        with self.lock:
            s = self.settings
            if "automatic" in changes and changes["automatic"] not in automatic_mode_names():
                raise ExerciseError(f"'{changes['automatic']}' is not an automatic relay mode")
            if "report_default" in changes and changes["report_default"] not in REPORT_CHOICES:
                raise ExerciseError(f"choose one of {', '.join(REPORT_CHOICES)}")
            if "seconds_per_day" in changes and not 0.05 <= changes["seconds_per_day"] <= 3600:
                raise ExerciseError("a simulated day lasts 0.05 s to an hour")
            if "hours_to_decide" in changes and not 0 < changes["hours_to_decide"] <= 24 * 14:
                raise ExerciseError("a decision stays open for up to two weeks")
            unknown = set(changes) - set(asdict(s))
            if unknown:
                raise ExerciseError(f"no setting {', '.join(sorted(unknown))}")
            changes = {k: v for k, v in changes.items() if getattr(s, k) != v}
            if not changes:
                return
            if "seconds_per_day" in changes and self.playing:
                self._anchor = (time.monotonic(), self.hour)  # the new speed applies now
            self._record("configure", changes)

    # -- the clock ----------------------------------------------------------------------------

    @property
    def hour(self) -> float:
        """The simulated hour the world has reached (from the start of day 1)."""
        return self.model.now

    @property
    def day(self) -> int:
        """The simulated day the clock is in (from 0; the pages say day + 1)."""
        return min(int(self.model.now // 24), self.model.days - 1)

    @property
    def end_hour(self) -> float:
        """The hour the world ends."""
        return self.model.days * 24.0

    @property
    def finished(self) -> bool:
        """Whether the world has run its last day (the debrief can be shown)."""
        return not self.model.running

    def phase(self) -> str:
        """The phase of the clock's day."""
        return phase_of(self.scenario, self.day)

    def _advance_to(self, hour: float) -> None:
        """Run the world to `hour`, each open decision following the defaults at the hour its
        time runs out (but when replaying the log, which holds those)."""
        limit = self.settings.hours_to_decide
        while self.model.running and self.hour < hour:
            due = [d.received + limit for d in self.relay.decisions.open_reports()] + [
                d.arrived + limit for d in self.relay.decisions.open_alerts()
            ]
            stop = min([hour, self.hour + limit, *(due if not self._replaying else [])])
            before = self.day
            self.model.advance_to(max(stop, self.hour))
            if not self._replaying:
                self._settle_due(limit)
            self._announce(before)
        if self.finished and not self._replaying:  # nothing can act any more
            for country in list(self.relay.teams):
                for d in self.relay.decisions.open_reports(country):
                    self._record("report", {"id": d.id, "choice": self.settings.report_default,
                                            "default": True})  # fmt: skip
                for d in self.relay.decisions.open_alerts(country):
                    self._record("alert", {"id": d.id, "target": self.settings.target_by_default,
                                           "default": True})  # fmt: skip
            self.playing = False

    def _settle_due(self, limit: float) -> None:
        s = self.settings
        for d in self.relay.decisions.open_reports():
            if d.received + limit <= self.hour:
                self._record("report", {"id": d.id, "choice": s.report_default, "default": True})
        for d in self.relay.decisions.open_alerts():
            if d.arrived + limit <= self.hour:
                self._record("alert", {"id": d.id, "target": s.target_by_default,
                                       "default": True})  # fmt: skip

    def _announce(self, day_before: int) -> None:
        """Tell the pages what moved: a new day for every page, new decisions for their
        countries' pages."""
        decisions = self.relay.decisions
        reports, alerts = decisions.reports[self._seen[0] :], decisions.alerts[self._seen[1] :]
        self._seen = (len(decisions.reports), len(decisions.alerts))
        topics = {d.country for d in reports} | {d.country for d in alerts}
        if self.day != day_before:
            topics.add(CLOCK)
        if self.finished:
            topics |= {CLOCK, END}
        if topics:
            self._changed(*topics)

    def advance(self, hours: float) -> None:
        """Run the world `hours` on (the trainer's step, or the clock)."""
        with self.lock:
            self._advance_to(min(self.end_hour, self.hour + hours))
            self._write_clock(force=True)

    def step_day(self) -> None:
        """Run the world to the start of the next day."""
        with self.lock:
            self._advance_to(min(self.end_hour, (int(self.hour // 24) + 1) * 24.0))
            self._write_clock(force=True)
            self._changed(CLOCK)

    def play(self, playing: bool = True) -> None:
        """Start (or stop) the clock: a simulated day every `seconds_per_day` of real time."""
        with self.lock:
            self.playing = playing and not self.finished
            self._anchor = (time.monotonic(), self.hour) if self.playing else None
            self._write_clock(force=True)  # a pause is where a resumed class goes on
            if self._clock is None:
                self._clock = threading.Thread(target=self._run_clock, daemon=True,
                                               name="exercise-clock")  # fmt: skip
                self._clock.start()
            self._changed(CLOCK)

    def _run_clock(self) -> None:
        while True:
            time.sleep(TICK)
            with self.lock:
                if not self.playing or self._anchor is None:
                    continue
                real, hour = self._anchor
                target = hour + (time.monotonic() - real) / self.settings.seconds_per_day * 24
                self._advance_to(min(self.end_hour, target))
                self._write_clock(force=self.finished)
                if self.finished:
                    self.playing = False
                    self._changed(CLOCK, END)

    def _write_clock(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.log is not None and (force or now - self._clock_written >= CLOCK_WRITE):
            self.log.set_clock(self.hour)
            self._clock_written = now

    def start_draws(self) -> None:
        """Run the paired draws in a thread of their own; pages redraw when they are done."""

        def run():
            self.draws.run()
            with self.lock:
                self._changed(END)

        threading.Thread(target=run, daemon=True, name="exercise-draws").start()

    # -- decisions --------------------------------------------------------------------------

    def decide_report(self, team: Team, decision_id: int, choice: str) -> None:
        """A team's choice for one of its seizure reports, acting from this hour."""
        with self.lock:
            if choice not in REPORT_CHOICES:
                raise ExerciseError(f"choose one of {', '.join(REPORT_CHOICES)}")
            d = self._open(self.relay.decisions.reports, team, decision_id)
            self._record("report", {"id": d.id, "choice": choice, "default": False})

    def decide_alert(self, team: Team, decision_id: int, target: bool) -> None:
        """A team's choice for an alert at one of its airports: target it or let it go."""
        with self.lock:
            d = self._open(self.relay.decisions.alerts, team, decision_id)
            self._record("alert", {"id": d.id, "target": bool(target), "default": False})

    @staticmethod
    def _open(decisions, team: Team, decision_id: int):
        found = next((d for d in decisions if d.id == decision_id), None)
        if found is None or found.country not in team.countries:
            raise ExerciseError("no such decision for your country")
        if (found.choice if isinstance(found, ReportDecision) else found.target) is not None:
            raise ExerciseError("this decision is already taken")
        return found

    # -- what a team sees -------------------------------------------------------------------

    def country_view(self, team: Team, country: int) -> dict[str, Any]:
        """Only what one of the team's countries' contact points would know."""
        with self.lock:
            if country not in team.countries:
                raise ExerciseError("not your country")
            model, net = self.model, self.model.network
            name = net.countries[country]
            mine = {a.index for a in net.airports if a.country == name}
            seizures = list(self._seizures_of(name))
            controls = [
                {"airport": net.airports[a].iata, "capacity": model.customs[a].capacity,
                 "alerts_on_board": model.boards[a].active}
                for a in sorted(mine)
            ]  # fmt: skip
            limit = self.settings.hours_to_decide
            reports = [
                _report_row(d, net, limit) for d in self.relay.decisions.reports
                if d.country == country
            ]  # fmt: skip
            alerts = [
                _alert_row(d, net, limit, self.hour) for d in self.relay.decisions.alerts
                if d.country == country
            ]  # fmt: skip
            return {
                "country": name,
                "airports": [net.airports[a].iata for a in sorted(mine)],
                "seizures": seizures,
                "controls": controls,
                "reports": reports,
                "alerts": alerts,
            }

    def _seizures_of(self, country: str) -> list[dict[str, Any]]:
        """A country's seizures so far, in order (the events are read once, as they come)."""
        net, events = self.model.network, self.model.events
        for e in events[self._events_indexed :]:
            if e.event == ev.SEIZURE:
                airport = net.airports[e.airport]
                self._seizures.setdefault(airport.country, []).append(
                    {"day": e.day + 1, "hour": e.time_h % 24, "airport": airport.iata,
                     "kg": e.kg, "method": e.method}
                )  # fmt: skip
        self._events_indexed = len(events)
        return self._seizures.get(country, [])

    def overview(self) -> list[dict[str, Any]]:
        """The trainer's table: every country, who plays it, its open decisions and seizures.
        No secret in it: the projector may show the trainer's screen."""
        with self.lock:
            net, decisions = self.model.network, self.relay.decisions
            playable = set(self.countries_index())
            numbers = {t.token: k for k, t in enumerate(self.team_list(), start=1)}
            rows = []
            for index, country in enumerate(net.countries):
                team = self.team_playing(index)
                kg = [s["kg"] for s in self._seizures_of(country)]
                rows.append(
                    {
                        "country": country,
                        "playable": index in playable,
                        "team": numbers[team.token] if team else None,
                        "open_reports": len(decisions.open_reports(index)),
                        "open_alerts": len(decisions.open_alerts(index)),
                        "seizures": len(kg),
                        "kg": round(sum(kg), 1),
                    }
                )
            return rows

    def team_list(self) -> list[Team]:
        """The teams in the order they joined (the trainer's team numbers)."""
        return list(self.teams.values())

    def draw(self, draw_fn):
        """Call `draw_fn(model)` under the lock (the world's map reads the running model)."""
        with self.lock:
            return draw_fn(self.model)

    # -- the debrief ------------------------------------------------------------------------

    def debrief(self) -> dict[str, Any]:
        """The class's result beside each automatic mode on the same seed, and each team's
        decisions with what came of them. Run the world to its end first."""
        with self.lock:
            if self._debrief is not None and self.finished:
                return self._debrief  # nothing changes once the world has ended
            results = {"class": _operation(self.model)}
            for mode in automatic_mode_names():
                other = CocairModel(self.scenario, seed=self.seed, relay_mode=mode).run()
                results[mode] = _operation(other)
            self._debrief = {"results": results, "teams": self._team_outcomes()}
            return self._debrief

    def _team_outcomes(self) -> list[dict[str, Any]]:
        """Per team and country: every decision (kept to the end, defaults marked), the
        seizures abroad that a report's alerts led to, and the alerts from it that came after
        they expired. Alerts are counted by report and agency: a report both of a country's
        contact points held is two decisions, each answerable for its own agency's alerts."""
        model, net = self.model, self.model.network
        hits_elsewhere: dict[tuple[int, str], int] = {}
        late: dict[tuple[int, str], int] = {}
        for e in model.events:
            key = (e.report, e.agency)
            if e.event == ev.ALERT_HIT:
                report = model.reports[e.report]
                if net.airport_country[e.airport] != net.airport_country[report.airport]:
                    hits_elsewhere[key] = hits_elsewhere.get(key, 0) + 1
            elif e.event == ev.ALERT_LATE and e.channel != ev.NATIONAL:
                late[key] = late.get(key, 0) + 1
        abroad = {choice for choice, mode in REPORT_CHOICES.items() if mode != NoRelay.name}
        limit = self.settings.hours_to_decide
        out = []
        for number, team in enumerate(self.team_list(), start=1):
            for country in team.countries:
                reports = []
                for d in self.relay.decisions.reports:
                    if d.country != country:
                        continue
                    row = _report_row(d, net, limit)
                    key = (d.report.id, d.agency)
                    row["paid_off"] = hits_elsewhere.get(key, 0) if d.choice in abroad else 0
                    row["too_late"] = late.get(key, 0) if d.choice in abroad else 0
                    reports.append(row)
                alerts = []
                for d in self.relay.decisions.alerts:
                    if d.country == country:
                        row = _alert_row(d, net, limit, self.hour)
                        row["hits"] = d.alert.hits if d.target else 0
                        alerts.append(row)
                out.append(
                    {
                        "team": number,
                        "country": net.countries[country],
                        "reports": reports,
                        "alerts": alerts,
                        "sent_abroad": sum(r["choice"] in abroad for r in reports),
                        "paid_off": [r for r in reports if r["paid_off"]],
                        "too_late": [r for r in reports if r["too_late"]],
                    }
                )
        return out


def _report_row(d: ReportDecision, net, limit: float) -> dict[str, Any]:
    r = d.report
    return {
        "id": d.id, "agency": d.agency, "airport": net.airports[r.airport].iata,
        "itinerary": [net.airports[a].iata for a in r.itinerary],
        "named_organisation": r.organisation is not None, "names": len(r.named),
        "flag": r.kind == "flag", "kg": r.grams / 1000.0,
        "method": METHODS[r.method] if r.method >= 0 else None,
        "received": d.received, "deadline": d.received + limit, "choice": d.choice,
        "decided_at": d.decided_at, "by_default": d.by_default,
    }  # fmt: skip


def _alert_row(d: AlertDecision, net, limit: float, now: float) -> dict[str, Any]:
    a = d.alert
    return {
        "id": d.id, "airport": net.airports[a.airport].iata, "agency": a.agency,
        "channel": a.channel, "from": net.airports[a.report.airport].iata,
        "names_passenger": bool(a.report.named), "received": d.arrived,
        "deadline": d.arrived + limit, "expires": a.expires, "target": d.target,
        "decided_at": d.decided_at, "by_default": d.by_default,
        "active": d.target is True and now < a.expires,
    }  # fmt: skip


def _pin(taken: set[str]) -> str:
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
        if pin not in taken:
            return pin


def _operation(model: CocairModel) -> dict[str, float]:
    op = summarise(model)["operation"]
    return {key: op[key] for key in DEBRIEF_METRICS}


def team_work(scenario: Scenario, seed: int) -> dict[str, int]:
    """Per playable country: the reports and alerts its team would have to decide in the
    operation week if every team sent its reports to the hub (the world of the automatic hub)."""
    model = CocairModel(scenario, seed=seed, relay_mode="hub").run()
    net, cal = model.network, scenario.calendar
    window = range(cal.operation_start, cal.operation_start + cal.operation_days)
    playing = {a.country for a in net.airports if a.participant}
    work = dict.fromkeys(sorted(playing), 0)
    for e in model.events:
        country = net.airports[e.airport].country
        if e.day in window and country in work and e.event in (ev.SEIZURE, ev.ALERT_DELIVERED):
            work[country] += 1
    return work
