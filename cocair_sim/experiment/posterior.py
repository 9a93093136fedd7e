"""Posteriors in experiments: parameter uncertainty carried into every comparison.

An experiment file may name `posterior: PATH`, a calibration's posterior.csv (a column per
scenario field, and `weight`). Replicate r draws one particle by weight from its own stream,
`SeedSequence([base_seed, replicate, POSTERIOR_STREAM])`, and every condition and sweep point of
that replicate uses it, so pairs stay paired: a difference between conditions then varies with
both the parameters and the simulation's chance, and its interval shows both.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cocair_sim.errors import InputError
from cocair_sim.scenario.loading import scenario_with_overrides

POSTERIOR_STREAM = 7  # apart from the runs' own seeds ([base_seed, replicate, point])
MAX_PARTICLES = 1_000_000


@dataclass(frozen=True)
class Posterior:
    """Weighted sets of parameter values (particles) that experiments draw replicates from."""

    path: Path
    fields: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]  # one row per particle
    weights: tuple[float, ...]  # normalised

    def particle(self, index: int) -> dict[str, Any]:
        """One particle's values by scenario field."""
        return dict(zip(self.fields, self.values[index], strict=True))

    def draw(self, base_seed: int, replicate: int) -> int:
        """The particle of a replicate: the same for every condition and sweep point."""
        rng = np.random.default_rng(
            np.random.SeedSequence([base_seed, replicate, POSTERIOR_STREAM])
        )
        return int(rng.choice(len(self.weights), p=np.asarray(self.weights)))

    def ranges(self) -> dict[str, tuple[Any, Any]]:
        """Each field's smallest and largest value (both are checked against the scenario)."""
        return {
            f: (min(row[k] for row in self.values), max(row[k] for row in self.values))
            for k, f in enumerate(self.fields)
        }


def _number(text: str) -> int | float:
    value = float(text)  # ValueError for text that is not a number
    if not math.isfinite(value):
        raise ValueError(f"{text} is not finite")
    return int(value) if text.strip().lstrip("+-").isdigit() else value


def read_posterior(path: Path, source: str) -> Posterior:
    """Read a posterior.csv; every problem is an `InputError` naming `source`'s `posterior`."""
    field = "posterior"
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, field, f"cannot read {path} ({exc})") from None
    if not rows or "weight" not in rows[0]:
        raise InputError(source, field, f"{path} has no header with a `weight` column")
    header = rows[0]
    if len(set(header)) != len(header):
        raise InputError(source, field, f"{path}: a column is named twice")
    if len(rows) < 2 or len(rows) - 1 > MAX_PARTICLES:
        raise InputError(source, field, f"{path}: needs 1 to {MAX_PARTICLES:,} particles")
    w_col = header.index("weight")
    fields = tuple(h for h in header if h != "weight")
    if not fields:
        raise InputError(source, field, f"{path} has no parameter columns")
    values, weights = [], []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(
                source, field, f"{path} line {n}: {len(row)} values, expected {len(header)}"
            )
        try:
            numbers = [_number(v) for v in row]
        except ValueError as exc:
            raise InputError(source, field, f"{path} line {n}: not a number ({exc})") from None
        weight = numbers.pop(w_col)
        if weight < 0:
            raise InputError(source, field, f"{path} line {n}: negative weight")
        values.append(tuple(numbers))
        weights.append(float(weight))
    total = sum(weights)
    if total <= 0:
        raise InputError(source, field, f"{path}: the weights sum to zero")
    return Posterior(path, fields, tuple(values), tuple(w / total for w in weights))


def load_posterior(
    path: Path,
    source: str,
    scenario_raw: Mapping[str, Any],
    scenario_path: Path,
    fixed: Mapping[str, Any] | None = None,
) -> Posterior:
    """Read a posterior and check both ends of every column against the scenario (with the
    `fixed` overrides), so a value the file format does not allow fails now, not in a run."""
    posterior = read_posterior(path, source)
    ranges = posterior.ranges()
    for end in (0, 1):
        values = {**(fixed or {}), **{f: r[end] for f, r in ranges.items()}}
        try:
            scenario_with_overrides(
                scenario_raw, str(scenario_path), values, override_source="posterior"
            )
        except InputError as err:
            raise InputError(source, "posterior", f"{Path(path).name}: {err.message}") from None
    return posterior
