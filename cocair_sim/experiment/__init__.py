"""Experiments: paired replications of conditions and sweep points, run in parallel (locally or
on Dask), each run stored in SQLite as it finishes, exported as tidy tables with paired
statistics.

- `spec`: the experiment file format; `plan`: the runs and their seeds;
- `worker`, `runner`, `backends`: executing runs and storing them as they finish;
- `store`: the SQLite store; `tables`: runs.csv, daily.csv, summary.csv;
- `pipeline`: all of it from Python (`run_experiment`); `single`: one run written to a folder.
"""
