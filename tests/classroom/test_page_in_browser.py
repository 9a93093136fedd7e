"""The classroom page in headless Chromium, served by `cocair viz` with the network cut: the
page must work with what the setup put on this machine (its web assets in the venv), as on a
classroom computer without internet. Leaves tests/artifacts/viz.png, and refreshes
docs/img/classroom.png (the README's picture) when COCAIR_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml

from tests.browser import artifacts_dir
from tests.helpers import COCAIR3, ROOT

pytestmark = pytest.mark.browser

STATUS = re.compile(r"^Day (\d+) \(")
DIFF = re.compile(r"^Relay has seized [+-]\d")


def test_assets_for_the_page_are_on_this_machine() -> None:
    # What the setup of the main command prepared; `cocair viz` must not need the network.
    from cocair_sim.classroom import assets

    assert assets.is_ready(), f"missing: {assets.missing()}"


def test_classroom_page_twin_step_reset_single(classroom_server, local_page) -> None:
    from playwright.sync_api import expect

    shot = artifacts_dir() / "viz.png"

    page, log = local_page(viewport={"width": 1500, "height": 1000})
    page.goto(classroom_server.url, wait_until="domcontentloaded")
    relay_title = page.get_by_text("With relay (hub)", exact=True)
    none_title = page.get_by_text("Without relay (none)", exact=True)
    expect(relay_title).to_be_visible(timeout=60_000)
    expect(none_title).to_be_visible()
    status = page.get_by_text(STATUS)
    expect(status).to_have_count(2, timeout=30_000)
    expect(status.first).to_have_text(re.compile(r"^Day 0 \(not started\)"))
    expect(page.get_by_text(DIFF)).to_have_text("Relay has seized +0.0 kg so far")
    # The controls start from the scenario's own values: the classroom's hub latency is 12 h.
    expect(page.get_by_text("Hub latency: 12 hours", exact=True)).to_be_visible()

    # One day: both panels move from Day 0 to Day 1 together.
    page.get_by_role("button", name="Step").click()
    expect(status.first).to_have_text(re.compile(r"^Day 1 \(baseline\)"), timeout=30_000)
    expect(status.nth(1)).to_have_text(re.compile(r"^Day 1 \(baseline\)"))
    # One world is one draw: the page shows where it sits among 100 paired draws, once run.
    among = page.locator(".among-many")
    expect(among.get_by_text("This world among 100 paired draws")).to_be_visible()
    expect(among.get_by_text("Running:", exact=False)).to_have_count(0, timeout=60_000)
    expect(among.locator("img")).to_have_count(1)
    for _ in range(12):  # deep into the operation week, where seizures and alerts appear
        page.get_by_role("button", name="Step").click()
        page.wait_for_timeout(150)
    expect(status.first).to_have_text(re.compile(r"^Day 13 \(operation\)"), timeout=30_000)
    after_10 = status.first.inner_text()
    assert "seized 0.0 kg" not in after_10, after_10
    expect(page.get_by_text(re.compile(r"customs at \w{3} \(")).first).to_be_visible()
    page.wait_for_timeout(500)
    page.screenshot(path=str(shot), full_page=True)

    # Another relay mode, applied on Reset: the title changes and the day goes back to 0.
    page.locator(".v-select").filter(has_text="Relay mode").click()
    page.get_by_role("option", name="bilateral").click()
    page.get_by_role("button", name="Reset").click()
    expect(page.get_by_text("With relay (bilateral)", exact=True)).to_be_visible(timeout=30_000)
    expect(status.first).to_have_text(re.compile(r"^Day 0 \(not started\)"))
    expect(relay_title).to_have_count(0)

    # Single mode: one panel.
    page.get_by_text("Twin mode", exact=False).click()
    expect(none_title).to_have_count(0, timeout=30_000)
    expect(status).to_have_count(1)
    page.get_by_role("button", name="Step").click()
    expect(status.first).to_have_text(re.compile(r"^Day 1 \("), timeout=30_000)
    # Play runs on by itself until paused.
    page.get_by_role("button", name="Play").click()
    expect(status.first).to_have_text(re.compile(r"^Day [3-9]\d* \("), timeout=30_000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)  # let late font / chunk requests settle

    server_output = classroom_server.output()
    assert not log.problems(), "\n".join(log.problems())
    assert "Could not load URL" not in server_output, server_output
    assert "Traceback" not in server_output, server_output
    assert shot.stat().st_size > 10_000
    if os.environ.get("COCAIR_UPDATE_SCREENSHOTS"):  # refresh the README's picture on purpose
        shutil.copyfile(shot, ROOT / "docs" / "img" / "classroom.png")


def test_default_scenario_plays_and_obeys_pause(start_viz, local_page) -> None:
    """On the full COCAIR III network, playing advances the days, the page keeps answering,
    and Pause stops it (the play loop must not starve the page)."""
    from playwright.sync_api import expect

    server = start_viz(COCAIR3)
    page, log = local_page(viewport={"width": 1500, "height": 1000})
    page.goto(server.url, wait_until="domcontentloaded")
    status = page.get_by_text(STATUS)
    expect(status).to_have_count(2, timeout=60_000)
    capacity = yaml.safe_load(COCAIR3.read_text())["customs_defaults"]["capacity_per_day"]
    for calibrated in (  # cocair3's own values, not the classroom's
        f"Screening capacity: {capacity} controls/day",
        "Trained share of units: 90%",
        "Countries connected to the hub: 13 of 13",
    ):
        expect(page.get_by_text(calibrated, exact=True)).to_be_visible()
    page.get_by_role("button", name="Play").click()
    expect(status.first).to_have_text(re.compile(r"^Day ([3-9]|\d\d) \("), timeout=60_000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # a step under way when paused may still land
    day = status.first.inner_text()
    page.wait_for_timeout(2500)
    assert status.first.inner_text() == day  # paused means paused
    assert status.nth(1).inner_text().split(" —")[0] == day.split(" —")[0]  # twins agree
    output = server.output()
    assert not log.problems(), "\n".join(log.problems())
    assert "Traceback" not in output, output
