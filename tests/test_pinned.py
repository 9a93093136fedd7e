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
    summary = summarise(model)
    # Readable values first, so a change shows what moved before the digests say that it did.
    assert summary["kg_seized"] == kg
    assert summary["seizures"] == n
    assert summary["couriers_sent"] == sent
    assert len(model.events) == ev
    assert _digest(summary) == summary_sha
    assert _digest(list(daily_rows(model))) == daily_sha
    assert _digest(model.events) == events_sha


def test_runs_without_the_event_log_compute_the_same(specs):
    # Experiments skip recording the event log; nothing they store may change.
    scenario, seed, mode, summary_sha, daily_sha = PINNED[2][:5]
    model = CocairModel(specs[scenario], seed=seed, relay_mode=mode, event_log=False).run()
    assert model.events == []
    assert _digest(summarise(model)) == summary_sha
    assert _digest(list(daily_rows(model))) == daily_sha
