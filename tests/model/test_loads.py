"""What couriers carry: every load inside its method's [min, max] scaled by the load
multiplier, and the scenario's spread actually reaching both ends."""

from __future__ import annotations

import numpy as np
import pytest

from cocair_sim.model.agents import U_LARGE
from cocair_sim.model.model import CocairModel
from cocair_sim.scenario import load_scenario


def _sent(spec, seed: int):
    """Couriers as they are sent: each one's method, grams and organisation's spec."""
    model = CocairModel(spec, seed=seed)
    sent = []
    real_launch = model.launch

    def launch(courier, t):
        sent.append((courier, courier.organisation.spec))
        real_launch(courier, t)

    model.launch = launch
    model.run()
    return sent


@pytest.mark.parametrize("multiplier", [0.5, 1.0, 2.0])
def test_every_load_lies_within_its_methods_bounds_times_the_multiplier(cocair3_path, multiplier):
    """A typical load lies in [min, max] of its method, a large consignment (decided by the
    courier's own draw) in [min, the consignments' max], all times the load multiplier; and the
    bounds bind, so the check is not vacuous."""
    spec = load_scenario(cocair3_path, {"trafficking.load_multiplier": multiplier})
    sent = [x for seed in range(3) for x in _sent(spec, seed)]
    assert len(sent) > 1000
    at_max = at_min = 0
    for courier, org in sent:
        method = org.methods[courier.method]
        large = method.large
        is_large = large is not None and courier.uniforms[U_LARGE] < large.share
        high = (large.max if is_large else method.kg.max) * multiplier
        low = method.kg.min * multiplier
        assert round(low * 1000) <= courier.grams <= round(high * 1000), (courier.method, method)
        at_max += not is_large and courier.grams == round(high * 1000)
        at_min += courier.grams == round(low * 1000)
    assert at_max > 0 and at_min > 0


def _with_large_cargo(path, share: float, multiplier: float = 1.0):
    """cocair3 where every organisation's cargo trips carry, with `share`, a large consignment
    (median 80 kg, up to 400 kg), and a third of trips go by cargo."""
    changes = {"trafficking.load_multiplier": multiplier}
    for k in range(4):
        base = f"organisations.{k}.methods"
        changes |= {
            f"{base}.internal.share": 0.35,
            f"{base}.luggage.share": 0.3,
            f"{base}.cargo.share": 0.35,
            f"{base}.cargo.large": {"share": share, "median": 80.0, "max": 400.0, "sigma": 0.7},
        }
    return load_scenario(path, changes)


@pytest.mark.parametrize(("share", "multiplier"), [(0.0, 1.0), (0.1, 1.0), (0.3, 0.5)])
def test_large_consignments_come_at_the_scenarios_share_and_stay_under_its_max(
    cocair3_path, share, multiplier
):
    spec = _with_large_cargo(cocair3_path, share, multiplier)
    cargo = [c for seed in range(4) for c, _ in _sent(spec, seed) if c.method == "cargo"]
    assert len(cargo) > 400
    typical_max = max(o.methods["cargo"].kg.max for o in spec.organisations) * multiplier
    large_max = 400.0 * multiplier
    grams = np.array([c.grams for c in cargo]) / 1000.0
    assert grams.max() <= large_max + 1e-9
    # A load above the typical cap can only be a large consignment: their share bounds it.
    above = float(np.mean(grams > typical_max))
    assert above <= share + 0.03
    if share == 0:
        assert above == 0.0
    else:
        # Median 80 kg (x multiplier) with spread 0.7: most large ones exceed the typical cap.
        assert above > 0.6 * share
        assert grams.max() > 2 * typical_max  # the tail reaches hundreds of kg


def test_the_expected_load_counts_the_large_consignments(cocair3_path):
    """What organisations expect a cargo courier to carry (their route choice weighs it) is the
    mixture's mean, recomputed here by simulation of the same lognormals."""
    from cocair_sim.model.beliefs import expected_kg

    spec = _with_large_cargo(cocair3_path, 0.2)
    method = spec.organisations[0].methods["cargo"]
    rng = np.random.default_rng(0)
    z = rng.standard_normal(400_000)
    typical = np.clip(method.kg.median * np.exp(method.kg.sigma * z), method.kg.min, method.kg.max)
    large = np.clip(method.large.median * np.exp(method.large.sigma * z), method.kg.min, 400.0)
    mixture = np.where(rng.uniform(size=z.size) < 0.2, large, typical).mean()
    assert expected_kg(method.kg, method.large) == pytest.approx(mixture, rel=0.01)
    assert expected_kg(method.kg, method.large) > 2 * expected_kg(method.kg)
