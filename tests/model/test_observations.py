"""What a run shows of a published target, checked against the run's own tallies."""

from __future__ import annotations

import pytest

from cocair_sim.model.model import CocairModel
from cocair_sim.model.observations import observe, transform
from cocair_sim.model.outputs import summarise
from cocair_sim.scenario.schema import PublishedTarget


def _target(**fields) -> PublishedTarget:
    base = {"name": "t", "value": 1, "uncertainty": {"sd": 0.3}, "source": "test"}
    return PublishedTarget.model_validate({**base, **fields})


@pytest.fixture(scope="module")
def run(classroom):
    return CocairModel(classroom, seed=4).run()


def test_cases_and_kg_match_the_run_summary(run):
    summary = summarise(run)
    assert observe(run, _target(statistic="cases")) == summary["operation"]["seizures_participants"]
    assert observe(run, _target(statistic="kg")) == pytest.approx(
        summary["operation"]["kg_seized_participants"]
    )
    everywhere = observe(run, _target(statistic="kg", scope="all", window="baseline"))
    inside = observe(run, _target(statistic="kg", scope="all"))
    assert everywhere + inside == pytest.approx(summary["kg_seized"])


def test_all_drugs_and_period_scaling(run, classroom):
    cases = observe(run, _target(statistic="cases"))
    share = classroom.observation.cocaine_share_of_cases
    assert observe(run, _target(statistic="cases", all_drugs=True)) == pytest.approx(cases / share)
    days = classroom.calendar.operation_days
    assert observe(run, _target(statistic="cases", per_days=days * 2)) == pytest.approx(cases * 2)


def test_arrests_count_seizures_and_follow_ups(run):
    summary = summarise(run)
    both = observe(run, _target(statistic="arrests", scope="all")) + observe(
        run, _target(statistic="arrests", scope="all", window="baseline")
    )
    # The courier arrested at each seizure, and the organisation's members after follow-ups.
    assert both == summary["arrests"]
    assert summary["arrests"] > summary["seizures"]


def test_share_from_reads_where_the_courier_came_from(run, classroom):
    inner = [a.iata for a in classroom.airports if a.role != "destination"]
    full = observe(run, _target(statistic="share_from", scope="destinations", window="baseline",
                                **{"from": inner}, value=0.5))  # fmt: skip
    assert full == 1.0  # every courier reaches Europe from somewhere outside it
    part = observe(run, _target(statistic="share_from", scope="destinations", window="baseline",
                                **{"from": ["CMN"]}, value=0.5))  # fmt: skip
    assert 0 < part < 1


def test_relay_sends_messages(classroom):
    hub = CocairModel(classroom, seed=2, relay_mode="hub", event_log=False).run()
    none = CocairModel(classroom, seed=2, relay_mode="none", event_log=False).run()
    t = _target(statistic="messages_per_case", scope="all")
    assert observe(hub, t) > observe(none, t) > 0


def test_log_targets_are_compared_on_log1p():
    t = _target(statistic="kg")
    assert transform(0.0, t) == 0.0 and transform(9.0, t) == pytest.approx(2.302585, rel=1e-5)
    linear = _target(statistic="share_from", **{"from": ["DKR"]}, uncertainty={"sd": 0.1,
                     "scale": "linear"})  # fmt: skip
    assert transform(0.3, linear) == 0.3
