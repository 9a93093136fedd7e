"""The classroom exercise: one shared world in which teams play their countries' contact points.

An `Exercise` holds the world (a `CocairModel` with the `human` relay mode), the teams and the
trainer's settings. The trainer's clock steps the world a day at a time; between two days each
team takes the decisions that belong to its contact points (what to do with each seizure report,
which alerts to target), and when the clock moves on, what is still open follows the trainer's
defaults. Countries without a team follow the automatic mode the trainer picked.

What a team may see is `country_view`: its airports, its seizures, the alerts that reached it,
its controls and its open decisions; nothing of another country's. `debrief` sets the class's
result beside the automatic modes run on the same seed (common random numbers), with each team's
decisions that paid off and those that came too late.

Every method takes the exercise's lock: the server calls them from many sessions at once.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cocair_sim.classroom import DEFAULT_SEED
from cocair_sim.classroom.draws import DRAWS, PairedDraws, draw_seeds
from cocair_sim.intel.relay import automatic_mode_names
from cocair_sim.intel.relay.human import REPORT_CHOICES, HumanRelay
from cocair_sim.intel.relay.none import NoRelay
from cocair_sim.model import events as ev
from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import summarise
from cocair_sim.scenario.schema import Scenario

DEBRIEF_METRICS = (
    ("kg_seized_participants", "kg seized at participating airports (operation)"),
    ("kg_delivered", "kg that reached Europe (operation)"),
    ("alerts_sent", "alerts sent (operation)"),
    ("alerts_delivered", "alerts on an airport's board in time (operation)"),
)


class ExerciseError(Exception):
    """A team asked for something the exercise does not allow (a taken country, say)."""


@dataclass
class Team:
    """The team playing one country: its token is what lets its browser act for that country."""

    country: int
    name: str  # the country's name
    token: str  # held by the team's browser: the same token resumes the same country


@dataclass
class Settings:
    """The trainer's settings: what happens to whatever the teams leave undecided, and when."""

    automatic: str = "hub"  # countries without a team
    report_default: str = "national"  # an undecided report, when the clock moves on
    target_by_default: bool = False  # an undecided alert
    seconds_per_day: float = 60.0  # the time limit per simulated day


