"""The store under every resumable job: one SQLite file, one transaction per finished result.

WAL journaling keeps the file consistent if the process is killed at any moment; a result is
either fully in the store or not at all, so a resumed job simply does what is missing. The
`meta` table records which job the store holds (its content hash), which is what `--resume`
checks. Nothing read from a store is ever evaluated or unpickled: values are JSON or numbers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, Self

from cocair_sim.errors import OutputError

HASH_KEY, NAME_KEY = "job_hash", "job_name"


class SQLiteStore:
    """A job's SQLite file: the `meta` table, and the tables a subclass declares in `SCHEMA`."""

    SCHEMA: ClassVar[str] = ""
    # What the store is called in messages ("experiment store", "reference table").
    WHAT: ClassVar[str] = "store"
    # Used from several threads (under the caller's own lock), not only the one that opened it.
    SHARED_THREADS: ClassVar[bool] = False

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None,
                check_same_thread=not self.SHARED_THREADS,
            )  # fmt: skip
            self.db.row_factory = sqlite3.Row  # rows are read by column name
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                + self.SCHEMA
            )
            self.migrate()
        except (sqlite3.Error, OSError) as exc:
            raise OutputError(f"{self.path} is not a usable {self.WHAT} ({exc})") from None

    def migrate(self) -> None:
        """Bring a store written by an earlier version up to this schema (none by default)."""

    def close(self) -> None:
        """Close the connection (the file stays complete: every write was a transaction)."""
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get_meta(self, key: str) -> str | None:
        """A value of the `meta` table, or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the `meta` table."""
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def claim(self, content_hash: str, name: str) -> None:
        """Mark a new store as holding this job (what `resume` checks)."""
        if self.stored_hash() is None:
            self.set_meta(HASH_KEY, content_hash)
            self.set_meta(NAME_KEY, name)

    def stored_hash(self) -> str | None:
        """The content hash of the job this store holds (None for a new store)."""
        return self.get_meta(HASH_KEY)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write: all of it is stored, or none."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def integrity_ok(self) -> bool:
        """SQLite's own check of the file."""
        return self.db.execute("PRAGMA integrity_check").fetchone()["integrity_check"] == "ok"
