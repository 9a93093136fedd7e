"""Driving the classroom pages in headless Chromium: used by the end-to-end tests and the
benchmark.

`VizServer` and `ExerciseServer` start `cocair viz` and `cocair exercise` (`SolaraServer` any
Solara app) on 127.0.0.1 with the network cut for them; `launch_chromium` starts Debian's
Chromium at /usr/bin/chromium through Playwright, and `new_local_page` opens a page that
refuses every request leaving this machine and logs what went wrong.

Playwright is an optional test dependency: it is imported only by the caller that drives a
browser, and `chromium_available` says whether it and the system Chromium are both present
(`scripts/ensure_browser.sh` installs the latter). Playwright only drives the system Chromium:
never run `playwright install`.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Any cache miss of Solara's CDN proxy goes to this closed local port and fails locally (a 404
# after Solara's ~7 s of retries, "Could not load URL" in the server output) instead of
# reaching out to cdn.jsdelivr.net.
DEAD_CDN = "http://127.0.0.1:9/"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
CDN_ROUTE = "/_solara/cdn/"


def chromium_available() -> bool:
    """True when the system Chromium and the playwright package are both present."""
    try:
        import playwright  # noqa: F401, PLC0415 - an optional test dependency
    except ImportError:
        return False
    return os.access(CHROMIUM, os.X_OK)


def launch_chromium(playwright: Any, **kwargs: Any) -> Any:
    """Launch the system Chromium headless through Playwright (the object `sync_playwright()`
    yields); returns a ``Browser``. Extra ``args`` are added to `CHROMIUM_ARGS`."""
    args = [*CHROMIUM_ARGS, *kwargs.pop("args", [])]
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args, **kwargs)


def is_local_url(url: str) -> bool:
    """True for http(s)/ws(s) URLs to this machine, and for data:/blob:/about: URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    host = parts.hostname or ""
    return host in LOCAL_HOSTS


@dataclasses.dataclass
class PageLog:
    """What happened on the wire and in the console while a page was used."""

    blocked: list[str] = dataclasses.field(default_factory=list)
    failed: list[str] = dataclasses.field(default_factory=list)
    bad_status: list[str] = dataclasses.field(default_factory=list)
    console_errors: list[str] = dataclasses.field(default_factory=list)
    page_errors: list[str] = dataclasses.field(default_factory=list)
    requests: list[str] = dataclasses.field(default_factory=list)

    def cdn_requests(self) -> list[str]:
        """URLs the page asked Solara's CDN proxy for."""
        return [u for u in self.requests if CDN_ROUTE in u]

    def problems(self, *, ignore_console: tuple[str, ...] = ()) -> list[str]:
        """Everything that suggests a missing asset or a broken page, one line each."""
        out = [f"blocked non-local request: {u}" for u in self.blocked]
        out += [f"failed request: {u}" for u in self.failed]
        out += [f"HTTP error: {u}" for u in self.bad_status]
        out += [f"page error: {e}" for e in self.page_errors]
        out += [
            f"console error: {e}"
            for e in self.console_errors
            if not any(pattern in e for pattern in ignore_console)
        ]
        return out


