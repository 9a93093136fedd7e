"""`cocair experiment` and `cocair report`: paired replications, sweeps, statistics, reports.

Like every command module, it imports the work a command runs when the command runs (the
model, the jobs): `cocair --help` and `cocair check` stay fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from cocair_sim.cli.common import (
    console,
    distributed_options,
    err_console,
    job_options,
    shipped_file,
)
from cocair_sim.experiment.store import Store
from cocair_sim.experiment.tables import sweep_label
from cocair_sim.jobs import RunFailed
from cocair_sim.missing import is_missing
from cocair_sim.model.metrics import metric_label


@click.command()
@click.argument("file", callback=shipped_file("experiments"))
@distributed_options
@click.option("--replications", type=click.IntRange(min=1), help="Override the file's count.")
@click.option("--report/--no-report", default=True, show_default=True, help="Figures + report.")
def experiment(file, workers, scheduler, resume, force, out, replications, report):
    """Run the experiment FILE: every condition x sweep point x replicate, paired by seed.

    FILE is an experiment file, or the name of a shipped one (e.g. relay_modes). Finished runs
    go to OUT/store.sqlite one by one; an interrupted experiment continues with --resume and
    ends with the same results as an uninterrupted one.
    """
    from cocair_sim.experiment.spec import load_experiment
    from cocair_sim.workflows import run_experiment

    exp = load_experiment(file, replications=replications)
    out = out or Path("results") / exp.name

    def stored() -> str:
        count = 0
        if (out / "store.sqlite").is_file():
            with Store(out / "store.sqlite") as store:
                count = store.count()
        return f"{count} of {exp.run_count()} runs are stored"

    try:
        options = job_options(workers, scheduler, resume, force)
        result = run_experiment(exp, out, report=report, **vars(options))
    except RunFailed as exc:
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}\n{stored()} in "
            f"{escape(str(out / 'store.sqlite'))}; fix the cause and rerun with --resume",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print(
            f"interrupted: {stored()}; continue with cocair experiment {escape(str(file))} "
            f"--out {escape(str(out))} --resume",
            highlight=False,
        )
        sys.exit(130)
    print_summary(exp, result.summary, out)


def _fmt(v: float) -> str:
    if is_missing(v):
        return "-"
    return f"{v:,.3f}" if abs(v) < 1 else f"{v:,.1f}"


def print_summary(exp, summary: list[dict], out: Path) -> None:
    """The first metrics' rows of summary.csv as tables, and where the results are."""
    metrics = exp.spec.metrics[:5]
    points = sorted({r["point"] for r in summary})
    shown = points if len(points) <= 4 else points[:: max(1, len(points) // 4)]
    for metric in metrics:
        table = Table(title=escape(f"{metric_label(metric)} ({metric})"), title_justify="left")
        if exp.spec.sweep:
            table.add_column("sweep point")
        table.add_column("condition")
        table.add_column("mean [95% CI]", justify="right")
        table.add_column(f"vs {exp.spec.baseline_condition} [95% CI]", justify="right")
        table.add_column("change", justify="right")
        table.add_column("Wilcoxon p", justify="right")
        for r in summary:
            if r["metric"] != metric or r["point"] not in shown:
                continue
            cells = [sweep_label(r["sweep"])] if exp.spec.sweep else []
            cells += [
                r["condition"],
                f"{_fmt(r['mean'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]",
            ]
            if "diff_mean" in r:
                cells += [
                    f"{r['diff_mean']:+,.2f} [{r['diff_ci_low']:+,.2f}, {r['diff_ci_high']:+,.2f}]",
                    "-" if is_missing(r["rel_change"]) else f"{r['rel_change']:+.1%}",
                    f"{r['wilcoxon_p']:.3g}",
                ]
            else:
                cells += ["(baseline)", "", ""]
            table.add_row(*cells)
        console.print(table)
    console.print(
        f"results in [bold]{out}[/]: runs.csv, daily.csv, summary.csv, manifest.json"
        + (", report.html" if (out / "report.html").exists() else ""),
        highlight=False,
    )


@click.command(name="report")
@click.argument("results_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
def report(results_dir):
    """Write figures/ and report.html/report.md for the experiment in RESULTS_DIR again, from
    its store: the same files the experiment wrote."""
    from cocair_sim.workflows import rewrite_report

    path = rewrite_report(results_dir)
    console.print(f"report in [bold]{path}[/]", highlight=False)
