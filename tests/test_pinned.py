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
from cocair_sim.outputs import daily_rows, summarise
from cocair_sim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

# (scenario, seed, relay mode): sha256 of summary, daily rows and events, then readable values
# (kg_seized, seizures, couriers_sent, number of events).
PINNED = [
    (
        "cocair3.yaml", 0, "none",
        "9d3a0143640a8e0b5b4f997b002db491dfc975ae783bcda1dca589069531321f",
        "e529afa11a5ac339a43fdc0135d3b767a888c63f1cb41c2a9bba4a70612b75e4",
        "5a0ab5343d98a726c792fa53f7bc54a75eca83d94edce613e9e15044909ba54a",
        323.283, 100, 938, 413,
    ),
    (
        "cocair3.yaml", 0, "bilateral",
        "5281cd3fb0b22cfd0d5e5535bc380e83698c0ffbbe5b9c5942892673fb4eda98",
        "d5aa521f9e765ec9c43c209cad611e55c828cc6d822e0c83af2b4ac0c3acb539",
        "b042634268bc85e10f00ee324ee9b7dac3f60329af309e6450efd64ea86fc14a",
        344.179, 106, 938, 612,
    ),
    (
        "cocair3.yaml", 0, "hub",
        "910c6e7e991373220e03c2faa04660e1bed7eb5d5ca99c95235711c8c31336c3",
        "0d90661ce9767f7868370a25d1d42d87978d9b32ad25066d56c377f194ecd6f1",
        "a0f0a3a14c604e4b9f81d5d070e009930ee0c1ad39ae7adfd4ef09f676cfa70a",
        346.175, 102, 938, 1204,
    ),
    (
        "cocair3.yaml", 1, "none",
        "b16b929dec3f0589522c5c0055596d6b8d4d813c9a379d6671166e62a0eb49db",
        "bb0324b838df86f619150bba12eb8d1d7ef20e39531e2d4ae02039a3612cd0be",
        "95be4af94c946dc488d7c2e02ee3ec54f788c57c752c2ea8e8ee2950406376e6",
        391.711, 90, 934, 383,
    ),
    (
        "cocair3.yaml", 1, "bilateral",
        "c9cd71bafb1e466ac278c5e7ffd5612d951ef2db637d2b0f1999c855840a16e9",
        "d3644e9ee9735fc5c2db7ea0cf84e2bd22b88ca9aa03c33ab0490e48e39c5159",
        "9afcc28e7fcbc8a074bb05fc45c147f5c1d9ebadba8e97beae99d46c6a46c74b",
        389.389, 96, 934, 741,
    ),
    (
        "cocair3.yaml", 1, "hub",
        "f604b48783e828b276980e52a3d2c973b5a8908305dece6ca88a151c46720ef0",
        "40aeb029ff767d255b643f1b4a7e21e26517bcfd6cb758d93d9126320285780c",
        "191647093d2742387d54feb435fcbac5886a80aa878a8beb22cb6cf0f1ef1bc2",
        391.89, 93, 934, 1030,
    ),
    (
        "classroom.yaml", 3, "hub",
        "133ec54f2ba8f02511f9e029ba3a56288052e11d8938f1e095d80241ca552a96",
        "bd4f80270a4b8c8bebf05f485315c2d9d5198c467c06a445ff1ea79887804862",
        "d22619771199ed917ec9de059a178b0c1d71476e34ae3510dff69e0e46a64d3e",
        97.958, 33, 181, 278,
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
        "46c8aa255aaef70bf49a3d4b9cbf1b252d4941c8bcdb9663bd2e62e5bf0467e0",
        "f2381f83420900cdeb740016248d9237497427359546a7d6e43fc1c8694648b1",
        "6923dc19fda9819139cf24a24168c04c5357a104417a60b0d7796fa2cbfc769c",
        3574.532, 1008, 8949, 14898,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"relay.national_delay_hours": 0, "relay.hub_latency_hours": 0},
        "7890bbf5637205b52deade12a3b5fd089cd9f3f53b1e30e51f5ae2b2a130aa98",
        "6bd8eb4972dd31ca01ba3e795194ac87374f4bb4e28b1406502e5ee939c87068",
        "a883bc14d204e9b3097e169967fe627f4596c5a61c1c675e2a673908fbe085b3",
        371.861, 101, 906, 1366,
    ),
    (
        "cocair3.yaml", 4, "bilateral",
        {"relay.national_delay_hours": 0, "relay.bilateral_delay_hours": 0},
        "3caaf4de03eeea50971796d55c68aa5f8297d4304cd416bae111bf41f134f6d0",
        "17e5417a208b4be0dec12d3f34d8c5f7979f8822066e21ee8e3c30c9f4a5c8c5",
        "a2279e427348e0e46a94d63d2074abb77bbc71759f5e0c2c4e455164f151a0b5",
        416.007, 105, 906, 787,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"relay.alert_lifetime_hours": 3, "relay.active": "always"},
        "9461ceb14c18e14a4672367d0ce0db825d24ef6149919a18ed84e36298269f0d",
        "54a1d65f8d2797ebcb24b4efaf74448f0cf10b654b3484767ed6ce9c026944b4",
        "417db7850467231056dbf320b40f0c27dac6f6c18ba3f3b9e20d428a5ebd1ef4",
        454.413, 110, 906, 1583,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"relay.hub_capacity_per_day": 5, "calendar.days": 50},
        "8e718f4095e7f62033c70ead705e87c9c564640f9484c0be5b3594c23db3ab14",
        "3c2ad5128d3804ba5db328ac0ed0334d4704c4d5438cee72516b840944fd8e72",
        "ae825cb6c70a0c18e2fd184f272b778f6bd73a6da728f4392b538f1cf39021a5",
        543.571, 145, 1317, 1116,
    ),
    (
        "cocair3.yaml", 4, "hub",
        {"organisations.0.adaptation.enabled": False, "training.trained_share": 0.3},
        "70ed551b41fe39ce6a3ac806f8ea7caf844ff26f14cc7d573fae145922d22cc3",
        "ed9d3522410d8dbe1890c1b64fa3dc7de19c4af7a97dc6bf121804dda93e05bf",
        "d2a962b5ce72139e4e4f8d1220288ca2dbf92a6451482dd6440e44698863e0b5",
        397.426, 101, 906, 924,
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
