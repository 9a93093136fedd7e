"""The relay modes behave as their parameters say, read from the event log of real runs."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from cocair_sim.intel.relay import relay_mode_names
from cocair_sim.model.model import CocairModel
from cocair_sim.scenario import load_scenario

ALWAYS = {"relay.active": "always"}  # relay from day 0: more messages to look at


def events_of(model, kind):
    return [e for e in model.events if e.event == kind]


def received(model) -> dict[tuple[int, str], float]:
    """When each report reached each agency's contact point at home."""
    return {(e.report, e.agency): e.time_h for e in events_of(model, "report")}


def test_the_built_in_modes_are_registered_in_order():
    assert relay_mode_names()[:3] == ["none", "bilateral", "hub"]


def test_no_relay_keeps_every_alert_at_home(cocair3):
    model = CocairModel(cocair3, seed=1, relay_mode="none").run()
    country = model.network.airport_country
    seized_in = {e.report: country[e.airport] for e in events_of(model, "report")}
    sent = events_of(model, "alert_sent")
    assert len(sent) > 20  # enough alerts for the check below to mean something
    assert {e.channel for e in sent} == {"national"}
    assert all(country[e.airport] == seized_in[e.report] for e in sent)


def test_hub_relays_only_between_connected_countries_after_its_latency(cocair3_path):
    latency = 30.0
    spec = load_scenario(
        cocair3_path,
        {
            **ALWAYS,
            "relay.hub_latency_hours": latency,
            "relay.reach.police": "participants",  # the reach beyond: test_transit_alerts.py
            "passenger_data.hub": False,
        },
    )
    model = CocairModel(spec, seed=3, relay_mode="hub").run()
    connected = {cp.country for cp in model.contact_points["customs"] if cp.connected}
    country = model.network.airport_country
    reached = received(model)
    hub = [e for e in events_of(model, "alert_sent") if e.channel == "hub"]
    assert len(hub) > 30
    for e in hub:
        assert int(country[e.airport]) in connected
        assert e.time_h - reached[(e.report, e.agency)] >= latency - 1e-9
    seized_in = {e.report: country[e.airport] for e in events_of(model, "report")}
    for e in events_of(model, "hub_received"):
        assert int(seized_in[e.report]) in connected


