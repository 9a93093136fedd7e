"""The classroom exercise in headless Chromium, served by `cocair exercise` with the network cut:
a trainer and teams, each in its own browser, play the operation; hostile addresses; a crash of
the command mid-class, then `--resume`.

Seed 3 of the classroom scenario: in the operation's first days Brazil holds seizure reports,
and when Brazil sends them to the hub, the hub's alerts reach Senegal. Leaves
tests/artifacts/exercise_trainer.png, and refreshes docs/img/exercise_debrief.png (the picture
in docs/classroom.md) when COCAIR_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import time
import urllib.parse

import pytest

from cocair_sim.classroom.browser import ExerciseServer
from tests.browser import artifacts_dir
from tests.helpers import CLASSROOM, ROOT

pytestmark = pytest.mark.browser

SEED = 3
CLOCK = re.compile(r"^Day (\d+) of 21, (\d\d):(\d\d) \((baseline|operation|after the operation)")


@pytest.fixture(scope="module")
def exercise_server():
    with ExerciseServer(CLASSROOM, "--seed", str(SEED), "--seconds-per-day", "600") as server:
        yield server


def _day(page) -> int:
    return int(CLOCK.match(page.locator(".clock").first.inner_text()).group(1))


def _step(trainer, expect) -> None:
    before = _day(trainer)
    trainer.get_by_role("button", name="Step a day").click()
    expect(trainer.locator(".clock")).to_have_text(
        re.compile(rf"^Day {before + 1} of 21, 00:00"), timeout=30_000
    )


def _settled(page, rows, title: re.Pattern) -> int:
    """The number of open items a card counts, once its rows agree with it. A day's new rows
    arrive one widget at a time, and those decided by default leave the same way: the page is
    settled when the card's count and its rows agree twice, half a second apart."""
    last, agreed = None, 0
    for _ in range(120):
        heading = page.get_by_text(title)
        if heading.count() == 1:
            now = (int(title.search(heading.inner_text()).group(1)), rows.count())
            agreed = agreed + 1 if now == last and now[0] == now[1] else 0
            if agreed == 2:
                return now[0]
            last = now
        page.wait_for_timeout(500)
    raise AssertionError(f"a card's count and its rows never agreed: {last}")


def _row(rows, word: str, number: str):
    """The row of item `number` (its text starts with `word` and the number)."""
    return rows.filter(has_text=re.compile(rf"^{word} {number} "))


