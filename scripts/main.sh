#!/usr/bin/env bash
# The main job from a fresh machine: set up, then run the default COCAIR III scenario.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
exec .venv/bin/cocair run scenarios/cocair3.yaml --relay hub --seed 1 --force "$@"
