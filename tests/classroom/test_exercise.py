"""The classroom exercise's engine: the `human` relay mode and the shared `Exercise`."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from cocair_sim.classroom.draws import PairedDraws, draw_seeds
from cocair_sim.classroom.exercise import Exercise, ExerciseError, Settings
from cocair_sim.intel.relay import automatic_mode_names, relay_mode_names, relay_modes
from cocair_sim.model import events as ev
from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import summarise
from cocair_sim.workflows import run_scenario
from tests.helpers import CLASSROOM


def _play(ex: Exercise, decide=None) -> None:
    while not ex.finished:
        ex.step_day()
        if decide is not None:
            decide(ex)


def test_the_human_mode_is_registered_but_not_an_automatic_mode():
    assert "human" in relay_mode_names() and "human" not in automatic_mode_names()
    assert relay_modes()["human"].needs_people
    # Every mode that decides by a rule is one the class is compared with, in registry order.
    assert automatic_mode_names() == [
        name for name in relay_mode_names() if not relay_modes()[name].needs_people
    ]


@pytest.mark.parametrize("mode", automatic_mode_names())
def test_without_teams_the_exercise_is_the_automatic_mode(classroom, mode):
    ex = Exercise(classroom, seed=3, settings=Settings(automatic=mode))
    _play(ex)
    plain = CocairModel(classroom, seed=3, relay_mode=mode).run()
    assert {**summarise(ex.model), "relay_mode": mode} == summarise(plain)
    assert ex.relay.decisions.reports == [] and ex.relay.decisions.alerts == []


def test_countries_are_taken_once_and_a_team_comes_back_with_its_token(classroom):
    ex = Exercise(classroom, seed=1)
    assert "France" not in ex.countries  # no participating airport: nobody plays it
    team = ex.join("Senegal")
    with pytest.raises(ExerciseError, match="another team"):
        ex.join("Senegal")
    with pytest.raises(ExerciseError, match="another team"):
        ex.join("Senegal", token="guess")
    assert ex.join("Senegal", token=team.token) is team
    assert ex.team_of(team.token) is team and ex.team_of("nobody") is None
    assert "Senegal" not in ex.free_countries()
    with pytest.raises(ExerciseError, match="not a country"):
        ex.join("Atlantis")


def test_a_teams_hub_decision_reaches_the_other_teams_alert_board(classroom):
    ex = Exercise(classroom, seed=0)
    ex.configure(automatic="none")  # countries without a team keep their reports at home
    brazil, senegal = ex.join("Brazil"), ex.join("Senegal")
    sent = []

    def brazil_sends_to_the_hub(ex):
        for d in ex.country_view(brazil)["reports"]:
            if d["choice"] is None:
                ex.decide_report(brazil, d["id"], "hub")
                sent.append(d["id"])

    _play(ex, brazil_sends_to_the_hub)
    assert sent
    relayed = [a for a in ex.country_view(senegal)["alerts"] if a["channel"] == "hub"]
    assert relayed and all(a["from"] in ("GRU", "FOR") for a in relayed)
    # Undecided, Senegal's alerts followed the default (not targeted), and say so.
    assert all(a["target"] is False and a["by_default"] for a in relayed)


def test_a_team_sees_only_its_own_country(classroom):
    ex = Exercise(classroom, seed=0)
    brazil, mali = ex.join("Brazil"), ex.join("Mali")
    _play(ex)
    view = ex.country_view(mali)
    assert view["airports"] == ["BKO"]
    assert {s["airport"] for s in view["seizures"]} <= {"BKO"}
    assert {c["airport"] for c in view["controls"]} == {"BKO"}
    assert all(a["airport"] == "BKO" for a in view["alerts"])
    assert all(r["airport"] == "BKO" for r in view["reports"])
    text = repr(view)
    assert "GRU" not in text.replace("'from': 'GRU'", "") and "FOR'" not in text
    with pytest.raises(ExerciseError, match="your country"):
        brazil_report = ex.country_view(brazil)["reports"][0]
        ex.decide_report(mali, brazil_report["id"], "hub")


def test_targeted_alerts_take_controls_and_the_default_applies_when_time_runs_out(classroom):
    targeted = Exercise(classroom, seed=0, settings=Settings(target_by_default=True))
    ignored = Exercise(classroom, seed=0, settings=Settings(target_by_default=False))
    for ex in (targeted, ignored):
        ex.join("Brazil")
        ex.join("Senegal")
        _play(ex)
    on = targeted.relay.decisions.alerts
    off = ignored.relay.decisions.alerts
    assert on and all(d.target and d.by_default for d in on)
    assert off and all(d.target is False for d in off)
    # Posted alerts count as delivered; the ones let go never reach a board.
    assert targeted.model.counts["alerts_delivered"] > ignored.model.counts["alerts_delivered"]
    reports = targeted.relay.decisions.reports
    assert reports and all(d.choice == "national" and d.by_default for d in reports)


def test_the_debrief_sets_the_class_beside_the_automatic_modes_on_the_same_seed(
    classroom, tmp_path
):
    ex = Exercise(classroom, seed=3)
    brazil = ex.join("Brazil")
    sent: list[int] = []

    def send_everything_to_the_hub(ex):
        for d in ex.country_view(brazil)["reports"]:
            if d["choice"] is None:
                ex.decide_report(brazil, d["id"], "hub")
                sent.append(d["id"])

    _play(ex, send_everything_to_the_hub)
    debrief = ex.debrief()
    assert list(debrief["results"]) == ["class", *automatic_mode_names()]
    for mode in automatic_mode_names():
        # What `cocair run classroom --seed 3 --relay MODE` writes, not the debrief's own runs.
        run = run_scenario(
            CLASSROOM, tmp_path / mode, seed=3, overrides={"relay.mode": mode}, figures=False
        )
        op = run.summary["operation"]
        got = debrief["results"][mode]
        assert got == {key: op[key] for key in got}, mode
    (team,) = debrief["teams"]
    assert sent and team["country"] == "Brazil"
    assert team["reports_decided"] == team["reports_sent_abroad"] == len(sent)

    # What paid off, from the event log: seizures outside Brazil made on an alert whose report
    # was one of Brazil's, counted by the decision (report and agency) that sent it abroad.
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
    assert {p["report"]: p["seizures"] for p in team["paid_off"]} == expected
    assert all(p["choice"] == "hub" for p in team["paid_off"])


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
    stopped.stop()  # a Reset on the page: the old world's draws stop
    stopped.run()
    assert stopped.stopped and stopped.values == [] and not stopped.done


def test_configure_checks_the_trainers_settings(classroom):
    ex = Exercise(classroom, seed=1)
    before = ex.version
    ex.configure(automatic="bilateral", report_default="hub", target_by_default=True)
    assert ex.relay.automatic == "bilateral" and ex.settings.report_default == "hub"
    assert ex.version > before
    for bad in ({"automatic": "human"}, {"report_default": "everyone"}, {"seconds_per_day": 0}):
        with pytest.raises(ExerciseError):
            ex.configure(**bad)


def test_the_day_clock_runs_a_day_each_time_the_window_closes(classroom):
    ex = Exercise(classroom, seed=1, settings=Settings(seconds_per_day=0.05))
    assert ex.seconds_left() is None
    ex.play()
    deadline = time.monotonic() + 30
    while ex.day < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    ex.play(False)
    stopped_at = ex.day
    assert stopped_at >= 3 and ex.seconds_left() is None
    time.sleep(0.3)
    assert ex.day == stopped_at  # paused: the clock no longer runs days


def test_teams_racing_for_one_country_leave_it_to_exactly_one(classroom):
    ex = Exercise(classroom, seed=1)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def take():
        barrier.wait()
        try:
            ex.join("Senegal")
            outcomes.append("joined")
        except ExerciseError:
            outcomes.append("refused")

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["joined"] + ["refused"] * 7
    assert [t.name for t in ex.teams.values()] == ["Senegal"]


def test_the_trainers_overview_covers_every_country_and_every_seizure(classroom):
    ex = Exercise(classroom, seed=3)
    ex.join("Brazil")
    _play(ex)
    rows = {r["country"]: r for r in ex.overview()}
    assert list(rows) == ex.model.network.countries
    assert rows["Brazil"]["played_by"] == "a team" and rows["Mali"]["played_by"] == "hub"
    assert ex.team_of(rows["Brazil"]["token"]).name == "Brazil" and rows["Mali"]["token"] is None
    assert rows["France"]["played_by"] == "not in the operation"
    summary = summarise(ex.model)
    assert sum(r["seizures"] for r in rows.values()) == summary["seizures"]
    assert sum(r["kg"] for r in rows.values()) == pytest.approx(summary["kg_seized"], abs=0.5)
    assert all(r["open_reports"] == r["open_alerts"] == 0 for r in rows.values())


def test_the_debriefs_draws_run_in_the_background_and_redraw_the_pages(classroom):
    ex = Exercise(classroom, seed=3)
    before = ex.version
    ex.start_draws()
    deadline = time.monotonic() + 120
    while ex.version == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ex.draws.done and len(ex.draws.values) == 100 and ex.version > before
    assert ex.draws.seeds[0] == 3  # this world's draw first