def test_teams_and_a_trainer_play_the_operation(exercise_server, local_page) -> None:
    from playwright.sync_api import expect

    # The trainer's pages need the key printed by the command.
    stranger, _ = local_page()
    stranger.goto(exercise_server.url + "trainer", wait_until="domcontentloaded")
    expect(stranger.get_by_text("needs the trainer's link")).to_be_visible(timeout=60_000)
    expect(stranger.get_by_role("button", name="Step a day")).to_have_count(0)

    # A team takes Brazil; the same browser cannot take another country by itself.
    brazil, _ = local_page()
    brazil.goto(exercise_server.url, wait_until="domcontentloaded")
    brazil.get_by_role("button", name="Brazil").click()
    expect(brazil.get_by_text("Brazil: your contact points")).to_be_visible(timeout=60_000)
    expect(brazil).to_have_url(re.compile(r"\?team=[\w-]+&lang=en$"))
    brazil_link = brazil.url
    again = brazil.context.new_page()
    again.goto(exercise_server.url, wait_until="domcontentloaded")
    expect(again.get_by_text("This browser already plays a country.")).to_be_visible(timeout=60_000)
    again.close()

    # Another team sees Brazil taken, where it was (a click joins the country it lands on).
    senegal, _ = local_page()
    senegal.goto(exercise_server.url + "?lang=fr", wait_until="domcontentloaded")
    expect(senegal.get_by_text("Choisissez votre pays")).to_be_visible(timeout=60_000)
    expect(senegal.get_by_role("button", name="Brazil")).to_be_disabled()
    senegal.get_by_role("button", name="Senegal").click()
    expect(senegal.get_by_text("Senegal : vos points de contact")).to_be_visible(timeout=30_000)
    expect(senegal.locator(".clock")).to_have_text(
        re.compile(r"^Jour 1 sur 21, 00:00 \(période de référence"), timeout=30_000
    )

    trainer, _ = local_page()
    trainer.goto(exercise_server.trainer_url(), wait_until="domcontentloaded")
    expect(trainer.locator(".clock")).to_have_text(CLOCK, timeout=60_000)
    expect(trainer.locator(".world-map img")).to_have_count(1)
    teams = trainer.locator(".teams")
    expect(teams.get_by_role("row", name=re.compile(r"^Brazil team 1 "))).to_be_visible()
    expect(teams.get_by_role("row", name=re.compile(r"^Mali the coordination hub"))).to_be_visible()
    assert brazil_link.split("team=")[1].split("&")[0] not in trainer.locator("body").inner_text()

    # Through the baseline week into the operation: every page names the phase.
    for _ in range(8):
        _step(trainer, expect)
    expect(brazil.locator(".clock")).to_have_text(re.compile(r"\(operation, paused\)"))
    hub_buttons = brazil.locator(".report-hub")
    for _ in range(3):
        if hub_buttons.count():
            break
        _step(trainer, expect)
    expect(hub_buttons.first).to_be_visible(timeout=30_000)
    reports = brazil.locator(".report")
    report = reports.first.inner_text()
    assert re.search(r"\d+\.\d kg (swallowed|in luggage|in cargo) at (GRU|FOR)", report), report
    # Send each report by its number, once the page shows them all, until none is left.
    for _ in range(20):
        if not _settled(brazil, reports, re.compile(r"^Seizure reports to pass on \((\d+)\)")):
            break
        number = re.match(r"Report (\d+) ", reports.first.inner_text()).group(1)
        _row(reports, "Report", number).locator(".report-hub").click()
        expect(brazil.locator(".decided-reports")).to_contain_text(
            re.compile(rf"Report {number} \(.*sent to the hub"), timeout=30_000
        )
    expect(hub_buttons).to_have_count(0)
    # Its text is HTML made on the server: no part of a page is a template its browser compiles
    # (solara.Markdown's), which stalled pages while every country's part changed at once.
    expect(brazil.locator(".prose").first).to_be_visible()
    expect(brazil.locator(".solara-markdown")).to_have_count(0)

    # The hub's alerts from Brazil's seizures reach Senegal, in French.
    for _ in range(3):
        _step(trainer, expect)
        if senegal.locator(".alert-target").count():
            break
    targets = senegal.locator(".alert-target")
    expect(targets.first).to_be_visible(timeout=30_000)
    alerts = senegal.locator(".alert")
    open_alerts = _settled(senegal, alerts, re.compile(r"^Alertes reçues \((\d+) à décider\)"))
    expect(targets.first).to_have_text(re.compile("Cibler", re.IGNORECASE))
    assert "par le hub" in alerts.first.inner_text()
    number = re.match(r"Alerte (\d+) ", alerts.first.inner_text()).group(1)
    _row(alerts, "Alerte", number).locator(".alert-target").click()
    expect(_row(alerts, "Alerte", number)).to_have_count(0, timeout=30_000)
    expect(alerts).to_have_count(open_alerts - 1)
    expect(senegal.locator(".decided-alerts")).to_contain_text(f"Alerte {number} ")

    # Each team sees its own country only.
    senegal_text = senegal.locator("body").inner_text()
    brazil_text = brazil.locator("body").inner_text()
    assert "DKR" in senegal_text and "GRU:" not in senegal_text and "Brazil" not in senegal_text
    assert "GRU:" in brazil_text and "DKR:" not in brazil_text and "Senegal" not in brazil_text

    # A team that closes its browser comes back with its link, at the hour it left.
    day = _day(trainer)
    brazil.context.close()
    back, _ = local_page()
    back.goto(brazil_link, wait_until="domcontentloaded")
    expect(back.get_by_text("Brazil: your contact points")).to_be_visible(timeout=60_000)
    expect(back.locator(".clock")).to_have_text(re.compile(rf"^Day {day} of 21"))

    # The projector's view shows the world and no secret.
    screen, _ = local_page()
    screen.goto(exercise_server.link("Projector"), wait_until="domcontentloaded")
    expect(screen.locator(".world-map img")).to_have_count(1, timeout=60_000)
    assert "key=" not in screen.url and "team=" not in screen.locator("body").inner_text()

    # Run to the end: the debrief speaks in sentences, on every page.
    while "finished" not in trainer.locator(".clock").inner_text():
        trainer.get_by_role("button", name="Step a day").click()
        trainer.wait_for_timeout(300)
    expect(trainer.locator(".debrief-sentences")).to_contain_text(
        re.compile(r"would have seized with the same couriers"), timeout=120_000
    )
    expect(trainer.locator(".calibrated")).to_contain_text("COCAIR III calibration")
    expect(trainer.locator(".team-outcome").first).to_contain_text("sent to the hub")
    expect(trainer.locator(".team-outcome").first).to_contain_text("by default")
    expect(back.locator(".debrief-sentences")).to_be_visible(timeout=60_000)
    expect(senegal.locator(".debrief-sentences")).to_contain_text(
        "avec les mêmes passeurs", timeout=60_000
    )
    trainer.screenshot(path=str(artifacts_dir() / "exercise_trainer.png"), full_page=True)
    if os.environ.get("COCAIR_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(artifacts_dir() / "exercise_trainer.png",
                        ROOT / "docs" / "img" / "exercise_debrief.png")  # fmt: skip


