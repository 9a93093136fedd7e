"""`cocair table` (a calibration's reference table) and `cocair calibrate` (inference from it).

The commands import the work they run when they run: `cocair --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from cocair_sim.cli.common import (
    RichProgress,
    console,
    distributed_options,
    err_console,
    job_options,
    shipped_file,
)
from cocair_sim.errors import InputError, OutputError
from cocair_sim.files.atomic import atomic_write_bytes
from cocair_sim.files.yamlio import load_yaml_mapping


@click.command(name="table")
@click.argument("file", callback=shipped_file("experiments"))
@distributed_options
@click.option("--draws", type=click.IntRange(min=50), help="Override the file's `draws`.")
def table(file, workers, scheduler, resume, force, out, draws):
    """Simulate the reference table of the calibration FILE: draws from its priors, each run
    under every relay mode on common random numbers.

    \b
    Writes to --out (default results/<name>_table): store.sqlite (each finished draw at once),
    table.npz (every column, when all are done) and manifest.json (last). --resume continues an
    interrupted table, or extends a finished one to more --draws, with the same rows.
    """
    from cocair_sim.jobs import RunFailed
    from cocair_sim.workflows import run_table

    try:
        options = job_options(workers, scheduler, resume, force, what="draws")
        folder = run_table(file, out, draws=draws, **vars(options))
    except RunFailed as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}; rerun with --resume")
        sys.exit(1)
    console.print(f"reference table in [bold]{folder}[/]: table.npz", highlight=False)


@click.command()
@click.argument("file", callback=shipped_file("experiments"))
@click.option(
    "--table",
    "table_folder",
    type=click.Path(path_type=Path),
    help="The reference table's folder [results/<name>_table].",
)
@click.option(
    "--observed",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A YAML file of figures (target name: value) to infer from instead of the published.",
)
@click.option("--out", type=click.Path(path_type=Path), help="Results folder [results/<name>].")
@click.option("--force", is_flag=True, help="Replace existing results in --out.")
@click.option(
    "--export",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the posterior to this file (e.g. experiments/posteriors/cocair3.csv), and "
    "the analyses an experiment report reads to the folder of the same name.",
)
def calibrate(file, table_folder, observed, out, force, export):
    """Infer the parameters in FILE from its reference table (`cocair table FILE`), for the
    published figures or --observed ones; check the inference and say what it determines.

    \b
    Writes to --out: posterior.csv (a row per particle: a column per field, and weight),
    inference.csv (prior and posterior of every parameter and of the hub's effects, with the
    calibration check's coverages), sbc_ranks.csv, drivers.csv, surface.csv, information.csv,
    effects.csv, predictive.csv, figures/, report.html and manifest.json (last).
    """
    from cocair_sim.workflows import run_calibration

    figures = _observed(observed) if observed is not None else None
    result = run_calibration(
        file,
        out,
        table=table_folder,
        observed=figures,
        force=force,
        progress=RichProgress("steps", announce=False, transient=True),
    )
    if export is not None:
        analyses = export.with_suffix("")
        try:
            analyses.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(export, (result.out / "posterior.csv").read_bytes())
            for name in EXPORTED:
                atomic_write_bytes(analyses / name, (result.out / name).read_bytes())
        except OSError as exc:
            raise OutputError(f"{export}: cannot write the posterior ({exc})") from None
    effect = result.effects[0].quantiles
    coverage_50, coverage_90 = result.sbc.worst()
    summary = Table(title=f"{result.calibration.name}: what the figures determine")
    summary.add_column("")
    summary.add_column("", justify="right")
    summary.add_row("draws in the table", f"{len(result.problem.table):,}")
    summary.add_row("particles in the posterior", f"{len(result.posterior):,}")
    summary.add_row(
        "hub - no relay (headline outcome), median [90 %]",
        f"{effect[2]:+.1f} [{effect[0]:+.1f}, {effect[4]:+.1f}]",
    )
    summary.add_row(
        "calibration check: worst coverage miss (50 % / 90 % intervals)",
        f"{coverage_50:.1f} / {coverage_90:.1f} points",
    )
    console.print(summary)
    console.print(f"results in [bold]{result.out}[/]: posterior.csv, report.html", highlight=False)


# What an experiment's report reads of a calibration (`surface:` in the experiment file).
EXPORTED = ("surface.csv", "effects.csv", "information.csv", "inference.csv", "drivers.csv")


def _observed(path: Path) -> dict[str, float]:
    """Observed figures from a YAML mapping of target name to value."""
    raw = load_yaml_mapping(path)
    figures = {}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(str(path), str(name), "a figure must be a number")
        figures[str(name)] = float(value)
    return figures
