#!/usr/bin/env bash
# The whole test suite from a fresh machine: the same setup as the main command (Python env and
# the classroom page's offline assets), headless Chromium for the browser tests, lint, then
# pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
bash scripts/ensure_browser.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
export SOLARA_TELEMETRY_MIXPANEL_ENABLE=False
exec .venv/bin/python -m pytest "$@"
