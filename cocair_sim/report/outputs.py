"""The report layer's outputs of each job: figures and reports written from a job's results.

`cocair_sim.workflows` adds these to a job's own outputs (its tables); the job life cycle
(`cocair_sim.jobs`) writes them with the rest and the manifest last. The same store gives the
same report, whether the job writes it or `cocair report` writes it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, override

from cocair_sim.jobs import JobContext, Output
from cocair_sim.report.calibration import write_calibration_report
from cocair_sim.report.html import write_report
from cocair_sim.report.jobs import start_figures

if TYPE_CHECKING:  # each output reads its own job's results; the jobs import nothing of these
    from cocair_sim.calibration.job import CalibrationJob
    from cocair_sim.experiment.job import ExperimentJob
    from cocair_sim.experiment.single import RunJob
    from cocair_sim.science.sensitivity import SensitivityJob

REPORT_FILES = ("report.html", "report.md", "figures")


def prepare_figures() -> None:
    """In a worker that has run out of runs: load the plotting stack for the report's figures
    (imported here, in the worker: the process that assembles the report never loads it)."""
    from cocair_sim.report.draw.style import warm_up  # noqa: PLC0415

    warm_up()


class ExperimentReport(Output):
    """figures/, report.html (self-contained) and report.md of an experiment. Figures are
    drawn on the local pool when there is one; those that need only the stored runs start
    while the tables are written."""

    files = REPORT_FILES
    wants_pool = True
    warm_up: ClassVar = staticmethod(prepare_figures)

    def __init__(self) -> None:
        self.started: dict | None = None

    @override
    def start(self, ctx: JobContext) -> None:
        job: ExperimentJob = ctx.job  # type: ignore[assignment]
        if ctx.local_pool is not None:
            self.started = start_figures(
                job.experiment, ctx.store, ctx.folder / "figures", ctx.local_pool
            )

    @override
    def write(self, ctx: JobContext) -> None:
        job: ExperimentJob = ctx.job  # type: ignore[assignment]
        write_report(
            job.experiment,
            ctx.store,
            ctx.folder,
            job.summary(ctx),
            executor=ctx.local_pool,
            started=self.started,
        )


class RunFigures(Output):
    """The figures of one run: flows, seizures by airport, map, displacement."""

    files = ("figures",)

    @override
    def write(self, ctx: JobContext) -> None:
        # The plotting stack is imported only where figures are drawn.
        from cocair_sim.report.draw.run import run_figures  # noqa: PLC0415

        job: RunJob = ctx.job  # type: ignore[assignment]
        run_figures(job.model, ctx.folder / "figures")


class SensitivityFigure(Output):
    """figures/sensitivity.png|svg: the main index of each parameter with its CI."""

    files = ("figures",)

    @override
    def write(self, ctx: JobContext) -> None:
        from cocair_sim.report.draw.sensitivity import bar_chart  # noqa: PLC0415 (plotting)

        job: SensitivityJob = ctx.job  # type: ignore[assignment]
        result = job.analysis(ctx)
        bar_chart(result.spec, result.rows, ctx.folder / "figures")


class CalibrationReport(Output):
    """figures/, report.html and report.md of a calibration."""

    files = REPORT_FILES

    @override
    def write(self, ctx: JobContext) -> None:
        job: CalibrationJob = ctx.job  # type: ignore[assignment]
        write_calibration_report(job.result, ctx.folder)
