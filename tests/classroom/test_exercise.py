"""The classroom exercise's engine: the `human` relay mode, the shared `Exercise`, its clock in
hours, its log and resume, the trainer's controls, and the debrief's data."""

from __future__ import annotations

import threading
import time
from collections import Counter

import numpy as np
import pytest

from cocair_sim.classroom.draws import PairedDraws, draw_seeds
from cocair_sim.classroom.exercise import (
    CLOCK,
    END,
    TEAMS,
    Exercise,
    ExerciseError,
    Settings,
    team_work,
)
from cocair_sim.intel.relay import automatic_mode_names, relay_mode_names, relay_modes
from cocair_sim.intel.relay.human import AlertDecision
from cocair_sim.model import events as ev
from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import summarise
from cocair_sim.scenario import load_scenario
from cocair_sim.workflows import run_scenario
from tests.helpers import CLASSROOM, SCENARIOS


def _play(ex: Exercise, decide=None, hours: float = 6.0) -> None:
    """Run the world to its end in steps of `hours`, calling `decide(ex)` after each."""
    while not ex.finished:
        ex.advance(hours)
        if decide is not None:
            decide(ex)


def _everything_to_the_hub(decision):
    return True if isinstance(decision, AlertDecision) else "hub"


def test_the_human_mode_is_registered_but_not_an_automatic_mode():
    assert "human" in relay_mode_names() and "human" not in automatic_mode_names()
    assert relay_modes()["human"].needs_people
    assert automatic_mode_names() == [
        name for name in relay_mode_names() if not relay_modes()[name].needs_people
    ]


@pytest.mark.parametrize("mode", automatic_mode_names())
def test_without_teams_the_exercise_is_the_automatic_mode(classroom, mode):
    ex = Exercise(classroom, seed=3, settings=Settings(automatic=mode))
    _play(ex, hours=5.5)  # parts of days: the same world as whole days
    plain = CocairModel(classroom, seed=3, relay_mode=mode).run()
    assert {**summarise(ex.model), "relay_mode": mode} == summarise(plain)
    assert ex.relay.decisions.reports == [] and ex.relay.decisions.alerts == []


def test_a_class_that_decides_at_once_for_the_hub_is_the_automatic_hub(classroom):
    """Every country played, every report sent to the hub and every alert targeted the moment
    it arises: exactly the automatic hub's world on the same seed."""
    ex = Exercise(classroom, seed=3)
    for country in ex.countries:
        ex.join(country, browser=country)
    ex.relay.instant = _everything_to_the_hub
    _play(ex)
    hub = CocairModel(classroom, seed=3, relay_mode="hub").run()
    assert {**summarise(ex.model), "relay_mode": "hub"} == summarise(hub)
    assert ex.relay.decisions.reports and ex.relay.decisions.alerts
    assert all(not d.by_default for d in ex.relay.decisions.reports)


def test_waiting_half_a_day_to_decide_costs_seizures(classroom):
    """Speed matters: a class that sends everything to the hub and targets every alert, but
    only 12 simulated hours after each arrives, seizes less over seeds than one that decides
    at once (which is the automatic hub)."""
    losses = []
    for seed in range(8):
        ex = Exercise(classroom, seed=seed, settings=Settings(hours_to_decide=48))
        teams = {c: ex.join(c, browser=c) for c in ex.countries}

        def late(ex, teams=teams):
            for d in ex.relay.decisions.open_reports():
                if ex.hour - d.received >= 12:
                    team = ex.team_playing(d.country)
                    ex.decide_report(team, d.id, "hub")
            for d in ex.relay.decisions.open_alerts():
                if ex.hour - d.arrived >= 12:
                    ex.decide_alert(ex.team_playing(d.country), d.id, True)

        _play(ex, late, hours=1.0)
        hub = CocairModel(classroom, seed=seed, relay_mode="hub").run()
        key = "kg_seized_participants"
        losses.append(summarise(hub)["operation"][key] - summarise(ex.model)["operation"][key])
    assert np.mean(losses) > 1.0, losses


def test_a_report_appears_at_its_own_hour_and_a_decision_acts_at_the_hour_it_is_taken(
    classroom,
):
    ex = Exercise(classroom, seed=3)
    brazil = ex.join("Brazil")
    brazil_index = ex.country_index("Brazil")
    while not ex.relay.decisions.open_reports(brazil_index):
        ex.advance(0.5)
    d = ex.relay.decisions.open_reports(brazil_index)[0]
    assert ex.hour - 0.5 <= d.received <= ex.hour  # shown within the half hour it arrived
    ex.advance(3.0)
    ex.decide_report(brazil, d.id, "hub")
    assert d.decided_at == ex.hour and not d.by_default
    with pytest.raises(ExerciseError, match="already taken"):
        ex.decide_report(brazil, d.id, "national")
    view = ex.country_view(brazil, brazil_index)
    row = next(r for r in view["reports"] if r["id"] == d.id)
    assert (
        row["choice"] == "hub"
        and row["kg"] > 0
        and row["method"] in ("internal", "luggage", "cargo")
    )


