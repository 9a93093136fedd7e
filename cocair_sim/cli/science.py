"""`cocair validate` (against the published operations) and `cocair sensitivity` (SALib).

Each command imports the work it runs when it runs: `cocair --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import numpy as np
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
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario field, e.g. --set customs_defaults.capacity_per_day=300.",
)
@click.option("--replications", type=click.IntRange(min=20), default=200, show_default=True)
@click.option("--seed", type=int, default=2011, show_default=True, help="Base seed.")
@click.option("--relay", type=RelayModeType(), help="Relay mode (default: the file's).")
@click.option(
    "--power",
    "with_power",
    is_flag=True,
    help="Also: how often the check rejects datasets simulated from worlds known to be wrong.",
)
def validate(scenario, posterior, sets, replications, seed, relay, with_power):
    """Check SCENARIO against the results it publishes (its `published:` targets), jointly.

    \b
    Each target is read from every run on the published figure's terms and scale (the log for
    counts), with the figure's own uncertainty. The joint check scores the published figures
    against the runs with the energy score on each figure's normal score (figures that move
    together count once); its p-value is the share of the runs whose own score is as bad. A
    wider model does not pass more easily. Each figure also gets its own two-sided p-value.
    Exit 0 when the joint p-value is 0.05 or more, 1 below, 2 on bad input.
    """
    from cocair_sim.errors import InputError
    from cocair_sim.experiment.posterior import load_posterior
    from cocair_sim.files.yamlio import load_yaml_mapping
    from cocair_sim.scenario.loading import scenario_with_overrides
    from cocair_sim.scenario.overrides import parse_set_options
    from cocair_sim.science.validation import LEVEL, power, validate

    overrides = parse_set_options(sets, source=f"{scenario} --set")
    raw = load_yaml_mapping(scenario)
    spec = scenario_with_overrides(raw, str(scenario), overrides)
    if not spec.published:
        raise InputError(str(scenario), "published", "the scenario lists no published results")
    drawn = None
    if posterior is not None:
        if not posterior.is_file():
            raise InputError("--posterior", str(posterior), "file not found")
        drawn = load_posterior(posterior, "--posterior", raw, scenario, overrides)
    with console.status(f"running {replications} replications"):
        result = validate(spec, replications, seed, drawn, relay)
    what = "posterior predictive" if drawn is not None else "the scenario's values"
    table = Table(title=f"{spec.name}: {what} against the published results")
    for col in ("target", "published", "model median", "90 % of runs", "p (this figure)"):
        table.add_column(col, justify="left" if col == "target" else "right")
    for k, t in enumerate(result.targets):
        values = result.values[:, k]
        table.add_row(
            t.name,
            f"{t.value:.3g}",
            f"{np.median(values):.3g}",
            f"{np.percentile(values, 5):.3g} - {np.percentile(values, 95):.3g}",
            f"{result.check.p_each[k]:.3f}",
        )
    console.print(table)
    verdict = "[red]rejected[/]" if result.rejected else "[green]consistent[/]"
    console.print(
        f"Joint check: energy score {result.check.score:.2f}, p = "
        f"{result.check.p_joint:.3f}: {verdict} at the {LEVEL:g} level.",
        highlight=False,
    )
    for names, r in result.duplicates():
        listed = f"{', '.join(names[:-1])} and {names[-1]}"
        console.print(f"{listed} move together (r >= {r:.2f}): they count as one figure.")
    for name in result.uninformative():
        console.print(
            f"{name} is uninformative: the model barely moves it against its own uncertainty."
        )
    if with_power:
        with console.status("simulating wrong worlds"):
            rows = power(spec, posterior=drawn, seed=seed, replications=replications)
        ptable = Table(title="How often the check rejects datasets from each world")
        ptable.add_column("world")
        ptable.add_column("rejected", justify="right")
        for row in rows:
            ptable.add_row(row.world, f"{row.rejected:.0%} of {row.datasets}")
        console.print(ptable)
    if result.rejected:
        err_console.print(
            "the published figures are outside what the model allows", highlight=False
        )
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
