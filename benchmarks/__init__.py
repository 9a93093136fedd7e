"""The performance benchmark of cocair-sim (`python -m benchmarks.run`): one module per part,
declared in `parts`, with what several parts share in `common`. Not part of the package."""