def test_hub_sends_at_most_its_capacity_a_day_and_the_rest_later(cocair3_path):
    capacity, latency = 5, 6.0
    spec = load_scenario(
        cocair3_path,
        {**ALWAYS, "relay.hub_capacity_per_day": capacity, "relay.hub_latency_hours": latency},
    )
    model = CocairModel(spec, seed=2, relay_mode="hub").run()
    # A message reaches a contact point `latency` after it leaves the hub; each message then
    # alerts that country's airports. Rebuild the messages from the alerts they caused.
    messages = {
        (e.report, e.agency, int(model.network.airport_country[e.airport])): e.time_h - latency
        for e in events_of(model, "alert_sent")
        if e.channel == "hub"
    }
    per_day = Counter(int(sent // 24) for sent in messages.values())
    assert max(per_day.values()) <= capacity
    arrived = {(e.report, e.agency): e.time_h for e in events_of(model, "hub_received")}
    waited = [sent - arrived[(r, a)] for (r, a, _), sent in messages.items()]
    assert min(waited) == pytest.approx(0.0, abs=1e-9)  # sent at once while there is room
    assert max(waited) > 24  # the backlog leaves on later days
    assert sum(w > 1e-9 for w in waited) > len(waited) / 4


def test_bilateral_delays_follow_their_distribution_not_the_hubs_latency(cocair3_path):
    median, spread = 48.0, 0.5
    spec = load_scenario(
        cocair3_path,
        {
            **ALWAYS,
            "relay.hub_latency_hours": 1.0,
            "relay.bilateral_delay_hours": median,
            "relay.bilateral_delay_spread": spread,
            "relay.bilateral_probability": 1.0,
            "relay.alert_lifetime_hours": 24 * 30,
        },
    )
    delays = []
    for seed in range(4):
        model = CocairModel(spec, seed=seed, relay_mode="bilateral").run()
        reached = received(model)
        sent = {}  # one message per report, agency and country: the first alert it caused
        for e in events_of(model, "alert_sent"):
            if e.channel == "bilateral":
                key = (e.report, e.agency, int(model.network.airport_country[e.airport]))
                sent.setdefault(key, e.time_h - reached[(e.report, e.agency)])
        delays += list(sent.values())
    delays = np.array(delays)
    assert len(delays) > 100
    logs = np.log(delays)
    assert np.exp(np.median(logs)) == pytest.approx(median, rel=0.15)
    assert np.std(logs) == pytest.approx(spread, rel=0.2)
    assert (delays > 1.0 + 1e-9).mean() > 0.99  # not the hub's hour


@pytest.mark.parametrize("probability", [0.0, 1.0])
def test_bilateral_tells_each_country_on_the_itinerary_with_its_probability(
    cocair3_path, probability
):
    spec = load_scenario(
        cocair3_path,
        {
            **ALWAYS,
            "relay.bilateral_probability": probability,
            "relay.bilateral_delay_hours": 2.0,
            "relay.bilateral_delay_spread": 0.0,
        },
    )
    model = CocairModel(spec, seed=4, relay_mode="bilateral").run()
    country = model.network.airport_country
    end = model.days * 24.0 - 3.0  # the messages of later reports arrive after the run
    reports = {
        e.report: e for e in events_of(model, "report") if e.agency == "customs" and e.time_h < end
    }
    told = {
        (e.report, int(country[e.airport]))
        for e in events_of(model, "alert_sent")
        if e.channel == "bilateral" and e.agency == "customs" and e.report in reports
    }
    expected = {
        (rid, k)
        for rid, report in reports.items()
        for k in model.countries_on(model.reports[rid].itinerary, exclude=country[report.airport])
        if model.relay_active(report.time_h)
        and any(a != report.airport for a in model.contact_points["customs"][k].airports)
    }
    if probability == 0.0:
        assert not told
    else:
        assert told == expected and len(told) > 20


def test_relay_works_only_during_the_operation_by_default(cocair3):
    model = CocairModel(cocair3, seed=1, relay_mode="hub").run()
    start, days = cocair3.calendar.operation_start, cocair3.calendar.operation_days
    relayed = [e for e in events_of(model, "hub_received")]
    assert relayed
    assert all(start <= e.day < start + days for e in relayed)
    # A report a contact point holds outside the window stays national: no alert of the hub
    # comes from it (the same seizure may reach the police a day later, inside the window).
    outside = {
        (e.report, e.agency)
        for e in events_of(model, "report")
        if not start <= e.day < start + days
    }
    assert outside
    hub_alerts = [e for e in events_of(model, "alert_sent") if e.channel == "hub"]
    assert hub_alerts and not {(e.report, e.agency) for e in hub_alerts} & outside


@pytest.mark.parametrize("mode", ["bilateral", "hub"])
def test_modes_stay_paired_until_a_relayed_message_is_acted_on(cocair3, mode):
    """Each mode draws from its own stream: until the first alert it relayed reaches an
    airport's board, the run is the run without relay, seizure for seizure and arrest for
    arrest (police reporting and follow-ups draw from the agencies' stream, the same in both)."""
    for seed in range(4):
        relayed = CocairModel(cocair3, seed=seed, relay_mode=mode).run()
        plain = CocairModel(cocair3, seed=seed, relay_mode="none").run()
        acted = min(
            e.time_h for e in relayed.events if e.event == "alert_delivered" and e.channel == mode
        )

        def before(model, acted=acted):
            return [
                (e.time_h, e.event, e.airport, e.courier, e.kg, e.arrests)
                for e in model.events
                if e.event in ("seizure", "arrest") and e.time_h < acted
            ]

        assert before(relayed) == before(plain)
        arrests = [e for e in before(plain) if e[1] == "arrest"]
        assert arrests, "follow-up arrests happen before the first relayed alert"


def test_alerts_that_change_nothing_change_nothing_in_any_mode(cocair3_path):
    """With alerts that neither raise a matching passenger's chance of control nor use
    controls (and name nobody), every mode gives the seizures and arrests of no relay, on
    every seed."""
    inert = {
        "relay.targeting_uplift": 1,
        "relay.controls_per_alert": 0,
        "relay.companion_exposure": 0,
        "passenger_data.hub": False,
        "passenger_data.hit_probability": 0,
    }
    for mode in ("bilateral", "hub"):
        for seed in range(3):
            spec = load_scenario(cocair3_path, {**inert, "relay.mode": mode})
            none = load_scenario(cocair3_path, {**inert, "relay.mode": "none"})
            a, b = CocairModel(spec, seed=seed).run(), CocairModel(none, seed=seed).run()
            assert a.counts["seizures"] == b.counts["seizures"]
            assert a.counts["arrests"] == b.counts["arrests"]
            assert a.counts["seized_g"] == b.counts["seized_g"]
