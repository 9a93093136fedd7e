"""A calibration's analyses as other parts read them back: the surface of the hub's effect, the
effect under each prior, what it moves with, and what recording more would settle.

An experiment names a calibration's `surface.csv` (`surface:` in the experiment file); its
report then says what the published figures determine about the effect it measured. The files
beside it (`effects.csv`, `information.csv`, `drivers.csv`) are read when present.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cocair_sim.errors import InputError
from cocair_sim.missing import as_float

SURFACE_COLUMNS = ("effect", "x_parameter", "x", "y_parameter", "y", "mean", "se",
                   "posterior_mass")  # fmt: skip


@dataclass(frozen=True)
class SurfaceGrid:
    """The mean effect over a grid of two parameters, and the posterior mass on each cell."""

    effect: str
    x_name: str
    y_name: str
    x: np.ndarray
    y: np.ndarray
    mean: np.ndarray  # y x x
    se: np.ndarray
    mass: np.ndarray

    def allowed(self, share: float = 0.9) -> np.ndarray:
        """The cells holding `share` of the posterior mass, the most probable first."""
        order = np.argsort(-self.mass, axis=None)
        cum = np.cumsum(self.mass.ravel()[order])
        keep = np.zeros(self.mass.size, dtype=bool)
        keep[order[: int(np.searchsorted(cum, share * cum[-1])) + 1]] = True
        return keep.reshape(self.mass.shape)

    def allowed_range(self, share: float = 0.9) -> tuple[float, float]:
        """The lowest and highest mean effect over the cells the figures allow."""
        values = self.mean[self.allowed(share) & np.isfinite(self.mean)]
        return (float(values.min()), float(values.max())) if values.size else (np.nan, np.nan)


@dataclass(frozen=True)
class CalibrationResults:
    """What a calibration's analyses said, read from its folder."""

    folder: Path
    surfaces: list[SurfaceGrid]
    effects: list[dict[str, str]]  # effects.csv rows: prior, quantiles, share_positive
    information: list[dict[str, str]]  # information.csv rows
    drivers: list[dict[str, str]]  # drivers.csv rows: parameter, spearman_rho, ..., narrowing


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def read_results(surface_csv: Path, source: str, field: str) -> CalibrationResults:
    """Read a calibration's surface.csv (and the analyses beside it); an `InputError` naming
    `source` and `field` when it is not one."""
    try:
        rows = _rows(surface_csv)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(source, field, f"cannot read {surface_csv.name}: {exc}") from None
    if not rows or not set(SURFACE_COLUMNS) <= set(rows[0]):
        raise InputError(
            source, field, f"{surface_csv.name} is not a calibration's surface.csv (it needs "
            f"the columns {', '.join(SURFACE_COLUMNS)})"
        )  # fmt: skip
    surfaces = []
    for key in dict.fromkeys((r["effect"], r["x_parameter"], r["y_parameter"]) for r in rows):
        part = [r for r in rows if (r["effect"], r["x_parameter"], r["y_parameter"]) == key]
        try:
            x = np.array(sorted({float(r["x"]) for r in part}))
            y = np.array(sorted({float(r["y"]) for r in part}))
        except ValueError:
            message = f"{surface_csv.name}: x and y must be numbers"
            raise InputError(source, field, message) from None
        grids = {name: np.full((len(y), len(x)), np.nan) for name in ("mean", "se", "mass")}
        for r in part:
            a, b = int(np.searchsorted(y, float(r["y"]))), int(np.searchsorted(x, float(r["x"])))
            for name, column in (("mean", "mean"), ("se", "se"), ("mass", "posterior_mass")):
                grids[name][a, b] = as_float(r[column])
        grids["mass"] = np.nan_to_num(grids["mass"])
        surfaces.append(SurfaceGrid(key[0], key[1], key[2], x, y, **grids))
    folder = surface_csv.parent

    def beside(name: str) -> list[dict[str, str]]:
        return _rows(folder / name) if (folder / name).is_file() else []

    return CalibrationResults(
        folder, surfaces, beside("effects.csv"), beside("information.csv"), beside("drivers.csv")
    )
