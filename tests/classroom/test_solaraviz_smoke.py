"""Headless-Chromium smoke test of a plain Mesa SolaraViz page served by ``solara run``, offline
(the assets a SolaraViz page asks for must all be in the venv's cache). Leaves a screenshot in
tests/artifacts/.
"""

from __future__ import annotations

import re

import pytest

from tests.browser import artifacts_dir

pytestmark = pytest.mark.browser

STEPS_TEXT = re.compile(r"Steps done: (\d+)")


def steps_shown(page) -> int:
    text = page.get_by_text(STEPS_TEXT).inner_text()
    match = STEPS_TEXT.search(text)
    assert match, text
    return int(match.group(1))


def test_solaraviz_page_renders_and_steps_offline(solara_app_server, local_page) -> None:
    from playwright.sync_api import expect

    solara_server = solara_app_server
    shot = artifacts_dir() / "browser_smoke.png"
    page, log = local_page()
    try:
        page.goto(solara_server.url, wait_until="domcontentloaded")
        step = page.get_by_role("button", name="Step")
        expect(step).to_be_visible(timeout=60_000)
        # The custom text component and SolaraViz's own "Information" card.
        expect(page.get_by_text(STEPS_TEXT)).to_have_text(
            re.compile(r"Steps done: 0\b"), timeout=30_000
        )
        expect(page.get_by_text("Time: 0.0")).to_be_visible()
        expect(page.get_by_text("Number of agents")).to_be_visible()  # the slider
        # The Gini chart: a matplotlib figure sent as an ipywidgets Image (blob: URL).
        chart = page.locator("img.widget-image").first
        expect(chart).to_be_visible(timeout=30_000)

        step.click()
        expect(page.get_by_text(STEPS_TEXT)).to_have_text(
            re.compile(r"Steps done: 1\b"), timeout=30_000
        )
        expect(page.get_by_text("Time: 1.0")).to_be_visible()
        step.click()
        step.click()
        expect(page.get_by_text(STEPS_TEXT)).to_have_text(
            re.compile(r"Steps done: 3\b"), timeout=30_000
        )
        assert steps_shown(page) == 3
        assert page.evaluate(
            "img => img.complete && img.naturalWidth > 100", chart.element_handle()
        )
        page.wait_for_timeout(500)  # let late font / chunk requests settle
    finally:
        page.screenshot(path=str(shot), full_page=True)

    server_output = solara_server.output()
    cdn = log.cdn_requests()
    # The page really went through Solara's CDN proxy, and every request was served locally.
    assert any("requirejs@2.3.6/require.js" in u for u in cdn), cdn
    assert any("solara-vuetify-app" in u for u in cdn), cdn
    assert not log.problems(), "\n".join(log.problems())
    assert "Could not load URL" not in server_output, server_output  # a CDN-cache miss
    assert "Traceback" not in server_output, server_output
    assert shot.stat().st_size > 10_000
    print(
        f"\nsolara server up in {solara_server.startup_seconds:.1f} s; "
        f"{len(cdn)} CDN-proxy requests, all served from the cache; screenshot {shot}"
    )
