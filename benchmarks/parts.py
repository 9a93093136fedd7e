"""The parts of the benchmark, declared once: what each measures, where its results go in
results.json, and which command-line flags run it alone or skip it. The command-line options,
which parts run and the printed table are all derived from `PARTS`."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.table import Table

from benchmarks import calibration, default_run, exercise, headline, memory, page, scaling
from benchmarks.common import Row, Settings, get, has


@dataclass(frozen=True)
class Part:
    """One part of the benchmark.

    `number` is how the docs and the progress lines name it ("7"; parts 1 and 2 are measured
    together). Its result goes to `path` in results.json (keys, outermost first). `--skip-<skip>`
    leaves it out; `--only-<only>` runs it with the other parts of the same `only` and nothing
    else; a part with `only=None` runs whenever no `--only-...` flag is given. `quick=False`:
    too long for `--quick`, which leaves it out."""

    number: str
    title: str
    path: tuple[str, ...]
    run: Callable[[Settings], Any]
    rows: Callable[[Any, dict[str, Any]], list[Row]]
    skip: str | None = None
    only: str | None = None
    quick: bool = True


PARTS: tuple[Part, ...] = (
    Part("1-2", "the default run and a trivial Mesa agent step", ("default_run",), default_run.run,
         default_run.rows),
    Part("3", "scaling with volume and network size", ("scaling",), scaling.run, scaling.rows),
    Part("4", "the headline experiment on 1 and 2 workers and via mesa.batch_run", ("experiment",),
         headline.run, headline.rows, skip="experiment"),
    Part("5", "memory during a long experiment", ("memory",), memory.run, memory.rows,
         skip="experiment"),
    Part("6", "the classroom page", ("page",), page.run, page.rows, skip="page"),
    Part("7", "one reference-table draw against its modes' plain runs",
         ("calibration", "draw"), calibration.run_draw, calibration.draw_rows, only="calibration"),
    Part("7", "the shipped reference table on 2 workers and every analysis of it (about half "
         "an hour; --quick: 1,000 draws, projected)", ("calibration", "shipped"),
         calibration.run_shipped, calibration.shipped_rows, skip="calibration",
         only="calibration"),
    Part("7", "table draws on a Dask LocalCluster, 1 worker against 2", ("calibration", "dask"),
         calibration.run_dask, calibration.dask_rows, skip="calibration", only="calibration"),
    Part("8", f"the classroom exercise, {' and '.join(map(str, exercise.PAGES))} team pages "
         f"(--quick: {exercise.PAGES[0]})", ("exercise",),
         exercise.run, exercise.rows, skip="page", only="exercise"),
)  # fmt: skip


def _flags(kind: str) -> dict[str, list[Part]]:
    """The parts each `--skip-...` or `--only-...` flag names, in the parts' order."""
    flags: dict[str, list[Part]] = {}
    for part in PARTS:
        name = getattr(part, kind)
        if name is not None:
            flags.setdefault(name, []).append(part)
    return flags


def _describe(parts: Iterable[Part]) -> str:
    """ "part 4: its title; part 5: its title", parts of one number named together."""
    titles: dict[str, list[str]] = {}
    for p in parts:
        titles.setdefault(p.number, []).append(p.title)
    return "; ".join(f"part {n}: {' and '.join(t)}" for n, t in titles.items())


def add_options(ap: argparse.ArgumentParser) -> None:
    """The `--skip-...` and `--only-...` options, and the list of parts in the help."""
    for name, parts in _flags("skip").items():
        ap.add_argument(f"--skip-{name}", action="store_true", help=f"skip {_describe(parts)}")
    for name, parts in _flags("only").items():
        ap.add_argument(f"--only-{name}", action="store_true", help=f"run only {_describe(parts)}")
    ap.epilog = "parts:\n" + "\n".join(
        f"  {p.number:>4}  {p.title}" + ("" if p.quick else " - not with --quick") for p in PARTS
    )


def alone(args: argparse.Namespace) -> set[str]:
    """The `--only-...` flags given (by name)."""
    return {name for name in _flags("only") if getattr(args, f"only_{name}")}


def selected(args: argparse.Namespace) -> list[Part]:
    """The parts the options ask for, in order."""
    only = alone(args)
    return [
        part
        for part in PARTS
        if (part.only in only if only else True)
        and not (part.skip and getattr(args, f"skip_{part.skip}"))
        and (part.quick or not args.quick)
    ]


def table(results: dict[str, Any]) -> Table:
    """The table of the results: each part present formats its own rows."""

    def ok(flag: bool | None) -> str:
        return "" if flag is None else ("[green]met[/]" if flag else "[red]not met[/]")

    machine = results["machine"]
    t = Table(title=f"cocair-sim performance ({machine['cpus']} cores, Mesa {machine['mesa']})")
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_column("target", justify="right")
    t.add_column("")
    for part in PARTS:
        if has(results, part.path):
            for row in part.rows(get(results, part.path), results):
                t.add_row(row.measure, row.value, row.target, ok(row.met))
    return t
