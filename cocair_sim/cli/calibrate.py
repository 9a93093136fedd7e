"""`cocair calibrate`: fit the estimated parameters to the published results (ABC-SMC).

The command imports the work it runs when it runs: `cocair --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from cocair_sim.cli.common import console, distributed_options, job_options, shipped_file
from cocair_sim.errors import OutputError
from cocair_sim.files.atomic import atomic_write_bytes


@click.command()
@click.argument("file", callback=shipped_file("experiments"))
@distributed_options
@click.option(
    "--export",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the posterior to this file (e.g. experiments/posteriors/cocair3.csv).",
)
def calibrate(file, workers, scheduler, resume, force, out, export):
    """Calibrate the parameters in FILE against published results (ABC-SMC with pyabc).

    \b
    Writes to --out: history.sqlite (pyabc's, one generation at a time), posterior.csv
    (a row per particle: a column per field, and weight), generations.csv, predictive.csv,
    figures/, report.html and manifest.json (last). One worker repeats exactly; --resume
    continues a killed calibration from its last finished generation.
    """
    from cocair_sim.workflows import run_calibration

    options = job_options(workers, scheduler, resume, force, what="generations")
    result = run_calibration(file, out, **vars(options))
    if export is not None:
        try:
            export.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(export, (result.out / "posterior.csv").read_bytes())
        except OSError as exc:
            raise OutputError(f"{export}: cannot write the posterior ({exc})") from None
    cal = result.calibration
    table = Table(title=f"{cal.name}: posterior predictive against the published results")
    for col in ("target", "published", "predictive median", "90 % interval", "inside"):
        table.add_column(col, justify="left" if col == "target" else "right")
    for s in result.predictive:
        inside = s["p05"] <= s["published"] <= s["p95"]
        table.add_row(
            s["target"],
            f"{s['published']:.3g}",
            f"{s['median']:.3g}",
            f"{s['p05']:.3g} - {s['p95']:.3g}",
            "[green]yes[/]" if inside else "[red]no[/]",
        )
    console.print(table)
    runs = sum(g["model_runs"] for g in result.generations)
    console.print(
        f"{len(result.generations)} generations, {runs:,} model runs; results in "
        f"[bold]{result.out}[/]: posterior.csv, report.html",
        highlight=False,
    )
