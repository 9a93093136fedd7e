"""What several parts of the benchmark use: the shipped files it times, how a part is told to
run (`Settings`), timing and memory helpers, table rows, and the results file."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "cocair3.yaml"
EXPERIMENT = ROOT / "experiments" / "relay_modes.yaml"
CALIBRATION = ROOT / "experiments" / "calibration.yaml"

console = Console(width=120)


@dataclass(frozen=True)
class Settings:
    """What every part is given: the command line's choices and the default scenario, parsed
    once before the timings (`raw` as read, `spec` validated)."""

    quick: bool
    rounds: int | None  # --rounds: rounds of the experiment timings
    raw: dict[str, Any]
    spec: Any


class Row(NamedTuple):
    """One row of the printed table; `met` is None for a row with no target."""

    measure: str
    value: str
    target: str = ""
    met: bool | None = None


# -- timing -----------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median wall and CPU seconds of `fn()` over `repeat` calls (after one warm-up call)."""
    result = fn()
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(wall), statistics.median(cpu), result


def paired_median(a: list[float], b: list[float]) -> float:
    """Median of the ratios a[i] / b[i]: measurements taken in the same round share the
    machine's speed of the moment, so their ratio survives its drift."""
    return statistics.median([x / y for x, y in zip(a, b, strict=True)])


# -- processes: CPU and memory ----------------------------------------------------------------


def rss_bytes(pid: int | str = "self", field: str = "VmRSS") -> int:
    """Resident set size (or VmHWM, its peak) of a process, from /proc."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def mb(n: float) -> float:
    """Bytes in MiB, rounded to 0.1."""
    return round(n / 2**20, 1)


def _group(pid: int) -> list[str]:
    return subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout.split()


def group_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process group (a server and its children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for child in _group(pid):
        try:
            with open(f"/proc/{child}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:  # ended since pgrep listed it
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def group_rss_bytes(pid: int) -> int:
    """Resident set size of a process group (a server and its children)."""
    return sum(rss_bytes(child) for child in _group(pid))


# -- the results file ---------------------------------------------------------------------------


def write_results(
    results: dict[str, Any], out_path: Path, merge: list[tuple[str, ...]]
) -> dict[str, Any]:
    """Write the results as JSON. With `merge` (the paths of the parts run alone), the file's
    other entries are kept and only those paths are replaced; returns what was written."""
    if merge and out_path.exists():
        merged = json.loads(out_path.read_text())
        for path in merge:
            put(merged, path, get(results, path))
        results = merged
    out_path.write_text(json.dumps(results, indent=2) + "\n")
    shown = out_path.relative_to(ROOT) if out_path.is_relative_to(ROOT) else out_path
    console.print(f"written {shown}")
    return results


def get(results: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The entry at `path` (keys, outermost first); KeyError if absent."""
    for key in path[:-1]:
        results = results[key]
    return results[path[-1]]


def has(results: dict[str, Any], path: tuple[str, ...]) -> bool:
    """True when `path` is in the results."""
    try:
        get(results, path)
    except (KeyError, TypeError):
        return False
    return True


def put(results: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set the entry at `path`, creating the mappings above it."""
    for key in path[:-1]:
        if not isinstance(results.get(key), dict):
            results[key] = {}
        results = results[key]
    results[path[-1]] = value
