"""`cocair exercise`: serve the classroom exercise (teams play the contact points) with Solara,
on this computer only unless asked otherwise, offline like the classroom page."""

from __future__ import annotations

import secrets

import click

from cocair_sim import shipped
from cocair_sim.classroom.exercise import DEFAULT_SEED
from cocair_sim.cli.common import shipped_file
from cocair_sim.cli.viz import check_host, is_loopback, prepare_assets, serve

APP = "cocair_sim.classroom.exercise_app"


@click.command()
@click.argument(
    "scenario", required=False, callback=shipped_file("scenarios", shipped.CLASSROOM_SCENARIO)
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8766, show_default=True)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a --host other than this computer (e.g. 0.0.0.0 for a classroom network).",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="The world's seed (the default is a typical world of the classroom scenario).",
)
@click.option(
    "--seconds-per-day",
    type=click.FloatRange(1, 3600),
    default=60,
    show_default=True,
    help="Time the teams have for their decisions each simulated day (the trainer can change it).",
)
def exercise(scenario, host, port, allow_remote, seed, seconds_per_day):
    """Serve the classroom exercise for SCENARIO (default: the shipped classroom one).

    Teams open the server's address and each takes a country; the trainer opens /trainer with
    the key printed here, and runs the day clock.
    """
    from cocair_sim.classroom.exercise_app import DAY_ENV, KEY_ENV, SCENARIO_ENV, SEED_ENV
    from cocair_sim.scenario.loading import load_scenario

    check_host(host, allow_remote)
    path = scenario.resolve()
    spec = load_scenario(path)  # InputError -> exit 2
    prepare_assets()
    key = secrets.token_urlsafe(12)
    where = "this computer only" if is_loopback(host) else "reachable on the network"
    click.echo(f"Scenario: {spec.name} ({path}); seed {seed}")
    click.echo(f"Teams:   http://{host}:{port}/ ({where})")
    click.echo(f"Trainer: http://{host}:{port}/trainer?key={key}")
    serve(
        APP,
        host,
        port,
        {SCENARIO_ENV: str(path), SEED_ENV: str(seed), KEY_ENV: key, DAY_ENV: str(seconds_per_day)},
    )
