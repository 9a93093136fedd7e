"""Output folders: refuse to clobber results, and publish a folder only when it is complete.

A run is written into a hidden sibling folder and renamed into place at the end, so an
interrupted run never leaves a folder that looks finished.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cocair_sim.errors import OutputError

RUN_MARKERS = ("manifest.json", "summary.json")
EXPERIMENT_MARKERS = ("store.sqlite", "manifest.json", "runs.csv")


def check_replaceable(out: Path, markers: tuple[str, ...]) -> None:
    """`--force` replaces results, never anything else: not the working folder or one of its
    parents, not the home folder, not a folder that holds no cocair results."""
    try:
        real = out.resolve()
        cwd = Path.cwd().resolve()
    except (OSError, RuntimeError) as exc:
        raise OutputError(f"{out}: cannot resolve the path ({exc})") from None
    if real == cwd or real in cwd.parents or real == Path.home().resolve() or real.parent == real:
        raise OutputError(f"refusing to replace {out}: it is the working folder or one above it")
    if not any((out / m).exists() for m in markers):
        raise OutputError(
            f"refusing to replace {out}: it does not hold cocair results (no "
            f"{' or '.join(markers)}); remove it yourself or choose another --out"
        )


def holds_files(out: Path) -> bool:
    """Whether the output folder exists with something in it (refusing a non-folder)."""
    try:
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out} exists and is not a folder")
        return out.is_dir() and any(out.iterdir())
    except OSError as exc:
        raise OutputError(f"{out}: cannot use this folder ({exc.strerror or exc})") from None


def check_target(out: Path, force: bool) -> None:
    """A run's output folder: new, empty, or (with `force`) holding an earlier run."""
    out = Path(out)
    if holds_files(out):
        if not force:
            raise OutputError(f"{out} already holds results; choose another --out or pass --force")
        check_replaceable(out, RUN_MARKERS)


@contextmanager
def staged_folder(out: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside `out`; on success it replaces `out` in one rename.

    Every file in it is written atomically and `manifest.json` last, so neither a crash during
    the run nor one during publication leaves a folder at `out` that looks complete and is not.
    """
    out = Path(out)
    check_target(out, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; results are ordinary folders
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the folder ({exc.strerror or exc})") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out.exists():
        old = out.with_name(f".{out.name}.old-{tmp.name[-8:]}")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)
