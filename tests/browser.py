"""What only the headless-Chromium tests need (no tests in here): where they leave screenshots.

The servers and the browser (`cocair viz` and `cocair exercise` servers, Debian's Chromium
through Playwright, pages cut off from the network) are `cocair_sim.classroom.browser`, shared
with the benchmark; the fixtures built on them are in conftest.py. What they need is set up by
`scripts/test.sh`: Debian's Chromium at /usr/bin/chromium (`scripts/ensure_browser.sh`) and the
classroom page's web assets in the venv (the setup that the main command runs too).
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def artifacts_dir() -> Path:
    """tests/artifacts/ (created; not committed) for screenshots and logs."""
    path = REPO_ROOT / "tests" / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path
