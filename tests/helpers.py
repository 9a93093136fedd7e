"""Paths and small helpers shared by the tests (fixtures are in conftest.py)."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXPERIMENTS = ROOT / "experiments"
CLASSROOM = SCENARIOS / "classroom.yaml"
COCAIR3 = SCENARIOS / "cocair3.yaml"


def hub_against_none(
    folder: Path, name: str, scenario: Path = CLASSROOM, replications: int = 8, **fields
) -> Path:
    """An experiment file, folder/exp.yaml: the hub against no relay on `scenario`, with the
    operation's kg seized and delivered; `fields` add top-level fields (posterior, surface...)."""
    import yaml

    doc = {
        "name": name,
        "scenario": str(scenario),
        "baseline": "none",
        "replications": replications,
        "conditions": [
            {"name": "none", "set": {"relay.mode": "none"}},
            {"name": "hub", "set": {"relay.mode": "hub"}},
        ],
        "metrics": ["operation.kg_seized_participants", "operation.kg_delivered"],
        **fields,
    }
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def cocair_command(*args) -> list[str]:
    return [sys.executable, "-m", "cocair_sim", *map(str, args)]


def cocair(*args, env: dict | None = None, cwd: Path = ROOT, timeout: float = 600):
    """Run the `cocair` command line in a new process; the CompletedProcess."""
    return subprocess.run(
        cocair_command(*args),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def cocair_with_broken_run(run_id: str, how: str, *args, cwd: Path = ROOT):
    """Run the command line in a new process in which run `run_id` raises (`how="raise"`) or
    kills its worker process (`how="crash"`). The break is made in the test's own launcher, by
    replacing `runs.execute_run` before the command starts; local workers are forked from that
    process and inherit it."""
    launcher = textwrap.dedent(
        f"""
        import os, sys
        from cocair_sim.experiment import runs

        real = runs.execute_run

        def broken(run):
            if run.run_id == {run_id!r}:
                if {how!r} == "crash":
                    os._exit(1)
                raise RuntimeError("a planted failure in run " + run.run_id)
            return real(run)

        runs.execute_run = broken
        from cocair_sim.cli import main
        sys.argv = ["cocair", *sys.argv[1:]]
        main()
        """
    )
    return subprocess.run(
        [sys.executable, "-c", launcher, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def stored_count(store: Path, table: str = "runs") -> int:
    """Rows in a store's table so far (an experiment's runs by default); 0 while the store is
    still being created (a file without its tables yet) or busy."""
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(store, timeout=5) as db:
            return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return 0
