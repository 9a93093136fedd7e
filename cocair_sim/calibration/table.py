"""The reference table: parameter sets drawn from the calibration's priors, each run under every
automatic relay mode on common random numbers, with what each run shows.

A row holds, for one draw: the parameter values; each published target's statistic, read on the
published figure's terms from the run under the scenario's own relay mode (the operation as it
ran); the observables an operation could record (`observables`), from the same run; and each
effect outcome under every mode, from which the paired effects between modes follow. Draw i's
values and its runs' seed come from `SeedSequence([base_seed, stream, i])`, so the table is the
same whatever the number of workers or the backend, a resumed table ends as an uninterrupted one,
and a larger table begins with a smaller one's rows.

The table is a job (`cocair table FILE`): each finished draw is stored at once in
`store.sqlite`; `table.npz` (every column, in draw order) is written when all are done.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO, override

import numpy as np

from cocair_sim.calibration.observables import OBSERVABLES, observe_all
from cocair_sim.calibration.spec import CalibratedParameter, Calibration, parameter_value
from cocair_sim.errors import InputError
from cocair_sim.files.atomic import atomic_writer
from cocair_sim.intel.relay import automatic_mode_names
from cocair_sim.jobs import Job, JobContext, Output, SQLiteStore, run_all
from cocair_sim.model.metrics import OPERATION_PREFIX, get_metric
from cocair_sim.model.model import CocairModel
from cocair_sim.model.observations import observe
from cocair_sim.scenario.loading import cached_scenario
from cocair_sim.scenario.schema import PublishedTarget
from cocair_sim.scenario.updates import with_values

PRIOR_STREAM, RUN_STREAM = 1, 2  # a draw's parameter values, and its runs' seed
TABLE_FILE = "table.npz"


@dataclass(frozen=True)
class Simulator:
    """Runs one draw under every mode and reads what a row holds. Pickles as a file path and a
    few small specs, so each worker builds the scenario once (`cached_scenario`)."""

    scenario_path: str
    fixed: tuple[tuple[str, Any], ...]
    parameters: tuple[CalibratedParameter, ...]
    targets: tuple[PublishedTarget, ...]
    modes: tuple[str, ...]
    own_mode: str
    effects: tuple[str, ...]

    @classmethod
    def of(cls, calibration: Calibration) -> Simulator:
        """The simulator of a calibration file: every automatic mode, the scenario's own."""
        return cls(
            str(calibration.scenario_path),
            tuple(calibration.spec.set.items()),
            tuple(calibration.spec.parameters),
            calibration.targets,
            tuple(automatic_mode_names()),
            calibration.scenario.relay.mode,
            tuple(calibration.spec.effects),
        )

    @cached_property
    def columns(self) -> list[str]:
        """The table's columns: parameters, targets, observables, each mode's outcomes."""
        return [
            *(p.path for p in self.parameters),
            *(f"target:{t.name}" for t in self.targets),
            *(f"obs:{name}" for name in OBSERVABLES),
            *(f"{mode}:{effect}" for mode in self.modes for effect in self.effects),
        ]

    def scenario_values(self, values: Sequence[float]) -> dict[str, Any]:
        """Every scenario field a draw sets (`also` paths included)."""
        out: dict[str, Any] = {}
        for par, value in zip(self.parameters, values, strict=True):
            out.update(dict.fromkeys(par.paths, parameter_value(par, value)))
        return out

    def run(self, draw: Draw) -> list[float]:
        """The draw's row, in `columns` order."""
        base = cached_scenario(self.scenario_path, dict(self.fixed))
        spec = with_values(base, self.scenario_values(draw.values))
        row = list(draw.values)
        outcomes = []
        for mode in self.modes:
            model = CocairModel(spec, seed=draw.seed, relay_mode=mode, event_log=False).run()
            if mode == self.own_mode:
                row += [float(observe(model, t)) for t in self.targets]
                row += list(observe_all(model).values())
            outcomes += [_outcome(model, effect) for effect in self.effects]
        return row + outcomes


def _outcome(model: CocairModel, name: str) -> float:
    """A metric's value (`operation.<name>` for the operation window); NaN where it has none."""
    operation = name.startswith(OPERATION_PREFIX)
    metric = get_metric(name.removeprefix(OPERATION_PREFIX))
    value = metric.value(model.window_counts if operation else model.counts, model)
    return math.nan if value is None else float(value)


