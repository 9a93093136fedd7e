"""`cocair viz`: serve the classroom page (cocair_sim/app.py) with Solara, on this computer only
unless asked otherwise."""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from cocair_sim.cli import main
from cocair_sim.errors import InputError

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = Path("scenarios") / "classroom.yaml"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_scenario(scenario: Path | None) -> Path:
    """The given path (relative to the working folder), or the repository's classroom scenario."""
    if scenario is not None:
        return scenario.resolve()
    here = DEFAULT_SCENARIO.resolve()
    return here if here.exists() else (REPO_ROOT / DEFAULT_SCENARIO)


def solara_command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "cocair_sim.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # no call to PyPI: classrooms may be offline
    ]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a --host other than this computer (e.g. 0.0.0.0 for a classroom network).",
)
def viz(scenario, host, port, allow_remote):
    """Serve the interactive classroom page for SCENARIO (default scenarios/classroom.yaml)."""
    from cocair_sim.scenario import load_scenario

    if not is_loopback(host) and not allow_remote:
        raise InputError(
            "--host",
            host,
            "not a loopback address: anyone on the network could open the page; "
            "add --allow-remote to share it on purpose",
        )
    path = resolve_scenario(scenario)
    spec = load_scenario(path)  # InputError -> exit 2
    where = (
        "this computer only; use --host 0.0.0.0 --allow-remote to share on a classroom network"
        if is_loopback(host)
        else "reachable from other computers on the network"
    )
    click.echo(f"Scenario: {spec.name} ({path})")
    click.echo(f"Serving on http://{host}:{port} ({where})")
    env = dict(os.environ)
    env.update(SOLARA_TELEMETRY_MIXPANEL_ENABLE="False", COCAIR_VIZ_SCENARIO=str(path))
    proc = subprocess.Popen(solara_command(host, port), env=env)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the server too, like Ctrl-C
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
