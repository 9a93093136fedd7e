"""`human`: contact points played by people (the classroom exercise, `cocair exercise`).

For a country a team plays, each seizure report its contact points hold waits for the team's
decision: keep it national, send it to the countries on the courier's itinerary (as `bilateral`
does), or send it to the hub (as `hub` does); and each alert that reaches one of its airports
waits for the team to target it (it then costs controls from the day's capacity, as any alert
does) or to let it go. Countries without a team follow an automatic mode. A decision acts from
the simulated hour it is taken (the exercise's clock runs the day's hours as real time passes);
what is still undecided when its time runs out follows the trainer's default. A scripted class
(`instant`) decides each one the moment it arises, inside the event that raised it: deciding as
an automatic mode would, it gives that mode's world exactly.

The model is the same: the decisions come from people instead of a rule. Without teams the mode
behaves exactly as its automatic mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from cocair_sim.intel.relay.base import RelayMode, get_relay_mode, register_relay_mode

if TYPE_CHECKING:
    from cocair_sim.intel.reports import Alert, IntelReport
    from cocair_sim.model.agents import ContactPoint

# What a team can do with a report, and the automatic mode that does the same.
REPORT_CHOICES = {"national": "none", "itinerary": "bilateral", "hub": "hub"}


@dataclass
class ReportDecision:
    """A seizure report held by a team's contact point, waiting for (or with) its choice."""

    id: int
    country: int
    agency: str
    report: IntelReport
    received: float  # hour the contact point held it
    choice: str | None = None  # one of REPORT_CHOICES, once decided
    decided_at: float | None = None
    by_default: bool = False


@dataclass
class AlertDecision:
    """An alert that reached an airport of a team's country, waiting for (or with) its
    decision to target it."""

    id: int
    country: int
    alert: Alert
    arrived: float
    target: bool | None = None
    decided_at: float | None = None
    by_default: bool = False


@dataclass
class Decisions:
    """Every decision of the exercise, open and taken, in the order they arose."""

    reports: list[ReportDecision] = field(default_factory=list)
    alerts: list[AlertDecision] = field(default_factory=list)

    def open_reports(self, country: int | None = None) -> list[ReportDecision]:
        """Undecided reports, of one country or (None) of all."""
        return [d for d in self.reports if d.choice is None and country in (None, d.country)]

    def open_alerts(self, country: int | None = None) -> list[AlertDecision]:
        """Undecided alerts, of one country or (None) of all."""
        return [d for d in self.alerts if d.target is None and country in (None, d.country)]


@register_relay_mode
class HumanRelay(RelayMode):
    """Contact points of the countries in `teams` wait for the class's decisions; the others
    relay as `automatic` does."""

    name = "human"
    label = "contact points played by the class"
    description = (
        "each team decides what its country's contact points do with a report (keep it "
        "national, send it along the itinerary, or to the hub) and which alerts to target"
    )
    colour = "tab:green"
    needs_people: ClassVar[bool] = True

    def __init__(self, model):
        super().__init__(model)
        self.teams: set[int] = set()  # country indices played by a team
        self.automatic = "hub"  # what countries without a team do
        self.decisions = Decisions()
        self._modes = {name: get_relay_mode(name)(model) for name in REPORT_CHOICES.values()}
        # A scripted class: called with each new decision, returns its choice (a report's, or
        # whether to target an alert) or None to leave it open.
        self.instant: Callable[[ReportDecision | AlertDecision], Any] | None = None

    @property
    def hub(self):
        """The hub a team's reports go to (that of the `hub` mode the teams send through)."""
        return self._modes["hub"].hub

    def flag(self, report: IntelReport, t: float) -> None:
        """The hub checks passengers whoever plays the contact points: as the `hub` mode."""
        self._modes["hub"].flag(report, t)

    def forward(self, contact_point: ContactPoint, report: IntelReport, t: float) -> None:
        """A team's report waits for its decision; any other country's is relayed at once."""
        if contact_point.country not in self.teams:
            self._modes[self.automatic].forward(contact_point, report, t)
            return
        decision = ReportDecision(
            len(self.decisions.reports) + 1, contact_point.country, contact_point.agency, report, t
        )
        self.decisions.reports.append(decision)
        choice = self.instant(decision) if self.instant is not None else None
        if choice is not None:
            self.decide_report(decision, choice)

    def admits(self, alert: Alert) -> bool:
        """An alert at a team's airport waits for its decision (`decide_alert` posts it)."""
        country = int(self.model.network.airport_country[alert.airport])
        if country not in self.teams:
            return True
        now = self.model.now
        decision = AlertDecision(len(self.decisions.alerts) + 1, country, alert, now)
        self.decisions.alerts.append(decision)
        target = self.instant(decision) if self.instant is not None else None
        if target is None:
            return False
        decision.target, decision.decided_at = bool(target), now
        return bool(target)  # posted here, as an automatic mode's alert would be

    def decide_report(self, decision: ReportDecision, choice: str, by_default: bool = False):
        """Carry out a team's choice for a report, from now (between two days)."""
        if choice not in REPORT_CHOICES:
            raise ValueError(f"a report is kept {', '.join(REPORT_CHOICES)}; not '{choice}'")
        if decision.choice is not None:
            return
        model = self.model
        decision.choice, decision.decided_at, decision.by_default = choice, model.now, by_default
        point = model.contact_points[decision.agency][decision.country]
        self._modes[REPORT_CHOICES[choice]].forward(point, decision.report, model.now)

    def decide_alert(self, decision: AlertDecision, target: bool, by_default: bool = False):
        """Post the alert on the airport's board (from now), or let it go."""
        if decision.target is not None:
            return
        model = self.model
        decision.target, decision.decided_at, decision.by_default = target, model.now, by_default
        if target:
            model.customs[decision.alert.airport].post_alert(decision.alert)

    def automatic_choice(self) -> str:
        """What a report of a country without a team becomes (the automatic mode's choice)."""
        return next(c for c, mode in REPORT_CHOICES.items() if mode == self.automatic)
