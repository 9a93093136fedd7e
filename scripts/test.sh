#!/usr/bin/env bash
# The whole test suite from a fresh machine: Python env, headless Chromium for the browser tests,
# Solara's front-end assets (offline), lint, then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
if [ -f scripts/ensure_browser.sh ]; then bash scripts/ensure_browser.sh; fi
if [ -f scripts/solara_assets.sh ]; then bash scripts/solara_assets.sh .venv; fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
export SOLARA_TELEMETRY_MIXPANEL_ENABLE=False
exec .venv/bin/python -m pytest "$@"
