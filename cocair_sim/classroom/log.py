"""The exercise's log: what lets a class survive a crash.

An exercise is its scenario, its seed, its trainer key and the log of everything that changed
its world, in order, each at the simulated hour it happened: teams joining and leaving, every
decision on a report or an alert (by a team, or by default when its time ran out), every change
of the trainer's settings. The world is a deterministic function of those, so `--resume`
rebuilds it by running the model again and applying each entry at its hour, then runs on to the
hour the clock had reached. Each entry is one SQLite transaction, written as it happens (WAL
journaling: a kill at any moment leaves every entry written before it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cocair_sim.jobs import SQLiteStore

LOG_FILE = "exercise.sqlite"


@dataclass(frozen=True)
class Entry:
    """One thing that changed the world: its kind, its data and the hour it happened."""

    seq: int
    hour: float
    kind: str
    data: dict[str, Any]


class ExerciseLog(SQLiteStore):
    """The exercise's SQLite file: its setup (`meta`), its entries and the clock's hour."""

    WHAT = "exercise log"
    SHARED_THREADS = True  # the clock and every page write to it, under the exercise's lock
    SCHEMA = """
        CREATE TABLE IF NOT EXISTS entries (
            seq INTEGER PRIMARY KEY,
            hour REAL NOT NULL,
            kind TEXT NOT NULL,
            data TEXT NOT NULL
        );
    """

    @classmethod
    def at(cls, folder: str | Path) -> ExerciseLog:
        """The log of the exercise kept in `folder`."""
        return cls(Path(folder) / LOG_FILE)

    def setup(self) -> dict[str, Any] | None:
        """What the exercise was started with (None for a new log)."""
        raw = self.get_meta("setup")
        return None if raw is None else json.loads(raw)

    def start(self, setup: dict[str, Any]) -> None:
        """Record what a new exercise is started with."""
        with self.transaction():
            self.set_meta("setup", json.dumps(setup, sort_keys=True))
            self.set_meta("clock", "0")

    def add(self, hour: float, kind: str, data: dict[str, Any]) -> None:
        """Write one entry, now."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO entries (hour, kind, data) VALUES (?, ?, ?)",
                (float(hour), kind, json.dumps(data, sort_keys=True)),
            )

    def entries(self) -> list[Entry]:
        """Every entry, in the order written."""
        rows = self.db.execute("SELECT seq, hour, kind, data FROM entries ORDER BY seq")
        return [Entry(r["seq"], r["hour"], r["kind"], json.loads(r["data"])) for r in rows]

    def clock(self) -> float:
        """The simulated hour the clock had reached when last written."""
        return float(self.get_meta("clock") or 0)

    def set_clock(self, hour: float) -> None:
        """Write the clock's hour (the exercise does so as the hours pass)."""
        self.set_meta("clock", repr(float(hour)))
