"""`cocair validate` (against the published operations) and `cocair sensitivity` (SALib)."""

from __future__ import annotations

import sys

import click
from rich.markup import escape
from rich.table import Table

from cocair_sim import shipped
from cocair_sim.cli.common import (
    RelayModeType,
    RichProgress,
    console,
    distributed_options,
    err_console,
    shipped_file,
)


@click.command()
@click.argument(
    "scenario", required=False, callback=shipped_file("scenarios", shipped.DEFAULT_SCENARIO)
)
@click.option("--replications", type=click.IntRange(min=2), default=50, show_default=True)
@click.option("--seed", type=int, default=2011, show_default=True, help="Base seed.")
@click.option(
    "--relay",
    type=RelayModeType(),
    default="hub",
    show_default=True,
    help="Relay mode (COCAIR III had the hub).",
)
@click.option("--strict", is_flag=True, help="Exit 1 when a measure is outside its band.")
def validate(scenario, replications, seed, relay, strict):
    """Compare SCENARIO's operation window with the published COCAIR figures.

    Simulated: mean and 90 % interval over replications, at participating airports, scaled to
    a 7-day week. Published: COCAIR III-V per week. Plausible: inside the band from a third of
    the lowest to three times the highest published figure.
    """
    from cocair_sim.scenario.loading import load_scenario
    from cocair_sim.science.validation import BAND_FACTOR, SEIZURES_NOTE, checks, simulate

    spec = load_scenario(scenario)
    with console.status(f"running {replications} replications"):
        results = checks(simulate(spec, replications, seed, relay))
    table = Table(title=f"{spec.name}: operation window vs published operations")
    for col in (
        "measure",
        "simulated mean",
        "90 % interval",
        "published (per week)",
        "band",
        "inside",
    ):
        table.add_column(col, justify="right" if col != "measure" else "left")
    for c in results:
        table.add_row(
            c.measure,
            f"{c.simulated_mean:.1f}",
            f"{c.simulated_p05:.1f} - {c.simulated_p95:.1f}",
            c.published,
            f"{c.band[0]:.1f} - {c.band[1]:.0f}",
            "[green]yes[/]" if c.inside else "[red]no[/]",
        )
    console.print(table)
    console.print(
        f"Bands: from 1/{BAND_FACTOR:g} of the lowest to {BAND_FACTOR:g}x the highest published "
        "figure; sources in docs/sources/FACTS.md. Cocaine only in the model.\n" + SEIZURES_NOTE,
        highlight=False,
    )
    if strict and not all(c.inside for c in results):
        sys.exit(1)


@click.command()
@click.argument("file", callback=shipped_file("experiments"))
@distributed_options
def sensitivity(file, workers, scheduler, resume, force, out):
    """Global sensitivity analysis (SALib Morris or Sobol) described in FILE.

    Writes samples.csv, indices.csv (index, value, 95 % CI per output and parameter) and
    figures/sensitivity.png|svg.
    """
    from cocair_sim.experiment.runner import RunFailed
    from cocair_sim.science.sensitivity import run_sensitivity

    try:
        result = run_sensitivity(
            file,
            out,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            force=force,
            progress=RichProgress(),
        )
    except RunFailed as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}; rerun with --resume")
        sys.exit(1)
    spec, rows, index = result.spec, result.rows, result.main_index
    table = Table(title=f"{spec.name}: {index} (95 % CI)")
    table.add_column("parameter")
    for o in spec.outputs:
        table.add_column(o, justify="right")
    for p in spec.parameters:
        cells = []
        for o in spec.outputs:
            r = next(
                r
                for r in rows
                if r["output"] == o and r["parameter"] == p.name and r["index"] == index
            )
            cells.append(f"{r['value']:.3g} ± {r['conf']:.2g}")
        table.add_row(p.name, *cells)
    console.print(table)
    console.print(
        f"results in [bold]{result.out}[/]: indices.csv, samples.csv, figures/", highlight=False
    )
