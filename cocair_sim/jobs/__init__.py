"""The job life cycle every command runs on: folders, stores, executors, progress, publishing.

See `lifecycle` for the life cycle itself; `executors` for where work runs, `runner` for how
tasks are batched and their results stored, `store` for the SQLite store under every resumable
job, `progress` for what a caller hears. Nothing here knows what a job computes.
"""

from cocair_sim.jobs.lifecycle import (
    MANIFEST,
    Job,
    JobContext,
    Options,
    Output,
    rewrite,
    run_job,
)
from cocair_sim.jobs.progress import Progress
from cocair_sim.jobs.runner import RunFailed, run_all
from cocair_sim.jobs.store import SQLiteStore

__all__ = [
    "MANIFEST",
    "Job",
    "JobContext",
    "Options",
    "Output",
    "Progress",
    "RunFailed",
    "SQLiteStore",
    "rewrite",
    "run_all",
    "run_job",
]
