#!/usr/bin/env bash
# Make sure a headless-capable Chromium is available at /usr/bin/chromium (Debian package).
# Idempotent: a no-op when the binary is already present. Needs root (or sudo) to install.
# Playwright is only used as a driver: never run `playwright install` (it downloads a browser).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "ensure_browser: $CHROMIUM missing and not root (no sudo) - cannot install" >&2
    exit 1
  fi
fi

echo "ensure_browser: installing chromium with apt-get ..." >&2
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  chromium >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure_browser: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure_browser: chromium installed in $(( $(date +%s) - start )) s" \
  "($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))" >&2