def test_an_open_decision_follows_the_default_when_its_time_runs_out(classroom):
    ex = Exercise(classroom, seed=3, settings=Settings(hours_to_decide=5, target_by_default=True))
    ex.join("Brazil")
    _play(ex)
    reports, alerts = ex.relay.decisions.reports, ex.relay.decisions.alerts
    assert reports and alerts
    assert all(d.by_default and d.choice == "national" for d in reports)
    assert all(d.decided_at == pytest.approx(d.received + 5) for d in reports if
               d.received + 5 < ex.end_hour)  # fmt: skip
    assert all(d.target and d.by_default for d in alerts)


def test_kill_mid_operation_and_resume_gives_the_same_class(classroom, tmp_path):
    """The log rebuilds the same world at the same hour, key, PINs and links; finishing the
    resumed class gives the debrief of a class that was never interrupted."""
    choices = {}

    def decide(ex: Exercise) -> None:
        for d in ex.relay.decisions.open_reports():
            choice = ("hub", "itinerary", "national")[d.id % 3]
            choices[("r", d.id)] = choice
            ex.decide_report(ex.team_playing(d.country), d.id, choice)
        for d in ex.relay.decisions.open_alerts():
            if d.id % 2:
                ex.decide_alert(ex.team_playing(d.country), d.id, True)

    def start(folder):
        ex = Exercise.start(CLASSROOM, 3, Settings(hours_to_decide=10), folder)
        ex.join("Brazil", browser="a")
        ex.join("Senegal", browser="b")
        return ex

    whole = start(tmp_path / "whole")
    _play(whole, decide, hours=2.0)
    reference = whole.debrief()

    first = start(tmp_path / "crash")
    links = {t.token: list(t.countries) for t in first.teams.values()}
    key, pins = first.key, dict(first.pins)
    while first.hour < 10 * 24 + 7:  # mid-operation
        first.advance(2.0)
        decide(first)
    first.configure(report_default="hub")
    first.configure(report_default="national")
    hour = first.hour
    # a kill: nothing is closed or flushed on purpose
    resumed = Exercise.resume(tmp_path / "crash")
    assert resumed.hour == pytest.approx(hour)
    assert resumed.key == key and resumed.pins == pins
    assert {t.token: t.countries for t in resumed.teams.values()} == links
    assert summarise(resumed.model) == summarise(first.model)
    _play(resumed, decide, hours=2.0)
    assert resumed.debrief() == reference
    with pytest.raises(ExerciseError, match="already holds an exercise"):
        Exercise.start(CLASSROOM, 3, Settings(), tmp_path / "crash")


def test_one_browser_one_country_and_the_pins_on_the_trainers_cards(classroom):
    ex = Exercise(classroom, seed=1)
    assert "France" not in ex.countries  # no participating airport: nobody plays it
    team = ex.join("Senegal", browser="b1")
    with pytest.raises(ExerciseError, match="another team"):
        ex.join("Senegal", browser="b2")
    with pytest.raises(ExerciseError, match="already plays"):
        ex.join("Mali", browser="b1")
    senegal = ex.country_index("Senegal")
    assert ex.join("Senegal", browser="b3", pin=ex.pins[senegal]) is team  # a second screen
    assert ex.join_by_pin(f" {ex.pins[senegal]} ") is team
    with pytest.raises(ExerciseError, match="PIN"):
        ex.join("Senegal", pin="000000x")
    ex.configure(locked=True)
    with pytest.raises(ExerciseError, match="locked"):
        ex.join("Mali", browser="b9")
    mali = ex.join_by_pin(ex.pins[ex.country_index("Mali")], browser="b9")
    assert mali.countries == [ex.country_index("Mali")]
    assert len(set(ex.pins.values())) == len(ex.pins) == len(ex.countries)
    assert all(len(p) == 6 and p.isdigit() for p in ex.pins.values())


@pytest.mark.parametrize("token", ["é", "x”", "😀", "\udcff", "", "a" * 5000])
def test_any_text_as_a_token_is_simply_not_a_team(classroom, token):
    ex = Exercise(classroom, seed=1)
    ex.join("Senegal")
    assert ex.team_of(token) is None
    with pytest.raises(ExerciseError):
        ex.join_by_pin(token)


