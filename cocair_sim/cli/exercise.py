"""`cocair exercise`: serve the classroom exercise (teams play the contact points) with Solara,
on this computer only unless asked otherwise, offline like the classroom page, logged so that
the class survives a crash (`--resume`)."""

from __future__ import annotations

import secrets
from pathlib import Path

import click

from cocair_sim.classroom import DEFAULT_SEED
from cocair_sim.cli.viz import (
    check_host,
    check_port,
    is_loopback,
    page_options,
    prepare_assets,
    public_host,
    serve,
)
from cocair_sim.errors import InputError

APP = "cocair_sim.classroom.exercise_app"
DEFAULT_FOLDER = Path("results") / "exercise"


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
    help="Real seconds per simulated day while the clock plays (the trainer can change it).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_FOLDER,
    show_default=True,
    help="Folder of the exercise's log (exercise.sqlite), written as the class plays.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the exercise logged in --out after a crash: the same world at the same hour, "
    "the same trainer key and team links.",
)
@click.option("--force", is_flag=True, help="Start a new exercise over the one logged in --out.")
def exercise(scenario, host, port, allow_remote, seed, seconds_per_day, out, resume, force):
    """Serve the classroom exercise for SCENARIO (default: the shipped classroom one).

    Teams open the server's address and each takes a country (or enters the PIN on the card the
    trainer hands out); the trainer opens /trainer with the key printed here and runs the clock;
    /screen is for the projector. Everything that changes the world is logged in --out as it
    happens: after a crash, the same command with --resume goes on where the class was.
    """
    from cocair_sim.classroom.exercise_app import (
        DAY_ENV,
        FOLDER_ENV,
        KEY_ENV,
        RESUME_ENV,
        SCENARIO_ENV,
        SEED_ENV,
    )
    from cocair_sim.classroom.log import LOG_FILE, ExerciseLog
    from cocair_sim.scenario.loading import load_scenario

    check_host(host, allow_remote)
    log_path = out / LOG_FILE
    env = {FOLDER_ENV: str(out.resolve())}
    if resume:
        if not log_path.is_file():
            raise InputError("--resume", str(out), f"no {LOG_FILE}: no exercise to resume there")
        with ExerciseLog.at(out) as log:
            setup = log.setup()
        if setup is None:
            raise InputError("--resume", str(out), "the log holds no exercise")
        key, path, seed = setup["key"], Path(setup["scenario"]), setup["seed"]
        env[RESUME_ENV] = "1"
    else:
        if log_path.is_file() and not force:
            raise InputError(
                "--out", str(out), "holds an exercise: --resume to continue it, --force to "
                "start a new one over it, or another --out"
            )  # fmt: skip
        if force and log_path.exists():
            for leftover in out.glob(LOG_FILE + "*"):  # the log and SQLite's own files
                leftover.unlink()
        path = scenario.resolve()
        key = secrets.token_urlsafe(12)
        env.update({SCENARIO_ENV: str(path), SEED_ENV: str(seed), KEY_ENV: key,
                    DAY_ENV: str(seconds_per_day)})  # fmt: skip
    spec = load_scenario(path)  # InputError -> exit 2
    check_port(host, port)
    prepare_assets()
    if not resume:
        out.mkdir(parents=True, exist_ok=True)
    where = "this computer only" if is_loopback(host) else "reachable on the network"
    address = f"http://{public_host(host)}:{port}"
    click.echo(f"Scenario: {spec.name} ({path}); seed {seed}; log in {out}")
    click.echo(f"Teams:     {address}/ ({where})")
    click.echo(f"Projector: {address}/screen")
    click.echo(f"Trainer:   {address}/trainer?key={key}")
    serve(APP, host, port, env)
