"""The classroom page without a browser: its controls, the worlds they build, the event feed
and the status lines."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara
import yaml

from cocair_sim import shipped
from cocair_sim.classroom import DEFAULT_SEED, app
from cocair_sim.classroom.app import (
    CONTROLS,
    build_twin,
    describe_events,
    overrides_for,
    scenario_settings,
    status_line,
)
from cocair_sim.classroom.exercise import Exercise
from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import summarise
from cocair_sim.scenario.loading import load_scenario
from tests.helpers import CLASSROOM, COCAIR3

SHIPPED = sorted(shipped.folder("scenarios").glob("*.yaml"))
SIX_HOURS = {"relay.hub_latency_hours": 6.0}  # the world the feed's sentences were read from


def test_event_feed_sentence_for_a_classroom_run() -> None:
    twin = build_twin(str(CLASSROOM), SIX_HOURS, "1")
    assert not twin.error
    for _ in range(12):
        twin.step()
    relay = twin.models["relay"]
    feed = describe_events(relay, 20)
    assert (
        "Day 11, 16:48: customs at DKR (Senegal) seized 1.3 kg (internal) from a courier of the "
        "Lusophone network after a hub alert; the report reached the hub at 17:48 and 4 airports "
        "by day 12, 00:48"
    ) in feed
    assert "Day 11, 05:30: follow-up at GRU (Brazil): 2 more arrest(s) in the Sahel network" in feed
    assert (
        "Day 8, 16:55: customs at LIS (Portugal) seized 3.6 kg (luggage) from a courier of the "
        "Lusophone network; no other airport has been alerted yet"
    ) in feed
    assert (
        "Day 5, 07:30: customs at FOR (Brazil) seized 5.8 kg (luggage) from a courier of the "
        "Lusophone network; the report alerted 1 airport by day 6, 08:30"
    ) in describe_events(relay, 200)
    assert len(describe_events(relay, 3)) == 3
    # The twin without relay sends the same couriers; its seizure reports stay national.
    none_feed = describe_events(twin.models["none"], 50)
    assert not any("hub" in line for line in none_feed)
    assert status_line(relay).startswith("Day 12 (operation) — seized ")


def test_bad_seed_is_reported_not_raised() -> None:
    twin = build_twin(str(CLASSROOM), {}, "abc")
    assert "seed" in twin.error and not twin.models


def test_a_value_the_scenario_refuses_is_reported_not_raised() -> None:
    twin = build_twin(str(CLASSROOM), {"customs_defaults.capacity_per_day": 0})
    assert "capacity_per_day" in twin.error and not twin.models


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_control_starts_from_the_scenarios_own_value(path) -> None:
    raw = yaml.safe_load(path.read_text())  # read apart from the page's own reading
    spec = load_scenario(path)
    connected = len(CocairModel(spec, seed=0).hub.connected)
    settings = scenario_settings(spec)
    assert settings == {
        "relay.mode": raw["relay"].get("mode", "hub"),
        "relay.hub_latency_hours": raw["relay"]["hub_latency_hours"],
        "relay.coverage": raw["relay"].get("coverage", connected),
        "training.trained_share": raw["training"]["trained_share"],
        "customs_defaults.capacity_per_day": raw["customs_defaults"]["capacity_per_day"],
    }
    assert overrides_for(spec, settings) == {}  # untouched: the scenario as it is


# cocair3's own calibrated capacity (a round 30 on the page was the fault these tests guard),
# read from the file apart from the page.
COCAIR3_CAPACITY = yaml.safe_load(COCAIR3.read_text())["customs_defaults"]["capacity_per_day"]


def test_the_controls_named_in_the_brief_start_where_their_scenario_does() -> None:
    cocair3 = scenario_settings(load_scenario(COCAIR3))
    assert cocair3["customs_defaults.capacity_per_day"] == COCAIR3_CAPACITY != 30
    assert cocair3["training.trained_share"] == 0.9
    assert cocair3["relay.coverage"] == 13
    assert scenario_settings(load_scenario(CLASSROOM))["relay.hub_latency_hours"] == 12


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_ranges_cover_every_shipped_scenario_with_room_to_explore(path) -> None:
    spec = load_scenario(path)
    for control in CONTROLS:
        own = control.own(spec)
        if control.widget == "select":
            assert own in control.choices()
            continue
        low, high = control.bounds(spec)
        assert low <= own <= high, control.label
        # On one of the slider's marks: a slider would move a value between marks.
        assert control.step_at(spec, own) == control.step, control.label
    by_field = {c.field: c for c in CONTROLS}
    assert by_field["relay.hub_latency_hours"].bounds(spec)[1] >= 96  # the README's question
    coverage = by_field["relay.coverage"].bounds(spec)
    assert coverage == (0, len(CocairModel(spec, seed=0).hub.connected))


def test_a_value_between_the_marks_gets_a_finer_step() -> None:
    latency = next(c for c in CONTROLS if c.field == "relay.hub_latency_hours")
    spec = load_scenario(CLASSROOM)
    assert latency.step_at(spec, 12.0) == 1
    assert latency.step_at(spec, 93.3) == pytest.approx(0.1)


def test_only_changed_controls_become_overrides() -> None:
    spec = load_scenario(COCAIR3)
    assert overrides_for(spec, {"relay.hub_latency_hours": 12.0, "relay.coverage": 13}) == {}
    assert overrides_for(spec, {"relay.hub_latency_hours": 96.0, "relay.coverage": 13}) == {
        "relay.hub_latency_hours": 96.0
    }
    with pytest.raises(KeyError, match=r"no control sets relay\.talk_probability"):
        overrides_for(spec, {"relay.talk_probability": 0.5})
    twin = build_twin(str(CLASSROOM), {"relay.hub_latency_hours": 96.0, "relay.mode": "bilateral"})
    relay, none = twin.models["relay"], twin.models["none"]
    assert relay.relay_mode == "bilateral" and none.relay_mode == "none"
    assert relay.spec.relay.hub_latency_hours == none.spec.relay.hub_latency_hours == 96.0


@pytest.mark.parametrize("path", [CLASSROOM, COCAIR3], ids=lambda p: p.stem)
def test_the_untouched_page_is_cocair_run_and_the_exercise(path) -> None:
    """The page's twin from the declared defaults is `cocair run SCENARIO --seed N --relay MODE`
    (the unmodified scenario) for both worlds, and the exercise's world without teams."""
    spec = load_scenario(path)
    twin = build_twin(str(path), scenario_settings(spec), str(DEFAULT_SEED))
    assert not twin.error and build_twin(str(path)).models["relay"].spec == spec
    while twin.step():
        pass
    for which, mode in (("relay", spec.relay.mode), ("none", "none")):
        run = CocairModel(load_scenario(path, {"relay.mode": mode}), seed=DEFAULT_SEED).run()
        assert summarise(twin.models[which]) == summarise(run), which
    exercise = Exercise(spec)  # what `cocair exercise` plays by default, with no team
    while not exercise.finished:
        exercise.step_day()
    relay = summarise(twin.models["relay"])
    assert {**summarise(exercise.model), "relay_mode": relay["relay_mode"]} == relay


