"""The experiment store: one SQLite file, one transaction per finished run.

WAL journaling keeps the file consistent if the process is killed at any moment; a run is either
fully in the store (its metrics and its daily series) or not at all, so `--resume` simply runs
what is missing. Nothing read from the store is ever evaluated or unpickled: values are JSON.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    condition: str
    point: int
    sweep: dict[str, Any]
    replicate: int
    seed: int
    metrics: dict[str, float | None]
    daily_header: list[str]
    daily_rows: list[list[Any]]
    seconds: float
    parameters: dict[str, Any] = field(default_factory=dict)  # drawn from a posterior
    particle: int | None = None


class StoredRun(NamedTuple):
    """A stored run without its daily series."""

    run_id: str
    condition: str
    point: int
    sweep: dict[str, Any]
    replicate: int
    seed: int
    metrics: dict[str, float | None]
    seconds: float
    parameters: dict[str, Any] = {}  # noqa: RUF012 - a NamedTuple default, never mutated
    particle: int | None = None


class Store:
    """SQLite store of finished runs for one experiment."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
        )
        # Stores made before runs recorded posterior draws resume with empty ones.
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(runs)")}
        if "parameters" not in columns:
            self.db.execute("ALTER TABLE runs ADD COLUMN parameters TEXT NOT NULL DEFAULT '{}'")
            self.db.execute("ALTER TABLE runs ADD COLUMN particle INTEGER")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def done_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT run_id FROM runs")}

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    def add(self, rec: RunRecord) -> bool:
        """Store one finished run atomically; a run already present is left as it is."""
        with self._transaction():
            cur = self.db.execute(
                "INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rec.run_id,
                    rec.condition,
                    rec.point,
                    json.dumps(rec.sweep, sort_keys=True),
                    rec.replicate,
                    rec.seed,
                    json.dumps(rec.metrics),
                    rec.seconds,
                    json.dumps(rec.parameters, sort_keys=True),
                    rec.particle,
                ),
            )
            if cur.rowcount == 0:
                return False
            self.db.execute(
                "INSERT INTO daily VALUES (?, ?, ?)",
                (rec.run_id, json.dumps(rec.daily_header), json.dumps(rec.daily_rows)),
            )
        return True

    def _transaction(self):
        db = self.db

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, *_):
                db.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()

    def runs(self) -> Iterator[RunRecord]:
        """All stored runs in a stable order (point, condition, replicate), with daily series."""
        query = (
            "SELECT r.run_id, r.condition, r.point, r.sweep, r.replicate, r.seed, r.metrics, "
            "r.seconds, d.header, d.rows, r.parameters, r.particle "
            "FROM runs r JOIN daily d USING (run_id) "
            "ORDER BY r.point, r.condition, r.replicate"
        )
        for row in self.db.execute(query):
            yield RunRecord(
                run_id=row[0],
                condition=row[1],
                point=row[2],
                sweep=json.loads(row[3]),
                replicate=row[4],
                seed=row[5],
                metrics=json.loads(row[6]),
                daily_header=json.loads(row[8]),
                daily_rows=json.loads(row[9]),
                seconds=row[7],
                parameters=json.loads(row[10]),
                particle=row[11],
            )

    def metric_rows(self) -> list[StoredRun]:
        """Runs without their daily series (cheap), in a stable order (point, condition,
        replicate)."""
        query = (
            "SELECT run_id, condition, point, sweep, replicate, seed, metrics, seconds, "
            "parameters, particle FROM runs ORDER BY point, condition, replicate"
        )
        return [
            StoredRun(
                r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], json.loads(r[6]), r[7],
                json.loads(r[8]), r[9],
            )
            for r in self.db.execute(query)
        ]  # fmt: skip

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
