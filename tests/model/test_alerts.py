"""Alerts exist on an airport's board only between their delivery and their expiry."""

from __future__ import annotations

import pytest

from cocair_sim.model.model import CocairModel
from cocair_sim.scenario import load_scenario


def events_of(model, kind):
    return [e for e in model.events if e.event == kind]


def test_every_alert_hit_happens_between_delivery_and_expiry(cocair3_path):
    lifetime = 48.0
    spec = load_scenario(
        cocair3_path,
        # An uplift high enough that alerts lead to many hits to check.
        {"relay.alert_lifetime_hours": lifetime, "relay.active": "always",
         "relay.targeting_uplift": 8},
    )  # fmt: skip
    hits = 0
    for seed in range(10):
        model = CocairModel(spec, seed=seed, relay_mode="hub").run()
        delivered = {e.alert: e.time_h for e in events_of(model, "alert_delivered")}
        expired = {e.alert: e.time_h for e in events_of(model, "alert_expired")}
        for e in events_of(model, "alert_hit"):
            report = model.reports[e.report]
            assert delivered[e.alert] <= e.time_h < report.time + lifetime
            assert e.alert not in expired or e.time_h < expired[e.alert]
            hits += 1
        # Every delivered alert is withdrawn at its expiry (those expiring within the run).
        report_of = {e.alert: e.report for e in events_of(model, "alert_delivered")}
        for alert, report in report_of.items():
            expires = model.reports[report].time + lifetime
            if expires < model.days * 24.0:
                assert expired[alert] == pytest.approx(expires, abs=1e-3)  # the log's rounding
    assert hits > 10


def test_an_alert_that_arrives_after_it_expired_is_never_posted(cocair3_path):
    spec = load_scenario(
        cocair3_path,
        {"relay.hub_latency_hours": 100.0, "relay.alert_lifetime_hours": 96.0},
    )
    model = CocairModel(spec, seed=1, relay_mode="hub").run()
    late = {e.alert for e in events_of(model, "alert_late")}
    assert late and all(e.channel == "hub" for e in events_of(model, "alert_late"))
    posted = {e.alert for e in events_of(model, "alert_delivered")}
    assert not late & posted
    assert not any(e.channel == "hub" for e in events_of(model, "alert_hit"))
