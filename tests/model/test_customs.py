"""Customs units: selection within capacity, detection by method and training."""

from __future__ import annotations

import numpy as np
import pytest

from cocair_sim.intel.reports import CUSTOMS, Alert, IntelReport
from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import summarise
from cocair_sim.scenario import METHODS, load_scenario


def test_trained_units_detect_as_the_training_formula_says(cocair3_path):
    gain, level = 0.6, 0.8
    spec = load_scenario(
        cocair3_path,
        {
            "screening.training_gain": gain,
            "training.trained_share": 0.5,
            "training.level": level,
        },
    )
    model = CocairModel(spec, seed=0)
    defaults = spec.customs_defaults.detection
    trained = untrained = 0
    for ap, unit in zip(spec.airports, model.customs, strict=True):
        override = ap.customs.detection
        base = [
            getattr(override, m) if override and getattr(override, m) is not None
            else getattr(defaults, m)
            for m in METHODS
        ]  # fmt: skip
        t = unit.profile.training_level
        expected = np.minimum(1.0, np.array(base) * (1.0 + gain * t))
        np.testing.assert_allclose(unit.profile.detection, expected, rtol=1e-12)
        if ap.participant:
            trained += t == level
            untrained += t == 0.0
    assert trained > 3 and untrained > 3  # half the participants trained, at `level`
    participants = sum(ap.participant for ap in spec.airports)
    assert trained == round(0.5 * participants)


def test_training_raises_seizures_under_common_random_numbers(cocair3_path):
    # Training raises detection at the participating airports: their seizures in the operation
    # week, pair by pair (runs diverge after the first different control, hence many pairs; 12
    # of 16 or more positive has a chance of 4 % if training did nothing).
    untrained = load_scenario(cocair3_path, {"training.trained_share": 0.0})
    trained = load_scenario(cocair3_path, {"training.trained_share": 1.0})

    def seizures(spec, seed):
        model = CocairModel(spec, seed=seed, event_log=False).run()
        return summarise(model)["operation"]["seizures_participants"]

    gains = [seizures(trained, s) - seizures(untrained, s) for s in range(16)]
    assert np.mean(gains) > 0 and sum(g > 0 for g in gains) >= 12


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
        unit.board.post(Alert(i, report, CUSTOMS, "national", 0, 0.0, 0.0, 99.0))
    assert unit.selection_probability(2, False, False) < plain
