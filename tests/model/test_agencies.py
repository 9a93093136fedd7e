"""Customs and police on their own channels: the police hear of a seizure at once where a joint
task force works, elsewhere only as the agencies share; follow-up arrests need the police."""

from __future__ import annotations

import pytest

from cocair_sim.model.model import CocairModel
from cocair_sim.scenario import load_scenario


def events_of(model, kind):
    return [e for e in model.events if e.event == kind]


# Seizure reports only: passenger-data checks (the hub's go to the police) are another channel,
# tested in tests/intel/test_transit_alerts.py.
NO_PASSENGER_DATA = {"passenger_data.hit_probability": 0.0, "passenger_data.hub": False}


def run(path, seed=1, **overrides):
    changes = {f"agencies.{k}": v for k, v in overrides.items()}
    spec = load_scenario(path, {**NO_PASSENGER_DATA, **changes})
    return CocairModel(spec, seed=seed).run()


def police_reports(model) -> dict[int, float]:
    return {e.report: e.time_h for e in events_of(model, "report") if e.agency == "police"}


def test_task_forces_share_at_once_and_others_only_as_often_as_agencies_share(cocair3_path):
    for p in (0.0, 1.0):
        model = run(cocair3_path, police_report_probability=p)
        task_force = {u.airport.index for u in model.customs if u.profile.task_force}
        assert task_force  # Dakar and Bamako in the default scenario
        received = police_reports(model)
        reports = model.reports
        end = model.days * 24.0
        for rid, report in reports.items():
            if report.airport in task_force:
                if report.time + 1.0 < end:
                    assert received[rid] == pytest.approx(report.time + 1.0, abs=1e-3)
            elif p == 0.0:
                assert rid not in received
            elif report.time + 24.0 < end:
                assert received[rid] == pytest.approx(report.time + 24.0, abs=1e-3)
        assert any(r.airport not in task_force for r in reports.values())


def test_about_the_set_share_of_reports_reaches_the_police(cocair3_path):
    shares = []
    for seed in range(6):
        model = run(cocair3_path, seed=seed, police_report_probability=0.5, task_forces=False)
        early = [r for r in model.reports.values() if r.time + 24.0 < model.days * 24.0]
        shares.append(len(police_reports(model)) / len(early))
    assert sum(shares) / len(shares) == pytest.approx(0.5, abs=0.08)


def test_follow_up_arrests_and_organisation_alerts_need_the_police(cocair3_path):
    model = run(cocair3_path, seed=3, police_report_probability=1.0)
    received = police_reports(model)
    arrests = events_of(model, "arrest")
    assert arrests
    for e in arrests:
        assert e.report in received and model.reports[e.report].organisation is not None
    by_agency = {
        agency: [e for e in events_of(model, "alert_sent") if e.agency == agency]
        for agency in ("customs", "police")
    }
    assert by_agency["customs"] and by_agency["police"]
    for e in by_agency["police"]:  # the police alert only on a named organisation
        assert model.reports[e.report].organisation is not None

    silent = run(cocair3_path, seed=3, police_report_probability=0.0, task_forces=False)
    assert not police_reports(silent)
    assert not events_of(silent, "arrest")
    assert not any(e.agency == "police" for e in events_of(silent, "alert_sent"))
    assert silent.value("arrests") == silent.value("seizures")  # the couriers themselves


def test_sharing_with_the_police_adds_arrests_under_common_random_numbers(cocair3_path):
    gains = [
        run(cocair3_path, seed=s, police_report_probability=1.0).value("arrests")
        - run(cocair3_path, seed=s, police_report_probability=0.0).value("arrests")
        for s in range(6)
    ]
    assert sum(gains) > 0 and sum(g > 0 for g in gains) >= 5
