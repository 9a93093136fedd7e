"""Part 8: the classroom exercise (`cocair exercise`). Team pages open at once in headless
Chromium, on this machine, while the trainer plays the clock at 1 day a second through the whole
world (every day of the operation week included): how fast the exercise's clock runs, how far
behind it each page's clock is, and the CPU of the server and of the browsers, apart.

The exercise's own clock is read from its log (exercise.sqlite, whose hour the server writes
about once a second), polled every few milliseconds; every page records each change of its
clock's text with the time it happened (a MutationObserver), so reading the pages costs nothing
while the clock plays and no change of day is missed. The time each page's browser received
each new text of the clock (Chromium's own timestamp of the websocket frame, through the
DevTools protocol) splits a page's lag in two: until Chromium had the frame (the server, the
socket and Chromium's network process) and after (the page's renderer drawing it)."""

from __future__ import annotations

import os
import re
import threading
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

PAGES = (30, 60)
SECONDS_PER_DAY = 1
TARGET_DAYS_PER_S = 0.97  # the exercise's clock over the operation week, 30 pages
TARGET_BEHIND_DAYS = 1.0  # no page ever shows a day later than one day after it began, 30 pages
TARGET_SERVER_CORES = 0.5  # the server's own CPU with 60 pages

DAY = re.compile(r"^Day (\d+) of (\d+)")
DAY_IN_FRAME = re.compile(r"Day (\d+) of \d+, ")  # the clock's text in a websocket frame

