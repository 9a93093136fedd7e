#!/usr/bin/env bash
# Create .venv with Python 3.12, install cocair-sim (editable) with its test extras, and keep the
# classroom page's web assets in the venv so `cocair viz` works with no internet afterwards.
# Idempotent: reinstalls only when pyproject.toml changed. Run by main.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pick_python() {
  for cand in "${PYTHON:-}" python3.12 "$HOME/.pyenv/versions/3.12.1/bin/python3.12" python3; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 &&
      "$cand" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  echo "cocair-sim needs Python >= 3.12 (set PYTHON=/path/to/python3.12)" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  PY=$(pick_python)
  echo "creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
stamp=.venv/.cocair-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing cocair-sim and its dependencies into .venv (first time: a few minutes)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
  echo "$want" > "$stamp"
fi
# The classroom page's front-end, from the npm registry, once (a no-op when present).
SOLARA_TELEMETRY_MIXPANEL_ENABLE=False .venv/bin/python -m cocair_sim.classroom.assets
