"""The experiment store: every finished run, one transaction each (metrics and daily series).

A run is either fully in the store or not at all, so `--resume` simply runs what is missing
(see `cocair_sim.jobs.store` for what every store guarantees). Values are JSON, never pickles.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cocair_sim.jobs.store import SQLiteStore


@dataclass(frozen=True)
class StoredRun:
    """A stored run without its daily series."""

    run_id: str
    condition: str
    point: int
    sweep: dict[str, Any]
    replicate: int
    seed: int
    metrics: dict[str, float | None]
    seconds: float
    parameters: dict[str, Any] = field(default_factory=dict)  # drawn from a posterior
    particle: int | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredRun:
        """A row of the `runs` table, its JSON columns read."""
        return cls(
            run_id=row["run_id"],
            condition=row["condition"],
            point=row["point"],
            sweep=json.loads(row["sweep"]),
            replicate=row["replicate"],
            seed=row["seed"],
            metrics=json.loads(row["metrics"]),
            seconds=row["seconds"],
            parameters=json.loads(row["parameters"]),
            particle=row["particle"],
        )


@dataclass(frozen=True)
class RunRecord(StoredRun):
    """A finished run with its daily series: what a worker returns and the store keeps."""

    daily_header: list[str] = field(default_factory=list)
    daily_rows: list[list[Any]] = field(default_factory=list)


RUN_COLUMNS = (
    "run_id", "condition", "point", "sweep", "replicate", "seed", "metrics", "seconds",
    "parameters", "particle",
)  # fmt: skip


class Store(SQLiteStore):
    """The SQLite store of one experiment's (or sensitivity analysis's) finished runs."""

    WHAT = "experiment store"
    SCHEMA = """
        CREATE TABLE IF NOT EXISTS runs (
            run_id TEXT PRIMARY KEY,
            condition TEXT NOT NULL,
            point INTEGER NOT NULL,
            sweep TEXT NOT NULL,
            replicate INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            metrics TEXT NOT NULL,
            seconds REAL NOT NULL,
            parameters TEXT NOT NULL DEFAULT '{}',
            particle INTEGER
        );
        CREATE TABLE IF NOT EXISTS daily (
            run_id TEXT PRIMARY KEY REFERENCES runs(run_id),
            header TEXT NOT NULL,
            rows TEXT NOT NULL
        );
    """

    def migrate(self) -> None:
        """Stores made before runs recorded posterior draws resume with empty ones."""
        columns = {row["name"] for row in self.db.execute("PRAGMA table_info(runs)")}
        if "parameters" not in columns:
            self.db.execute("ALTER TABLE runs ADD COLUMN parameters TEXT NOT NULL DEFAULT '{}'")
            self.db.execute("ALTER TABLE runs ADD COLUMN particle INTEGER")

    def done_ids(self) -> set[str]:
        """The ids of every stored run."""
        return {row["run_id"] for row in self.db.execute("SELECT run_id FROM runs")}

    def count(self) -> int:
        """How many runs are stored."""
        return self.db.execute("SELECT COUNT(*) AS n FROM runs").fetchone()["n"]

    def add(self, rec: RunRecord) -> bool:
        """Store one finished run atomically; a run already present is left as it is."""
        values = {
            "run_id": rec.run_id,
            "condition": rec.condition,
            "point": rec.point,
            "sweep": json.dumps(rec.sweep, sort_keys=True),
            "replicate": rec.replicate,
            "seed": rec.seed,
            "metrics": json.dumps(rec.metrics),
            "seconds": rec.seconds,
            "parameters": json.dumps(rec.parameters, sort_keys=True),
            "particle": rec.particle,
        }
        with self.transaction():
            cur = self.db.execute(
                f"INSERT OR IGNORE INTO runs ({', '.join(RUN_COLUMNS)}) "
                f"VALUES ({', '.join(':' + c for c in RUN_COLUMNS)})",
                values,
            )
            if cur.rowcount == 0:
                return False
            self.db.execute(
                "INSERT INTO daily (run_id, header, rows) VALUES (?, ?, ?)",
                (rec.run_id, json.dumps(rec.daily_header), json.dumps(rec.daily_rows)),
            )
        return True

    def runs(self) -> Iterator[RunRecord]:
        """All stored runs in a stable order (point, condition, replicate), with daily series."""
        query = (
            f"SELECT {', '.join('r.' + c for c in RUN_COLUMNS)}, d.header, d.rows "
            "FROM runs r JOIN daily d USING (run_id) "
            "ORDER BY r.point, r.condition, r.replicate"
        )
        for row in self.db.execute(query):
            run = StoredRun.from_row(row)
            yield RunRecord(
                **vars(run),
                daily_header=json.loads(row["header"]),
                daily_rows=json.loads(row["rows"]),
            )

    def metric_rows(self) -> list[StoredRun]:
        """Runs without their daily series (cheap), in a stable order (point, condition,
        replicate)."""
        query = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs ORDER BY point, condition, replicate"
        return [StoredRun.from_row(row) for row in self.db.execute(query)]