@dataclass(frozen=True)
class Draw:
    """One parameter set of the table, its runs' seed, and the simulator that runs it."""

    index: int
    seed: int
    values: tuple[float, ...]  # one per parameter, as the scenario takes it
    simulator: Simulator

    @property
    def task_id(self) -> str:
        """What the job runner calls this draw."""
        return f"draw {self.index}"


def prior_draw(calibration: Calibration, simulator: Simulator, index: int) -> Draw:
    """Draw `index` of the table: each parameter uniform on its sampled scale (the logarithm
    for a loguniform prior), and a seed for its runs."""
    base = calibration.spec.base_seed
    rng = np.random.default_rng(np.random.SeedSequence([base, PRIOR_STREAM, index]))
    values = []
    for par in calibration.spec.parameters:
        low, high = par.prior.sampled_bounds()
        values.append(parameter_value(par, par.prior.from_sampled(rng.uniform(low, high))))
    seed = int(np.random.SeedSequence([base, RUN_STREAM, index]).generate_state(1)[0])
    return Draw(index, seed, tuple(values), simulator)


@dataclass(frozen=True)
class Row:
    """A finished draw: what the store keeps."""

    index: int
    values: list[float]
    seconds: float


def simulate(draw: Draw) -> Row:
    """Run one draw (in a worker process, local or on Dask)."""
    started = time.perf_counter()
    values = draw.simulator.run(draw)
    return Row(draw.index, values, round(time.perf_counter() - started, 4))


class TableStore(SQLiteStore):
    """Every finished draw of a reference table, one row each (values as a JSON list)."""

    WHAT = "reference table"
    SCHEMA = """
        CREATE TABLE IF NOT EXISTS draws (
            draw INTEGER PRIMARY KEY,
            seconds REAL NOT NULL,
            row TEXT NOT NULL
        );
    """

    def add(self, row: Row) -> None:
        """Store one finished draw (a draw already present is left as it is)."""
        values = json.dumps([None if math.isnan(v) else v for v in row.values])
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO draws (draw, seconds, row) VALUES (?, ?, ?)",
                (row.index, row.seconds, values),
            )

    def done(self) -> set[int]:
        """The indices of the stored draws."""
        return {r["draw"] for r in self.db.execute("SELECT draw FROM draws")}

    def count(self) -> int:
        """How many draws are stored."""
        return self.db.execute("SELECT COUNT(*) AS n FROM draws").fetchone()["n"]

    def rows(self, limit: int) -> Iterator[tuple[int, list[float]]]:
        """The first `limit` draws in order, each as (index, values)."""
        query = "SELECT draw, row FROM draws WHERE draw < ? ORDER BY draw"
        for r in self.db.execute(query, (limit,)):
            yield r["draw"], [math.nan if v is None else v for v in json.loads(r["row"])]

    def seconds(self) -> float:
        """The draws' summed run time."""
        return self.db.execute("SELECT TOTAL(seconds) AS s FROM draws").fetchone()["s"]