def new_local_page(browser: Any, **context_kwargs: Any) -> tuple[Any, PageLog]:
    """A page in a fresh context that aborts every request not to 127.0.0.1/localhost.

    Returns ``(page, log)``; ``log`` collects blocked and failed requests, HTTP errors (>= 400),
    console errors and uncaught page errors. The context is closed with the browser, or by the
    caller (``page.context.close()``).
    """
    context_kwargs.setdefault("viewport", {"width": 1400, "height": 900})
    context = browser.new_context(**context_kwargs)
    log = PageLog()

    def route_handler(route: Any) -> None:
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            log.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route_handler)
    page = context.new_page()
    page.on("request", lambda r: log.requests.append(r.url))
    page.on(
        "requestfailed",
        lambda r: None if r.url in log.blocked else log.failed.append(f"{r.url} ({r.failure})"),
    )
    page.on(
        "response",
        lambda r: log.bad_status.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on(
        "console",
        lambda m: log.console_errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    return page, log


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class SolaraServer:
    """Run ``solara run <app> --production`` on 127.0.0.1 and a free port, as a context manager.

    ``app`` is a file path or a module name (``"pkg.app"``), as ``solara run`` accepts.
    The server runs with telemetry off, with the CDN pointed at a closed local port (a cache
    miss then fails locally), and in its own process group, which is killed on exit.
    ``url`` is the page's address; ``output()`` returns the server's output so far; ``proc`` is
    the server's process (its id is the process group's).
    """

    def __init__(
        self,
        app: str | os.PathLike[str],
        *,
        python: str | os.PathLike[str] = sys.executable,
        host: str = "127.0.0.1",
        port: int | None = None,
        timeout: float = 60.0,
        cwd: str | os.PathLike[str] | None = None,
        env: dict[str, str] | None = None,
        extra_args: list[str] | None = None,
    ) -> None:
        self.app = str(app)
        self.python = str(python)
        self.host = host
        self.port = port
        self.timeout = timeout
        self.cwd = None if cwd is None else str(cwd)
        self.extra_env = env or {}
        self.extra_args = extra_args or []
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None
        self._log: Any = None

    @property
    def url(self) -> str:
        """The page's address."""
        return f"http://{self.host}:{self.port}/"

    def command(self) -> list[str]:
        """The server's command line."""
        return [
            self.python,
            "-m",
            "solara",
            "run",
            self.app,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--production",
            "--no-open",
            "--no-check-version",
            *self.extra_args,
        ]

    def environment(self) -> dict[str, str]:
        """The server's environment: this process's, telemetry off and the CDN cut."""
        env = dict(os.environ)
        env.update(
            SOLARA_TELEMETRY_MIXPANEL_ENABLE="False",
            SOLARA_ASSETS_CDN=DEAD_CDN,
            PYTHONUNBUFFERED="1",
            MPLBACKEND="Agg",
        )
        env.pop("SOLARA_ASSETS_PROXY", None)
        env.update(self.extra_env)
        return env

    def output(self) -> str:
        """What the server printed so far (stdout and stderr together)."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def __enter__(self) -> SolaraServer:
        if self.port is None:
            self.port = free_port(self.host)
        self._log = tempfile.TemporaryFile()
        start = time.monotonic()
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.cwd,
            env=self.environment(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group: killed with all children on exit
        )
        try:
            self._wait_until_up(start)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - start
        return self

    def _wait_until_up(self, start: float) -> None:
        assert self.proc is not None
        last_error: object = None
        while time.monotonic() - start < self.timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"solara exited with code {self.proc.returncode} before answering.\n"
                    f"command: {' '.join(self.command())}\n--- output ---\n{self.output()}"
                )
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status < 500:
                        return
            except urllib.error.HTTPError as e:  # the server answers, even if with an error
                if e.code < 500:
                    return
                last_error = e
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
                last_error = e
            time.sleep(0.2)
        raise TimeoutError(
            f"solara did not answer on {self.url} within {self.timeout:.0f} s "
            f"(last error: {last_error}).\ncommand: {' '.join(self.command())}\n"
            f"--- output ---\n{self.output()}"
        )

    def stop(self) -> None:
        """Stop the server's process group: SIGTERM, then SIGKILL if it lingers."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        if self._log is not None:
            self._log.close()
            self._log = None


class VizServer(SolaraServer):
    """`cocair viz SCENARIO` itself (the trainer's command) on 127.0.0.1 and a free port, with
    the network cut for it: the CDN and the npm registry point at a closed local port, so the
    page works only if its assets are already on this machine."""

    def __init__(self, scenario: str | os.PathLike[str], **kwargs: Any) -> None:
        super().__init__("cocair viz", **kwargs)
        self.scenario = str(scenario)

    def command(self) -> list[str]:
        """`python -m cocair_sim viz SCENARIO --host ... --port ...`."""
        return [
            self.python,
            "-m",
            "cocair_sim",
            "viz",
            self.scenario,
            "--host",
            self.host,
            "--port",
            str(self.port),
        ]

    def environment(self) -> dict[str, str]:
        """`SolaraServer.environment`, and the npm registry cut too."""
        env = super().environment()
        env["NPM_CONFIG_REGISTRY"] = DEAD_CDN
        return env


class ExerciseServer(VizServer):
    """`cocair exercise SCENARIO [ARGS...]` (the trainer's command), like `VizServer`, its log
    in `folder` (a new temporary one unless given); `trainer_url` is the trainer's link the
    command prints."""

    def __init__(
        self,
        scenario: str | os.PathLike[str],
        *args: str,
        folder: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scenario, **kwargs)
        self.args = list(args)
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="exercise-"))

    def command(self) -> list[str]:
        """`python -m cocair_sim exercise SCENARIO --host ... --port ... --out ... ARGS...`."""
        command = super().command()
        command[3] = "exercise"
        return [*command, "--out", str(self.folder), *self.args]

    def link(self, name: str) -> str:
        """A link the command printed (`Teams`, `Projector`, `Trainer`)."""
        for line in self.output().splitlines():
            if line.startswith(f"{name}:"):
                return line.split(":", 1)[1].strip().split(" ")[0]
        raise AssertionError(f"no {name} link in the output:\n{self.output()}")

    def trainer_url(self) -> str:
        """The trainer's link, read from the server's output."""
        return self.link("Trainer")

    def kill_parent(self) -> None:
        """Kill `cocair exercise` itself with SIGKILL (not its page server): a crash."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
