"""The model's behaviour: determinism, mass balance, relay rules, latency, capacity, adaptation."""

from __future__ import annotations

import bisect

import numpy as np
import pytest

from cocair_sim.intel.reports import Alert, IntelReport
from cocair_sim.model.beliefs import cumulative
from cocair_sim.model.model import CocairModel
from cocair_sim.outputs import daily_rows, summarise
from cocair_sim.scenario import load_scenario
from cocair_sim.scenario.overrides import parse_set_options


def run(spec, seed=0, mode=None, **overrides):
    if overrides:
        raise AssertionError("use with_overrides")
    return CocairModel(spec, seed=seed, relay_mode=mode).run()


def with_overrides(path, *sets):
    return load_scenario(path, parse_set_options(list(sets)))


def events_of(model, kind):
    return [e for e in model.events if e.event == kind]


def test_same_seed_same_outputs(classroom):
    a, b = run(classroom, seed=7), run(classroom, seed=7)
    assert summarise(a) == summarise(b)
    assert daily_rows(a) == daily_rows(b)
    assert a.events == b.events
    c = run(classroom, seed=8)
    assert summarise(c) != summarise(a)


@pytest.mark.parametrize("mode", ["none", "bilateral", "hub"])
def test_mass_balance_holds_exactly_every_day(cocair3, mode):
    for seed in range(3):
        model = CocairModel(cocair3, seed=seed, relay_mode=mode)
        while model.running:
            model.step()  # step() itself raises MassBalanceError if the books do not close
            in_transit = sum(c.grams for c in model.active_couriers())
            c = model.counts
            assert c["shipped_g"] == c["seized_g"] + c["delivered_g"] + in_transit
        s = summarise(model)
        assert s["kg_shipped"] == pytest.approx(
            s["kg_seized"] + s["kg_delivered"] + s["kg_in_transit"], abs=1e-9
        )
        assert model.counts["seized_g"] > 0 and model.counts["delivered_g"] > 0
        assert model.in_transit_g > 0


def test_trafficking_draws_are_shared_across_relay_modes(cocair3):
    """Common random numbers: the same couriers, methods and loads are sent in every mode."""
    runs = [run(cocair3, seed=4, mode=m) for m in ("none", "bilateral", "hub")]
    sent = {(m.counts["couriers_sent"], m.counts["shipped_g"]) for m in runs}
    assert len(sent) == 1
    seized = {m.counts["seized_g"] for m in runs}
    assert len(seized) > 1  # ...while what happens to them differs


def test_relay_none_never_alerts_abroad(cocair3):
    model = run(cocair3, seed=1, mode="none")
    country = model.network.airport_country
    reports = {e.report: e.airport for e in events_of(model, "report")}
    sent = events_of(model, "alert_sent")
    assert sent
    for e in sent:
        assert e.channel == "national"
        assert country[e.airport] == country[reports[e.report]]