# Installed in every page once it shows the clock: every change of the clock's text, with the
# wall-clock time it happened (Date.now(), the clock Python's time.time() reads too).
RECORD_CLOCK = """() => {
  window.__clock = [];
  let last = null;
  const read = () => {
    const el = document.querySelector('.clock');
    const text = el ? el.textContent : null;
    if (text !== last) { last = text; window.__clock.push([Date.now() / 1000, text]); }
  };
  read();
  new MutationObserver(read).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


def _cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _browser_pids() -> list[int]:
    """Every Chromium process on this machine (the benchmark's own: it runs alone)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if "chromium" in os.readlink(f"/proc/{entry}/exe"):
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


def _settle(pid: int, quiet: float = 0.1, limit: float = 180.0) -> None:
    """Wait until a server's processes use less than `quiet` of a core over a second."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = group_cpu_seconds(pid)
        time.sleep(1.0)
        if group_cpu_seconds(pid) - before < quiet:
            return


def _machine_busy_seconds() -> float:
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class ClockReader:
    """The exercise's hour over wall time, read from its log in a thread: (time, hour) at each
    change. The server writes the hour about once a second, and moves it every 50 ms, so the
    hour in between is the straight line between two readings."""

    def __init__(self, folder: Path, every: float = 0.01) -> None:
        from cocair_sim.classroom.log import ExerciseLog

        self.log = ExerciseLog.at(folder)
        self.every = every
        self.readings: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        last = None
        while not self._stop.is_set():
            hour = self.log.clock()
            if hour != last:
                self.readings.append((time.time(), hour))
                last = hour
            time.sleep(self.every)

    def __enter__(self) -> ClockReader:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def hour(self) -> float:
        """The latest hour read."""
        return self.readings[-1][1] if self.readings else 0.0

    def time_of(self, hour: float) -> float | None:
        """When the exercise's clock reached `hour` (None if not between two readings)."""
        for (t0, h0), (t1, h1) in zip(self.readings, self.readings[1:], strict=False):
            if h0 < hour <= h1:
                return t0 + (t1 - t0) * (hour - h0) / (h1 - h0)
        return None


class FramesReceived:
    """When a page's browser received each new day of the clock from the server: the
    timestamps Chromium gives the page's websocket frames (its monotonic clock, put on the
    wall clock with the handshake's time, which Chromium gives on both). Chromium stamps a
    frame as it arrives, whatever the page's renderer is doing; the events reach Python
    later, when Playwright next runs, which changes none of the times."""

    def __init__(self, page) -> None:
        self.offset: float | None = None
        self._stamps: list[tuple[float, int]] = []  # (Chromium's time, day in the frame's text)
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketWillSendHandshakeRequest", self._handshake)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.send("Network.enable")

    def _handshake(self, event: dict) -> None:
        self.offset = event["wallTime"] - event["timestamp"]

    def _frame(self, event: dict) -> None:
        m = DAY_IN_FRAME.search(event["response"].get("payloadData", ""))
        if m:
            self._stamps.append((event["timestamp"], int(m.group(1))))

    def received(self) -> list[tuple[float, int]]:
        """(wall time, day) of every frame that carried the clock's text."""
        assert self.offset is not None, "no websocket handshake recorded"
        return [(stamp + self.offset, day) for stamp, day in self._stamps]


def _first_shown(changes) -> dict[int, float]:
    """Day -> when it first appeared, from (time, day) pairs in time order."""
    first: dict[int, float] = {}
    for t, day in changes:
        first.setdefault(day, t)
    return first


def _after(first: dict[int, float], day: int) -> float:
    """When `day` or a later one first appeared (inf if never)."""
    return min((t for d, t in first.items() if d >= day), default=float("inf"))


def _open_pages(browser, server, pages: int, expect) -> tuple[list[Any], list[Any], int]:
    """`pages` team pages (and what each receives): each free country taken by one, the
    others opened by a team's link (a second trainee of a team)."""
    from cocair_sim.classroom.browser import new_local_page

    teams, frames, links = [], [], []
    for i in range(pages):
        page, _ = new_local_page(browser, viewport={"width": 900, "height": 700})
        frames.append(FramesReceived(page))
        page.goto(server.url, wait_until="domcontentloaded")
        join = page.locator("button.join:enabled")
        expect(page.get_by_text("Choose your country")).to_be_visible(timeout=60_000)
        if join.count():
            join.first.click()
            expect(page).to_have_url(re.compile(r"\?team="), timeout=60_000)
            links.append(page.url)
        else:
            page.goto(links[i % len(links)], wait_until="domcontentloaded")
        expect(page.locator(".clock")).to_be_visible(timeout=60_000)
        teams.append(page)
    return teams, frames, len(links)


def exercise_pages(scenario: Path, pages: int, tmp: Path) -> dict[str, Any] | None:
    """`pages` team pages of `cocair exercise` while the trainer plays the clock at 1 day a
    second from the first day to the end of the world. None when Chromium or Playwright is
    missing (scripts/ensure_browser.sh)."""
    from cocair_sim.classroom.browser import (
        ExerciseServer,
        chromium_available,
        launch_chromium,
        new_local_page,
    )

    if not chromium_available():
        return None
    from playwright.sync_api import expect, sync_playwright

    folder = tmp / f"exercise-{pages}"
    with (
        ExerciseServer(
            scenario, "--seconds-per-day", str(SECONDS_PER_DAY), folder=folder, cwd=ROOT
        ) as server,
        sync_playwright() as p,
    ):
        browser = launch_chromium(p)
        try:
            trainer, _ = new_local_page(browser)
            trainer.goto(server.trainer_url(), wait_until="domcontentloaded")
            expect(trainer.locator(".clock")).to_be_visible(timeout=60_000)
            teams, frames, taken = _open_pages(browser, server, pages, expect)
            for page in (trainer, *teams):
                page.evaluate(RECORD_CLOCK)
            rss0 = group_rss_bytes(server.proc.pid)
            days = int(DAY.match(trainer.locator(".clock").inner_text()).group(2))
            _settle(server.proc.pid)  # the debrief's paired runs, started with the server, done
            with ClockReader(folder) as clock:
                time.sleep(0.5)
                server0 = group_cpu_seconds(server.proc.pid)
                browsers0 = _cpu_seconds(_browser_pids())
                busy0, start = _machine_busy_seconds(), time.time()
                trainer.get_by_role("button", name="Play").click()
                deadline = start + days + 60
                while clock.hour() < 24.0 * days and time.time() < deadline:
                    time.sleep(0.01)
                elapsed = time.time() - start  # to the world's end, not the debrief after it
                server_cpu = group_cpu_seconds(server.proc.pid) - server0
                browsers_cpu = _cpu_seconds(_browser_pids()) - browsers0
                busy = _machine_busy_seconds() - busy0
                time.sleep(0.5)
            rss1 = group_rss_bytes(server.proc.pid)
            ends = []
            for page in teams:  # every page comes to the end (the debrief may take seconds)
                try:
                    expect(page.locator(".clock")).to_have_text(
                        re.compile("finished"), timeout=60_000
                    )
                    ends.append(True)
                except AssertionError:
                    ends.append(False)
            shown = [page.evaluate("() => window.__clock") for page in teams]
            received = [f.received() for f in frames]
        finally:
            browser.close()

    # When the exercise's clock began each day (day d starts at hour 24 (d - 1)), while playing.
    began = {d: clock.time_of(24.0 * (d - 1)) for d in range(2, days + 1)}
    began = {d: t for d, t in began.items() if t is not None}
    behind, received_part, drawn_part, missed, worst = [], [], [], 0, (0.0, 0, 0, 0.0)
    for page, (changes, frames_in) in enumerate(zip(shown, received, strict=True)):
        first_shown = _first_shown(
            (t, int(m.group(1))) for t, text in changes if (m := DAY.match(text or ""))
        )
        first_received = _first_shown(frames_in)
        for d, t in began.items():
            shown_at, received_at = _after(first_shown, d), _after(first_received, d)
            behind.append((shown_at - t) / SECONDS_PER_DAY)
            received_part.append((received_at - t) / SECONDS_PER_DAY)
            drawn_part.append((shown_at - received_at) / SECONDS_PER_DAY)
            missed += d not in first_shown
            worst = max(worst, (behind[-1], page, d, received_part[-1]))
    for values in (behind, received_part, drawn_part):
        values.sort()
    start_week, end_week = _operation_week(scenario)
    return {
        "scenario": scenario.name,
        "pages": pages,
        "teams": taken,
        "days": days,
        "seconds": elapsed,
        "days_per_s": _rate(clock, 1, days + 1),
        "operation_days_per_s": _rate(clock, start_week, end_week + 1),
        "operation_week": [start_week, end_week],
        "day_changes": len(behind),
        "behind_days_median": behind[len(behind) // 2],
        "behind_days_p95": behind[int(0.95 * (len(behind) - 1))],
        "behind_days_max": behind[-1],
        "behind_worst_page_day": list(worst[1:3]),
        "behind_worst_received_days": worst[3],
        "received_days": _spread(received_part),
        "drawn_days": _spread(drawn_part),
        "behind_over_one_day": sum(b > 1 for b in behind),
        "day_changes_not_shown": missed,
        "pages_at_the_end": sum(ends),
        "server_cores": server_cpu / elapsed,
        "browser_cores": browsers_cpu / elapsed,
        "machine_cores": busy / elapsed,
        "server_rss_mb": mb(rss1),
        "server_rss_growth_mb": mb(rss1 - rss0),
    }


def _spread(values: list[float]) -> list[float]:
    """Median, 95th percentile and maximum of sorted `values`."""
    return [values[len(values) // 2], values[int(0.95 * (len(values) - 1))], values[-1]]


def _rate(clock: ClockReader, first_day: int, end_day: int) -> float:
    """Days per second of the exercise's clock from the start of `first_day` to the start of
    `end_day` (the end of the world for the last day)."""
    first_day = max(first_day, 2)  # the first day began before the clock played
    t0, t1 = clock.time_of(24.0 * (first_day - 1)), clock.time_of(24.0 * (end_day - 1))
    return (end_day - first_day) / (t1 - t0)


def _operation_week(scenario: Path) -> tuple[int, int]:
    """The operation's first and last day, as the pages number them (from 1)."""
    from cocair_sim.scenario.loading import load_scenario

    spec = load_scenario(scenario)
    start = spec.calendar.operation_start
    return start + 1, start + spec.calendar.operation_days


def run(settings: Settings) -> dict[str, Any] | None:
    """The part as the benchmark runs it: 30 team pages, then 60 (with --quick, 30 only)."""
    import tempfile

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-exercise-") as tmp:
        for pages in PAGES[:1] if settings.quick else PAGES:
            x = exercise_pages(SCENARIO, pages, Path(tmp))
            if x is None:
                return None
            out[str(pages)] = x
    return out


def rows(x: dict[str, Any] | None, results: dict[str, Any]) -> list[Row]:
    """Its rows of the table."""
    if x is None:
        return [Row("classroom exercise in Chromium", "skipped (no /usr/bin/chromium)")]
    out = []
    for key, r in x.items():
        full = key == str(PAGES[0])
        first, last = r["operation_week"]
        out += [
            Row(f"exercise on {r['scenario']}: {r['pages']} team pages ({r['teams']} teams), "
                f"clock at 1 day/s, days {first}-{last} (the operation) / all {r['days']}",
                f"{r['operation_days_per_s']:.3f} / {r['days_per_s']:.3f} days/s",
                f">= {TARGET_DAYS_PER_S}" if full else "",
                r["operation_days_per_s"] >= TARGET_DAYS_PER_S if full else None),
            Row(f"  a page's new day after the clock's (median / 95 % / max of "
                f"{r['day_changes']}; days never shown)",
                f"{r['behind_days_median']:.2f} / {r['behind_days_p95']:.2f} / "
                f"{r['behind_days_max']:.2f} days; {r['day_changes_not_shown']}",
                f"<= {TARGET_BEHIND_DAYS:g}" if full else "",
                r["behind_days_max"] <= TARGET_BEHIND_DAYS if full else None),
            Row("  of which until Chromium received the new day (server, socket, network "
                "process) / after (the page drawing it), median / 95 % / max; the worst's "
                "first part",
                " / ".join(f"{v:.2f}" for v in r["received_days"]) + "; "
                + " / ".join(f"{v:.2f}" for v in r["drawn_days"])
                + f" days; {r['behind_worst_received_days']:.2f}"),
            Row("  CPU while playing: server / browsers / whole machine (of 2 cores)",
                f"{r['server_cores']:.2f} / {r['browser_cores']:.2f} / "
                f"{r['machine_cores']:.2f} cores",
                "" if full else f"server < {TARGET_SERVER_CORES}",
                None if full else r["server_cores"] < TARGET_SERVER_CORES),
            Row("  server memory", f"{r['server_rss_mb']} MB (+{r['server_rss_growth_mb']} MB "
                "while playing)"),
        ]  # fmt: skip
    if len(x) == 2:
        a, b = (x[str(n)] for n in PAGES)
        ratio = b["server_cores"] / a["server_cores"]
        linear = PAGES[1] / PAGES[0]
        out.append(Row(f"  server CPU, {PAGES[1]} pages against {PAGES[0]}", f"{ratio:.2f} x",
                       f"<= {linear:g} (linear)", ratio <= linear))  # fmt: skip
    return out
