"""Pinned results: optimisations must not change what the model computes.

The digests below were computed from the code before the performance work of issue #7. They
cover the run summary, the daily series and the full event log of fixed-seed runs, so any change
in the simulated results (a different draw, a different event order, a different float) fails
here. If a real bug fix changes results, re-pin deliberately and say so in the change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cocair_sim.model import CocairModel
from cocair_sim.outputs import daily_rows, summarise
from cocair_sim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

# (scenario, seed, relay mode): sha256 of summary, daily rows and events, then readable values
# (kg_seized, seizures, couriers_sent, number of events).
PINNED = [
    (
        "cocair3.yaml", 0, "none",
        "495565f4e6d2ad911298468ac437482950ad6f35eedb08c9486b1b056d7133c3",
        "bd1de992e510bb675afa610ddae4537b6e2756fe74a8c9648af67b53dbd62bab",
        "8d8f3f551fae24a2072f775e0a8bec6789e0aaad0e047af96767775c3f6d8767",
        300.658, 108, 938, 390,
    ),
    (
        "cocair3.yaml", 0, "bilateral",
        "3a7956ce86ede595bfacc4dbdb8a48a9f18e42a59d0590ee8bf8a8e87de222cd",
        "d4052cab06d2f20bc04d324267ff77ffdc043cb15100ef7e0ccc8f207617d1c2",
        "37b1e334a63f2c42be13f27eb631746c13af2e5af3a25265b7cb5c0c91cb8373",
        321.264, 114, 938, 588,
    ),
    (
        "cocair3.yaml", 0, "hub",
        "b23a4c5f80ae941d1083eef074742766a64dc18634765d19176b82c111094974",
        "96291f069a98c42cb4b2763b006c9035b9c883f61781e642ccc358cc39ca5c1a",
        "3ff76926cb83d33b2d95e4e003b5e91d0fee2b61ee4d66c055731212b8099fe4",
        319.414, 112, 938, 1207,
    ),
    (
        "cocair3.yaml", 1, "none",
        "9c0afecab5819de68b33ad4a76a5aaabdd52fc3a708addb529221cc12acbd34e",
        "32a98541aaba3342006fa363278b541547e8a3b1bcd18ecde85cca94b844c23d",
        "c763dce4ea3a184ccc64309c99589e9e1556811e61f7990da1ca2be970d5b16d",
        254.017, 89, 934, 354,
    ),
    (
        "cocair3.yaml", 1, "bilateral",
        "9871393f351492133d4f5e8c4ead728a2ccb9d644c60c37399d28425b93be0bb",
        "df281106fb797000a8d41d2dda1713b591513daea1891f86f5fa20d3f3d5e76d",
        "0231e8b29fa838846dafcfa71fe5feec7c5c59b4b7a8cc47e8b686a6c68cce87",
        264.923, 92, 934, 561,
    ),
    (
        "cocair3.yaml", 1, "hub",
        "a74850eca2d645f92eee77a8b937fb77fba798ab6dbd43cad13abf3d27457101",
        "0e51405df82c6ebb693d84387ee932095cbbe74260c361aea29f76b49504fd7b",
        "5dd54b0a948fcfc9e9c18c81433dcc9e8064353711c8f4a32b33b2732439cccf",
        282.939, 99, 934, 1278,
    ),
    (
        "classroom.yaml", 3, "hub",
        "21dbdc31cb535bf3b979b70a677c0c1855f766bdce0d20f78f7a79350ed0cdeb",
        "31bdc67299bafd3d393397cf13f120f45d976242740aa0b62b5277928558ae33",
        "a6eae7bab5c9b3f9595bb2c8e0586440a94c955116b8f579d7d5b4fd949e3e14",
        74.017, 29, 181, 176,
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
# a saturated hub, an organisation that does not adapt, a larger network. Pinned from the code
# before the performance work of the third session on issue #7.
TEN_TIMES_VOLUME = {
    f"organisations.{k}.couriers_per_week": n for k, n in enumerate((500, 300, 600, 400))
}
PINNED_VARIANTS = [
    (
        "cocair3.yaml", 3, "hub",
        TEN_TIMES_VOLUME,
        "81f469f5376009b4cb049a1b4a9cffe925d78fcd659135690e727c3aaba47e87",
        "91eb306baa45c4787d0c75dbf354c6c8dad63814fa32ce9a3d628bab865b969d",
        "812f5d2578c7fe5362367b3afad1f76ef6a762030d10d7d2a896a524c65bab20",
        3240.777, 1124, 8949, 15880,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"relay.national_delay_hours": 0, "relay.hub_latency_hours": 0},
        "13030ebbe65c1247e7651c33dc6f5be6ad17a6f986135d1d98baf63705a9bcb9",
        "144cf0d9eb913417dc564cf96f23dab56e09be484d22c58817505b9fbf51c893",
        "3791dc6dc515d5ed87a335f7e992d56a84865070b5f99cf9cd8370788dd15343",
        339.338, 113, 906, 1104,
    ),
    (
        "cocair3.yaml", 4, "bilateral",
        {"relay.national_delay_hours": 0, "relay.bilateral_delay_days": 0},
        "3211c8b00e3319a8d16056fd1be6a63b163417aaeb3447cdad420602de0534f6",
        "19b9cc64663db384f247e1486b5dae47d8e741978b18d7e0babc8ff5dada31ae",
        "eb603d3c0f66cdb6c7a7426178577445f334082257835fa018ade1e9a73d3d98",
        356.25, 115, 906, 698,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"relay.alert_lifetime_hours": 3, "relay.active": "always"},
        "047cf48d5c319e01c772ff531ba98db6be30bbe87b369882c2373774b3fad7cb",
        "3ffa94455a389cd16018c37ca099ff87e9a65160b604977981c5a63fb987e47f",
        "580cb19e97915cde066cd92bc039a2aee6beaadbb41b172f671018cc3859b16b",
        315.385, 108, 906, 1189,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"relay.hub_capacity_per_day": 5, "calendar.days": 50},
        "70a08e7b98385eb7efb949de8ef55cbed7d48aa56295dc775d02238d8713009d",
        "3a1e72b92524ba7568a4e3d11ea0418f1c61c0fb6f496d5e37312e69b2c8a542",
        "bc0695dbe3f22dc492ebaa64859ce264021d09295fa3a4de6bc8496097a5beb0",
        425.183, 144, 1317, 969,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"organisations.0.adaptation.enabled": False, "training.trained_share": 0.3},
        "ac8fd1a5b68e7ef06a4c36c1f69a481c5a34311367d0c5133b4c70054b90796f",
        "93fada895a3cb04d2e7dbebdb28fbdd1fd8fdd51f1f8e893b9233537b3a61d07",
        "51d3145704dd70613060fb7399fb6c1fa020398ccc64793ab93024dccd4f0037",
        334.911, 113, 906, 976,
    ),
    (
        "network2014.yaml", 7, "hub",
        {},
        "1bba6b49c3a5efd46bdb61be8e99f200aa14d0ae08d9f5e6cdea14cd39ffade9",
        "dce5e13c0fe0819fe94c7c7cddc2bd7a16b340e4cdfe4fac3349c4d4a728e322",
        "c0708f32aaa0748c7a4e8d3e37869a0a3781d5a82fecb7d75140600723461adc",
        256.233, 84, 949, 1121,
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
