"""`cocair validate` (plausibility against the published operations) and `cocair sensitivity`
(global sensitivity analysis with SALib)."""

from __future__ import annotations

import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from cocair_sim.cli import console, err_console, main

DEFAULT_SCENARIO = Path("scenarios") / "cocair3.yaml"


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), default=str(DEFAULT_SCENARIO))
@click.option("--replications", type=click.IntRange(min=2), default=50, show_default=True)
@click.option("--seed", type=int, default=2011, show_default=True, help="Base seed.")
@click.option(
    "--relay",
    type=click.Choice(["none", "bilateral", "hub"]),
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
    from cocair_sim.scenario import load_scenario
    from cocair_sim.validation import BAND_FACTOR, SEIZURES_NOTE, checks, simulate

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


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes [all cores].")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address.")
@click.option("--resume", is_flag=True, help="Continue an interrupted analysis in --out.")
@click.option("--force", is_flag=True, help="Replace existing results in --out.")
@click.option("--out", type=click.Path(path_type=Path), help="Results folder [results/<name>].")
def sensitivity(file, workers, scheduler, resume, force, out):
    """Global sensitivity analysis (SALib Morris or Sobol) described in FILE.

    Writes samples.csv, indices.csv (index, value, 95 % CI per output and parameter) and
    figures/sensitivity.png|svg.
    """
    from cocair_sim import sensitivity as sa
    from cocair_sim.cli_experiment import open_executor, prepare_folder
    from cocair_sim.experiment import RunFailed, run_all
    from cocair_sim.outputs import atomic_write_csv, atomic_write_json, versions
    from cocair_sim.store import Store

    spec, scenario = sa.load_sensitivity(file)
    out = out or Path("results") / spec.name
    digest = sa.content_hash(spec, scenario)
    prepare_folder(out, resume, force, digest)
    out.mkdir(parents=True, exist_ok=True)
    X = sa.sample(spec)
    runs = sa.plan(spec, scenario, X)
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    with ExitStack() as stack:
        store = stack.enter_context(Store(out / "store.sqlite"))
        if store.get_meta("experiment_hash") is None:
            store.set_meta("experiment_hash", digest)
        done_ids = store.done_ids()
        missing = [r for r in runs if r.run_id not in done_ids]
        executor, backend = open_executor(stack, scheduler, workers, len(missing) > 1)
        err_console.print(
            f"{spec.name}: {spec.method}, {len(X)} samples x {spec.replications} "
            f"replicates = {len(runs)} runs ({len(runs) - len(missing)} stored)",
            highlight=False,
        )
        with click.progressbar(length=len(missing), label="runs", file=sys.stderr) as bar:
            try:
                run_all(missing, executor, store, workers, bar.update, local=backend == "local")
            except RunFailed as exc:
                err_console.print(f"[bold red]error:[/] {escape(str(exc))}; rerun with --resume")
                sys.exit(1)
        Y = sa.outcome_matrix(spec, store, len(X))
    rows = sa.analyse(spec, X, Y)
    names = [p.name for p in spec.parameters]
    atomic_write_csv(
        out / "samples.csv",
        ["sample", *names, *spec.outputs],
        ([i, *X[i], *(Y[o][i] for o in spec.outputs)] for i in range(len(X))),
    )
    atomic_write_csv(
        out / "indices.csv",
        ["method", "output", "parameter", "index", "value", "conf95"],
        (
            [
                spec.method,
                r["output"],
                r["parameter"],
                r["index"],
                round(r["value"], 6),
                "" if r["conf"] != r["conf"] else round(r["conf"], 6),
            ]
            for r in rows
        ),
    )
    sa.bar_chart(spec, rows, out / "figures")
    atomic_write_json(
        out / "manifest.json",
        {
            "analysis": spec.name,
            "file": str(file),
            "method": spec.method,
            "samples": len(X),
            "replications": spec.replications,
            "runs": len(runs),
            "versions": versions(),
            "seconds": round(time.perf_counter() - started, 2),
            "command": sys.argv,
        },
    )
    main_index = "mu_star" if spec.method == "morris" else "ST"
    table = Table(title=f"{spec.name}: {main_index} (95 % CI)")
    table.add_column("parameter")
    for o in spec.outputs:
        table.add_column(o, justify="right")
    for name in names:
        cells = []
        for o in spec.outputs:
            r = next(
                r
                for r in rows
                if r["output"] == o and r["parameter"] == name and r["index"] == main_index
            )
            cells.append(f"{r['value']:.3g} ± {r['conf']:.2g}")
        table.add_row(name, *cells)
    console.print(table)
    console.print(f"results in [bold]{out}[/]: indices.csv, samples.csv, figures/", highlight=False)
