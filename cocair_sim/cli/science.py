"""`cocair validate` (against the published operations) and `cocair sensitivity` (SALib).

Each command imports the work it runs when it runs: `cocair --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from cocair_sim import shipped
from cocair_sim.cli.common import (
    RelayModeType,
    console,
    distributed_options,
    err_console,
    job_options,
    shipped_file,
)


@click.command()
@click.argument(
    "scenario", required=False, callback=shipped_file("scenarios", shipped.DEFAULT_SCENARIO)
)
@click.option(
    "--posterior",
    type=click.Path(path_type=Path),
    help="A calibration's posterior.csv: each replicate draws its parameter values from it.",
)
@click.option("--replications", type=click.IntRange(min=2), default=100, show_default=True)
@click.option("--seed", type=int, default=2011, show_default=True, help="Base seed.")
@click.option("--relay", type=RelayModeType(), help="Relay mode (default: the file's).")
def validate(scenario, posterior, replications, seed, relay):
    """Check SCENARIO against the results it publishes (its `published:` targets).

    Each target is read from every run on the published figure's terms. On the target's scale
    (log for counts) the published value must lie within two standard deviations of the runs'
    mean, combining the target's own uncertainty with the runs' spread. Exit 0 when every
    target is inside, 1 when any is outside, 2 on bad input.
    """
    from cocair_sim.errors import InputError
    from cocair_sim.experiment.posterior import load_posterior
    from cocair_sim.files.yamlio import load_yaml_mapping
    from cocair_sim.scenario.loading import scenario_with_overrides
    from cocair_sim.science.validation import Z_LIMIT, check_published

    raw = load_yaml_mapping(scenario)
    spec = scenario_with_overrides(raw, str(scenario))
    if not spec.published:
        raise InputError(str(scenario), "published", "the scenario lists no published results")
    drawn = None
    if posterior is not None:
        if not posterior.is_file():
            raise InputError("--posterior", str(posterior), "file not found")
        drawn = load_posterior(posterior, "--posterior", raw, scenario)
    with console.status(f"running {replications} replications"):
        results = check_published(spec, replications, seed, drawn, relay)
    what = "posterior predictive" if drawn is not None else "the scenario's values"
    table = Table(title=f"{spec.name}: {what} against the published results")
    for col in ("target", "published", "model median", "90 % of runs", "z", "inside"):
        table.add_column(col, justify="left" if col == "target" else "right")
    for c in results:
        table.add_row(
            c.target.name,
            f"{c.target.value:.3g}",
            f"{c.median:.3g}",
            f"{c.p05:.3g} - {c.p95:.3g}",
            f"{c.z:+.2f}",
            "[green]yes[/]" if c.inside else "[red]no[/]",
        )
    console.print(table)
    console.print(
        f"Inside: |z| <= {Z_LIMIT:g}, z = (published - mean of the runs) / sqrt(target sd^2 + "
        "variance of the runs), on each target's scale (log1p for counts). Sources and "
        "uncertainties: the scenario's `published` list.",
        highlight=False,
    )
    outside = [c.target.name for c in results if not c.inside]
    if outside:
        err_console.print(f"outside: {', '.join(outside)}", highlight=False)
        sys.exit(1)


@click.command()
@click.argument("file", callback=shipped_file("experiments"))
@distributed_options
def sensitivity(file, workers, scheduler, resume, force, out):
    """Global sensitivity analysis (SALib Morris or Sobol) described in FILE.

    Writes samples.csv, indices.csv (index, value, 95 % CI per output and parameter) and
    figures/sensitivity.png|svg.
    """
    from cocair_sim.jobs import RunFailed
    from cocair_sim.workflows import run_sensitivity

    try:
        options = job_options(workers, scheduler, resume, force)
        result = run_sensitivity(file, out, **vars(options))
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
