"""Headless-Chromium test of the classroom page (cocair_sim/app.py), served offline by Solara.

Needs /usr/bin/chromium (``scripts/ensure_browser.sh``; skipped without it) and Solara's
CDN-proxy cache (filled by ``scripts/solara_assets.sh``). Leaves tests/artifacts/viz.png and
refreshes docs/img/classroom.png (the README screenshot) when COCAIR_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import re
import shutil
import sys

import pytest

try:
    from tests.browser_support import (
        REPO_ROOT,
        SolaraServer,
        artifacts_dir,
        chromium_available,
        ensure_solara_assets,
        launch_chromium,
        new_local_page,
    )
except ModuleNotFoundError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from browser_support import (
        REPO_ROOT,
        SolaraServer,
        artifacts_dir,
        chromium_available,
        ensure_solara_assets,
        launch_chromium,
        new_local_page,
    )

pytestmark = pytest.mark.browser

SCENARIO = REPO_ROOT / "scenarios" / "classroom.yaml"
STATUS = re.compile(r"^Day (\d+) \(")
DIFF = re.compile(r"^Relay has seized [+-]\d")


@pytest.fixture(scope="module")
def viz_server():
    if not chromium_available():
        pytest.skip("no /usr/bin/chromium or playwright: run scripts/ensure_browser.sh")
    ensure_solara_assets(sys.executable)
    with SolaraServer("cocair_sim.app", env={"COCAIR_VIZ_SCENARIO": str(SCENARIO)}) as server:
        yield server


def test_classroom_page_twin_step_reset_single(viz_server: SolaraServer) -> None:
    from playwright.sync_api import expect, sync_playwright

    shot = artifacts_dir() / "viz.png"
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page, log = new_local_page(browser, viewport={"width": 1500, "height": 1000})
            page.goto(viz_server.url, wait_until="domcontentloaded")
            relay_title = page.get_by_text("With relay (hub)", exact=True)
            none_title = page.get_by_text("Without relay (none)", exact=True)
            expect(relay_title).to_be_visible(timeout=60_000)
            expect(none_title).to_be_visible()
            status = page.get_by_text(STATUS)
            expect(status).to_have_count(2, timeout=30_000)
            expect(status.first).to_have_text(re.compile(r"^Day 0 \(not started\)"))
            expect(page.get_by_text(DIFF)).to_have_text("Relay has seized +0.0 kg so far")

            # One day: both panels move from Day 0 to Day 1 together.
            page.get_by_role("button", name="Step").click()
            expect(status.first).to_have_text(re.compile(r"^Day 1 \(baseline\)"), timeout=30_000)
            expect(status.nth(1)).to_have_text(re.compile(r"^Day 1 \(baseline\)"))
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
            expect(page.get_by_text("With relay (bilateral)", exact=True)).to_be_visible(
                timeout=30_000
            )
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
        finally:
            browser.close()

    server_output = viz_server.output()
    assert not log.problems(), "\n".join(log.problems())
    assert "Could not load URL" not in server_output, server_output
    assert "Traceback" not in server_output, server_output
    assert shot.stat().st_size > 10_000
    if os.environ.get("COCAIR_UPDATE_SCREENSHOTS"):  # refresh the README's picture on purpose
        shutil.copyfile(shot, REPO_ROOT / "docs" / "img" / "classroom.png")


def test_default_scenario_plays_and_obeys_pause(tmp_path) -> None:
    """On the full COCAIR III network, playing advances the days, the page keeps answering,
    and Pause stops it (the play loop must not starve the page)."""
    from playwright.sync_api import expect, sync_playwright

    if not chromium_available():
        pytest.skip("no /usr/bin/chromium or playwright: run scripts/ensure_browser.sh")
    ensure_solara_assets(sys.executable)
    cocair3 = REPO_ROOT / "scenarios" / "cocair3.yaml"
    with (
        SolaraServer("cocair_sim.app", env={"COCAIR_VIZ_SCENARIO": str(cocair3)}) as server,
        sync_playwright() as p,
    ):
        browser = launch_chromium(p)
        try:
            page, log = new_local_page(browser, viewport={"width": 1500, "height": 1000})
            page.goto(server.url, wait_until="domcontentloaded")
            status = page.get_by_text(STATUS)
            expect(status).to_have_count(2, timeout=60_000)
            page.get_by_role("button", name="Play").click()
            expect(status.first).to_have_text(re.compile(r"^Day ([3-9]|\d\d) \("), timeout=60_000)
            page.get_by_role("button", name="Pause").click()
            expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1500)  # a step under way when paused may still land
            day = status.first.inner_text()
            page.wait_for_timeout(2500)
            assert status.first.inner_text() == day  # paused means paused
            assert status.nth(1).inner_text().split(" —")[0] == day.split(" —")[0]  # twins agree
        finally:
            browser.close()
        output = server.output()
    assert not log.problems(), "\n".join(log.problems())
    assert "Traceback" not in output, output
