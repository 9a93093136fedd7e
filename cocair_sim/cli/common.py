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

from cocair_sim import plugins, shipped
from cocair_sim.errors import InputError, OutputError
from cocair_sim.intel.relay import automatic_mode_names
from cocair_sim.jobs import Options
from cocair_sim.jobs import Progress as JobProgress
from cocair_sim.plugins import PluginError

# Piped or captured output gets a fixed, comfortable width instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)


class CocairGroup(click.Group):
    """Turns user errors into one line on stderr and exit code 2, never a traceback; adds the
    commands of installed plug-ins (entry point group `cocair_sim.commands`)."""

    def invoke(self, ctx):
        """Run the command; a user error or Ctrl-C ends it with one line and an exit code."""
        try:
            return super().invoke(ctx)
        except (InputError, OutputError, PluginError) as exc:
            error(str(exc))
            ctx.exit(2)
        except KeyboardInterrupt:
            err_console.print("interrupted; nothing half-written was left as complete")
            ctx.exit(130)

    def list_commands(self, ctx):
        """Every command's name, plug-ins' included (`--help`)."""
        self._load_plugins(ctx)
        return super().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        """The command `cmd_name`, which may come from a plug-in."""
        self._load_plugins(ctx)
        return super().get_command(ctx, cmd_name)

    def _load_plugins(self, ctx) -> None:
        try:
            plugins.load_group("commands", self._add_plugin_command)
        except PluginError as exc:
            error(str(exc))
            ctx.exit(2)

    def _add_plugin_command(self, command) -> None:
        if not isinstance(command, click.Command):
            raise TypeError(f"a command must be a click command, not {type(command).__name__}")
        if command.name in self.commands:
            raise ValueError(f"command '{command.name}' already exists")
        self.add_command(command)


def error(message: str) -> None:
    """One line on stderr; text from files is printed literally, never as rich markup."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


class RelayModeType(click.ParamType):
    """A registered relay mode that runs without people, checked when the command runs (so modes
    registered by plug-ins count) and listed in `--help`."""

    name = "relay mode"

    def get_metavar(self, param, ctx=None) -> str:
        """The modes as `--help` lists them: `[hub|bilateral|none]`."""
        return "[" + "|".join(automatic_mode_names()) + "]"

    def convert(self, value, param, ctx):
        """The mode's name if it is registered and needs no people; a usage error otherwise."""
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


def job_options(workers, scheduler, resume, force, what: str = "runs") -> Options:
    """The shared options of a job command, with a progress bar."""
    return Options(
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        force=force,
        progress=RichProgress(what),
    )


class RichProgress(JobProgress):
    """A progress bar on stderr for a job's work (hidden when stderr is not a terminal)."""

    def __init__(self, what: str = "runs", announce: bool = True, transient: bool = False):
        self.what = what
        self.announce = announce
        self.transient = transient
        self.bar: Progress | None = None
        self.task = None

    def begin(self, name, total, done, backend, workers) -> None:
        """Announce the work (unless told not to) and start the bar at `done` of `total`."""
        if self.announce:
            where = f"backend {backend}" + ("" if backend == "dask" else f", {workers} worker(s)")
            err_console.print(
                f"{name}: {total} {self.what} ({done} already stored), {where}", highlight=False
            )
        self.bar = Progress(
            TextColumn(f"[bold]{self.what}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=self.transient,
            disable=not err_console.is_terminal,
        )
        self.bar.start()
        self.task = self.bar.add_task(self.what, total=total, completed=done)

    def advance(self, n: int) -> None:
        """Move the bar on by `n` finished units."""
        if self.bar is not None:
            self.bar.update(self.task, advance=n)

    def end(self) -> None:
        """Stop the bar (a transient one disappears)."""
        if self.bar is not None:
            self.bar.stop()
