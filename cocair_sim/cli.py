"""The `cocair` command line: run scenarios and experiments, check files, print schemas."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cocair_sim.errors import InputError, OutputError
from cocair_sim.scenario import RELAY_MODES

# Piped or captured output gets a fixed, comfortable width instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)


class CocairGroup(click.Group):
    """Turns user errors into one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            _error(exc.message)
            ctx.exit(2)
        except OutputError as exc:
            _error(str(exc))
            ctx.exit(2)
        except KeyboardInterrupt:
            err_console.print("interrupted; nothing half-written was left as complete")
            ctx.exit(130)


def _error(message: str) -> None:
    """One line on stderr; text from files is printed literally, never as rich markup."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


@click.group(cls=CocairGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cocair-sim")
def main() -> None:
    """cocair-sim: airport drug interdiction and intelligence relay (Operation COCAIR III).

    \b
    Typical use:
      cocair run scenarios/cocair3.yaml --relay hub
      cocair experiment experiments/relay_modes.yaml     (then open results/relay_modes/report.html)
      cocair validate                                    (plausibility vs the published operations)
      cocair viz                                         (the classroom page in a browser)
      cocair check scenarios/my_scenario.yaml
    """


def _load(scenario: Path, sets: tuple[str, ...], relay: str | None, days: int | None):
    from cocair_sim.overrides import parse_set_options
    from cocair_sim.scenario import load_scenario

    overrides = parse_set_options(sets, source=f"{scenario} --set")
    if relay:
        overrides["relay.mode"] = relay
    if days is not None:
        overrides["calendar.days"] = days
    return load_scenario(scenario, overrides)


def _default_run_dir(scenario: Path, mode: str, seed: int) -> Path:
    return Path("results") / "runs" / f"{scenario.stem}-{mode}-seed{seed}"


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--relay", type=click.Choice(RELAY_MODES), help="Relay mode (default: the file's).")
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
    """Run one SCENARIO and write summary.json, daily.csv, events.csv and manifest.json."""
    from cocair_sim.model import CocairModel
    from cocair_sim.outputs import write_run
    from cocair_sim.runio import check_target, staged_folder
    from cocair_sim.scenario import file_sha256, scenario_hash

    spec = _load(scenario, sets, relay, days)
    out = out or _default_run_dir(scenario, spec.relay.mode, seed)
    check_target(out, force)
    started = time.perf_counter()
    model = CocairModel(spec, seed=seed)
    with Progress(
        TextColumn("[bold]simulating[/] day"),
        MofNCompleteColumn(),
        BarColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task("run", total=model.days)
        while model.running:
            model.step()
            progress.advance(task)
    manifest = {
        "command": "run",
        "scenario_file": str(scenario),
        "scenario_sha256": file_sha256(scenario),
        "scenario_content_sha256": scenario_hash(spec),
        "overrides": list(sets),
        "seed": seed,
        "relay_mode": model.relay_mode,
        "days": model.days,
        "seconds": round(time.perf_counter() - started, 3),
    }
    with staged_folder(out, force=force) as tmp:
        summary = write_run(model, tmp, manifest)
        if figures:
            _run_figures(model, tmp)
    _print_run_summary(summary, out)


def _run_figures(model, folder: Path) -> None:
    try:
        from cocair_sim import plots
    except ImportError:  # figures arrive with the plotting module
        return
    plots.run_figures(model, folder / "figures")


def _print_run_summary(summary: dict, out: Path) -> None:
    table = Table(
        title=f"{summary['scenario']} - relay: {summary['relay_mode']}, "
        f"seed {summary['seed']}, {summary['days']} days"
    )
    table.add_column("outcome")
    table.add_column("whole run", justify="right")
    table.add_column("operation window", justify="right")
    ops = summary["operation"]
    rows = [
        ("cocaine shipped (kg)", "kg_shipped"),
        ("cocaine seized (kg)", "kg_seized"),
        ("cocaine delivered (kg)", "kg_delivered"),
        ("seizure cases", "seizures"),
        ("arrests", "arrests"),
        ("couriers sent", "couriers_sent"),
        ("alerts sent", "alerts_sent"),
        ("alerts delivered", "alerts_delivered"),
        ("seizures after an alert", "alert_hits"),
        ("interdiction rate", "interdiction_rate"),
    ]
    for label, key in rows:
        whole, window = summary.get(key), ops.get(key)
        fmt = "{:.1%}" if key == "interdiction_rate" else "{:,.1f}" if "kg" in key else "{:,}"
        table.add_row(label, fmt.format(whole), "" if window is None else fmt.format(window))
    table.add_row("kg in transit at the end", f"{summary['kg_in_transit']:,.1f}", "")
    console.print(table)
    console.print(f"results in [bold]{out}[/]", highlight=False)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
def check(file):
    """Validate a scenario, experiment or sensitivity FILE; exit 2 with the first problem."""
    from cocair_sim.network import build_network
    from cocair_sim.scenario import load_scenario
    from cocair_sim.yamlio import load_yaml_mapping

    data = load_yaml_mapping(file)
    if "parameters" in data and "scenario" in data:
        from cocair_sim.sensitivity import load_sensitivity, sample

        spec, _ = load_sensitivity(file)
        console.print(
            f"{file}: valid sensitivity analysis '{spec.name}': {len(sample(spec))} "
            f"samples x {spec.replications} replicates",
            highlight=False,
        )
        return
    if "conditions" in data or "scenario" in data:
        from cocair_sim.experiment import load_experiment

        exp = load_experiment(file)
        console.print(f"{file}: valid experiment '{exp.name}': {exp.run_count()} runs")
        return
    spec = load_scenario(file)
    net = build_network(spec)
    console.print(
        f"{file}: valid scenario '{spec.name}': {len(net.airports)} airports, "
        f"{len(net.routes)} directed routes, {len(net.itineraries)} itineraries, "
        f"{len(spec.organisations)} organisations",
        highlight=False,
    )


@main.command()
@click.argument("kind", type=click.Choice(["scenario", "experiment"]))
def schema(kind):
    """Print the JSON Schema of a scenario or experiment file (for editors)."""
    if kind == "scenario":
        from cocair_sim.scenario import scenario_json_schema

        doc = scenario_json_schema()
    else:
        from cocair_sim.experiment import experiment_json_schema

        doc = experiment_json_schema()
    click.echo(json.dumps(doc, indent=2))


def _register_optional_commands() -> None:
    """Commands living in their own modules register themselves here."""
    for module in ("cocair_sim.cli_experiment", "cocair_sim.cli_science", "cocair_sim.cli_viz"):
        try:
            __import__(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


_register_optional_commands()

if __name__ == "__main__":  # pragma: no cover - `python -m cocair_sim.cli`
    from cocair_sim.cli import main as package_main  # the instance commands registered on

    sys.exit(package_main())
