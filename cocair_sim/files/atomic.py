"""Atomic file writing: readers only ever see the old file or the complete new one.

Every file is written to a temporary name beside its target, flushed to disk and renamed over
it. Inside `published_together`, finished files wait under their temporary names and appear
together at the end, so a set of results (an experiment's exports and its manifest) is never
seen half-published.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

# Inside `published_together`, finished files wait here (temporary name, final name).
_STAGED: ContextVar[list[tuple[str, Path]] | None] = ContextVar("staged", default=None)


@contextmanager
def published_together() -> Iterator[list[tuple[str, Path]]]:
    """Files written inside appear together at the end (renamed one after the other), not one
    by one as each is finished; if the block fails they never appear.

    An experiment's exports are published this way right before its manifest, so a session
    killed while the tables or the report are being made leaves no export behind that could
    pass for a result (the manifest is the completion mark)."""
    staged: list[tuple[str, Path]] = []
    token = _STAGED.set(staged)
    try:
        yield staged
    except BaseException:
        for tmp, _path in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        _STAGED.reset(token)
    for tmp, path in staged:
        os.replace(tmp, path)


def written_file(path: Path) -> Path:
    """Where a file written inside `published_together` is until it is published."""
    for tmp, final in _STAGED.get() or ():
        if final == Path(path):
            return Path(tmp)
    return Path(path)


def publish(tmp: str, path: Path) -> None:
    """Put a finished temporary file in place now, or with the others inside
    `published_together`."""
    staged = _STAGED.get()
    if staged is None:
        os.replace(tmp, path)
    else:
        staged.append((tmp, Path(path)))


@contextmanager
def atomic_writer(
    path: Path, mode: str = "w", unpublished: list[str] | None = None
) -> Iterator[IO]:
    """Open a temporary file beside `path`; on success flush it to disk and rename it over
    `path`, so readers only ever see the old file or the complete new one.

    With `unpublished` (a list), the finished temporary file is not renamed: its name is
    appended to the list for the caller to `publish` (a worker process writing for another)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; results are ordinary files
        kwargs = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if unpublished is not None:
            unpublished.append(tmp)
        else:
            publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (see `atomic_writer`)."""
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, as UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: Any) -> None:
    """Write `data` to `path` atomically as indented JSON; NaN and infinity are refused (they
    are not JSON)."""
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=False, allow_nan=False) + "\n")


def _csv_rows(fh: IO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])


def atomic_write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    unpublished: list[str] | None = None,
) -> None:
    """Stream rows into a temporary file, then publish it (memory does not grow with rows)."""
    with atomic_writer(path, unpublished=unpublished) as fh:
        _csv_rows(fh, header, rows)