@dataclass
class Exercise:
    """One world for a class: the model in the `human` mode, its teams, the clock, the debrief."""

    scenario: Scenario
    seed: int = DEFAULT_SEED
    settings: Settings = field(default_factory=Settings)

    def __post_init__(self):
        self.lock = threading.RLock()
        self.model = CocairModel(self.scenario, seed=self.seed, relay_mode="human")
        self.relay: HumanRelay = self.model.relay
        self.relay.automatic = self.settings.automatic
        self.teams: dict[int, Team] = {}
        self.version = 0  # bumped by every change: pages redraw when it moves
        self.playing = False
        self.window_ends: float | None = None  # when today's decisions close (clock time)
        # Hub against no relay on many seeds, this world's first: where its draw sits.
        self.draws = PairedDraws(
            (self.scenario, "hub"), (self.scenario, "none"), draw_seeds(self.seed, DRAWS)
        )
        self._clock: threading.Thread | None = None
        self._debrief: dict[str, Any] | None = None

    def _changed(self) -> None:
        self.version += 1

    # -- teams ----------------------------------------------------------------------------

    @property
    def countries(self) -> list[str]:
        """Countries a team can play: those with a participating airport."""
        net = self.model.network
        playing = {a.country for a in net.airports if a.participant}
        return [c for c in net.countries if c in playing]

    def free_countries(self) -> list[str]:
        """Countries still offered to a team joining now (each country has one team)."""
        with self.lock:
            taken = {t.name for t in self.teams.values()}
            return [c for c in self.countries if c not in taken]

    def join(self, country: str, token: str | None = None) -> Team:
        """Take a country (or, with the token that took it, come back to it)."""
        with self.lock:
            if country not in self.countries:
                raise ExerciseError(f"'{country}' is not a country of this exercise")
            index = self.model.network.countries.index(country)
            team = self.teams.get(index)
            if team is not None:
                if token is not None and secrets.compare_digest(team.token, token):
                    return team
                raise ExerciseError(f"{country} is already played by another team")
            team = Team(index, country, token or secrets.token_urlsafe(16))
            self.teams[index] = team
            self.relay.teams.add(index)
            self._changed()
            return team

    def team_of(self, token: str) -> Team | None:
        """The team a browser's token belongs to, so a returning team resumes its country."""
        with self.lock:
            return next(
                (t for t in self.teams.values() if secrets.compare_digest(t.token, token)), None
            )

    def configure(
        self,
        automatic: str | None = None,
        report_default: str | None = None,
        target_by_default: bool | None = None,
        seconds_per_day: float | None = None,
    ) -> None:
        """The trainer's settings; each applies from the next decision or day on."""
        with self.lock:
            s = self.settings
            before = (s.automatic, s.report_default, s.target_by_default, s.seconds_per_day)
            if automatic is not None:
                if automatic not in automatic_mode_names():
                    raise ExerciseError(f"'{automatic}' is not an automatic relay mode")
                s.automatic = self.relay.automatic = automatic
            if report_default is not None:
                if report_default not in REPORT_CHOICES:
                    raise ExerciseError(f"choose one of {', '.join(REPORT_CHOICES)}")
                s.report_default = report_default
            if target_by_default is not None:
                s.target_by_default = bool(target_by_default)
            if seconds_per_day is not None:
                if not 0.05 <= seconds_per_day <= 3600:
                    raise ExerciseError("a day's decision window is 0.05 s to an hour")
                s.seconds_per_day = float(seconds_per_day)
            if (s.automatic, s.report_default, s.target_by_default, s.seconds_per_day) != before:
                self._changed()

    # -- the clock --------------------------------------------------------------------------

    @property
    def day(self) -> int:
        """Days run so far."""
        return self.model.steps

    @property
    def finished(self) -> bool:
        """Whether the world has run its last day (the debrief can be shown)."""
        return not self.model.running

    def step_day(self) -> None:
        """Close the decision window (open decisions follow the defaults) and run one day."""
        with self.lock:
            if self.finished:
                return
            s = self.settings
            self.relay.settle(s.report_default, s.target_by_default)
            self.model.step()
            if self.finished:  # nothing can act any more: close what the last day opened
                self.relay.settle(s.report_default, s.target_by_default)
                self.playing = False
            self.window_ends = time.monotonic() + s.seconds_per_day if self.playing else None
            self._changed()

    def play(self, playing: bool = True) -> None:
        """Start (or stop) the day clock: a day runs each time the decision window closes."""
        with self.lock:
            self.playing = playing and not self.finished
            self.window_ends = (
                time.monotonic() + self.settings.seconds_per_day if self.playing else None
            )
            if self._clock is None:
                self._clock = threading.Thread(target=self._run_clock, daemon=True)
                self._clock.start()
            self._changed()

    def seconds_left(self) -> float | None:
        """Time left for today's decisions while the clock plays (None when paused)."""
        with self.lock:
            if self.window_ends is None:
                return None
            return max(0.0, self.window_ends - time.monotonic())

    def _run_clock(self) -> None:
        while True:
            time.sleep(0.02)
            with self.lock:
                due = self.playing and self.window_ends is not None
                if due and time.monotonic() >= self.window_ends:
                    self.step_day()

    def start_draws(self) -> None:
        """Run the paired draws in a thread of their own; pages redraw when they are done."""

        def run():
            self.draws.run()
            with self.lock:
                self._changed()

        threading.Thread(target=run, daemon=True, name="exercise-draws").start()

    # -- decisions --------------------------------------------------------------------------

    def decide_report(self, team: Team, decision_id: int, choice: str) -> None:
        """A team's choice for one of its seizure reports (national, itinerary or hub)."""
        with self.lock:
            decision = self._open(self.relay.decisions.reports, team, decision_id)
            if choice not in REPORT_CHOICES:
                raise ExerciseError(f"choose one of {', '.join(REPORT_CHOICES)}")
            self.relay.decide_report(decision, choice)
            self._changed()

    def decide_alert(self, team: Team, decision_id: int, target: bool) -> None:
        """A team's choice for an alert at one of its airports: target it or let it go."""
        with self.lock:
            decision = self._open(self.relay.decisions.alerts, team, decision_id)
            self.relay.decide_alert(decision, target)
            self._changed()

    @staticmethod
    def _open(decisions, team: Team, decision_id: int):
        found = next((d for d in decisions if d.id == decision_id), None)
        if found is None or found.country != team.country:
            raise ExerciseError("no such decision for your country")
        return found

    # -- what a team sees -------------------------------------------------------------------

    def country_view(self, team: Team) -> dict[str, Any]:
        """Only what this country's contact points would know."""
        with self.lock:
            model, net = self.model, self.model.network
            mine = {a.index for a in net.airports if a.country == team.name}
            seizures = [
                {"day": e.day + 1, "airport": net.airports[e.airport].iata, "kg": e.kg,
                 "method": e.method}
                for e in model.events
                if e.event == ev.SEIZURE and e.airport in mine
            ]  # fmt: skip
            controls = [
                {"airport": net.airports[a].iata, "capacity": model.customs[a].capacity,
                 "alerts_on_board": model.boards[a].active}
                for a in sorted(mine)
            ]  # fmt: skip
            reports = [
                {"id": d.id, "agency": d.agency, "airport": net.airports[d.report.airport].iata,
                 "itinerary": [net.airports[a].iata for a in d.report.itinerary],
                 "named": d.report.organisation is not None,
                 "held_since_day": int(d.received // 24) + 1, "choice": d.choice,
                 "by_default": d.by_default}
                for d in self.relay.decisions.reports
                if d.country == team.country
            ]  # fmt: skip
            alerts = [
                {"id": d.id, "airport": net.airports[d.alert.airport].iata,
                 "agency": d.alert.agency, "channel": d.alert.channel,
                 "from": net.airports[d.alert.report.airport].iata,
                 "expires_day": int(d.alert.expires // 24) + 1, "target": d.target,
                 "by_default": d.by_default}
                for d in self.relay.decisions.alerts
                if d.country == team.country
            ]  # fmt: skip
            return {
                "country": team.name,
                "day": self.day,
                "airports": [net.airports[a].iata for a in sorted(mine)],
                "seizures": seizures,
                "controls": controls,
                "reports": reports,
                "alerts": alerts,
            }

    def overview(self) -> list[dict[str, Any]]:
        """The trainer's table: every country, who plays it, its open decisions and seizures."""
        with self.lock:
            net, decisions = self.model.network, self.relay.decisions
            seized: dict[str, list[float]] = {}
            for e in self.model.events:
                if e.event == ev.SEIZURE:
                    seized.setdefault(net.airports[e.airport].country, []).append(e.kg)
            playable = set(self.countries)
            rows = []
            for index, country in enumerate(net.countries):
                if country in playable:
                    played_by = "a team" if index in self.teams else self.settings.automatic
                else:
                    played_by = "not in the operation"
                kg = seized.get(country, [])
                team = self.teams.get(index)
                rows.append(
                    {
                        "country": country,
                        "played_by": played_by,
                        "token": team.token if team else None,  # the trainer can resend a link
                        "open_reports": len(decisions.open_reports(index)),
                        "open_alerts": len(decisions.open_alerts(index)),
                        "seizures": len(kg),
                        "kg": round(sum(kg), 1),
                    }
                )
            return rows

    def draw(self, draw_fn):
        """Call `draw_fn(model)` under the lock (the world's map reads the running model)."""
        with self.lock:
            return draw_fn(self.model)

    # -- the debrief ------------------------------------------------------------------------

    def debrief(self) -> dict[str, Any]:
        """The class's result beside each automatic mode on the same seed, and each team's
        decisions that paid off or came too late. Run the world to its end first."""
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
        """Per team: reports it sent abroad, the seizures elsewhere their alerts led to, and
        the alerts from them that arrived after they expired. Alerts are counted by report and
        agency: a report both of a country's contact points held is two decisions, each
        answerable for its own agency's alerts only."""
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
        out = []
        for team in sorted(self.teams.values(), key=lambda t: t.name):
            sent = [
                d
                for d in self.relay.decisions.reports
                if d.country == team.country and d.choice in abroad
            ]
            out.append(
                {
                    "country": team.name,
                    "reports_decided": sum(
                        d.country == team.country and not d.by_default
                        for d in self.relay.decisions.reports
                    ),
                    "reports_sent_abroad": len(sent),
                    "paid_off": [
                        {"report": d.id, "choice": d.choice, "seizures": hits}
                        for d in sent
                        if (hits := hits_elsewhere.get((d.report.id, d.agency)))
                    ],
                    "too_late": [
                        {"report": d.id, "choice": d.choice, "late_alerts": n}
                        for d in sent
                        if (n := late.get((d.report.id, d.agency)))
                    ],
                }
            )
        return out


def _operation(model: CocairModel) -> dict[str, float]:
    op = summarise(model)["operation"]
    return {key: op[key] for key, _ in DEBRIEF_METRICS}