def test_hub_reaches_only_connected_countries_and_respects_capacity(cocair3_path):
    spec = with_overrides(cocair3_path, "relay.hub_capacity_per_day=5", "relay.active=always")
    model = run(spec, seed=2, mode="hub")
    connected = {cp.country for cp in model.contact_points if cp.connected}
    country = model.network.airport_country
    hub_alerts = [e for e in events_of(model, "alert_sent") if e.channel == "hub"]
    assert hub_alerts
    assert {int(country[e.airport]) for e in hub_alerts} <= connected
    # No report from a non-connected country ever reaches the hub.
    seized_at = {e.report: e.airport for e in events_of(model, "report")}
    for e in events_of(model, "hub_received"):
        assert int(country[seized_at[e.report]]) in connected
    # At most 5 messages leave the hub on any day, and the backlog is carried over.
    assert max(model.hub.sent_per_day.values()) <= 5
    assert model.hub.messages == sum(model.hub.sent_per_day.values())
    assert len(model.hub.sent_per_day) > len(
        {int(e.time_h // 24) for e in events_of(model, "hub_received")}
    )


def test_alert_is_not_used_before_delivery_and_latency_is_respected(cocair3_path):
    latency = 30.0
    spec = with_overrides(cocair3_path, f"relay.hub_latency_hours={latency}")
    model = run(spec, seed=3, mode="hub")
    delivered = {e.alert: e.time_h for e in events_of(model, "alert_delivered")}
    seizure_time = {e.report: e.time_h for e in events_of(model, "report")}
    hits = events_of(model, "alert_hit")
    assert hits
    for e in hits:
        assert e.alert in delivered and delivered[e.alert] <= e.time_h
    hub_deliveries = [e for e in events_of(model, "alert_delivered") if e.channel == "hub"]
    assert hub_deliveries
    for e in hub_deliveries:  # report -> hub -> contact point -> airport takes at least latency
        assert e.time_h - seizure_time[e.report] >= latency


def test_alert_hits_fall_when_latency_exceeds_alert_lifetime(cocair3_path):
    def hub_hits(latency):
        spec = with_overrides(cocair3_path, f"relay.hub_latency_hours={latency}")
        return sum(
            sum(
                1
                for e in events_of(run(spec, seed=s, mode="hub"), "alert_hit")
                if e.channel == "hub"
            )
            for s in range(4)
        )

    assert hub_hits(1) > 0
    assert hub_hits(200) == 0  # alerts expire (96 h) before they arrive


def test_alerts_focus_capacity_but_never_add_to_it(classroom):
    model = CocairModel(classroom, seed=0)
    unit = model.customs[0]
    unit.step()
    plain = unit.selection_probability(stage=2, from_source=False, flagged=False)
    flagged = unit.selection_probability(stage=2, from_source=False, flagged=True)
    assert flagged == pytest.approx(min(1.0, plain * classroom.relay.targeting_uplift))
    # Active alerts use controls, leaving less for everybody else.
    report = IntelReport(1, 0.0, 0, 0, 1, None, 1, (0, 6), "x", (0, 6))
    for i in range(5):
        unit.board.post(Alert(i, report, "national", 0, 0.0, 0.0, 99.0))
    assert unit.selection_probability(2, False, False) < plain


def test_quiet_day_selection_is_the_general_rule_without_alerts(cocair3):
    # Screening takes a shortcut at airports without alerts; it must give the same chance as
    # the general rule, in normal days and during the operation, for every kind of control.
    model = CocairModel(cocair3, seed=0)
    for operation in (False, True):
        model.in_operation = operation
        for unit in model.customs:
            unit.step()
            for key in range(4):
                general = unit.selection_probability(min(key, 2), key == 3, flagged=False)
                assert unit.quiet_selection[key] == general
    assert any(u.profile.operation_multiplier != 1.0 for u in model.customs)


def test_route_and_method_picks_by_bisection_are_numpys_picks():
    # Organisations pick routes and methods by bisection on Python cumulative lists; the sums
    # and the picks must be exactly those of np.cumsum and np.searchsorted(side="right"),
    # including draws that fall exactly on a boundary, and vectors long enough for numpy to
    # sum in blocks.
    rng = np.random.default_rng(3)
    for n in (1, 2, 7, 8, 9, 40, 300):
        weights = rng.random(n) * (rng.random(n) < 0.8)  # some zero-probability routes
        weights[rng.integers(n)] += 0.1
        p = weights / weights.sum()
        cdf = cumulative(p)
        expected = np.cumsum(p)
        expected[-1] = 1.0
        assert cdf == expected.tolist()
        draws = np.concatenate([rng.random(500), expected[:-1], [0.0]])
        picks = [bisect.bisect_right(cdf, u) for u in draws.tolist()]
        assert picks == np.searchsorted(expected, draws, side="right").tolist()
    assert cumulative(np.zeros(0)) == []


def _share_via(model, iata):
    df = model.datacollector.get_model_vars_dataframe()
    via = [c for c in df.columns if c.startswith("kg_via_")]
    window = df.iloc[-14:]
    return window[f"kg_via_{iata}"].sum() / max(window[via].sum(axis=1).sum(), 1e-9)


def test_adaptation_moves_flows_away_from_a_heavily_controlled_airport(cocair3_path):
    # A long operation in which Casablanca's controls are raised tenfold, unknown beforehand.
    base = [
        "relay.mode=none",
        "calendar.days=60",
        "calendar.operation_start=10",
        "calendar.operation_days=50",
    ]
    crackdown = [*base, "airports.CMN.customs.operation_multiplier=10"]
    off = [f"organisations.{i}.adaptation.enabled=false" for i in range(4)]

    def mean_share(sets):
        spec = with_overrides(cocair3_path, *sets)
        return np.mean([_share_via(run(spec, seed=s), "CMN") for s in range(4)])

    adaptive_drop = mean_share(base) - mean_share(crackdown)
    fixed_drop = mean_share(base + off) - mean_share(crackdown + off)
    assert adaptive_drop > 0.05
    assert abs(fixed_drop) < 0.02
