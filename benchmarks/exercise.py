"""Part 8: the classroom exercise (`cocair exercise`). 30 team pages open at once in headless
Chromium while the day clock plays at 1 day a second: days run per second, how far behind the
exercise's day each page shows, and the server's CPU and memory."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ROOT,
    SCENARIO,
    Row,
    Settings,
    group_cpu_seconds,
    group_rss_bytes,
    mb,
)

PAGES = 30
TARGET_DAYS_PER_S = 0.95
TARGET_LAG_DAYS = 1  # 95 % of the pages' readings show the day or the one before


def exercise_pages(scenario: Path, pages: int, seconds: float) -> dict[str, Any] | None:
    """`pages` team pages of `cocair exercise` (each free country taken by one, the others
    opened by a team's link, as a second trainee of a team would) while the trainer plays the
    clock at 1 day a second for `seconds`; every page's day is read in turn, over and over.
    None when Chromium or Playwright is missing (scripts/ensure_browser.sh)."""
    from cocair_sim.classroom.browser import (
        ExerciseServer,
        chromium_available,
        launch_chromium,
        new_local_page,
    )

    if not chromium_available():
        return None
    from playwright.sync_api import expect, sync_playwright

    day_text = re.compile(r"^Day (\d+) of")

    def day(page) -> int:
        return int(day_text.match(page.locator(".clock").inner_text()).group(1))

    lags: list[int] = []
    with (
        ExerciseServer(scenario, "--seconds-per-day", "1", cwd=ROOT) as server,
        sync_playwright() as p,
    ):
        browser = launch_chromium(p)
        try:
            trainer, _ = new_local_page(browser)
            trainer.goto(server.trainer_url(), wait_until="domcontentloaded")
            expect(trainer.locator(".clock")).to_be_visible(timeout=60_000)
            teams, links = [], []
            for i in range(pages):
                page, _ = new_local_page(browser, viewport={"width": 900, "height": 700})
                page.goto(server.url, wait_until="domcontentloaded")
                join = page.locator("button.join")
                expect(
                    page.get_by_text("Choose your country").or_(page.locator(".clock"))
                ).to_be_visible(timeout=60_000)
                if join.count():
                    join.first.click()
                    expect(page).to_have_url(re.compile(r"\?team="), timeout=60_000)
                    links.append(page.url)
                else:
                    page.goto(links[i % len(links)], wait_until="domcontentloaded")
                    expect(page.locator(".clock")).to_be_visible(timeout=60_000)
                teams.append(page)
            rss0 = group_rss_bytes(server.proc.pid)
            trainer.get_by_role("button", name="Play").click()
            expect(trainer.locator(".clock")).to_have_text(re.compile(r"playing"), timeout=30_000)
            start, cpu0, first = time.monotonic(), group_cpu_seconds(server.proc.pid), day(trainer)
            while time.monotonic() - start < seconds:
                for page in teams:
                    now = day(trainer)
                    lags.append(now - day(page))
            elapsed = time.monotonic() - start
            advanced = day(trainer) - first
            cpu = group_cpu_seconds(server.proc.pid) - cpu0
            rss1 = group_rss_bytes(server.proc.pid)
            trainer.get_by_role("button", name="Pause").click()
        finally:
            browser.close()
    lags.sort()
    return {
        "scenario": scenario.name,
        "pages": pages,
        "teams": len(links),
        "seconds": seconds,
        "days_per_s": advanced / elapsed,
        "readings": len(lags),
        "lag_days_p95": lags[int(0.95 * (len(lags) - 1))],
        "lag_days_max": lags[-1],
        "share_current_day": sum(lag <= 0 for lag in lags) / len(lags),
        "server_cpu_share": cpu / elapsed,
        "server_rss_mb": mb(rss1),
        "server_rss_growth_mb": mb(rss1 - rss0),
    }


def run(settings: Settings) -> dict[str, Any] | None:
    """The part as the benchmark runs it (10 s of play with --quick, else 20 s)."""
    return exercise_pages(SCENARIO, PAGES, 10 if settings.quick else 20)


def rows(x: dict[str, Any] | None, results: dict[str, Any]) -> list[Row]:
    """Its rows of the table."""
    if x is None:
        return [Row("classroom exercise in Chromium", "skipped (no /usr/bin/chromium)")]
    return [
        Row(f"exercise: {x['pages']} team pages ({x['teams']} teams), clock at 1 day/s",
            f"{x['days_per_s']:.2f} days/s", f">= {TARGET_DAYS_PER_S}",
            x["days_per_s"] >= TARGET_DAYS_PER_S),
        Row("  pages behind the exercise's day (95 % / max)",
            f"{x['lag_days_p95']} / {x['lag_days_max']} days "
            f"({x['share_current_day']:.0%} of {x['readings']} readings current)",
            f"<= {TARGET_LAG_DAYS}", x["lag_days_p95"] <= TARGET_LAG_DAYS),
        Row("  server CPU / memory",
            f"{x['server_cpu_share']:.0%} of a core / {x['server_rss_mb']} MB "
            f"(+{x['server_rss_growth_mb']} MB while playing)"),
    ]  # fmt: skip
