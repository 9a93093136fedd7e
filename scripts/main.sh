#!/usr/bin/env bash
# The main job from a fresh machine: set up, then run the default COCAIR III experiment (hub vs
# bilateral vs no relay, paired replications) and write its tables, figures and report.
# Extra arguments go to `cocair experiment` (e.g. --replications 200 for the full file).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
exec .venv/bin/cocair experiment experiments/relay_modes.yaml --replications 50 --force "$@"
