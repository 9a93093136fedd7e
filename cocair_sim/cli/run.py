"""`cocair run`, `cocair check` and `cocair schema`: one run, and the file formats.

Each command imports the work it runs when it runs: `cocair --help` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from cocair_sim import shipped
from cocair_sim.cli.common import RelayModeType, RichProgress, console, shipped_file


@click.command()
@click.argument(
    "scenario",
    required=False,
    callback=shipped_file("scenarios", shipped.DEFAULT_SCENARIO),
)
@click.option("--relay", type=RelayModeType(), help="Relay mode (default: the file's).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the run.")
@click.option("--days", type=click.IntRange(min=1), help="Simulated days (default: the file's).")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario field, e.g. --set relay.hub_latency_hours=24 (repeatable).",
)
@click.option("--out", type=click.Path(path_type=Path), help="Output folder.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--figures/--no-figures", default=True, show_default=True, help="Write figures.")
def run(scenario, relay, seed, days, sets, out, force, figures):
    """Run one SCENARIO and write summary.json, daily.csv, events.csv and manifest.json.

    SCENARIO is a scenario file, or the name of a shipped one (cocair3, the default;
    network2014; classroom).
    """
    from cocair_sim.scenario.overrides import parse_set_options
    from cocair_sim.workflows import run_scenario

    overrides = parse_set_options(sets, source=f"{scenario} --set")
    if relay:
        overrides["relay.mode"] = relay
    if days is not None:
        overrides["calendar.days"] = days
    result = run_scenario(
        scenario,
        out,
        seed=seed,
        overrides=overrides,
        figures=figures,
        force=force,
        progress=RichProgress("days", announce=False, transient=True),
    )
    print_run_summary(result.summary, result.out)


def print_run_summary(summary: dict, out: Path) -> None:
    """Every declared metric of the run, for the whole run and the operation window."""
    from cocair_sim.model.metrics import declared

    table = Table(
        title=f"{summary['scenario']} - relay: {summary['relay_mode']}, "
        f"seed {summary['seed']}, {summary['days']} days"
    )
    table.add_column("outcome")
    table.add_column("whole run", justify="right")
    table.add_column("operation window", justify="right")
    window = summary["operation"]
    for metric in declared().values():
        unit = f" ({metric.unit})" if metric.unit else ""
        table.add_row(
            metric.label + unit,
            metric.format(summary[metric.name]) if metric.whole_run else "",
            metric.format(window[metric.name]) if metric.operation else "",
        )
    console.print(table)
    console.print(f"results in [bold]{out}[/]", highlight=False)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
def check(file):
    """Validate a scenario, experiment, sensitivity or calibration FILE; exit 2 with the first
    problem."""
    from cocair_sim.files.yamlio import load_yaml_mapping

    data = load_yaml_mapping(file)
    if "targets" in data and "scenario" in data:
        from cocair_sim.calibration import load_calibration

        cal = load_calibration(file)
        console.print(
            f"{file}: valid calibration '{cal.name}': {len(cal.spec.parameters)} parameters, "
            f"{len(cal.targets)} targets, a reference table of {cal.spec.draws:,} draws",
            highlight=False,
        )
        return
    if "parameters" in data and "scenario" in data:
        from cocair_sim.science.sensitivity import load_sensitivity, sample

        spec, _ = load_sensitivity(file)
        console.print(
            f"{file}: valid sensitivity analysis '{spec.name}': {len(sample(spec))} "
            f"samples x {spec.replications} replicates",
            highlight=False,
        )
        return
    if "conditions" in data or "scenario" in data:
        from cocair_sim.experiment.spec import load_experiment

        exp = load_experiment(file)
        console.print(f"{file}: valid experiment '{exp.name}': {exp.run_count()} runs")
        return
    from cocair_sim.scenario.loading import load_scenario
    from cocair_sim.scenario.network import network_for

    spec = load_scenario(file)
    net = network_for(spec)
    console.print(
        f"{file}: valid scenario '{spec.name}': {len(net.airports)} airports, "
        f"{len(net.routes)} directed routes, {len(net.itineraries)} itineraries, "
        f"{len(spec.organisations)} organisations",
        highlight=False,
    )


SCHEMAS = {
    "scenario": "cocair_sim.scenario.schema:scenario_json_schema",
    "experiment": "cocair_sim.experiment.spec:experiment_json_schema",
    "calibration": "cocair_sim.calibration.spec:calibration_json_schema",
}


@click.command()
@click.argument("kind", type=click.Choice(list(SCHEMAS)))
def schema(kind):
    """Print the JSON Schema of a file format (for editors)."""
    from importlib import import_module

    module, function = SCHEMAS[kind].split(":")
    click.echo(json.dumps(getattr(import_module(module), function)(), indent=2))
