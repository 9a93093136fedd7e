"""Published qualitative effects, reproduced with real replications of the default scenario.

- displacement (NarcoLogic, PNAS 2019): raising controls at one transit hub lowers its share of
  trafficked kg and raises others'; with adaptation off it does not;
- more interdiction raises the kg seized; the kg per case falls where controls detect some
  methods less than others, as organisations move kilograms to those (IISE Transactions 2024);
- relay value decays with latency; relay through the hub beats no relay when latency is short.
"""

from __future__ import annotations

import pytest

from cocair_sim.science import effects
from cocair_sim.stats import paired_comparison


@pytest.fixture(scope="module")
def displacement():
    return effects.displacement(hub="CMN", multiplier=10.0, seeds=range(6))


def test_crackdown_displaces_flows_when_traffickers_adapt(displacement):
    # Without adaptation the shares do not move at all (next test): any shift is displacement.
    before, after = displacement[("adaptive", False)], displacement[("adaptive", True)]
    assert after["CMN"] < before["CMN"] - 0.02
    others = [k for k in before if k != "CMN"]
    assert sum(after[k] for k in others) > sum(before[k] for k in others) + 0.02
    gained = [k for k in others if after[k] > before[k] + 0.005]
    assert len(gained) >= 2  # routes spread over several alternatives


def test_no_displacement_without_adaptation(displacement):
    before, after = displacement[("fixed", False)], displacement[("fixed", True)]
    for k in before:
        assert after[k] == pytest.approx(before[k], abs=0.01)


# A world where controls find swallowed capsules far less often than suitcases or cargo.
SWALLOWING_HIDES = {"internal": 0.1, "luggage": 0.9, "cargo": 0.9}


def test_more_interdiction_seizes_more_and_moves_loads_to_what_controls_miss():
    """IISE Transactions 2024: seized volume rises while the value per seizure falls. In the
    model the fall comes from method choice on expected profit: where controls find swallowed
    capsules far less often than suitcases, more controls move kilograms to swallowing, and
    cases get smaller; with the mix of methods held fixed they do not. (With equal detection
    nothing moves: tests/model/test_method_choice.py.)"""
    adapting = effects.interdiction_levels((1.0, 4.0), range(6), detection=SWALLOWING_HIDES)
    fixed = effects.interdiction_levels(
        (1.0, 4.0), range(6), method_choice=False, detection=SWALLOWING_HIDES
    )
    for rows in (adapting, fixed):
        assert rows[1]["seizures"] > rows[0]["seizures"]
        assert rows[1]["kg_seized"] > rows[0]["kg_seized"]
    assert adapting[1]["internal_share"] > adapting[0]["internal_share"] + 0.1
    assert adapting[1]["kg_per_seizure"] < 0.95 * adapting[0]["kg_per_seizure"]
    assert adapting[1]["kg_per_seizure"] < 0.9 * fixed[1]["kg_per_seizure"]
    assert fixed[1]["internal_share"] == pytest.approx(fixed[0]["internal_share"])


def test_relay_value_decays_with_latency_and_hub_beats_none_when_fast():
    rows = effects.latency_curve(latencies=(1, 24, 72, 168), seeds=range(40))
    hits = [r["hub_alert_hits"] for r in rows]
    assert hits[0] > hits[1] > hits[2] > 0  # later alerts catch fewer couriers...
    assert hits[3] == 0  # ...and alerts that live 96 h are useless after a 7-day relay
    fast = paired_comparison(rows[0]["kg_seized_hub"], rows[0]["kg_seized_none"])
    assert fast.diff_low > 0 and fast.wilcoxon_p < 0.05
    slow = paired_comparison(rows[3]["kg_seized_hub"], rows[3]["kg_seized_none"])
    assert slow.diff_mean == 0.0  # nothing arrives in time: the same seizures, seed by seed