def table_hash(calibration: Calibration, simulator: Simulator) -> str:
    """What decides the table's rows: the scenario, the fixed overrides, the priors, the targets,
    the modes and outcomes, the seed (not the number of draws: a larger table extends a smaller
    one). The scenario counts without the values of the calibrated fields, which every draw
    replaces: setting the posterior's medians in the scenario leaves its table valid."""
    spec = calibration.spec
    blanked = with_values(
        calibration.scenario, {path: None for p in spec.parameters for path in p.paths}
    )
    blob = json.dumps(
        {
            "scenario": blanked.model_dump(mode="json", by_alias=True),
            "set": spec.set,
            "parameters": [p.model_dump(mode="json") for p in spec.parameters],
            "targets": [t.model_dump(mode="json", by_alias=True) for t in calibration.targets],
            "columns": simulator.columns,
            "base_seed": spec.base_seed,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


class TableJob(Job):
    """The reference table of a calibration file (`cocair table FILE`)."""

    kind = "table"
    store_class = TableStore
    markers = ("store.sqlite", "manifest.json", TABLE_FILE)
    preload = ("cocair_sim.calibration.table",)

    def __init__(self, calibration: Calibration, draws: int | None = None):
        self.calibration = calibration
        self.draws = draws or calibration.spec.draws
        self.simulator = Simulator.of(calibration)

    @property
    @override
    def name(self) -> str:
        return f"{self.calibration.name}_table"

    @override
    def content_hash(self) -> str:
        return table_hash(self.calibration, self.simulator)

    @override
    def compute(self, ctx: JobContext) -> None:
        """Run the draws the store does not hold, storing each as it finishes."""
        done = ctx.store.done()
        missing = [
            prior_draw(self.calibration, self.simulator, i)
            for i in range(self.draws)
            if i not in done
        ]
        executor = ctx.pool(len(missing))
        progress = ctx.options.progress
        progress.begin(self.name, self.draws, self.draws - len(missing), ctx.backend,
                       ctx.workers)  # fmt: skip
        try:
            run_all(missing, simulate, executor, ctx.store.add, ctx.workers, progress.advance,
                    local=ctx.backend == "local")  # fmt: skip
        finally:
            progress.end()

    @override
    def manifest(self, ctx: JobContext) -> dict[str, Any]:
        cal = self.calibration
        return {
            **cal.provenance(),
            "draws": self.draws,
            "content_hash": self.content_hash(),
            "modes": list(self.simulator.modes),
            "own_mode": self.simulator.own_mode,
            "columns": self.simulator.columns,
            "base_seed": cal.spec.base_seed,
            "seeding": "numpy SeedSequence([base_seed, 1, draw]) for the values, "
            "[base_seed, 2, draw] for the runs' seed",
            "sum_of_run_seconds": round(ctx.store.seconds(), 3),
        }


class TableFile(Output):
    """table.npz: every column as an array in draw order, and the columns' names."""

    files = (TABLE_FILE,)
    checksummed = files

    @override
    def write(self, ctx: JobContext) -> None:
        job: TableJob = ctx.job  # type: ignore[assignment]
        columns = job.simulator.columns
        data = np.full((job.draws, len(columns)), np.nan)
        for index, values in ctx.store.rows(job.draws):
            data[index] = values
        if np.isnan(data[:, 0]).any():
            raise InputError(str(ctx.out), None, "the store lacks draws: resume the table")
        with atomic_writer(ctx.folder / TABLE_FILE, "wb") as fh:
            write_npz(fh, columns=np.array(columns), data=data)


def write_npz(fh: BinaryIO, **arrays: np.ndarray) -> None:
    """`numpy.savez_compressed` with fixed member dates: the same table gives the same bytes."""
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w", force_zip64=True) as out:
                np.lib.format.write_array(out, np.asanyarray(array), allow_pickle=False)


@dataclass(frozen=True)
class Table:
    """A finished reference table, read from its table.npz."""

    columns: list[str]
    data: np.ndarray  # draws x columns

    def column(self, name: str) -> np.ndarray:
        """One column."""
        return self.data[:, self.columns.index(name)]

    def select(self, names: Sequence[str]) -> np.ndarray:
        """Several columns, as draws x names."""
        return self.data[:, [self.columns.index(n) for n in names]]

    @property
    def modes(self) -> list[str]:
        """The relay modes whose outcomes the table holds."""
        return list(dict.fromkeys(c.split(":")[0] for c in self.columns if ":" in c
                                  and c.split(":")[0] not in ("target", "obs")))  # fmt: skip

    def effect(self, mode: str, baseline: str, outcome: str) -> np.ndarray:
        """Each draw's paired difference `mode` - `baseline` in an outcome."""
        return self.column(f"{mode}:{outcome}") - self.column(f"{baseline}:{outcome}")

    def __len__(self) -> int:
        return self.data.shape[0]


def load_table(folder: str | Path) -> Table:
    """Read a finished table (its folder, or its table.npz)."""
    path = Path(folder)
    if path.is_dir():
        path = path / TABLE_FILE
    if not path.is_file():
        raise InputError(str(folder), None, f"no {TABLE_FILE}: not a finished reference table")
    with np.load(path, allow_pickle=False) as npz:
        return Table([str(c) for c in npz["columns"]], npz["data"])
