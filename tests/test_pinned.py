"""Pinned results: optimisations and restructuring must not change what the model computes.

The digests cover the run summary, the daily series and the full event log of fixed-seed runs,
so any change in the simulated results (a different draw, a different event order, a different
float) fails here. They were last re-pinned, deliberately, when the model's mechanisms changed
(trips booked days ahead, news as evidence against believed traffic, bilateral delays as a
distribution, customs and police on their own channels, heavier loads and a mix of methods that
adapts, fractional flight frequencies); re-pin only on purpose, and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cocair_sim.model import CocairModel
from cocair_sim.model.outputs import daily_rows, summarise
from cocair_sim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

# (scenario, seed, relay mode): sha256 of summary, daily rows and events, then readable values
# (kg_seized, seizures, couriers_sent, number of events).
PINNED = [
    (
        "cocair3.yaml", 0, "none",
        "c0f3082d1db16a39e61775e2e3d0ecd178d0cada0faa7379a9722bd7051d911c",
        "71fd7876e43c4802b4147a139543f913308a4ad32035f012a4ddb5e6d2eedf4a",
        "5ee0189c2474fa56a5e5bb59c463c2469db4a8386981ac64479fb4e36a15892a",
        151.474, 61, 553, 289,
    ),
    (
        "cocair3.yaml", 0, "bilateral",
        "698bcaca5506efadcaa201f005483ea73e7b036304992ac53607a3936e186ce3",
        "4e40fc9fb8b9b47d50ceae5ebe684f4229bc38cd3c96be50b76fc57192963103",
        "fab4bf104ffab34e0869c64d001aa015a54c58e1b6b4e459b6b1e334bc2d1e7b",
        155.576, 63, 553, 366,
    ),
    (
        "cocair3.yaml", 0, "hub",
        "9bc983d1303f12c5ba327af50925f63b0e167b5a6d174d47ea50923ca017a72d",
        "bcd000c08947edced11fc0449f2f7663e37ae49465b6edfe524e83122d0cd1e2",
        "2094f3d752285823f657b770fba4c6a93783167db53037c19ca0edc07ba47f82",
        146.713, 58, 553, 902,
    ),
    (
        "cocair3.yaml", 1, "none",
        "84937f2d4408659e74b6130c09ac5e2ae6e7334cae194b48ebaba8e8425e2c40",
        "383339f039c9f521ef1f9bd7aec3f21cb3366a5ac42628d29f44802d8d7ee0d2",
        "eb0010b305894b97601304786d0eb04405541428613c19ab3a7b64f42e90778f",
        252.825, 71, 556, 313,
    ),
    (
        "cocair3.yaml", 1, "bilateral",
        "d1539008d9fbf4571df22b9ec7717a675bd0cbd1e2c8bd9dff58aa638e9bdfaa",
        "035b5c95d1ba01787f95bd7af200afac7a46d138e2e8f6d4b287e730bac0b776",
        "080b51e34f47a69b82023e250b00f92656adfcb8342d23533beee2b87a5ad1d3",
        252.825, 71, 556, 464,
    ),
    (
        "cocair3.yaml", 1, "hub",
        "4d81e75468187e9de9a60be2b8d4540985885868b47d1c61185289700993d3ab",
        "de1ff9fe0faca54d24326a73d72799ed92ffbb03e50c292c3cdcf3e14a40fac0",
        "eac15f3d000bb1a15c5978b4f6afc9e02f541591fe0a40f1510e937175bf1d00",
        252.825, 71, 556, 1003,
    ),
    (
        "classroom.yaml", 3, "hub",
        "c940ed60d6bee17380e0429781e553af85a714336f7397452a19bcff6762e548",
        "83de779ae01bb30a7aa45495fa9d670cfd45838be4c48e73848b6c326792c3d0",
        "96bfaaafb568b32bac46653adc3f77641df46b09dd9899b4b8bbc763d3e5e988",
        106.699, 46, 279, 416,
    ),
]  # fmt: skip


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _assert_pinned(model, summary_sha, daily_sha, events_sha, kg, n, sent, ev) -> None:
    summary = summarise(model)
    # Readable values first, so a change shows what moved before the digests say that it did.
    assert summary["kg_seized"] == kg
    assert summary["seizures"] == n
    assert summary["couriers_sent"] == sent
    assert len(model.events) == ev
    assert _digest(summary) == summary_sha
    assert _digest(list(daily_rows(model))) == daily_sha
    assert _digest(model.events) == events_sha


@pytest.fixture(scope="module")
def specs():
    return {name: load_scenario(SCENARIOS / name) for name in {p[0] for p in PINNED}}


@pytest.mark.parametrize(
    ("scenario", "seed", "mode", "summary_sha", "daily_sha", "events_sha", "kg", "n", "sent", "ev"),
    PINNED,
    ids=[f"{p[0].removesuffix('.yaml')}-s{p[1]}-{p[2]}" for p in PINNED],
)
def test_fixed_seed_run_is_unchanged(
    specs, scenario, seed, mode, summary_sha, daily_sha, events_sha, kg, n, sent, ev
):
    model = CocairModel(specs[scenario], seed=seed, relay_mode=mode).run()
    _assert_pinned(model, summary_sha, daily_sha, events_sha, kg, n, sent, ev)


# Configurations that stress the event order and the shortcuts taken for speed: ten times the
# volume, relays without delay (many events at equal hours), alerts that expire within hours,
# a saturated hub, an organisation that does not adapt, a larger network.
TEN_TIMES_VOLUME = {
    f"organisations.{k}.couriers_per_week": n for k, n in enumerate((500, 300, 600, 400))
}
PINNED_VARIANTS = [
    (
        "cocair3.yaml", 3, "hub",
        TEN_TIMES_VOLUME,
        "02f47d692e3407d8f4694db925964298d6c8c23bdb15d20b59c86877a67a95e8",
        "054afa9821f9c75ab2862b4f3aaf7ce212b3325b75b09ba69c9e74c6254627c2",
        "5066eb956801c97f52b86ff05f879d61d7a1ccbf2914121ad324b7728a5997b9",
        2678.742, 1054, 8949, 17016,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"relay.national_delay_hours": 0, "relay.hub_latency_hours": 0},
        "3e20ae6baaf243cd7ba7071be18cf60c4fcb8d7bea05a90c72a1b64382c22b9c",
        "e0918e77fcc6705a5d28a850265490bd7b2621f9cef87457b4af269697c9f3b7",
        "8a6e46d7e44eecbd23ac74fd69db9fa085041fadcab2a2b6c2d2b65015b5e014",
        151.513, 68, 566, 883,
    ),
    (
        "cocair3.yaml", 4, "bilateral",
        {"relay.national_delay_hours": 0, "relay.bilateral_delay_hours": 0},
        "b3805e528980de8ea8435178979210eb31970d65eb41ca7f2afcb4f0f3530587",
        "186e7119bc10a061c6e1e3999d08e881a440ebddb2f29b1b04027394a6816d5a",
        "cf0651f815db16a55b63f7c7ed0ab9bd3a9923f51d8e16b6107dec04ba5e666b",
        151.171, 69, 566, 469,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"relay.alert_lifetime_hours": 3, "relay.active": "always"},
        "1bc5c02876c2c2c8182b01aa8e5ac2fe37bf121daa7ae1fbf5851c7768f1de5d",
        "b4a642348e1c74cfdf91c7eb9e84eb7b5018c822abab723228767a05c652a896",
        "cfde93208ae4b7ed19686435ec2d0df58cb58be860da399520655ebf6ebf3d7d",
        150.057, 68, 566, 937,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"relay.hub_capacity_per_day": 5, "calendar.days": 50},
        "9e678ffffb2aec1691a623f93f6cbbb0f83ed45177f268c60977aef9fef2a296",
        "171acef6cffb85b1238beb2ccdda2ffb91bd315ba7534e678efabb69bf051dad",
        "1448862ce962a48d6c358749a7355d4cb32fc130e0c9a575525d2bdaf91b7a73",
        190.634, 88, 810, 737,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"organisations.0.adaptation.enabled": False, "training.trained_share": 0.3},
        "fbe9a51c3b8d149eb4f37e25e471d33dc89003425b6970d903e8779da860f76b",
        "b3684cdddfa9be530a34762d600a2e479dc765ff43dd5aeddb00abcfcd22ebe5",
        "2ce5380eaefa168ae5fa23eab2e5a931ee0ade038ad0d6d15022752a31fa2c3a",
        149.316, 69, 566, 927,
    ),
    (
        "network2014.yaml", 7, "hub",
        {},
        "fe059f38f64fdee071efb8d12f347ab3e3682bf1db0d823cf089f0b6c2b35652",
        "4f2a04f0386cd3c6ced4ecf64d8e13ca8d49cd65d6a01f6932e84ead7866d7d7",
        "584d5dd27bf8bf9d026b7c6fd135a735ce25d8107ba6e2b4ad450afacc5cd560",
        358.341, 75, 949, 813,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "seed", "mode", "overrides", "summary_sha", "daily_sha", "events_sha", "kg", "n",
     "sent", "ev"),
    PINNED_VARIANTS,
    ids=[f"{p[0].removesuffix('.yaml')}-s{p[1]}-{p[2]}-{i}" for i, p in enumerate(PINNED_VARIANTS)],
)  # fmt: skip
def test_stress_configurations_are_unchanged(
    scenario, seed, mode, overrides, summary_sha, daily_sha, events_sha, kg, n, sent, ev
):
    spec = load_scenario(SCENARIOS / scenario, overrides)
    model = CocairModel(spec, seed=seed, relay_mode=mode).run()
    _assert_pinned(model, summary_sha, daily_sha, events_sha, kg, n, sent, ev)


def test_runs_without_the_event_log_compute_the_same(specs):
    # Experiments skip recording the event log; nothing they store may change.
    scenario, seed, mode, summary_sha, daily_sha = PINNED[2][:5]
    model = CocairModel(specs[scenario], seed=seed, relay_mode=mode, event_log=False).run()
    assert model.events == []
    assert _digest(summarise(model)) == summary_sha
    assert _digest(list(daily_rows(model))) == daily_sha