HOSTILE = [
    "team=%C3%A9", "team=abc%E2%80%9D", "team=%F0%9F%98%80", "team=" + "a" * 3000,
    "team=%00", "team=%ZZ", "team[]=1&team=2", "lang=%3Cscript%3E", "lang=zz",
    "key=%C3%A9", "key=" + "k" * 3000, "team=&key=&lang=", "%FF%FE=%FF",
]  # fmt: skip


def _fuzz(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "aé€😀”\u0000\u200b<>\"'&=?%#;/\\ \t\n\udcff"
    out = []
    for _ in range(n):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        name = rng.choice(["team", "key", "lang", "x"])
        out.append(urllib.parse.urlencode({name: value}, errors="surrogatepass"))
    return out


def test_no_address_or_query_string_shows_a_traceback(exercise_server, local_page) -> None:
    from playwright.sync_api import expect

    page, _ = local_page()
    for query in HOSTILE + _fuzz(2011, 30):
        for path in ("", "trainer", "summary", "cards", "screen"):
            page.goto(f"{exercise_server.url}{path}?{query}", wait_until="domcontentloaded")
            expect(page.locator(".solara-content-main, .v-application").first).to_be_visible(
                timeout=60_000
            )
            page.wait_for_timeout(150)
            body = page.locator("body").inner_text()
            assert "Traceback" not in body and "Error:" not in body[:200], (path, query, body)
            if path == "" and query.startswith("team=") and "&" not in query:
                expect(page.get_by_text("This team link is not known")).to_be_visible(
                    timeout=30_000
                )
    assert "Traceback" not in exercise_server.output()


def _port_closed(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_a_crash_mid_class_then_resume_gives_the_same_class(tmp_path, local_page) -> None:
    """kill -9 of `cocair exercise` stops its page server too (the port is free again); the
    same command with --resume rebuilds the world at the same hour, with the same trainer link
    and the same team link."""
    from playwright.sync_api import expect

    folder = tmp_path / "class"
    first = ExerciseServer(CLASSROOM, "--seed", str(SEED), folder=folder).__enter__()
    try:
        team, _ = local_page()
        team.goto(first.url, wait_until="domcontentloaded")
        team.get_by_role("button", name="Brazil").click()
        expect(team.get_by_text("Brazil: your contact points")).to_be_visible(timeout=60_000)
        expect(team).to_have_url(re.compile(r"\?team=[\w-]+"))
        link, trainer_link = team.url, first.trainer_url()
        trainer, _ = local_page()
        trainer.goto(trainer_link, wait_until="domcontentloaded")
        for _ in range(9):
            _step(trainer, expect)
        clock = trainer.locator(".clock").inner_text()
        first.kill_parent()
        deadline = time.monotonic() + 20
        while not _port_closed(first.port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _port_closed(first.port), "the page server outlived its command"
    finally:
        first.stop()
    with ExerciseServer(CLASSROOM, "--resume", folder=folder, port=first.port) as second:
        assert second.trainer_url() == trainer_link
        trainer, _ = local_page()
        trainer.goto(trainer_link, wait_until="domcontentloaded")
        expect(trainer.locator(".clock")).to_have_text(clock, timeout=60_000)
        team, _ = local_page()
        team.goto(link, wait_until="domcontentloaded")
        expect(team.get_by_text("Brazil: your contact points")).to_be_visible(timeout=60_000)
        expect(team.locator(".clock")).to_have_text(clock)
