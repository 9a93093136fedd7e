"""The classroom page's pictures (cocair_sim/classroom/frames.py) and Play's pacing, no browser.

The pictures are drawn once and then only their moving parts are drawn over a saved copy of
the rest: these tests check that such a picture is the picture a complete drawing gives, day
after day, and that it shows the day's couriers, seizures and alerts.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from cocair_sim.classroom.app import Pacer, Twin, build_twin, describe_events
from cocair_sim.classroom.exercise import Exercise
from cocair_sim.classroom.frames import (
    ChartFrame,
    MapFrame,
    courier_positions,
    events_of_day,
    nice_ceiling,
)
from cocair_sim.intel.relay.hub import HubRelay
from tests.helpers import CLASSROOM


def pixels(data: bytes) -> np.ndarray:
    """An encoded picture's pixels."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def canvas_pixels(frame: MapFrame | ChartFrame) -> np.ndarray:
    """What the frame's canvas holds now (before any lossy encoding)."""
    return np.array(frame.canvas.buffer_rgba(), copy=True)


def drawn_in_full(frame: MapFrame | ChartFrame) -> np.ndarray:
    """The frame's figure drawn completely, moving parts included."""
    artists = frame.moving if isinstance(frame, MapFrame) else tuple(frame.lines.values())
    for artist in artists:
        artist.set_animated(False)
    try:
        frame.canvas.draw()
        return canvas_pixels(frame)
    finally:
        for artist in artists:
            artist.set_animated(True)


@pytest.fixture
def twin() -> Twin:
    twin = build_twin(str(CLASSROOM), seed_text="1")
    assert not twin.error
    return twin


def test_map_frames_equal_a_complete_drawing_every_day(twin: Twin) -> None:
    relay = twin.models["relay"]
    frame = MapFrame(relay, "With relay (hub)")
    assert pixels(frame.render(relay)).shape == (368, 480, 3)  # day 0: nothing under way yet
    seen_alert_day = False
    previous = canvas_pixels(frame)
    for _ in range(14):  # into the operation week, where seizures and relayed alerts appear
        twin.step()
        frame.draw(relay)
        shown = canvas_pixels(frame)
        np.testing.assert_array_equal(shown, drawn_in_full(frame))
        assert not np.array_equal(shown, previous)  # couriers moved
        previous = shown
        today = events_of_day(relay, relay.steps - 1)
        if any(e.event == "alert_delivered" and e.channel == "hub" for e in today):
            seen_alert_day = True
            assert len(frame.alerts.get_segments()) >= 1
    assert seen_alert_day, "no hub alert in the first 14 days: the test lost its subject"


def test_map_frame_draws_couriers_seizures_and_alerts_of_the_day() -> None:
    twin = build_twin(str(CLASSROOM), seed_text="1")
    relay = twin.models["relay"]
    frame = MapFrame(relay, "With relay (hub)")
    busy_days = 0
    for _ in range(14):
        twin.step()
        frame.draw(relay)
        positions = courier_positions(relay)
        for artist, in_flight in ((frame.flying, True), (frame.ground, False)):
            expected = [(x, y) for x, y, f in positions if f == in_flight]
            offsets = np.asarray(artist.get_offsets()).reshape(-1, 2)
            np.testing.assert_allclose(offsets, np.asarray(expected or [(np.nan, np.nan)]))
        today = events_of_day(relay, relay.steps - 1)
        seizures = [relay.network.airports[e.airport] for e in today if e.event == "seizure"]
        stars = np.asarray(frame.stars.get_offsets()).reshape(-1, 2)
        assert [tuple(p) for p in stars if np.isfinite(p[0])] == [(a.lon, a.lat) for a in seizures]
        alerts = [e for e in today if e.event == "alert_delivered"]
        segments = frame.alerts.get_segments()
        assert len(segments) == len(alerts)
        for ev, segment in zip(alerts, segments, strict=True):
            to = relay.network.airports[ev.airport]
            assert tuple(segment[-1]) == (to.lon, to.lat)
            assert len(segment) == (3 if ev.channel == "hub" else 2)  # hub alerts go via Dakar
        busy_days += bool(seizures) and bool(alerts)
    assert busy_days >= 2


