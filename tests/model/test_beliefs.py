"""What organisations learn: unbiased evidence, so beliefs move only when risk does."""

from __future__ import annotations

import numpy as np
import pytest

from cocair_sim.model.agents import TraffickerOrganisation
from cocair_sim.model.model import CocairModel
from cocair_sim.scenario import load_scenario

QUIET_WORLD = {  # no operation (capacity as usual) and no relay, for 45 days
    "relay.mode": "none",
    "operation.capacity_multiplier": 1.0,
    "calendar.days": 45,
    "calendar.operation_start": 44,
    "calendar.operation_days": 1,
}


def test_beliefs_and_route_shares_are_stationary_without_an_operation(cocair3_path):
    spec = load_scenario(cocair3_path, QUIET_WORLD)
    multipliers, routes = [], []
    for seed in range(40):
        model = CocairModel(spec, seed=seed).run()
        choice = model.route_choice
        multipliers.append(choice.multiplier(model.losses, model.passes)[choice.learns])
        routes.append(np.concatenate(model.choice.routes))
    prior = np.concatenate(model.route_choice.prior.routes)
    expected = np.mean(multipliers, axis=0)  # per organisation and airport, over the seeds
    assert expected.mean() == pytest.approx(1.0, abs=0.07)
    assert np.median(expected) == pytest.approx(1.0, abs=0.1)
    drift = np.abs(np.mean(routes, axis=0) - prior)
    assert drift.mean() < 0.002 and drift.max() < 0.012


def test_news_never_counts_an_organisations_own_seizures(cocair3):
    """Each evening: losses = kept (yesterday's + own losses today) + news of the others'.

    The weights come from the scenario file, not from the model, so a model that dropped the
    news (or weighed it otherwise) fails here."""
    model = CocairModel(cocair3, seed=5)
    orgs = cocair3.organisations
    assert all(o.adaptation.enabled and o.adaptation.news_weight > 0 for o in orgs)
    keep = np.array([[1.0 - o.adaptation.relax_per_day] for o in orgs])
    weight = np.array([[o.adaptation.news_weight] for o in orgs]) * cocair3.relay.news_probability
    assert cocair3.relay.news_probability > 0
    own_total = 0
    while model.running:
        before = model.losses.copy()
        day = model.day + 1 if model.steps else 0
        model.step()
        seized = np.zeros_like(before)
        for e in model.events:
            if e.event == "seizure" and e.day == day:
                org = next(o.index for o in model.organisations if o.name == e.organisation)
                seized[org, e.airport] += 1
        others = seized.sum(axis=0, keepdims=True) - seized
        np.testing.assert_allclose(
            model.losses, keep * (before + seized) + weight * others, rtol=1e-12, atol=1e-12
        )
        own_total += seized.sum()
    assert own_total > 50


def test_an_own_courier_adds_its_passages_and_one_loss_where_it_was_lost(cocair3, monkeypatch):
    calls = []
    real = TraffickerOrganisation.learn_passage

    def record(self, airports, method, lost_at):
        losses, passes = self.losses.copy(), self.passes.copy()
        real(self, airports, method, lost_at)
        calls.append((self, airports, method, lost_at, self.losses - losses, self.passes - passes))

    monkeypatch.setattr(TraffickerOrganisation, "learn_passage", record)
    model = CocairModel(cocair3, seed=2)
    for _ in range(20):
        model.step()
    seizures = [e for e in model.events if e.event == "seizure"]
    lost = [c for c in calls if c[3] is not None]
    assert len(lost) == len(seizures) and len(calls) > len(lost) > 20
    for org, airports, method, lost_at, gained, passed in calls:
        expected = np.zeros_like(gained)
        if lost_at is not None:
            expected[lost_at] = 1.0
            assert airports[-1] == lost_at  # passages up to where it was caught
        np.testing.assert_allclose(gained, expected, rtol=1e-12, atol=1e-12)
        weights = model.route_choice.relative_detection[org.index, method]
        np.testing.assert_allclose(passed[list(airports)], weights[list(airports)])
        assert np.count_nonzero(passed) == len(airports)


def test_nothing_is_learnt_with_adaptation_off(cocair3_path):
    off = {f"organisations.{k}.adaptation.enabled": False for k in range(4)}
    model = CocairModel(load_scenario(cocair3_path, off), seed=1).run()
    assert model.value("seizures") > 0
    assert not model.losses.any() and not model.passes.any()
    prior = model.route_choice.prior
    assert all(np.array_equal(a, b) for a, b in zip(model.choice.routes, prior.routes, strict=True))
    np.testing.assert_array_equal(model.choice.shares, prior.shares)


def test_the_prior_is_what_a_courier_meets_in_normal_times(cocair3_path):
    """Own evidence is unbiased: over many runs without an operation or alerts, losses per
    (weighted) passage at each busy airport match the prior mean risk. (Passenger-data flags,
    which the prior counts, need live alerts: they are off here, and the stationarity test
    above covers them.)"""
    quiet = {
        **QUIET_WORLD,
        "relay.alert_lifetime_hours": 0.01,  # no alert is ever live: selection as in normal times
        "passenger_data.hit_probability": 0.0,
        **{f"organisations.{k}.adaptation.relax_per_day": 0.0 for k in range(4)},
        **{f"organisations.{k}.adaptation.news_weight": 0.0 for k in range(4)},
    }
    spec = load_scenario(cocair3_path, quiet)
    losses = passes = 0.0
    for seed in range(12):
        model = CocairModel(spec, seed=seed).run()
        losses, passes = losses + model.losses, passes + model.passes
    choice = model.route_choice
    busy = passes > 400
    assert busy.sum() >= 10
    observed = losses[busy] / passes[busy]
    expected = choice.prior_mean[busy]
    se = np.sqrt(expected * (1 - expected) / passes[busy])
    assert np.all(np.abs(observed - expected) < 4 * se + 1e-3), (observed, expected)
