"""The classroom exercise in headless Chromium, served by `cocair exercise` with the network cut:
a trainer and two teams, each in its own browser context, play the operation's first days.

Seed 3 of the classroom scenario: on the operation's first day Brazil holds seizure reports,
and when Brazil sends them to the hub, Senegal receives the hub's alerts the next day (the other
countries follow the hub too, but Brazil's reports reach the hub only if Brazil sends them).
Leaves tests/artifacts/exercise_trainer.png, and refreshes docs/img/exercise_debrief.png (the
picture in docs/classroom.md) when COCAIR_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from cocair_sim.classroom.browser import ExerciseServer
from cocair_sim.classroom.exercise import DEBRIEF_METRICS
from cocair_sim.intel.relay import automatic_mode_names
from tests.browser import artifacts_dir
from tests.helpers import CLASSROOM, ROOT, cocair

pytestmark = pytest.mark.browser

SEED = 3
DAY = re.compile(r"^Day (\d+) of 21")


@pytest.fixture(scope="module")
def exercise_server():
    args = ("--seed", str(SEED), "--seconds-per-day", "600")
    with ExerciseServer(CLASSROOM, *args) as server:
        yield server


def day_is(n: int) -> re.Pattern:
    return re.compile(rf"^Day {n} of 21")


def _day(page) -> int:
    return int(DAY.match(page.locator(".clock").inner_text()).group(1))


def _step(trainer, expect) -> None:
    before = _day(trainer)
    trainer.get_by_role("button", name="Step a day").click()
    expect(trainer.locator(".clock")).to_have_text(day_is(before + 1), timeout=30_000)


def test_two_teams_and_a_trainer_play_the_operation(exercise_server, local_page) -> None:
    from playwright.sync_api import expect

    # The trainer's page needs the key printed by the command.
    stranger, _ = local_page()
    stranger.goto(exercise_server.url + "trainer", wait_until="domcontentloaded")
    expect(stranger.get_by_text("needs the trainer's link")).to_be_visible(timeout=60_000)
    expect(stranger.get_by_role("button", name="Step a day")).to_have_count(0)

    # Two teams take two countries; a taken country is no longer offered.
    brazil, brazil_log = local_page()
    brazil.goto(exercise_server.url, wait_until="domcontentloaded")
    brazil.get_by_role("button", name="Brazil").click()
    expect(brazil.get_by_text("Brazil: your contact points")).to_be_visible(timeout=60_000)
    expect(brazil).to_have_url(re.compile(r"\?team=[\w-]+$"))
    brazil_link = brazil.url
    senegal, senegal_log = local_page()
    senegal.goto(exercise_server.url, wait_until="domcontentloaded")
    expect(senegal.get_by_role("button", name="Senegal")).to_be_visible(timeout=60_000)
    expect(senegal.get_by_role("button", name="Brazil")).to_have_count(0)
    senegal.get_by_role("button", name="Senegal").click()
    expect(senegal.get_by_text("Senegal: your contact points")).to_be_visible(timeout=30_000)

    trainer, trainer_log = local_page()
    trainer.goto(exercise_server.trainer_url(), wait_until="domcontentloaded")
    expect(trainer.locator(".clock")).to_have_text(day_is(0), timeout=60_000)
    expect(trainer.locator(".world-map img")).to_have_count(1)  # the trainer sees the world
    expect(
        trainer.locator(".teams").get_by_role("row", name=re.compile("^Brazil a team"))
    ).to_be_visible()
    expect(
        trainer.locator(".teams").get_by_role("row", name=re.compile("^Mali hub"))
    ).to_be_visible()

    # The baseline week: reports stay national by default (the relay works in the operation).
    for _ in range(7):
        _step(trainer, expect)
    # The operation's first day: Brazil holds reports and sends them to the hub.
    _step(trainer, expect)
    expect(brazil.locator(".clock")).to_have_text(day_is(8), timeout=30_000)
    hub_buttons = brazil.locator(".report-hub")
    expect(hub_buttons.first).to_be_visible(timeout=30_000)
    sent = hub_buttons.count()
    assert sent >= 1
    for _ in range(sent):
        hub_buttons.first.click()
        expect(hub_buttons).to_have_count(sent - 1, timeout=30_000)
        sent -= 1
    expect(
        trainer.locator(".teams").get_by_role("row", name=re.compile("^Brazil a team 0 "))
    ).to_be_visible(timeout=30_000)

    # The next day the hub's alerts from Brazil's seizures are on Senegal's board.
    _step(trainer, expect)
    from_brazil = senegal.locator(".alert").filter(
        has_text=re.compile(r"\(customs, hub, from a seizure at (GRU|FOR)\)")
    )
    expect(from_brazil.first).to_be_visible(timeout=30_000)
    targets = senegal.locator(".alert-target")
    open_alerts = targets.count()
    targets.first.click()
    expect(targets).to_have_count(open_alerts - 1, timeout=30_000)
    expect(senegal.get_by_text("targeted").first).to_be_visible()

    # Each team sees its own country only.
    senegal_text = senegal.locator("body").inner_text()
    brazil_text = brazil.locator("body").inner_text()
    assert "DKR:" in senegal_text and "GRU:" not in senegal_text and "FOR:" not in senegal_text
    assert "GRU:" in brazil_text and "DKR:" not in brazil_text
    assert "Brazil" not in senegal_text and "Senegal" not in brazil_text
    assert brazil_link.split("team=")[1] not in senegal_text

    # A team that closes its browser comes back to its country with its link.
    brazil.context.close()
    back, back_log = local_page()
    back.goto(brazil_link, wait_until="domcontentloaded")
    expect(back.get_by_text("Brazil: your contact points")).to_be_visible(timeout=60_000)
    expect(back.locator(".clock")).to_have_text(day_is(9))

    # The third day played, then the clock runs the world to its end.
    _step(trainer, expect)
    for _ in range(21 - 10):
        _step(trainer, expect)
    expect(trainer.locator(".clock")).to_have_text(re.compile(r"\(finished\)"))
    results = trainer.locator(".debrief-results")
    expect(results).to_be_visible(timeout=60_000)
    shot = artifacts_dir() / "exercise_trainer.png"
    trainer.wait_for_timeout(500)
    trainer.screenshot(path=str(shot), full_page=True)

    # The debrief's automatic modes are `cocair run` with the same seed and mode.
    rows = {
        cells[0]: cells[1:]
        for row in results.get_by_role("row").all()[1:]
        if (cells := [c.inner_text().strip() for c in row.get_by_role("cell").all()])
    }
    assert list(rows) == ["the class", *(f"automatic: {m}" for m in automatic_mode_names())]
    for mode in automatic_mode_names():
        out = artifacts_dir() / f"exercise_run_{mode}"
        done = cocair(
            "run", CLASSROOM, "--seed", SEED, "--relay", mode, "--out", out, "--force",
            "--no-figures",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        operation = json.loads((out / "summary.json").read_text())["operation"]
        shown = [float(v) for v in rows[f"automatic: {mode}"]]
        expected = [operation[key] for key, _ in DEBRIEF_METRICS]
        assert shown == pytest.approx(expected, abs=0.051), mode
    expect(trainer.locator(".team-outcome")).to_have_count(2)
    expect(trainer.locator(".team-outcome").filter(has_text="Brazil")).to_contain_text(
        "sent abroad"
    )

    # Each team's debrief: the class's numbers and its own decisions, not the other team's.
    expect(senegal.locator(".debrief-results")).to_be_visible(timeout=60_000)
    expect(senegal.locator(".team-outcome")).to_have_count(1)
    expect(senegal.locator(".team-outcome")).to_contain_text("Senegal")

    # The printable summary, and the histogram of 100 paired draws with this world marked.
    summary_url = exercise_server.trainer_url().replace("/trainer?", "/summary?")
    printable, printable_log = local_page()
    printable.goto(summary_url, wait_until="domcontentloaded")
    expect(printable.locator(".debrief-results")).to_be_visible(timeout=60_000)
    expect(printable.locator("img")).to_have_count(1, timeout=60_000)
    expect(printable.get_by_role("button")).to_have_count(0)

    for log in (brazil_log, senegal_log, trainer_log, back_log, printable_log):
        assert not log.problems(), log.problems()
    if os.environ.get("COCAIR_UPDATE_SCREENSHOTS"):  # refresh the docs' picture on purpose
        shutil.copyfile(shot, ROOT / "docs" / "img" / "exercise_debrief.png")