def test_the_exercise_map_draws_hub_alerts_through_the_hub(classroom) -> None:
    """In the exercise (the `human` mode) the hub's alerts, from a team's choice or from a
    country that follows the hub, are drawn through the hub as on the classroom page."""
    ex = Exercise(classroom, seed=3)
    brazil = ex.join("Brazil")
    frame = MapFrame(ex.model, "The world")
    hub = ex.model.hub.airport
    through_hub = 0
    while not ex.finished:
        ex.step_day()
        for d in ex.country_view(brazil, brazil.countries[0])["reports"]:
            if d["choice"] is None:
                ex.decide_report(brazil, d["id"], "hub")
        frame.draw(ex.model)
        today = events_of_day(ex.model, ex.model.steps - 1)
        alerts = [e for e in today if e.event == "alert_delivered"]
        segments = frame.alerts.get_segments()
        assert len(segments) == len(alerts)
        for e, segment in zip(alerts, segments, strict=True):
            if e.channel == HubRelay.name:
                assert len(segment) == 3 and tuple(segment[1]) == (hub.lon, hub.lat)
                through_hub += 1
            else:
                assert len(segment) == 2
    assert through_hub, "no hub alert in the exercise: the test lost its subject"


def test_events_of_day_are_the_days_rows_of_the_log() -> None:
    twin = build_twin(str(CLASSROOM), seed_text="1")
    relay = twin.models["relay"]
    while twin.step():
        day = relay.steps - 1
        assert events_of_day(relay, day) == [e for e in relay.events if e.day == day]
        assert events_of_day(relay, day - 1) == [e for e in relay.events if e.day == day - 1]
    assert sum(len(events_of_day(relay, d)) for d in range(relay.steps)) == len(relay.events)


def test_chart_frames_equal_a_complete_drawing_and_the_axes_grow_with_the_totals() -> None:
    twin = build_twin(str(CLASSROOM), seed_text="1")
    frame = ChartFrame(twin.models)
    tops, redrawn = [], 0
    while twin.step():
        still = frame.still
        frame.draw(twin.models)
        shown = canvas_pixels(frame)
        redrawn += frame.still is not still
        np.testing.assert_array_equal(shown, drawn_in_full(frame))
        highest = max(
            max(m.datacollector.model_vars[c])
            for m in twin.models.values()
            for c in ("kg_seized", "kg_delivered")
        )
        assert highest < frame.top <= 2.0 * max(highest * 1.5, 1.0)
        tops.append(frame.top)
    assert tops == sorted(tops) and len(set(tops)) > 1  # it grew, and never shrank
    assert redrawn == len(set(tops)) < len(tops) / 2  # most days only the lines were drawn
    x, y = frame.lines[("relay", "kg_seized")].get_data()
    assert list(x) == list(range(1, twin.models["relay"].steps + 1))
    assert list(y) == twin.models["relay"].datacollector.model_vars["kg_seized"]


def test_twin_pictures_follow_twin_mode(twin: Twin) -> None:
    for _ in range(10):
        twin.step()
    chart, diff, feed = twin.chart_image(True)
    assert feed == describe_events(twin.models["relay"], 15) and feed
    single, _, _ = twin.chart_image(False)
    assert pixels(chart).shape == pixels(single).shape == (224, 560, 3)
    assert not np.array_equal(pixels(chart), pixels(single))  # the dashed world is left out
    relay, none = twin.models["relay"], twin.models["none"]
    assert diff == pytest.approx(relay.value("kg_seized") - none.value("kg_seized"))
    image, status = twin.map_image("none", "Without relay (none)")
    assert status.startswith(f"Day {none.steps} ")
    assert pixels(image).shape == (368, 480, 3)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


@pytest.mark.parametrize(
    ("work", "speed", "gap"), [(0.03, 10, 0.1), (0.25, 10, 0.25), (0.1, 2, 0.5)]
)
def test_play_is_paced_by_the_clock(work: float, speed: int, gap: float) -> None:
    """Days start one interval apart when a day's work fits in it (the work counts toward the
    interval), and right after each other when it does not (no burst to catch up)."""
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(6):
        pacer.wait(speed)
        starts.append(clock.now)
        clock.now += work  # simulate and draw the day
    assert np.diff(starts) == pytest.approx([gap] * 5)


@pytest.mark.parametrize(
    ("value", "top"),
    [(0.0, 1.0), (0.5, 1.0), (1.0, 2.0), (4.9, 5.0), (5.0, 10.0), (120.0, 200.0), (2400.0, 2500.0)],
)
def test_nice_ceiling_is_the_next_round_number_above(value: float, top: float) -> None:
    assert nice_ceiling(value) == top
