"""`cocair viz`: serve the classroom page (`cocair_sim.classroom.app`) with Solara, on this
computer only unless asked otherwise, with its web assets kept locally so it works offline."""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys

import click

from cocair_sim import shipped
from cocair_sim.cli.common import shipped_file
from cocair_sim.errors import InputError

APP = "cocair_sim.classroom.app"


def is_loopback(host: str) -> bool:
    """Whether `host` is `localhost` or a loopback address (IPv6 with or without brackets):
    only this computer can then open the page."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
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
        host,
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
    proc = subprocess.Popen(solara_command(app, host, port), env=environment)

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
    prepare_assets()
    where = (
        "this computer only; use --host 0.0.0.0 --allow-remote to share on a classroom network"
        if is_loopback(host)
        else "reachable from other computers on the network"
    )
    click.echo(f"Scenario: {spec.name} ({path})")
    click.echo(f"Serving on http://{host}:{port} ({where})")
    serve(APP, host, port, {SCENARIO_ENV: str(path)})