def render_page(monkeypatch, scenario):
    """The page as `cocair viz SCENARIO` serves it, rendered without a browser; the twins it
    builds are recorded."""
    built = []

    def recording(*args):
        built.append(args)
        return build_twin(*args)

    monkeypatch.setenv(app.SCENARIO_ENV, str(scenario))
    monkeypatch.setattr(app, "build_twin", recording)

    @solara.component
    def Served():
        with solara.AppLayout():  # what `solara run` wraps a page in: the sidebar needs it
            app.Page()

    _, rc = solara.render(Served(), handle_error=False)
    return rc, built


def sliders(rc) -> dict[str, float]:
    """The sidebar's sliders, by the first words of their labels."""
    return {s.label.split(":")[0]: s.v_model for s in rc.find(v.Slider).widgets}


def test_the_page_opened_on_cocair3_shows_its_calibrated_values(monkeypatch) -> None:
    rc, built = render_page(monkeypatch, COCAIR3)
    try:
        assert sliders(rc) == {
            "Speed": 2,
            "Hub latency": 12.0,
            "Countries connected to the hub": 13,
            "Trained share of units": 0.9,
            "Screening capacity": COCAIR3_CAPACITY,
        }
        assert rc.find(v.Select, label="Relay mode (with relay panel)").widget.v_model == "hub"
        assert built == [(str(COCAIR3.resolve()), {}, str(DEFAULT_SEED))]
    finally:
        rc.close()


def test_a_changed_control_reaches_the_twin_on_reset_and_a_new_scenario_starts_afresh(
    monkeypatch,
) -> None:
    rc, built = render_page(monkeypatch, CLASSROOM)
    try:
        assert sliders(rc)["Hub latency"] == 12.0
        rc.find(v.Slider, label="Hub latency: 12 hours").widget.v_model = 96.0
        assert sliders(rc)["Hub latency"] == 96.0
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert built[-1][1] == {"relay.hub_latency_hours": 96.0}
        # Another scenario: every control starts again from that scenario's own value.
        rc.find(v.Select, label="Scenario").widget.v_model = str(COCAIR3.resolve())
        shown = sliders(rc)
        assert shown["Hub latency"] == 12.0 and shown["Screening capacity"] == COCAIR3_CAPACITY
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert built[-1] == (str(COCAIR3.resolve()), {}, str(DEFAULT_SEED))
    finally:
        rc.close()
