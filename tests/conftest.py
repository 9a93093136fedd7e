"""Shared fixtures: scenarios, files written on the fly, and the headless browser."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cocair_sim.classroom.browser import (
    CHROMIUM,
    SolaraServer,
    VizServer,
    chromium_available,
    launch_chromium,
    new_local_page,
)
from tests.helpers import CLASSROOM, COCAIR3


@pytest.fixture(scope="session")
def classroom_path() -> Path:
    return CLASSROOM


@pytest.fixture(scope="session")
def cocair3_path() -> Path:
    return COCAIR3


@pytest.fixture(scope="session")
def classroom(classroom_path):
    from cocair_sim.scenario import load_scenario

    return load_scenario(classroom_path)


@pytest.fixture(scope="session")
def cocair3(cocair3_path):
    from cocair_sim.scenario import load_scenario

    return load_scenario(cocair3_path)


@pytest.fixture
def classroom_raw(classroom_path) -> dict:
    return yaml.safe_load(classroom_path.read_text())


@pytest.fixture
def write_yaml(tmp_path):
    """Write a mapping (or raw text) to a YAML file and return its path."""

    def _write(content, name="scenario.yaml") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text)
        return path

    return _write


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (installed by scripts/test.sh)."""
    if not chromium_available():
        pytest.fail(f"no {CHROMIUM} or no playwright: scripts/test.sh installs them")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def local_page(browser):
    """A page that refuses every request not to this machine, and its log of what went wrong:
    `page, log = local_page()`."""
    contexts = []

    def open_page(**context_kwargs):
        page, log = new_local_page(browser, **context_kwargs)
        contexts.append(page.context)
        return page, log

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def classroom_server():
    """`cocair viz` on the classroom scenario, with the network cut (see `VizServer`)."""
    with VizServer(CLASSROOM) as server:
        yield server


@pytest.fixture
def start_viz():
    """Start `cocair viz SCENARIO` for one test: `server = start_viz(path)`."""
    servers = []

    def start(scenario) -> VizServer:
        server = VizServer(scenario).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture(scope="module")
def solara_app_server():
    """A plain Mesa SolaraViz page (tests/fixtures/solara_smoke_app.py) served by Solara."""
    with SolaraServer(Path(__file__).parent / "fixtures" / "solara_smoke_app.py") as server:
        yield server
