"""Alerts on passengers in transit: couriers who travel together, seizures that name the
companions still travelling, passenger-data checks that flag a courier before any seizure, and
alerts that help only if they reach the next airport before the passenger lands."""

from __future__ import annotations

import numpy as np
import pytest

from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import summarise
from cocair_sim.scenario import load_scenario

ALWAYS = {"relay.active": "always"}
BRAZIL_CHECKS = {  # every courier leaving Brazil is flagged there (a test world, not a claim)
    **ALWAYS,
    "passenger_data.countries": ["Brazil"],
    "passenger_data.hit_probability": 1.0,
    "relay.named_control": 1.0,
}


def _launched(model: CocairModel):
    """Every courier the model sent, as the organisations booked them."""
    sent = []
    real = model.launch

    def launch(courier, t):
        sent.append((courier, t))
        real(courier, t)

    model.launch = launch
    model.run()
    return sent


def test_parties_fly_together_and_the_volume_stays_the_same(classroom_path):
    groups = {f"organisations.{k}.group_size": 3.0 for k in range(2)}
    spec = load_scenario(classroom_path, groups)
    sent = [x for seed in range(6) for x in _launched(CocairModel(spec, seed=seed))]
    parties = {id(c.party): c.party for c, _ in sent}
    sizes = np.array([len(p) for p in parties.values()])
    assert sizes.mean() == pytest.approx(3.0, rel=0.1) and sizes.max() > 3
    for party in parties.values():  # one itinerary and one departure hour per party
        assert len({c.itinerary for c in party}) == 1
    starts = {}
    for courier, t in sent:
        starts.setdefault(id(courier.party), set()).add(t)
    assert all(len(times) == 1 for times in starts.values())
    alone = load_scenario(classroom_path)
    couriers_alone = sum(CocairModel(alone, seed=s).run().counts["couriers_sent"] for s in range(6))
    assert len(sent) == pytest.approx(couriers_alone, rel=0.08)  # as many couriers, grouped


def test_alone_and_without_passenger_data_the_new_alerts_change_nothing(classroom_path):
    """Group size 1 and no passenger-data checks: what exposes companions or names passengers
    has nothing to act on, so runs equal those of a world without those features."""
    plain = load_scenario(classroom_path, ALWAYS)
    primed = load_scenario(
        classroom_path,
        {**ALWAYS, "relay.companion_exposure": 1.0, "relay.named_control": 1.0},
    )
    for seed in range(3):
        a, b = CocairModel(plain, seed=seed).run(), CocairModel(primed, seed=seed).run()
        assert a.events == b.events
        assert summarise(a)["companions_named"] == 0 and summarise(a)["flags"] == 0


def test_a_seizure_names_the_companions_still_travelling(classroom_path):
    groups = {f"organisations.{k}.group_size": 4.0 for k in range(2)}
    spec = load_scenario(classroom_path, {**groups, **ALWAYS, "relay.companion_exposure": 1.0})
    model = CocairModel(spec, seed=2).run()
    named = [r for r in model.reports.values() if r.kind == "seizure" and r.named]
    assert named and model.counts["companions_named"] == sum(len(r.named) for r in named)
    for report in named:  # the named are of the seized courier's party, and were travelling
        assert report.courier_id not in report.named
    # Named companions are met ahead: some are stopped because the alert named them.
    hits = [e for e in model.events if e.event == "seizure" and e.match == "passenger"]
    assert hits and model.counts["named_alert_hits"] == len(hits)
    assert {e.courier for e in hits} <= {c for r in named for c in r.named}


@pytest.mark.parametrize("latency", [1, 120])
def test_an_alert_naming_a_passenger_helps_only_if_it_arrives_before_he_lands(
    classroom_path, latency
):
    """Brazil flags every courier as he leaves; the hub passes the name to the participants
    ahead on his itinerary. Within an hour, the named are stopped abroad; after five days,
    they have long landed and the alerts arrive late."""
    spec = load_scenario(classroom_path, {**BRAZIL_CHECKS, "relay.hub_latency_hours": latency})
    model = CocairModel(spec, seed=1).run()
    assert model.counts["flags"] == model.counts["couriers_sent"]
    brazil = model.network.countries.index("Brazil")
    country = model.network.airport_country
    abroad = [
        e
        for e in model.events
        if e.event == "seizure" and e.match == "passenger" and country[e.airport] != brazil
    ]
    hub_alerts = [e for e in model.events if e.event == "alert_delivered" and e.channel == "hub"]
    late = [e for e in model.events if e.event == "alert_late" and e.channel == "hub"]
    if latency == 1:
        assert abroad and hub_alerts
        assert all(e.channel == "hub" for e in abroad)
    else:
        assert not abroad and late and not hub_alerts


def test_the_hubs_reach_decides_who_hears_of_a_flag(classroom_path):
    """The hub's own INTERPOL checks reach non-participants only when its police channel
    reaches every country (as INTERPOL's centre reached Mozambique in COCAIR III)."""
    hub_checks = {
        **ALWAYS,
        "passenger_data.hub": True,
        "passenger_data.hub_hit_probability": 1.0,
        "relay.hub_latency_hours": 1,
    }
    destinations = {"Portugal", "France"}

    def alerted(reach: str) -> set[str]:
        spec = load_scenario(classroom_path, {**hub_checks, "relay.reach.police": reach})
        model = CocairModel(spec, seed=1).run()
        net = model.network
        return {
            net.airports[e.airport].country
            for e in model.events
            if e.event == "alert_delivered" and e.agency == "police" and e.channel == "hub"
        }

    assert not alerted("participants") & destinations
    assert alerted("all") >= destinations


def test_flags_draw_nothing_from_the_modes_streams(classroom_path):
    """A passenger-data flag is decided by the courier's own draw: the same couriers are
    flagged under every relay mode."""
    spec = load_scenario(
        classroom_path,
        {"passenger_data.countries": ["Brazil"], "passenger_data.hit_probability": 0.3},
    )
    flagged = {}
    for mode in ("none", "bilateral", "hub"):
        model = CocairModel(spec, seed=4, relay_mode=mode).run()
        flagged[mode] = [(e.courier, e.time_h) for e in model.events if e.event == "flag"]
    assert flagged["none"] and flagged["none"] == flagged["bilateral"] == flagged["hub"]
