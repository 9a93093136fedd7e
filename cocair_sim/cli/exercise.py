"""`cocair exercise`: serve the classroom exercise (teams play the contact points) with Solara,
on this computer only unless asked otherwise, offline like the classroom page."""

from __future__ import annotations

import secrets

import click

from cocair_sim.classroom import DEFAULT_SEED
from cocair_sim.cli.viz import check_host, is_loopback, page_options, prepare_assets, serve

APP = "cocair_sim.classroom.exercise_app"


@click.command()
@page_options(port=8766)
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