def test_the_trainer_assigns_releases_and_swaps_countries(classroom):
    ex = Exercise(classroom, seed=3, settings=Settings(automatic="hub"))
    brazil = ex.join("Brazil", browser="b")
    while not ex.relay.decisions.open_reports(ex.country_index("Brazil")):
        ex.advance(1.0)
    ex.release("Brazil")  # its open reports go as the automatic mode would
    assert ex.team_of(brazil.token) is None
    assert all(d.choice == "hub" and d.by_default for d in ex.relay.decisions.reports)
    new = ex.assign("Brazil")
    extra = ex.assign("Mali", token=new.token)  # the trainer gives the team a second country
    assert extra is new and new.countries == [ex.country_index(c) for c in ("Brazil", "Mali")]
    ex.swap("Mali", "Senegal")
    assert new.countries == [ex.country_index("Brazil"), ex.country_index("Senegal")]
    assert ex.team_playing(ex.country_index("Mali")) is None
    with pytest.raises(ExerciseError, match="release it first"):
        ex.assign("Brazil")
    rows = {r["country"]: r for r in ex.overview()}
    assert rows["Brazil"]["team"] == rows["Senegal"]["team"] == 1 and rows["Mali"]["team"] is None
    assert all(new.token not in str(r) for r in rows.values())  # no link on the trainer's table


@pytest.mark.parametrize("name", ["classroom", "cocair3", "cocair4", "cocair5", "network2014"])
def test_every_team_has_work_in_the_operation_week(name):
    """At the default seed, in a class that sends its reports to the hub, every country a team
    can take has reports or alerts to decide in the operation week."""
    work = team_work(load_scenario(SCENARIOS / f"{name}.yaml"), seed=3)
    assert work and all(n > 0 for n in work.values()), work


def test_the_debrief_sets_the_class_beside_the_automatic_modes_on_the_same_seed(
    classroom, tmp_path
):
    ex = Exercise(classroom, seed=3)
    brazil = ex.join("Brazil")
    sent: list[int] = []

    def send_everything_to_the_hub(ex):
        for d in ex.relay.decisions.open_reports():
            ex.decide_report(brazil, d.id, "hub")
            sent.append(d.id)

    _play(ex, send_everything_to_the_hub, hours=1.0)
    debrief = ex.debrief()
    assert list(debrief["results"]) == ["class", *automatic_mode_names()]
    for mode in automatic_mode_names():
        run = run_scenario(
            CLASSROOM, tmp_path / mode, seed=3, overrides={"relay.mode": mode}, figures=False
        )
        op = run.summary["operation"]
        got = debrief["results"][mode]
        assert got == {key: op[key] for key in got}, mode
    (team,) = debrief["teams"]
    assert sent and team["country"] == "Brazil" and team["sent_abroad"] == len(sent)
    assert [r["id"] for r in team["reports"]] == sorted(sent)  # every decision kept to the end
    assert all(r["kg"] > 0 and r["method"] for r in team["reports"])

    events = ex.model.events
    alert_source = {e.alert: (e.report, e.agency) for e in events if e.event == ev.ALERT_SENT}
    seized_at = {e.report: e.airport for e in events if e.event == ev.REPORT}
    country = [a.country for a in ex.model.network.airports]
    hits = Counter(
        alert_source[e.alert]
        for e in events
        if e.event == ev.SEIZURE
        and e.alert is not None
        and country[e.airport] != country[seized_at[alert_source[e.alert][0]]]
    )
    decisions = {d.id: (d.report.id, d.agency) for d in ex.relay.decisions.reports}
    expected = {i: hits[decisions[i]] for i in sent if hits[decisions[i]]}
    assert expected, "no decision of Brazil paid off at seed 3: the test lost its subject"
    assert {r["id"]: r["paid_off"] for r in team["paid_off"]} == expected


def test_paired_draws_pair_each_seed_and_put_this_world_first(classroom):
    assert draw_seeds(4, 5) == [4, 0, 1, 2, 3]
    same = PairedDraws((classroom, "hub"), (classroom, "hub"), [0, 1, 2])
    same.run()
    assert same.values == [0.0, 0.0, 0.0] and same.done
    draws = PairedDraws((classroom, "hub"), (classroom, "none"), draw_seeds(1, 6))
    draws.run()
    hub = CocairModel(classroom, seed=1, relay_mode="hub").run()
    none = CocairModel(classroom, seed=1, relay_mode="none").run()
    key = "kg_seized_participants"
    assert draws.values[0] == pytest.approx(
        summarise(hub)["operation"][key] - summarise(none)["operation"][key]
    )
    assert sum(draws.shares().values()) == pytest.approx(1.0)
    assert draws.histogram_png({"the class": 1.0})[:4] == b"\x89PNG"
    stopped = PairedDraws((classroom, "hub"), (classroom, "none"), draw_seeds(1, 50))
    stopped.stop()
    stopped.run()
    assert stopped.stopped and stopped.values == [] and not stopped.done


