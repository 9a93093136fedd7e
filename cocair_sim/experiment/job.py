"""An experiment as a job: its runs computed on the job life cycle, its tables as an output.

    from cocair_sim import run_experiment
    result = run_experiment("relay_modes", workers=2, replications=20)

`cocair_sim.workflows` composes this job with the report; this module knows nothing of it.
"""

from __future__ import annotations

from typing import Any, override

from cocair_sim.experiment import runs
from cocair_sim.experiment.plan import iter_missing
from cocair_sim.experiment.spec import Experiment, load_experiment
from cocair_sim.experiment.store import Store
from cocair_sim.experiment.tables import summary_rows, write_tables
from cocair_sim.files.manifest import file_sha256
from cocair_sim.jobs import Job, JobContext, Output, run_all

SEEDING = "numpy SeedSequence([base_seed, replicate, sweep_point]); see runs.csv"


class ExperimentJob(Job):
    """Every condition x sweep point x replicate of an experiment file, paired by seed."""

    kind = "experiment"
    store_class = Store
    markers = ("store.sqlite", "manifest.json", "runs.csv")
    preload = runs.PRELOAD

    def __init__(self, experiment: Experiment):
        self.experiment = experiment

    @override
    @property
    def name(self) -> str:
        return self.experiment.name

    @override
    def content_hash(self) -> str:
        return self.experiment.content_hash()

    @override
    def compute(self, ctx: JobContext) -> None:
        """Run what the store does not hold, storing each run as it finishes."""
        exp = self.experiment
        missing = iter_missing(exp, ctx.store)
        executor = ctx.pool(len(missing))
        progress = ctx.options.progress
        progress.begin(exp.name, exp.run_count(), exp.run_count() - len(missing), ctx.backend,
                       ctx.workers)  # fmt: skip
        try:
            run_all(
                missing,
                runs.execute_run,
                executor,
                ctx.store.add,
                ctx.workers,
                progress.advance,
                local=ctx.backend == "local",
                then=ctx.warm_up(),
            )
        finally:
            progress.end()

    def summary(self, ctx: JobContext) -> list[dict[str, Any]]:
        """The rows of summary.csv, computed once per session and shared by the outputs."""
        if "summary" not in ctx.shared:
            ctx.shared["summary"] = summary_rows(self.experiment, ctx.store)
        return ctx.shared["summary"]

    @override
    def manifest(self, ctx: JobContext) -> dict[str, Any]:
        exp = self.experiment
        return {
            "experiment": exp.name,
            "experiment_file": str(exp.path),
            "experiment_sha256": file_sha256(exp.path),
            "experiment_content_sha256": exp.content_hash(),
            "scenario_file": str(exp.scenario_path),
            "scenario_sha256": file_sha256(exp.scenario_path),
            "base_seed": exp.spec.base_seed,
            "replications": exp.spec.replications,
            "conditions": [c.model_dump(mode="json") for c in exp.spec.conditions],
            "baseline": exp.spec.baseline_condition,
            "sweep": [s.model_dump(mode="json") for s in exp.spec.sweep],
            "runs": ctx.store.count(),
            "seeding": SEEDING,
            "sum_of_run_seconds": round(sum(r.seconds for r in ctx.store.metric_rows()), 3),
        }

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> ExperimentJob:
        """The job that wrote a finished folder (`cocair report`); KeyError, TypeError or
        ValueError for a manifest that is not an experiment's."""
        experiment_file = manifest["experiment_file"]
        if not isinstance(experiment_file, str):
            raise TypeError("experiment_file is not text")
        return cls(load_experiment(experiment_file, int(manifest["replications"])))


class ExperimentTables(Output):
    """runs.csv, daily.csv, summary.csv and (over a posterior) drivers.csv."""

    files = ("runs.csv", "daily.csv", "summary.csv", "drivers.csv")
    checksummed = files
    preload = ("scipy.stats", "cocair_sim.experiment.tables")

    @override
    def write(self, ctx: JobContext) -> None:
        job: ExperimentJob = ctx.job  # type: ignore[assignment]
        # With no other output on the pool, a worker writes daily.csv (the largest) meanwhile.
        busy = any(o.wants_pool for o in ctx.outputs)
        summary = write_tables(
            job.experiment, ctx.store, ctx.folder, pool=None if busy else ctx.local_pool
        )
        ctx.shared["summary"] = summary
