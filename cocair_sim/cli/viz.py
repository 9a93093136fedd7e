"""`cocair viz`: serve the classroom page (`cocair_sim.classroom.app`) with Solara, on this
computer only unless asked otherwise, with its web assets kept locally so it works offline."""

from __future__ import annotations

import ctypes
import ipaddress
import os
import signal
import socket
import subprocess
import sys

import click

from cocair_sim import shipped
from cocair_sim.cli.common import shipped_file
from cocair_sim.errors import InputError

APP = "cocair_sim.classroom.app"
PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)


def bare_host(host: str) -> str:
    """The address to listen on, without the brackets of an IPv6 literal (`[::1]` -> `::1`)."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def url_host(host: str) -> str:
    """An address as a link writes it: an IPv6 literal in brackets."""
    host = bare_host(host)
    return f"[{host}]" if ":" in host else host


def public_host(host: str) -> str:
    """Where other computers reach this one when the page listens on every address (0.0.0.0
    or ::): the address of the interface this computer would use to reach the network (found
    without sending anything); the host itself otherwise."""
    bare = bare_host(host)
    if bare not in ("0.0.0.0", "::"):
        return url_host(bare)
    family = socket.AF_INET6 if bare == "::" else socket.AF_INET
    probe = ("2001:db8::1", 9) if family == socket.AF_INET6 else ("192.0.2.1", 9)
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect(probe)  # a UDP "connection" only picks the route: nothing is sent
            address = s.getsockname()[0]
    except OSError:
        address = socket.gethostname()
    return url_host(address)


def check_port(host: str, port: int) -> None:
    """The port must be free before any link is printed (another server, or a page server
    left over from a crash, would answer the links instead)."""
    bare = bare_host(host)
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            s.bind((bare, port))
        except OSError as exc:
            raise InputError(
                "--port", str(port), f"cannot listen on {url_host(bare)}:{port} "
                f"({exc.strerror or exc}): another program uses it; choose another --port"
            ) from None  # fmt: skip


def is_loopback(host: str) -> bool:
    """Whether `host` is `localhost` or a loopback address (IPv6 with or without brackets):
    only this computer can then open the page."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare_host(host)).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> None:
    """Only this computer may open the page, unless the trainer shares it on purpose."""
    if not is_loopback(host) and not allow_remote:
        raise InputError(
            "--host",
            host,
            "not a loopback address: anyone on the network could open the page; "
            "add --allow-remote to share it on purpose",
        )


def solara_command(app: str, host: str, port: int) -> list[str]:
    """The command that serves `app` with Solara in production mode, without opening a browser
    or asking PyPI for a newer version."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        app,
        "--host",
        bare_host(host),
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # no call to PyPI: classrooms may be offline
    ]


def prepare_assets() -> None:
    """The page's web assets, fetched once if they are not on this computer yet."""
    from cocair_sim.classroom.assets import AssetsUnavailable, ensure

    try:
        ensure(log=click.echo)
    except AssetsUnavailable as exc:
        raise InputError("cocair viz", None, str(exc)) from None


def serve(app: str, host: str, port: int, env: dict[str, str]) -> None:
    """Run Solara until Ctrl-C or `kill`; exits with Solara's code if it fails."""
    environment = dict(os.environ)
    environment.update(SOLARA_TELEMETRY_MIXPANEL_ENABLE="False", **env)
    proc = subprocess.Popen(
        solara_command(app, host, port), env=environment, preexec_fn=_die_with_parent
    )

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # `kill` stops the server too, like Ctrl-C
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        click.echo("stopped")
        return
    if code:
        sys.exit(code)


def _die_with_parent() -> None:
    """In the page server, before it starts: stop when `cocair` dies, even by kill -9 (Linux's
    parent-death signal), so that no server keeps the port after a crash."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass


def page_options(port: int):
    """SCENARIO (default: the shipped classroom one), --host, --port and --allow-remote: where
    a page for the classroom is served (`cocair viz`, `cocair exercise`)."""
    options = [
        click.argument(
            "scenario",
            required=False,
            callback=shipped_file("scenarios", shipped.CLASSROOM_SCENARIO),
        ),
        click.option(
            "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
        ),
        click.option("--port", type=click.IntRange(1, 65535), default=port, show_default=True),
        click.option(
            "--allow-remote",
            is_flag=True,
            help="Allow a --host other than this computer (e.g. 0.0.0.0 for a classroom network).",
        ),
    ]

    def decorate(f):
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


@click.command()
@page_options(port=8765)
def viz(scenario, host, port, allow_remote):
    """Serve the interactive classroom page for SCENARIO (default: the shipped classroom one)."""
    from cocair_sim.classroom.app import SCENARIO_ENV
    from cocair_sim.scenario.loading import load_scenario

    check_host(host, allow_remote)
    path = scenario.resolve()
    spec = load_scenario(path)  # InputError -> exit 2
    check_port(host, port)
    prepare_assets()
    where = (
        "this computer only; use --host 0.0.0.0 --allow-remote to share on a classroom network"
        if is_loopback(host)
        else "reachable from other computers on the network"
    )
    click.echo(f"Scenario: {spec.name} ({path})")
    click.echo(f"Serving on http://{public_host(host)}:{port} ({where})")
    serve(APP, host, port, {SCENARIO_ENV: str(path)})