def test_configure_checks_the_trainers_settings(classroom):
    ex = Exercise(classroom, seed=1)
    before = ex.state((TEAMS,))
    ex.configure(automatic="bilateral", report_default="hub", target_by_default=True)
    assert ex.relay.automatic == "bilateral" and ex.settings.report_default == "hub"
    assert ex.state((TEAMS,)) > before
    for bad in ({"automatic": "human"}, {"report_default": "everyone"}, {"seconds_per_day": 0},
                {"hours_to_decide": -1}, {"nonsense": 1}):  # fmt: skip
        with pytest.raises(ExerciseError):
            ex.configure(**bad)


def test_the_clock_runs_the_hours_and_a_new_speed_applies_at_once(classroom):
    ex = Exercise(classroom, seed=1, settings=Settings(seconds_per_day=0.5))
    ex.play()
    time.sleep(1.0)
    ex.configure(seconds_per_day=0.1)  # five times faster, from now on
    hour = ex.hour
    time.sleep(1.0)
    ex.play(False)
    fast = ex.hour - hour
    assert 24 * 1.0 / 0.5 * 0.6 < hour < 24 * 1.0 / 0.5 * 1.4
    assert fast > 3 * hour or ex.finished
    stopped_at = ex.hour
    time.sleep(0.3)
    assert ex.hour == stopped_at  # paused: the clock no longer runs


def test_pages_are_woken_when_their_country_changes_and_not_otherwise(classroom):
    ex = Exercise(classroom, seed=3)
    brazil, senegal = ex.join("Brazil"), ex.join("Senegal")
    b, s = ex.country_index("Brazil"), ex.country_index("Senegal")
    while not ex.relay.decisions.open_reports(b):
        ex.advance(0.25)
    seen_b, seen_s = ex.state([b]), ex.state([s])
    woke: list[tuple] = []
    waiter = threading.Thread(target=lambda: woke.append(ex.wait(seen_b, (b,), timeout=10)))
    waiter.start()
    time.sleep(0.2)
    d = ex.relay.decisions.open_reports(b)[0]
    ex.decide_report(brazil, d.id, "hub")
    waiter.join(5)
    assert woke and woke[0] != seen_b  # woken by the decision, well before the timeout
    assert ex.state([s]) == seen_s  # Senegal's page has nothing new to draw
    assert senegal.countries == [s]


def test_a_new_day_wakes_every_clock_and_the_countries_it_brings_news_to(classroom):
    """A day that brings Brazil a report moves the clocks' topic and Brazil's, not Senegal's:
    every page's clock moves on, and only Brazil's page redraws its reports."""
    ex = Exercise(classroom, seed=3)
    ex.join("Brazil")
    b, s = ex.country_index("Brazil"), ex.country_index("Senegal")
    moved = 0
    while not ex.finished:
        before = ex.state((CLOCK, b, s))
        reports = len(ex.relay.decisions.open_reports(b))
        ex.step_day()
        after = ex.state((CLOCK, b, s))
        assert after[0] > before[0]
        if len(ex.relay.decisions.open_reports(b)) > reports:
            assert after[1] > before[1]
            moved += 1
        if not ex.relay.decisions.alerts or all(d.country != s for d in ex.relay.decisions.alerts):
            assert after[2] == before[2]
    assert moved >= 1
    assert ex.state((END,)) > (0,)


def test_teams_racing_for_one_country_leave_it_to_exactly_one(classroom):
    ex = Exercise(classroom, seed=1)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def take(k):
        barrier.wait()
        try:
            ex.join("Senegal", browser=f"b{k}")
            outcomes.append("joined")
        except ExerciseError:
            outcomes.append("refused")

    threads = [threading.Thread(target=take, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["joined"] + ["refused"] * 7
    assert len(ex.teams) == 1


def test_the_trainers_overview_covers_every_country_and_every_seizure(classroom):
    ex = Exercise(classroom, seed=3)
    ex.join("Brazil")
    _play(ex)
    rows = {r["country"]: r for r in ex.overview()}
    assert list(rows) == ex.model.network.countries
    assert rows["Brazil"]["team"] == 1 and rows["Mali"]["team"] is None
    assert not rows["France"]["playable"]
    summary = summarise(ex.model)
    assert sum(r["seizures"] for r in rows.values()) == summary["seizures"]
    assert sum(r["kg"] for r in rows.values()) == pytest.approx(summary["kg_seized"], abs=0.5)
    assert all(r["open_reports"] == r["open_alerts"] == 0 for r in rows.values())


def test_the_debriefs_draws_run_in_the_background_and_redraw_the_pages(classroom):
    ex = Exercise(classroom, seed=3)
    before = ex.state((END,))
    ex.start_draws()
    deadline = time.monotonic() + 120
    while ex.state((END,)) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ex.draws.done and len(ex.draws.values) == 100 and ex.state((END,)) > before
    assert ex.draws.seeds[0] == 3
