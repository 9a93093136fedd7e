"""What every command shares: consoles, the one-line error and exit codes, common options."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cocair_sim import shipped
from cocair_sim.errors import InputError, OutputError
from cocair_sim.experiment.pipeline import Progress as RunProgress

# Piped or captured output gets a fixed, comfortable width instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)


class CocairGroup(click.Group):
    """Turns user errors into one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (InputError, OutputError) as exc:
            error(str(exc))
            ctx.exit(2)
        except KeyboardInterrupt:
            err_console.print("interrupted; nothing half-written was left as complete")
            ctx.exit(130)


def error(message: str) -> None:
    """One line on stderr; text from files is printed literally, never as rich markup."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


class RelayModeType(click.ParamType):
    """A registered relay mode that runs without people, checked when the command runs (so modes
    registered by plug-ins count) and listed in `--help`."""

    name = "relay mode"

    def get_metavar(self, param, ctx=None) -> str:
        from cocair_sim.intel.relay import automatic_mode_names

        return "[" + "|".join(automatic_mode_names()) + "]"

    def convert(self, value, param, ctx):
        from cocair_sim.intel.relay import automatic_mode_names

        if value in automatic_mode_names():
            return value
        self.fail(f"'{value}' is not one of {', '.join(automatic_mode_names())}", param, ctx)


def shipped_file(kind: str, default: str | None = None) -> Callable[[str | None], Path | None]:
    """A click callback: a file argument may name a shipped file (`cocair3`, `relay_modes`)."""

    def resolve(ctx, param, value):
        if value is None and default is None:
            return None
        return shipped.resolve(value, kind, default or "")

    return resolve


def distributed_options(f):
    """--workers, --scheduler, --resume, --force, --out: how a batch of runs is executed and
    where its results go (experiments, sensitivity analyses, calibrations)."""
    options = [
        click.option(
            "--workers", type=click.IntRange(min=1), help="Local worker processes [all cores]."
        ),
        click.option(
            "--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://10.0.0.5:8786."
        ),
        click.option("--resume", is_flag=True, help="Continue interrupted work in --out."),
        click.option("--force", is_flag=True, help="Replace existing results in --out."),
        click.option(
            "--out", type=click.Path(path_type=Path), help="Results folder [results/<name>]."
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


class RichProgress(RunProgress):
    """A progress bar on stderr for stored runs (hidden when stderr is not a terminal)."""

    def __init__(self, what: str = "runs"):
        self.what = what
        self.bar: Progress | None = None
        self.task = None

    def begin(self, name, total, stored, backend, workers) -> None:
        where = f"backend {backend}" + ("" if backend == "dask" else f", {workers} worker(s)")
        err_console.print(
            f"{name}: {total} {self.what} ({stored} already stored), {where}", highlight=False
        )
        self.bar = Progress(
            TextColumn(f"[bold]{self.what}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            disable=not err_console.is_terminal,
        )
        self.bar.start()
        self.task = self.bar.add_task(self.what, total=total, completed=stored)

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=n)

    def end(self) -> None:
        if self.bar is not None:
            self.bar.stop()
